#!/bin/sh
# A compromised GRE forwarder asks the parent for gre offload routes no
# configuration allows: a source address the host does not have, a
# server not configured, a client outside the proxy's subnets, Call ID 0.
# Each time the parent refuses before adding any element, says why, and
# ends (children gone, table removed, status 1).  A route the
# configuration does allow, sent the same way, is taken (so the tool
# speaks the parent's language) and deleted again, and a real call goes
# through after it.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
lab_topology 1
lab_pptpd

# Allowed: client 192.0.2.10 to the server through our two addresses.
hostile_start offload
hostile gre route 192.0.2.10 198.51.100.2 198.51.100.1 192.0.2.1 4000 1 1 ||
    fail "could not send the route"
sleep 0.5
nsx fw nft list set ip pptpproxy peers >"$TMP/peers" 2>&1
n=$(grep -c "counter packets" "$TMP/peers")
[ "$n" -eq 1 ] ||
    fail "an allowed route sent by the tool: $n elements, not 1: $(cat "$TMP/peers")"
hostile gre del 4000 || fail "could not send the deletion"
sleep 0.5
offload_empty "after the tool deleted its route"
lab_drive c1 -k 2 -t 20 192.0.2.1 >"$TMP/drive.out" 2>&1 ||
    { cat "$TMP/drive.out"; fail "no call through after the allowed route"; }
kill -0 "$PROXY_PID" 2>/dev/null || fail "the parent ended"
grep -q "compromised" "$PLOG" && fail "an allowed route called compromised"
kill -TERM "$PROXY_PID"
wait "$PROXY_PID"

# try CASE PATTERN ROUTE...: a fresh proxy, the route, the end.
try() {
	_case=$1
	_pat=$2
	shift 2
	hostile_start offload
	hostile gre route "$@" || fail "$_case: could not send the route"
	hostile_ended "$_case" "$_pat"
	grep -q "not ours" "$PLOG" || fail "$_case: no \"not ours\" in the line"
}
try "foreign source address" "source address 198.51.100.99 is not this host's" \
    192.0.2.10 198.51.100.2 198.51.100.99 192.0.2.1 4001 1 1
try "server not configured" "198.51.100.77 is not the server of proxy 1" \
    192.0.2.10 198.51.100.77 198.51.100.1 192.0.2.1 4002 1 1
try "client outside the subnets" "client 203.0.113.50 is not one proxy 1 accepts" \
    203.0.113.50 198.51.100.2 198.51.100.1 192.0.2.1 4003 1 1
try "client outside the subnets, towards it" "client 203.0.113.51 is not one proxy 1 accepts" \
    198.51.100.2 203.0.113.51 192.0.2.1 198.51.100.1 4004 0 1
try "proxy not configured" "proxy 2 is not configured" \
    192.0.2.10 198.51.100.2 198.51.100.1 192.0.2.1 4005 1 2
try "Call ID 0" "Call ID 0" \
    192.0.2.10 198.51.100.2 198.51.100.1 192.0.2.1 0 1 1
exit 0
