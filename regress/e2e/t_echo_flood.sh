#!/bin/sh
# A client streams Echo-Replies after its Start-Control-Connection-Request
# as fast as the proxy takes them, on two connections, to a server that
# drains them (proxy "flood", port 1724); meanwhile a real pptp-linux
# client sets up a call to pptpd through the other proxy and passes frames.  The relay bounds
# its work per session and wake-up, so the second client is accepted and
# served in a normal time (10 s allowed, measured and printed) while the
# flood goes on, and the flood sessions are not cut either.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
FLOOD=25	# seconds
lab_topology 2
lab_pptpd
lab_bg s "$E2E/answersrv" 198.51.100.2 1724 --drain
drainer=$LAST_PID
lab_wait_port s 1724 || fail "drain server"
cat >"$TMP/c.conf" <<EOC
proxy "flood" {
	listen on 192.0.2.1 port 1724
	server 198.51.100.2 port 1724
}
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
}
EOC
# Deep socket buffers from the flooding client to the relay (as on a fast
# link with a large window): the client's kernel keeps the relay's socket
# full whenever the relay reads, whether the client runs or waits for the
# CPU, so the relay always has more to read than it can take.
nsx fw sysctl -q -w net.ipv4.tcp_rmem="4096 8388608 16777216" ||
    skip "cannot set tcp_rmem in a namespace"
nsx c2 sysctl -q -w net.ipv4.tcp_wmem="4096 8388608 16777216" ||
    skip "cannot set tcp_wmem in a namespace"
lab_proxy fw -f "$TMP/c.conf"
lab_wait_port fw 1724 || fail "no listener on 1724"
# Two flooding connections, so that the relay always has more to read.
floods=""
for i in 1 2; do
	nsx c2 "$E2E/echoflood" 192.0.2.1 1724 $FLOOD >"$TMP/flood$i.out" 2>&1 &
	floods="$floods $!"
	lab_track $!
done
lab_wait_log "session 2: .*relayed" 10 || fail "the flood sessions were not relayed"
sleep 3		# the flood at full speed
# Timed until pptpdrive's verdict (the call set up and the frames back,
# or not): its teardown after, pptp-linux's processes told to end and
# waited for (up to 14 s under load), is the client's, not the relay's.
t0=$(date +%s.%N)
lab_drive c1 -n 20 -t 30 192.0.2.1 >"$TMP/drive.out" 2>&1 &
drive=$!
lab_track $drive
while kill -0 $drive 2>/dev/null &&
    ! grep -q "^pptpdrive .* tag [0-9]*: " "$TMP/drive.out"; do
	sleep 0.05
done
t1=$(date +%s.%N)
wait $drive
r=$?
cat "$TMP/drive.out"
took=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
note "a real call and 20 frames during the flood took $took s (10 s allowed)"
[ $r -eq 0 ] || fail "the real client failed during the flood"
awk -v t="$took" 'BEGIN { exit !(t <= 10) }' ||
    fail "the real client took $took s during the flood"
sent=0
for p in $floods; do
	kill -0 $p 2>/dev/null || fail "a flood ended before the real call did"
done
i=0
for p in $floods; do
	i=$((i + 1))
	wait $p || { cat "$TMP/flood$i.out"; fail "flood session $i was cut"; }
	cat "$TMP/flood$i.out"
	n=$(sed -n 's/^sent \([0-9]*\) bytes.*/\1/p' "$TMP/flood$i.out")
	sent=$((sent + ${n:-0}))
done
# Enough that the relay had always more to read: 40 MB in all.
[ "$sent" -gt 40000000 ] || fail "the floods sent only $sent bytes"
exit 0
