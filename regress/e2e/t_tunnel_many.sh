#!/bin/sh
# Three clients at once through one tunnelling pair of proxies, each in a
# session (and tunnel) of its own: every frame of each, up to 4000 bytes,
# echoes intact and in order.  The three tunnels reach B from one and the
# same UDP address and port (A's socket, behind the middle NAT): B tells
# them apart by their tokens alone, and the calls by the Call IDs it
# showed A.  (pptp-linux and pptpd draw their Call IDs themselves, so
# equal Call IDs on two calls cannot be forced with them.)
. "$(dirname "$0")/lib.sh"
lab_tunnel_topology 3
lab_pptpd
tun_proxies
pids=""
for c in 1 2 3; do
	lab_drive c$c -n 150 -w 8 -s 4000 -t 60 192.0.2.1 >"$TMP/c$c.out" 2>&1 &
	lab_track $!
	pids="$pids $!"
done
rc=0
for p in $pids; do
	wait "$p" || rc=1
done
cat "$TMP"/c?.out
[ $rc -eq 0 ] || fail "a client's frames did not all echo"
[ "$(log_count "tunnels the calls' GRE to UDP port" "$PLOG2")" -eq 3 ] ||
    fail "B did not see three tunnels"
sleep 1
peers=$(sed -n "s/.*tunnelled over UDP, peer \(198.51.100.65:[0-9]*\)$/\1/p" "$PLOG2" | sort -u)
[ "$(echo "$peers" | wc -w)" -eq 1 ] ||
    fail "the three tunnels did not share one UDP address on B: $peers"
[ "$(log_count "ended after.*tunnelled over UDP" "$PLOG2")" -eq 3 ] ||
    fail "B did not end three tunnelled sessions"
exit 0
