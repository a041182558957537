#!/bin/sh
# Log lines a remote peer can provoke are limited, at the default log
# level: 300 connections refused by the ACL give at most five lines a
# second, each naming the client, the proxy and the reason, and the rest
# are counted in "similar messages suppressed" lines: logged plus counted
# is exactly 300.  Then 100 connections that are relayed (the server is
# connected once the client says something: here the first bytes of a
# message, one a second) and closed by the client: their start and end
# lines, logged plus counted, are exactly 200, of which few are logged.
. "$(dirname "$0")/lib.sh"
lab_topology 2
lab_pptpd
cat >"$TMP/c.conf" <<EOC
limit connections per-address 1000
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
	allow from 192.0.2.11
}
EOC
# As lab_proxy, but at the default log level (-d would log in full).
: >"$PLOG"
lab_bg fw "$PPTPPROXY" -n -l "$PLOG" -s "$CTLSOCK" -f "$TMP/c.conf"
PROXY_PID=$LAST_PID
lab_wait_port fw 1723 10 || fail "pptpproxy did not start listening"
sleep 1

# suppressed FROM: the sum of the suppressed counts after line FROM.
suppressed() {
	tail -n "+$1" "$PLOG" |
	    sed -n 's/.* \([0-9]*\) similar messages suppressed$/\1/p' |
	    awk '{ n += $1 } END { print n + 0 }'
}

from=$(($(wc -l <"$PLOG") + 1))
t0=$(date +%s)
# Each sends a byte at once, to reach the relay at once.
nsx c1 "$E2E/connflood" 192.0.2.1 300 2 --first >"$TMP/acl.out" ||
    fail "connflood"
t1=$(date +%s)
cat "$TMP/acl.out"
set -- $(cat "$TMP/acl.out")
[ "$2" -eq 300 ] && [ "$6" -eq 300 ] || fail "not 300 connections refused"
sleep 2		# the count of a second goes out after it
logged=$(tail -n "+$from" "$PLOG" | grep -c "control: session [0-9]*: 192.0.2.10:[0-9]* on office closed after [0-9]*s: client 192.0.2.10 not allowed on proxy office (acl)$")
held=$(suppressed "$from")
max=$((5 * (t1 - t0 + 2)))
echo "ACL refusals: $logged logged (at most $max), $held suppressed"
tail -n "+$from" "$PLOG" | grep "control: " | head -n 2 | sed 's/^.*control: //'
[ "$logged" -ge 1 ] && [ "$logged" -le "$max" ] ||
    fail "$logged refusal lines for 300 refused connections"
[ $((logged + held)) -eq 300 ] ||
    fail "$logged logged and $held suppressed: not 300"

from=$(($(wc -l <"$PLOG") + 1))
t0=$(date +%s)
nsx c2 "$E2E/connflood" 192.0.2.1 100 2 --trickle >"$TMP/rel.out" ||
    fail "connflood"
cat "$TMP/rel.out"
set -- $(cat "$TMP/rel.out")
[ "$2" -eq 100 ] || fail "not 100 connections opened"
# The sessions end once their connection to the server is made (pptpd's
# backlog of 3 makes some wait for a retried SYN), then the count of
# their second goes out: up to 15 s for all 200 lines.
counts() {
	rel=$(tail -n "+$from" "$PLOG" | grep -c "control: session [0-9]*: 192.0.2.11:[0-9]* -> 192.0.2.1:1723 relayed to 198.51.100.2:1723 from 198.51.100.1:[0-9]* (office)$")
	end=$(tail -n "+$from" "$PLOG" | grep -c "control: session [0-9]*: 192.0.2.11:[0-9]* on office closed after [0-9]*s: client closed$")
	held=$(suppressed "$from")
}
_i=0
counts
while [ $((rel + end + held)) -lt 200 ] && [ $_i -lt 150 ]; do
	sleep 0.1
	_i=$((_i + 1))
	counts
done
sleep 1.5	# nothing more comes
counts
t1=$(date +%s)
max=$((5 * (t1 - t0 + 2)))
echo "relayed sessions: $rel start and $end end lines logged, $held suppressed"
[ "$rel" -ge 1 ] && [ "$rel" -le "$max" ] ||
    fail "$rel start lines for 100 sessions"
[ "$end" -ge 1 ] && [ "$end" -le "$max" ] ||
    fail "$end end lines for 100 sessions"
[ $((rel + end + held)) -eq 200 ] ||
    fail "$rel + $end logged and $held suppressed: not 200"
exit 0
