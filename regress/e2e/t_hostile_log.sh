#!/bin/sh
# A compromised control relay floods the parent with log lines: first
# one at LOG_EMERG, then 1,000,000 at LOG_INFO as fast as the channel
# takes them.  The parent writes the first at LOG_CRIT (the highest it
# uses itself), and of the flood at most a burst of LOG_RELAY_BURST
# lines and LOG_RELAY_RATE a second; it counts the rest and says so in
# lines "child control (pid N): M log lines dropped", at most one each
# LOG_RELAY_NOTE_SECS: written plus counted is exactly what was sent.
# Then a flood of 300,000 long lines (1000 bytes each, 300 MB), which
# the line bucket alone would mostly let through: the parent writes at
# most LOG_RELAY_BYTES_BURST bytes of them at once and
# LOG_RELAY_BYTES_RATE a second (and at least the burst), and counts the
# rest in the same lines.
# The parent's memory stays where it was, and sessions go on: afterwards
# a call goes through, its lines in the log.  Standard error is the
# journal's stream here, so that each line shows its priority.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
def() {
	sed -n "s/^#define $1[	 ]*(*\([0-9][0-9 *]*\))*.*/\1/p" \
	    "$TOP/src/pptpproxy.h" | awk '{ n = 1; for (i = 1; i <= NF; i++)
	    if ($i != "*") n *= $i; print n }'
}
burst=$(def LOG_RELAY_BURST)
rate=$(def LOG_RELAY_RATE)
bburst=$(def LOG_RELAY_BYTES_BURST)
brate=$(def LOG_RELAY_BYTES_RATE)
[ -n "$burst" ] && [ -n "$rate" ] && [ -n "$bburst" ] && [ -n "$brate" ] ||
    fail "no LOG_RELAY_BURST, _RATE, _BYTES_BURST or _BYTES_RATE"

# flood N LEN: N lines of LEN bytes from the control relay, then 6 s for
# the last count; sets SECS (how long the sending took), WROTE (flood
# lines written), COUNTED (lines the counts since the flood began say
# were dropped) and NOTES (how many such counts); checks the LOG_EMERG
# line, the count's lines, written plus counted, and the parent alive.
flood() {
	_mark=$(wc -l <"$PLOG")
	_t0=$(date +%s.%N)
	"$HOSTILE" -c "$ctl" log "$1" "$2" >"$TMP/log.out" 2>&1
	_t1=$(date +%s.%N)
	cat "$TMP/log.out"
	grep -q "^log: $1 of $1 sent" "$TMP/log.out" ||
	    fail "the parent did not take every line"
	SECS=$(echo "$_t0 $_t1" | awk '{ printf "%.1f", $2 - $1 }')
	# Every count is out within LOG_RELAY_NOTE_SECS of the last drop.
	sleep 6
	kill -0 "$PROXY_PID" 2>/dev/null || fail "the parent ended"
	tail -n +"$((_mark + 1))" "$PLOG" >"$TMP/since"
	WROTE=$(grep -c "^<6>control: hostile flood x\{$(($2 - 14))\}\$" \
	    "$TMP/since")
	COUNTED=$(sed -n "s/^<3>parent: child control (pid $ctl): \([0-9]*\) log lines dropped, beyond $rate lines or $brate bytes a second\$/\1/p" "$TMP/since" |
	    awk '{ n += $1 } END { print n + 0 }')
	NOTES=$(grep -c "^<3>parent: child control (pid $ctl): [0-9]* log lines dropped" "$TMP/since")
	note "$1 lines of $2 bytes sent in $SECS s: $WROTE written," \
	    "$COUNTED counted in $NOTES lines"
	grep -q "^<2>control: hostile: at LOG_EMERG\$" "$TMP/since" ||
	    fail "the LOG_EMERG line is not written at LOG_CRIT:" \
		"$(grep "LOG_EMERG" "$TMP/since")"
	[ "$NOTES" -ge 1 ] || fail "no line saying how many were dropped"
	# At most one count each 5 s, from the first drop to 5 s after
	# the last.
	_max=$(echo "$SECS" | awk '{ printf "%d", $1 / 5 + 2 }')
	[ "$NOTES" -le "$_max" ] ||
	    fail "$NOTES lines with a count in $SECS s, at most $_max expected"
	[ $((WROTE + COUNTED)) -eq "$1" ] ||
	    fail "$WROTE written and $COUNTED counted: not $1"
}

lab_topology 1
lab_pptpd
: >"$PLOG"
lab_bg fw sh -c 'f=$1; shift; exec "$@" 2>>"$f"' sh "$PLOG" \
    env JOURNAL_STREAM="$(stat -c '%d:%i' "$PLOG")" "$PPTPPROXY" -d \
    -s "$CTLSOCK" -p 192.0.2.1,198.51.100.2 -a 192.0.2.0/24
PROXY_PID=$LAST_PID
lab_wait_port fw 1723 10 || fail "pptpproxy did not start listening"
proxy_wait_children 2
ctl=$(hostile_child control)
hostile_child gre >/dev/null
rss0=$(parent_rss)
note "parent before: RSS $rss0 kB; buckets $burst lines, $rate a second," \
    "$bburst bytes, $brate a second"

# Short lines: the line bucket bounds them.
flood 1000000 100
max=$(echo "$burst $rate $SECS" | awk '{ printf "%d", $1 + $2 * ($3 + 1) }')
[ "$WROTE" -le "$max" ] ||
    fail "$WROTE lines written in $SECS s, at most $max expected"

# Long lines: the byte bucket bounds them, to far fewer lines.
flood 300000 1000
max=$(echo "$bburst $brate $SECS" |
    awk '{ printf "%d", ($1 + $2 * ($3 + 1)) / 1000 }')
least=$((bburst / 1000))
[ "$WROTE" -le "$max" ] ||
    fail "$WROTE lines of 1000 bytes written in $SECS s, at most $max" \
	"expected ($bburst bytes at once, $brate a second)"
[ "$WROTE" -ge "$least" ] ||
    fail "$WROTE lines of 1000 bytes written, not even the burst ($least)"
grep -q "^<[01]>" "$PLOG" &&
    fail "a line above LOG_CRIT: $(grep "^<[01]>" "$PLOG" | head -n 1)"
rss=$(parent_rss)
note "parent after: RSS $rss kB"
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
