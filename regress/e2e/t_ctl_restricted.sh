#!/bin/sh
# The restricted control socket, used by a user who is not root (a user
# and group id no one has, through setpriv: nothing to create or remove):
#   the daemon makes it root's, of the group and mode the file gives
#   (0660), the full socket staying root's, 0600;
#   with a pptp-linux client's call up through pptpd, the user in the
#   group reads show sessions (text and -j), show session ID, show summary
#   and show metrics on it;
#   kill session, reload and log brief / verbose are refused, each with
#   its message and exit status 1, and a log line naming the uid; the
#   session and its call stay, the file changed before the refused reload
#   is not read (its new proxy does not listen), the log level stays
#   debug;
#   a burst of refusals logs at most 5 lines a second, then a count of
#   those held back;
#   the user cannot connect to the full socket, and a user outside the
#   group cannot connect to the restricted one;
#   root's reload on the full socket does read the file (the new proxy
#   listens), the restricted socket changed there is logged as set at
#   start only and keeps its mode; both sockets go when the daemon stops.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
command -v setpriv >/dev/null 2>&1 || skip "no setpriv (util-linux)"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
RUID=64321		# the monitoring user
RGID=64322		# the group the restricted socket is given
OGID=64323		# a group without access
for g in $RGID $OGID; do
	getent group $g >/dev/null && skip "group id $g is in use here"
done
getent passwd $RUID >/dev/null && skip "user id $RUID is in use here"
# A copy the user can run, whatever the permissions of the build tree.
cp "$PPTPPROXYCTL" "$TMP/pptpproxyctl" && chmod 0755 "$TMP/pptpproxyctl" ||
    fail "cannot copy pptpproxyctl"
ROSOCK=$TMP/ro.sock
full() {
	"$PPTPPROXYCTL" -s "$CTLSOCK" "$@"
}
# as GID SOCKET ARGS: pptpproxyctl as the user, with group GID alone.
as() {
	_g=$1 _s=$2
	shift 2
	setpriv --reuid=$RUID --regid="$_g" --clear-groups \
	    "$TMP/pptpproxyctl" -s "$_s" "$@"
}
ro() {
	as $RGID "$ROSOCK" "$@"
}

lab_topology 1
lab_pptpd
cat >"$TMP/p.conf" <<EOC
control socket "$ROSOCK" restricted group $RGID mode 0660
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
}
EOC
lab_proxy fw -f "$TMP/p.conf"

# The sockets: the full one root's, 0600; the restricted one 0660, group.
m=$(stat -c '%a %u %g' "$CTLSOCK")
[ "$m" = "600 0 0" ] || fail "full control socket mode/owner '$m'"
[ -S "$ROSOCK" ] || fail "no restricted control socket at $ROSOCK"
m=$(stat -c '%a %u %g' "$ROSOCK")
[ "$m" = "660 0 $RGID" ] || fail "restricted control socket mode/owner '$m'"
setpriv --reuid=$RUID --regid=$RGID --clear-groups id -u | grep -qx $RUID ||
    fail "setpriv does not change the user"

# Who may connect where.
as $RGID "$CTLSOCK" show summary >/dev/null 2>"$TMP/full.err" &&
    fail "the user connected to the full control socket"
grep -q "connect to $CTLSOCK: Permission denied" "$TMP/full.err" ||
    fail "full socket as the user: $(cat "$TMP/full.err")"
as $OGID "$ROSOCK" show summary >/dev/null 2>"$TMP/other.err" &&
    fail "a user outside the group connected to the restricted socket"
grep -q "connect to $ROSOCK: Permission denied" "$TMP/other.err" ||
    fail "restricted socket outside the group: $(cat "$TMP/other.err")"

# A call up, held.
lab_drive c1 -n 100 -w 8 -t 60 -H 60 192.0.2.1 >"$TMP/c1.out" 2>&1 &
pc=$!
lab_track $pc
lab_wait_log "HOLD:" 60 "$TMP/c1.out" ||
    fail "the client did not echo its frames: $(cat "$TMP/c1.out")"
cat "$TMP/c1.out"
sleep 0.5

# Reading works.
ro show sessions >"$TMP/s.txt" 2>"$TMP/s.err" ||
    fail "show sessions on the restricted socket: $(cat "$TMP/s.err")"
cat "$TMP/s.txt"
grep -q "192\.0\.2\.10:" "$TMP/s.txt" || fail "show sessions: no client"
grep -q "office" "$TMP/s.txt" || fail "show sessions: no proxy name"
id=$(ro -j show sessions | python3 -c '
import json, sys
ss = json.load(sys.stdin)["sessions"]
assert len(ss) == 1, ss
s = ss[0]
assert s["client"]["address"] == "192.0.2.10", s
assert s["proxy"] == "office", s
assert len(s["calls"]) == 1 and s["calls"][0]["state"] == "up", s
print(s["id"])') || fail "show sessions -j on the restricted socket"
ro show session "$id" >"$TMP/one.txt" || fail "show session $id"
grep -q "192\.0\.2\.10" "$TMP/one.txt" || fail "show session $id: no client"
ro show summary >"$TMP/sum.txt" || fail "show summary"
grep -q "office" "$TMP/sum.txt" || fail "show summary: no proxy"
ro show metrics >"$TMP/met.txt" || fail "show metrics"
grep -qx 'pptpproxy_sessions{proxy="office"} 1' "$TMP/met.txt" ||
    fail "show metrics: $(grep sessions "$TMP/met.txt")"

# Changing is refused.  The file gains a proxy first: a reload that went
# through would make it listen.
cat >>"$TMP/p.conf" <<EOC
proxy "added" {
	listen on 192.0.2.1 port 1724
	server 198.51.100.2 port 1723
}
EOC
refused() {
	_what=$1
	shift
	ro "$@" >"$TMP/r.out" 2>"$TMP/r.err" &&
	    fail "$* went through on the restricted socket"
	grep -qx "pptpproxyctl: $_what refused: this control socket is restricted (read-only); ask on the full one, as root" \
	    "$TMP/r.err" || fail "$*: said '$(cat "$TMP/r.err")'"
	[ -s "$TMP/r.out" ] && fail "$*: printed '$(cat "$TMP/r.out")'"
	lab_wait_log "restricted control socket: $_what refused (client [0-9]*, uid $RUID)" 5 ||
	    fail "no log line for the refused $*"
}
refused reload reload
out=$(ro -j reload 2>/dev/null) && fail "reload -j went through"
[ "$out" = '{"ok":false,"message":"reload refused: this control socket is restricted (read-only); ask on the full one, as root"}' ] ||
    fail "reload -j said '$out'"
refused "log level" log brief
refused "log level" log verbose
refused "kill session" kill session "$id"
sleep 1
grep -q "reload asked on the control socket" "$PLOG" &&
    fail "the parent saw a reload"
grep -q "log level .*asked on the control socket" "$PLOG" &&
    fail "the log level was changed"
grep -q "ending it, asked on the control socket" "$PLOG" &&
    fail "the session was told to end"
lab_port_closed fw 1724 || fail "the file was read: proxy added listens"
kill -0 $pc 2>/dev/null || fail "the client's pptpdrive ended"
ro -j show sessions | python3 -c '
import json, sys
ss = json.load(sys.stdin)["sessions"]
assert len(ss) == 1 and len(ss[0]["calls"]) == 1, ss' ||
    fail "the session or its call went"
# Still at debug level: the restricted socket's clients are debug lines.
n0=$(log_count "restricted control socket: client [0-9]* connected")
ro show summary >/dev/null || fail "show summary after the refusals"
sleep 0.3
n1=$(log_count "restricted control socket: client [0-9]* connected")
[ "$n1" -gt "$n0" ] || fail "no debug line: the log level changed"

# A burst of refusals: a few lines a second, then a count.
sleep 1.1
n0=$(log_count "restricted control socket: .* refused")
t0=$(date +%s)
i=0
while [ $i -lt 40 ]; do
	ro reload 2>/dev/null
	i=$((i + 1))
done
t1=$(date +%s)
lab_wait_log "similar messages suppressed" 5 ||
    fail "no count of held-back lines"
n=$(( $(log_count "restricted control socket: .* refused") - n0 ))
max=$((5 * (t1 - t0 + 1)))
echo "40 refusals in $((t1 - t0 + 1)) s or less: $n log lines (at most $max)"
[ $n -lt 40 ] && [ $n -le $max ] || fail "$n lines for 40 refusals"
[ $n -ge 1 ] || fail "no refusal logged"

# Root, on the full socket: the reload reads the file.  The restricted
# socket changed there stays as it is, logged.
sed -i "s/ mode 0660\$/ mode 0666/" "$TMP/p.conf"
out=$(full reload) || fail "root's reload on the full socket"
[ "$out" = "configuration reloaded" ] || fail "root's reload said '$out'"
lab_wait_port fw 1724 5 || fail "root's reload: proxy added does not listen"
lab_wait_log "restricted control socket is set at start only: it stays $ROSOCK" 5 ||
    fail "no line for the changed restricted socket"
m=$(stat -c '%a %u %g' "$ROSOCK")
[ "$m" = "660 0 $RGID" ] || fail "restricted socket changed by a reload: '$m'"
ro show summary | grep -q "added" ||
    fail "the restricted socket does not show the reloaded proxy"

# Both sockets go with the daemon.
kill -TERM "$PROXY_PID"
lab_gone "$PROXY_PID" 15 || fail "the daemon did not stop"
[ -e "$CTLSOCK" ] && fail "the full control socket was left behind"
[ -e "$ROSOCK" ] && fail "the restricted control socket was left behind"
exit 0
