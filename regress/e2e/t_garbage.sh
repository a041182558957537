#!/bin/sh
# Hostile control connections while a real session echoes: random bytes,
# a bad Magic Cookie, Length 0, Length 65535, and more (badctl: wrong
# message types and lengths, Call-ID messages before the start, replies for
# calls that do not exist, a reused Call ID, thousands of calls, unknown
# Call IDs).  Each bad connection is closed with a log line saying why;
# the real session gets every frame back; the control process does not
# keep descriptors for them.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_topology 2
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 -n 200 -k 15 -t 40 192.0.2.1 >"$TMP/long.out" 2>&1 &
long=$!
lab_track $long
lab_wait_log "call 1 up" 10 || fail "no real call"
ctl=$(proxy_child control)
[ -n "$ctl" ] || fail "no control process"
fds0=$(ls "/proc/$ctl/fd" | wc -l)
nsx c2 python3 "$E2E/badctl" 192.0.2.1 >"$TMP/bad.out" 2>&1
r=$?
cat "$TMP/bad.out"
[ $r -eq 0 ] || fail "a hostile connection was not closed"
ncases=$(grep -c "^closed - " "$TMP/bad.out")
[ "$ncases" -ge 4 ] || fail "badctl ran only $ncases cases"
# Random bytes, bad magic, Length 0 and Length 65535 each with its reason.
for what in "bad magic cookie" "Length 0 " "Length 65535 "; do
	grep "192.0.2.11:[0-9]* ended after.*protocol violation" "$PLOG" |
	    grep -q "$what" || fail "no session end logged with \"$what\""
done
# Every hostile session (all from 192.0.2.11) ended, with a reason.
i=0
while [ "$(grep "192.0.2.11:[0-9]* ended after" "$PLOG" | wc -l)" -lt "$ncases" ] &&
    [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
n=$(grep -c "192.0.2.11:[0-9]* ended after" "$PLOG")
[ "$n" -eq "$ncases" ] || fail "$n of $ncases hostile sessions logged as ended"
n=$(grep "192.0.2.11:[0-9]* ended after" "$PLOG" | grep -c "(protocol violation")
if [ "$n" -ne "$ncases" ]; then
	# which, and how each of those went
	grep "192.0.2.11:[0-9]* ended after" "$PLOG" |
	    grep -v "(protocol violation" | sed 's/^.*control: /  /' |
	    while read -r line; do
		echo "$line"
		sid=$(echo "$line" | sed -n 's/^session \([0-9]*\):.*/\1/p')
		[ -n "$sid" ] && grep "session $sid:" "$PLOG" | sed 's/^/    /'
	    done
	fail "only $n of $ncases hostile sessions ended for a protocol violation"
fi
grep "192.0.2.11:[0-9]* ended after" "$PLOG" |
    sed 's/^.*control: //; s/: [0-9]* calls\{0,1\},.*//'
wait $long || { cat "$TMP/long.out"; fail "the real session lost frames"; }
cat "$TMP/long.out"
grep -q "192.0.2.10:[0-9]* ended after" "$PLOG" || fail "the real session did not end normally"
sleep 1
fds1=$(ls "/proc/$ctl/fd" | wc -l)
echo "control process descriptors: $fds0 during the real session, $fds1 after all"
[ "$fds1" -le "$fds0" ] || fail "descriptors grew from $fds0 to $fds1"
kill -0 "$PROXY_PID" || fail "the daemon died"
exit 0
