#!/bin/sh
# A compromised control relay sends the parent descriptors: 300 copies
# of /dev/null as SCM_RIGHTS, on ACL requests the parent would answer.
# No channel to the parent carries descriptors: the parent closes them,
# does not keep them (its descriptor count does not grow), says the
# child sent a descriptor, treats it as compromised and ends (status 1,
# no child left).  The old parent queued them and went on, its table of
# descriptors filling.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
lab_topology 1
hostile_start
before=$(parent_fds)
"$HOSTILE" "$(hostile_child control)" fds 300 >"$TMP/hostile.out" 2>&1
cat "$TMP/hostile.out"
# Whatever the parent does, it must not hold the descriptors.
i=0
while kill -0 "$PROXY_PID" 2>/dev/null && [ $i -lt 20 ]; do
	after=$(parent_fds)
	[ "$after" -le $((before + 2)) ] ||
	    fail "the parent holds $after descriptors, $before before"
	sleep 0.1
	i=$((i + 1))
done
hostile_ended "300 descriptors" "sent a descriptor on a channel that carries none"
exit 0
