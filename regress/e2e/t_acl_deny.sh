#!/bin/sh
# -a with subnets that do not hold the client: its connection is closed
# at once, the refusal is logged, and nothing reaches the server: no
# packet to port 1723 in the server's namespace, no call started there.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_topology 1
lab_pptpd
lab_tcpdump s "$TMP/s.pcap" tcp port 1723
lab_proxy fw -p 192.0.2.1,198.51.100.2 -a 198.51.100.0/24 -a 192.0.2.64/26
# A bare TCP client: the connection must be closed, promptly.
r=$(lab_closed c1 192.0.2.1 1723 5)
echo "bare connection: $r"
set -- $r
[ "$1" = closed ] || fail "the refused connection was not closed ($r)"
awk "BEGIN { exit !($2 < 2) }" || fail "closed only after $2 s"
lab_drive_refused c1 "client 192.0.2.10 not allowed on proxy .* (acl)" -n 5 -t 5 192.0.2.1
# The line names the proxy and the reason.
grep -q "session [0-9]*: 192.0.2.10:[0-9]* .*client 192.0.2.10 not allowed on proxy 192.0.2.1:1723 (acl)" "$PLOG" ||
    fail "the refusal does not name the proxy and the reason: $(grep 'not allowed' "$PLOG" | head -n 1)"
sleep 1
lab_tcpdump_stop
n=$(tcpdump -r "$TMP/s.pcap" -n -q 2>/dev/null | grep -c " IP ")
[ "$n" -eq 0 ] || fail "$n packets to or from port 1723 in the server's namespace"
[ "$(pppecho_count s start)" -eq 0 ] || fail "a call was started on the server"
grep -q "relayed to" "$PLOG" && fail "a refused client was relayed"
exit 0
