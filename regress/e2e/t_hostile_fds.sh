#!/bin/sh
# A compromised control relay sends the parent descriptors (copies of
# /dev/null as SCM_RIGHTS).
# Where the kernel can (Linux 6.16, SO_PASSRIGHTS), the parent's end of
# each child's channel refuses them: the relay's sendmsg(2) fails with
# EPERM, nothing reaches the parent, which goes on, with no line about
# it; so do a marked message and 250 at once.
# Then, with that refusal off (the test build's PPTPPROXY_TEST_FDS_IN), or
# on an older kernel, the parent keeps none of those that come:
#  - 300, one with each of 300 ACL requests that announce none: each is
#    closed as the next message is read, the parent's descriptor count
#    stays where it was, and it goes on (the requests are honest ones);
#  - one with a request marked as carrying it: the parent says the child
#    sent a descriptor, treats it as compromised and ends (status 1, no
#    child left);
#  - 250 in one go: more than a read takes; the same end.
# The old parent queued every descriptor that came and went on, its table
# of descriptors filling.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
lab_topology 1

# refused WHAT ARGS...: hostile control ARGS is refused by the kernel;
# the parent goes on, no descriptor more, no line about it.
refused() {
	_what=$1
	shift
	_before=$(parent_fds)
	hostile control "$@"
	[ $_hrc -eq 3 ] || fail "$_what: not refused by the kernel (hostile $_hrc)"
	sleep 0.3
	kill -0 "$PROXY_PID" 2>/dev/null || fail "$_what: the parent ended"
	[ "$(parent_fds)" -le "$_before" ] ||
	    fail "$_what: the parent holds $(parent_fds) descriptors, $_before before"
	grep -q "compromised\|descriptor" "$PLOG" &&
	    fail "$_what: a line about it: $(grep "compromised\|descriptor" "$PLOG")"
	note "ok: $_what: refused by the kernel, the parent goes on"
}

hostile_start
hostile control fds 1 1
if [ $_hrc -eq 3 ]; then
	refused "300 descriptors, one a request" fds 300 1
	refused "a marked message" fdmark
	refused "250 at once" fds 250 250
	kill -TERM "$PROXY_PID"
	wait "$PROXY_PID" 2>/dev/null
	# What the parent does with those that come, refusal off.
	make -s -C "$top" testbuild >"$TMP/make.out" 2>&1 ||
	    { cat "$TMP/make.out"; fail "test build"; }
	PPTPPROXY=$top/build/test/pptpproxy
	PPTPPROXY_TEST_FDS_IN=1
	export PPTPPROXY_TEST_FDS_IN
	hostile_start
else
	[ $_hrc -eq 0 ] || fail "could not send a descriptor"
	# _kmaj, _kmin: the running kernel's version (hostile.sh).
	[ "$_kmaj" -gt 6 ] || { [ "$_kmaj" -eq 6 ] && [ "$_kmin" -ge 16 ]; } &&
	    fail "Linux $_kmaj.$_kmin has SO_PASSRIGHTS, yet the parent took a descriptor"
	note "the kernel lets descriptors through (no SO_PASSRIGHTS): the parent's own checks"
fi
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
