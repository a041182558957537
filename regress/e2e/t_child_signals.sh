#!/bin/sh
# Signals are the parent's: SIGUSR1, SIGHUP, SIGTERM and SIGINT sent
# straight to a child (as "pkill -USR1 pptpproxy" or "systemctl kill -s
# USR1" would) are ignored there.  With a call carrying frames, each of
# them goes to each child of this test's daemon: the call keeps echoing
# every frame, both children and the parent are still the same processes,
# and a new call passes frames afterwards.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 -n 50 -k 12 -t 30 192.0.2.1 >"$TMP/long.out" 2>&1 &
drive=$!
lab_track $drive
lab_wait_log "call 1 up" 10 || fail "no call"
ctl=$(proxy_child control)
gre=$(proxy_child gre)
[ -n "$ctl" ] && [ -n "$gre" ] || fail "cannot find the children of $PROXY_PID"
echo "parent $PROXY_PID, control $ctl, gre $gre"
for sig in USR1 HUP TERM INT; do
	for p in $ctl $gre; do
		kill -$sig "$p" || fail "cannot signal $p"
		sleep 0.3
		kill -0 "$p" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$p/status" ||
		    fail "child $p ended on SIG$sig"
	done
done
kill -0 "$PROXY_PID" 2>/dev/null || fail "the parent ended"
[ "$(proxy_child control)" = "$ctl" ] && [ "$(proxy_child gre)" = "$gre" ] ||
    fail "the children are not the same processes any more"
wait $drive || fail "the call lost frames while its children were" \
    "signalled: $(cat "$TMP/long.out")"
echo "call during the signals: $(cat "$TMP/long.out")"
lab_drive c1 -n 50 -t 30 192.0.2.1 || fail "no new call after the signals"
grep -q "process .*killed\|shutting down" "$PLOG" && fail "a child died"
exit 0
