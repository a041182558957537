#!/bin/sh
# Stray GRE sent to the proxy during a real session: an unknown Call ID and
# a bad GRE version, both from the client's own host and from another, and
# the session's valid Call ID from a wrong source address (spoofing); on
# the outside too, the Call ID the server uses from another address
# (198.51.100.3) and an unknown one from the server's; and the session's
# Call ID from the client's own address, sent to the proxy's outside
# address instead of the one the client talks to.  The session still
# echoes every frame; nothing stray reaches the server (no marked packet in
# a capture in the server's namespace, none in what the server's PPP side
# read) nor the client (capture in the client's namespace); the proxy
# counts each kind.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
N=500
lab_topology 2
lab_pptpd
ip -n "$(ns s)" addr add 198.51.100.3/24 dev "$LINK_B" || fail "second server address"
# Only what comes in: the stray packets a host sends itself do not count.
lab_tcpdump s "$TMP/s.pcap" inbound and ip proto 47
S_TCPDUMP=$TCPDUMP_PID
lab_tcpdump c1 "$TMP/c1.pcap" inbound and ip proto 47
C_TCPDUMP=$TCPDUMP_PID
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 -n 200 -k 12 -t 40 192.0.2.1 >"$TMP/long.out" 2>&1 &
long=$!
lab_track $long
lab_wait_log "call 1 up" 10 || fail "no call"
id=$(sed -n 's/.*call 1 up: .*(shown to the client as \([0-9]*\)).*/\1/p' "$PLOG" | head -n 1)
[ -n "$id" ] || fail "no Call ID shown to the client in the log"
sid=$(sed -n 's/.*call 1 up: .*(shown to the server as \([0-9]*\)).*/\1/p' "$PLOG" | head -n 1)
[ -n "$sid" ] || fail "no Call ID shown to the server in the log"
sleep 1
cat >"$TMP/stray.py" <<'EOP'
# stray.py [-s SRC] DEST CALLID COUNT KIND...: send COUNT GRE packets of
# each KIND (from SRC, an address of this host).
import socket, struct, sys, time
src = None
if sys.argv[1] == "-s":
    src = sys.argv[2]
    del sys.argv[1:3]
dest, cid, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ppp = b"\xff\x03\x00\x21" + b"STRAY-GRE-PACKET" + bytes(40)
def gre(first, callid, seq):
    return struct.pack(">HHHHI", first, 0x880b, len(ppp), callid, seq) + ppp
kinds = {
    "unknown": lambda i: gre(0x3001, cid ^ 0x5a5a, i + 1),
    "version": lambda i: gre(0x3000, cid, i + 1),
    "spoof": lambda i: gre(0x3001, cid, 1000000 + i),
}
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
if src:
    s.bind((src, 0))
for k in sys.argv[4:]:
    for i in range(count):
        s.sendto(kinds[k](i), (dest, 0))
        if i % 20 == 19:
            time.sleep(0.002)   # no burst that overflows a socket buffer
print("sent %d each of %s from this host" % (count, ", ".join(sys.argv[4:])))
EOP
nsx c1 python3 "$TMP/stray.py" 192.0.2.1 "$id" $N unknown version ||
    fail "cannot send GRE from the client's host"
ip -n "$(ns c1)" route add 198.51.100.1/32 via 192.0.2.1 ||
    fail "route to the proxy's outside address"
nsx c1 python3 "$TMP/stray.py" 198.51.100.1 "$id" $N spoof ||
    fail "cannot send GRE to the proxy's other address"
nsx c2 python3 "$TMP/stray.py" 192.0.2.1 "$id" $N unknown version spoof ||
    fail "cannot send GRE from another host"
nsx s python3 "$TMP/stray.py" -s 198.51.100.3 198.51.100.1 "$sid" $N spoof ||
    fail "cannot send GRE from 198.51.100.3"
nsx s python3 "$TMP/stray.py" -s 198.51.100.2 198.51.100.1 "$sid" $N unknown ||
    fail "cannot send GRE from 198.51.100.2"
sleep 1
kill -USR1 "$PROXY_PID"
lab_wait_log "gre: .*dropped" 5 || fail "no GRE counters on SIGUSR1"
line=$(grep "gre: .*dropped" "$PLOG" | tail -n 1 | sed 's/^.*gre: //')
echo "$line"
m=$(echo "$line" | sed -n 's/.* \([0-9]*\) malformed.*/\1/p')
u=$(echo "$line" | sed -n 's/.* \([0-9]*\) unknown Call ID.*/\1/p')
w=$(echo "$line" | sed -n 's/.* \([0-9]*\) wrong source.*/\1/p')
d=$(echo "$line" | sed -n 's/.* \([0-9]*\) wrong destination.*/\1/p')
[ "${m:-0}" -eq $((2 * N)) ] || fail "$m bad-version packets counted, sent $((2 * N))"
[ "${u:-0}" -eq $((3 * N)) ] || fail "$u unknown-Call-ID packets counted, sent $((3 * N))"
[ "${w:-0}" -eq $((2 * N)) ] || fail "$w spoofed packets counted, sent $((2 * N))"
[ "${d:-0}" -eq $N ] || fail "$d packets to a wrong address counted, sent $N"
wait $long || { cat "$TMP/long.out"; fail "the session lost frames"; }
cat "$TMP/long.out"
sleep 1
TCPDUMP_PID=$S_TCPDUMP lab_tcpdump_stop
TCPDUMP_PID=$C_TCPDUMP lab_tcpdump_stop
for h in s c1; do
	total=$(tcpdump -r "$TMP/$h.pcap" -n -q 2>/dev/null | grep -c " IP ")
	n=$(tcpdump -r "$TMP/$h.pcap" -n -A 2>/dev/null | grep -c "STRAY-GRE")
	echo "namespace $h: $total GRE packets came in, $n of them stray"
	[ "$total" -gt 0 ] || fail "the capture in $h saw no GRE come in at all"
	[ "$n" -eq 0 ] || fail "$n stray packets reached $h"
done
marked=$(sed -n 's/.* marked \([0-9]*\) .*/\1/p' "$TMP/pppecho-s.log" | awk '{ s += $1 } END { print s + 0 }')
[ "$marked" -eq 0 ] || fail "the server's PPP side read $marked stray frames"
exit 0
