#!/bin/sh
# t_tunnel_tcp_full the other way: the server side floods.  UDP is
# blocked in the middle network (as in t_tunnel_tcp) and its link towards
# A carries 2 Mbit/s (tc tbf), while the server host floods c1's call
# with GRE at about 11 Mbit/s for 10 s (1000 packets a second of 1400
# bytes, from pptpd's address to B with the Call ID B showed pptpd for
# c1's call; without the S flag, so that pptp-linux takes them as
# acknowledgments and never answers them).  B's control relay queues a
# packet for A's connection only while at most 64 KiB waits, and drops
# the rest, whole packets, counted as dropped towards the client:
#   - the queue B reports for the session (pptpproxyctl show session -j,
#     sampled while it floods) stays within 64 KiB, a packet and a
#     control message, and was in use; B's relay grows by less than 1 MiB;
#   - by value: every packet B's forwarder took for the call during the
#     flood reached c1 through A or was counted as dropped by B or A,
#     most were dropped by B, all towards the client, none towards the
#     server; B's metrics, show session and the session's end line give
#     B's count, towards the client;
#   - one line in B's log says that the connection does not keep up;
#   - B's kernel holds at most 192 KiB for A's connection (Send-Q);
# meanwhile a second client (c2), tunnelled over TCP through the same
# link, echoes every frame (or, on a loaded machine, loses frames
# outside the proxies only, all of its packets having gone through both:
# tun_c2_wait).  Then, c2 done, a second flood of 5 s while
# B's relay is stopped for 2.5 s (SIGSTOP: 2500 packets, the socket pair
# takes about 900, with room to spare on a loaded machine where the flood
# or the forwarder fall behind for a moment): B's forwarder drops what its
# channel to the relay does not take, its status counts them, it tells
# the relay, and the counts still add up, towards the client.  Nothing is
# wedged or cut: after the floods the same call echoes 30 frames intact
# and in order.
. "$(dirname "$0")/lib.sh"
tun_full_lab MID_IN
B_CTL=$(PROXY_PID=$B_PID; proxy_child control) ||
    fail "no control relay in B"

# c1's call: 30 frames, a pause while the test floods it, 30 frames more;
# c2 (session 2) echoes 24 s.  c1 pauses up to 120 s: c2 may wait 64 s
# for a frame lost around the proxies (tun_c2_wait) before the second
# flood.
tun_tcp_calls "-n 30 -w 4 -t 120" "-n 100 -k 24 -r 20 -w 4 -t 40"
# The Call ID B showed pptpd for c1's call: the key of pptpd's GRE to it.
S1_ID=$(sed -n 's/.*session 1: call 1 up: client Call ID [0-9]* (shown to the server as \([0-9]*\)).*/\1/p' "$PLOG2" | head -n 1)
[ -n "$S1_ID" ] || fail "no Call ID shown to pptpd in B's log"
sleep 1.5	# the acknowledgments of c1's last frames are through
tun_c2_base
tun_ctl "$CTLSOCK" -j show session 1 >"$TMP/a0.json"
tun_ctl "$BSOCK" -j show session 1 >"$TMP/b0.json"
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$B_CTL/status")

# The first flood.  Meanwhile: the queue B reports for A's connection,
# and B's relay's resident memory.
tun_flood s 198.51.100.1 "$S1_ID" "$FLOOD"
# What the kernel holds for A, sent or not: the largest Send-Q of
# B's connections from A (masqueraded by mid).
tun_flood_watch B "$BSOCK" "$B_CTL" fw2 198.51.100.65
tun_flood_wait
tun_flood_bounds B A
tun_settle "$BSOCK" "B's queue for A" "$TMP/a1.json" "$TMP/b1.json"
tun_account B "$TMP/a0.json" "$TMP/b0.json" "$TMP/a1.json" "$TMP/b1.json" "$SENT"
drop_b=$(tun_dropped "$TMP/b1.json" to_client)
tun_ctl "$BSOCK" show metrics >"$TMP/metrics"
grep -q "^pptpproxy_tunnel_gre_dropped_total{proxy=\"b\",direction=\"to_client\"} $drop_b\$" "$TMP/metrics" &&
    grep -q "^pptpproxy_tunnel_gre_dropped_total{proxy=\"b\",direction=\"to_server\"} 0\$" "$TMP/metrics" ||
    { grep tunnel "$TMP/metrics"; fail "B's metrics do not count the $drop_b drops towards the client (c2's session dropped nothing)"; }
tun_ctl "$BSOCK" show session 1 >"$TMP/b1.txt"
grep -q "^  tunnel queue   0 bytes for the peer; GRE dropped (TCP not keeping up): $drop_b to the client, 0 to the server\$" "$TMP/b1.txt" ||
    { cat "$TMP/b1.txt"; fail "B's show session 1 does not say what was dropped"; }
n=$(log_count "session 1: the control connection to 198.51.100.65:[0-9]* does not keep up with the calls' GRE: packets dropped, [1-9][0-9]* to the client and 0 to the server so far" "$PLOG2")
[ "$n" -eq 1 ] || fail "$n lines in B's log on session 1 dropping GRE, not one"
[ "$(log_count "does not keep up")" -eq 0 ] ||
    fail "A says it drops GRE: the flood came from B's side"
tun_c2_wait "c2 lost frames while pptpd's side flooded c1's call"

# The second flood, B's relay stopped for 2.5 s of it.
fwd0=$(tun_fwd_dropped "$PLOG2" "$B_PID")
[ -n "$fwd0" ] || fail "no forwarder drops in B's SIGUSR1 status"
tun_ctl "$CTLSOCK" -j show session 1 >"$TMP/a2.json"
tun_ctl "$BSOCK" -j show session 1 >"$TMP/b2.json"
tun_flood_stopped s 198.51.100.1 "$S1_ID" "$B_CTL"
tun_settle "$BSOCK" "B's queue for A" "$TMP/a3.json" "$TMP/b3.json"
tun_account B "$TMP/a2.json" "$TMP/b2.json" "$TMP/a3.json" "$TMP/b3.json" "$SENT"
fwd1=$(tun_fwd_dropped "$PLOG2" "$B_PID")
drop_b=$(tun_dropped "$TMP/b3.json" to_client)
d=$((drop_b - $(tun_dropped "$TMP/b2.json" to_client)))
note "of the $d B dropped, its forwarder $((fwd1 - fwd0)) (its channel to the relay full)"
[ $((fwd1 - fwd0)) -gt 0 ] ||
    fail "B's forwarder dropped nothing while B's relay was stopped"
[ $((fwd1 - fwd0)) -le $d ] ||
    fail "B's forwarder dropped $((fwd1 - fwd0)), the session counts $d towards the client"
# One line a minute at most: a second one when c2 waited out a frame
# lost around the proxies (tun_c2_wait) and the floods came a minute apart.
n=$(log_count "does not keep up" "$PLOG2")
t0=$(grep "does not keep up" "$PLOG2" | head -n 1 | cut -c1-19)
t1=$(grep "does not keep up" "$PLOG2" | tail -n 1 | cut -c1-19)
[ "$n" -eq 1 ] || { [ "$n" -eq 2 ] &&
    [ $(($(date -d "$t1" +%s) - $(date -d "$t0" +%s))) -ge 59 ]; } ||
    fail "more than one line in B's log on dropping GRE within a minute"

# The same call still echoes: nothing wedged, no record cut on A's way.
touch "$TMP/go"
wait $C1_PID || { cat "$TMP/c1.out"; fail "c1's call did not echo after the floods"; }
cat "$TMP/c1.out"
lab_wait_log "session 1: .*ended after.*tunnelled over TCP, peer .*, GRE dropped (TCP not keeping up): $drop_b to the client, 0 to the server$" 10 "$PLOG2" ||
    fail "B's end of session 1 does not count the drops towards the client"
grep "session 2: .*ended after" "$PLOG2" | grep -q "GRE dropped" &&
    fail "B dropped GRE of c2's session"
grep -q "protocol violation" "$PLOG" "$PLOG2" &&
    fail "a protocol violation on a control connection"
exit 0
