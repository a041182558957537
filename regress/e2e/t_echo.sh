#!/bin/sh
# One client: 200 frames of 1 to 1400 bytes echoed intact and in order
# through pptpproxy and a real pptpd; the proxy logs the session and call.
. "$(dirname "$0")/lab.sh"
lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 192.0.2.1 -n 200 -w 8 -t 60 || fail "echo through the proxy"
lab_wait_log "ended after" 10 || fail "no session end line"
grep -q "call 1 up: client Call ID" "$PLOG" || fail "no call up line"
grep -q "call 1 down" "$PLOG" || fail "no call down line"
grep "ended after" "$PLOG" | grep -q "to server 2[0-9][0-9] packets" ||
    fail "session end line does not count the frames"
exit 0
