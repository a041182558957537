#!/bin/sh
# Two clients, each on a host of its own, use the same Call ID: both
# pptp-linux clients are made to draw one number (lab_drive_callid), and
# a capture on the proxy's inside shows that both requested their call
# with it.  The proxy shows the server a Call ID of its own for each (a
# capture on the server's side: two different ones, every control
# message agreeing), and both clients, their calls up at once, echoing
# for 8 s at 1000 frames a second each (at least 4500 frames, which take
# in all 3601 sizes pptpdrive -s 4000 makes between 1 and 4000 bytes),
# get every frame back intact and in order.  A proxy that kept the
# client's Call ID towards the server, or keyed the calls' GRE by it,
# would give both calls one key.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
cid=$(callid_pick)
lab_topology 2
lab_pptpd
callid_captures
lab_proxy fw -p 192.0.2.1,198.51.100.2
callid_clients "$cid"
callid_clients_wait
grep "call [0-9]* up: .*(shown" "$PLOG" | sed 's/^.*control: //'
callid_clients_sent "$cid"
callid_shown "$TMP/s.pcap" "$PLOG" 2
echo "shown to the server as: $SHOWN"
calls_overlap "$PLOG" 2
[ $CALLID_RC -eq 0 ] ||
    fail "a client with Call ID $cid did not get every frame back in order"
exit 0
