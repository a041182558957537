#!/bin/sh
# SIGTERM while a call carries traffic: every pptpproxy process is gone
# within 2 s, the parent exits 0 and logs it, and port 1723 is closed.
# Last, the log of the stop: the session that it cut off still gets its
# call-down and session-end lines (its accounting: packets and bytes each
# way, and why it ended), as every other session does, and an orderly stop
# logs no "fatal" error.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 -n 1 -k 30 -t 40 192.0.2.1 >"$TMP/long.out" 2>&1 &
lab_track $!
lab_wait_log "call 1 up" 10 || fail "no call"
sleep 2
kids=$(proxy_children)
[ -n "$kids" ] || fail "the proxy has no children"
all="$PROXY_PID $kids"
t0=$(date +%s.%N)
kill -TERM "$PROXY_PID"
i=0
while [ $i -lt 20 ]; do
	alive=""
	for p in $all; do
		[ -d "/proc/$p" ] && [ "$(readlink "/proc/$p/exe")" != "" ] &&
		    grep -q pptpproxy "/proc/$p/cmdline" 2>/dev/null &&
		    ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null &&
		    alive="$alive $p"
	done
	[ -z "$alive" ] && break
	sleep 0.1; i=$((i + 1))
done
[ -z "$alive" ] || fail "still running 2 s after SIGTERM:$alive"
wait "$PROXY_PID"; rc=$?
el=$(echo "$t0 $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }')
echo "all pptpproxy processes gone within $el s, exit status $rc"
[ $rc -eq 0 ] || fail "exit status $rc, not 0"
for p in $(ip netns pids "$(ns fw)"); do
	fail "left in the firewall: $p $(tr '\0' ' ' <"/proc/$p/cmdline")"
done
lab_port_closed fw 1723 || fail "port 1723 still open"
grep -q "terminat\|stopp\|exiting" "$PLOG" || fail "no log line for the stop"
tail -n 3 "$PLOG" | sed 's/^[^]]*\]: //'
bad=""
grep -q "session 1: call 1 down" "$PLOG" &&
    grep -q "session 1: 192.0.2.10:[0-9]* ended after" "$PLOG" ||
    bad="$bad; the session cut off by SIGTERM got no call-down or"\
" session-end line: its packets and bytes are not accounted for in the log"
if grep -q ": fatal: " "$PLOG"; then
	bad="$bad; a clean stop logs a fatal error: $(grep ': fatal: ' "$PLOG" |
	    head -n 1 | sed 's/^[^]]*\]: //')"
fi
[ -z "$bad" ] || fail "${bad#; }"
exit 0
