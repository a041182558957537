#!/bin/sh
# A tunnelling pptpproxy whose server is a plain PPTP server (pptpd, where
# B would be): A says so in its log, closes the client's connection, and
# the client gives up within its time limit; nothing hangs.
. "$(dirname "$0")/lib.sh"
lab_tunnel_topology 1
# pptpd listens where B would.
lab_pptpd fw2
tun_to_stranger 5 15 "plain pptpd"
lab_wait_log "server 198.51.100.66:1723 is not a tunnelling pptpproxy" 10 ||
    fail "A did not say that its server is not a tunnelling pptpproxy"
lab_wait_log "session 1: 192.0.2.10:[0-9]* .*(server 198.51.100.66:1723 is not a tunnelling pptpproxy" 10 ||
    fail "A did not close the client's session saying why"
grep "not a tunnelling" "$PLOG" | head -2
exit 0
