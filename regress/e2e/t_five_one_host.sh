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
# connection and a session of its own.  Should two clients draw the same
# Call ID (odds about 1 in 6500) they could not be told apart by
# pptp-linux itself; the test then says so and is skipped rather than
# failed.  (Separating them otherwise would take --localbind with an
# address each, or a namespace each behind a NAT.)
#
# Then the other way five clients share one address: each in a namespace
# of its own behind one NAT host (the kernel's PPTP NAT, which also picks
# the Call IDs the proxy sees), all five at once again.
#
# Frames lost at the endpoints: now and then (about one full run in ten
# on a loaded 2-CPU machine) one client stops getting echoes after its
# first frames although the proxy forwarded them (its GRE forwarder
# reports no send error, and the session line counts the frames to the
# server that pptpd never handed its pppecho); every pptp and pptpctrl
# here reads every GRE packet of all five calls on one raw socket.
# pptpdrive does not retransmit, so such a loss stalls it.  A part whose
# clients fail that way is run once more (printed as a retry); it must
# pass then, and a proxy send error fails it at once.
. "$(dirname "$0")/lib.sh"

# five NS-PREFIX TAG-BASE: five clients at once (c1 five times, or n1..n5);
# sets BAD to how many did not get all their frames back and MARK to the
# log line the attempt started at.
five() {
	MARK=$(wc -l <"$PLOG")
	pids=""
	for i in 1 2 3 4 5; do
		_n=$1
		[ "$_n" = c1 ] || _n=$1$i
		lab_drive $_n -n 150 -w 4 -t 30 -g $(($2 + i)) 192.0.2.1 \
		    >"$TMP/$1$i.out" 2>&1 &
		pids="$pids $!"
		lab_track $!
	done
	BAD=0
	for p in $pids; do wait $p || BAD=$((BAD + 1)); done
	cat "$TMP/$1"?.out
}

# since: the log since the attempt began.
since() {
	tail -n +"$((MARK + 1))" "$PLOG"
}

# retry_lost WHAT NS TAG: run the part again if it failed, once.
retry_lost() {
	[ $BAD -eq 0 ] && return 0
	kill -USR1 "$PROXY_PID"
	lab_wait_log "send errors" 5
	grep "send errors" "$PLOG" | tail -n 1 | grep -q " 0 send errors" ||
	    fail "$BAD of 5 $1 lost frames and the GRE forwarder had send errors"
	echo "retry: $BAD of 5 $1 lost frames the proxy had forwarded; once more"
	five "$2" "$3"
	[ $BAD -eq 0 ] ||
	    fail "$BAD of 5 $1 did not get all their frames back, twice"
}

lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
five c1 0
ids=$(since | sed -n 's/.*call [0-9]* up: client Call ID \([0-9]*\) .*/\1/p')
if [ $BAD -ne 0 ] &&
    [ "$(echo "$ids" | sort | uniq -d | wc -l)" -ne 0 ]; then
	skip "two pptp clients drew the same Call ID:" $ids
fi
retry_lost "clients on one host" c1 5
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
if ! lab_nat_clients 5; then
	echo "kernel without a pptp conntrack helper: behind-NAT part not run"
	exit 0
fi
five n 10
retry_lost "clients behind the NAT" n 15
n=$(since | grep "relayed to" | grep -c "192.0.2.10:")
[ "$n" -eq 5 ] || fail "$n sessions from the NAT's 192.0.2.10, expected 5"
exit 0
