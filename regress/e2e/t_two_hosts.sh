#!/bin/sh
# Clients on two hosts at once, each echoing 300 frames through the proxy:
# two sessions, one call each, frames intact and in order on both.
. "$(dirname "$0")/lib.sh"
lab_topology 2
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 -n 300 -w 8 -t 60 192.0.2.1 >"$TMP/c1.out" 2>&1 &
p1=$!
lab_track $p1
lab_drive c2 -n 300 -w 8 -t 60 192.0.2.1 >"$TMP/c2.out" 2>&1 &
p2=$!
lab_track $p2
wait $p1; r1=$?
wait $p2; r2=$?
cat "$TMP/c1.out" "$TMP/c2.out"
[ $r1 -eq 0 ] || fail "client 192.0.2.10 did not get all its frames back"
[ $r2 -eq 0 ] || fail "client 192.0.2.11 did not get all its frames back"
grep -q "192.0.2.10:[0-9]* -> 192.0.2.1:1723 relayed to" "$PLOG" ||
    fail "no session from 192.0.2.10"
grep -q "192.0.2.11:[0-9]* -> 192.0.2.1:1723 relayed to" "$PLOG" ||
    fail "no session from 192.0.2.11"
[ "$(log_count 'call 1 up')" -eq 2 ] || fail "expected two calls up"
lab_wait_log "192.0.2.11:[0-9]* ended after" 10 || fail "no end of 192.0.2.11's session"
lab_wait_log "192.0.2.10:[0-9]* ended after" 10 || fail "no end of 192.0.2.10's session"
exit 0
