#!/bin/sh
# Signals that come while the daemon starts, and its pid in the log file:
#  1. The daemon, detaching as it does in production (no -n), starts with
#     each of its bind(2) calls held 1 s (strace's fault injection): the
#     time it reads its configuration and opens its control socket and
#     listeners, before it catches any signal (a slow resolver, a reload
#     sent at boot).  SIGHUP and SIGUSR1 sent to it then do not end it:
#     it starts and serves a call.
#  2. Once detached, the lines of its -l file carry the daemon's own pid,
#     not the one it had before it detached.
#  3. In the foreground, with each socketpair(2) held 1 s (the time it
#     starts its children), SIGHUP and SIGUSR1: it starts, then reloads
#     and writes its status, once running, without a second signal.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null 2>&1 || skip "no strace"
lab_topology 1
lab_pptpd

# slow_proxy SYSCALL ARGS...: the proxy under strace, SYSCALL held 1 s
# each time; TRACED is the pid strace runs it as.
slow_proxy() {
	_sc=$1
	shift
	: >"$PLOG"
	lab_bg fw strace -f -qq -o /dev/null -e trace="$_sc" \
	    -e inject="$_sc":delay_enter=1000000 "$PPTPPROXY" -l "$PLOG" \
	    -s "$CTLSOCK" "$@"
	STRACE_PID=$LAST_PID
	TRACED=
	_i=0
	while [ -z "$TRACED" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		TRACED=$(pgrep -P "$STRACE_PID" 2>/dev/null | head -n 1)
		_i=$((_i + 1))
	done
	[ -n "$TRACED" ] || fail "no traced pptpproxy under strace"
}

# 1. Detaching, signals while it binds.
slow_proxy bind -p 192.0.2.1,198.51.100.2
sleep 0.4
grep -q "started" "$PLOG" && fail "started before the signals: no window"
kill -HUP "$TRACED" 2>/dev/null || fail "pptpproxy gone before SIGHUP"
kill -USR1 "$TRACED" 2>/dev/null || fail "pptpproxy gone before SIGUSR1"
lab_wait_log "pptpproxy .* started" 15 ||
    fail "not started after SIGHUP and SIGUSR1 during its start"
BG=$(ip netns pids "$(ns fw)" | while read -r p; do
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
	    grep -q "pptpproxy: parent" && echo "$p"; done | head -n 1)
[ -n "$BG" ] || fail "no detached daemon"
lab_track "$BG"
note "detached daemon $BG (it was $TRACED before daemon(3))"
lab_drive c1 -n 20 -t 20 192.0.2.1 || fail "the daemon does not serve"

# 2. Its lines carry its pid.
grep "started" "$PLOG" | grep -q "pptpproxy\[$BG\]: parent: " ||
    fail "the start line does not carry the daemon's pid $BG: " \
    "$(grep started "$PLOG")"
kill -TERM "$BG"
lab_gone "$BG" 10 || fail "daemon $BG did not stop"
wait "$STRACE_PID" 2>/dev/null

# 3. In the foreground, signals while it starts its children.
slow_proxy socketpair -n -p 192.0.2.1,198.51.100.2
lab_wait_port fw 1723 10 || fail "not listening"
grep -q "started" "$PLOG" && fail "started before the signals: no window"
kill -HUP "$TRACED" 2>/dev/null || fail "pptpproxy gone before SIGHUP"
kill -USR1 "$TRACED" 2>/dev/null || fail "pptpproxy gone before SIGUSR1"
lab_wait_log "pptpproxy .* started" 15 ||
    fail "not started after SIGHUP and SIGUSR1 while starting children"
lab_wait_log "reloading configuration" 5 ||
    fail "the SIGHUP sent while it started was lost"
lab_wait_log "sessions, .* calls up" 5 ||
    fail "the SIGUSR1 sent while it started was lost"
kill -0 "$TRACED" 2>/dev/null || fail "the daemon ended"
lab_drive c1 -n 20 -t 20 192.0.2.1 || fail "the daemon does not serve"
kill -TERM "$TRACED"
wait "$STRACE_PID" 2>/dev/null
exit 0
