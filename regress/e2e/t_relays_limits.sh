#!/bin/sh
# relays 2, limit connections 3, limit connections per-address 1: relay
# 0 takes clients 192.0.2.10, .13 and .14, relay 1 .11, .12 and .15 (the
# steering by address); the limit is one pool: a relay takes a
# connection only while the relays hold fewer than 3 in all, whatever it
# holds itself.  Control connections that start a control connection
# with pptpd (Start-Control-Connection answered) and hold it: .11 held
# (the relays holding none), .10 held (1), a second one of .10 refused
# by the per-address limit (the pool has room), .12 held (2), .15
# refused (relay 1 at 2, the relays at 3; the log says "all relays"),
# .13 refused too (relay 0 at 1, the relays at 3); show summary counts
# 3 sessions, 1 and 2 a relay, and three refusals.  Before, each relay's
# mappings of the counts: its own page writable, the other's read-only,
# no descriptor of them left (nor any mapping in the forwarder).  Once
# .11 and .12 leave, .13 and .14 are held (relay 0 takes the whole
# limit, relay 1 holding none), and .11 refused (relay 1 holding none,
# the relays at 3: no share of its own); 3 sessions, 3 and 0, four
# refusals.  A reload to limit connections 5: .11 and .12 held (the
# relays at 3, then 4 of the new 5), .15 refused (the relays at 5); 5
# sessions, 3 and 2, five refusals; once .14 left, .15 held (the relays
# at 4) and .14 refused (at 5 again): 5 sessions, 2 and 3, six
# refusals.  The relays never hold more than the limit.
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
# refused CLIENT NAME ADDR N WHY: NAME of CLIENT closed, and a new line
# of the log says why: N connections already, WHY the limit.
refused() {
	_pat="refused 192\.0\.2\.$3:[0-9]* on office: $4 control connections $5"
	_n=$(log_count "$_pat")
	hold "$1" "$2" 60
	grep -q closed "$TMP/$2.out" || fail "$2: held ($5)"
	_i=0
	while [ "$(log_count "$_pat")" -le "$_n" ]; do
		[ $_i -lt 50 ] ||
		    fail "no new line refusing .$3: $4 connections, $5"
		sleep 0.1
		_i=$((_i + 1))
	done
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

held c2 a11 "the relays holding none"
held c1 a10 "the relays holding 1"
refused c1 a10b 10 1 "from that address already (limit connections per-address)"
held c3 a12 "the relays holding 2"
refused c6 a15 15 2 "already (limit connections, all relays)"
refused c4 a13 13 1 "already (limit connections, all relays)"
summary 3 3 1 2

# .11 and .12 leave: relay 1 holds none, relay 0 takes the rest.
touch "$TMP/a11.stop" "$TMP/a12.stop"
gone 11
gone 12
sleep 0.5
held c4 a13b "relay 1 holding none, the relays at 1"
held c5 a14 "relay 1 holding none, the relays at 2"
refused c2 a11b 11 0 "already (limit connections, all relays)"
summary 3 4 3 0

# A reload to limit connections 5.
sed 's/^limit connections 3$/limit connections 5/' "$TMP/p.conf" >"$TMP/p5.conf"
cat "$TMP/p5.conf" >"$TMP/p.conf"
kill -HUP "$PROXY_PID"
lab_wait_log "configuration reloaded" 5 || fail "no reload"
held c2 a11c "the relays at 3 of 5"
held c3 a12c "the relays at 4 of 5"
refused c6 a15b 15 2 "already (limit connections, all relays)"
summary 5 5 3 2
touch "$TMP/a14.stop"
gone 14
sleep 0.5
held c6 a15c "relay 0 down to 2, the relays at 4 of 5"
refused c5 a14b 14 2 "already (limit connections, all relays)"
summary 5 6 2 3
exit 0
