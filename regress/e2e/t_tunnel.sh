#!/bin/sh
# Two pptpproxies tunnel the calls' GRE in UDP across a NAT that drops
# GRE (lab_tunnel_topology): frames of every size up to 4000 bytes (what
# pptp-linux takes) echo intact and in order; both proxies log the
# tunnel, over UDP, and B the peer's (masqueraded) address.
. "$(dirname "$0")/lib.sh"
lab_tunnel_topology 1
lab_pptpd
tun_proxies
lab_drive c1 -n 300 -w 8 -s 4000 -t 60 192.0.2.1 ||
    fail "frames did not echo through the tunnel"
lab_wait_log "tunnel to 198.51.100.66:1723 agreed" 5 ||
    fail "A did not log the tunnel"
lab_wait_log "198.51.100.65:[0-9]* tunnels the calls' GRE to UDP port 1723" 5 "$PLOG2" ||
    fail "B did not log the tunnel"
lab_wait_log "ended after.*tunnelled over UDP, peer 198.51.100.66:1723" 10 ||
    fail "A's session end does not say tunnelled over UDP"
lab_wait_log "ended after.*tunnelled over UDP, peer 198.51.100.65:[0-9]" 10 "$PLOG2" ||
    fail "B's session end does not say tunnelled over UDP from mid's address"
grep -q "switching to TCP" "$PLOG" && fail "A fell back to TCP"
exit 0
