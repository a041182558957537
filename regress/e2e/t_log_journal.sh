#!/bin/sh
# Under systemd, standard error is the journal's stream and JOURNAL_STREAM
# names it (device:inode): then each line starts with its syslog priority,
# "<3>" for errors and warnings, "<6>" for information, so that
# "journalctl -p warning" shows the warnings; the journal stamps the time
# itself.  The children's lines, which go through the parent, too.  With
# JOURNAL_STREAM naming another file, lines are as on a terminal (time
# stamp, no priority).  The children keep no way to the log of their own
# (their fds 1 and 2 are /dev/null): a child taken over cannot pass the
# parent's limits.
. "$(dirname "$0")/lib.sh"
lab_ns fw
ip -n "$(ns fw)" addr add 192.0.2.1/24 dev lo

# run NAME STREAM: the daemon in the foreground, standard error to
# $TMP/NAME, JOURNAL_STREAM=STREAM (or that file's when STREAM is "-");
# one pair's address is on no interface (a warning); SIGUSR1 for the
# children's lines.
run() {
	f=$TMP/$1
	: >"$f"
	js=$2
	[ "$js" = - ] && js=$(stat -c '%d:%i' "$f")
	lab_bg fw sh -c 'f=$1; shift; exec "$@" 2>>"$f"' sh "$f" \
	    env JOURNAL_STREAM="$js" "$PPTPPROXY" -n -s "$CTLSOCK" \
	    -p 192.0.2.1,198.51.100.2 -p 203.0.113.99,198.51.100.2
	pid=$LAST_PID
	lab_wait_log "started" 5 "$f" || fail "$1: no start: $(cat "$f")"
	sleep 0.3
	# The daemon runs under setsid's pid, or as its child.
	parent=$(pgrep -f -P "$pid" "pptpproxy: parent" || echo "$pid")
	kill -USR1 "$parent"
	lab_wait_log "gre: .*routes" 5 "$f" || fail "$1: no gre line: $(cat "$f")"
	lab_wait_log "control: .*sessions" 5 "$f" ||
	    fail "$1: no control line: $(cat "$f")"
	# Below the debug level the children log only through the parent.
	d=$(proxy_direct_log "$parent")
	[ -z "$d" ] || fail "$1: a child's own way to the log: $d"
	kill -TERM "$parent"
	wait "$pid" 2>/dev/null
}

run journal -
f=$TMP/journal
sed 's/^/  /' "$f"
grep -qx "<6>parent: pptpproxy .* started" "$f" ||
    fail "no '<6>parent: ... started' line"
# 203.0.113.99 is on no interface: a warning (bound later, or ignored).
grep -q "^<3>parent: .*203.0.113.99" "$f" ||
    fail "the warning about 203.0.113.99 is not at priority 3"
grep -q "^<6>control: .*sessions" "$f" || fail "no '<6>control:' line"
grep -q "^<6>gre: .*routes" "$f" || fail "no '<6>gre:' line"
bad=$(grep -v "^<[0-7]>" "$f" | head -n 3)
[ -z "$bad" ] || fail "lines without a priority: $bad"

run other 1:1
f=$TMP/other
grep -q "^<" "$f" && fail "a priority prefix on a stream that is not the journal: $(grep "^<" "$f" | head -n 1)"
grep -q "^20[0-9-]* [0-9:.]* pptpproxy\[[0-9]*\]: control: .*sessions" "$f" ||
    fail "no time-stamped control line when not under the journal: $(cat "$f")"
exit 0
