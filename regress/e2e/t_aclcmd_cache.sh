#!/bin/sh
# acl-command cache: one client address reconnecting in a loop against a
# command that refuses it costs one command per cache period, not one per
# connection; every connection is still refused.  A reload empties the
# cache: the next connection runs the command again.
. "$(dirname "$0")/lib.sh"
lab_topology 1
cat >"$TMP/deny" <<EOS
#!/bin/sh
echo "\$(date +%s.%N) \$1" >>"$TMP/runs"
exit 1
EOS
chmod 755 "$TMP/deny"
conf=$TMP/pptpproxy.conf
cat >"$conf" <<EOC
acl-command cache 3
proxy "p" {
	listen on 192.0.2.1
	server 198.51.100.2
	allow command "$TMP/deny"
}
EOC
lab_proxy fw -f "$conf"
# connect, wait to be closed, again, for 7 s: "connections refused"
loop() {
	# Its first byte at once, as a real client: on Linux a silent connection
	# reaches the relay only after a while (TCP_DEFER_ACCEPT).
	nsx c1 python3 - "$1" <<'EOP'
import socket, sys, time
end = time.time() + float(sys.argv[1])
n = refused = 0
while time.time() < end:
    s = socket.create_connection(("192.0.2.1", 1723), timeout=10)
    s.send(b"\0")
    n += 1
    try:
        if not s.recv(10):
            refused += 1
    except ConnectionResetError:
        refused += 1
    except socket.timeout:
        pass
    s.close()
print(n, refused)
EOP
}
set -- $(loop 7)
runs=$(wc -l <"$TMP/runs" 2>/dev/null || echo 0)
echo "7 s of reconnecting: $1 connections, $2 refused, $runs command runs"
[ "$1" -ge 30 ] || fail "only $1 connections in 7 s: the loop did not run"
[ "$2" -eq "$1" ] || fail "$2 of $1 connections refused: some got in"
# one run, then one each time the 3 s verdict expires: at most 4 in 7 s
[ "$runs" -ge 2 ] && [ "$runs" -le 4 ] ||
    fail "$runs command runs in 7 s with a 3 s cache (2 to 4 expected)"
# and no two runs within one cache period (seconds granularity: 2 s)
awk 'NR > 1 && $1 - prev < 2.0 { bad = 1 } { prev = $1 } END { exit bad }' \
    "$TMP/runs" || { cat "$TMP/runs"; fail "two runs within a cache period"; }

# A reload empties the cache: the same client runs the command again.
sed -i 's/acl-command cache 3/acl-command cache 60/' "$conf"
kill -HUP "$PROXY_PID"
lab_wait_log "configuration reloaded" 5 || fail "no reload"
before=$(wc -l <"$TMP/runs")
set -- $(loop 1)
[ "$(wc -l <"$TMP/runs")" -eq $((before + 1)) ] ||
    fail "after the reload: $(($(wc -l <"$TMP/runs") - before)) runs for $1 connections, not 1"
kill -HUP "$PROXY_PID"
lab_wait_count "configuration reloaded" 2 5
set -- $(loop 1)
[ "$(wc -l <"$TMP/runs")" -eq $((before + 2)) ] ||
    fail "a second reload did not empty the cache ($(($(wc -l <"$TMP/runs") - before)) runs)"
[ "$2" -eq "$1" ] || fail "refused from the cache: $2 of $1"
exit 0
