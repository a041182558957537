#!/bin/sh
# pptpproxyctl's changing commands, with two pptp-linux clients echoing:
#   kill session ID ends that client's session on both sides with a
#     Stop-Control-Connection-Request (seen in captures on the client and
#     on the server), its pptp exits, the other client goes on echoing to
#     the end; an unknown ID is an error;
#   reload reloads (the log says so, asked on the control socket); a
#     second one at once is refused (at most one each 5 s), one after 5 s
#     goes through; a control socket changed in the file is named as set
#     at start only, and the daemon stays on the old one;
#   log brief stops the debug lines of the daemon started with -d, log
#     verbose brings them back (in the control relay, which logs each
#     pptpproxyctl connection at debug level).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
# stops PCAP FROM PORT: Stop-Control-Connection-Requests from FROM:PORT
# (the message type is the 16 bits 8 bytes into the PPTP message).
stops() {
	tcpdump -r "$1" -n "tcp port 1723 and src host $2 and src port $3 and " \
	    'tcp[((tcp[12] & 0xf0) >> 2) + 8 : 2] = 3' 2>/dev/null | wc -l
}
lab_topology 2
lab_pptpd
lab_tcpdump c1 "$TMP/c1.pcap" tcp port 1723
c1dump=$TCPDUMP_PID
lab_tcpdump s "$TMP/s.pcap" tcp port 1723
sdump=$TCPDUMP_PID
printf 'control socket "%s"\n' "$CTLSOCK" >"$TMP/p.conf"
PROXY_SOCK=none lab_proxy fw -f "$TMP/p.conf" -p 192.0.2.1,198.51.100.2

lab_drive c1 -n 100 -k 30 -r 20 -t 60 192.0.2.1 >"$TMP/c1.out" 2>&1 &
p1=$!
lab_track $p1
lab_drive c2 -n 100 -k 12 -r 20 -t 60 192.0.2.1 >"$TMP/c2.out" 2>&1 &
p2=$!
lab_track $p2
lab_wait_count 'call 1 up' 2 20
[ "$(log_count 'call 1 up')" -eq 2 ] || fail "two calls did not come up"
sleep 1

set -- $(ctl -j show sessions | python3 -c '
import json, sys
for s in json.load(sys.stdin)["sessions"]:
    if s["client"]["address"] == "192.0.2.10":
        print(s["id"], s["server_local"]["port"])') ||
    fail "show sessions -j"
id=$1
sport=$2
[ -n "$sport" ] || fail "no session of 192.0.2.10"
ctl kill session 999999 2>"$TMP/k.err" && fail "kill of no session ok"
grep -q "no session 999999" "$TMP/k.err" || fail "kill: no message"
out=$(ctl kill session "$id") || fail "kill session $id failed"
echo "kill session $id: $out"
# pptpdrive ends once pptp has, then gives pptp's call manager up to 8 s
# to go (and SIGTERM and SIGKILL 3 s more): 20 s for it all.
lab_gone $p1 20 || {
	cat "$TMP/c1.out"
	fail "the killed client's pptp still runs 20 s after the kill"
}
cat "$TMP/c1.out"
grep -q "pptp exited\|pptp went away" "$TMP/c1.out" ||
    fail "the killed client did not see its tunnel end"
lab_wait_log "session $id: .* ended after" 10 ||
    fail "no end line for session $id"
ctl -j show sessions | python3 -c '
import json, sys
ss = json.load(sys.stdin)["sessions"]
assert [s["client"]["address"] for s in ss] == ["192.0.2.11"], ss' ||
    fail "after the kill, show sessions does not list 192.0.2.11 alone"

# Reload, rate-limited; the socket stays where it was.
printf 'control socket "%s"\n' "$TMP/other.sock" >"$TMP/p.conf"
out=$(ctl reload) || fail "reload via the control socket failed"
echo "reload: $out"
[ "$out" = "configuration reloaded" ] || fail "reload said '$out'"
lab_wait_log "reload asked on the control socket" 5 || fail "no reload line"
lab_wait_log "control: configuration reloaded" 5 ||
    fail "the control relay did not get the new configuration"
grep -q "control socket is set at start only: it stays $CTLSOCK until" \
    "$PLOG" || fail "no line for the changed control socket"
[ -e "$TMP/other.sock" ] && fail "a socket at the new path"
ctl reload 2>"$TMP/r.err" && fail "a second reload at once went through"
grep -q "less than 5 s" "$TMP/r.err" || fail "refused reload: $(cat "$TMP/r.err")"
sleep 5.2
ctl -j reload >"$TMP/r2.out" || fail "a reload after 5 s was refused"
grep -q '^{"ok":true,"message":"configuration reloaded"}$' "$TMP/r2.out" ||
    fail "reload -j: $(cat "$TMP/r2.out")"
[ "$(log_count "reload asked on the control socket$")" -eq 2 ] ||
    fail "not two reloads in the log"

# log brief, then verbose: pptpproxyctl's own connections are debug lines.
ctl log brief >/dev/null || fail "log brief"
lab_wait_log "log level info, asked on the control socket" 5 ||
    fail "no log level line"
n0=$(log_count "control socket: client [0-9]* connected")
ctl show summary >/dev/null
ctl show summary >/dev/null
sleep 0.5
n1=$(log_count "control socket: client [0-9]* connected")
[ "$n1" -eq "$n0" ] || fail "debug lines after log brief ($n0, then $n1)"
ctl log verbose >/dev/null || fail "log verbose"
ctl show summary >/dev/null
sleep 0.5
n2=$(log_count "control socket: client [0-9]* connected")
[ "$n2" -gt "$n1" ] || fail "no debug line after log verbose"

# The other client echoed to its end, undisturbed.
wait $p2
r2=$?
cat "$TMP/c2.out"
[ $r2 -eq 0 ] || fail "the other client did not echo to its end"

# Both sides of the killed session saw a Stop-Control-Connection-Request.
sleep 1
lab_tcpdump_stop
TCPDUMP_PID=$c1dump
lab_tcpdump_stop
nc=$(stops "$TMP/c1.pcap" 192.0.2.1 1723)
ns=$(stops "$TMP/s.pcap" 198.51.100.1 "$sport")
echo "Stop-Control-Connection-Requests: $nc to the client, $ns to the server"
[ "$nc" -ge 1 ] || fail "the killed client got no Stop-Control-Connection-Request"
[ "$ns" -ge 1 ] || fail "the server got no Stop-Control-Connection-Request"
exit 0
