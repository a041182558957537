#!/bin/sh
# Two sessions tunnelled over TCP (UDP blocked in the middle network, as
# in t_tunnel_tcp) share one channel between A's forwarder and its
# control relay.  The relay is stopped (SIGSTOP) for 1 s while c1 sends
# a burst of 400 GRE packets of 1400 bytes on its call and c2 keeps
# echoing frames: the channel holds them all (it takes about 900 such
# packets; with the system's default buffer, 93: the forwarder dropped
# 313 of the burst), so the forwarder drops nothing (its SIGUSR1 count),
# c2 loses no frame, and what A dropped of c1's burst once the relay ran
# again its relay counted for session 1 alone.  (Frames c2 loses on a
# loaded machine outside the proxies, all of its packets having gone
# through both, are a note: tun_c2_wait.)
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
BURST=400
lab_tunnel_topology 2
nsx mid iptables -A FORWARD -p udp -j DROP || fail "iptables DROP udp"
lab_pptpd
tun_proxies
A_CTL=$(proxy_child control) || fail "no control relay in A"

cat >"$TMP/burst.py" <<'EOP'
# burst.py DEST CALLID N: N GRE packets of 1400 bytes of payload with the
# call's key, without S (acknowledgment-shaped: pptpd echoes nothing),
# 40 every 10 ms.
import socket, struct, sys, time
dest, cid, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pkt = struct.pack(">HHHH", 0x2001, 0x880b, 0, cid) + b"BURST-GRE" * 155 + \
    b"!" * 5
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
sent = 0
while sent < n:
    for i in range(min(40, n - sent)):
        s.sendto(pkt, (dest, 0))
        sent += 1
    time.sleep(0.01)
print("sent %d GRE packets of %d bytes" % (sent, len(pkt)))
EOP

# c1's call: 10 frames, a pause while the test bursts on it, 10 more;
# c2 (session 2): frames of 1..1400 bytes, 20 a second, 14 s.  c1 pauses
# up to 90 s: longer than c2 waits (54 s) for a frame lost around the
# proxies (tun_c2_wait).
tun_tcp_calls "-n 10 -w 4 -t 90" "-n 100 -k 14 -r 20 -w 8 -t 40"
tun_c2_base
sleep 1		# c2 echoes over TCP meanwhile
fwd0=$(tun_fwd_dropped)
[ -n "$fwd0" ] || fail "no forwarder drops in A's SIGUSR1 status"

kill -STOP "$A_CTL"
nsx c1 python3 "$TMP/burst.py" 192.0.2.1 "$C1_ID" $BURST >"$TMP/burst.out" 2>&1 ||
    { kill -CONT "$A_CTL"; cat "$TMP/burst.out"; fail "the burst did not run"; }
sleep 0.9
kill -CONT "$A_CTL"
cat "$TMP/burst.out"

tun_c2_wait "c2 lost frames while the relay was stopped"
fwd1=$(tun_fwd_dropped)
note "A's forwarder dropped $((fwd1 - fwd0)) packets while its relay was stopped"
[ $((fwd1 - fwd0)) -eq 0 ] ||
    fail "the forwarder dropped $((fwd1 - fwd0)) of a burst of $BURST"
# Of c1's burst the relay dropped what its 64 KiB queue for B could not
# take: session 1's count, not session 2's.
lab_wait_log "session 1: the control connection to 198.51.100.66:1723 does not keep up" 10 ||
    note "session 1 dropped nothing of the burst"
grep -q "session 2: .*does not keep up" "$PLOG" &&
    fail "A dropped GRE of c2's session"

# c1's call still echoes.
touch "$TMP/go"
wait $C1_PID || { cat "$TMP/c1.out"; fail "c1's call did not echo after the burst"; }
grep -q "protocol violation" "$PLOG" "$PLOG2" &&
    fail "a protocol violation on a control connection"
exit 0
