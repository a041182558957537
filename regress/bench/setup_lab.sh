# Sourced by bench.sh, setup_cost.sh and setup_ab.sh: the three
# namespaces of the bench's lab.  setup_lab NC NF NS makes them, with a veth from
# the client's (c0) to the firewall's (f0, no address yet) and one from
# the server's (s0, 198.51.100.2) to the firewall's (f1, 198.51.100.1),
# the server's default route through the firewall, and in each the
# sysctls for tens of thousands of short connections.  The caller adds
# the client's and the firewall's addresses on c0 and f0.
setup_lab() {
	for n in "$1" "$2" "$3"; do
		ip netns add "$n" || exit 1
		ip -n "$n" link set lo up
		ip netns exec "$n" sh -c '
		    sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
		    sysctl -qw net.ipv4.tcp_tw_reuse=1
		    sysctl -qw net.core.somaxconn=65535
		    sysctl -qw net.ipv4.tcp_max_syn_backlog=65535' || exit 1
	done
	ip -n "$1" link add c0 type veth peer name f0 netns "$2"
	ip -n "$3" link add s0 type veth peer name f1 netns "$2"
	ip -n "$2" addr add 198.51.100.1/24 dev f1
	ip -n "$3" addr add 198.51.100.2/24 dev s0
	ip -n "$1" link set c0 up
	ip -n "$2" link set f0 up
	ip -n "$2" link set f1 up
	ip -n "$3" link set s0 up
	ip -n "$3" route add default via 198.51.100.1
}
