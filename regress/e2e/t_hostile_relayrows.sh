#!/bin/sh
# relays 2: a compromised relay 1 lies in its answers over its link to
# relay 0 (the test build's PPTPPROXY_TEST_RELAY_ROW makes it):
#  - "other": its summary's relay row with relay 0's index;
#  - "twice": its relay row twice in one summary;
#  - "gretwice": its GRE forwarder's totals twice in one summary (with
#    a forwarder a relay, relay 0 adds each relay's up once);
#  - "rowtwice": a proxy's row twice in one summary (relay 0 adds each
#    relay's row of each of its proxies once);
#  - "unasked": a relay row of its own at the end of show sessions (a
#    summary still answered right before it);
#  - "greunasked": its GRE forwarder's totals at the end of show
#    sessions (the same summary first).
# Each time relay 0 says what relay 1 did and stops, the daemon with it:
# exit 1, no child left; pptpproxyctl fails and prints no row.
# And "rowflood": 20000 more rows in one summary, each named as no proxy
# is: relay 0 takes none (relay 1 may have taken a reload it has not
# yet), so its rows do not grow; the summary is answered, with the one
# proxy, and the daemon goes on.
top=$(cd "$(dirname "$0")/../.." && pwd)
PPTPPROXY=$top/build/test/pptpproxy
. "$(dirname "$0")/lib.sh"
make -s -C "$top" testbuild \
    >"$TMP/make.out" 2>&1 || { cat "$TMP/make.out"; fail "test build"; }
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
lab_topology 1
relays_conf 2

# start HOW: the daemon with relay 1 lying as HOW, its four children up
# (two relays, a GRE forwarder each).
start() {
	PPTPPROXY_TEST_RELAY_ROW=$1
	export PPTPPROXY_TEST_RELAY_ROW
	lab_proxy fw -f "$TMP/p.conf"
	unset PPTPPROXY_TEST_RELAY_ROW
	proxy_wait_children 4 || fail "$1: children $KIDS"
}

# refused CASE ARGS...: pptpproxyctl ARGS fails and prints nothing.
refused() {
	_c=$1
	shift
	ctl "$@" >"$TMP/ctl.out" 2>"$TMP/ctl.err" &&
	    fail "$_c: pptpproxyctl $* ok: $(cat "$TMP/ctl.out")"
	[ -s "$TMP/ctl.out" ] &&
	    fail "$_c: pptpproxyctl $* printed: $(cat "$TMP/ctl.out")"
	note "ok: $_c: pptpproxyctl: $(head -n 1 "$TMP/ctl.err")"
}

start other
refused "relay 0's row" show summary
proxy_stopped "relay 0's row" "control: fatal: relay 1 sent the row of relay 0$" relay0

start twice
refused "its row twice" -j show summary
proxy_stopped "its row twice" "control: fatal: relay 1 sent a relay row twice$" relay0

start gretwice
refused "its GRE totals twice" show summary
proxy_stopped "its GRE totals twice" "control: fatal: relay 1 sent a GRE row twice$" relay0

start rowtwice
refused "a proxy row twice" show summary
proxy_stopped "a proxy row twice" \
    "control: fatal: relay 1 sent the row of proxy office twice$" relay0

# summary_first CASE: show summary still works, with both relays' rows.
summary_first() {
	ctl show summary >"$TMP/sum.txt" || fail "$1: show summary"
	grep '^relay ' "$TMP/sum.txt" >"$TMP/rows.txt"
	cat "$TMP/rows.txt"
	[ "$(cut -d' ' -f1-2 "$TMP/rows.txt" | tr '\n' ' ')" = \
	    "relay 0 relay 1 " ] ||
	    fail "$1: show summary's relay rows: $(cat "$TMP/sum.txt")"
}

start unasked
summary_first unasked
refused "a row unasked" show sessions
proxy_stopped "a row unasked" "control: fatal: relay 1 sent a relay row unasked$" relay0

start greunasked
summary_first greunasked
refused "GRE totals unasked" show sessions
proxy_stopped "GRE totals unasked" \
    "control: fatal: relay 1 sent a GRE row unasked$" relay0
start rowflood
summary_first rowflood
grep -q madeup "$TMP/sum.txt" &&
    fail "rowflood: made-up rows shown: $(grep -c madeup "$TMP/sum.txt")"
[ "$(grep -c '^proxy ' "$TMP/sum.txt")" -eq 1 ] ||
    fail "rowflood: proxy rows: $(grep '^proxy ' "$TMP/sum.txt")"
ctl -j show summary >"$TMP/sum.json" || fail "rowflood: show summary -j"
grep -q madeup "$TMP/sum.json" && fail "rowflood: made-up rows in JSON"
kill -0 "$PROXY_PID" 2>/dev/null || fail "rowflood: the daemon ended"
note "ok: rowflood: one proxy row, the made-up ones left out"
kill -TERM "$PROXY_PID"
lab_gone "$PROXY_PID" 15 || fail "rowflood: still running after SIGTERM"
wait "$PROXY_PID"
_rc=$?
[ $_rc -eq 0 ] || fail "rowflood: exit status $_rc after SIGTERM"
proxy_children_gone rowflood
exit 0
