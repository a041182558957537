#!/bin/sh
# relays 2 with gre offload: a GRE forwarder a relay, forwarder 1 owning
# relay 1's Call IDs (32768-65535) only.  A compromised forwarder 1
# (build/tools/hostile, playing "pptpproxy: gre 1"):
#  - a route of its own Call ID 40000 that the configuration allows is
#    taken (one element in the kernel's set) and its deletion too: the
#    daemon goes on, and a call goes through after;
#  - a route of Call ID 4000 (forwarder 0's), otherwise allowed: the
#    parent refuses it before adding anything, says why, and ends
#    (status 1, no child, no table left);
#  - the deletion of Call ID 4000: the same.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
lab_topology 1
lab_pptpd

# start: the daemon, its four children up.
start() {
	: >"$PLOG"
	offload_proxy 1 "relays 2"
	lab_wait_log "gre offload: the kernel forwards" 5 ||
	    fail "gre offload did not start"
	proxy_wait_children 4 || fail "children: $KIDS"
	hostile_child "gre 1" >/dev/null
}

start
hostile "gre 1" route 192.0.2.10 198.51.100.2 198.51.100.1 192.0.2.1 \
    40000 1 1 || fail "could not send the route"
sleep 0.5
nsx fw nft list set ip pptpproxy peers >"$TMP/peers" 2>&1
n=$(grep -c "counter packets" "$TMP/peers")
[ "$n" -eq 1 ] ||
    fail "a route of its own Call ID: $n elements, not 1: $(cat "$TMP/peers")"
hostile "gre 1" del 40000 || fail "could not send the deletion"
sleep 0.5
offload_empty "after the tool deleted its route"
lab_drive c1 -k 2 -t 20 192.0.2.1 >"$TMP/drive.out" 2>&1 ||
    { cat "$TMP/drive.out"; fail "no call through after its own route"; }
kill -0 "$PROXY_PID" 2>/dev/null || fail "the parent ended"
grep -q "compromised" "$PLOG" && fail "its own route called compromised"
note "ok: a route of its own Call ID taken and deleted"
kill -TERM "$PROXY_PID"
wait "$PROXY_PID"

start
hostile "gre 1" route 192.0.2.10 198.51.100.2 198.51.100.1 192.0.2.1 \
    4000 1 1 || fail "could not send the route"
hostile_ended "route of another's Call ID" \
    "gre 1 process sent an offload route for Call ID 4000, another forwarder's"

start
hostile "gre 1" del 4000 || fail "could not send the deletion"
hostile_ended "deletion of another's Call ID" \
    "gre 1 process sent an offload deletion for Call ID 4000, another forwarder's"
exit 0
