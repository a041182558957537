#!/bin/sh
# Reloads that open and close the tunnels' UDP sockets leave no
# descriptor behind: 12 reloads of a proxy that take "tunnel accept" in
# and out and move its "tunnel udp-port" between two ports.  After each,
# the UDP socket the file wants (or none) is the only one there (ss), and
# at the end the parent and the GRE forwarder hold as many descriptors as
# after the first reload that opened one, in the same configuration.
. "$(dirname "$0")/lib.sh"
lab_topology 1
# conf LINE: the proxy's file with LINE in its block.
conf() {
	cat >"$TMP/p.conf" <<EOC
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
	$1
}
EOC
}
conf ""
lab_proxy fw -f "$TMP/p.conf"
gre=$(proxy_child "pptpproxy: gre") || fail "no gre process"
fds() {
	echo "$(ls "/proc/$PROXY_PID/fd" | wc -l) $(ls "/proc/$gre/fd" | wc -l)"
}
udp() {
	nsx fw ss -lunH "src 192.0.2.1" | awk '{ print $4 }' | sort | tr '\n' ' '
}
n=0
# reload LINE WANT: the file with LINE, a SIGHUP, the UDP sockets WANT.
reload() {
	conf "$1"
	n=$((n + 1))
	kill -HUP "$PROXY_PID"
	lab_wait_count "control: configuration reloaded" $n 5 ||
	    fail "reload $n did not reach the control relay"
	_i=0
	while [ "$(udp)" != "$2" ] && [ $_i -lt 30 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(udp)" = "$2" ] ||
	    fail "reload $n ($1): UDP sockets '$(udp)', not '$2'"
}
reload "tunnel accept from 203.0.113.0/24" "192.0.2.1:1723 "
first=$(fds)
i=0
while [ $i -lt 3 ]; do
	reload "" ""
	reload "tunnel accept from 203.0.113.0/24
	tunnel udp-port 1724" "192.0.2.1:1724 "
	reload "tunnel accept from 203.0.113.0/24" "192.0.2.1:1723 "
	reload "tunnel accept from 203.0.113.0/24
	tunnel udp-port 1724" "192.0.2.1:1724 "
	i=$((i + 1))
done
reload "tunnel accept from 203.0.113.0/24" "192.0.2.1:1723 "
last=$(fds)
note "descriptors (parent, gre): $first after the first reload, $last after $n"
[ "$first" = "$last" ] || fail "descriptors (parent, gre): $first, then $last"
kill -0 "$PROXY_PID" 2>/dev/null || fail "pptpproxy ended"
exit 0
