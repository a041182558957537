#!/bin/sh
# A child that makes a system call outside its sandbox dies of it: the
# test build (-DPPTPPROXY_TEST) makes one on SIGUSR2 (open of /etc/passwd).
# For each child, with the filter killing (-n) and trapping (-d, which
# names the call first): the child dies of SIGSYS, the parent logs it,
# ends the other child, exits 1, and no process remains.
top=$(cd "$(dirname "$0")/../.." && pwd)
PPTPPROXY=$top/build/test/pptpproxy
. "$(dirname "$0")/lib.sh"
[ "$(uname -s)" = Linux ] || skip "Linux only"
# Build the test binary (incremental) if make test has not.
make -s -C "$top" B=build/test CPPFLAGS=-DPPTPPROXY_TEST build/test/pptpproxy \
    > "$TMP/make.out" 2>&1 || { cat "$TMP/make.out"; fail "test build"; }

lab_topology 1

# wait_children: both children up and under their filters
wait_children() {
	i=0
	while [ $i -lt 100 ]; do
		n=0
		for k in $(pgrep -P "$PROXY_PID"); do
			grep -q '^Seccomp:.2' "/proc/$k/status" 2>/dev/null &&
			    n=$((n + 1))
		done
		[ $n -eq 2 ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

for mode in -n -d; do
	for victim in gre control; do
		PLOG=$TMP/proxy$mode-$victim.log
		lab_bg fw "$PPTPPROXY" $mode -l "$PLOG" -p 192.0.2.1,198.51.100.2
		PROXY_PID=$LAST_PID
		wait_children || fail "$mode: children did not start"
		kids=$(pgrep -P "$PROXY_PID" | tr '\n' ' ')
		v=""
		for k in $kids; do
			grep -aq "pptpproxy: $victim" /proc/$k/cmdline && v=$k
		done
		[ -n "$v" ] || fail "$mode: no $victim process"

		kill -USR2 "$v"
		i=0
		while kill -0 "$PROXY_PID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -0 "$PROXY_PID" 2>/dev/null &&
		    fail "$mode: parent still running after $victim's call"
		wait "$PROXY_PID"; rc=$?
		[ $rc -eq 1 ] || fail "$mode $victim: exit status $rc, not 1"

		grep -q "$victim: sandbox test: opening /etc/passwd" "$PLOG" ||
		    fail "$mode: $victim did not make the call"
		grep -q "sandbox test: the forbidden call returned" "$PLOG" &&
		    fail "$mode: $victim survived a forbidden call"
		grep -q "$victim process killed by signal 31" "$PLOG" ||
		    fail "$mode: the parent did not log $victim's death"
		if [ "$mode" = -d ]; then
			grep -q "$victim: sandbox: forbidden system call openat" \
			    "$PLOG" || fail "-d: the trap did not name the call"
		fi
		for k in $kids; do
			[ -d /proc/$k ] &&
			    grep -aq pptpproxy /proc/$k/cmdline 2>/dev/null &&
			    fail "$mode $victim: process $k left behind"
		done
		echo "$mode $victim: $(grep -h "process killed" "$PLOG" |
		    cut -d' ' -f4-)"
	done
done
exit 0
