#!/bin/sh
# A client that ends normally: the server side sees the call end (its PPP
# stand-in ends), the proxy logs the call down and the session end, and
# nothing of the session remains.
. "$(dirname "$0")/lab.sh"
lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 192.0.2.1 -n 20 -t 30 || fail "echo"
lab_wait_log "ended after" 10 || fail "no session end"
i=0
while [ $i -lt 50 ] && ! grep -q "bytes" "$TMP/pppecho-s.log" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
grep -q "bytes" "$TMP/pppecho-s.log" 2>/dev/null ||
    fail "the server's PPP side did not see the call end"
grep -q "call 1 down" "$PLOG" || fail "no call down line"
exit 0
