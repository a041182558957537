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
tw_fw=$(nsx fw ss -Htan state time-wait 'dport = :1723' | wc -l)
tw_srv=$(nsx s ss -Htan state time-wait 'sport = :1723' | wc -l)
echo "firewall: $tw_fw TIME_WAIT towards the server; server: $tw_srv"
nsx fw ss -Htan state time-wait 'dport = :1723' | sed 's/^/  /'
[ "$tw_fw" -eq 0 ] ||
    fail "the firewall keeps $tw_fw TIME_WAIT connections to the server"
# pptpd closes after its Stop reply, and on its own once a call ends:
# the Start-then-close, violation and Stop cases are its TIME_WAITs.
[ "$tw_srv" -ge 12 ] ||
    fail "the server holds $tw_srv TIME_WAIT connections, not at least 12"
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
exit 0
