#!/bin/sh
# A compromised GRE forwarder lies to its relay (relay 0) in the answers
# to the relay's polls for the control socket:
#  - "unasked": counts with no poll out (an honest forwarder answers each
#    poll once, counts then END, and the relay has one out at a time);
#  - "type": a message of a type the forwarder never sends;
#  - "flood": more counts in the answer to one poll than there are keys
#    (the forwarder is stopped while the poll waits, so its own answer
#    does not come first).
# Each time relay 0 says what the forwarder did and stops, the daemon
# with it: exit 1, no child left.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
lab_topology 1

hostile_start
"$HOSTILE" -c -p "$(hostile_child gre)" counts 1 || true
proxy_stopped unasked "control: fatal: IMSG_GRE_CTL_COUNTS without a poll$" relay0

hostile_start
"$HOSTILE" -c -p "$(hostile_child gre)" type 65535 || true
proxy_stopped type "control: fatal: unexpected message 65535 from gre$" relay0

# 65536 keys: 256 messages of 256 counts are as many as there may be.
hostile_start
GRE=$(hostile_child gre)
kill -STOP "$GRE"
ctl show summary >"$TMP/ctl.out" 2>"$TMP/ctl.err" &
cpid=$!
sleep 1
"$HOSTILE" -c -p "$GRE" counts 257 >"$TMP/hostile.out" 2>&1
cat "$TMP/hostile.out"
wait "$cpid" && fail "flood: show summary ok: $(cat "$TMP/ctl.out")"
[ -s "$TMP/ctl.out" ] && fail "flood: show summary printed: $(cat "$TMP/ctl.out")"
proxy_stopped flood \
    "control: fatal: IMSG_GRE_CTL_COUNTS: more than 65536 counts in a poll$" relay0
exit 0
