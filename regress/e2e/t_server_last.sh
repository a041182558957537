#!/bin/sh
# The server closes first, so the firewall keeps no TIME_WAIT towards it:
# each such connection would hold one of the firewall's local ports to the
# server for a minute, and a client opening and dropping control
# connections could use them all up.  Against the real pptpd, with a
# pptp-linux session echoing throughout, control connections end in seven
# ways, four times each: a pptp-linux session (it closes without a Stop),
# a Start exchange and then the client's close, a Start and then a
# malformed message, a Start and the client's Stop exchange, the first
# six bytes of a Start request and the client's close (the server was
# sent nothing: it is reset), and junk or an Echo-Request as the first
# message (the server is not even connected: the firewall opens no
# connection for them).  Then the firewall must hold no TIME_WAIT
# connection to the server's port, while the server holds those of the
# ends it closed; every session has its end line, the echoing session
# lost nothing, and the daemon's children live.
. "$(dirname "$0")/lib.sh"
lab_topology 2
lab_pptpd
printf 'log level debug\n' >"$TMP/pp.conf"
chmod 644 "$TMP/pp.conf"
lab_proxy fw -f "$TMP/pp.conf" -p 192.0.2.1:1723,198.51.100.2:1723
proxy_wait_children 2
lab_drive c2 -g 2 -k 30 -t 60 192.0.2.1 >"$TMP/c2.out" 2>&1 &
echoer=$!
lab_track $echoer
lab_wait_count "call [0-9]* up" 1 15 || fail "the echoing call did not come up"

cat >"$TMP/ends.py" <<'EOP'
import socket, struct, sys, time
MAGIC = 0x1a2b3c4d
def msg(ctype, n, fields=b""):
    b = struct.pack(">HHIHH", n, 1, MAGIC, ctype, 0) + fields
    return b + bytes(n - len(b))
SCCRQ = msg(1, 156, struct.pack(">HHIIHH", 0x0100, 0, 1, 1, 1, 0))
STOP = msg(3, 16, bytes([1]))
def recv(s, n):
    d = b""
    while len(d) < n:
        x = s.recv(n - len(d))
        if not x:
            return None
        d += x
    return d
def conn():
    s = socket.create_connection(("192.0.2.1", 1723), timeout=10)
    return s
def started(s):
    s.sendall(SCCRQ)
    r = recv(s, 156)
    if r is None or struct.unpack(">H", r[8:10])[0] != 2:
        sys.exit("no Start-Control-Connection-Reply")
case = sys.argv[1]
for i in range(int(sys.argv[2])):
    s = conn()
    if case == "close":
        started(s)
    elif case == "violation":
        started(s)
        s.sendall(b"\x00\x10\x00\x01" + bytes(12))
    elif case == "stop":
        started(s)
        s.sendall(STOP)
        r = recv(s, 16)
        if r is None or struct.unpack(">H", r[8:10])[0] != 4:
            sys.exit("no Stop-Control-Connection-Reply")
    elif case == "partial":
        s.sendall(SCCRQ[:6])
        time.sleep(0.3)
    elif case == "junk":
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        if s.recv(100) != b"":
            sys.exit("junk answered")
    elif case == "echofirst":
        s.sendall(msg(5, 16))
        if s.recv(100) != b"":
            sys.exit("an Echo-Request first answered")
    s.close()
    time.sleep(0.2)
print(case, "ok")
EOP
for i in 1 2 3 4; do
	lab_drive c1 -g 1 -n 5 -t 20 192.0.2.1 >"$TMP/c1.out" 2>&1 ||
	    { cat "$TMP/c1.out"; fail "pptp-linux session $i failed"; }
done
# the firewall's active opens: its connections to the server
opens() {
	nsx fw awk '/^Tcp:/ && $2 ~ /^[0-9]/ { print $6 }' /proc/net/snmp
}
# time_waits PORT N: the firewall keeps no TIME_WAIT towards the servers
# (ports 1723 and 1724), the server on PORT at least N.
time_waits() {
	_q="state time-wait ( dport = :1723 or dport = :1724 )"
	_fw=$(nsx fw ss -Htan $_q | wc -l)
	_sv=$(nsx s ss -Htan state time-wait "sport = :$1" | wc -l)
	echo "firewall: $_fw TIME_WAIT towards the servers; server port $1: $_sv"
	nsx fw ss -Htan $_q | sed 's/^/  /'
	[ "$_fw" -eq 0 ] ||
	    fail "the firewall keeps $_fw TIME_WAIT connections to the servers"
	[ "$_sv" -ge "$2" ] ||
	    fail "the server on port $1 holds $_sv TIME_WAIT connections, not at least $2"
}
for c in close violation stop partial junk echofirst; do
	o0=$(opens)
	nsx c1 python3 "$TMP/ends.py" $c 4 || fail "case $c: the client failed"
	o1=$(opens)
	echo "case $c: $((o1 - o0)) connections to the server"
	case $c in
	junk|echofirst)
		[ $((o1 - o0)) -eq 0 ] ||
		    fail "case $c: $((o1 - o0)) connections to the server" ;;
	*)	[ $((o1 - o0)) -eq 4 ] ||
		    fail "case $c: $((o1 - o0)) connections to the server" ;;
	esac
done
# 4 + 6 x 4 sessions ended (the echoing one still runs), each logged.
lab_wait_count "ended after\|closed after" 28 15 ||
    fail "not every session ended: $(log_count "ended after\|closed after") of 28"
sleep 1
# pptpd closes after its Stop reply, and on its own once a call ends:
# the Start-then-close, violation and Stop cases are its TIME_WAITs.
time_waits 1723 12
for w in "client closed" "stopped by the client" \
    "protocol violation by the client .*: Length 18245 longer" \
    "protocol violation by the client .*: control message type 5 as"; do
	n=$(log_count "$w")
	[ "$n" -ge 4 ] || fail "$n sessions logged \"$w\", not at least 4"
done
[ "$(log_count "protocol violation by the client")" -ge 12 ] ||
    fail "not 12 sessions ended by a protocol violation"
[ "$(log_count "the server answered the Stop-Control-Connection-Request")" \
    -ge 8 ] || fail "pptpd did not answer our Stop for the ended clients"
wait $echoer || { cat "$TMP/c2.out"; fail "the echoing session lost frames"; }
proxy_wait_children 2 1 || fail "a child of the daemon died"

# Part two: the ends the relay itself decides.  pptpd on port 1723, and
# on 1724 a server that leaves every Outgoing-Call-Request unanswered
# (pptpd answers them all), and closes 0.3 s after its answer to a Stop
# (pptpd closes at once, so its FIN comes before ours would).  Sessions
# silent too long (timeout idle, 4 to pptpd), with a call left unanswered
# (timeout call-setup, 4), killed on the control socket (4), and ended
# by the daemon's SIGTERM (4 to each server).  The firewall is again to
# keep no TIME_WAIT towards either server.
kill -TERM "$PROXY_PID"
wait "$PROXY_PID"
lab_bg s python3 "$E2E/mutesrv" 198.51.100.2 1724 "$TMP/mute.stops" 0.3
lab_wait_port s 1724 5 || fail "the mute server did not start"
cat >"$TMP/pp.conf" <<EOC
log level debug
timeout idle 3
timeout call-setup 2
proxy {
 listen on 192.0.2.1 port 1723
 server 198.51.100.2 port 1723
}
proxy {
 listen on 192.0.2.1 port 1724
 server 198.51.100.2 port 1724
}
EOC
lab_proxy fw -f "$TMP/pp.conf"
# relaying: the IDs of the sessions relaying
relaying() {
	ctl -j show sessions | python3 -c '
import json, sys
print(" ".join(str(s["id"]) for s in json.load(sys.stdin)["sessions"]
    if s["state"] == "relaying"))'
}
o0=$(opens)
nsx c1 python3 "$E2E/heldcli" idle 4 192.0.2.1 1723 || fail "case idle: the client failed"
nsx c1 python3 "$E2E/heldcli" setup 4 192.0.2.1 1724 || fail "case setup: the client failed"
# the idle and call-setup sessions end once their servers have closed
lab_wait_count "ended after\|closed after" 8 10 ||
    fail "the idle and call-setup sessions did not end"
lab_held stopped 4 1724 kill || fail "case kill: the sessions did not start"
kp=$HELD_PID
ids=$(relaying)
[ "$(echo $ids | wc -w)" -eq 4 ] || fail "case kill: sessions $ids relaying, not 4"
for id in $ids; do
	ctl kill session "$id" >/dev/null || fail "kill session $id failed"
done
wait $kp || { cat "$TMP/kill.out"; fail "case kill: the client failed"; }
cat "$TMP/kill.out"
# the killed sessions end once their server has closed (0.3 s)
lab_wait_count "ended after\|closed after" 12 10 ||
    fail "the killed sessions did not end"
lab_held stopped 4 1723 term1 || fail "case SIGTERM: pptpd's did not start"
tp1=$HELD_PID
lab_held stopped 4 1724 term2 || fail "case SIGTERM: the others did not start"
tp2=$HELD_PID
o1=$(opens)
kill -TERM "$PROXY_PID"
wait "$PROXY_PID"
for p in 1 2; do
	eval "wait \$tp$p" ||
	    { cat "$TMP/term$p.out"; fail "case SIGTERM: client $p failed"; }
	cat "$TMP/term$p.out"
done
[ $((o1 - o0)) -eq 20 ] ||
    fail "part two: $((o1 - o0)) connections to the servers, not 20"
for w in "idle for 3 s (timeout idle):4" "(timeout call-setup):4" \
    "killed on the control socket:4" "pptpproxy stopping:8"; do
	n=$(log_count "ended after.*${w%:*}\|closed after.*${w%:*}")
	[ "$n" -eq "${w##*:}" ] ||
	    fail "$n sessions ended \"${w%:*}\", not ${w##*:}"
done
grep -q "stopped: 8 of 8 sessions ended in order, 0 cut off" "$PLOG" ||
    fail "the SIGTERM did not end every session in order"
[ "$(cat "$TMP/mute.stops" 2>/dev/null)" = 12 ] ||
    fail "the mute server was asked to stop $(cat "$TMP/mute.stops" 2>/dev/null) times, not 12"
time_waits 1724 12
exit 0
