#!/bin/sh
# relays 2, GRE in user space: a GRE forwarder a relay, each on a raw
# socket of its own that the kernel's filter gives only its relay's Call
# IDs.  c1 (192.0.2.10, relay 0) and c2 (192.0.2.11, relay 1) each echo
# 300 frames through pptpd and pause their calls.  Then:
#  - the titles: control, control 1, gre, gre 1;
#  - SIGUSR1: each forwarder's status line has its own call's two routes,
#    packets forwarded, and none dropped as of an unknown Call ID (the
#    other forwarder's packets never reach it);
#  - show summary: the GRE totals are both forwarders' added up, equal to
#    what the sessions' counters carried, nothing dropped;
#  - a packet of no PPTP GRE (version 0, no key) from the client's side
#    is counted once, as malformed, by forwarder 0 (the only one given
#    such packets);
#  - the calls go on: 300 frames more each; both end lines count every
#    frame echoed; SIGTERM, exit 0.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
lab_topology 2
lab_pptpd
relays_conf 2
lab_proxy fw -f "$TMP/p.conf"
proxy_wait_children 4 || fail "children: $KIDS"
titles=$(for p in $KIDS; do tr '\0' '\n' <"/proc/$p/cmdline"; echo; done |
    grep . | sort | tr '\n' '|')
echo "titles: $titles"
[ "$titles" = "pptpproxy: control|pptpproxy: control 1|pptpproxy: gre|pptpproxy: gre 1|" ] ||
    fail "children's titles: $titles"
lab_wait_log "gre 1: forwarding GRE" 5 || fail "no line of forwarder 1"

for c in 1 2; do
	lab_drive c$c -n 300 -w 4 -t 60 -P "$TMP/go" 192.0.2.1 \
	    >"$TMP/c$c.out" 2>&1 &
	eval drv$c=$!
	lab_track $!
done
for c in 1 2; do
	lab_wait_log "PAUSE:" 60 "$TMP/c$c.out" ||
	    fail "c$c did not echo its frames: $(cat "$TMP/c$c.out")"
	cat "$TMP/c$c.out"
done
sleep 1

# Each forwarder's status, one line each.
n0=$(grep -c "routes (" "$PLOG")
kill -USR1 "$PROXY_PID"
i=0
while [ "$(grep -c "routes (" "$PLOG")" -lt $((n0 + 2)) ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
for g in "gre" "gre 1"; do
	line=$(grep "]: $g: [0-9]* routes (" "$PLOG" | tail -n 1)
	echo "$line" | sed 's/^.*]: //'
	routes=$(echo "$line" | sed -n 's/.*: \([0-9]*\) routes (.*/\1/p')
	fwd=$(echo "$line" | sed -n 's/.*), \([0-9]*\) forwarded.*/\1/p')
	unk=$(echo "$line" | sed -n 's/.* \([0-9]*\) unknown Call ID.*/\1/p')
	[ "$routes" = 2 ] || fail "$g: ${routes:-no} routes, not its call's 2"
	[ -n "$fwd" ] && [ "$fwd" -ge 600 ] ||
	    fail "$g: ${fwd:-no} packets forwarded, not 600 or more"
	[ "$unk" = 0 ] || fail "$g: ${unk:-?} packets of an unknown Call ID"
done

ctl -j show sessions >"$TMP/sessions.json" || fail "show sessions"
ctl -j show summary >"$TMP/summary.json" || fail "show summary"
python3 - "$TMP/sessions.json" "$TMP/summary.json" >"$TMP/sum.out" 2>&1 <<'EOP'
import json, sys
ss = json.load(open(sys.argv[1]))["sessions"]
g = json.load(open(sys.argv[2]))["gre"]
assert len(ss) == 2, ss
for s in ss:
    want = {"192.0.2.10": 0, "192.0.2.11": 1}[s["client"]["address"]]
    assert (s["id"] - 1) % 2 == want, s
pk = sum(s["gre"][d]["packets"] for s in ss for d in ("to_client",
    "to_server"))
print("sessions", pk, "summary", g)
assert g["routes"] == 4, g
assert pk <= g["forwarded"]["packets"] <= pk + 8, (pk, g)
assert g["dropped"] == {"malformed": 0, "unknown_call_id": 0,
    "wrong_source": 0}, g
print("ok")
EOP
r=$?
cat "$TMP/sum.out"
[ $r -eq 0 ] || fail "show summary: $(tail -n 1 "$TMP/sum.out")"

# One GRE packet of no PPTP (version 0, no key) from c1 to the proxy.
nsx c1 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
s.sendto(b"\x00\x00\x08\x00" + b"x" * 20, ("192.0.2.1", 0))' ||
    fail "cannot send the packet"
sleep 0.5
ctl -j show summary >"$TMP/summary2.json" || fail "show summary"
python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))["gre"]
assert g["dropped"]["malformed"] == 1, g["dropped"]' "$TMP/summary2.json" ||
    fail "the packet of no PPTP: $(cat "$TMP/summary2.json")"

touch "$TMP/go"
lab_drives_done 2
for c in 1 2; do
	end=$(grep "ended after" "$PLOG" | grep "192\.0\.2\.1$((c - 1)):")
	echo "$end" | sed 's/^.*control[ 0-9]*: //'
	to_s=$(echo "$end" | sed -n 's/.*to server \([0-9]*\) packets.*/\1/p')
	to_c=$(echo "$end" | sed -n 's/.*to client \([0-9]*\) packets.*/\1/p')
	[ -n "$to_s" ] && [ "$to_s" -ge 600 ] &&
	    [ -n "$to_c" ] && [ "$to_c" -ge 600 ] ||
	    fail "c$c: end line does not count its frames: $end"
done

kill -TERM "$PROXY_PID"
lab_gone "$PROXY_PID" 15 || fail "still running 15 s after SIGTERM"
wait "$PROXY_PID" 2>/dev/null
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM"
proxy_children_gone "SIGTERM"
exit 0
