#!/bin/sh
# A Stop-Control-Connection exchange between the peers ends the control
# connection: once the Stop-Control-Connection-Reply has gone to the side
# that asked, the proxy closes both sides itself (a FIN each, no reset),
# without waiting for the asker's FIN, and the end line says who stopped.
# A scripted client (regress/e2e/pptpctl -w: after the reply it waits for
# the proxy to close, sending nothing and keeping its side open) against
# bench_refl, which does not close after its reply either; then against
# pptpd, with no call (pptpd ends the control connection itself once a
# call is cleared), which closes after its reply.
. "$(dirname "$0")/lib.sh"
bench_refl_lab 1

# check PORT CALLS: stopped by the client; prints pptpctl's lines.
check() {
	nsx c1 python3 "$E2E/pptpctl" -p "$1" -n "$2" -w 192.0.2.1 \
	    >"$TMP/ctl.out" 2>&1 || { cat "$TMP/ctl.out"; fail "pptpctl"; }
	sed "s/^/  $1: /" "$TMP/ctl.out"
	grep -q "^stop: reply$" "$TMP/ctl.out" || fail "port $1: no stop reply"
	grep -q "^after stop: closed in 0\." "$TMP/ctl.out" ||
	    fail "port $1: the proxy did not close within 1 s of the reply"
}
check 1724 1
lab_wait_log "ended after" 5 || fail "no end line"
grep "ended after" "$PLOG" | sed 's/^.*control: /  /'
grep "ended after" "$PLOG" | grep -q "(stopped by the client): 1 call" ||
    fail "the end line does not say the client stopped"
# bench_refl saw our FIN: nothing of it left at the server.
sleep 0.5
n=$(nsx s ss -tnH 'sport = :1724' | wc -l)
[ "$n" -eq 0 ] || fail "$n connections left at bench_refl: $(nsx s ss -tnH 'sport = :1724')"
check 1723 0
lab_wait_log "session 2: .* ended after" 5 || fail "no end line for pptpd"
grep "session 2: .*ended after" "$PLOG" | sed 's/^.*control: /  /'
# pptpd closes after its reply: whichever the relay sees first.
grep "session 2: .*ended after" "$PLOG" |
    grep -q "(stopped by the client)\|(server closed)" ||
    fail "the end line for pptpd gives an unexpected reason"
grep -i "reset\|broken pipe" "$PLOG" && fail "a reset or error in the log"
exit 0
