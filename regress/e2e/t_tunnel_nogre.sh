#!/bin/sh
# What the tunnel tests stand on: across lab_tunnel_topology's middle
# network, which masquerades and drops GRE, two pptpproxies that do not
# tunnel relay the control connection and the call comes up, but no
# frame comes back.
. "$(dirname "$0")/lib.sh"
lab_tunnel_topology 1
lab_pptpd
A_TUNNEL="" tun_proxies
lab_drive c1 -n 5 -t 8 192.0.2.1
rc=$?
[ "$rc" -eq 2 ] || fail "pptpdrive exit $rc, not 2 (no frame back): GRE crossed the middle network"
lab_wait_log "call 1 up" 5 || fail "the call did not come up on A: the control connection did not pass"
lab_wait_log "call 1 up" 5 "$PLOG2" || fail "the call did not come up on B"
exit 0
