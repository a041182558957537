#!/bin/sh
# relays 2: the channels between the children refuse descriptors too.
# Where the kernel can (Linux 6.16, SO_PASSRIGHTS), the parent turns it
# off on both ends of each relay's channel to its GRE forwarder and of
# each relay's link to relay 0.  Playing a compromised child
# (build/tools/hostile -l, which finds the child's channel to the other
# process by the peer of its Unix sockets), a descriptor (of /dev/null,
# as SCM_RIGHTS) is sent
#  - by relay 1 on its link to relay 0, and by relay 0 on its link to
#    relay 1;
#  - by relay 1 on its channel to its forwarder (gre 1), and by gre 1
#    on its channel to relay 1; the same between relay 0 and gre;
# each sendmsg(2) fails with EPERM, nothing is said about it, every
# process goes on, and after them a pptp-linux client's call through
# pptpd goes through each relay (c1's through relay 0, c2's relay 1).
# Then the same with one forwarder for both relays (the test build's
# PPTPPROXY_TEST_ONE_FORWARDER, as where the raw sockets cannot be
# filtered): the forwarder got relay 1's channel from the parent, over
# its own, and neither end of it takes a descriptor either.
# On a kernel without SO_PASSRIGHTS the test is skipped.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
[ "$_kmaj" -gt 6 ] || { [ "$_kmaj" -eq 6 ] && [ "$_kmin" -ge 16 ]; } ||
    skip "no SO_PASSRIGHTS before Linux 6.16, this is $_kv: descriptors pass"
lab_topology 2
lab_pptpd
relays_conf 2

# start N: the daemon, its N children up; R0, R1, G0 (and with four,
# G1) the pids of relay 0, relay 1, gre, gre 1.
start() {
	: >"$PLOG"
	lab_proxy fw -f "$TMP/p.conf"
	proxy_wait_children "$1" || fail "children: $KIDS"
	R0=$(proxy_kid control) || exit 1
	R1=$(proxy_kid "control 1") || exit 1
	G0=$(proxy_kid gre) || exit 1
	G1=""
	[ "$1" -eq 4 ] && { G1=$(proxy_kid "gre 1") || exit 1; }
	sleep 0.5
}

# refused CASE HOSTILE-ARGS...: one descriptor sent as the tool says is
# refused by the kernel (the tool's status 3), and every process goes on.
refused() {
	_what=$1
	shift
	"$HOSTILE" -c "$@" fds 1 1 >"$TMP/hostile.out" 2>&1
	_hrc=$?
	cat "$TMP/hostile.out"
	case $_hrc in
	3)	;;
	0)	fail "$_what: the descriptor went through (not refused)" ;;
	*)	fail "$_what: hostile exited with $_hrc" ;;
	esac
	grep -q "refused by the receiver (EPERM)" "$TMP/hostile.out" ||
	    fail "$_what: no EPERM"
	sleep 0.2
	kill -0 "$PROXY_PID" 2>/dev/null || fail "$_what: the daemon ended"
	for _k in $KIDS; do
		kill -0 "$_k" 2>/dev/null || fail "$_what: child $_k ended"
	done
	note "ok: $_what: refused by the kernel (EPERM)"
}

# serves CASE: no line about descriptors or a compromised child, and a
# call of c1 and one of c2 go through, one on each relay.
serves() {
	_l=$(grep "compromised\|descriptor" "$PLOG") &&
	    fail "$1: a line about it: $_l"
	for _c in c1 c2; do
		lab_drive $_c -n 20 -t 30 192.0.2.1 >"$TMP/drive.out" 2>&1 ||
		    fail "$1: no call of $_c after it: $(cat "$TMP/drive.out")"
	done
	for _k in $KIDS; do
		kill -0 "$_k" 2>/dev/null || fail "$1: child $_k ended"
	done
	for _r in "control" "control 1"; do
		grep -q "]: $_r: session [0-9]*: .* ended after .* 1 call," \
		    "$PLOG" || fail "$1: no call through $_r"
	done
	note "ok: $1: a call through each relay after it"
}

start 4
refused "relay 1 to relay 0, their link" -l "$R0" "$R1"
refused "relay 0 to relay 1, their link" -l "$R1" "$R0"
refused "relay 1 to gre 1, its forwarder" -l "$G1" "$R1"
# The tool found it at fd 4, where the parent started relay 1 with it.
grep -q "^fd 4 of $R1: " "$TMP/hostile.out" ||
    fail "relay 1's channel to gre 1 not at fd 4"
refused "gre 1 to relay 1, its relay" -l "$R1" "$G1"
refused "relay 0 to gre, its forwarder" -p "$R0"
refused "gre to relay 0, its relay" -p "$G0"
serves "two forwarders"
kill -TERM "$PROXY_PID"
wait "$PROXY_PID"
rc=$?
[ $rc -eq 0 ] || fail "the daemon exited with $rc after SIGTERM"

# One forwarder for both relays: relay 1's channel to it came over the
# forwarder's own channel from the parent.
lab_testbuild
PPTPPROXY=$TB
PPTPPROXY_TEST_ONE_FORWARDER=1
export PPTPPROXY_TEST_ONE_FORWARDER
start 3
refused "relay 1 to relay 0, their link (one forwarder)" -l "$R0" "$R1"
refused "relay 0 to relay 1, their link (one forwarder)" -l "$R1" "$R0"
refused "relay 1 to gre, the forwarder of both" -l "$G0" "$R1"
refused "gre to relay 1, a channel from the parent" -l "$R1" "$G0"
# Not at fd 4, relay 0's, where the parent started the forwarder with it.
grep -q "^fd [0-9]* of $G0: " "$TMP/hostile.out" &&
    ! grep -q "^fd 4 of $G0: " "$TMP/hostile.out" ||
    fail "the forwarder's channel to relay 1 not one from the parent"
refused "relay 0 to gre (one forwarder)" -p "$R0"
refused "gre to relay 0 (one forwarder)" -p "$G0"
serves "one forwarder"
exit 0
