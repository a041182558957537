#!/bin/sh
# Spoofed tunnel datagrams to B's UDP port, from a host that is neither
# A nor the NAT in front of it (x, beside B), each carrying a GRE packet
# with the live call's Call ID and a marker: 5 with a wrong token while
# the call is up, 5 with the live token (as seen on the path) but a Call
# ID not of its session (which must not move B's peer to x either), then, once the session has ended, 5 with its (stale)
# token and 5 cut short.  None reaches the server (a capture there has no
# marker), the call echoes every frame, and B's counters grow by exactly
# 10 unknown tokens, 5 not a call of the token's session and 5 malformed.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_tunnel_topology 1
lab_ns x
lab_link x 203.0.113.130/26 fw2 203.0.113.129/26
ip -n "$(ns x)" route add default via 203.0.113.129
lab_pptpd
tun_proxies
lab_tcpdump mid "$TMP/mid.pcap" udp port 1723
MID_TCPDUMP=$TCPDUMP_PID
lab_tcpdump s "$TMP/s.pcap" proto 47
S_TCPDUMP=$TCPDUMP_PID
lab_drive c1 -n 40 -k 8 -w 1 -r 10 -t 30 192.0.2.1 >"$TMP/c1.out" 2>&1 &
p=$!
lab_track $p
lab_wait_log "call 1 up" 10 "$PLOG2" || fail "no call on B"
sleep 2
# A datagram from A to B: its token (bytes 8..15) and GRE key (22..23).
TCPDUMP_PID=$MID_TCPDUMP
dg=""
i=0
while [ -z "$dg" ] && [ $i -lt 20 ]; do
	dg=$(python3 - "$TMP/mid.pcap" <<'EOP'
# The first UDP payload to port 1723 longer than 32 bytes, in hex.
import struct, sys
d = open(sys.argv[1], "rb").read()
if len(d) < 24:
    sys.exit(0)
le = d[:4] == b"\xd4\xc3\xb2\xa1"
e = "<" if le else ">"
link = struct.unpack(e + "I", d[20:24])[0]
skip = {113: 16, 276: 20, 1: 14}.get(link, 0)
off = 24
while off + 16 <= len(d):
    incl = struct.unpack(e + "I", d[off + 8:off + 12])[0]
    pkt = d[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = pkt[skip:]
    if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
        continue
    ihl = (ip[0] & 15) * 4
    udp = ip[ihl:]
    if len(udp) < 8 + 33 or struct.unpack(">H", udp[2:4])[0] != 1723:
        continue
    print(udp[8:].hex())
    break
EOP
)
	[ -n "$dg" ] || sleep 0.5
	i=$((i + 1))
done
[ -n "$dg" ] || fail "no tunnel datagram captured between A and B"
token=$(echo "$dg" | cut -c17-32)
key=$(echo "$dg" | cut -c45-48)
note "live token $token, Call ID 0x$key"
before=$(tun_status "$PLOG2" "$B_PID")
# spoof KIND COUNT: datagrams from x to B's UDP port.
spoof() {
	nsx x python3 - "$1" "$2" "$token" "$key" <<'EOP'
import socket, sys, os
kind, n, token, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
if kind == "wrong":
    tok = os.urandom(8)
elif kind == "notcall":
    tok = bytes.fromhex(token)
    key = "%04x" % ((int(key, 16) + 1) % 65536)
else:
    tok = bytes.fromhex(token)
gre = bytes.fromhex("3001880b") + (64).to_bytes(2, "big") + \
    bytes.fromhex(key) + (1).to_bytes(4, "big") + b"SPOOFMARK" * 7 + b"!"
dg = b"PT\x01\x01" + b"\0" * 4 + tok + gre
if kind == "short":
    dg = dg[:10]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    s.sendto(dg, ("198.51.100.66", 1723))
EOP
}
spoof wrong 5
spoof notcall 5
wait $p || { cat "$TMP/c1.out"; fail "the call did not echo every frame"; }
lab_wait_log "ended after.*tunnelled over UDP" 10 "$PLOG2" || fail "B's session did not end"
spoof stale 5
spoof short 5
sleep 1
after=$(tun_status "$PLOG2" "$B_PID")
TCPDUMP_PID=$S_TCPDUMP
lab_tcpdump_stop
nmark=$(grep -c SPOOFMARK "$TMP/s.pcap")
[ "$nmark" -eq 0 ] || fail "$nmark spoofed GRE packets reached the server"
# tunnels: N up, ... dropped: M malformed, T unknown token, W not a call ...
field() {
	echo "$1" | sed -n "s/.* \([0-9]*\) $2.*/\1/p"
}
db=$(( $(field "$after" malformed) - $(field "$before" malformed) ))
dt=$(( $(field "$after" "unknown token") - $(field "$before" "unknown token") ))
dw=$(( $(field "$after" "not a call") - $(field "$before" "not a call") ))
note "before: $before"
note "after: $after"
[ "$dt" -eq 10 ] || fail "B counted $dt datagrams with an unknown token, not 10"
[ "$dw" -eq 5 ] || fail "B counted $dw datagrams not of the token's calls, not 5"
grep -q "peer is at 203.0.113.130" "$PLOG2" && fail "B moved the tunnel to the spoofing host"
[ "$db" -eq 5 ] || fail "B counted $db malformed datagrams, not 5"
exit 0
