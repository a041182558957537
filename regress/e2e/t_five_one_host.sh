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
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
pids=""
for i in 1 2 3 4 5; do
	lab_drive c1 -n 150 -w 4 -t 90 -g $i 192.0.2.1 >"$TMP/c$i.out" 2>&1 &
	pids="$pids $!"
	lab_track $!
done
bad=0
for p in $pids; do wait $p || bad=$((bad + 1)); done
cat "$TMP"/c?.out
ids=$(sed -n 's/.*call [0-9]* up: client Call ID \([0-9]*\) .*/\1/p' "$PLOG")
if [ $bad -ne 0 ] &&
    [ "$(echo "$ids" | sort | uniq -d | wc -l)" -ne 0 ]; then
	skip "two pptp clients drew the same Call ID:" $ids
fi
[ $bad -eq 0 ] || fail "$bad of 5 clients did not get all their frames back"
n=$(grep "relayed to" "$PLOG" | grep -c "192.0.2.10:")
[ "$n" -eq 5 ] || fail "$n sessions from 192.0.2.10, expected 5"
[ "$(log_count 'call 1 up')" -eq 5 ] || fail "expected five calls up"
# The server was shown five different Call IDs.
shown=$(sed -n 's/.*call [0-9]* up: .*(shown to the server as \([0-9]*\)).*/\1/p' "$PLOG" |
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
pids=""
for i in 1 2 3 4 5; do
	lab_drive n$i -n 150 -w 4 -t 90 -g $((10 + i)) 192.0.2.1 >"$TMP/n$i.out" 2>&1 &
	pids="$pids $!"
	lab_track $!
done
bad=0
for p in $pids; do wait $p || bad=$((bad + 1)); done
cat "$TMP"/n?.out
[ $bad -eq 0 ] || fail "$bad of 5 clients behind the NAT did not get all their frames back"
n=$(grep "relayed to" "$PLOG" | grep -c "192.0.2.10:")
[ "$n" -eq 10 ] || fail "$((n - 5)) sessions from the NAT's 192.0.2.10, expected 5"
exit 0
