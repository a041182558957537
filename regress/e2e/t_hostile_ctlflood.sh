#!/bin/sh
# A compromised control relay asks the parent, as fast as it can, what
# only pptpproxyctl's requests make it ask: 400 log level changes (debug
# and info in turn), then 400 reloads.  The parent's lines about them
# are limited in rate (at most five a second, then one line saying how
# many were held back), the first reload is done and the others are
# refused (less than 5 s after it), the log level ends where the last
# request put it, and the daemon goes on.  Before, each request wrote a
# line: a child could fill the log without passing through the limits
# its own lines have.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
lab_topology 1
hostile_start
hostile control ctllog 400 || fail "could not send the log level requests"
hostile control reloads 400 || fail "could not send the reloads"
# One more, in a later second, brings the line that counts those held.
sleep 1.5
hostile control ctllog 1 || fail "could not send the last request"
sleep 0.5
kill -0 "$PROXY_PID" 2>/dev/null || fail "the parent ended: $(tail -n 5 "$PLOG")"
levels=$(grep -c "log level .*, asked on the control socket" "$PLOG")
refused=$(grep -c "reload asked on the control socket refused" "$PLOG")
done1=$(grep -c "reload asked on the control socket$" "$PLOG")
held=$(grep "similar messages suppressed" "$PLOG" | sed 's/.*: \([0-9]*\) similar.*/\1/' |
    awk '{ s += $1 } END { print s + 0 }')
note "log level lines $levels, reloads done $done1, refusals logged $refused, held back $held"
[ "$levels" -ge 1 ] || fail "no log level line at all"
[ $((levels + refused)) -le 20 ] ||
    fail "$levels log level lines and $refused refusals for 800 requests"
[ "$held" -ge 700 ] || fail "only $held lines said held back"
[ "$done1" -eq 1 ] || fail "$done1 reloads done, not 1"
grep -q "compromised" "$PLOG" && fail "called compromised: $(grep compromised "$PLOG")"
# The last request was info: a debug line would show otherwise.
grep -q "log level info, asked on the control socket" "$PLOG" ||
    fail "no line for the level info"
exit 0
