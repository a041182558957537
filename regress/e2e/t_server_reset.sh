#!/bin/sh
# The server's side of a call dies mid-call: the proxy closes the client's
# connection, logs why, and serves the next client.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 -n 1 -k 30 -t 40 192.0.2.1 > "$TMP/long.out" 2>&1 &
long=$!
lab_wait_log "call 1 up" 10 || fail "no call"
sleep 1
# pptpd's per-connection child (pptpctrl) dies
kids=$(pgrep -P "$PPTPD_PID")
[ -n "$kids" ] || fail "no pptpd child for the connection"
kill -KILL $kids
lab_wait_log "(server closed)" 10 || fail "session not ended"
i=0
while kill -0 $long 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $long 2>/dev/null && fail "client still connected"
lab_drive c1 -n 20 -t 20 192.0.2.1 || fail "next client"
exit 0
