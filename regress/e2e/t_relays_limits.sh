#!/bin/sh
# relays 2, limit connections 3, limit connections per-address 1: relay
# 0 takes clients 192.0.2.10, .13 and .14, relay 1 .11, .12 and .15 (the
# steering by address); the limit is one pool: relay 0's share is 2,
# relay 1's 1, and past its share a relay borrows while the relays hold
# fewer than 3 in all.  Control connections that start a control
# connection with pptpd (Start-Control-Connection answered) and hold it:
# .11 is held (relay 1's share), .12 too (relay 1 borrows, relay 0
# holds none), .10 held (relay 0's share), a second one of .10 refused
# by the per-address limit (relay 0 has room), .15 refused (relay 1 past
# its share, the relays at 3; the log says "all relays"), .13 held
# (relay 0's share is its own, though the relays hold 3 already), .14
# refused (relay 0 at its share, the relays at 4); show summary counts
# 4 sessions, 2 a relay, and three refusals.  Before, each relay's
# mappings of the counts: its own page writable, the other's read-only,
# no descriptor of them left (nor any mapping in the forwarder).  Once .11 and .12 leave,
# .14 is held (relay 0 borrows: relay 1's count went back to 0), .11
# held again (relay 1's share, though relay 0 borrowed), .12 refused
# (the relays at 4); the summary then 4 sessions, 3 and 1, four
# refusals.  A reload to limit connections 5 (shares 3 and 2): .12 held
# (relay 1's new share), and once .14 left, .15 held (relay 1 borrows,
# the relays at 4 of the new 5); 5 sessions, 2 and 3.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
lab_topology 6
lab_pptpd
cat >"$TMP/p.conf" <<EOC
relays 2
limit connections 3
limit connections per-address 1
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
}
EOC
lab_proxy fw -f "$TMP/p.conf"

# hold.py SECONDS FILE: a Start-Control-Connection-Request; "held" once
# the reply came (then the connection is kept SECONDS, or until FILE
# is there), "closed" if the proxy closed it.
cat >"$TMP/hold.py" <<'EOP'
import os, socket, struct, sys, time
s = socket.create_connection(("192.0.2.1", 1723), timeout=10)
req = struct.pack(">HHIHHHHIIHH64s64s", 156, 1, 0x1A2B3C4D, 1, 0, 0x0100,
    0, 1, 1, 0, 0, b"relays", b"test")
s.sendall(req)
try:
    d = s.recv(156)
except (ConnectionResetError, socket.timeout):
    d = b""
if len(d) >= 10 and struct.unpack(">H", d[8:10])[0] == 2:
    print("held", flush=True)
    end = time.time() + float(sys.argv[1])
    while time.time() < end and not os.path.exists(sys.argv[2]):
        time.sleep(0.1)
else:
    print("closed", flush=True)
EOP
# hold CLIENT NAME SECONDS: hold.py in CLIENT's namespace, its line in
# $TMP/NAME.out once it comes.
hold() {
	nsx "$1" python3 "$TMP/hold.py" "$3" "$TMP/$2.stop" >"$TMP/$2.out" 2>&1 &
	lab_track $!
	lab_wait_log "held\|closed" 10 "$TMP/$2.out" ||
	    fail "$2: no answer: $(cat "$TMP/$2.out")"
	echo "$2: $(cat "$TMP/$2.out")"
}
# summary SESSIONS REFUSED RELAY0 RELAY1: show summary's office row and
# relay rows say so.
summary() {
	"$PPTPPROXYCTL" -s "$CTLSOCK" -j show summary >"$TMP/sum.json" ||
	    fail "show summary"
	python3 - "$TMP/sum.json" "$@" <<'EOP' || fail "summary: $(cat "$TMP/sum.json")"
import json, sys
sm = json.load(open(sys.argv[1]))
want = [int(x) for x in sys.argv[2:]]
o = {x["name"]: x for x in sm["proxies"]}["office"]
rs = [r["sessions"] for r in sm["relays"]]
print("office:", o["sessions"], "sessions,", o["refused_limit"],
    "refused; relays:", rs)
assert [o["sessions"], o["refused_limit"]] == want[:2], o
assert rs == want[2:], rs
EOP
}
# refused CLIENT NAME ADDR N WHY: NAME of CLIENT closed, and the log says
# why: N connections already, WHY the limit.
refused() {
	hold "$1" "$2" 60
	grep -q closed "$TMP/$2.out" || fail "$2: held ($5)"
	lab_wait_log "refused 192\.0\.2\.$3:[0-9]* on office: $4 control connections $5" 5 ||
	    fail "no line refusing .$3: $4 connections, $5"
}
held() {
	hold "$1" "$2" "${4:-60}"
	grep -q held "$TMP/$2.out" || fail "$2 not held: $3"
}
# gone ADDR: the session of 192.0.2.ADDR ended.
gone() {
	lab_wait_log "session [0-9]*: 192\.0\.2\.$1:[0-9]* .*ended\|session [0-9]*: 192\.0\.2\.$1:[0-9]* .*closed" 10 ||
	    lab_wait_log "192\.0\.2\.$1:.*client closed" 5 ||
	    fail "no end of .$1's session"
}

# Each relay maps the counts, its own page writable, the other's
# read-only, and keeps no descriptor of them; the forwarder has none.
for p in $(proxy_children); do
	printf '%s %s\n' "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline")"
done >"$TMP/pids.txt"
python3 - "$TMP/pids.txt" <<'EOP' || fail "the counts' mappings"
import os, re, sys
seen = 0
for line in open(sys.argv[1]):
    pid, title = line.split(" ", 1)
    m = re.match(r"pptpproxy: (control|gre)(?: (\d+))?\s*$", title)
    if not m:
        continue
    maps = [l.split() for l in open("/proc/%s/maps" % pid)
        if "memfd:pptpproxy-conns" in l]
    fds = [f for f in os.listdir("/proc/%s/fd" % pid)
        if "pptpproxy-conns" in os.readlink("/proc/%s/fd/%s" % (pid, f))]
    assert not fds, "%s keeps descriptors %s of the counts" % (title, fds)
    if m.group(1) == "gre":
        assert not maps, "the forwarder maps the counts: %s" % maps
        continue
    i = int(m.group(2) or 0)
    rw, ro = [], []
    for a in maps:
        lo, hi = (int(x, 16) for x in a[0].split("-"))
        (rw if "w" in a[1] else ro).append((int(a[2], 16), hi - lo))
    print("relay %d: writable %s, read-only %s" % (i, rw, ro))
    assert rw == [(i * 16384, 16384)], "relay %d writes %s" % (i, rw)
    assert ro == [((1 - i) * 16384, 16384)], "relay %d reads %s" % (i, ro)
    seen += 1
assert seen == 2, "%d relays" % seen
EOP

held c2 a11 "relay 1's share"
held c3 a12 "relay 1 borrowing, relay 0 holding none"
held c1 a10 "relay 0's share"
refused c1 a10b 10 1 "from that address already (limit connections per-address)"
refused c6 a15 15 2 "already (limit connections, all relays)"
held c4 a13 "relay 0's share, the relays holding 3"
refused c5 a14 14 2 "already (limit connections, all relays)"
summary 4 3 2 2

# .11 and .12 leave: relay 1 holds none.
touch "$TMP/a11.stop" "$TMP/a12.stop"
gone 11
gone 12
sleep 0.5
held c5 a14b "relay 0 borrowing, relay 1 holding none"
held c2 a11b "relay 1's share, relay 0 having borrowed"
refused c3 a12b 12 1 "already (limit connections, all relays)"
summary 4 4 3 1

# A reload to limit connections 5: shares 3 and 2, the pool 5.
sed 's/^limit connections 3$/limit connections 5/' "$TMP/p.conf" >"$TMP/p5.conf"
cat "$TMP/p5.conf" >"$TMP/p.conf"
kill -HUP "$PROXY_PID"
lab_wait_log "configuration reloaded" 5 || fail "no reload"
held c3 a12c "relay 1's new share of 2, the relays at 4 of 5"
touch "$TMP/a14b.stop"
gone 14
sleep 0.5
held c6 a15b "relay 1 borrowing, the relays at 4 of 5"
summary 5 4 2 3
exit 0
