#!/bin/sh
# Stray GRE sent to the proxy during a real session: an unknown Call ID and
# a bad GRE version, both from the client's own host and from another, and
# the session's valid Call ID from a wrong source address (spoofing).  The
# session still echoes every frame; nothing stray reaches the server (no
# marked packet in a capture in the server's namespace, none in what the
# server's PPP side read); the proxy counts each kind.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
N=500
lab_topology 2
lab_pptpd
lab_tcpdump s "$TMP/s.pcap" ip proto 47
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 -n 200 -k 12 -t 40 192.0.2.1 >"$TMP/long.out" 2>&1 &
long=$!
lab_track $long
lab_wait_log "call 1 up" 10 || fail "no call"
id=$(sed -n 's/.*call 1 up: .*(shown to the client as \([0-9]*\)).*/\1/p' "$PLOG" | head -n 1)
[ -n "$id" ] || fail "no Call ID shown to the client in the log"
sleep 1
cat >"$TMP/stray.py" <<'EOP'
# stray.py DEST CALLID COUNT KIND...: send COUNT GRE packets of each KIND.
import socket, struct, sys
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
for k in sys.argv[4:]:
    for i in range(count):
        s.sendto(kinds[k](i), (dest, 0))
print("sent %d each of %s from this host" % (count, ", ".join(sys.argv[4:])))
EOP
nsx c1 python3 "$TMP/stray.py" 192.0.2.1 "$id" $N unknown version ||
    fail "cannot send GRE from the client's host"
nsx c2 python3 "$TMP/stray.py" 192.0.2.1 "$id" $N unknown version spoof ||
    fail "cannot send GRE from another host"
sleep 1
kill -USR1 "$PROXY_PID"
lab_wait_log "gre: .*dropped" 5 || fail "no GRE counters on SIGUSR1"
line=$(grep "gre: .*dropped" "$PLOG" | tail -n 1 | sed 's/^.*gre: //')
echo "$line"
m=$(echo "$line" | sed -n 's/.* \([0-9]*\) malformed.*/\1/p')
u=$(echo "$line" | sed -n 's/.* \([0-9]*\) unknown Call ID.*/\1/p')
w=$(echo "$line" | sed -n 's/.* \([0-9]*\) wrong source.*/\1/p')
[ "${m:-0}" -eq $((2 * N)) ] || fail "$m bad-version packets counted, sent $((2 * N))"
[ "${u:-0}" -eq $((2 * N)) ] || fail "$u unknown-Call-ID packets counted, sent $((2 * N))"
[ "${w:-0}" -eq $N ] || fail "$w spoofed packets counted, sent $N"
wait $long || { cat "$TMP/long.out"; fail "the session lost frames"; }
cat "$TMP/long.out"
sleep 1
lab_tcpdump_stop
total=$(tcpdump -r "$TMP/s.pcap" -n -q 2>/dev/null | grep -c " IP ")
n=$(tcpdump -r "$TMP/s.pcap" -n -A 2>/dev/null | grep -c "STRAY-GRE")
echo "server namespace: $total GRE packets captured, $n of them stray"
[ "$total" -gt 0 ] || fail "the capture in the server's namespace saw no GRE at all"
[ "$n" -eq 0 ] || fail "$n stray packets reached the server"
marked=$(sed -n 's/.* marked \([0-9]*\) .*/\1/p' "$TMP/pppecho-s.log" | awk '{ s += $1 } END { print s + 0 }')
[ "$marked" -eq 0 ] || fail "the server's PPP side read $marked stray frames"
exit 0
