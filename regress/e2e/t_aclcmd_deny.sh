#!/bin/sh
# -x with a command that exits 1: the client is closed, the refusal is
# logged with the command's exit status, and nothing reaches the server.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
lab_tcpdump s "$TMP/s.pcap" tcp port 1723
printf '#!/bin/sh\nexit 1\n' >"$TMP/deny"
chmod 755 "$TMP/deny"
lab_proxy fw -p 192.0.2.1,198.51.100.2 -x "$TMP/deny"
t0=$(date +%s)
lab_drive_refused c1 "client 192.0.2.10 not allowed on proxy .* (acl command" -n 5 -t 10 192.0.2.1
grep "not allowed" "$PLOG" | grep -q "exited 1\|status 1" ||
    fail "the refusal does not give the command's exit status"
sleep 1
lab_tcpdump_stop
n=$(tcpdump -r "$TMP/s.pcap" -n -q 2>/dev/null | grep -c " IP ")
[ "$n" -eq 0 ] || fail "$n packets to or from port 1723 in the server's namespace"
[ "$(pppecho_count s start)" -eq 0 ] || fail "a call was started on the server"
exit 0
