#!/bin/sh
# "limit connections" raised on reload takes effect where the sessions
# live, by value: with 2, of 3 connections 2 are held and 1 refused;
# after a reload to 3, 3 are held, and of 4, 1 is refused.  The control
# relay has all the descriptors it may get for that: its soft limit at
# the hard limit, which the parent raised as far as it could (to
# fs.nr_open, with CAP_SYS_RESOURCE).
# Then a daemon that cannot raise its hard limit (600, no
# CAP_SYS_RESOURCE): a reload to more connections than 600 descriptors
# carry says so in the log.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
conf=$TMP/c.conf
mk() {
	printf 'limit connections %s\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n' "$1" >"$conf"
}
# flood N WANT_CLOSED: N connections held 2 s, WANT_CLOSED refused (each
# sends a byte at once, to reach the relay at once).
flood() {
	out=$(nsx c1 "$E2E/connflood" 192.0.2.1 "$1" 2 --first)
	echo "$1 connections: $out"
	set -- "$1" "$2" $out
	[ "$4" -eq "$1" ] || fail "$1 connections: only $4 opened"
	[ "$8" -eq "$2" ] ||
	    fail "$1 connections: $8 refused, expected $2 ($out)"
	sleep 1
}
# The daemon started with a soft limit (1000) below its hard limit.
REAL=$PPTPPROXY
cat >"$TMP/wrap1" <<EOW
#!/bin/sh
exec prlimit --nofile=1000:$(ulimit -Hn) "$REAL" "\$@"
EOW
chmod 755 "$TMP/wrap1"
[ "$(ulimit -Hn)" -gt 1000 ] || skip "the hard descriptor limit is 1000 or less"
PPTPPROXY=$TMP/wrap1
mk 2
lab_proxy fw -f "$conf"
ctl=$(proxy_child control)
nr_open=$(cat /proc/sys/fs/nr_open)
hard=$(awk '/^Max open files/ { print $5 }' "/proc/$PROXY_PID/limits")
lim=$(awk '/^Max open files/ { print $4 " " $5 }' "/proc/$ctl/limits")
echo "control process descriptors: $lim, the parent's hard limit $hard" \
    "(fs.nr_open $nr_open: reached where the parent may raise it)"
[ "$lim" = "$hard $hard" ] ||
    fail "the control process may open $lim descriptors, not $hard"
flood 2 0
flood 3 1
mk 3
kill -HUP "$PROXY_PID"
lab_wait_log "configuration reloaded" 5 || fail "no reload"
flood 3 0
flood 4 1
grep -q "needs .* descriptors" "$PLOG" && fail "a descriptor warning"
kill -TERM "$PROXY_PID"
wait "$PROXY_PID"

command -v setpriv >/dev/null 2>&1 && command -v prlimit >/dev/null 2>&1 ||
    skip "no setpriv(1) or prlimit(1) for the second part"
cat >"$TMP/wrap" <<EOW
#!/bin/sh
exec prlimit --nofile=600:600 setpriv --bounding-set -sys_resource \
    "$REAL" "\$@"
EOW
chmod 755 "$TMP/wrap"
PPTPPROXY=$TMP/wrap
mk 100
lab_proxy fw -f "$conf"
ctl=$(proxy_child control)
lim=$(awk '/^Max open files/ { print $4 " " $5 }' "/proc/$ctl/limits")
[ "$lim" = "600 600" ] || fail "the control process may open $lim, not 600"
mk 200
kill -HUP "$PROXY_PID"
lab_wait_log "configuration reloaded" 5 || fail "no reload"
grep "needs .* descriptors" "$PLOG" | sed 's/^[^]]*\]: /  /'
grep -q "limit connections 200: needs 656 descriptors, the control process has 600: about 172 connections until a restart" "$PLOG" ||
    fail "no line saying the descriptors do not suffice"
exit 0
