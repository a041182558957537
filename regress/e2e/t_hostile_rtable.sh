#!/bin/sh
# A compromised control relay writes routes straight into the route
# table it shares with the GRE forwarder (build/tools/hostile rtable,
# through the relay's own mapping): one the configuration allows (client
# 192.0.2.10 to the server), so that the tool is seen to write what the
# forwarder reads: GRE with its key reaches the server, rewritten; then
# routes to foreign addresses that are reachable from the firewall (a
# second address in the server's network, one on the client's host
# outside the proxy's subnets): GRE with their keys reaches neither (no
# packet in a capture in either namespace), the forwarder says it
# refused them and why, and a real call goes through after.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
N=50
lab_topology 1
lab_pptpd
ip -n "$(ns s)" addr add 198.51.100.99/24 dev "$LINK_B" ||
    fail "second address in the server's network"
ip -n "$(ns c1)" addr add 203.0.113.7/32 dev "$CLIENT_IF" ||
    fail "a foreign address on the client's host"
ip -n "$(ns fw)" route add 203.0.113.7/32 dev br0 ||
    fail "route to the foreign address on the client's side"
lab_tcpdump s "$TMP/s.pcap" inbound and ip proto 47
S_TCPDUMP=$TCPDUMP_PID
lab_tcpdump c1 "$TMP/c1.pcap" inbound and ip proto 47
C_TCPDUMP=$TCPDUMP_PID
hostile_start

# gre.py SRC-BIND DEST KEY COUNT MARK: COUNT GRE packets with key KEY.
cat >"$TMP/gre.py" <<'EOP'
import socket, struct, sys, time
src, dest, key, count, mark = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
ppp = b"\xff\x03\x00\x21" + mark.encode() + bytes(32)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
s.bind((src, 0))
for i in range(count):
    s.sendto(struct.pack(">HHHHI", 0x3001, 0x880b, len(ppp), key, i + 1) + ppp, (dest, 0))
    time.sleep(0.002)
EOP

# What reached a namespace: packets with MARK in the capture.
marked() {
	tcpdump -r "$TMP/$1.pcap" -n -A 2>/dev/null | grep -c "$2"
}

# Allowed: the tool's entry is what the forwarder reads.
hostile control rtable 5001 192.0.2.10 198.51.100.2 198.51.100.1 \
    192.0.2.1 777 1 1 || fail "could not write the allowed route"
nsx c1 python3 "$TMP/gre.py" 192.0.2.10 192.0.2.1 5001 $N ALLOWED-ROUTE ||
    fail "cannot send GRE from the client"

# Foreign: an address in the server's network that is not the server.
hostile control rtable 5002 192.0.2.10 198.51.100.99 198.51.100.1 \
    192.0.2.1 778 1 1 || fail "could not write the route to 198.51.100.99"
nsx c1 python3 "$TMP/gre.py" 192.0.2.10 192.0.2.1 5002 $N FOREIGN-SERVER ||
    fail "cannot send GRE from the client"
# Foreign: towards a client outside the proxy's subnets, from the server.
hostile control rtable 5003 198.51.100.2 203.0.113.7 192.0.2.1 \
    198.51.100.1 779 0 1 || fail "could not write the route to 203.0.113.7"
nsx s python3 "$TMP/gre.py" 198.51.100.2 198.51.100.1 5003 $N FOREIGN-CLIENT ||
    fail "cannot send GRE from the server"
sleep 1
TCPDUMP_PID=$S_TCPDUMP lab_tcpdump_stop
TCPDUMP_PID=$C_TCPDUMP lab_tcpdump_stop

a=$(marked s ALLOWED-ROUTE)
to=$(tcpdump -r "$TMP/s.pcap" -n 2>/dev/null | grep -c "> 198.51.100.2: GREv1, call 777,")
echo "allowed route: $a of $N marked packets reached the server, $to with call 777"
[ "$a" -eq $N ] && [ "$to" -ge $N ] ||
    fail "the allowed route written by the tool did not carry GRE to the server"
f=$(marked s FOREIGN-SERVER)
g=$(marked c1 FOREIGN-CLIENT)
echo "foreign routes: $f packets reached 198.51.100.99, $g reached 203.0.113.7"
[ "$f" -eq 0 ] || fail "$f packets forwarded to 198.51.100.99"
[ "$g" -eq 0 ] || fail "$g packets forwarded to 203.0.113.7"
grep -q "route of Call ID 5002 .* refused: 198.51.100.99 is not the server of proxy 1" "$PLOG" ||
    fail "no line saying the route to 198.51.100.99 was refused"
grep -q "route of Call ID 5003 .* refused: client 203.0.113.7 is not one proxy 1 accepts" "$PLOG" ||
    fail "no line saying the route to 203.0.113.7 was refused"
kill -USR1 "$PROXY_PID"
lab_wait_log "gre: .*routes refused" 5 || fail "no GRE counters on SIGUSR1"
r=$(grep "gre: .*routes refused" "$PLOG" | tail -n 1 |
    sed -n 's/.* \([0-9]*\) routes refused.*/\1/p')
[ "${r:-0}" -eq 2 ] || fail "$r routes refused counted, not 2"

lab_drive c1 -k 2 -t 20 192.0.2.1 >"$TMP/drive.out" 2>&1 ||
    { cat "$TMP/drive.out"; fail "no call through after the tool's routes"; }
kill -0 "$PROXY_PID" 2>/dev/null || fail "the proxy ended"
exit 0
