#!/bin/sh
# Two pptpproxies tunnel the calls' GRE in UDP across a NAT that drops
# GRE (lab_tunnel_topology): frames of every size up to 4000 bytes (what
# pptp-linux takes) echo intact and in order; both proxies log the
# tunnel, over UDP, and B the peer's (masqueraded) address, in the
# session's status line (SIGUSR1) while the call is up and in its last
# line.
. "$(dirname "$0")/lib.sh"
lab_tunnel_topology 1
lab_pptpd
tun_proxies
lab_drive c1 -n 20 -k 4 -r 20 -t 30 192.0.2.1 >"$TMP/k.out" 2>&1 &
p=$!
lab_track $p
lab_wait_log "call 1 up" 10 "$PLOG2" || fail "no call on B"
sleep 1
kill -USR1 "$A_PID" "$B_PID"
lab_wait_log "session 1: 192.0.2.10:[0-9]* -> 198.51.100.66:1723 (a), .* 1 calls* up, tunnelled over UDP, peer 198.51.100.66:1723" 5 ||
    fail "A's status does not show the session tunnelled over UDP"
lab_wait_log "session 1: 198.51.100.65:[0-9]* -> 198.51.100.2:1723 (b), .* 1 calls* up, tunnelled over UDP, peer 198.51.100.65:[0-9]" 5 "$PLOG2" ||
    fail "B's status does not show the session tunnelled over UDP, from mid's address"
# pptpproxyctl: the row of show sessions ends with the tunnel; show
# session in words; JSON.
ctl() {
	"$PPTPPROXYCTL" "$@" 2>&1
}
if [ -x "$PPTPPROXYCTL" ]; then
	ctl -s "$CTLSOCK" show sessions >"$TMP/a.sessions"
	grep -q "^1 .* tunnel udp 198.51.100.66:1723$" "$TMP/a.sessions" ||
	    { cat "$TMP/a.sessions"; fail "A's show sessions does not show the tunnel"; }
	ctl -s "$TMP/pptpproxy-fw2.sock" show sessions >"$TMP/b.sessions"
	grep -q "^1 .* tunnel udp 198.51.100.65:[0-9]*$" "$TMP/b.sessions" ||
	    { cat "$TMP/b.sessions"; fail "B's show sessions does not show the tunnel"; }
	ctl -s "$CTLSOCK" show session 1 | grep -q "^  tunnel  *over UDP, peer 198.51.100.66:1723$" ||
	    fail "A's show session 1 does not show the tunnel"
	ctl -s "$CTLSOCK" -j show sessions | grep -q '"tunnel":{"over":"udp","peer":{"address":"198.51.100.66","port":1723},"queued":0,"dropped":{"to_client":0,"to_server":0}}' ||
	    fail "A's JSON sessions do not show the tunnel"
fi
wait $p || { cat "$TMP/k.out"; fail "the first call did not echo every frame"; }
lab_drive c1 -n 300 -w 8 -s 4000 -t 60 192.0.2.1 ||
    fail "frames did not echo through the tunnel"
lab_wait_log "tunnel to 198.51.100.66:1723 agreed" 5 ||
    fail "A did not log the tunnel"
lab_wait_log "198.51.100.65:[0-9]* tunnels the calls' GRE to UDP port 1723" 5 "$PLOG2" ||
    fail "B did not log the tunnel"
lab_wait_log "ended after.*tunnelled over UDP, peer 198.51.100.66:1723" 10 ||
    fail "A's session end does not say tunnelled over UDP"
lab_wait_log "ended after.*tunnelled over UDP, peer 198.51.100.65:[0-9]" 10 "$PLOG2" ||
    fail "B's session end does not say tunnelled over UDP from mid's address"
grep -q "switching to TCP" "$PLOG" && fail "A fell back to TCP"
exit 0
