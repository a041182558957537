#!/bin/sh
# A hundred connections that never speak, and some that trickle a message
# one byte a second, are closed when "timeout first-message" (6 s) runs
# out, not before and not much after; a real client gets through
# afterwards.  On Linux the kernel holds a silent connection for up to
# half that time (TCP_DEFER_ACCEPT: here 3 s) and the relay the rest.
#
# Then with a long first-message timeout (30 s): a hundred silent
# connections are held 20 s, and none is closed early.  For the first
# 15 s the kernel holds them: the relay has none of them (it is woken for
# a connection once its first bytes have come); then it takes them and
# holds them for the rest of the time.  The server is connected only once
# the client says something: pptpd accepts one connection at a time and
# waits for its first message (10 s) before it takes the next, so silent
# connections passed on to it held it up, and the clients behind them
# were closed after "timeout connect" (10 s).  Meanwhile a real client
# gets through.
. "$(dirname "$0")/lib.sh"
lab_topology 2
lab_pptpd
printf "timeout first-message 6\nlimit connections per-address 200\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n" > "$TMP/c.conf"
lab_proxy fw -f "$TMP/c.conf"
r=$(nsx c1 "$E2E/connflood" 192.0.2.1 100 10)
echo "silent: $r"
set -- $r
[ "$6" -eq 100 ] || fail "only $6 of 100 silent connections closed"
awk "BEGIN { exit !($8 >= 5.5 && ${10} <= 7.5) }" || fail "closed at $8..${10} s, not about 6 s"
r=$(nsx c1 "$E2E/connflood" 192.0.2.1 10 10 --trickle)
echo "trickling: $r"
set -- $r
[ "$6" -eq 10 ] || fail "only $6 of 10 trickling connections closed"
grep -q "no message from the client within 6 s" "$PLOG" || fail "no log line"
lab_drive c1 -n 20 -t 20 192.0.2.1 || fail "a real client after them"

kill -TERM "$PROXY_PID"
wait "$PROXY_PID"
printf "timeout first-message 30\nlimit connections per-address 200\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n" > "$TMP/c.conf"
lab_proxy fw -f "$TMP/c.conf"
t0=$(date +%s)
nsx c1 "$E2E/connflood" 192.0.2.1 100 20 >"$TMP/long.out" &
flood=$!
lab_track $flood
sleep 2
# established: silent connections the relay has accepted (the listener's
# end), and connections to the server; held: those the kernel holds.
count() {
	acc=$(nsx fw ss -tnH state established '( sport = :1723 and dst 192.0.2.10 )' | wc -l)
	held=$(nsx fw ss -tnH state syn-recv '( sport = :1723 )' | wc -l)
	srv=$(nsx fw ss -tnH state established 'dport = :1723' | wc -l)
	note "silent connections: $acc accepted by the relay, $held held by the kernel, $srv connections to the server"
}
count
[ "$acc" -eq 0 ] || fail "the relay accepted $acc silent connections within 2 s"
[ "$held" -eq 100 ] || fail "the kernel holds $held silent connections, not 100"
[ "$srv" -eq 0 ] || fail "$srv silent connections connected to the server"
lab_drive c2 -n 20 -t 20 192.0.2.1 ||
    fail "a real client while 100 silent connections are held"
# Handed over after 15 s (and a round trip); the flood ends at 20 s.
while :; do
	count
	[ "$acc" -lt 100 ] && [ $(($(date +%s) - t0)) -lt 19 ] || break
	sleep 0.5
done
[ "$acc" -eq 100 ] || fail "the relay took $acc of 100 silent connections after 15 s"
[ "$srv" -eq 0 ] || fail "$srv silent connections connected to the server"
wait $flood
r=$(cat "$TMP/long.out")
echo "silent, 30 s timeout, held 20 s: $r"
set -- $r
[ "$2" -eq 100 ] || fail "only $2 of 100 connections opened"
[ "$6" -eq 0 ] || fail "$6 of 100 silent connections closed within 20 s (first at $8 s)"
grep -q "timeout connect" "$PLOG" && fail "a session ended by timeout connect"
exit 0
