#!/bin/sh
# -a that matches nobody: the client is closed at once, logged, and the
# server never sees a connection.
. "$(dirname "$0")/lab.sh"
lab_topology 1
lab_pptpd
nsx s tcpdump -i any -n -w "$TMP/s.pcap" tcp port 1723 >/dev/null 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
sleep 1
lab_proxy fw -p 192.0.2.1,198.51.100.2 -a 198.51.100.0/24
start=$(date +%s)
lab_drive c1 192.0.2.1 -n 5 -t 10 && fail "denied client got through"
lab_wait_log "192.0.2.10 not allowed (acl)" 5 || fail "no log line"
sleep 1
n=$(nsx s tcpdump -r "$TMP/s.pcap" -n 2>/dev/null | wc -l)
[ "$n" -eq 0 ] || fail "$n packets reached the server"
exit 0
