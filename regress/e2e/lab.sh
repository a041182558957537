# End-to-end lab: network namespaces with real PPTP peers (pptpd on the
# server, pptp-linux driven by pptpdrive on the clients) and pptpproxy on
# the firewall between them.  Sourced by the t_*.sh tests.
#
#   client hosts c1 192.0.2.10, c2 192.0.2.11, ... on a bridge in
#   fw:  192.0.2.1 (inside) | 198.51.100.1 (outside)
#   s:   198.51.100.2, runs pptpd; each call's PPP side echoes (pppecho)
#
# Only documentation address ranges, only namespaces made here; every
# process started here is ended, every namespace removed, pass or fail.

E2E=${LAB_E2E:-$(cd "$(dirname "$0")" && pwd)}
TOP=$(cd "$E2E/../.." && pwd)
PPTPPROXY=${PPTPPROXY:-$TOP/build/pptpproxy}
PFX="ppx$$"
LAB_PIDS=""
LAB_NS=""
TMP=$(mktemp -d /tmp/pptpproxy-e2e.XXXXXX)
chmod 755 "$TMP"
PLOG=$TMP/proxy.log

lab_cleanup() {
	for p in $LAB_PIDS; do
		kill -TERM -- "-$p" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.3
	for p in $LAB_PIDS; do
		kill -KILL -- "-$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
	done
	for n in $LAB_NS; do
		# whatever still runs in our namespaces was started by us
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap 'lab_cleanup' EXIT
trap 'exit 1' INT TERM

skip() { echo "skip: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	if [ -s "$PLOG" ]; then
		echo "--- proxy log (last 25 lines)"
		tail -n 25 "$PLOG" | cut -c 25-
	fi
	exit 1
}

[ "$(id -u)" -eq 0 ] || skip "needs root"
[ -x "$PPTPPROXY" ] || skip "no $PPTPPROXY (run make)"
command -v pptpd >/dev/null 2>&1 || skip "pptpd not installed"
command -v pptp >/dev/null 2>&1 || skip "pptp-linux not installed"
[ -d /var/empty ] || mkdir -p /var/empty

ns() { echo "$PFX$1"; }
nsx() { n=$1; shift; ip netns exec "$PFX$n" "$@"; }

lab_ns() {
	ip netns add "$PFX$1" || fail "cannot create namespace $1"
	LAB_NS="$LAB_NS $PFX$1"
	ip -n "$PFX$1" link set lo up
}

# lab_link NS1 ADDR1/LEN NS2 ADDR2/LEN: a veth pair between two namespaces
lab_nlinks=0
lab_link() {
	lab_nlinks=$((lab_nlinks + 1))
	a="${PFX}a$lab_nlinks"; b="${PFX}b$lab_nlinks"
	ip link add "$a" type veth peer name "$b" || fail "veth"
	ip link set "$a" netns "$PFX$1"; ip link set "$b" netns "$PFX$3"
	ip -n "$PFX$1" addr add "$2" dev "$a"; ip -n "$PFX$1" link set "$a" up
	ip -n "$PFX$3" addr add "$4" dev "$b"; ip -n "$PFX$3" link set "$b" up
}

# lab_client N: client host cN at 192.0.2.(9+N) on fw's inside bridge
lab_client_host() {
	lab_ns "c$1"
	lab_nlinks=$((lab_nlinks + 1))
	a="${PFX}a$lab_nlinks"; b="${PFX}b$lab_nlinks"
	ip link add "$a" type veth peer name "$b"
	ip link set "$a" netns "$PFX""c$1"; ip link set "$b" netns "$PFX"fw
	ip -n "$PFX""c$1" addr add "192.0.2.$((9 + $1))/24" dev "$a"
	ip -n "$PFX""c$1" link set "$a" up
	ip -n "$PFX"fw link set "$b" master br0 up
}

# The standard topology with NCLIENTS client hosts (default 1).
lab_topology() {
	lab_ns fw
	lab_ns s
	ip -n "$PFX"fw link add br0 type bridge
	ip -n "$PFX"fw addr add 192.0.2.1/24 dev br0
	ip -n "$PFX"fw link set br0 up
	i=1
	while [ $i -le "${1:-1}" ]; do
		lab_client_host $i
		i=$((i + 1))
	done
	lab_link fw 198.51.100.1/24 s 198.51.100.2/24
}

# lab_bg NS CMD...: start CMD in namespace NS in its own process group.
lab_bg() {
	n=$1; shift
	ip netns exec "$PFX$n" setsid "$@" &
	LAB_PIDS="$LAB_PIDS $!"
	LAST_PID=$!
}

# pptpd in namespace NS (default s); each call's PPP side is pppecho.
lab_pptpd() {
	n=${1:-s}
	mkdir -p "$TMP/pptpd-$n"
	cat > "$TMP/pptpd-$n/pptpd.conf" <<EOC
ppp $E2E/pppecho
option $TMP/pptpd-$n/options
localip 203.0.113.1
remoteip 203.0.113.100-250
connections 200
EOC
	: > "$TMP/pptpd-$n/options"
	PPPECHO_LOG=$TMP/pppecho-$n.log lab_bg "$n" pptpd \
	    --conf "$TMP/pptpd-$n/pptpd.conf" --fg
	PPTPD_PID=$LAST_PID
	lab_wait_port "$n" 1723 || fail "pptpd did not start"
}

# lab_wait_port NS PORT: wait until something listens there.
lab_wait_port() {
	i=0
	while [ $i -lt 50 ]; do
		ip netns exec "$PFX$1" ss -ltn 2>/dev/null |
		    grep -q ":$2 " && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# lab_proxy NS ARGS...: pptpproxy -d -l $PLOG ARGS in NS.
lab_proxy() {
	n=$1; shift
	log=${PROXY_LOG:-$PLOG}
	lab_bg "$n" "$PPTPPROXY" -d -l "$log" "$@"
	PROXY_PID=$LAST_PID
	lab_wait_log "relaying control connections" 10 "$log" ||
	    fail "pptpproxy did not start"
}

# lab_wait_log PATTERN [SECONDS [FILE]]: wait for a line in the log.
lab_wait_log() {
	i=0; lim=$(( ${2:-10} * 10 ))
	while [ $i -lt $lim ]; do
		grep -q -- "$1" "${3:-$PLOG}" 2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# lab_drive NS SERVER [pptpdrive options]: run a client; it gets a
# private /var/run/pptp so that clients on other hosts do not share
# pptp-linux's call manager socket.
lab_drive() {
	n=$1; srv=$2; shift 2
	ip netns exec "$PFX$n" unshare -m sh -c '
	    mkdir -p /var/run/pptp &&
	    mount -t tmpfs tmpfs /var/run/pptp && exec "$@"' sh \
	    "$E2E/pptpdrive" "$@" "$srv"
}
