#!/bin/sh
# Two clients, each on a host of its own, use the same Call ID through a
# tunnelling pair of proxies (lab_tunnel_topology: the middle network
# masquerades and drops GRE, as t_tunnel_nogre shows).  Both pptp-linux
# clients are made to draw one number (lab_drive_callid); a capture on
# A's inside shows that both requested their call with it.  A shows B a
# Call ID of its own for each (two different ones, as B logs them), B
# shows the server two more (a capture on the server's side: different,
# every control message agreeing), the calls' GRE crosses the middle in
# UDP datagrams, and both clients, their calls up at once, echoing for
# 8 s at 1000 frames a second each (at least 4500 frames, which take in
# all 3601 sizes pptpdrive -s 4000 makes between 1 and 4000 bytes), get
# every frame back intact and in order.  A proxy that kept the client's
# Call ID towards B, or keyed the calls' GRE or tunnel datagrams by it,
# would give both calls one key.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
cid=$(callid_pick)
lab_tunnel_topology 2
nsx mid iptables -C FORWARD -p 47 -j DROP ||
    fail "the middle network does not drop GRE"
# Count (no target) the datagrams to B's UDP port that cross the middle.
nsx mid iptables -I FORWARD -p udp -d 198.51.100.66 --dport 1723 ||
    fail "iptables: cannot count the tunnel's datagrams"
lab_pptpd
callid_captures
tun_proxies
callid_clients "$cid"
# While both calls are up, both proxies have two tunnels up.
lab_wait_count "call 1 up" 2 10 "$PLOG2"
sleep 1
st=$(tun_status "$PLOG" "$A_PID")
echo "A: ${st#*gre: }"
echo "$st" | grep -q "tunnels: 2 up" || fail "A has not two tunnels up"
st=$(tun_status "$PLOG2" "$B_PID")
echo "B: ${st#*gre: }"
echo "$st" | grep -q "tunnels: 2 up" || fail "B has not two tunnels up"
callid_clients_wait
for f in "$PLOG" "$PLOG2"; do
	grep "call [0-9]* up: .*(shown" "$f" |
	    sed "s/^.*control: /$(basename "$f"): /"
done
callid_clients_sent "$cid"
# What A showed B, B got: two Call IDs, different.
a=$(sed -n 's/.*call [0-9]* up: .*(shown to the server as \([0-9]*\)).*/\1/p' \
    "$PLOG" | sort -n)
b=$(sed -n 's/.*call [0-9]* up: client Call ID \([0-9]*\) .*/\1/p' \
    "$PLOG2" | sort -n)
[ "$(echo "$a" | sort -u | wc -l)" -eq 2 ] ||
    fail "A showed B one Call ID for both calls: $a"
[ "$a" = "$b" ] || fail "A showed B Call IDs" $a "but B got" $b
callid_shown "$TMP/s.pcap" "$PLOG2" 2
echo "A showed B Call IDs" $a "B showed the server $SHOWN"
calls_overlap "$PLOG" 2
calls_overlap "$PLOG2" 2
# The GRE went in UDP, across the middle: both sessions tunnelled, no
# fallback to TCP, a datagram at least per frame of each client.
[ "$(log_count "tunnel to 198.51.100.66:1723 agreed")" -eq 2 ] ||
    fail "A did not agree two tunnels with B"
[ "$(log_count "tunnels the calls' GRE to UDP port 1723" "$PLOG2")" -eq 2 ] ||
    fail "B did not log two tunnels"
grep -q "switching to TCP" "$PLOG" "$PLOG2" && fail "a tunnel fell back to TCP"
ended="ended after.*tunnelled over UDP, peer 198.51.100.65:"
lab_wait_count "$ended" 2 10 "$PLOG2"
[ "$(log_count "$ended" "$PLOG2")" -eq 2 ] ||
    fail "B did not end two sessions tunnelled over UDP from the middle"
rule='^-A FORWARD -d 198\.51\.100\.66\/32 -p udp .*--dport 1723'
dg=$(nsx mid iptables -S FORWARD -v |
    sed -n "s/$rule -c \([0-9]*\) .*/\1/p")
echo "datagrams to B's UDP port across the middle: $dg"
[ -n "$dg" ] && [ "$dg" -ge 9000 ] ||
    fail "${dg:-no} datagrams to B's UDP port crossed the middle, not" \
	"one a frame (9000 at least)"
[ $CALLID_RC -eq 0 ] ||
    fail "a client with Call ID $cid did not get every frame back in order"
exit 0
