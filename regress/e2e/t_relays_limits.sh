#!/bin/sh
# relays 2, limit connections 3, limit connections per-address 1: relay
# 0 takes clients 192.0.2.10 and .13, relay 1 .11 and .12 (the steering
# by address); each relay holds its share of the limit, 2 for relay 0
# and 1 for relay 1.  Control connections that start a control
# connection with pptpd (Start-Control-Connection answered) and hold it:
# .11 is held, .12 then refused (relay 1's share is full; the log says
# so), .10 held, a second one of .10 refused by the per-address limit
# (relay 0 has room), .13 held (relay 0's share full); show summary counts 3 sessions and the two
# refusals.  Once .11 leaves, .12 is held.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
lab_topology 4
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
hold c2 a11 60
grep -q held "$TMP/a11.out" || fail ".11 (relay 1) not held"
hold c3 a12 60
grep -q closed "$TMP/a12.out" || fail ".12 held past relay 1's share"
lab_wait_log "refused 192\.0\.2\.12:[0-9]* on office: 1 control connections already (limit connections, this relay's share)" 5 ||
    fail "no line refusing .12 for relay 1's share"
hold c1 a10 60
grep -q held "$TMP/a10.out" || fail ".10 (relay 0) not held"
hold c1 a10b 60
grep -q closed "$TMP/a10b.out" || fail "a second .10 held past per-address"
lab_wait_log "refused 192\.0\.2\.10:[0-9]* on office: 1 control connections from that address already (limit connections per-address)" 5 ||
    fail "no line refusing the second .10 by the per-address limit"
hold c4 a13 60
grep -q held "$TMP/a13.out" || fail ".13 (relay 0) not held"

"$PPTPPROXYCTL" -s "$CTLSOCK" -j show summary >"$TMP/sum.json" ||
    fail "show summary"
python3 - "$TMP/sum.json" <<'EOP' || fail "summary: $(cat "$TMP/sum.json")"
import json, sys
o = {x["name"]: x for x in json.load(open(sys.argv[1]))["proxies"]}["office"]
print("office:", o["sessions"], "sessions,", o["refused_limit"], "refused")
assert o["sessions"] == 3 and o["refused_limit"] == 2, o
EOP

# .11 leaves: relay 1 has room for .12.
touch "$TMP/a11.stop"
lab_wait_log "session [0-9]*: 192\.0\.2\.11:[0-9]* .*ended\|session [0-9]*: 192\.0\.2\.11:[0-9]* .*closed" 10 ||
    lab_wait_log "192\.0\.2\.11:.*client closed" 5 ||
    fail "no end of .11's session"
sleep 0.5
hold c3 a12b 5
grep -q held "$TMP/a12b.out" || fail ".12 not held once .11 left"
exit 0
