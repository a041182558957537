#!/bin/sh
# The control socket and pptpproxyctl show: the socket is root's, mode
# 0600; a second daemon on the same socket refuses to start (and leaves
# the first one's socket alone); two pptp-linux clients echo a known
# number of frames and hold their calls, and show sessions (text and -j)
# and show session ID list both with the client address, the proxy, the
# server, the state, the Call IDs on both sides (as the log has them) and
# GRE packet counters that match the frames sent.
#
# (The tolerance of the packet counters: sessions_match in lib.sh.)
# Then: connections past the limits, refused by the ACL, by the limit (at
# the limit, and one above) and failed to the server, by value, in show
# summary and in show metrics, whose every line is checked against the
# Prometheus text format.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
lab_topology 2
lab_pptpd
cat >"$TMP/p.conf" <<EOC
limit connections per-address 2
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
}
proxy "closed" {
	listen on 192.0.2.1 port 1724
	server 198.51.100.2 port 1723
	allow from 203.0.113.0/24
}
proxy "dead" {
	listen on 192.0.2.1 port 1725
	server 198.51.100.2 port 1799
}
EOC
lab_proxy fw -f "$TMP/p.conf"

# The socket: root's, 0600.
[ -S "$CTLSOCK" ] || fail "no control socket at $CTLSOCK"
m=$(stat -c '%a %U %G' "$CTLSOCK")
[ "$m" = "600 root root" ] || fail "control socket mode/owner '$m'"

# A second daemon on the same socket refuses, and the first still answers.
nsx fw "$PPTPPROXY" -d -l "$TMP/second.log" -s "$CTLSOCK" \
    -p 192.0.2.1:1726,198.51.100.2 &
p2=$!
lab_track $p2
i=0
while kill -0 $p2 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 $p2 2>/dev/null && fail "a second daemon on the same socket runs"
wait $p2
rc=$?
[ $rc -eq 1 ] || fail "the second daemon exited $rc, not 1"
grep -q "another pptpproxy answers on $CTLSOCK" "$TMP/second.log" ||
    fail "the second daemon did not say why: $(cat "$TMP/second.log")"
[ -S "$CTLSOCK" ] || fail "the second daemon removed the first's socket"
ctl show summary >/dev/null || fail "the first daemon no longer answers"

# Two clients, 200 and 300 frames, then they hold the call.
lab_drive c1 -n 200 -w 8 -t 60 -H 60 192.0.2.1 >"$TMP/c1.out" 2>&1 &
lab_track $!
lab_drive c2 -n 300 -w 8 -t 60 -H 60 192.0.2.1 >"$TMP/c2.out" 2>&1 &
lab_track $!
lab_wait_hold c1 c2
sleep 1

ctl show sessions >"$TMP/sessions.txt" || fail "show sessions"
ctl -j show sessions >"$TMP/sessions.json" || fail "show sessions -j"
cat "$TMP/sessions.txt"
for c in 1 2; do
	grep -q "^[0-9][0-9]* *192\.0\.2\.1$((c - 1)):[0-9]* *office  *198\.51\.100\.2:1723 *relaying .* 1 " \
	    "$TMP/sessions.txt" ||
	    fail "show sessions has no relaying session of 192.0.2.1$((c - 1))"
done

# The JSON, by value, against the log and the clients' counts.
sessions_match "$TMP/sessions.json" 192.0.2.10="$TMP/c1.out" \
    192.0.2.11="$TMP/c2.out" >"$TMP/check.out" 2>&1
r=$?
cat "$TMP/check.out"
[ $r -eq 0 ] || fail "show sessions -j: $(tail -n 1 "$TMP/check.out")"

# show session ID: the one session, its calls.
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sessions"][0]["id"])' \
    "$TMP/sessions.json")
ctl show session "$id" >"$TMP/one.txt" || fail "show session $id"
cat "$TMP/one.txt"
grep -q "^session $id$" "$TMP/one.txt" || fail "show session $id: no head"
grep -q "state *relaying" "$TMP/one.txt" || fail "show session $id: state"
[ "$(grep -c " call 1 up" "$TMP/one.txt")" -eq 1 ] ||
    fail "show session $id: not one call"
ctl -j show session "$id" | python3 -c '
import json, sys
s = json.load(sys.stdin)["session"]
assert s["id"] == int(sys.argv[1]) and len(s["calls"]) == 1' "$id" ||
    fail "show session $id -j"
ctl show session 999999 2>"$TMP/none.err" && fail "show session 999999 ok"
grep -q "no session 999999" "$TMP/none.err" || fail "no session: message"

# Refusals, by value.  c1 has one session: one more is at the limit of 2
# (admitted), the next one above it (refused).  c2: the closed proxy's ACL
# refuses it, the dead proxy's server does not answer.  Each client sends
# its first byte at once (on Linux a silent connection reaches the relay
# only after a while: TCP_DEFER_ACCEPT).
nsx c1 python3 - >"$TMP/limit.out" 2>&1 <<'EOP' &
import socket, sys, time
a = socket.create_connection(("192.0.2.1", 1723), timeout=5)
a.send(b"\0")
time.sleep(0.5)
b = socket.create_connection(("192.0.2.1", 1723), timeout=5)
b.send(b"\0")
try:
    d = b.recv(100)
    print("above: closed" if not d else "above: data")
except ConnectionResetError:
    print("above: closed")
except socket.timeout:
    print("above: open")
sys.stdout.flush()
a.settimeout(60)
try:
    print("at: data" if a.recv(100) else "at: closed")
except Exception:
    print("at: closed")
EOP
lab_track $!
nsx c2 python3 - >"$TMP/refused.out" 2>&1 <<'EOP'
import socket
for port in (1724, 1725):
    s = socket.create_connection(("192.0.2.1", port), timeout=5)
    try:
        # The server is connected once the client says something.
        s.sendall(b"\0")
        print(port, "closed" if not s.recv(100) else "data")
    except ConnectionResetError:
        print(port, "closed")
    except socket.timeout:
        print(port, "open")
EOP
lab_wait_log "above:" 10 "$TMP/limit.out" || fail "limit probe: no answer"
cat "$TMP/limit.out" "$TMP/refused.out"
grep -q "above: closed" "$TMP/limit.out" || fail "one above the limit: open"
grep -q "1724 closed" "$TMP/refused.out" || fail "acl refusal: open"
grep -q "1725 closed" "$TMP/refused.out" || fail "dead server: open"
sleep 0.5

ctl show summary >"$TMP/summary.txt" || fail "show summary"
cat "$TMP/summary.txt"
ctl -j show summary >"$TMP/summary.json" || fail "show summary -j"
ctl -j show sessions >"$TMP/sessions2.json" || fail "show sessions -j"
ctl show metrics >"$TMP/metrics.txt" || fail "show metrics"
python3 - "$TMP/summary.json" "$TMP/sessions2.json" "$TMP/metrics.txt" \
    >"$TMP/check2.out" 2>&1 <<'EOP'
import json, re, sys
p = {x["name"]: x for x in json.load(open(sys.argv[1]))["proxies"]}
ss = json.load(open(sys.argv[2]))["sessions"]
want = {
    "office": dict(accepted=3, refused_acl=0, refused_limit=1,
        server_failed=0, sessions=3, calls=2, calls_total=2),
    "closed": dict(accepted=0, refused_acl=1, refused_limit=0,
        server_failed=0, sessions=0, calls=0),
    "dead": dict(accepted=1, refused_acl=0, refused_limit=0,
        server_failed=1, sessions=0, calls=0),
}
for name, w in want.items():
    for k, v in w.items():
        assert p[name][k] == v, "%s %s: %s, not %s" % (name, k,
            p[name][k], v)
assert p["office"]["listen"] == {"address": "192.0.2.1", "port": 1723}
# GRE per proxy: what the sessions of office carried (a packet or two of
# PPP acknowledgments may pass between the two requests).
for d in ("to_client", "to_server"):
    s = sum(x["gre"][d]["packets"] for x in ss)
    g = p["office"]["gre"][d]["packets"]
    assert s <= g <= s + 2, "office %s: %d, sessions %d" % (d, g, s)
    assert p["closed"]["gre"][d]["packets"] == 0
# The metrics: the text format, line by line.
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
lv = r'"(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r"^(%s)(\{[a-zA-Z_][a-zA-Z0-9_]*=%s"
    r"(,[a-zA-Z_][a-zA-Z0-9_]*=%s)*\})? [0-9]+$" % (name, lv, lv))
help_ = re.compile(r"^# HELP (%s) \S.*$" % name)
type_ = re.compile(r"^# TYPE (%s) (counter|gauge)$" % name)
types, seen, vals = {}, set(), {}
cur = None
for line in open(sys.argv[3]).read().split("\n")[:-1]:
    m = help_.match(line)
    if m:
        assert m.group(1) not in seen, "family twice: " + line
        cur = m.group(1)
        seen.add(cur)
        continue
    m = type_.match(line)
    if m:
        assert m.group(1) == cur, "TYPE without HELP: " + line
        types[cur] = m.group(2)
        continue
    m = sample.match(line)
    assert m, "not a sample: " + line
    assert m.group(1) == cur, "sample outside its family: " + line
    if types[cur] == "counter":
        assert cur.endswith("_total"), "counter without _total: " + cur
    vals[m.group(1) + (m.group(2) or "")] = int(line.rsplit(" ", 1)[1])
def v(k):
    assert k in vals, "no metric " + k
    return vals[k]
assert v('pptpproxy_connections_accepted_total{proxy="office"}') == 3
assert v('pptpproxy_connections_refused_total{proxy="closed",reason="acl"}') == 1
assert v('pptpproxy_connections_refused_total{proxy="office",reason="limit"}') == 1
assert v('pptpproxy_server_connect_failures_total{proxy="dead"}') == 1
assert v('pptpproxy_sessions{proxy="office"}') == 3
assert v('pptpproxy_calls{proxy="office"}') == 2
for d in ("to_client", "to_server"):
    k = 'pptpproxy_gre_packets_total{proxy="office",direction="%s"}' % d
    assert p["office"]["gre"][d]["packets"] <= v(k) <= \
        p["office"]["gre"][d]["packets"] + 2, k
assert v('pptpproxy_gre_dropped_total{reason="unknown_call_id"}') >= 0
print("ok")
EOP
r=$?
cat "$TMP/check2.out"
[ $r -eq 0 ] || fail "summary/metrics: $(tail -n 1 "$TMP/check2.out")"
exit 0
