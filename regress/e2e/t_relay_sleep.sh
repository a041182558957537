#!/bin/sh
# The control relay sleeps without a timeout while call setups run, and
# arms its timers seldom.  It always has timers pending (the batch of log
# lines, the tick, each session's); an epoll_wait(2) with a timeout cost
# setups about 3% one at a time on the 2-vCPU test machine, and
# libevent's precise timer, a timerfd re-armed at every turn, eight
# system calls a setup.  Its timers are on a timerfd of its own (tmr.c),
# armed only when the earliest deadline comes nearer.  Traced with strace
# on the relay during bench_gen's setups, one at a time: nearly every
# epoll_wait has a timeout of -1 or 0, none of them waited for a timer,
# the relay holds a timerfd, and it arms it (timerfd_settime, allowed in
# its seccomp filter: a missing rule would kill the relay at its first
# tick) at most once in three turns of its loop (at every turn before).
. "$(dirname "$0")/lib.sh"
[ "$(uname -s)" = Linux ] || skip "Linux only (timerfd, strace)"
command -v strace >/dev/null 2>&1 || skip "no strace"
[ -x "$TOOLS/bench_gen" ] && [ -x "$TOOLS/bench_refl" ] ||
    skip "no bench_gen/bench_refl (make tools)"
bench_setup_proxy
ctl=$(proxy_child control) || fail "no control relay"
bench_setups_traced "$ctl" -e trace=epoll_wait,epoll_pwait,timerfd_settime
n=$SETUPS
# epoll_wait(8, [...], 32, TIMEOUT) = N; epoll_pwait: TIMEOUT, NULL, 8)
sed -n 's/^epoll_p\{0,1\}wait(.*\], [0-9]*, \(-\{0,1\}[0-9]*\)[,)].*/\1/p' \
    "$TMP/strace" >"$TMP/timeouts"
waits=$(wc -l <"$TMP/timeouts")
timed=$(awk '$1 > 0' "$TMP/timeouts" | wc -l)
expired=$(grep -c '^epoll_p\{0,1\}wait(.*) = 0$' "$TMP/strace")
arms=$(grep -c '^timerfd_settime(' "$TMP/strace")
echo "$n setups (traced): $waits epoll_wait, $timed of them with a" \
    "timeout, $expired returned empty; $arms timerfd_settime"
[ "$waits" -ge "$n" ] || fail "only $waits epoll_wait for $n setups"
# The relay's tick and a turn at the trace's start may wait with one.
[ "$timed" -le $((waits / 50 + 2)) ] ||
    fail "$timed of $waits epoll_wait slept with a timeout"
[ "$expired" -le $((waits / 50 + 2)) ] ||
    fail "$expired of $waits epoll_wait ended with nothing to do"
[ "$arms" -ge 1 ] || fail "the relay never armed its timerfd"
[ "$arms" -le $((waits / 3)) ] ||
    fail "$arms timerfd_settime in $waits turns: armed too often"
tfd=
for f in /proc/"$ctl"/fd/*; do
	[ "$(readlink "$f")" = "anon_inode:[timerfd]" ] && tfd=$f
done
[ -n "$tfd" ] || fail "the control relay holds no timerfd"
kill -0 "$PROXY_PID" || fail "the daemon died"
exit 0
