#!/bin/sh
# Clients on two hosts at once, each echoing through the proxy.
. "$(dirname "$0")/lab.sh"
lab_topology 2
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 192.0.2.1 -n 300 -w 8 -t 60 > "$TMP/c1.out" 2>&1 &
p1=$!
lab_drive c2 192.0.2.1 -n 300 -w 8 -t 60 > "$TMP/c2.out" 2>&1 &
p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
cat "$TMP/c1.out" "$TMP/c2.out"
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] || fail "a client lost frames ($r1, $r2)"
[ "$(grep -c 'call 1 up' "$PLOG")" -eq 2 ] || fail "expected two calls"
exit 0
