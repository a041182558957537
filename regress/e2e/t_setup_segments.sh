#!/bin/sh
# The TCP segments of a call setup through the firewall, one at a time
# (bench_gen -m setup against bench_refl: connect, Start-Control-
# Connection, Outgoing-Call, Call-Clear, Stop-Control-Connection, close),
# counted in the firewall's namespace (/proc/net/snmp).  The relay's
# connection to the server delays its acknowledgements once the first
# message has gone (os_tcp_ack_late: TCP_QUICKACK off), so the ACK of the
# server's first reply rides on the Outgoing-Call-Request: 15 segments
# out a setup, where quick acknowledgements made it 16.  (The handshake's
# last ACK goes alone: delayed until the Start-Control-Connection-Request
# it made 14, but the server's kernel then held the connection until
# the request came; see regress/bench/README, "Acknowledgements".)  In:
# 17: the client closes first after its Stop exchange (its FIN, then the
# last ACK of ours), where the relay's FIN went first and the client's
# came with its ACK (16).  Then no connection of the setups is left in
# TIME_WAIT on the firewall: both peers closed first.  (Before the
# server closed first, 15 and 17 out, 15 in: the relay's FIN to the server
# went out and the server's FIN and ACK came back as one; now the server's
# FIN comes in alone and ours goes out with the ACK of it.)
. "$(dirname "$0")/lib.sh"
[ "$(uname -s)" = Linux ] || skip "Linux only (TCP_QUICKACK)"
[ -x "$TOOLS/bench_gen" ] && [ -x "$TOOLS/bench_refl" ] ||
    skip "no bench_gen/bench_refl (make tools)"
bench_setup_proxy
# InSegs, OutSegs, RetransSegs of the firewall's namespace
segs() {
	nsx fw awk '/^Tcp:/ && $2 ~ /^[0-9]/ { print $11, $12, $13 }' \
	    /proc/net/snmp
}
# measure: one run of setups; 1 (and why) if over a bound
measure() {
	g0=$(segs)
	out=$(nsx c1 "$TOOLS/bench_gen" -m setup -c 192.0.2.1 -C 1 -d 2 -v 10)
	g1=$(segs)
	n=$(echo "$out" | tr ' ' '\n' | sed -n 's/^setups=//p')
	[ -n "$n" ] && [ "$n" -ge 50 ] || fail "too few setups: $out"
	# the check call after the setups and its GRE add a few: in the slack
	set -- $g0 $g1
	sin=$(awk -v a="$1" -v b="$4" -v n="$n" \
	    'BEGIN { printf "%.2f", (b - a) / n }')
	sout=$(awk -v a="$2" -v b="$5" -v n="$n" \
	    'BEGIN { printf "%.2f", (b - a) / n }')
	rtx=$(($6 - $3))
	echo "$n setups; the firewall's TCP segments a setup: in $sin," \
	    "out $sout; $rtx retransmitted"
	why="$rtx segments retransmitted"
	[ "$rtx" -eq 0 ] || return 1
	# the order of the last segments of a close varies a little
	why="the firewall sends $sout segments a setup, not 15"
	awk "BEGIN { exit !($sout <= 15.6) }" || return 1
	why="the firewall receives $sin segments a setup, not 17"
	awk "BEGIN { exit !($sin <= 17.8) }" || return 1
	# the check call's connection, and any the relay had to close
	tw=$(nsx fw ss -tanH state time-wait | wc -l)
	echo "$tw connections in TIME_WAIT on the firewall"
	why="$tw connections in TIME_WAIT on the firewall after $n setups"
	[ "$tw" -le $((n / 50 + 2)) ] || return 1
	return 0
}
# A busy host (another machine's load on this one) can fire a delayed
# acknowledgement's timer or a retransmission, which only adds segments:
# the least of three runs counts.
lab_tries3 measure
exit 0
