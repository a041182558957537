#!/bin/sh
# Every connection and call limit, checked by value, at the limit and one
# above it, against "limit connections 50", "per-address 20" and "limit
# calls 3":
#  - per address: 20 connections from one address are all held; 21 from
#    it: exactly one is closed, with exactly one per-address refusal
#    logged;
#  - in all: 20 + 20 + 10 from three addresses are all held; 20 + 20 + 11:
#    exactly one is closed, with exactly one total refusal logged (and no
#    per-address one);
#  - calls (a scripted client, regress/e2e/pptpctl, to a server that takes
#    16 calls a connection, bench_refl): 3 calls on one connection each
#    get an Outgoing-Call-Reply with result 1 (connected); a 4th gets the
#    proxy's Outgoing-Call-Reply with result 4 (busy), the log says why,
#    and the connection and its 3 calls stay (each is cleared, the
#    connection stopped, normally).
# Then a thousand connections from the three addresses: no address holds
# more than 20, no more than 50 in all, the excess is refused and logged
# (a few lines a second at most), the daemon keeps its descriptors, and a
# real client gets through afterwards.
. "$(dirname "$0")/lib.sh"
bench_refl_lab 3 "limit connections 50" "limit connections per-address 20" \
    "limit calls 3" "timeout first-message 10"
ctl=$(proxy_child control) || fail "no control relay"
fds0=$(ls /proc/$ctl/fd | wc -l)

# idle [SECONDS]: wait (5 s, or SECONDS) until the relay holds no connection (its descriptors are
# back to what they were at the start).
idle() {
	_i=0
	while [ "$(ls /proc/$ctl/fd | wc -l)" -gt "$fds0" ] &&
	    [ $_i -lt $(( ${1:-5} * 10 )) ]
	do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(ls /proc/$ctl/fd | wc -l)" -le "$fds0" ] ||
	    fail "the relay still holds connections"
}

# flood "NS COUNT ..." HOLD: connflood from each NS at once, COUNT
# connections each, held HOLD seconds (each sends one byte at once: on
# Linux a silent one reaches the relay only after a while); sets OPENED and CLOSED (the sums)
# and MAXHELD (the most held from one address), and prints each line.
flood() {
	_pids=""
	_hold=$1
	shift
	while [ $# -ge 2 ]; do
		nsx "$1" "$E2E/connflood" 192.0.2.1 "$2" "$_hold" --first \
		    >"$TMP/$1.out" 2>&1 &
		_pids="$_pids $!"
		lab_track $!
		shift 2
	done
	for _p in $_pids; do wait $_p; done
	OPENED=0
	CLOSED=0
	MAXHELD=0
	for _f in "$TMP"/c?.out; do
		[ -s "$_f" ] || continue
		echo "$(basename "$_f" .out): $(cat "$_f")"
		set -- $(cat "$_f")
		[ "$1" = opened ] || fail "connflood: $(cat "$_f")"
		OPENED=$((OPENED + $2))
		CLOSED=$((CLOSED + $6))
		[ $(($2 - $6)) -le "$MAXHELD" ] || MAXHELD=$(($2 - $6))
	done
	rm -f "$TMP"/c?.out
}

PA="(limit connections per-address)"
TOT="connections already (limit connections)"

# Per address, at the limit and one above.
pa0=$(log_count "$PA")
flood 2 c1 20
[ "$OPENED" -eq 20 ] && [ "$CLOSED" -eq 0 ] ||
    fail "20 connections from 192.0.2.10 (the per-address limit):" \
	"$OPENED opened, $CLOSED closed; all should be held"
[ "$(log_count "$PA")" -eq "$pa0" ] || fail "a refusal logged at the limit"
idle
flood 2 c1 21
[ "$OPENED" -eq 21 ] && [ "$CLOSED" -eq 1 ] ||
    fail "21 connections from 192.0.2.10 (one above the per-address" \
	"limit 20): $CLOSED closed, expected exactly 1"
[ "$(log_count "$PA")" -eq $((pa0 + 1)) ] ||
    fail "$(( $(log_count "$PA") - pa0 )) per-address refusals logged," \
	"expected 1"
grep "$PA" "$PLOG" | tail -n 1 | sed 's/^.*control: //'
idle

# In all, at the limit and one above.
t0=$(log_count "$TOT")
flood 3 c1 20 c2 20 c3 10
[ "$OPENED" -eq 50 ] && [ "$CLOSED" -eq 0 ] ||
    fail "50 connections in all (the limit): $OPENED opened, $CLOSED" \
	"closed; all should be held"
[ "$(log_count "$TOT")" -eq "$t0" ] || fail "a refusal logged at the limit"
idle
flood 3 c1 20 c2 20 c3 11
[ "$OPENED" -eq 51 ] && [ "$CLOSED" -eq 1 ] ||
    fail "51 connections in all (one above the limit 50): $CLOSED" \
	"closed, expected exactly 1"
[ "$(log_count "$TOT")" -eq $((t0 + 1)) ] ||
    fail "$(( $(log_count "$TOT") - t0 )) total refusals logged, expected 1"
[ "$(log_count "$PA")" -eq $((pa0 + 1)) ] ||
    fail "a per-address refusal with no address above 20"
grep "$TOT" "$PLOG" | tail -n 1 | sed 's/^.*control: //'
idle

# Calls on one connection, at the limit and one above.
nsx c1 python3 "$E2E/pptpctl" -p 1724 -n 3 192.0.2.1 >"$TMP/calls3" 2>&1 ||
    { cat "$TMP/calls3"; fail "the scripted client could not start"; }
cat "$TMP/calls3"
[ "$(grep -c '^call [123]: result 1 ' "$TMP/calls3")" -eq 3 ] ||
    fail "3 calls (the limit) on one connection: not all connected"
grep -q "^calls: 3 connected, 0 refused, 0 unanswered, closed: no" \
    "$TMP/calls3" || fail "3 calls on one connection: $(tail -n 1 "$TMP/calls3")"
VC="Outgoing-Call-Request refused: 3 calls on this connection already (limit calls)"
v0=$(log_count "$VC")
nsx c1 python3 "$E2E/pptpctl" -p 1724 -n 4 192.0.2.1 >"$TMP/calls4" 2>&1 ||
    { cat "$TMP/calls4"; fail "the scripted client could not start"; }
cat "$TMP/calls4"
[ "$(grep -c '^call [123]: result 1 ' "$TMP/calls4")" -eq 3 ] ||
    fail "4 calls on one connection: the first 3 not all connected"
grep -q "^call 4: result 4 " "$TMP/calls4" ||
    fail "a 4th call (one above the limit 3): $(grep '^call 4' "$TMP/calls4")," \
	"expected an Outgoing-Call-Reply with result 4 (busy)"
grep -q "^calls: 3 connected, 1 refused, 0 unanswered, closed: no" \
    "$TMP/calls4" ||
    fail "the connection of the refused 4th call: $(tail -n 1 "$TMP/calls4")"
[ "$(log_count "$VC")" -eq $((v0 + 1)) ] ||
    fail "no log line for the call above the limit"
grep "$VC" "$PLOG" | tail -n 1 | sed 's/^.*control: //'
idle

# The flood.
flood 2 c1 334 c2 334 c3 334
held=$((OPENED - CLOSED))
[ "$held" -le 50 ] || fail "$held connections held, limit 50"
[ "$MAXHELD" -le 20 ] ||
    fail "$MAXHELD connections held from one address, limit 20"
grep -q "$PA" "$PLOG" || fail "no per-address refusal logged"
grep -q "$TOT" "$PLOG" || fail "no total refusal logged"
n=$(grep -c "refused 192.0.2" "$PLOG")
[ "$n" -lt 200 ] || fail "$n refusal lines: not rate-limited"
# The flood's connections end at their timeouts (10 s after each came).
idle 30
lab_drive c1 -n 20 -t 20 192.0.2.1 || fail "a real client after the flood"
grep -q "similar messages suppressed" "$PLOG" || fail "no suppression line"
sleep 1
fds1=$(ls /proc/$ctl/fd | wc -l)
[ "$fds1" -le "$fds0" ] || fail "descriptors grew from $fds0 to $fds1"
exit 0
