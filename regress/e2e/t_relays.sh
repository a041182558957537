#!/bin/sh
# relays 4: four control relays, the kernel handing each client's
# connections to one of them by the client's address.  Six pptp-linux
# clients (192.0.2.10-15, which the steering spreads over all four
# relays), each let in by an ACL command, call through pptpd, echo a
# known number of frames and hold their calls.  Then: four relay processes with their titles; show
# sessions lists all six sessions, each on the relay the steering picks
# for its address (a session's number says its relay), with GRE counters
# that match the frames; show session ID and kill session reach a
# session of another relay than 0 (its client's call ends, the others
# go on); show summary adds the relays up, and has a row per relay (its
# pid, its sessions: those whose number says they are its own, its calls;
# the calls set up add up to the proxies'), the same in text, JSON and
# metrics; once c1's call ended, each relay's calls set up are still
# those of its sessions while its calls up are those left; a reload keeps
# every session;
# a new client after it is relayed; SIGTERM ends every process, exit 0.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
N=4
lab_topology 7
lab_pptpd
# An ACL command that lets everyone in: the parent's answer must reach
# the relay that asked.
printf '#!/bin/sh\necho "$1" >>%s\nexit 0\n' "$TMP/acl.runs" >"$TMP/acl"
chmod 755 "$TMP/acl"
cat >"$TMP/p.conf" <<EOC
relays $N
limit connections per-address 1
acl-command cache 0
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
	allow command "$TMP/acl"
}
EOC
lab_proxy fw -f "$TMP/p.conf"

# The processes: the parent, N relays and a GRE forwarder each.
i=0
while [ "$(pgrep -c -P "$PROXY_PID")" -lt $((2 * N)) ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kids=$(pgrep -P "$PROXY_PID" | tr '\n' ' ')
titles=$(for p in $kids; do tr '\0' '\n' <"/proc/$p/cmdline"; echo; done |
    grep . | sort | tr '\n' '|')
echo "titles: $titles"
[ "$titles" = "pptpproxy: control|pptpproxy: control 1|pptpproxy: control 2|pptpproxy: control 3|pptpproxy: gre|pptpproxy: gre 1|pptpproxy: gre 2|pptpproxy: gre 3|" ] ||
    fail "children's titles: $titles"

# Six clients, 100 + 20k frames each, then they hold the call.  Small
# frames, few in flight: pptpd's call processes each read every GRE
# packet of the host, and six calls at full speed overrun them.
for c in 1 2 3 4 5 6; do
	lab_drive c$c -n $((100 + 20 * c)) -w 4 -s 400 -t 60 -H 90 192.0.2.1 \
	    >"$TMP/c$c.out" 2>&1 &
	lab_track $!
done
lab_wait_hold c1 c2 c3 c4 c5 c6
sleep 1

ctl show sessions >"$TMP/sessions.txt" || fail "show sessions"
cat "$TMP/sessions.txt"
ctl -j show sessions >"$TMP/sessions.json" || fail "show sessions -j"
sessions_match "$TMP/sessions.json" 192.0.2.10="$TMP/c1.out" \
    192.0.2.11="$TMP/c2.out" 192.0.2.12="$TMP/c3.out" \
    192.0.2.13="$TMP/c4.out" 192.0.2.14="$TMP/c5.out" \
    192.0.2.15="$TMP/c6.out" >"$TMP/check.out" 2>&1
r=$?
cat "$TMP/check.out"
[ $r -eq 0 ] || fail "show sessions -j: $(tail -n 1 "$TMP/check.out")"

# Each session on the relay the steering picks for its client: the
# relay of a session number n is (n - 1) % N; the pick, the kernel's
# program's sum (os.c).
python3 - "$TMP/sessions.json" $N >"$TMP/relays.out" 2>&1 <<'EOP'
import json, socket, struct, sys
n = int(sys.argv[2])
seen = set()
for s in json.load(open(sys.argv[1]))["sessions"]:
    a = struct.unpack("!I", socket.inet_aton(s["client"]["address"]))[0]
    pick = (((a * 2654435761) & 0xffffffff) >> 16) % n
    relay = (s["id"] - 1) % n
    print(s["client"]["address"], "session", s["id"], "relay", relay,
        "pick", pick)
    assert relay == pick, "session %d of %s on relay %d, not %d" % (
        s["id"], s["client"]["address"], relay, pick)
    seen.add(relay)
assert seen == set(range(n)), "relays used: %s" % sorted(seen)
print("ok")
EOP
r=$?
cat "$TMP/relays.out"
[ $r -eq 0 ] || fail "steering: $(tail -n 1 "$TMP/relays.out")"

[ "$(sort -u "$TMP/acl.runs" | wc -l)" -eq 6 ] ||
    fail "ACL command runs: $(cat "$TMP/acl.runs")"

# show summary: the relays' rows added up.
ctl -j show summary >"$TMP/summary.json" || fail "show summary -j"
python3 - "$TMP/summary.json" "$TMP/sessions.json" >"$TMP/sum.out" 2>&1 <<'EOP'
import json, sys
p = {x["name"]: x for x in json.load(open(sys.argv[1]))["proxies"]}
ss = json.load(open(sys.argv[2]))["sessions"]
o = p["office"]
assert o["sessions"] == 6 and o["calls"] == 6 and o["accepted"] == 6, o
assert o["calls_total"] == 6, o
for d in ("to_client", "to_server"):
    s = sum(x["gre"][d]["packets"] for x in ss)
    g = o["gre"][d]["packets"]
    assert s <= g <= s + 6, "office %s: %d, sessions %d" % (d, g, s)
print("ok")
EOP
r=$?
cat "$TMP/sum.out"
[ $r -eq 0 ] || fail "show summary: $(tail -n 1 "$TMP/sum.out")"

# show summary's relay rows: one per relay, in order, each with its pid
# and what its sessions (n with (n - 1) % N == i) hold; text and metrics
# say the same.
for p in $kids; do
	printf '%s %s\n' "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline")"
done >"$TMP/pids.txt"
ctl show summary >"$TMP/summary.txt" || fail "show summary"
ctl show metrics >"$TMP/metrics.txt" || fail "show metrics"
grep '^relay ' "$TMP/summary.txt"
python3 - "$TMP/summary.json" "$TMP/sessions.json" "$TMP/summary.txt" \
    "$TMP/metrics.txt" "$TMP/pids.txt" $N >"$TMP/rows.out" 2>&1 <<'EOP'
import json, re, sys
n = int(sys.argv[6])
sm = json.load(open(sys.argv[1]))
ss = json.load(open(sys.argv[2]))["sessions"]
rs = sm["relays"]
print("relay rows:", rs)
assert len(rs) == n, "%d relay rows, not %d" % (len(rs), n)
assert [r["index"] for r in rs] == list(range(n)), "order: %s" % rs
pids = {}
for line in open(sys.argv[5]):
    pid, title = line.split(" ", 1)
    m = re.match(r"pptpproxy: control(?: (\d+))?\s*$", title)
    if m:
        pids[int(m.group(1) or 0)] = int(pid)
assert len(pids) == n, "relay processes: %s" % pids
assert sum(r["sessions"] for r in rs) == len(ss) == 6, \
    "relays' sessions %d, show sessions %d" % (
    sum(r["sessions"] for r in rs), len(ss))
for r in rs:
    i = r["index"]
    mine = [s for s in ss if (s["id"] - 1) % n == i]
    assert r["pid"] == pids[i], "relay %d: pid %d, not %d" % (i,
        r["pid"], pids[i])
    assert r["sessions"] == len(mine), "relay %d: %d sessions, %d its own" % (
        i, r["sessions"], len(mine))
    assert r["calls"] == sum(s["calls_up"] for s in mine), \
        "relay %d: %d calls, its sessions %d" % (i, r["calls"],
        sum(s["calls_up"] for s in mine))
    assert r["accepted"] >= r["sessions"], r
ct = sum(p["calls_total"] for p in sm["proxies"])
assert sum(r["calls_total"] for r in rs) == ct == 6, \
    "relays' calls set up %d, the proxies' %d" % (
    sum(r["calls_total"] for r in rs), ct)
assert sum(r["accepted"] for r in rs) == \
    sum(p["accepted"] for p in sm["proxies"]), "accepted"
# The text: a line per relay, after the proxies, before the forwarder.
txt = open(sys.argv[3]).read()
lines = [l for l in txt.split("\n") if l.startswith("relay ")]
want = ["relay %d (pid %d): sessions up %d, calls up %d, calls set up %d, "
    "connections accepted %d" % (r["index"], r["pid"], r["sessions"],
    r["calls"], r["calls_total"], r["accepted"]) for r in rs]
assert lines == want, "text: %s, not %s" % (lines, want)
assert txt.index("proxy ") < txt.index("\nrelay 0 ") < \
    txt.index("GRE forwarder"), "text: relay lines out of place"
# The metrics: four families, a sample per relay.
vals, types = {}, {}
for line in open(sys.argv[4]).read().split("\n"):
    m = re.match(r"^# TYPE (\S+) (\S+)$", line)
    if m:
        types[m.group(1)] = m.group(2)
    m = re.match(r'^(pptpproxy_relay_\w+)\{relay="(\d+)"\} (\d+)$', line)
    if m:
        vals[(m.group(1), int(m.group(2)))] = int(m.group(3))
for fam, key, typ in (("pptpproxy_relay_sessions", "sessions", "gauge"),
    ("pptpproxy_relay_calls", "calls", "gauge"),
    ("pptpproxy_relay_calls_established_total", "calls_total", "counter"),
    ("pptpproxy_relay_connections_accepted_total", "accepted", "counter")):
    assert types.get(fam) == typ, "%s: type %s" % (fam, types.get(fam))
    got = sorted(i for f, i in vals if f == fam)
    assert got == list(range(n)), "%s: relays %s" % (fam, got)
    for r in rs:
        assert vals[(fam, r["index"])] == r[key], "%s relay %d: %d, not %d" % (
            fam, r["index"], vals[(fam, r["index"])], r[key])
print("ok")
EOP
r=$?
cat "$TMP/rows.out"
[ $r -eq 0 ] || fail "relay rows: $(tail -n 1 "$TMP/rows.out")"

# A session of relay 2 (c1's, 192.0.2.10): show it, then end it.
id=$(python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["sessions"]:
    if s["client"]["address"] == "192.0.2.10":
        print(s["id"])' "$TMP/sessions.json")
[ -n "$id" ] && [ $(((id - 1) % N)) -ne 0 ] ||
    fail "c1's session '$id' is relay 0's"
ctl show session "$id" >"$TMP/one.txt" || fail "show session $id"
cat "$TMP/one.txt"
grep -q "^session $id$" "$TMP/one.txt" || fail "show session $id: no head"
grep -q "client *192\.0\.2\.10:" "$TMP/one.txt" ||
    fail "show session $id: not c1's"
ctl show session $((id + 400)) 2>"$TMP/none.err" &&
    fail "show session $((id + 400)) ok"
grep -q "no session $((id + 400))" "$TMP/none.err" ||
    fail "no session: message '$(cat "$TMP/none.err")'"
ctl kill session "$id" >"$TMP/kill.out" 2>&1 ||
    fail "kill session $id: $(cat "$TMP/kill.out")"
grep -q "session $id ending" "$TMP/kill.out" ||
    fail "kill session: '$(cat "$TMP/kill.out")'"
lab_wait_log "session $id: .*closed\|session $id .*ended\|session $id: end" 10 ||
    lab_wait_log "session $id" 1
i=0
while [ $i -lt 50 ]; do
	ctl -j show sessions >"$TMP/after.json" || fail "show sessions"
	python3 -c '
import json, sys
ss = json.load(open(sys.argv[1]))["sessions"]
sys.exit(0 if len(ss) == 5 and all(s["state"] == "relaying" for s in ss)
    else 1)' "$TMP/after.json" && break
	sleep 0.2
	i=$((i + 1))
done
[ $i -lt 50 ] || fail "after the kill: $(cat "$TMP/after.json")"
grep -q '"192.0.2.10"' "$TMP/after.json" && fail "c1's session still there"

# The relay rows once c1's call ended: calls set up apart from calls up.
# Each relay's calls set up are those its sessions (by their numbers) set
# up, c1's ended one with them; its calls up are its sessions' left.
ctl -j show summary >"$TMP/ended.json" || fail "show summary -j"
python3 - "$TMP/ended.json" "$TMP/sessions.json" "$TMP/after.json" $N \
    "$id" >"$TMP/ended.out" 2>&1 <<'EOP'
import json, sys
n, gone = int(sys.argv[4]), int(sys.argv[5])
rs = json.load(open(sys.argv[1]))["relays"]
before = json.load(open(sys.argv[2]))["sessions"]
after = json.load(open(sys.argv[3]))["sessions"]
print("relay rows:", rs)
assert [r["index"] for r in rs] == list(range(n)), "order: %s" % rs
for r in rs:
    i = r["index"]
    set_up = sum(s["calls_total"] for s in before if (s["id"] - 1) % n == i)
    up = sum(s["calls_up"] for s in after if (s["id"] - 1) % n == i)
    assert r["calls_total"] == set_up, "relay %d: calls set up %d, not %d" % (
        i, r["calls_total"], set_up)
    assert r["calls"] == up, "relay %d: calls up %d, not %d" % (i,
        r["calls"], up)
    if i == (gone - 1) % n:
        assert r["calls"] == r["calls_total"] - 1, \
            "relay %d: calls up %d after c1's ended, set up %d" % (i,
            r["calls"], r["calls_total"])
assert sum(r["calls_total"] for r in rs) == 6, "calls set up: %s" % rs
assert sum(r["calls"] for r in rs) == 5, "calls up: %s" % rs
print("ok")
EOP
r=$?
cat "$TMP/ended.out"
[ $r -eq 0 ] || fail "relay rows after c1's call: $(tail -n 1 "$TMP/ended.out")"

# The per-address limit, counted by the relay the address goes to: a
# second connection from c2 (which holds one) is refused.
nsx c2 python3 - >"$TMP/limit.out" 2>&1 <<'EOP'
import socket
b = socket.create_connection(("192.0.2.1", 1723), timeout=5)
b.send(b"\0")
try:
    print("second: closed" if not b.recv(100) else "second: data")
except ConnectionResetError:
    print("second: closed")
except socket.timeout:
    print("second: open")
EOP
cat "$TMP/limit.out"
grep -q "second: closed" "$TMP/limit.out" || fail "limit per-address: open"

# A reload: every session stays; a new client is relayed after it.
kill -HUP "$PROXY_PID"
lab_wait_log "reloading configuration" 10 || fail "no reload"
sleep 1
lab_drive c7 -n 50 -w 8 -t 60 -H 5 192.0.2.1 >"$TMP/c7.out" 2>&1 &
lab_track $!
lab_wait_hold c7
ctl -j show sessions >"$TMP/reloaded.json" || fail "show sessions"
python3 -c '
import json, sys
ss = json.load(open(sys.argv[1]))["sessions"]
a = sorted(s["client"]["address"] for s in ss)
assert a == ["192.0.2.1%d" % i for i in range(1, 7)], a' \
    "$TMP/reloaded.json" || fail "after the reload: $(cat "$TMP/reloaded.json")"
[ "$(pgrep -c -P "$PROXY_PID")" -eq $((2 * N)) ] ||
    fail "children after the reload: $(pgrep -P "$PROXY_PID" | tr '\n' ' ')"

# SIGTERM: every session ends, every process, exit 0.
kill -TERM "$PROXY_PID"
lab_gone "$PROXY_PID" 15 || fail "still running 15 s after SIGTERM"
wait "$PROXY_PID" 2>/dev/null
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM"
for p in $kids; do
	kill -0 "$p" 2>/dev/null && fail "child $p still runs"
done
grep -q "terminating$" "$PLOG" || fail "no 'terminating' line"
exit 0
