#!/bin/sh
# SIGTERM during traffic: every pptpproxy process ends, the port closes.
. "$(dirname "$0")/lab.sh"
lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 192.0.2.1 -n 1 -k 20 -t 30 > /dev/null 2>&1 &
lab_wait_log "call 1 up" 10 || fail "no call"
sleep 1
kids=$(pgrep -P "$PROXY_PID" | tr '\n' ' ')
[ -n "$kids" ] || fail "no children"
kill -TERM "$PROXY_PID"
i=0
while [ $i -lt 30 ] && kill -0 "$PROXY_PID" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
kill -0 "$PROXY_PID" 2>/dev/null && fail "parent still running"
wait "$PROXY_PID"; rc=$?
for k in $kids; do
	[ -d /proc/$k ] && grep -q pptpproxy /proc/$k/cmdline 2>/dev/null &&
	    fail "child $k still running"
done
[ $rc -eq 0 ] || fail "exit status $rc"
lab_wait_port fw 1723 && [ -n "$(nsx fw ss -ltn | grep ':1723 ')" ] &&
    fail "port 1723 still open"
grep -q terminating "$PLOG" || fail "no terminating line"
exit 0
