#!/bin/sh
# relays 2: a compromised relay acts for the other one (build/tools/
# hostile, playing relay 1, "pptpproxy: control 1").  Relay 1 numbers its
# sessions 2, 4, 6... and presents Call IDs 32768-65535; relay 0 has the
# rest.
#  - An ACL request for session 2 (its own) is taken: the daemon goes on.
#  - An ACL request for session 1 (relay 0's): the parent treats relay 1
#    as compromised and stops the daemon, exit 1, no child left.
#  - Asking the GRE forwarder to end Call ID 5 (relay 0's): the forwarder
#    says so and exits, and the daemon stops, exit 1, no child left.
#  - The same for Call ID 40000 (its own) is taken: the daemon goes on.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
lab_topology 1
lab_pptpd
relays_conf 2

# start: the daemon, its four children up (two relays, a GRE forwarder
# each); R1 the pid of relay 1.
start() {
	: >"$PLOG"
	lab_proxy fw -f "$TMP/p.conf"
	proxy_wait_children 4 || fail "children: $KIDS"
	R1=$(proxy_kid "control 1") || exit 1
}

# goes_on CASE: a second later the daemon and its children still run,
# and a call goes through.
goes_on() {
	sleep 1
	kill -0 "$PROXY_PID" 2>/dev/null || fail "$1: the daemon ended"
	for _k in $KIDS; do
		kill -0 "$_k" 2>/dev/null || fail "$1: child $_k ended"
	done
	lab_drive c1 -n 20 -t 30 192.0.2.1 >"$TMP/drive.out" 2>&1 ||
	    fail "$1: no call after it: $(cat "$TMP/drive.out")"
	note "ok: $1: the daemon goes on"
}

start
"$HOSTILE" -c "$R1" aclid 2 192.0.2.10 1 || fail "aclid 2 not sent"
goes_on "ACL request for its own session"
"$HOSTILE" -c "$R1" aclid 1 192.0.2.10 1 || fail "aclid 1 not sent"
proxy_stopped "ACL request for relay 0's session" \
    "control 1 process sent an ACL request for session 1, another relay's: treating it as compromised"

start
"$HOSTILE" -c -p "$R1" gredel 2 40000 || fail "gredel 40000 not sent"
goes_on "end of a route of its own Call ID"
"$HOSTILE" -c -p "$R1" gredel 2 5 || fail "gredel 5 not sent"
proxy_stopped "end of a route of relay 0's Call ID" \
    "relay 1 asked to end Call ID 5, not its own"
exit 0
