#!/bin/sh
# Thousands of sessions: 3,000 connections of the benchmark's load
# generator, one call each, against its reflecting server.
#  - SIGUSR1: the log gets a line per proxy at once, then the sessions
#    (state in words, their calls) at most 20 lines each 100 ms - a
#    journal's default rate limit is 10,000 lines in 30 s - and at most
#    2,000 sessions, then a line counting the rest.
#  - pptpproxyctl show sessions lists all 3,000 (the rows are made as the
#    client reads them).
#  - The control socket's bounds: 16 clients at once are served, the 17th
#    is closed at once; a client that asks for the sessions and reads
#    nothing is closed after 10 s, before its answer is complete.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
N=3000
bench_need $N
lab_topology 1
bench_refl_start
printf 'limit connections %d\nlimit connections per-address %d\n' \
    $((N + 100)) $((N + 100)) >"$TMP/p.conf"
printf 'limit calls per-address %d\n' $((N + 100)) >>"$TMP/p.conf"
printf 'proxy "bench" {\n\tlisten on 192.0.2.1 port 1724\n' >>"$TMP/p.conf"
printf '\tserver 198.51.100.2 port 1724\n}\n' >>"$TMP/p.conf"
# (lab_proxy waits for port 1723)
lab_proxy fw -f "$TMP/p.conf" -p 192.0.2.1:1723,198.51.100.2:1723

bench_hold $N -K 1
sleep 1

# Every session, in text and in JSON.
n=$("$PPTPPROXYCTL" -s "$CTLSOCK" show sessions | grep -c " relaying ")
[ "$n" -eq $N ] || fail "show sessions lists $n relaying sessions, not $N"
# Each call sent a packet and got it back: the forwarder's counters,
# found for each of the 6,000 routes.
n=$("$PPTPPROXYCTL" -s "$CTLSOCK" -j show sessions | python3 -c '
import json, sys
cs = [c for s in json.load(sys.stdin)["sessions"] for c in s["calls"]]
print(len(cs), sum(1 for c in cs if c["gre"]["to_server"]["packets"] >= 1
    and c["gre"]["to_client"]["packets"] >= 1))')
[ "$n" = "$N $N" ] ||
    fail "show sessions -j: $n (calls, calls with GRE counted both ways)"

# 16 clients at once, and one more.
python3 - "$CTLSOCK" >"$TMP/conns.out" 2>&1 <<'EOP'
import socket, sys, time
cs = []
for i in range(17):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(sys.argv[1])
    cs.append(c)
    time.sleep(0.05)
time.sleep(0.5)
for i, c in enumerate(cs):
    c.settimeout(0.3)
    try:
        d = c.recv(10)
        print(i + 1, "closed" if not d else "data")
    except socket.timeout:
        print(i + 1, "open")
    except ConnectionResetError:
        print(i + 1, "closed")
EOP
[ "$(grep -c " open$" "$TMP/conns.out")" -eq 16 ] ||
    fail "not 16 clients served: $(tr '\n' ' ' <"$TMP/conns.out")"
grep -q "^17 closed$" "$TMP/conns.out" ||
    fail "the 17th client was not closed: $(tr '\n' ' ' <"$TMP/conns.out")"
"$PPTPPROXYCTL" -s "$CTLSOCK" show summary >/dev/null ||
    fail "no answer once the 17 clients left"

# A client that reads nothing of a long answer (in the background).
python3 - "$CTLSOCK" >"$TMP/noread.out" 2>&1 <<'EOP' &
import os, socket, struct, sys, time
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
# imsg header (type, length, peer id = protocol version, pid), data
c.sendall(struct.pack("=IIIIQ", 2, 24, int(os.environ["CTL_VERSION"]), 0,
    0))
time.sleep(13)
n = 0
end = False
c.settimeout(5)
try:
    while True:
        d = c.recv(65536)
        if not d:
            break
        n += len(d)
except Exception as e:
    print("error", e)
print("read", n)
EOP
noread=$!
lab_track $noread

# The listing's lines: a session's, a call's.
pat='control: session [0-9]*: .*, relaying, [0-9]*s, [0-9]* call'
cpat='control: session [0-9]*: call [0-9]* up: client Call ID [0-9]*/'
: >"$TMP/mark"
before=$(wc -l <"$PLOG")
kill -USR1 "$PROXY_PID"
lab_wait_log "proxy bench: .* $N sessions, $N calls up; $N accepted" 5 ||
    fail "no summary line for proxy bench"
sleep 3
tail -n +"$((before + 1))" "$PLOG" >"$TMP/first.log"
n=$(grep -c -e "$pat" "$TMP/first.log")
c=$(grep -c -e "$cpat" "$TMP/first.log")
echo "in about 3 s: $n session lines, $c call lines"
[ "$n" -ge 100 ] || fail "only $n session lines in 3 s: the list does not go on"
# Per second of the log's time stamps: at most 20 lines a tick, 10 or 11
# ticks in a second.
max=$(grep -e "$pat" -e "$cpat" "$TMP/first.log" | cut -c1-19 | uniq -c |
    sort -n | tail -n 1 | awk '{ print $1 }')
echo "most lines in one second: $max"
[ "$max" -le 230 ] || fail "$max lines in one second"
# A second USR1 while the list is written starts no second list.
kill -USR1 "$PROXY_PID"
lab_wait_log "a session list is being written already" 5 ||
    fail "a second USR1 during the list: no line"
# The end: 2,000 listed, the rest counted.
lab_wait_log "end of the session list (2000 listed, $((N - 2000)) more" 40 ||
    fail "no end line for the list"
tail -n +"$((before + 1))" "$PLOG" >"$TMP/all.log"
n=$(grep -c -e "$pat" "$TMP/all.log")
c=$(grep -c -e "$cpat" "$TMP/all.log")
echo "in all: $n session lines, $c call lines"
[ "$n" -eq 2000 ] || fail "$n sessions listed, not 2000"
[ "$c" -eq 2000 ] || fail "$c calls listed, not 2000"
max=$(grep -e "$pat" -e "$cpat" "$TMP/all.log" | cut -c1-19 | uniq -c |
    sort -n | tail -n 1 | awk '{ print $1 }')
echo "most lines in one second: $max"
[ "$max" -le 230 ] || fail "$max lines in one second"
wait $noread
cat "$TMP/noread.out"
grep -q "control socket: client [0-9]* closed: it does not read its answer" \
    "$PLOG" || fail "the client that does not read was not closed"
n=$(sed -n 's/^read //p' "$TMP/noread.out")
# 3,000 sessions with a call each: more than 900,000 bytes in all
[ -n "$n" ] && [ "$n" -lt 900000 ] ||
    fail "the client that did not read got ${n:-no} bytes"
kill -0 "$PROXY_PID" || fail "the daemon died"
exit 0
