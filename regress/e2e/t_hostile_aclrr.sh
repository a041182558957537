#!/bin/sh
# relays 2, acl-command limit 1: the one running slot goes to the relays
# in turn.  The ACL command logs the time each run starts, takes 5 s for
# any address but c1's, and lets c1 in at once.  A compromised relay 1
# (build/tools/hostile, "pptpproxy: control 1") asks for checks of
# 203.0.113.1-3, its share of 3: the first runs, the two others wait.  A
# real client, c1 (192.0.2.10, which the steering hands to relay 0),
# connects while the first runs.  Its check starts as that one ends,
# before relay 1's two others (in the order asked it would wait for all
# three, 15 s): the commands start in the order .1, c1, .2, .3; c1's
# about 5 s after .1's; c1's verdict comes less than 7.5 s after it
# connected (in the order asked, 10 s or more); relay 1's second starts
# as c1's ends (no slot idles).  c1's call goes through pptpd, and the
# daemon, stopped, ends with status 0.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
S=5
lab_topology 1
lab_pptpd
hostile_acl_relays $S

# Sessions 1000000, 1000002, 1000004: relay 1's (relay_of_sess()).
"$HOSTILE" -c "$R1" aclmany 3 1000000 2 203.0.113.1 1 ||
    fail "relay 1's 3 requests not sent"
lab_wait_log " 203.0.113.1$" 5 "$TMP/runs" ||
    fail "relay 1's 1st check did not start"

t0=$(date +%s.%N)
lab_drive c1 -n 20 -t 40 192.0.2.1 >"$TMP/drive.out" 2>&1 &
drv=$!
lab_track $drv
lab_wait_log "client 192.0.2.10 allowed (acl command" $((4 * S)) ||
    fail "c1 not let in within $((4 * S)) s"
t1=$(date +%s.%N)
sid=$(grep -m 1 "session [0-9]*: accepted 192.0.2.10:" "$PLOG" |
    sed 's/^.*session \([0-9]*\): accepted.*$/\1/')
[ -n "$sid" ] && [ $((sid % 2)) -eq 1 ] ||
    fail "c1's session ${sid:-?} is not relay 0's"
lab_wait_log " 203.0.113.3$" $((S + 3)) "$TMP/runs" ||
    fail "relay 1's 3rd check did not start"
cat "$TMP/runs"

# In turn: one of relay 1's, c1's, then relay 1's others.
order=$(awk '$1 == "start" { printf "%s ", $3 }' "$TMP/runs")
[ "$order" = "203.0.113.1 192.0.2.10 203.0.113.2 203.0.113.3 " ] ||
    fail "commands started in the order $order, not .1, c1, .2, .3"
# c1's started as .1 ended, not later; .2 as c1's ended.
set -- $(awk '$1 != "start" { next }
    $3 == "203.0.113.1" { h1 = $2 } $3 == "192.0.2.10" { c = $2 }
    $3 == "203.0.113.2" { h2 = $2 }
    END { printf "%.2f %.2f\n", c - h1, h2 - c }' "$TMP/runs")
gap1=$1
gap2=$2
awk -v g="$gap1" -v s=$S 'BEGIN { exit !(g >= s - 0.5 && g <= s + 1.5) }' ||
    fail "c1's command started $gap1 s after relay 1's first, not about $S"
awk -v g="$gap2" 'BEGIN { exit !(g < 2) }' ||
    fail "relay 1's second started $gap2 s after c1's: the slot idled"
wait_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
awk -v w="$wait_s" -v s=$S 'BEGIN { exit !(w < s * 1.5) }' ||
    fail "c1's verdict came $wait_s s after it connected, not within $S"
note "ok: c1's command started second, $gap1 s after relay 1's first;" \
    "its verdict $wait_s s after it connected; relay 1's second" \
    "$gap2 s after it"

wait $drv || { cat "$TMP/drive.out"; fail "c1: no call through the proxy"; }
grep -q "too many acl checks waiting" "$PLOG" &&
    fail "a request refused as too many waiting"
grep -q "compromised" "$PLOG" && fail "relay 1 called compromised"
kill -0 "$PROXY_PID" 2>/dev/null || fail "the daemon ended"
note "ok: c1's call went through"

kill -TERM "$PROXY_PID"
lab_gone "$PROXY_PID" 10 || fail "the daemon did not stop"
wait "$PROXY_PID"
rc=$?
[ $rc -eq 0 ] || fail "the daemon exited with $rc, not 0"
exit 0
