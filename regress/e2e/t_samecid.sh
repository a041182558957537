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
# A Call ID whose two bytes differ (a byte-order slip shows), new each run.
cid=$(( $$ % 60000 + 4096 ))
[ $((cid >> 8)) -ne $((cid & 255)) ] || cid=$((cid + 1))
lab_topology 2
lab_pptpd
lab_capture s "$TMP/s.pcap" "$LINK_B"
spid=$TCPDUMP_PID
lab_capture fw "$TMP/c.pcap" br0
cpid=$TCPDUMP_PID
lab_proxy fw -p 192.0.2.1,198.51.100.2
echo "both clients use Call ID $cid"
pids=""
for c in 1 2; do
	lab_drive_callid "$cid" c$c -n 4500 -k 8 -r 1000 -w 8 -s 4000 \
	    -t 20 -g $c 192.0.2.1 >"$TMP/c$c.out" 2>&1 &
	pids="$pids $!"
	lab_track $!
done
rc=0
for p in $pids; do
	wait "$p" || rc=1
done
cat "$TMP/c1.out" "$TMP/c2.out"
sleep 1
for p in $spid $cpid; do
	kill -INT "$p"
	wait "$p"
done
grep "call [0-9]* up: .*(shown" "$PLOG" | sed 's/^.*control: //'
callid_sent "$TMP/c.pcap" 192.0.2.1 "$cid" 192.0.2.10 192.0.2.11
[ "$(log_count "call 1 up: client Call ID $cid ")" -eq 2 ] ||
    fail "the proxy did not log two calls of client Call ID $cid"
callid_shown "$TMP/s.pcap" "$PLOG" 2
echo "shown to the server as: $SHOWN"
calls_overlap "$PLOG" 2
[ $rc -eq 0 ] ||
    fail "a client with Call ID $cid did not get every frame back in order"
exit 0
