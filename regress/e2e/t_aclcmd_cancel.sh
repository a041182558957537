#!/bin/sh
# A slow ACL command (30 s) whose client leaves after 1 s is killed, with
# its children, within 2 s, and the parent logs why: for a client that
# sent its first message (held while the command runs) and for one that
# sent only its first byte (one that sends nothing reaches the relay, on
# Linux, only after a while: TCP_DEFER_ACCEPT).  A client that stays is
# still answered by its command.
. "$(dirname "$0")/lib.sh"
lab_topology 3
cat >"$TMP/slow" <<EOS
#!/bin/sh
echo \$\$ >"$TMP/pid.\$1"
sleep 30
exit 1
EOS
chmod 755 "$TMP/slow"
cat >"$TMP/quick" <<EOS
#!/bin/sh
sleep 2
exit 1
EOS
chmod 755 "$TMP/quick"
conf=$TMP/pptpproxy.conf
cat >"$conf" <<EOC
acl-command timeout 60
proxy "p" {
	listen on 192.0.2.1
	server 198.51.100.2
	allow command "$TMP/slow"
}
proxy "q" {
	listen on 192.0.2.1 port 1724
	server 198.51.100.2
	allow command "$TMP/quick"
}
EOC
lab_proxy fw -f "$conf"
# client NS SEND PORT: connect; SEND: send 156 bytes (a first message's
# size); leave 1 s after its command started (PORT 1723) or wait to be
# closed (1724)
client() {
	nsx "$1" python3 - "$2" "$3" "$TMP/pid.$4" <<'EOP'
import os, socket, sys, time
s = socket.create_connection(("192.0.2.1", int(sys.argv[2])), timeout=10)
if sys.argv[1] == "1":
    s.sendall(b"\0\x9c\0\1\x1a\x2b\x3c\x4d" + b"\0" * 148)
else:
    s.sendall(b"\0")
if sys.argv[2] == "1724":
    t = time.time()
    print("closed" if not s.recv(10) else "data", "%.1f" % (time.time() - t))
    sys.exit(0)
t = time.time()
while not os.path.exists(sys.argv[3]) and time.time() - t < 5:
    time.sleep(0.05)
time.sleep(1)
s.close()
EOP
}
client c1 1 1723 192.0.2.10 &
p1=$!
client c2 0 1723 192.0.2.11 &
p2=$!
lab_track $p1
lab_track $p2
wait $p1 $p2
for a in 192.0.2.10 192.0.2.11; do
	[ -s "$TMP/pid.$a" ] || fail "the command for $a did not start"
done
i=0
while [ $i -lt 20 ]; do
	alive=""
	for a in 192.0.2.10 192.0.2.11; do
		kill -0 "$(cat "$TMP/pid.$a")" 2>/dev/null && alive="$alive $a"
	done
	[ -z "$alive" ] && break
	sleep 0.1
	i=$((i + 1))
done
[ -z "$alive" ] || fail "the command still runs 2 s after its client left:$alive"
echo "both commands gone $((i * 100)) ms after their clients left"
# nothing but pptpproxy in the firewall: the sleeps went with them
lab_only_proxy fw
lab_wait_log "for 192.0.2.10 killed: the session that asked for it is gone" 2 ||
    fail "no log line for the command killed (client that sent a message)"
lab_wait_log "for 192.0.2.11 killed: the session that asked for it is gone" 2 ||
    fail "no log line for the command killed (silent client)"
grep "killed: the session" "$PLOG" | sed 's/^.*parent: //'
# a client that waits gets its verdict after its command's 2 s
r=$(client c3 0 1724 x)
echo "a client that waits: $r s"
set -- $r
[ "$1" = closed ] && awk "BEGIN { exit !($2 >= 1.5 && $2 < 5) }" ||
    fail "the waiting client was not answered by its command ($r)"
exit 0
