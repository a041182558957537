#!/bin/sh
# A graceful stop, with gre offload: two clients with a call up each, then
# SIGTERM to the parent.  A capture on the firewall, both sides of it,
# must show each client and the server receive a
# Stop-Control-Connection-Request (type 3) from the proxy, answer it
# (type 4), and every TCP connection end with FIN from the proxy and no
# reset either way; the parent exits 0, every process of the daemon is
# gone, and so is the kernel's nftables table.
. "$(dirname "$0")/lib.sh"
lab_topology 2
lab_pptpd
lab_capture fw "$TMP/stop.pcap"
offload_proxy 1 "timeout stop 5" "log level debug"
for c in 1 2; do
	lab_drive c$c -g $c -n 1 -k 40 -t 50 192.0.2.1 >"$TMP/c$c.out" 2>&1 &
	lab_track $!
done
lab_wait_count "call [0-9]* up" 2 15
[ "$(log_count "call [0-9]* up")" -eq 2 ] || fail "two calls did not come up"
sleep 2
nsx fw nft list table ip pptpproxy >/dev/null 2>&1 ||
    fail "no nft table while the calls are up"
proxy_term
nsx fw nft list table ip pptpproxy >/dev/null 2>&1 &&
    fail "the nft table is left behind"
sleep 1
lab_tcpdump_stop
python3 "$E2E/pptpcap" "$TMP/stop.pcap" >"$TMP/flows" ||
    fail "cannot read the capture"
sed 's/^/  /' "$TMP/flows"
grep "stopped:\|stopping" "$PLOG" | sed 's/^[^]]*\]: /  /'
for c in 10 11; do
	peer=$(grep -o "^192\.0\.2\.$c:[0-9]*" "$TMP/flows" | head -n 1)
	[ -n "$peer" ] || fail "no connection from 192.0.2.$c in the capture"
	stop_seen client 192.0.2.1:1723 "$peer"
done
n=0
for me in $(grep -o "^198\.51\.100\.1:[0-9]*" "$TMP/flows" | sort -u); do
	stop_seen server "$me" 198.51.100.2:1723
	n=$((n + 1))
done
[ $n -eq 2 ] || fail "$n connections to the server in the capture, not 2"
grep -q "stopped: 2 of 2 sessions ended in order" "$PLOG" ||
    fail "no line saying both sessions ended in order"
[ "$(log_count "ended after")" -eq 2 ] || fail "not two session end lines"
exit 0
