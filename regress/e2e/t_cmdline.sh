#!/bin/sh
# The original's command line: -h and -v exit 0; no pair exits 1 with a
# message; a pair whose listen address:port is taken is ignored with a
# warning while the others serve; without -n/-d the daemon goes to the
# background and returns 0 once running.
. "$(dirname "$0")/lib.sh"
"$PPTPPROXY" -h >/dev/null || fail "-h"
"$PPTPPROXY" -v | grep -q pptpproxy || fail "-v"
out=$("$PPTPPROXY" -f /nonexistent/pptpproxy.conf 2>&1); rc=$?
[ $rc -eq 1 ] || fail "no pair: exit $rc"
echo "no pair: $out"
lab_topology 1
ip -n "$(ns fw)" addr add 192.0.2.2/24 dev br0
lab_pptpd
# something else holds 192.0.2.1:1723
lab_bg fw python3 -c 'import socket,time
s=socket.socket(); s.bind(("192.0.2.1",1723)); s.listen(1); time.sleep(300)'
lab_wait_port fw 1723 || fail "blocker"
lab_proxy fw -p 192.0.2.1,198.51.100.2 -p 192.0.2.2,198.51.100.2
grep -q "cannot listen on 192.0.2.1:1723, ignored" "$PLOG" || fail "no warning"
lab_drive c1 -n 20 -t 20 192.0.2.2 || fail "the other pair does not serve"
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null
# background mode
nsx fw "$PPTPPROXY" -l "$TMP/bg.log" -s "$CTLSOCK" -p 192.0.2.2,198.51.100.2; rc=$?
[ $rc -eq 0 ] || fail "background start: exit $rc"
bg=$(ip netns pids "$(ns fw)" | while read p; do
	grep -q "pptpproxy: parent" /proc/$p/cmdline 2>/dev/null && echo $p; done)
[ -n "$bg" ] || fail "no daemon in the background"
lab_track "$bg"
lab_drive c1 -n 20 -t 20 192.0.2.2 || fail "background daemon does not serve"
kill "$bg"
exit 0
