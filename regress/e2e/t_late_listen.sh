#!/bin/sh
# A listen address that is on no interface when the daemon starts (DHCP,
# PPPoE, CARP) is listened on once it is up, without a reload.  First
# the way Linux does it (the socket bound ahead with IP_FREEBIND), then
# the way of systems without it (the test build told to do without): the
# parent tries again every 5 s and hands the socket to the control relay.
# Each time: the daemon starts with 192.0.2.5 on no interface, a client
# cannot reach it, the address is added to the firewall, and a real
# client's call then echoes every frame.
. "$(dirname "$0")/lib.sh"
lab_testbuild
lab_topology 1
lab_pptpd
printf 'proxy "late" {\n\tlisten on 192.0.2.5\n\tserver 198.51.100.2\n}\n' \
    >"$TMP/late.conf"

# late BINARY WANT_LINE [UP_LINE]: one round; UP_LINE, when given, is
# waited for (6 s at most) once the address is up.
late() {
	: >"$PLOG"
	lab_bg fw "$1" -d -l "$PLOG" -s "$CTLSOCK" -f "$TMP/late.conf"
	PROXY_PID=$LAST_PID
	lab_wait_log "relaying control connections" 10 ||
	    fail "the daemon did not start with its address missing"
	lab_wait_log "$2" 5 || fail "no line saying the address is not up"
	grep "no interface yet" "$PLOG" | sed 's/^[^]]*\]: /  /'
	# Nothing may answer there: no accept, no reset; only a
	# timeout or "no route" (no host has the address) will do.
	r=$(nsx c1 python3 -c '
import errno, socket
s = socket.socket(); s.settimeout(2)
try:
	s.connect(("192.0.2.5", 1723)); print("connected")
except socket.timeout:
	print("silent")
except OSError as e:
	print("silent" if e.errno in (errno.EHOSTUNREACH, errno.ETIMEDOUT)
	    else "error %s" % e)')
	[ "$r" = silent ] || fail "192.0.2.5 before it was up: $r"
	ip -n "$(ns fw)" addr add 192.0.2.5/24 dev br0 ||
	    fail "cannot add the address"
	# The client's failed lookup of 192.0.2.5 would hold for a while.
	nsx c1 ip neigh flush all
	if [ -n "${3:-}" ]; then
		lab_wait_log "$3" 6 || fail "no line saying the address is up"
	fi
	lab_drive c1 -n 50 -t 30 192.0.2.5 ||
	    fail "no call through the address once up"
	grep -q "reloading" "$PLOG" && fail "a reload happened"
	kill -TERM "$PROXY_PID"
	wait "$PROXY_PID"
	ip -n "$(ns fw)" addr del 192.0.2.5/24 dev br0
}

late "$PPTPPROXY" "192.0.2.5 is on no interface yet: listening for when it is"
echo "bound ahead: the call went through"
PPTPPROXY_TEST_NO_FREEBIND=1
export PPTPPROXY_TEST_NO_FREEBIND
late "$TB" "192.0.2.5 is on no interface yet: trying again every 5 s" \
    "proxy late: 192.0.2.5:1723 is up: listening"
echo "retried: the call went through"
exit 0
