#!/bin/sh
# relays 2 with gre offload: c1 (192.0.2.10, relay 0) and c2
# (192.0.2.11, relay 1) each hold a call for 4 s at 200 frames a second
# between pptp-linux and pptpd.  Both calls go to the kernel (four
# elements in the peers set); show sessions, while they are up, counts
# what the kernel forwarded for the sessions of both relays (the
# forwarder asks the kernel's counters for each relay's poll); each
# session's end line counts every frame echoed, the kernel's packets
# too (the deletion's counts go back to the relay of the Call ID); no
# element is left after; SIGTERM removes the table.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
lab_topology 2
lab_pptpd
offload_proxy 1 "relays 2"
lab_wait_log "gre offload: the kernel forwards" 5 ||
    fail "no start-up line saying the kernel forwards GRE"
[ "$(pgrep -c -P "$PROXY_PID")" -eq 4 ] ||
    fail "children: $(pgrep -P "$PROXY_PID" | tr '\n' ' ')"

for c in 1 2; do
	lab_drive c$c -k 4 -w 4 -t 30 192.0.2.1 >"$TMP/c$c.out" 2>&1 &
	eval drv$c=$!
	lab_track $!
done
i=0
while [ "$(grep -c "call 1 up" "$PLOG")" -lt 2 ] && [ $i -lt 150 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ $i -lt 150 ] || fail "not two calls up"
sleep 2
nsx fw nft list set ip pptpproxy peers >"$TMP/peers" 2>&1
cat "$TMP/peers"
n=$(grep -c "counter packets" "$TMP/peers")
[ "$n" -eq 4 ] || fail "expected 4 elements in the peers set, saw $n"
"$PPTPPROXYCTL" -s "$CTLSOCK" -j show sessions >"$TMP/live.json" ||
    fail "show sessions"
python3 - "$TMP/live.json" >"$TMP/live.out" 2>&1 <<'EOP'
import json, sys
ss = json.load(open(sys.argv[1]))["sessions"]
assert sorted(s["client"]["address"] for s in ss) == \
    ["192.0.2.10", "192.0.2.11"], ss
for s in ss:
    relay = (s["id"] - 1) % 2
    want = {"192.0.2.10": 0, "192.0.2.11": 1}[s["client"]["address"]]
    assert relay == want, "%s on relay %d" % (s["client"]["address"], relay)
    for d in ("to_client", "to_server"):
        # 2 s of 200 frames a second, most of them the kernel's.
        assert s["gre"][d]["packets"] > 200, (s["client"], d, s["gre"])
    print(s["client"]["address"], "relay", relay, s["gre"])
print("ok")
EOP
r=$?
cat "$TMP/live.out"
[ $r -eq 0 ] || fail "live counters: $(tail -n 1 "$TMP/live.out")"

lab_drives_done 2
for c in 1 2; do
	sent=$(sed -n 's/.* ok: \([0-9][0-9]*\)\/.*/\1/p' "$TMP/c$c.out")
	[ -n "$sent" ] && [ "$sent" -ge 400 ] ||
	    fail "c$c: too few frames echoed: ${sent:-none}"
	end=$(grep "ended after" "$PLOG" | grep "192\.0\.2\.1$((c - 1)):")
	echo "$end" | sed 's/^.*control[ 0-9]*: //'
	to_s=$(echo "$end" | sed -n 's/.*to server \([0-9]*\) packets.*/\1/p')
	to_c=$(echo "$end" | sed -n 's/.*to client \([0-9]*\) packets.*/\1/p')
	[ -n "$to_s" ] && [ "$to_s" -ge "$sent" ] &&
	    [ -n "$to_c" ] && [ "$to_c" -ge "$sent" ] ||
	    fail "c$c's session end counts ${to_s:-no}/${to_c:-no} packets, echoed $sent"
done
grep "ended after" "$PLOG" | grep -q "control 1: " ||
    fail "no session end line of relay 1"
offload_empty "after the calls"
offload_stopped
exit 0
