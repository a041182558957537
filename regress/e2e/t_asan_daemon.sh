#!/bin/sh
# The daemon built with AddressSanitizer and UBSan (make asan:
# build/asan/pptpproxy) through a life with real peers: two pptp-linux
# clients echo and hold their calls, show sessions, a reload by SIGHUP
# with a changed configuration (a second proxy), kill session of client
# 2, a new call of client 1, SIGUSR1 to every process, then SIGTERM: the
# parent exits 0, no child ended on its own, and neither the log (the
# children's fd 2 at -d, seccomp or not) nor the daemon's standard error
# has a sanitizer report.  In a child, a report's first lines (what, a
# read or a write, its size) reach the log with color=never (no isatty);
# its stack trace needs open(2), which the sandbox answers by killing the
# child (SIGSYS), and the parent logs that; elsewhere a report ends the
# process with status 86 (exitcode).  Leaks are not checked
# (detect_leaks=0).  A counted skip without the build (make test builds
# it); a build there is brought up to date first.  Plant: asan_heap_overread.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
PPTPPROXY=$TOP/build/asan/pptpproxy
[ -x "$PPTPPROXY" ] || skip "no $PPTPPROXY (make asan)"
# Built once: brought up to date with the sources (incremental), so that
# an older build does not stand in for the code under test.
make -s -C "$TOP" asan >"$TMP/make.out" 2>&1 ||
    { cat "$TMP/make.out"; fail "make asan"; }
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
ASAN_OPTIONS=detect_leaks=0:color=never:exitcode=86:abort_on_error=0
UBSAN_OPTIONS=color=never:print_stacktrace=1:halt_on_error=1:exitcode=86
export ASAN_OPTIONS UBSAN_OPTIONS
ERR=$TMP/stderr
EXTRA_LOGS=$ERR

# conf [EXTRA]: office, allowing the clients' subnet; EXTRA a second
# proxy on port 1724.
conf() {
	cat >"$TMP/p.conf" <<EOC
control socket "$CTLSOCK"
timeout stop 5
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
	allow from 192.0.2.0/24
}
EOC
	[ -z "${1:-}" ] || cat >>"$TMP/p.conf" <<EOC
proxy "spare" {
	listen on 192.0.2.1 port 1724
	server 198.51.100.2 port 1723
}
EOC
}
# reports: the sanitizer lines of the log and standard error, if any.
reports() {
	grep -h -e "ERROR: AddressSanitizer" -e "runtime error:" \
	    -e "SUMMARY: .*Sanitizer" -e "exited with status" \
	    -e "killed by signal" -e "forbidden system call" \
	    "$PLOG" "$ERR" 2>/dev/null
}

conf
lab_topology 2
lab_pptpd
lab_proxy fw -f "$TMP/p.conf" 2>"$ERR"
kids=$(proxy_children)
[ "$(echo $kids | wc -w)" -ge 2 ] || fail "the daemon has children '$kids'"
echo "daemon: parent $PROXY_PID, children $kids"

# Two clients echo, then hold their calls.
lab_hold_two
hold1=$HOLD1 hold2=$HOLD2
sleep 1
ctl show sessions >"$TMP/sessions.txt" || fail "show sessions"
cat "$TMP/sessions.txt"
ctl -j show sessions >"$TMP/sessions.json" || fail "show sessions -j"
sessions_match "$TMP/sessions.json" 192.0.2.10="$TMP/c1.out" \
    192.0.2.11="$TMP/c2.out" >"$TMP/check.out" 2>&1
r=$?
cat "$TMP/check.out"
[ $r -eq 0 ] || fail "show sessions -j: $(tail -n 1 "$TMP/check.out")"
id2=$(python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["sessions"]:
    if s["client"]["address"] == "192.0.2.11":
        print(s["id"])' "$TMP/sessions.json")
[ -n "$id2" ] || fail "no session of client 2"

# SIGHUP with a second proxy.
conf spare
kill -HUP "$PROXY_PID" || fail "cannot send SIGHUP"
lab_wait_log "control: configuration reloaded" 5 ||
    fail "the control relay did not get the new configuration"
lab_wait_port fw 1724 5 || fail "nothing listens on 1724 after the reload"

# kill session of client 2; client 1 holds, and makes a new call.
out=$(ctl kill session "$id2") || fail "kill session $id2 failed"
echo "kill session $id2: $out"
lab_gone $hold2 10 || fail "client 2 still holds its call after kill session"
lab_wait_log "session $id2: .* ended after" 10 ||
    fail "no end line for session $id2"
kill -0 $hold1 2>/dev/null || fail "client 1's held call ended with the kill"
lab_drive c1 -g 3 -n 50 -t 20 192.0.2.1 >"$TMP/c1b.out" 2>&1 ||
    fail "client 1's new call: $(cat "$TMP/c1b.out")"

# SIGUSR1 to every process.
[ "$(proxy_children)" = "$kids" ] ||
    fail "the children changed: $(proxy_children)"
for p in $PROXY_PID $kids; do
	kill -USR1 "$p" || fail "cannot signal $p"
done
lab_wait_log "gre: [0-9]* routes" 5 || fail "no status line of the GRE forwarder"
lab_wait_log "control: session [0-9]*: 192\.0\.2\.10:.*relaying" 5 ||
    fail "no status line of client 1's session"
[ "$(proxy_children)" = "$kids" ] ||
    fail "the children changed after SIGUSR1: $(proxy_children)"

# SIGTERM: status 0, and nothing from a sanitizer.
proxy_term
lab_gone $hold1 10 || fail "client 1 still holds its call after the stop"
r=$(reports)
[ -z "$r" ] || fail "sanitizer report or a child's end: $r"
grep -q "AddressSanitizer\|runtime error" "$PLOG" "$ERR" &&
    fail "a sanitizer line"
exit 0
