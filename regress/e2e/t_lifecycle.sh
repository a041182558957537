#!/bin/sh
# The life of the daemon, as an administrator lives it, with real peers:
#  1. make install into a scratch root (DESTDIR, PREFIX=/usr/local) from
#     the test's own copy of the build; everything after runs the
#     INSTALLED pptpproxy and pptpproxyctl, with a configuration written
#     here: user nobody, a scratch chroot directory (root's, 0755), the
#     control socket in the test's directory, an ACL allowing both clients
#     by subnet, and gre offload where nft(8) is installed.
#  2. pptpproxy -t says "configuration OK"; the daemon starts in fw, and
#     every one of its processes runs the installed binary.
#  3. Two pptp-linux clients echo 200 and 300 frames and hold their calls.
#  4. show sessions (text and -j) lists both, counters matching the frames
#     sent (sessions_match in lib.sh).
#  5. kill session ends client 2's session: the client and the server side
#     of that session get a Stop-Control-Connection-Request, answer it,
#     and the proxy closes with FIN, no reset (in the capture); meanwhile
#     a second call of client 1 goes on echoing every frame.
#  6. The ACL loses client 2's subnet, pptpproxyctl reload: a new
#     connection of client 2 is refused with the proxy's line, client 1
#     still sets up a new call that echoes.
#  7. SIGUSR1 to every process of this daemon (parent and children): all
#     stay, the same pids; the log gets the session list with states in
#     words and the GRE forwarder's status.
#  8. SIGTERM to the parent: the remaining session's client and server get
#     a Stop-Control-Connection-Request, answer it, FIN and no reset; the
#     parent exits 0, every process of the daemon is gone, and so is the
#     nftables table of gre offload.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
command -v tcpdump >/dev/null 2>&1 || skip "no tcpdump"
command -v make >/dev/null 2>&1 || skip "no make"
id nobody >/dev/null 2>&1 || skip "no user nobody"

# 1. Install, from a copy of build/ (its objects, so that nothing is
# compiled again when they are up to date; the test's tools and unit
# tests are not part of it): build/ itself is left alone.
B=$TMP/build
R=$TMP/root
mkdir -p "$B"
for f in "$TOP"/build/*; do
	[ -e "$f" ] || continue
	case ${f##*/} in
	tools|unit|fuzz|asan|testbuild|*.log) continue ;;
	esac
	cp -a "$f" "$B/" || fail "cannot copy $f"
done
make -s -C "$TOP" install B="$B" DESTDIR="$R" PREFIX=/usr/local \
    >"$TMP/install.out" 2>&1 ||
    fail "make install failed: $(tail -n 5 "$TMP/install.out")"
grep -q "DESTDIR set: not creating user" "$TMP/install.out" ||
    fail "make install with DESTDIR: no line saying it made no user"
for f in sbin/pptpproxy sbin/pptpproxyctl; do
	[ -f "$R/usr/local/$f" ] && [ -x "$R/usr/local/$f" ] ||
	    fail "make install did not install /usr/local/$f"
	[ "$(stat -c %a "$R/usr/local/$f")" = 555 ] ||
	    fail "/usr/local/$f has mode $(stat -c %a "$R/usr/local/$f")"
done
PPTPPROXY=$R/usr/local/sbin/pptpproxy
PPTPPROXYCTL=$R/usr/local/sbin/pptpproxyctl
echo "installed: $(cd "$R" && find . -type f | sort | tr '\n' ' ')"

mkdir "$TMP/empty"
chown root:root "$TMP/empty"
chmod 755 "$TMP/empty"
if command -v nft >/dev/null 2>&1; then
	OFFLOAD=yes
else
	OFFLOAD=no
	echo "no nft(8): gre offload no"
fi
# conf ACL: the configuration, allowing ACL.
conf() {
	cat >"$TMP/p.conf" <<EOC
user "nobody"
chroot "$TMP/empty"
control socket "$CTLSOCK"
gre offload $OFFLOAD
timeout stop 5
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
	allow from $1
}
EOC
}
conf 192.0.2.0/24

lab_topology 2
lab_pptpd
nsx fw sysctl -qw net.ipv4.ip_forward=1 || fail "cannot set ip_forward in fw"
# The whole life in one capture, both sides of the firewall.
lab_capture fw "$TMP/life.pcap"

# 2. The check, then the start.
out=$(nsx fw "$PPTPPROXY" -t -f "$TMP/p.conf" 2>&1) ||
    fail "pptpproxy -t failed: $out"
[ "$out" = "configuration OK" ] || fail "pptpproxy -t said: $out"
PROXY_SOCK=none lab_proxy fw -f "$TMP/p.conf"
[ -S "$CTLSOCK" ] || fail "no control socket at $CTLSOCK"
kids=$(proxy_children)
[ "$(echo $kids | wc -w)" -ge 2 ] || fail "the daemon has children '$kids'"
for p in $PROXY_PID $kids; do
	[ "$(readlink "/proc/$p/exe")" = "$PPTPPROXY" ] ||
	    fail "process $p runs $(readlink "/proc/$p/exe"), not the installed binary"
done
echo "daemon: parent $PROXY_PID, children $kids"
if [ $OFFLOAD = yes ]; then
	nsx fw nft list table ip pptpproxy >/dev/null 2>&1 ||
	    fail "gre offload yes, and no nftables table ip pptpproxy"
fi

# 3. Two clients echo, then hold their calls.
lab_hold_two
hold1=$HOLD1 hold2=$HOLD2
sleep 1

# 4. Both sessions, their counters.
ctl show sessions >"$TMP/sessions.txt" || fail "show sessions"
cat "$TMP/sessions.txt"
for a in 10 11; do
	grep -q "^[0-9][0-9]* *192\.0\.2\.$a:[0-9]* *office  *198\.51\.100\.2:1723 *relaying .* 1 " \
	    "$TMP/sessions.txt" ||
	    fail "show sessions has no relaying session of 192.0.2.$a"
done
ctl -j show sessions >"$TMP/sessions.json" || fail "show sessions -j"
sessions_match "$TMP/sessions.json" 192.0.2.10="$TMP/c1.out" \
    192.0.2.11="$TMP/c2.out" >"$TMP/check.out" 2>&1
r=$?
cat "$TMP/check.out"
[ $r -eq 0 ] || fail "show sessions -j: $(tail -n 1 "$TMP/check.out")"
# ports ADDR: the session of ADDR's id, client port and port towards
# the server.
ports() {
	python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["sessions"]:
    if s["client"]["address"] == sys.argv[2]:
        print(s["id"], s["client"]["port"], s["server_local"]["port"])' \
	    "$TMP/sessions.json" "$1"
}
set -- $(ports 192.0.2.10)
cport1=$2 sport1=$3
set -- $(ports 192.0.2.11)
id2=$1 cport2=$2 sport2=$3
[ -n "$sport1" ] && [ -n "$sport2" ] || fail "no ports of the sessions"

# 5. Kill client 2's session while a second call of client 1 echoes.
lab_drive c1 -g 3 -n 100 -k 14 -r 20 -t 60 192.0.2.1 >"$TMP/c1b.out" 2>&1 &
echo1=$!
lab_track $echo1
lab_wait_count "call 1 up" 3 15
[ "$(log_count "call 1 up")" -eq 3 ] || fail "client 1's second call did not come up"
sleep 1
out=$(ctl kill session "$id2") || fail "kill session $id2 failed"
echo "kill session $id2: $out"
lab_gone $hold2 10 || fail "client 2 still holds its call after kill session"
lab_wait_log "session $id2: .* ended after" 10 ||
    fail "no end line for session $id2"
kill -0 $hold1 2>/dev/null || fail "client 1's held call ended with the kill"

# 6. Reload without client 2's subnet.
conf 192.0.2.10/32
out=$(ctl reload) || fail "reload via the control socket failed"
[ "$out" = "configuration reloaded" ] || fail "reload said '$out'"
lab_wait_log "control: configuration reloaded" 5 ||
    fail "the control relay did not get the new configuration"
lab_drive c2 -g 4 -n 5 -t 5 192.0.2.1 >"$TMP/c2b.out" 2>&1 &&
    fail "client 2 got through after the reload: $(cat "$TMP/c2b.out")"
lab_refused 192.0.2.11 ||
    fail "no refusal line for client 2: $(grep "192.0.2.11" "$PLOG" | tail -n 3)"
[ "$(log_count "client 192.0.2.10 not allowed")" -eq 0 ] ||
    fail "client 1 was refused"
lab_drive c1 -g 5 -n 50 -t 20 192.0.2.1 >"$TMP/c1c.out" 2>&1 ||
    fail "client 1 could not make a new call after the reload: $(cat "$TMP/c1c.out")"
cat "$TMP/c1c.out"
wait $echo1 || fail "client 1's call lost frames during the kill and the" \
    "reload: $(cat "$TMP/c1b.out")"
echo "client 1 during the kill and the reload: $(cat "$TMP/c1b.out")"

# 7. USR1 to every process of this daemon.
[ "$(proxy_children)" = "$kids" ] || fail "the children changed: $(proxy_children)"
before=$(wc -l <"$PLOG")
for p in $PROXY_PID $kids; do
	kill -USR1 "$p" || fail "cannot signal $p"
done
sleep 2
for p in $PROXY_PID $kids; do
	[ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" ||
	    fail "process $p ended on SIGUSR1"
done
[ "$(proxy_children)" = "$kids" ] ||
    fail "the children changed after SIGUSR1: $(proxy_children)"
tail -n +"$((before + 1))" "$PLOG" >"$TMP/usr1.log"
grep -q "control: session [0-9]*: 192\.0\.2\.10:$cport1 -> 198\.51\.100\.2:1723 (office), relaying, [0-9]*s, 1 call up" \
    "$TMP/usr1.log" || fail "no status line of client 1's session"
grep -q "gre: [0-9]* routes" "$TMP/usr1.log" ||
    fail "no status line of the GRE forwarder"
grep -q "terminating\|shutting down\|killed" "$TMP/usr1.log" &&
    fail "SIGUSR1 ended something: $(grep "terminating\|shutting down\|killed" "$TMP/usr1.log")"
ctl -j show sessions >"$TMP/left.json" || fail "no answer after SIGUSR1"
python3 -c '
import json, sys
ss = json.load(open(sys.argv[1]))["sessions"]
assert [(s["client"]["port"], s["state"]) for s in ss] == \
    [(int(sys.argv[2]), "relaying")], ss' "$TMP/left.json" "$cport1" ||
    fail "not client 1's held session alone: $(cat "$TMP/left.json")"

# 8. TERM.
proxy_term
for p in $(ip netns pids "$(ns fw)"); do
	[ "$(readlink "/proc/$p/exe")" = "$PPTPPROXY" ] &&
	    fail "process $p of the daemon still runs"
done
nsx fw nft list table ip pptpproxy >/dev/null 2>&1 &&
    fail "the nftables table is left behind"
grep -q "stopped: 1 of 1 session ended in order" "$PLOG" ||
    fail "no line saying the session ended in order"
lab_gone $hold1 10 || fail "client 1 still holds its call after the stop"

sleep 1
lab_tcpdump_stop
python3 "$E2E/pptpcap" "$TMP/life.pcap" >"$TMP/flows" ||
    fail "cannot read the capture"
sed 's/^/  /' "$TMP/flows"
# The killed session, then the one the stop ended.
stop_seen "client (killed)" 192.0.2.1:1723 192.0.2.11:$cport2
stop_seen "server (killed)" 198.51.100.1:$sport2 198.51.100.2:1723
stop_seen "client (stop)" 192.0.2.1:1723 192.0.2.10:$cport1
stop_seen "server (stop)" 198.51.100.1:$sport1 198.51.100.2:1723
exit 0
