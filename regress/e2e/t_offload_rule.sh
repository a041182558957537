#!/bin/sh
# gre offload: the kernel's rule forwards only what the user-space
# forwarder would (gre_check() in pptp.c).  While a call's GRE goes
# through the kernel, the client's host sends packets with the call's
# key, from its own address to the proxy's, that break one rule: no S
# flag (an acknowledgement alone) yet a payload length that is not 0.
# The kernel must leave them to the user-space forwarder, which drops and
# counts them as malformed (every one: the kernel took none), none
# reaches the server (capture in its namespace); the call's frames still
# echo.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
N=300
lab_topology 1
lab_pptpd
lab_tcpdump s "$TMP/s.pcap" inbound and ip proto 47
S_TCPDUMP=$TCPDUMP_PID
offload_proxy 1
lab_wait_log "gre offload: the kernel forwards" 5 ||
    fail "no start-up line saying the kernel forwards GRE"

lab_drive c1 -k 6 -w 4 -t 40 192.0.2.1 >"$TMP/drive.out" 2>&1 &
drv=$!
lab_track $drv
lab_wait_log "call 1 up" 15 || fail "no call up"
id=$(sed -n 's/.*call 1 up: .*(shown to the client as \([0-9]*\)).*/\1/p' "$PLOG" | head -n 1)
[ -n "$id" ] || fail "no Call ID shown to the client in the log"
# The routes are in the kernel once both directions' elements are there.
i=0
while [ $i -lt 50 ]; do
	nsx fw nft list set ip pptpproxy peers >"$TMP/peers" 2>&1
	[ "$(grep -c "counter packets" "$TMP/peers")" -eq 2 ] && break
	sleep 0.1; i=$((i + 1))
done
[ $i -lt 50 ] || { cat "$TMP/peers"; fail "the call's routes did not reach the kernel"; }

cat >"$TMP/bad.py" <<'EOP'
# bad.py DEST KEY COUNT: GRE with the key, K and version 1, no S and no
# A, protocol PPP, and a payload length of what follows (not 0).
import socket, struct, sys, time
dest, key, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ppp = b"\xff\x03\x00\x21" + b"STRAY-GRE-PACKET" + bytes(40)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
for i in range(count):
    s.sendto(struct.pack(">HHHH", 0x2001, 0x880b, len(ppp), key) + ppp,
        (dest, 0))
    if i % 20 == 19:
        time.sleep(0.002)
print("sent %d" % count)
EOP
nsx c1 python3 "$TMP/bad.py" 192.0.2.1 "$id" $N || fail "cannot send GRE"
sleep 1
kill -USR1 "$PROXY_PID"
lab_wait_log "gre: .*dropped" 5 || fail "no GRE counters on SIGUSR1"
line=$(grep "gre: .*dropped" "$PLOG" | tail -n 1 | sed 's/^.*gre: //')
echo "$line"
m=$(echo "$line" | sed -n 's/.* \([0-9]*\) malformed.*/\1/p')
[ "${m:-0}" -eq $N ] ||
    fail "${m:-no} packets counted malformed by the user-space forwarder, sent $N"
wait $drv || { cat "$TMP/drive.out"; fail "the call lost frames"; }
cat "$TMP/drive.out"
sleep 1
TCPDUMP_PID=$S_TCPDUMP lab_tcpdump_stop
total=$(tcpdump -r "$TMP/s.pcap" -n -q 2>/dev/null | grep -c " IP ")
n=$(tcpdump -r "$TMP/s.pcap" -n -A 2>/dev/null | grep -c "STRAY-GRE")
echo "server: $total GRE packets came in, $n of them the broken ones"
[ "$total" -gt 0 ] || fail "the capture in s saw no GRE come in at all"
[ "$n" -eq 0 ] || fail "$n broken packets reached the server"
exit 0
