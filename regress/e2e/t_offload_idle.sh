#!/bin/sh
# gre offload and "timeout idle" (3 s): a call whose GRE the kernel
# forwards, with no control message from the client for 10 s, is not
# closed as idle (the idle sweep reads the kernel's counters); once the
# client vanishes (its packets dropped) the counters stop and the session
# is closed as idle.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
offload_proxy 1 "timeout idle 3"
lab_wait_log "gre offload: the kernel forwards" 5 || fail "offload is not on"
lab_drive c1 -k 10 -w 4 -t 40 192.0.2.1 >"$TMP/drive.out" 2>&1 ||
    { cat "$TMP/drive.out"; fail "frames did not all come back"; }
cat "$TMP/drive.out"
n=$(nsx fw nft list set ip pptpproxy peers 2>/dev/null | grep -c "counter packets")
grep -q "idle for" "$PLOG" &&
    fail "a call carrying GRE through the kernel was closed as idle"
lab_wait_log "ended after" 10 || fail "no session end"
# The client's hang-up: pptp-linux clears its call and closes, and pptpd
# closes once the call is cleared; whichever close the relay sees first
# is the one its end line names.
grep "ended after" "$PLOG" | grep -q "(client closed)\|(server closed)" ||
    fail "the session did not end by the client's hang-up"

# Second client: offloaded, then it vanishes.
lab_drive c1 -k 40 -t 60 192.0.2.1 >/dev/null 2>&1 &
lab_track $!
lab_wait_log "session 2: call 1 up" 15 || fail "no second call"
sleep 2
k=$(nsx fw nft list set ip pptpproxy peers | grep -c "counter packets")
[ "$k" -eq 2 ] || fail "the second call is not in the kernel ($k elements)"
nsx c1 iptables -A OUTPUT -j DROP || skip "no iptables"
nsx c1 iptables -A INPUT -j DROP
lab_wait_log "session 2: .*idle for 3 s (timeout idle)" 12 ||
    fail "a vanished client's offloaded session was not closed as idle"
lab_wait_log "session 2: .*ended after" 5 || fail "no end of session 2"
exit 0
