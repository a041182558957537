#!/bin/sh
# Five concurrent clients on one host, all from the same address (as five
# clients behind one NAT would look): five sessions, each echoing 150
# frames intact and in order.
#
# How pptp-linux (1.10) tells its tunnels apart: each pptp process has a
# raw GRE socket connected to the server's address, so every one of them
# receives every GRE packet from 192.0.2.1; pptp_gre.c then drops packets
# whose Call ID is not the call's own, and pptp_ctrl.c draws that Call ID
# at random for each call.  Several pptp processes on one host and address
# therefore can be told apart by pptp-linux itself, as long as their Call
# IDs differ (the proxy passes each client's own Call ID back to it).  Each
# client gets a private call manager (see lab_drive), so each has a control
# connection and a session of its own.  Two clients drawing the same Call
# ID (odds about 1 in 6500) could not be told apart by pptp-linux itself,
# so the test chooses five different ones, new each run
# (lab_drive_callid), and a capture on the proxy's inside shows that each
# was requested once, by 192.0.2.10, and that every control message of
# the calls agrees with it (callidcap); the proxy must have logged the
# same five.  (Separating the clients otherwise would take --localbind
# with an address each, or a namespace each behind a NAT.)
#
# Then the other way five clients share one address: each in a namespace
# of its own behind one NAT host (the kernel's PPTP NAT, which also picks
# the Call IDs the proxy sees), all five at once again.
#
# Frames lost at the endpoints: every pptp (in c1) and every pptpctrl (in
# s) reads every GRE packet of all five calls on one raw socket (with the
# default receive buffer, about 200 kB: a hundred-odd packets) and throws
# away the other calls' packets.  When one of them is not scheduled for a
# few tens of milliseconds - a loaded 2-CPU machine - the other four calls
# go on at full speed and fill its buffer; the kernel then drops packets,
# its own call's among them, and pptpdrive, which does not retransmit,
# stalls on the lost frame (about one full run in ten failed so).  The
# clients are therefore paced (-r: 100 frames a second each), so that a
# socket takes far longer to fill than a scheduling delay lasts, and what
# the lab's raw sockets drop is counted (the drops column of
# /proc/net/raw in the clients' namespaces and s, sampled while the calls
# are up).  The bound: no frame of any call may be lost; a client that
# did not get every frame back fails the test, and the failure says
# whether the lab's sockets dropped packets meanwhile.  Drops while every
# client got all its frames back (other calls' packets) are shown, not
# failed.  The proxy's own raw socket (in fw) is sampled too: a drop
# there fails.
. "$(dirname "$0")/lib.sh"

# drops_sample NS...: until $TMP/sampling goes, note the drops of every
# raw socket in each NS every 0.1 s ("NS inode drops" lines).
drops_sample() {
	while [ -f "$TMP/sampling" ]; do
		for _s in "$@"; do
			nsx "$_s" cat /proc/net/raw 2>/dev/null |
			    awk -v ns="$_s" 'NR > 1 { print ns, $10, $NF }'
		done
		sleep 0.1
	done >>"$TMP/drops"
}

# drops NS: packets dropped by the raw sockets of NS while sampled (the
# most each socket counted, summed).
drops() {
	awk -v ns="$1" '$1 == ns && $3 > m[$2] { m[$2] = $3 }
	    END { n = 0; for (i in m) n += m[i]; print n }' "$TMP/drops"
}

# five NS-PREFIX TAG-BASE: five clients at once (c1 five times, each with
# its Call ID of $CIDS, or n1..n5, Call IDs drawn at random),
# each echoing 150 frames at 100 a second; sets BAD to how many did not
# get all their frames back, LABDROPS and FWDROPS to what the lab's and
# the proxy's raw sockets dropped meanwhile, and MARK to the log line the
# part started at.
five() {
	MARK=$(wc -l <"$PLOG")
	: >"$TMP/drops"
	: >"$TMP/sampling"
	if [ "$1" = c1 ]; then
		drops_sample c1 s fw &
	else
		drops_sample n1 n2 n3 n4 n5 s fw &
	fi
	sampler=$!
	lab_track $sampler
	pids=""
	for i in 1 2 3 4 5; do
		if [ "$1" = c1 ]; then
			drive="lab_drive_callid $(echo $CIDS | cut -d' ' -f$i) c1"
		else
			drive="lab_drive $1$i"
		fi
		$drive -n 150 -w 4 -r 100 -t 30 -g $(($2 + i)) \
		    192.0.2.1 >"$TMP/$1$i.out" 2>&1 &
		pids="$pids $!"
		lab_track $!
	done
	BAD=0
	for p in $pids; do wait $p || BAD=$((BAD + 1)); done
	rm -f "$TMP/sampling"
	wait $sampler
	cat "$TMP/$1"?.out
	LABDROPS=0
	for _s in $(awk '{ print $1 }' "$TMP/drops" | sort -u); do
		[ "$_s" = fw ] && continue
		LABDROPS=$((LABDROPS + $(drops "$_s")))
	done
	FWDROPS=$(drops fw)
	echo "raw socket drops while the calls were up: lab $LABDROPS," \
	    "proxy $FWDROPS"
}

# since: the log since the part began.
since() {
	tail -n +"$((MARK + 1))" "$PLOG"
}

# lost WHAT: fail if a client of the part did not get every frame back,
# or the proxy's raw socket dropped packets.
lost() {
	[ "$FWDROPS" -eq 0 ] ||
	    fail "the proxy's raw socket dropped $FWDROPS packets ($1)"
	[ $BAD -eq 0 ] && return 0
	[ "$LABDROPS" -gt 0 ] &&
	    fail "$BAD of 5 $1 did not get all their frames back; the" \
		"lab's raw sockets dropped $LABDROPS packets meanwhile" \
		"(lost in the lab: see the comment at the top)"
	fail "$BAD of 5 $1 did not get all their frames back, and the" \
	    "lab's raw sockets dropped nothing"
}

command -v python3 >/dev/null 2>&1 || skip "no python3"
[ -f "$FIXRAND_SO" ] || fail "no $FIXRAND_SO (make tools)"
# Five Call IDs, new each run, each with two bytes that differ (a
# byte-order slip shows), two apart.
base=$(( $$ % 60000 + 4096 ))
CIDS=""
for i in 1 2 3 4 5; do
	c=$((base + 2 * i))
	[ $((c >> 8)) -ne $((c & 255)) ] || c=$((c + 1))
	CIDS="$CIDS $c"
done
CIDS=${CIDS# }
lab_topology 1
lab_pptpd
lab_capture fw "$TMP/c.pcap" br0
cpid=$TCPDUMP_PID
lab_proxy fw -p 192.0.2.1,198.51.100.2
echo "the clients on one host use Call IDs $CIDS"
five c1 0
sleep 1
kill -INT "$cpid"
wait "$cpid"
# Each chosen Call ID was requested once by 192.0.2.10, no other was, and
# the proxy logged the five.
python3 "$E2E/callidcap" -v -s 192.0.2.1 -c 5 "$TMP/c.pcap" $CIDS \
    >"$TMP/c.calls" 2>&1 ||
    { cat "$TMP/c.calls"; fail "the clients' calls did not use the" \
	"Call IDs $CIDS chosen for them (build/tools/fixrand.so)"; }
for c in $CIDS; do
	_n=$(grep -c "^ok  *192\.0\.2\.10:[0-9]* > 192\.0\.2\.1:1723 Outgoing-Call-Request: Call ID $c\$" "$TMP/c.calls")
	[ "$_n" -eq 1 ] ||
	    { cat "$TMP/c.calls"; fail "192.0.2.10 sent $_n" \
		"Outgoing-Call-Requests with Call ID $c, not 1"; }
done
_n=$(grep -c "Outgoing-Call-Request" "$TMP/c.calls")
[ "$_n" -eq 5 ] ||
    { cat "$TMP/c.calls"; fail "$_n Outgoing-Call-Requests, not 5"; }
ids=$(since | sed -n 's/.*call [0-9]* up: client Call ID \([0-9]*\) .*/\1/p' |
    sort -n | tr '\n' ' ')
[ "$ids" = "$(echo $CIDS | tr ' ' '\n' | sort -n | tr '\n' ' ')" ] ||
    fail "the proxy logged calls up with client Call IDs $ids, not $CIDS"
lost "clients on one host"
n=$(since | grep "relayed to" | grep -c "192.0.2.10:")
[ "$n" -eq 5 ] || fail "$n sessions from 192.0.2.10, expected 5"
[ "$(since | grep -c 'call 1 up')" -eq 5 ] || fail "expected five calls up"
# The server was shown five different Call IDs.
shown=$(since |
    sed -n 's/.*call [0-9]* up: .*(shown to the server as \([0-9]*\)).*/\1/p' |
    sort -u | wc -l)
[ "$shown" -eq 5 ] || fail "the server saw $shown distinct client Call IDs"

# Five hosts behind one NAT, which shows the proxy the address 192.0.2.10
# (the first client host goes; the NAT host takes its address).
for p in $(ip netns pids "$(ns c1)"); do kill -KILL "$p"; done
ip netns del "$(ns c1)"
lab_nat_clients 5 ||
    skip "no pptp conntrack helper (nf_conntrack_pptp) in this kernel:" \
	"the behind-NAT part not run (the one-host part passed)"
five n 10
lost "clients behind the NAT"
n=$(since | grep "relayed to" | grep -c "192.0.2.10:")
[ "$n" -eq 5 ] || fail "$n sessions from the NAT's 192.0.2.10, expected 5"
exit 0
