#!/bin/sh
# The output rule pptpproxy(8) gives (SECURITY CONSIDERATIONS, Connecting
# to servers) holds the control relay's new connections to the servers:
# with it in the firewall's output chain, for the user the children run
# as, a call through the proxy to 198.51.100.2 still echoes, while the
# relay's connection to any other address (here the server of a second
# proxy, 198.51.100.3, standing in for a relay that was taken over) is
# dropped by the rule and never reaches that host.  Without the rule the
# same connection goes through, so the test can tell.
. "$(dirname "$0")/lib.sh"
command -v nft >/dev/null 2>&1 || skip "nft(8) is not installed"
command -v python3 >/dev/null 2>&1 || skip "no python3"
user=_pptpproxy
id -u "$user" >/dev/null 2>&1 || user=nobody
lab_topology 1
lab_pptpd
ip -n "$(ns s)" addr add 198.51.100.3/24 dev "$LINK_B" ||
    fail "second server address"

# other: connect to the second proxy, send a Start-Control-Connection-
# Request (its header: the first bytes must be able to begin one, or the
# server is not connected), and count the SYNs that reach 198.51.100.3.
other() {
	lab_tcpdump s "$TMP/$1.pcap" inbound and dst host 198.51.100.3 and \
	    tcp port 1723
	nsx c1 python3 -c '
import socket, struct, time
s = socket.create_connection(("192.0.2.1", 1724), 5)
m = struct.pack(">HHIHHHH", 156, 1, 0x1a2b3c4d, 1, 0, 0x0100, 0)
s.send(m + bytes(156 - len(m)))
time.sleep(3)' 2>/dev/null
	lab_tcpdump_stop
	tcpdump -r "$TMP/$1.pcap" -n 2>/dev/null | grep -c "Flags \[S\]"
}

lab_proxy fw -p 192.0.2.1,198.51.100.2 -p 192.0.2.1:1724,198.51.100.3
n=$(other without)
echo "without the rule: $n SYNs from the relay reached 198.51.100.3"
[ "$n" -gt 0 ] || fail "the relay's connection did not reach 198.51.100.3 without the rule"

nsx fw nft -f - <<EON || fail "cannot load the output rule"
table inet pptpproxy_out {
	chain output {
		type filter hook output priority filter; policy accept;
		ct state established,related accept
		meta skuid "$user" ip daddr 198.51.100.2 tcp dport 1723 accept
		meta skuid "$user" counter drop
	}
}
EON
lab_drive c1 -n 50 -t 15 192.0.2.1 >"$TMP/drive.out" 2>&1 ||
    { cat "$TMP/drive.out"; fail "no echo through the proxy with the rule"; }
tail -n 1 "$TMP/drive.out"
n=$(other with)
dropped=$(nsx fw nft list chain inet pptpproxy_out output |
    sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
echo "with the rule: $n SYNs reached 198.51.100.3, ${dropped:-?} packets dropped"
[ "$n" -eq 0 ] || fail "$n SYNs from the relay reached 198.51.100.3 with the rule"
[ "${dropped:-0}" -gt 0 ] || fail "the rule dropped nothing"
exit 0
