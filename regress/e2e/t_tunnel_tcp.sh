#!/bin/sh
# The middle network drops UDP as well as GRE: after no UDP answer for a
# few seconds A switches by itself to carrying the calls' GRE inside the
# TCP control connection, logs it, B follows, and frames of every size
# up to 4000 bytes echo intact and in order.
. "$(dirname "$0")/lib.sh"
lab_tunnel_topology 1
nsx mid iptables -A FORWARD -p udp -j DROP || fail "iptables DROP udp"
lab_pptpd
tun_proxies
lab_drive c1 -n 300 -w 8 -s 4000 -t 60 192.0.2.1 ||
    fail "frames did not echo through the TCP fallback"
lab_wait_log "session 1: no UDP answer from the peer: switching to TCP" 5 ||
    fail "A did not log its switch to TCP"
lab_wait_log "session 1: the peer found no UDP way back: the calls' GRE goes inside the control connection" 5 "$PLOG2" ||
    fail "B did not log the switch"
lab_wait_log "ended after.*tunnelled over TCP" 10 ||
    fail "A's session end does not say tunnelled over TCP"
lab_wait_log "ended after.*tunnelled over TCP" 10 "$PLOG2" ||
    fail "B's session end does not say tunnelled over TCP"
exit 0
