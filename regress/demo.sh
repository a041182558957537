#!/bin/sh
# make demo: pptpproxy between real PPTP peers in network namespaces.
# Two clients (pptp-linux) echo PPP frames through pptpproxy on a firewall
# to a server (pptpd whose PPP side sends every frame back); prints what
# happens and cleans up.  Exits non-zero if the traffic did not get through.
top=$(cd "$(dirname "$0")/.." && pwd)
E2E=$top/regress/e2e
. "$E2E/lib.sh"

FRAMES=${FRAMES:-500}
say() { printf '%s\n' "$*"; }
# The interesting part of a proxy log line: drop the time and the pid.
cleanlog() { sed 's/^[-0-9]* [0-9:.]* pptpproxy\[[0-9]*\]: /    /'; }

say "pptpproxy demo: PPTP through a firewall, between real, independent peers"
say ""
say "Topology (network namespaces, removed at the end):"
say ""
say "    client c1  192.0.2.10 --+"
say "                            +-- 192.0.2.1 [firewall fw] 198.51.100.1 ---- 198.51.100.2 [server s]"
say "    client c2  192.0.2.11 --+            pptpproxy                              pptpd"
say ""
say "  - the clients run pptp-linux (pptp 192.0.2.1 --nolaunchpppd): they only"
say "    know the firewall's inside address;"
say "  - the firewall does not route (net.ipv4.ip_forward=0): nothing gets"
say "    across unless pptpproxy carries it, control connection and GRE alike;"
say "  - pptpd on the server starts, for each call, pppecho instead of pppd:"
say "    it sends every PPP frame back, so each frame makes the round trip"
say "    client -> pptpproxy -> pptpd -> pppecho -> pptpd -> pptpproxy -> client."
say ""
lab_topology 2
[ "$(nsx fw sysctl -n net.ipv4.ip_forward)" = 0 ] || fail "the firewall routes"
lab_pptpd
say "pptpd is listening on 198.51.100.2:1723."
lab_proxy fw -p 192.0.2.1:1723,198.51.100.2:1723
say "pptpproxy -d -l LOG -p 192.0.2.1:1723,198.51.100.2:1723 is running in the firewall."
say ""
say "Both clients now send $FRAMES PPP frames each, 1 to 1400 bytes, at the same"
say "time, and check that every one comes back intact and in order:"
lab_drive c1 -n "$FRAMES" -w 8 -t 60 -H 3 192.0.2.1 >"$TMP/c1.out" 2>&1 &
p1=$!
lab_track $p1
lab_drive c2 -n "$FRAMES" -w 8 -t 60 -H 3 192.0.2.1 >"$TMP/c2.out" 2>&1 &
p2=$!
lab_track $p2
# Both hold their call for 3 s once their frames are back: time to look.
if lab_wait_log "HOLD:" 60 "$TMP/c1.out" &&
    lab_wait_log "HOLD:" 60 "$TMP/c2.out"; then
	say ""
	say "While both calls are up, \"pptpproxyctl show sessions\" on the firewall"
	say "shows who is connected, through which proxy, with which Call IDs:"
	nsx fw "$PPTPPROXYCTL" -s "$CTLSOCK" show sessions | sed 's/^/    /'
	say ""
fi
wait $p1; r1=$?
wait $p2; r2=$?
grep -v " HOLD: " "$TMP/c1.out" | sed 's/^pptpdrive 192.0.2.1 tag [0-9]*: /    /' | sed '1s/^    /    c1 (192.0.2.10): /'
grep -v " HOLD: " "$TMP/c2.out" | sed 's/^pptpdrive 192.0.2.1 tag [0-9]*: /    /' | sed '1s/^    /    c2 (192.0.2.11): /'
lab_wait_log "192.0.2.10:[0-9]* ended after" 10
lab_wait_log "192.0.2.11:[0-9]* ended after" 10
say ""
say "What pptpproxy logged: each session's start, its call up and down with the"
say "Call IDs it showed each side, and the session's end with the GRE counted:"
grep "relayed to\|call [0-9]* up\|call [0-9]* down\|ended after" "$PLOG" | cleanlog
say ""
say "On the server, pppecho ran once per call:"
sed 's/^/    /' "$TMP/pppecho-s.log"
say ""
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ]; then
	say "Result: all $((2 * FRAMES)) frames went through pptpproxy and back."
	exit 0
fi
fail "traffic did not get through (clients exited $r1 and $r2)"
