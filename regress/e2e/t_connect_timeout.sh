#!/bin/sh
# A server that never answers the TCP connection: the client is closed
# after "timeout connect" (2 s) with a log line; the daemon goes on.
. "$(dirname "$0")/lib.sh"
lab_topology 1
nsx s iptables -A INPUT -p tcp --dport 1723 -j DROP || skip "no iptables"
printf 'timeout connect 2\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n' > "$TMP/c.conf"
lab_proxy fw -f "$TMP/c.conf"
# pptp-linux keeps retrying; each of its connections must end at 2 s
lab_drive_refused c1 "server did not answer within 2 s" -n 3 -t 6 192.0.2.1
n=$(grep -c "ended after [23]s (server did not answer within 2 s" "$PLOG")
[ "$n" -ge 1 ] || fail "connections not closed at the timeout"
# Durations are whole seconds of the monotonic clock, and the timer runs
# from libevent's time of the loop's turn, a little before the accept: a
# session begun just after a second's start can say 1 s.
grep "server did not answer" "$PLOG" | grep -v "ended after [123]s" |
    grep -q ended && fail "a connection held longer than the timeout"
kill -0 "$PROXY_PID" || fail "daemon died"
exit 0
