#!/bin/sh
# A hundred connections that never speak, and some that trickle a message
# one byte a second, are closed when "timeout first-message" (3 s) runs
# out, not before; a real client gets through afterwards.
#
# Then with a long first-message timeout (30 s): a hundred silent
# connections are held 15 s, and none is closed early.  The server is
# connected only once the client says something: pptpd accepts one
# connection at a time and waits for its first message (10 s) before it
# takes the next, so silent connections passed on to it held it up, and
# the clients behind them were closed after "timeout connect" (10 s).
# Meanwhile a real client gets through.
. "$(dirname "$0")/lib.sh"
lab_topology 2
lab_pptpd
printf "timeout first-message 3\nlimit connections per-address 200\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n" > "$TMP/c.conf"
lab_proxy fw -f "$TMP/c.conf"
r=$(nsx c1 "$E2E/connflood" 192.0.2.1 100 10)
echo "silent: $r"
set -- $r
[ "$6" -eq 100 ] || fail "only $6 of 100 silent connections closed"
awk "BEGIN { exit !($8 >= 2.5 && ${10} <= 6) }" || fail "closed at $8..${10} s, not about 3 s"
r=$(nsx c1 "$E2E/connflood" 192.0.2.1 10 10 --trickle)
echo "trickling: $r"
set -- $r
[ "$6" -eq 10 ] || fail "only $6 of 10 trickling connections closed"
grep -q "no message from the client within 3 s" "$PLOG" || fail "no log line"
lab_drive c1 -n 20 -t 20 192.0.2.1 || fail "a real client after them"

kill -TERM "$PROXY_PID"
wait "$PROXY_PID"
printf "timeout first-message 30\nlimit connections per-address 200\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n" > "$TMP/c.conf"
lab_proxy fw -f "$TMP/c.conf"
nsx c1 "$E2E/connflood" 192.0.2.1 100 15 >"$TMP/long.out" &
flood=$!
lab_track $flood
sleep 2
# The silent ones wait here, not at the server.
n=$(nsx fw ss -tnH state established 'dport = :1723' | wc -l)
note "silent connections with a connection to the server: $n"
[ "$n" -eq 0 ] || fail "$n silent connections connected to the server"
lab_drive c2 -n 20 -t 20 192.0.2.1 ||
    fail "a real client while 100 silent connections are held"
wait $flood
r=$(cat "$TMP/long.out")
echo "silent, 30 s timeout, held 15 s: $r"
set -- $r
[ "$2" -eq 100 ] || fail "only $2 of 100 connections opened"
[ "$6" -eq 0 ] || fail "$6 of 100 silent connections closed within 15 s (first at $8 s)"
grep -q "timeout connect" "$PLOG" && fail "a session ended by timeout connect"
exit 0
