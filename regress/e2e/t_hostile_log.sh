#!/bin/sh
# A compromised control relay floods the parent with log lines: first
# one at LOG_EMERG, then 1,000,000 at LOG_INFO as fast as the channel
# takes them.  The parent writes the first at LOG_CRIT (the highest it
# uses itself), and of the flood at most a burst of LOG_RELAY_BURST
# lines and LOG_RELAY_RATE a second; it counts the rest and says so in
# lines "child control (pid N): M log lines dropped", at most one each
# LOG_RELAY_NOTE_SECS: written plus counted is exactly what was sent.
# The parent's memory stays where it was, and sessions go on: afterwards
# a call goes through, its lines in the log.  Standard error is the
# journal's stream here, so that each line shows its priority.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
burst=$(sed -n 's/^#define LOG_RELAY_BURST[	 ]*\([0-9]*\).*/\1/p' \
    "$TOP/src/pptpproxy.h")
rate=$(sed -n 's/^#define LOG_RELAY_RATE[	 ]*\([0-9]*\).*/\1/p' \
    "$TOP/src/pptpproxy.h")
[ -n "$burst" ] && [ -n "$rate" ] || fail "no LOG_RELAY_BURST or _RATE"
lab_topology 1
lab_pptpd
: >"$PLOG"
lab_bg fw sh -c 'f=$1; shift; exec "$@" 2>>"$f"' sh "$PLOG" \
    env JOURNAL_STREAM="$(stat -c '%d:%i' "$PLOG")" "$PPTPPROXY" -d \
    -s "$CTLSOCK" -p 192.0.2.1,198.51.100.2 -a 192.0.2.0/24
PROXY_PID=$LAST_PID
lab_wait_port fw 1723 10 || fail "pptpproxy did not start listening"
_i=0
while [ "$(echo $(proxy_children) | wc -w)" -ne 2 ] && [ $_i -lt 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
ctl=$(hostile_child control)
hostile_child gre >/dev/null
rss0=$(parent_rss)
note "parent before: RSS $rss0 kB; bucket $burst lines, $rate a second"

n=1000000
t0=$(date +%s.%N)
"$HOSTILE" -c "$ctl" log $n 100 >"$TMP/log.out" 2>&1
t1=$(date +%s.%N)
cat "$TMP/log.out"
grep -q "^log: $n of $n sent" "$TMP/log.out" ||
    fail "the parent did not take every line"
secs=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
# Every count is out within LOG_RELAY_NOTE_SECS of the last drop.
sleep 6
kill -0 "$PROXY_PID" 2>/dev/null || fail "the parent ended"
rss=$(parent_rss)
wrote=$(grep -c "^<6>control: hostile flood x" "$PLOG")
counted=$(sed -n "s/^<3>parent: child control (pid $ctl): \([0-9]*\) log lines dropped, beyond $rate a second\$/\1/p" "$PLOG" |
    awk '{ n += $1 } END { print n + 0 }')
notes=$(grep -c "^<3>parent: child control (pid $ctl): [0-9]* log lines dropped" "$PLOG")
note "$n lines sent in $secs s: $wrote written, $counted counted in $notes lines; parent RSS $rss kB"
grep -q "^<2>control: hostile: at LOG_EMERG\$" "$PLOG" ||
    fail "the LOG_EMERG line is not written at LOG_CRIT: $(grep "LOG_EMERG" "$PLOG")"
grep -q "^<[01]>" "$PLOG" && fail "a line above LOG_CRIT: $(grep "^<[01]>" "$PLOG" | head -n 1)"
[ "$notes" -ge 1 ] || fail "no line saying how many were dropped"
# At most one count each 5 s, from the first drop (after about
# burst / rate s) to 5 s after the last.
maxnotes=$(echo "$secs" | awk '{ printf "%d", $1 / 5 + 2 }')
[ "$notes" -le "$maxnotes" ] ||
    fail "$notes lines with a count in $secs s, at most $maxnotes expected"
[ $((wrote + counted)) -eq $n ] ||
    fail "$wrote written and $counted counted: not $n"
max=$(echo "$burst $rate $secs" | awk '{ printf "%d", $1 + $2 * ($3 + 1) }')
[ "$wrote" -le "$max" ] ||
    fail "$wrote lines written in $secs s, at most $max expected"
[ "$rss" -le $((rss0 + 6144)) ] ||
    fail "the parent's RSS is $rss kB, $rss0 kB before"

# Sessions go on, and their lines are written.
lab_drive c1 -k 3 -w 3 -t 30 192.0.2.1 >"$TMP/drive.out" 2>&1 ||
    { cat "$TMP/drive.out"; fail "no call through after the flood"; }
grep -q "^<6>control: session [0-9]*: call 1 up" "$PLOG" ||
    fail "no line for the call after the flood"
grep -q "compromised" "$PLOG" && fail "the flood was called compromised"
kill -TERM "$PROXY_PID"
wait "$PROXY_PID"
exit 0
