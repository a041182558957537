#!/bin/sh
# The TCP fallback of a tunnel cannot keep up: UDP is blocked in the
# middle network (as in t_tunnel_tcp) and its link towards B carries 2
# Mbit/s (tc tbf), while c1 floods its own call with GRE at about 11
# Mbit/s for 10 s (1000 packets a second of 1400 bytes, from c1's
# address with the Call ID A showed it; without the S flag, so that pptpd
# takes them as acknowledgments and never echoes them).  A's control
# relay queues a packet for B's connection only while at most 64 KiB
# waits, and drops the rest, whole packets, counted:
#   - the queue A reports for the session (pptpproxyctl show session -j,
#     sampled while it floods) stays within 64 KiB, a packet and a
#     control message, and was in use; the relay's resident memory grows
#     by less than 1 MiB (an unbounded queue would hold megabytes);
#   - by value: every packet A's forwarder took for the call during the
#     flood reached pptpd through B or was counted as dropped by A or B,
#     most were dropped by A, and A's metrics, show session and the
#     session's end line give A's count;
#   - one log line says that the connection does not keep up, however
#     many packets are dropped;
#   - the kernel holds at most 192 KiB for B's connection (Send-Q: sent
#     and unacknowledged or not sent; TCP_NOTSENT_LOWAT), so that the
#     backlog waits in the relay's queue, which drops;
# meanwhile a second client (c2), tunnelled over TCP through the same
# link, echoes every frame.  Then, c2 done, a second flood of 5 s while
# the relay is stopped for 2.5 s (SIGSTOP: 2500 packets, the socket pair
# takes about 900; 1.5 s once left nothing to drop on a loaded machine,
# the flood or the forwarder behind for a moment): the forwarder drops
# what its channel to the relay does not take, its status counts them,
# it tells the relay, and the counts still add up.  Nothing is wedged or cut:
# after the floods the same call echoes 30 frames intact and in order.
. "$(dirname "$0")/lib.sh"
tun_full_lab MID_OUT
A_CTL=$(proxy_child control) || fail "no control relay in A"

# c1's call: 30 frames, a pause while the test floods it, 30 frames more;
# c2 (session 2) echoes 24 s.
tun_tcp_calls "-n 30 -w 4 -t 90" "-n 100 -k 24 -r 20 -w 4 -t 40"
sleep 1.5	# the acknowledgments of c1's last frames are through
tun_ctl "$CTLSOCK" -j show session 1 >"$TMP/a0.json"
tun_ctl "$BSOCK" -j show session 1 >"$TMP/b0.json"
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$A_CTL/status")

# The first flood.  Meanwhile: the queue A reports for B's connection,
# and the relay's resident memory.
tun_flood c1 192.0.2.1 "$C1_ID" "$FLOOD"
# What the kernel holds for B, sent or not: the largest Send-Q of
# A's connections to B (session 1's).
tun_flood_watch A "$CTLSOCK" "$A_CTL" fw 198.51.100.66
tun_flood_wait
tun_flood_bounds A B
tun_settle "$CTLSOCK" "A's queue for B" "$TMP/a1.json" "$TMP/b1.json"
tun_account A "$TMP/a0.json" "$TMP/b0.json" "$TMP/a1.json" "$TMP/b1.json" "$SENT"
drop_a=$(tun_dropped "$TMP/a1.json" to_server)
tun_ctl "$CTLSOCK" show metrics >"$TMP/metrics"
grep -q "^pptpproxy_tunnel_gre_dropped_total{proxy=\"a\",direction=\"to_server\"} $drop_a\$" "$TMP/metrics" ||
    { grep tunnel "$TMP/metrics"; fail "A's metrics do not count the $drop_a drops (c2's session dropped nothing)"; }
tun_ctl "$CTLSOCK" show session 1 >"$TMP/a1.txt"
grep -q "^  tunnel queue   0 bytes for the peer; GRE dropped (TCP not keeping up): 0 to the client, $drop_a to the server\$" "$TMP/a1.txt" ||
    { cat "$TMP/a1.txt"; fail "A's show session 1 does not say what was dropped"; }
n=$(log_count "session 1: the control connection to 198.51.100.66:1723 does not keep up with the calls' GRE: packets dropped, 0 to the client and [1-9][0-9]* to the server so far")
[ "$n" -eq 1 ] || fail "$n lines on session 1 dropping GRE, not one"
wait $C2_PID || { cat "$TMP/c2.out"; fail "c2 lost frames while c1 flooded"; }
cat "$TMP/c2.out"

# The second flood, the relay stopped for 2.5 s of it.
fwd0=$(tun_fwd_dropped)
[ -n "$fwd0" ] || fail "no forwarder drops in A's SIGUSR1 status"
tun_ctl "$CTLSOCK" -j show session 1 >"$TMP/a2.json"
tun_ctl "$BSOCK" -j show session 1 >"$TMP/b2.json"
tun_flood_stopped c1 192.0.2.1 "$C1_ID" "$A_CTL"
tun_settle "$CTLSOCK" "A's queue for B" "$TMP/a3.json" "$TMP/b3.json"
tun_account A "$TMP/a2.json" "$TMP/b2.json" "$TMP/a3.json" "$TMP/b3.json" "$SENT"
fwd1=$(tun_fwd_dropped)
drop_a=$(tun_dropped "$TMP/a3.json" to_server)
d=$((drop_a - $(tun_dropped "$TMP/a2.json" to_server)))
note "of the $d A dropped, the forwarder $((fwd1 - fwd0)) (its channel to the relay full)"
[ $((fwd1 - fwd0)) -gt 0 ] ||
    fail "the forwarder dropped nothing while the relay was stopped"
[ $((fwd1 - fwd0)) -le $d ] ||
    fail "the forwarder dropped $((fwd1 - fwd0)), the session counts $d in all"
[ "$(log_count "does not keep up")" -eq 1 ] ||
    fail "more than one line on dropping GRE"

# The same call still echoes: nothing wedged, no record cut on B's way.
touch "$TMP/go"
wait $C1_PID || { cat "$TMP/c1.out"; fail "c1's call did not echo after the floods"; }
cat "$TMP/c1.out"
lab_wait_log "session 1: .*ended after.*tunnelled over TCP, peer 198.51.100.66:1723, GRE dropped (TCP not keeping up): 0 to the client, $drop_a to the server$" 10 ||
    fail "A's end of session 1 does not count the drops"
grep "session 2: .*ended after" "$PLOG" | grep -q "GRE dropped" &&
    fail "A dropped GRE of c2's session"
grep -q "protocol violation" "$PLOG" "$PLOG2" &&
    fail "a protocol violation on a control connection"
exit 0
