#!/bin/sh
# A child killed during traffic: the parent logs which one and why, ends
# the other, and exits 1; no pptpproxy process remains.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
for victim in gre control; do
	: > "$PLOG"
	lab_proxy fw -p 192.0.2.1,198.51.100.2
	lab_drive c1 -n 1 -k 20 -t 30 192.0.2.1 > /dev/null 2>&1 &
	lab_wait_log "call 1 up" 10 || fail "no call"
	kids=$(pgrep -P "$PROXY_PID" | tr '\n' ' ')
	v=""
	for k in $kids; do
		grep -q "$victim" /proc/$k/cmdline && v=$k
	done
	[ -n "$v" ] || fail "no $victim process"
	kill -KILL "$v"
	i=0
	while kill -0 "$PROXY_PID" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -0 "$PROXY_PID" 2>/dev/null && fail "parent still running after $victim died"
	wait "$PROXY_PID"; rc=$?
	[ $rc -eq 1 ] || fail "exit status $rc, not 1"
	grep -q "$victim process killed by signal 9" "$PLOG" || fail "no log line for $victim"
	for k in $kids; do
		[ -d /proc/$k ] && grep -q pptpproxy /proc/$k/cmdline 2>/dev/null &&
		    fail "process $k left behind"
	done
	sleep 1
done
exit 0
