#!/bin/sh
# The control relay's system calls for a call setup, one at a time
# (bench_gen -m setup against bench_refl: connect, Start-Control-
# Connection, Outgoing-Call, Call-Clear, Stop-Control-Connection, close),
# counted exactly with strace -c on the relay.  Each of the eight
# messages arrives alone and is read once; the client's first one comes
# with the connection (the listener defers accepting it until its first
# bytes, TCP_DEFER_ACCEPT, and the relay reads them at accept); after the
# Stop exchange the relay reads the server's FIN and the client's (both
# close first, so that the firewall keeps no TIME_WAIT towards either),
# as a rule the client's in the wake-up of its last message or the
# server's: 10 reads, 8 epoll_wait and 4 epoll_ctl (each socket added
# once, removed once), and now and then a timerfd_settime for the
# relay's timers (t_relay_sleep).  Before the client closed first (the relay closed
# its connection once the Stop-Control-Connection-Reply had gone to it):
# 9 reads.  Before the server closed first: 8 reads.  Before the relay closed at
# the Stop reply: 9 reads (the client's FIN) and 6 epoll_ctl (the
# client's socket registered to wait for its first bytes, then removed),
# 9 to 10 epoll_wait.
. "$(dirname "$0")/lib.sh"
[ "$(uname -s)" = Linux ] || skip "Linux only (TCP_DEFER_ACCEPT, strace)"
command -v strace >/dev/null 2>&1 || skip "no strace"
[ -x "$TOOLS/bench_gen" ] && [ -x "$TOOLS/bench_refl" ] ||
    skip "no bench_gen/bench_refl (make tools)"
bench_setup_proxy
ctl=$(proxy_child control) || fail "no control relay"
# strace -c: % time, seconds, usecs/call, calls, [errors,] syscall; the
# few calls of the check call and of the relay's tick are in the slack.
per() {
	awk -v n="$n" -v c="$1" '$NF == c { printf "%.2f", $4 / n; f = 1 }
	    END { if (!f) print "0" }' "$TMP/strace"
}
# measure: one traced run of setups; 1 (and why) if over a bound
measure() {
	bench_setups_traced "$ctl" -c
	n=$SETUPS
	rd=$(per read)
	ctlc=$(per epoll_ctl)
	wt=$(per epoll_wait)
	echo "$n setups (traced); the relay's system calls a setup: read $rd," \
	    "epoll_ctl $ctlc, epoll_wait $wt"
	why="the relay reads $rd times a setup, not 10"
	awk "BEGIN { exit !($rd <= 10.3) }" || return 1
	why="the relay calls epoll_ctl $ctlc times a setup, not 4"
	awk "BEGIN { exit !($ctlc <= 4.3) }" || return 1
	why="the relay calls epoll_wait $wt times a setup, not 8"
	awk "BEGIN { exit !($wt <= 8.5) }" || return 1
	return 0
}
# A busy host (another machine's load on this one) only splits the
# relay's wake-ups and reads further: the least of three runs counts.
lab_tries3 measure
exit 0
