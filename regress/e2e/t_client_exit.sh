#!/bin/sh
# A client that ends normally (pptp gets SIGTERM; its call manager clears
# the call and closes the control connection): the server side sees the
# call end - the pppecho of that call ends and no pptpctrl is left - and
# the proxy logs the call down and the session end.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 -n 50 -t 30 192.0.2.1 || fail "echo"
lab_wait_log "ended after" 10 || fail "no session end line"
i=0
while [ "$(pppecho_count s end)" -lt 1 ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
cat "$TMP/pppecho-s.log"
[ "$(pppecho_count s start)" -eq 1 ] || fail "expected one call on the server"
[ "$(pppecho_count s end)" -eq 1 ] || fail "the call's PPP side on the server did not end"
i=0
while [ $i -lt 50 ]; do
	left=""
	for p in $(ip netns pids "$(ns s)"); do
		[ "$p" = "$PPTPD_PID" ] && continue
		left="$left $p:$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	[ -z "$left" ] && break
	sleep 0.1; i=$((i + 1))
done
[ -z "$left" ] || fail "still running on the server besides pptpd:$left"
grep -q "session 1: call 1 down" "$PLOG" || fail "no call down line"
grep "ended after" "$PLOG" | sed 's/^.*control: //'
grep "ended after" "$PLOG" | grep -q "(client closed)\|(server closed)" ||
    fail "the session end gives an unexpected reason"
# The proxy holds nothing of the session any more.
kill -USR1 "$PROXY_PID"
lab_wait_log "control: 0 sessions" 5 || fail "SIGUSR1: sessions still listed"
lab_wait_log "gre: 0 routes" 5 || fail "SIGUSR1: GRE routes still listed"
exit 0
