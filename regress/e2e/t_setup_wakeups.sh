#!/bin/sh
# Call setups wake the parent and the GRE forwarder rarely: at the normal
# log level the informational lines of a setup (call up, call down,
# session end) reach the parent in batches, and the GRE forwarder is not
# woken at all: a call's routes are in the table it shares with the relay
# (src/rtable.h), read at the call's first packet.  bench_gen
# makes a few thousand setups (one at a time: connect, Start-Control-
# Connection, Outgoing-Call, Call-Clear, Stop, close) against bench_refl;
# the voluntary context switches of each process over them are counted.
# Before the batching: the parent 3 a setup, the GRE forwarder 3; with
# routes by message, the GRE forwarder 1.
. "$(dirname "$0")/lib.sh"
[ "$(uname -s)" = Linux ] || skip "Linux only (context switch counts)"
[ -x "$TOOLS/bench_gen" ] && [ -x "$TOOLS/bench_refl" ] ||
    skip "no bench_gen/bench_refl (make tools)"
bench_setup_proxy
gre=$(proxy_child gre) || fail "no GRE forwarder"
vcs() {
	awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"
}
p0=$(vcs "$PROXY_PID")
g0=$(vcs "$gre")
out=$(nsx c1 "$TOOLS/bench_gen" -m setup -c 192.0.2.1 -C 1 -d 2 -v 10)
# The last lines are logged within 20 ms; let them arrive.
sleep 0.5
p1=$(vcs "$PROXY_PID")
g1=$(vcs "$gre")
n=$(echo "$out" | tr ' ' '\n' | sed -n 's/^setups=//p')
ok=$(echo "$out" | tr ' ' '\n' | sed -n 's/^verify_ok=//p')
[ -n "$n" ] && [ "$n" -ge 200 ] || fail "too few setups: $out"
[ "$ok" = yes ] || fail "the call after the setups lost data: $out"
# every session and call was logged (none lost in a batch)
c=$(log_count "call 1 up")
[ "$c" -ge "$n" ] || fail "$c call-up lines for $n setups"
echo "$n setups; wake-ups: parent $((p1 - p0)), gre $((g1 - g0))"
# Allowed: a tenth a setup for the parent, plus 150 for the 2.5 s
# measured (a batch every 20 ms at most, when setups are slow); a tenth
# a setup for the forwarder, plus 150 for the call that checks data.
[ $(( (p1 - p0) * 10 )) -le $((n + 1500)) ] ||
    fail "parent woken $((p1 - p0)) times for $n setups"
[ $(( (g1 - g0) * 10 )) -le $((n + 1500)) ] ||
    fail "GRE forwarder woken $((g1 - g0)) times for $n setups"
exit 0
