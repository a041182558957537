#!/bin/sh
# B's listen address is on no interface when B starts (DHCP, PPPoE,
# CARP): its tunnels' UDP socket comes up with the address, without a
# reload, as its listening socket does (lab_tunnel_topology: the middle
# drops GRE; B listens on 198.51.100.67, which fw2 does not have yet).
# Three rounds, each: B starts and says that the address is not up, the
# address is added to fw2, and a real client's call through A and B
# echoes every frame over UDP.
#  1. The way Linux does it: the UDP socket bound ahead (IP_FREEBIND),
#     there before the address is.
#  2. The way of systems without it (the test build told to do without):
#     no socket until the address is up, then the parent binds it within
#     5 s and hands it to the forwarder.
#  3. The same, with a reload of B while the socket waits: the reload
#     neither forgets it nor opens a second one; one socket, opened once.
# Last, without a call: a reload of B without "tunnel accept" while the
# socket waits forgets it: none is opened once the address is up.
. "$(dirname "$0")/lib.sh"
lab_testbuild
lab_tunnel_topology 1
lab_pptpd
PLOG2=$TMP/proxy2.log
EXTRA_LOGS=$PLOG2
# fw2's interface towards the middle, where the late address goes.
B_IF=$(ip -n "$(ns fw2)" -o addr show to 198.51.100.66/32 | awk '{print $2}')
[ -n "$B_IF" ] || fail "no interface of fw2 with 198.51.100.66"
cat >"$TMP/a.conf" <<EOC
proxy a {
	listen on 192.0.2.1
	server 198.51.100.67 port 1723 tunnel
}
EOC
cat >"$TMP/b.conf" <<EOC
proxy b {
	listen on 198.51.100.67
	server 198.51.100.2
	tunnel accept from 198.51.100.65
}
EOC
lab_proxy fw -f "$TMP/a.conf"
A_PID=$PROXY_PID

# b_udp: B's UDP sockets on 198.51.100.67 port 1723, one a line.
b_udp() {
	nsx fw2 ss -lunH "src 198.51.100.67 and sport = :1723"
}

# late BINARY WANT_LINE [reload]: one round; WANT_LINE is what B says
# of its tunnel socket at start.
late() {
	: >"$PLOG2"
	lab_bg fw2 "$1" -d -l "$PLOG2" -s "$TMP/pptpproxy-fw2.sock" \
	    -f "$TMP/b.conf"
	B_PID=$LAST_PID
	lab_wait_log "relaying control connections" 10 "$PLOG2" ||
	    fail "B did not start with its address missing"
	lab_wait_log "$2" 5 "$PLOG2" ||
	    fail "B does not say its tunnel socket waits for the address"
	grep "no interface yet" "$PLOG2" | sed 's/^[^]]*\]: /  /'
	if [ "$1" = "$PPTPPROXY" ]; then
		[ "$(b_udp | wc -l)" -eq 1 ] ||
		    fail "B's UDP socket is not bound ahead"
	else
		[ -z "$(b_udp)" ] || fail "B has a UDP socket on an address it cannot bind"
	fi
	if [ "${3:-}" = reload ]; then
		kill -HUP "$B_PID"
		lab_wait_log "configuration reloaded" 5 "$PLOG2" ||
		    fail "B did not reload"
		[ "$(log_count "tunnels: UDP 198.51.100.67 port 1723: .*trying again" "$PLOG2")" -eq 1 ] ||
		    fail "B's reload took the waiting socket for a new one"
		[ -z "$(b_udp)" ] || fail "B's reload bound a UDP socket on an address it cannot bind"
	fi
	ip -n "$(ns fw2)" addr add 198.51.100.67/26 dev "$B_IF" ||
	    fail "cannot add the address"
	nsx mid ip neigh flush all
	if [ "$1" != "$PPTPPROXY" ]; then
		lab_wait_log "tunnels: UDP 198.51.100.67 port 1723 is up: open" 6 "$PLOG2" ||
		    fail "B does not say its UDP socket is open once the address is up"
		lab_wait_log "proxy b: 198.51.100.67:1723 is up: listening" 6 "$PLOG2" ||
		    fail "B does not listen once the address is up"
		grep "is up" "$PLOG2" | sed 's/^[^]]*\]: /  /'
	fi
	n=$(log_count "tunnels the calls' GRE to UDP port 1723" "$PLOG2")
	lab_drive c1 -n 100 -w 8 -t 30 192.0.2.1 ||
	    fail "frames did not echo through B once its address was up"
	[ "$(log_count "tunnels the calls' GRE to UDP port 1723" "$PLOG2")" -gt "$n" ] ||
	    fail "the call was not tunnelled to B's UDP port"
	lab_wait_log "198.51.100.65:[0-9]* ended after .*1 call,.*tunnelled over UDP" 10 "$PLOG2" ||
	    fail "B's session end does not say tunnelled over UDP"
	grep -q "switching to TCP\|no UDP way back\|no UDP socket" "$PLOG" "$PLOG2" &&
	    fail "a tunnel went to TCP"
	if [ "${3:-}" = reload ]; then
		# A retry after the socket is open must not open another.
		sleep 6
		[ "$(log_count "tunnels: UDP 198.51.100.67 port 1723 is up" "$PLOG2")" -eq 1 ] ||
		    fail "B opened its UDP socket more than once"
		[ "$(b_udp | wc -l)" -eq 1 ] ||
		    fail "B has not exactly one UDP socket on 198.51.100.67:1723"
	else
		grep -q "reloading" "$PLOG2" && fail "a reload happened"
	fi
	kill -TERM "$B_PID"
	wait "$B_PID"
	ip -n "$(ns fw2)" addr del 198.51.100.67/26 dev "$B_IF"
}

late "$PPTPPROXY" "tunnels: UDP 198.51.100.67 port 1723: 198.51.100.67 is on no interface yet: open for when it is"
echo "bound ahead: the call went over UDP"
PPTPPROXY_TEST_NO_FREEBIND=1
export PPTPPROXY_TEST_NO_FREEBIND
late "$TB" "tunnels: UDP 198.51.100.67 port 1723: 198.51.100.67 is on no interface yet: trying again every 5 s"
echo "retried: the call went over UDP"
late "$TB" "tunnels: UDP 198.51.100.67 port 1723: 198.51.100.67 is on no interface yet: trying again every 5 s" reload
echo "retried across a reload: one socket, the call went over UDP"

: >"$PLOG2"
lab_bg fw2 "$TB" -d -l "$PLOG2" -s "$TMP/pptpproxy-fw2.sock" -f "$TMP/b.conf"
B_PID=$LAST_PID
lab_wait_log "tunnels: UDP 198.51.100.67 port 1723: .*trying again every 5 s" 10 "$PLOG2" ||
    fail "B does not say its tunnel socket waits for the address"
sed '/tunnel accept/d' "$TMP/b.conf" >"$TMP/b2.conf"
mv "$TMP/b2.conf" "$TMP/b.conf"
kill -HUP "$B_PID"
lab_wait_log "configuration reloaded" 5 "$PLOG2" || fail "B did not reload"
lab_wait_log "tunnels: UDP 198.51.100.67 port 1723 no longer waited for: no proxy there accepts tunnels now" 5 "$PLOG2" ||
    fail "B's reload without tunnel accept does not forget the waiting socket"
ip -n "$(ns fw2)" addr add 198.51.100.67/26 dev "$B_IF" ||
    fail "cannot add the address"
lab_wait_log "proxy b: 198.51.100.67:1723 is up: listening" 6 "$PLOG2" ||
    fail "B does not listen once the address is up"
sleep 1
grep -q "tunnels: UDP 198.51.100.67 port 1723 is up" "$PLOG2" &&
    fail "B opened a UDP socket no proxy accepting tunnels wants"
[ -z "$(b_udp)" ] || fail "B has a UDP socket no proxy accepting tunnels wants"
echo "a reload without tunnel accept: the waiting socket forgotten"
kill -TERM "$B_PID"
wait "$B_PID"
exit 0
