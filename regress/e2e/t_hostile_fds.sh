#!/bin/sh
# A compromised control relay sends the parent descriptors (copies of
# /dev/null as SCM_RIGHTS).  The parent keeps none of them:
#  - 300, one with each of 300 ACL requests that announce none: each is
#    closed as the next message is read, the parent's descriptor count
#    stays where it was, and it goes on (the requests are honest ones);
#  - one with a request marked as carrying it: the parent says the child
#    sent a descriptor, treats it as compromised and ends (status 1, no
#    child left);
#  - 250 in one go: more than a read takes; the same end.
# The old parent queued every descriptor that came and went on, its table
# of descriptors filling.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
lab_topology 1
hostile_start
before=$(parent_fds)
hostile control fds 300 1 || fail "could not send 300 descriptors"
sleep 0.5
kill -0 "$PROXY_PID" 2>/dev/null || fail "the parent ended"
after=$(parent_fds)
note "parent: $before descriptors before, $after after 300 came"
[ "$after" -le $((before + 1)) ] ||
    fail "the parent holds $after descriptors, $before before"
grep -q "compromised" "$PLOG" && fail "unannounced descriptors called compromised"
hostile control fdmark || fail "could not send the marked one"
hostile_ended "a descriptor on a message" "control process sent a descriptor with message"

hostile_start
"$HOSTILE" "$(hostile_child control)" fds 250 250 >"$TMP/hostile.out" 2>&1
cat "$TMP/hostile.out"
hostile_ended "250 descriptors at once" "control process sent descriptors it may not send"
exit 0
