#!/bin/sh
# Control messages cut at odd places and run together (splitctl) are
# relayed whole to a real pptpd and its answers come back whole; the
# proxy sees no protocol violation and logs the call up and down.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
nsx c1 python3 "$E2E/splitctl" 192.0.2.1 || fail "splitctl"
lab_wait_log "ended after" 10 || fail "no session end line"
grep -q "violation" "$PLOG" && fail "a protocol violation was logged"
grep -q "session 1: call 1 up" "$PLOG" || fail "no call up line"
grep -q "session 1: call 1 down" "$PLOG" || fail "no call down line"
grep "ended after" "$PLOG" | sed 's/^.*control: //'
exit 0
