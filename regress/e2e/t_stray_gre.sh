#!/bin/sh
# Stray GRE during a real session - malformed headers, unknown Call IDs and
# the session's own Call ID sent from another host (spoofing) - is dropped
# and counted; the session still echoes every frame and nothing stray
# reaches the server.
. "$(dirname "$0")/lab.sh"
lab_topology 2
lab_pptpd
nsx s tcpdump -i any -n -A -w "$TMP/s.pcap" ip proto 47 >/dev/null 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 192.0.2.1 -n 1 -k 12 -t 40 > "$TMP/long.out" 2>&1 &
long=$!
lab_wait_log "call 1 up" 10 || fail "no call"
id=$(sed -n 's/.*(shown to the client as \([0-9]*\)).*/\1/p' "$PLOG" | head -n 1)
[ -n "$id" ] || fail "no Call ID shown to the client in the log"
nsx c2 "$E2E/straygre" 192.0.2.1 "$id" 2000 || fail "straygre"
wait $long || { cat "$TMP/long.out"; fail "the session lost frames"; }
cat "$TMP/long.out"
kill -USR1 "$PROXY_PID"
lab_wait_log "wrong source" 5 || fail "no GRE counters"
line=$(grep "gre: .* forwarded, dropped" "$PLOG" | tail -n 1)
echo "$line" | cut -c 25-
echo "$line" | grep -q "12000 malformed" || fail "malformed packets not all counted"
echo "$line" | grep -q "2000 unknown Call ID" || fail "unknown Call IDs not counted"
echo "$line" | grep -q "2000 wrong source" || fail "spoofed packets not counted"
sleep 1
n=$(nsx s tcpdump -r "$TMP/s.pcap" -n -A 2>/dev/null | grep -c STRAY)
[ "$n" -eq 0 ] || fail "$n stray packets reached the server"
exit 0
