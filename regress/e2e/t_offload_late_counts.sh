#!/bin/sh
# gre offload, and a GRE forwarder that answers late.  The counters of a
# call the kernel forwarded come from the forwarder (which asks the
# parent for the kernel's) once the call ends.  Here the forwarder is
# stopped (SIGSTOP) while the call is up and the kernel carries its GRE;
# then the client hangs up (pptp-linux closes without a Stop): the relay
# closes the client's connection, pptpd closes after our Stop, and the
# session waits for the counters past timeout stop (2 s), without a line
# saying that a side did not end its connection (both had).  Once the
# forwarder runs again (SIGCONT) the session ends with its line and the
# call's counters: nothing lost.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
offload_proxy 1 "timeout stop 2"
lab_wait_log "gre offload: the kernel forwards" 5 || fail "offload is not on"
gre=$(proxy_child gre) || fail "no GRE forwarder"
# fail_cont MESSAGE: the forwarder running again first
fail_cont() {
	kill -CONT "$gre" 2>/dev/null
	fail "$@"
}
lab_drive c1 -k 6 -t 40 192.0.2.1 >"$TMP/drive.out" 2>&1 &
dp=$!
lab_track $dp
lab_wait_log "session 1: call 1 up" 15 || fail "no call"
sleep 2
k=$(nsx fw nft list set ip pptpproxy peers | grep -c "counter packets")
[ "$k" -ge 1 ] || fail "the call is not in the kernel (no element)"
kill -STOP "$gre"
wait $dp || { cat "$TMP/drive.out"; fail_cont "frames did not all come back"; }
lab_wait_log "session 1: call 1 down" 10 || fail_cont "the call did not end"
sleep 3.5
grep "did not end" "$PLOG" && fail_cont "a side was said not to end"
grep -q "session 1: .*ended after" "$PLOG" &&
    fail_cont "the session ended without its counters"
kill -CONT "$gre"
lab_wait_log "session 1: .*ended after" 10 || fail "no end of the session"
line=$(grep "session 1: .*ended after" "$PLOG")
echo "$line" | sed 's/^[^]]*\]: /  /'
echo "$line" | grep -q "(client closed): 1 call, to server [1-9][0-9]* packets" ||
    fail "the session's line counts no GRE to the server"
echo "$line" | grep -q "to client [1-9][0-9]* packets" ||
    fail "the session's line counts no GRE to the client"
exit 0
