#!/bin/sh
# NAT rebinding: mid-call the middle network's NAT forgets its mappings
# (conntrack -F) and from then on maps A's UDP to another port (40000 to
# 40100).  B learns A's new address from the next datagram that carries
# the session's token and the call carries on: every frame echoes.
. "$(dirname "$0")/lib.sh"
command -v conntrack >/dev/null 2>&1 || skip "no conntrack(8)"
lab_tunnel_topology 1
lab_pptpd
tun_proxies "tunnel keepalive 2"
# One frame in flight at a time, a few a second: a frame is lost only if
# it is in flight at the very moment of the flush.
lab_drive c1 -n 20 -k 12 -w 1 -r 4 -t 30 192.0.2.1 >"$TMP/c1.out" 2>&1 &
p=$!
lab_track $p
lab_wait_log "call 1 up" 10 "$PLOG2" || fail "no call on B"
sleep 3
old=$(sed -n 's/.*tunnel.s peer is at \(198.51.100.65:[0-9]*\) now.*/\1/p' "$PLOG2" | tail -1)
nsx mid iptables -t nat -I POSTROUTING 1 -o "$MID_OUT" -p udp \
    -j MASQUERADE --to-ports 40000-40100 || fail "iptables port range"
nsx mid conntrack -F >/dev/null 2>&1 || fail "conntrack -F"
t0=$(date +%s)
lab_wait_log "tunnel's peer is at 198.51.100.65:400[0-9][0-9] now" 3 "$PLOG2" ||
    lab_wait_log "tunnel's peer is at 198.51.100.65:40100 now" 1 "$PLOG2" ||
    fail "B did not learn A's new port within one keepalive interval (2 s)"
note "A's UDP was $old, is $(sed -n 's/.*tunnel.s peer is at \(198.51.100.65:[0-9]*\) now.*/\1/p' "$PLOG2" | tail -1) after $(( $(date +%s) - t0 )) s"
wait $p
rc=$?
cat "$TMP/c1.out"
[ $rc -eq 0 ] || fail "the call did not carry on after the NAT rebinding"
exit 0
