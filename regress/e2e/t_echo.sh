#!/bin/sh
# One client through pptpproxy: 200 frames of 1 to 1400 bytes come back
# intact and in order, and the proxy logs the session, the call up and
# down with its Call IDs, and the session end with the packets counted.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 -n 200 -w 8 -t 60 192.0.2.1 || fail "echo through the proxy"
lab_wait_log "ended after" 10 || fail "no session end line"
grep -q "session 1: 192.0.2.10:[0-9]* -> 192.0.2.1:1723 relayed to 198.51.100.2:1723 from 198.51.100.1:" "$PLOG" ||
    fail "no session start line"
grep -q "session 1: call 1 up: client Call ID [0-9]* (shown to the server as [0-9]*), server Call ID [0-9]* (shown to the client as [0-9]*)" "$PLOG" ||
    fail "no call up line"
grep -q "session 1: call 1 down" "$PLOG" || fail "no call down line"
session_counted 200
exit 0
