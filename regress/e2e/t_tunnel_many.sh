#!/bin/sh
# Three clients at once (8 s of frames each, overlapping) through one
# tunnelling pair of proxies, each in a
# session (and tunnel) of its own: every frame of each, up to 4000 bytes,
# echoes intact and in order.  The three tunnels reach B from one and the
# same UDP address and port (A's socket, behind the middle NAT): B tells
# them apart by their tokens alone, and the calls by the Call IDs it
# showed A; no datagram is dropped on either side, and every call
# echoes from its start.  (Two clients with one Call ID: t_tunnel_samecid.)
. "$(dirname "$0")/lib.sh"
lab_tunnel_topology 3
lab_pptpd
tun_proxies
pids=""
for c in 1 2 3; do
	lab_drive c$c -n 100 -k 8 -r 25 -w 4 -s 4000 -t 60 192.0.2.1 >"$TMP/c$c.out" 2>&1 &
	lab_track $!
	pids="$pids $!"
done
# While the three calls are up (their first packets may come before a
# route is in, as on the plain path, and teardown leaves a few strays),
# nothing is dropped on the way: no datagram of one session's calls
# under another's token, none with an unknown token, either way.
lab_wait_count "call 1 up" 3 10 "$PLOG2"
sleep 1
drops() {
	tun_status "$1" "$2" | sed 's/.*datagrams dropped: //'
}
a0=$(drops "$PLOG" "$A_PID")
b0=$(drops "$PLOG2" "$B_PID")
sleep 3
a1=$(drops "$PLOG" "$A_PID")
b1=$(drops "$PLOG2" "$B_PID")
[ "$a0" = "$a1" ] || fail "A dropped datagrams while the calls were up: $a0 -> $a1"
[ "$b0" = "$b1" ] || fail "B dropped datagrams while the calls were up: $b0 -> $b1"
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
# Each call echoed from its start, not after another's ended.
for c in 1 2 3; do
	up=$(sed -n 's/.*tunnel up after \([0-9]*\)\..*/\1/p' "$TMP/c$c.out")
	[ -n "$up" ] && [ "$up" -lt 5 ] ||
	    fail "client c$c's call carried its first frame after ${up:-?} s"
done
exit 0
