#!/bin/sh
# Harness self-check, no proxy: the firewall only routes.  pptp-linux on
# the client reaches pptpd on the server directly and 200 frames of 1 to
# 1400 bytes come back intact and in order; the server's PPP side saw the
# call start and end.  If this fails, the lab is broken, not pptpproxy.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_route
lab_pptpd
lab_drive c1 -n 200 -w 8 -t 60 198.51.100.2 ||
    fail "no echo through plain routing: the lab itself does not work"
i=0
while [ "$(pppecho_count s end)" -lt 1 ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
[ "$(pppecho_count s start)" -eq 1 ] || fail "pppecho did not start once"
[ "$(pppecho_count s end)" -eq 1 ] || fail "the call did not end on the server"
exit 0
