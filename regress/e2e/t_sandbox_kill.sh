#!/bin/sh
# A child that makes a system call outside its sandbox dies of it: the
# test build (-DPPTPPROXY_TEST) makes one on SIGUSR2, the call named by
# PPTPPROXY_TEST_CALL (sandbox_test_forbidden(): open of /etc/passwd by
# default).  For each child, with the filter killing (-n) and trapping
# (-d, which names the call first): the child dies of SIGSYS, the parent
# logs it, ends the other child, exits 1, and no process remains.
# Then the calls the allow-lists pin or leave out: socket() with any
# other domain, type, flags or protocol than the child's own, shutdown
# but the relay's shutdown(SHUT_WR), getpeername, ioctl(FIONREAD), and
# setsockopt but the relay's own options by level and name: not
# SO_ATTACH_FILTER, TCP_ULP (kernel TLS), TCP_CONGESTION (SO_LINGER's
# number) nor SO_DEBUG (TCP_NODELAY's), and getsockopt but the relay's
# SO_ERROR and SO_PEERCRED: not TCP_INFO nor TCP_KEEPIDLE (SO_ERROR's
# number), none at all in the forwarder.  What a child may still make
# goes through: the relay's TCP socket to servers, its shutdown(SHUT_WR),
# TCP_NODELAY, SO_ERROR and SO_PEERCRED, both children's SO_LINGER
# (imsg's, on a descriptor it closes) and madvise(MADV_DONTNEED)
# (malloc's), and syslog(3)'s AF_UNIX socket, which fails
# (EACCES) without killing; any other advice to madvise fails (EPERM:
# MADV_MERGEABLE, MADV_DONTFORK, MADV_MERGEABLE with a bit above the int
# the kernel reads) without killing; mremap fails (ENOMEM: grown, a
# writable shared mapping would reach another relay's or forwarder's
# pages) and a realloc(3) of 1 MB to 8 MB, which glibc would grow with
# it, copies and keeps its bytes.
top=$(cd "$(dirname "$0")/../.." && pwd)
PPTPPROXY=$top/build/test/pptpproxy
. "$(dirname "$0")/lib.sh"
[ "$(uname -s)" = Linux ] || skip "Linux only"
# Build the test binary (incremental) if make test has not.
make -s -C "$top" testbuild \
    >"$TMP/make.out" 2>&1 || { cat "$TMP/make.out"; fail "test build"; }

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

# killed MODE VICTIM CALL SYSCALL: the victim's call kills it (SIGSYS)
# and ends the daemon; under -d the trap names SYSCALL.
killed() {
	mode=$1 victim=$2 call=$3 sys=$4
	PLOG=$TMP/proxy$mode-$victim-$call.log
	PPTPPROXY_TEST_CALL=$call
	export PPTPPROXY_TEST_CALL
	lab_bg fw "$PPTPPROXY" $mode -l "$PLOG" -s "$CTLSOCK" \
	    -p 192.0.2.1,198.51.100.2
	PROXY_PID=$LAST_PID
	unset PPTPPROXY_TEST_CALL
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
	    fail "$mode $call: parent still running after $victim's call"
	wait "$PROXY_PID"; rc=$?
	[ $rc -eq 1 ] || fail "$mode $victim $call: exit status $rc, not 1"

	grep -q "$victim: sandbox test: calling" "$PLOG" ||
	    fail "$mode $call: $victim did not make the call"
	grep -q "sandbox test: the call returned" "$PLOG" &&
	    fail "$mode: $victim survived $call"
	grep -q "$victim process killed by signal 31" "$PLOG" ||
	    fail "$mode $call: the parent did not log $victim's death"
	if [ "$mode" = -d ]; then
		grep -q "$victim: sandbox: forbidden system call $sys " \
		    "$PLOG" || fail "-d $call: the trap did not name $sys"
	fi
	for k in $kids; do
		[ -d /proc/$k ] &&
		    grep -aq pptpproxy /proc/$k/cmdline 2>/dev/null &&
		    fail "$mode $victim $call: process $k left behind"
	done
	echo "$mode $victim $call: $(grep -h "sandbox test: calling" "$PLOG" |
	    sed 's/.*calling //'): $(grep -h "process killed" "$PLOG" |
	    cut -d' ' -f4-)"
}

# survives VICTIM CALL ERROR: the call returns ERROR (or success: "")
# and the daemon goes on.
survives() {
	victim=$1 call=$2 err=$3
	PLOG=$TMP/proxy-d-$victim-$call.log
	PPTPPROXY_TEST_CALL=$call
	export PPTPPROXY_TEST_CALL
	lab_bg fw "$PPTPPROXY" -d -l "$PLOG" -s "$CTLSOCK" \
	    -p 192.0.2.1,198.51.100.2
	PROXY_PID=$LAST_PID
	unset PPTPPROXY_TEST_CALL
	wait_children || fail "-d: children did not start"
	v=""
	for k in $(pgrep -P "$PROXY_PID"); do
		grep -aq "pptpproxy: $victim" /proc/$k/cmdline && v=$k
	done
	[ -n "$v" ] || fail "-d: no $victim process"
	kill -USR2 "$v"
	lab_wait_log "$victim: sandbox test: the call returned" 5 ||
	    fail "$victim: $call did not return"
	grep -q "$victim: sandbox test: the call returned (${err:-success})" \
	    "$PLOG" || fail "$victim: $call did not return ${err:-success}"
	grep -q "forbidden system call" "$PLOG" &&
	    fail "$victim: $call trapped"
	kill -0 "$v" 2>/dev/null || fail "$victim died of $call"
	kill -TERM "$PROXY_PID"
	wait "$PROXY_PID"
	echo "-d $victim $call: $(grep -h "sandbox test: the call" "$PLOG" |
	    sed 's/.*sandbox test: //')"
}

for mode in -n -d; do
	for victim in gre control; do
		killed $mode $victim open openat
	done
done
for victim in gre control; do
	killed -d $victim socket-raw socket
	killed -d $victim socket-sctp socket
	killed -d $victim socket-udp socket
	killed -d $victim socket-inet6 socket
	killed -d $victim socket-blocking socket
	killed -d $victim shutdown shutdown
	killed -d $victim getpeername getpeername
	killed -d $victim fionread ioctl
	killed -d $victim sockopt-filter setsockopt
	killed -d $victim sockopt-ulp setsockopt
	killed -d $victim sockopt-cong setsockopt
	killed -d $victim sockopt-debug setsockopt
	killed -d $victim getsockopt-info getsockopt
	survives $victim syslog "Permission denied"
	survives $victim sockopt-linger "Bad file descriptor"
	survives $victim madvise-dontneed "Success"
	survives $victim madvise-mergeable "Operation not permitted"
	survives $victim madvise-dontfork "Operation not permitted"
	survives $victim madvise-upper "Operation not permitted"
	survives $victim mremap "Cannot allocate memory"
	survives $victim realloc "Success"
done
killed -d gre socket-tcp socket
survives control socket-tcp ""
killed -d gre shutdown-wr shutdown
survives control shutdown-wr "Bad file descriptor"
killed -d gre sockopt-nodelay setsockopt
survives control sockopt-nodelay "Bad file descriptor"
killed -d gre getsockopt-error getsockopt
survives control getsockopt-error "Bad file descriptor"
killed -d gre getsockopt-peercred getsockopt
survives control getsockopt-peercred "Bad file descriptor"
killed -d control getsockopt-keepidle getsockopt
killed -n control sockopt-ulp setsockopt
killed -n control getsockopt-info getsockopt
killed -n control socket-sctp socket
killed -n control shutdown shutdown
exit 0
