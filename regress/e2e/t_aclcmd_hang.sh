#!/bin/sh
# -x with a command that never ends: after the 5 s timeout it is killed
# and counts as a refusal (logged), while another client, let in by -a,
# keeps echoing all along; no ACL command is left running.
. "$(dirname "$0")/lib.sh"
lab_topology 2
lab_pptpd
cat >"$TMP/hang" <<'EOS'
#!/bin/sh
while :; do sleep 1; done
EOS
chmod 755 "$TMP/hang"
lab_proxy fw -p 192.0.2.1,198.51.100.2 -a 192.0.2.10/32 -x "$TMP/hang"
lab_drive c1 -n 100 -k 14 -t 30 192.0.2.1 >"$TMP/long.out" 2>&1 &
long=$!
lab_track $long
lab_wait_log "call 1 up" 10 || fail "no call from the client let in by -a"
sleep 1
t0=$(date +%s.%N)
lab_drive c2 -n 5 -t 12 192.0.2.1 && fail "a client whose command hung got through"
t1=$(date +%s.%N)
lab_wait_log "192.0.2.11.*not allowed" 5 || fail "no refusal logged for the hung command"
grep "192.0.2.11" "$PLOG" | grep -i "not allowed\|timed out\|kill" | sed 's/^.*: \(control\|parent\): //'
el=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
echo "the client of the hung command was closed after $el s"
awk "BEGIN { exit !($el >= 4.5 && $el < 9) }" ||
    fail "closed after $el s, not about 5 s"
wait $long || { cat "$TMP/long.out"; fail "the other session was disturbed while the command hung"; }
cat "$TMP/long.out"
for p in $(ip netns pids "$(ns fw)"); do
	if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "$TMP/hang"; then
		fail "the hung command (pid $p) is still running"
	fi
done
exit 0
