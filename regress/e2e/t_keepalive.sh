#!/bin/sh
# Dead peers: both TCP connections of a session that lasts carry
# keepalives (60 s of silence).  The client's come with the listening
# socket (Linux); the server's are set at the relay's next tick, once a
# second, so that the many sessions that end sooner never pay for them.
# A session whose ACL command ran past a tick gets them when it
# connects.  Two clients hold a call each: c1 allowed by subnet at once,
# c2 by a command that takes 2 s; 1.5 s later the firewall's four
# connections must all show a keepalive timer below 60 s (the system's
# default would be 7200 s, none without SO_KEEPALIVE).
. "$(dirname "$0")/lib.sh"
[ "$(uname -s)" = Linux ] || skip "Linux only (ss timers)"
[ -x "$TOOLS/bench_gen" ] && [ -x "$TOOLS/bench_refl" ] ||
    skip "no bench_gen/bench_refl (make tools)"
lab_topology 2
lab_bg s "$TOOLS/bench_refl" -l 198.51.100.2:1723
lab_wait_port s 1723 5 || fail "bench_refl does not listen"
cat >"$TMP/acl" <<EOS
#!/bin/sh
sleep 2
exit 0
EOS
chmod 755 "$TMP/acl"
lab_proxy fw -p 192.0.2.1,198.51.100.2 -a 192.0.2.10/32 -x "$TMP/acl"
lab_bg c1 "$TOOLS/bench_gen" -c 192.0.2.1 -m hold -n 1 -r "$TMP/ready1"
lab_bg c2 "$TOOLS/bench_gen" -c 192.0.2.1 -m hold -n 1 -r "$TMP/ready2"
i=0
while { [ ! -f "$TMP/ready1" ] || [ ! -f "$TMP/ready2" ]; } &&
    [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -f "$TMP/ready1" ] && [ -f "$TMP/ready2" ] ||
    fail "the two calls were not up within 10 s"
sleep 1.5
nsx fw ss -tnoH state established >"$TMP/ss"
cat "$TMP/ss"
# keepalive timer left, in seconds, of the connection matching $1
ka() {
	grep -e "$1" "$TMP/ss" |
	    sed -n 's/.*timer:(keepalive,\([0-9.]*\)\(m\{0,1\}\)sec,.*/\1 \2/p' |
	    awk '{ print ($2 == "m" ? $1 * 60 : $1) }'
}
for c in "192.0.2.1:1723 *192.0.2.10:" "192.0.2.1:1723 *192.0.2.11:"; do
	t=$(ka "$c")
	[ -n "$t" ] || fail "no keepalive on the client's connection ($c)"
	[ "${t%.*}" -le 60 ] || fail "client's keepalive in $t s ($c)"
done
n=0
for t in $(ka "198.51.100.1:[0-9]* *198.51.100.2:1723"); do
	[ "${t%.*}" -le 60 ] || fail "a server connection's keepalive in $t s"
	n=$((n + 1))
done
[ $n -eq 2 ] || fail "$n of the 2 server connections have keepalives"
echo "four connections, keepalive timers at most 60 s"
exit 0
