#!/bin/sh
# Hostile control connections (bad magic, message types, every kind of bad
# Length, random bytes, Call-ID messages before the start, a reply for a
# call that does not exist, a reused Call ID, thousands of calls, unknown
# Call IDs): each is logged and closed while a real session on the same
# proxy keeps echoing every frame; the daemon's descriptors come back to
# where they were.
. "$(dirname "$0")/lab.sh"
lab_topology 2
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 192.0.2.1 -n 1 -k 15 -t 40 > "$TMP/long.out" 2>&1 &
long=$!
lab_wait_log "call 1 up" 10 || fail "no real call"
ctl=$(pgrep -P "$PROXY_PID" | while read p; do
	grep -q control /proc/$p/cmdline 2>/dev/null && echo $p; done)
fds0=$(ls /proc/$ctl/fd | wc -l)
nsx c2 "$E2E/badctl" 192.0.2.1 > "$TMP/bad.out" 2>&1
r=$?
cat "$TMP/bad.out"
[ $r -eq 0 ] || fail "a hostile connection was not closed"
for what in "bad magic cookie" "PPTP message type 2" "unknown control message type 16" \
    "Length 0 out of range" "Length 65535 out of range" "does not match" \
    "as the client.s first message" "a reply for a call that does not exist" \
    "reused while still up" "more than 16 calls" "for unknown Call ID 4711"; do
	grep -q "$what" "$PLOG" || fail "no log line with \"$what\""
done
wait $long || { cat "$TMP/long.out"; fail "the real session was disturbed"; }
cat "$TMP/long.out"
sleep 1
fds1=$(ls /proc/$ctl/fd | wc -l)
[ "$fds1" -le "$fds0" ] || fail "descriptors grew from $fds0 to $fds1"
exit 0
