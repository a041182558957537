#!/bin/sh
# A compromised child floods the parent with requests and never reads
# the answers: the GRE forwarder 100000 offload polls, the control relay
# 100000 ACL requests.  The parent answers one poll at a time (a poll
# while the last answer still waits here is refused, and said so), and
# stops reading a child with more than 1024 answers waiting (and says
# so); its memory and descriptors stay where they were, give or take a
# little.  Both floods are requests an honest child may make, so the
# parent goes on: afterwards a real call goes through, and the kernel
# forwards its GRE.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
lab_topology 1
lab_pptpd
hostile_start offload
fds0=$(parent_fds)
rss0=$(parent_rss)
note "parent before: $fds0 descriptors, RSS $rss0 kB"

# bounded WHAT: descriptors and memory of the parent still as before.
bounded() {
	kill -0 "$PROXY_PID" 2>/dev/null || fail "$1: the parent ended"
	_f=$(parent_fds)
	_r=$(parent_rss)
	note "parent after $1: $_f descriptors, RSS $_r kB"
	[ "$_f" -le $((fds0 + 2)) ] ||
	    fail "$1: the parent has $_f descriptors, $fds0 before"
	[ "$_r" -le $((rss0 + 6144)) ] ||
	    fail "$1: the parent's RSS is $_r kB, $rss0 kB before"
}

gre=$(hostile_child gre)
"$HOSTILE" "$gre" poll 100000 >"$TMP/poll.out" 2>&1
cat "$TMP/poll.out"
grep -q "poll: 100000 of 100000 sent" "$TMP/poll.out" ||
    fail "the parent did not take every poll (it should refuse them cheaply)"
lab_wait_log "asked for the offload counters before it read the last answer: refused" 5 ||
    fail "no line saying a poll was refused"
bounded "100000 polls"
kill -CONT "$gre"

ctl=$(hostile_child control)
"$HOSTILE" "$ctl" acl 100000 192.0.2.10 1 >"$TMP/acl.out" 2>&1
cat "$TMP/acl.out"
lab_wait_log "control has not read the last 1025 messages: not reading it until it does" 5 ||
    fail "no line saying the parent stopped reading the control relay at 1025 answers"
bounded "100000 ACL requests"
kill -CONT "$ctl"

sleep 1
grep -q "compromised" "$PLOG" && fail "an honest kind of request called compromised"
# A real call, its GRE forwarded by the kernel.
lab_drive c1 -k 3 -w 3 -t 30 192.0.2.1 >"$TMP/drive.out" 2>&1 &
drv=$!
lab_track $drv
lab_wait_log "call 1 up" 15 || fail "no call up after the floods"
sleep 1.5
nsx fw nft list set ip pptpproxy peers >"$TMP/peers" 2>&1
n=$(grep -c "counter packets" "$TMP/peers")
[ "$n" -eq 2 ] || fail "expected the call's 2 elements in the peers set, saw $n"
wait $drv || { cat "$TMP/drive.out"; fail "frames did not come back intact"; }
bounded "the call"
kill -TERM "$PROXY_PID"
wait "$PROXY_PID"
exit 0
