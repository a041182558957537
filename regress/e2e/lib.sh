# End-to-end test library: network namespaces with real, independent PPTP
# peers - Debian's pptpd on the server, pptp-linux on the clients (driven
# by build/tools/pptpdrive) - and pptpproxy, plain routing or the kernel's
# PPTP NAT on the firewall between them.  Sourced by the t_*.sh tests.
#
#   clients c1 192.0.2.10, c2 192.0.2.11, ...  (bridge br0 in fw)
#   fw   192.0.2.1 (inside) | 198.51.100.1 (outside)   runs the proxy
#   s    198.51.100.2: pptpd; each call's PPP side is pppecho, which sends
#        every frame back, so client -> fw -> pptpd -> pppecho -> back
#   chain: c1 | fw 192.0.2.1, 203.0.113.1 | fw2 203.0.113.2, 198.51.100.1 | s
#
# pptp-linux draws each call's Call ID at random; lab_drive_callid makes
# a client use the one the test chooses (build/tools/fixrand.so, preloaded,
# answers its read of /dev/random), for tests of clients sharing a Call ID.
#
# Only the documentation ranges, only namespaces made here, named after
# this shell's process id ($$) so that concurrent runs do not meet.  On
# exit, pass or fail, every process started here is ended (the recorded
# ones and their process groups, then whatever still runs in one of our
# namespaces - only ours can be there) and every namespace is deleted.
#
# A test exits 0 (pass), 1 (fail, with "FAIL: reason" and the proxy log's
# tail) or 77 (skip).

# Configuration files written here must not be group-writable (pptpproxy
# refuses them), whatever the caller's umask.
umask 022
E2E=${E2E:-$(cd "$(dirname "$0")" && pwd)}
TOP=$(cd "$E2E/../.." && pwd)
PPTPPROXY=${PPTPPROXY:-$TOP/build/pptpproxy}
PPTPPROXYCTL=${PPTPPROXYCTL:-$TOP/build/pptpproxyctl}
TOOLS=${TOOLS:-$TOP/build/tools}
PPPECHO=$TOOLS/pppecho
PPTPDRIVE=$TOOLS/pptpdrive
FIXRAND_SO=$TOOLS/fixrand.so
# E2E_RUN (set by run.sh) lets the runner find what a killed test left.
PFX="${E2E_RUN:-}e$$"
VPFX="v$$"		# veth names: at most 15 characters
LAB_PIDS=""
LAB_NS=""
LAB_NLINK=0
TMP=$(mktemp -d "/tmp/pptpproxy-e2e.$PFX.XXXXXX") || exit 1
chmod 755 "$TMP"
PLOG=$TMP/proxy.log
# The control socket: each test its own (a filesystem path is shared by
# every network namespace).
CTLSOCK=$TMP/pptpproxy.sock
# The control protocol's version (src/ctl.h), the imsg peer id of every
# message, for the tests that speak it themselves.
CTL_VERSION=$(awk '$1 == "#define" && $2 == "CTL_PROTO_VERSION" {
    print $3 }' "$TOP/src/ctl.h")
export CTL_VERSION

# ctl ARGS...: pptpproxyctl on the test's own control socket.
ctl() {
	"$PPTPPROXYCTL" -s "$CTLSOCK" "$@"
}

# lab_signal_pids SIG: signal the recorded processes that still run, and
# the process group of each that still leads one (a pid or group id no
# longer in use is left alone: it may be someone else's by now).
lab_signal_pids() {
	for _p in $LAB_PIDS; do
		[ -d "/proc/$_p" ] || continue
		if [ "$(ps -o pgid= -p "$_p" 2>/dev/null | tr -d ' ')" = "$_p" ]
		then
			kill "-$1" -- "-$_p" 2>/dev/null
		fi
		kill "-$1" "$_p" 2>/dev/null
	done
}

lab_cleanup() {
	trap - EXIT INT TERM HUP
	lab_signal_pids TERM
	for n in $LAB_NS; do
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -TERM "$p" 2>/dev/null
		done
	done
	# Give them a moment to end on their own, then no more.
	i=0
	while [ $i -lt 20 ]; do
		left=""
		for n in $LAB_NS; do
			left="$left$(ip netns pids "$n" 2>/dev/null)"
		done
		[ -z "$left" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	lab_signal_pids KILL
	for n in $LAB_NS; do
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	for n in $LAB_NS; do
		ip netns del "$n" 2>/dev/null
	done
	# A veth pair that never made it into a namespace.
	_i=1
	while [ $_i -le $LAB_NLINK ]; do
		ip link del "${VPFX}a$_i" 2>/dev/null
		_i=$((_i + 1))
	done
	wait 2>/dev/null
	if [ -n "${E2E_KEEP:-}" ]; then
		echo "kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap 'lab_cleanup' EXIT
trap 'exit 1' INT TERM HUP

skip() {
	echo "skip: $*"
	exit 77
}

# fail REASON: say why, show the end of the proxy log(s), exit 1.
fail() {
	echo "FAIL: $*"
	for f in "$PLOG" ${EXTRA_LOGS:-}; do
		[ -s "$f" ] || continue
		echo "--- $(basename "$f") (last ${TAIL_LINES:-30} lines)"
		tail -n "${TAIL_LINES:-30}" "$f"
	done
	exit 1
}

note() {
	echo "$*"
}

[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v ip >/dev/null 2>&1 || skip "no iproute2"
command -v pptpd >/dev/null 2>&1 || skip "pptpd not installed"
command -v pptp >/dev/null 2>&1 || skip "pptp-linux not installed"
[ -x "$PPPECHO" ] && [ -x "$PPTPDRIVE" ] ||
    skip "no $PPPECHO or $PPTPDRIVE (make tools)"
[ -d /var/empty ] || skip "no /var/empty (sh regress/deps.sh)"

# ns NAME: the full name of one of our namespaces.
ns() {
	echo "$PFX$1"
}

# nsx NAME COMMAND...: run COMMAND in namespace NAME.
nsx() {
	_n=$1
	shift
	ip netns exec "$PFX$_n" "$@"
}

# lab_ns NAME: a new namespace with its loopback up.
lab_ns() {
	ip netns add "$PFX$1" || fail "cannot create namespace $PFX$1"
	LAB_NS="$LAB_NS $PFX$1"
	ip -n "$PFX$1" link set lo up
}

# lab_link NS1 ADDR1/LEN NS2 ADDR2/LEN: a veth pair between two namespaces.
lab_link() {
	LAB_NLINK=$((LAB_NLINK + 1))
	_a="${VPFX}a$LAB_NLINK"
	_b="${VPFX}b$LAB_NLINK"
	ip link add "$_a" type veth peer name "$_b" || fail "cannot add veth"
	ip link set "$_a" netns "$PFX$1" || fail "veth to $1"
	ip link set "$_b" netns "$PFX$3" || fail "veth to $3"
	ip -n "$PFX$1" addr add "$2" dev "$_a"
	ip -n "$PFX$1" link set "$_a" up
	ip -n "$PFX$3" addr add "$4" dev "$_b"
	ip -n "$PFX$3" link set "$_b" up
	LINK_A=$_a
	LINK_B=$_b
}

# lab_client N [ADDR]: client host cN at 192.0.2.(9+N) (or ADDR) on the
# firewall's inside bridge.
lab_client() {
	_c=c$1
	_addr=${2:-192.0.2.$((9 + $1))}
	lab_ns "$_c"
	LAB_NLINK=$((LAB_NLINK + 1))
	_a="${VPFX}a$LAB_NLINK"
	_b="${VPFX}b$LAB_NLINK"
	ip link add "$_a" type veth peer name "$_b" || fail "cannot add veth"
	ip link set "$_a" netns "$PFX$_c"
	ip link set "$_b" netns "${PFX}fw"
	ip -n "$PFX$_c" addr add "$_addr/24" dev "$_a"
	ip -n "$PFX$_c" link set "$_a" up
	ip -n "${PFX}fw" link set "$_b" master br0 up
	CLIENT_IF=$_a
}

# lab_topology [NCLIENTS]: clients c1..cN, firewall fw, server s.
lab_topology() {
	lab_ns fw
	lab_ns s
	ip -n "${PFX}fw" link add br0 type bridge
	ip -n "${PFX}fw" addr add 192.0.2.1/24 dev br0
	ip -n "${PFX}fw" link set br0 up
	FW_IN=br0
	_i=1
	while [ $_i -le "${1:-1}" ]; do
		lab_client $_i
		_i=$((_i + 1))
	done
	lab_link fw 198.51.100.1/24 s 198.51.100.2/24
	FW_OUT=$LINK_A
}

# lab_chain_topology: c1 | fw | fw2 (on 203.0.113.0/24) | s.
lab_chain_topology() {
	lab_ns fw
	lab_ns fw2
	lab_ns s
	ip -n "${PFX}fw" link add br0 type bridge
	ip -n "${PFX}fw" addr add 192.0.2.1/24 dev br0
	ip -n "${PFX}fw" link set br0 up
	lab_client 1
	lab_link fw 203.0.113.1/24 fw2 203.0.113.2/24
	lab_link fw2 198.51.100.1/24 s 198.51.100.2/24
}

# lab_nat_clients N: a home network behind a NAT host on the inside: nat
# (192.0.2.10 outside, 203.0.113.1 inside, the kernel's PPTP NAT,
# masquerade) with clients n1..nN at 203.0.113.10, .11, ...  Returns 1 (after cleaning
# nothing: the namespaces go at exit) when the kernel has no pptp helper.
lab_nat_clients() {
	lab_ns nat
	LAB_NLINK=$((LAB_NLINK + 1))
	_a="${VPFX}a$LAB_NLINK"
	_b="${VPFX}b$LAB_NLINK"
	ip link add "$_a" type veth peer name "$_b" || fail "cannot add veth"
	ip link set "$_a" netns "${PFX}nat"
	ip link set "$_b" netns "${PFX}fw"
	ip -n "${PFX}nat" addr add 192.0.2.10/24 dev "$_a"
	ip -n "${PFX}nat" link set "$_a" up
	ip -n "${PFX}fw" link set "$_b" master br0 up
	_natout=$_a
	ip -n "${PFX}nat" link add br1 type bridge
	ip -n "${PFX}nat" addr add 203.0.113.1/24 dev br1
	ip -n "${PFX}nat" link set br1 up
	_i=1
	while [ $_i -le "$1" ]; do
		lab_ns "n$_i"
		LAB_NLINK=$((LAB_NLINK + 1))
		_a="${VPFX}a$LAB_NLINK"
		_b="${VPFX}b$LAB_NLINK"
		ip link add "$_a" type veth peer name "$_b" ||
		    fail "cannot add veth"
		ip link set "$_a" netns "${PFX}n$_i"
		ip link set "$_b" netns "${PFX}nat"
		ip -n "${PFX}n$_i" addr add "203.0.113.$((9 + _i))/24" dev "$_a"
		ip -n "${PFX}n$_i" link set "$_a" up
		ip -n "${PFX}n$_i" route add default via 203.0.113.1
		ip -n "${PFX}nat" link set "$_b" master br1 up
		_i=$((_i + 1))
	done
	nsx nat sysctl -q -w net.ipv4.ip_forward=1 || fail "ip_forward"
	nsx nat iptables -t raw -A PREROUTING -p tcp --dport 1723 \
	    -j CT --helper pptp 2>/dev/null || return 1
	nsx nat iptables -t nat -A POSTROUTING -o "$_natout" -j MASQUERADE ||
	    fail "iptables MASQUERADE"
	return 0
}

# lab_route: the firewall routes (no proxy); clients and server get routes.
lab_route() {
	nsx fw sysctl -q -w net.ipv4.ip_forward=1 || fail "ip_forward"
	for _n in $LAB_NS; do
		case $_n in
		"${PFX}c"*) ip -n "$_n" route add default via 192.0.2.1 ;;
		esac
	done
	ip -n "${PFX}s" route add default via 198.51.100.1
}

# lab_nat: the kernel's PPTP NAT on the firewall instead of the proxy:
# clients connect to 192.0.2.1, which is DNATed to the server and
# masqueraded; the pptp conntrack helper follows the calls' GRE.
lab_nat() {
	command -v iptables >/dev/null 2>&1 || skip "no iptables"
	nsx fw sysctl -q -w net.ipv4.ip_forward=1 || fail "ip_forward"
	nsx fw iptables -t raw -A PREROUTING -p tcp --dport 1723 \
	    -j CT --helper pptp 2>/dev/null ||
	    skip "no pptp conntrack helper (nf_conntrack_pptp) in this kernel"
	nsx fw iptables -t nat -A PREROUTING -i br0 -d 192.0.2.1 -p tcp \
	    --dport 1723 -j DNAT --to-destination 198.51.100.2 ||
	    fail "iptables DNAT"
	nsx fw iptables -t nat -A POSTROUTING -o "$FW_OUT" -j MASQUERADE ||
	    fail "iptables MASQUERADE"
}

# lab_bg NS COMMAND...: start COMMAND in namespace NS, in a process group
# of its own, recorded for the cleanup; its pid in LAST_PID.
lab_bg() {
	_n=$1
	shift
	ip netns exec "$PFX$_n" setsid "$@" &
	LAST_PID=$!
	LAB_PIDS="$LAB_PIDS $LAST_PID"
}

# lab_track PID: record a background job for the cleanup.
lab_track() {
	LAB_PIDS="$LAB_PIDS $1"
}

# lab_wait_port NS PORT [SECONDS]: wait until something listens there.
lab_wait_port() {
	_i=0
	_lim=$(( ${3:-5} * 10 ))
	while [ $_i -lt $_lim ]; do
		nsx "$1" ss -ltnH "sport = :$2" 2>/dev/null | grep -q . &&
		    return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# lab_port_closed NS PORT: true if nothing listens there.
lab_port_closed() {
	! nsx "$1" ss -ltnH "sport = :$2" 2>/dev/null | grep -q .
}

# lab_testbuild: TB, the test build of the daemon (make testbuild),
# made first when it is missing or older than PPTPPROXY.
lab_testbuild() {
	TB=$TOP/build/test/pptpproxy
	if [ ! -x "$TB" ] || [ "$TB" -ot "$PPTPPROXY" ]; then
		make -C "$TOP" testbuild >/dev/null 2>&1 ||
		    fail "cannot build the test binary"
	fi
}

# lab_pptpd [NS]: pptpd in NS (default s); each call's PPP side is
# pppecho, which logs to $TMP/pppecho-NS.log.  Sets PPTPD_PID.
lab_pptpd() {
	_n=${1:-s}
	_d=$TMP/pptpd-$_n
	mkdir -p "$_d"
	cat >"$_d/pptpd.conf" <<EOC
ppp $PPPECHO
option $_d/options
localip 203.0.113.1
remoteip 203.0.113.100-250
connections 200
EOC
	: >"$_d/options"
	PPPECHO_LOG=$TMP/pppecho-$_n.log lab_bg "$_n" pptpd \
	    --conf "$_d/pptpd.conf" --pidfile "$_d/pptpd.pid" --fg
	PPTPD_PID=$LAST_PID
	lab_wait_port "$_n" 1723 5 || fail "pptpd did not start in $_n"
}

# pppecho_count NS WORD: how many lines of pppecho's log have WORD
# ("start": calls that reached the server, "end": calls that ended there).
pppecho_count() {
	_f=$TMP/pppecho-$1.log
	[ -f "$_f" ] || { echo 0; return; }
	grep -c -w "$2" "$_f" 2>/dev/null || true
}

# lab_proxy NS ARGS...: pptpproxy -d -l LOG -s SOCKET ARGS in NS, LOG
# being $PROXY_LOG or $PLOG, SOCKET $PROXY_SOCK, else $CTLSOCK in fw and
# $TMP/pptpproxy-NS.sock in another namespace (no -s when PROXY_SOCK is
# "none"); waits until it listens.  Sets PROXY_PID.
lab_proxy() {
	_n=$1
	shift
	_log=${PROXY_LOG:-$PLOG}
	: >"$_log"
	if [ "${PROXY_SOCK:-}" = none ]; then
		lab_bg "$_n" "$PPTPPROXY" -d -l "$_log" "$@"
	else
		_sock=$CTLSOCK
		[ "$_n" = fw ] || _sock=$TMP/pptpproxy-$_n.sock
		lab_bg "$_n" "$PPTPPROXY" -d -l "$_log" \
		    -s "${PROXY_SOCK:-$_sock}" "$@"
	fi
	PROXY_PID=$LAST_PID
	_i=0
	while [ $_i -lt 100 ]; do
		if grep -q "listening on\|relaying control connections" \
		    "$_log" 2>/dev/null; then
			lab_wait_port "$_n" 1723 5 && return 0
		fi
		kill -0 "$PROXY_PID" 2>/dev/null ||
		    PLOG=$_log fail "pptpproxy exited at start-up"
		sleep 0.1
		_i=$((_i + 1))
	done
	PLOG=$_log fail "pptpproxy did not start listening within 10 s"
}

# lab_wait_log PATTERN [SECONDS [FILE]]: wait for a line (grep -e).
lab_wait_log() {
	_i=0
	_lim=$(( ${2:-10} * 10 ))
	while [ $_i -lt $_lim ]; do
		grep -q -e "$1" "${3:-$PLOG}" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# log_count PATTERN [FILE]: lines of the proxy log with PATTERN.
log_count() {
	grep -c -e "$1" "${2:-$PLOG}" 2>/dev/null || true
}

# lab_wait_count PATTERN N [SECONDS [FILE]]: wait until N lines of the
# proxy log (or FILE) have PATTERN, at most SECONDS (default 10); false
# if they have not.
lab_wait_count() {
	_i=0
	_lim=$(( ${3:-10} * 10 ))
	while [ "$(log_count "$1" "${4:-}")" -lt "$2" ]; do
		[ $_i -lt $_lim ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 0
}

# lab_ready FILE: wait up to 10 s for FILE (heldcli's READYFILE: its
# sessions have had their Start exchange).
lab_ready() {
	_i=0
	while [ ! -e "$1" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -e "$1" ]
}

# lab_held CASE N PORT NAME: heldcli CASE N to 192.0.2.1:PORT from c1 in
# the background (its output in $TMP/NAME.out, its pid in HELD_PID),
# until its sessions have had their Start exchange; false if they have
# not within 10 s.
lab_held() {
	nsx c1 python3 "$E2E/heldcli" "$1" "$2" 192.0.2.1 "$3" \
	    "$TMP/$4.ready" >"$TMP/$4.out" 2>&1 &
	HELD_PID=$!
	lab_track $HELD_PID
	lab_ready "$TMP/$4.ready"
}

# lab_tries3 FUNCTION: run FUNCTION, which returns 1 with $why set when
# a figure is over its bound, up to three times; fail with $why when
# every run was.  For counts that a busy host (another machine's load on
# this one) can only raise: wake-ups, reads, segments.
lab_tries3() {
	_t=1
	until "$1"; do
		[ $_t -lt 3 ] || fail "$why (in each of 3 runs)"
		echo "run $_t: $why; again"
		_t=$((_t + 1))
	done
}

# lab_drive NS [pptpdrive options] SERVER [pptp options]: run a client.
# pptp-linux keeps a call manager per (local address, server) whose Unix
# socket lives in /var/run/pptp, a directory every network namespace
# shares; each client gets a private one (a mount namespace with a tmpfs
# there) so that it has a control connection of its own and never joins
# another test's call manager.
lab_drive() {
	_n=$1
	shift
	ip netns exec "$PFX$_n" unshare -m --propagation private sh -c '
	    mkdir -p /var/run/pptp &&
	    mount -t tmpfs -o mode=0755 tmpfs /var/run/pptp &&
	    exec "$@"' sh "$PPTPDRIVE" "$@"
}

# proxy_children: pids of the proxy's children (control relay, GRE).
proxy_children() {
	pgrep -P "$PROXY_PID" 2>/dev/null | tr '\n' ' '
}

# proxy_wait_children N [SECONDS]: wait until the proxy has N children,
# at most SECONDS (default 5); KIDS their pids.  False if it has not.
proxy_wait_children() {
	_i=0
	_lim=$(( ${2:-5} * 10 ))
	while :; do
		KIDS=$(proxy_children)
		[ "$(echo $KIDS | wc -w)" -eq "$1" ] && return 0
		[ $_i -lt $_lim ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

# proxy_kid TITLE: the pid of the child of KIDS (proxy_wait_children)
# whose title is "pptpproxy: TITLE" (control, control 1, gre 1...); fails
# if none is: call it as R1=$(proxy_kid "control 1") || exit 1.
proxy_kid() {
	for _p in $KIDS; do
		[ "$(tr '\0' ' ' <"/proc/$_p/cmdline")" = "pptpproxy: $1 " ] &&
		    { echo "$_p"; return 0; }
	done
	fail "no \"$1\" among $KIDS"
}

# lab_hold_two: clients c1 and c2 echo through 192.0.2.1 (200 and 300
# frames, calls 1 and 2), then hold their calls; HOLD1 and HOLD2 their
# pids, their output in $TMP/c1.out and $TMP/c2.out.
lab_hold_two() {
	lab_drive c1 -g 1 -n 200 -w 8 -t 60 -H 100 192.0.2.1 \
	    >"$TMP/c1.out" 2>&1 &
	HOLD1=$!
	lab_track $HOLD1
	lab_drive c2 -g 2 -n 300 -w 8 -t 60 -H 100 192.0.2.1 \
	    >"$TMP/c2.out" 2>&1 &
	HOLD2=$!
	lab_track $HOLD2
	lab_wait_hold c1 c2
}

# proxy_children_gone LABEL: fails (LABEL: child PID left behind) if a
# pid of KIDS (proxy_wait_children) is still one of pptpproxy's processes.
proxy_children_gone() {
	for _k in $KIDS; do
		[ -d "/proc/$_k" ] &&
		    grep -q pptpproxy "/proc/$_k/cmdline" 2>/dev/null &&
		    fail "$1: child $_k left behind"
	done
	return 0
}

# proxy_stopped CASE PATTERN [relay0]: the daemon ends within 10 s with
# status 1 after a line with PATTERN (with "relay0", after the parent's
# line that relay 0 exited with status 1 too); no child of KIDS is left.
proxy_stopped() {
	lab_gone "$PROXY_PID" 10 || fail "$1: the daemon goes on"
	wait "$PROXY_PID"
	_rc=$?
	[ $_rc -eq 1 ] || fail "$1: the daemon exited with $_rc, not 1"
	grep -q -e "$2" "$PLOG" || fail "$1: no line with \"$2\""
	[ "${3:-}" != relay0 ] ||
	    grep -q "parent: control process exited with status 1$" "$PLOG" ||
	    fail "$1: the parent did not see relay 0 exit with status 1"
	proxy_children_gone "$1"
	note "ok: $1: $(grep -e "$2" "$PLOG" | head -n 1 | sed 's/^.*]: //')"
}

# proxy_direct_log PARENT: for each child of the daemon whose parent is
# PARENT, the descriptors by which it could write to a log other than
# through the parent: fd 1 or 2 not /dev/null, an AF_UNIX datagram socket
# (syslog's); one "pid fd what" line each, nothing if none.
proxy_direct_log() {
	for _p in $(pgrep -P "$1" 2>/dev/null); do
		for _f in 1 2; do
			_l=$(readlink "/proc/$_p/fd/$_f" 2>/dev/null)
			[ "$_l" = /dev/null ] || echo "$_p $_f ${_l:-closed}"
		done
		for _f in /proc/$_p/fd/*; do
			_l=$(readlink "$_f" 2>/dev/null)
			case $_l in socket:*) ;; *) continue ;; esac
			_i=${_l#socket:[}
			_i=${_i%]}
			awk -v i="$_i" -v p="$_p" -v f="${_f##*/}" \
			    '$7 == i && $5 == "0002" { print p, f, "datagram socket" }' \
			    "/proc/$_p/net/unix"
		done
	done
}

# proxy_child WHAT: the pid of the child whose command line has WHAT.
proxy_child() {
	for _p in $(pgrep -P "$PROXY_PID" 2>/dev/null); do
		if tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null |
		    grep -q "$1"; then
			echo "$_p"
			return 0
		fi
	done
	return 1
}

# Helpers for tests that look at packets: tcpdump in a namespace.
# lab_tcpdump NS FILE FILTER...: capture in the background until cleanup.
lab_tcpdump() {
	command -v tcpdump >/dev/null 2>&1 || skip "no tcpdump"
	_n=$1
	_f=$2
	shift 2
	lab_bg "$_n" tcpdump -i any -n -U -s 200 -w "$_f" "$@" 2>"$_f.err"
	TCPDUMP_PID=$LAST_PID
	_i=0
	while [ $_i -lt 50 ]; do
		grep -q "listening on" "$_f.err" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	fail "tcpdump did not start in $_n"
}

# lab_tcpdump_stop: stop the capture so that its file is complete.
lab_tcpdump_stop() {
	kill -INT "$TCPDUMP_PID" 2>/dev/null
	wait "$TCPDUMP_PID" 2>/dev/null
}

# Helpers for the tests that load the proxy with the benchmark's tools.
# bench_need CONNECTIONS: skip without bench_gen and bench_refl, or when
# the descriptor limit is too low for the relay to hold CONNECTIONS (two
# descriptors each, and some).
bench_need() {
	[ -x "$TOOLS/bench_gen" ] && [ -x "$TOOLS/bench_refl" ] ||
	    skip "no $TOOLS/bench_gen or bench_refl (make tools)"
	[ "$(ulimit -Hn)" -ge $((2 * $1 + 400)) ] 2>/dev/null ||
	    skip "the descriptor limit $(ulimit -Hn) is below $((2 * $1 + 400))"
}

# bench_refl_start: bench_refl, the reflecting server, on 198.51.100.2
# port 1724.
bench_refl_start() {
	lab_bg s "$TOOLS/bench_refl" -l 198.51.100.2:1724
	lab_wait_port s 1724 5 || fail "bench_refl did not start"
}

# bench_setup_proxy: bench_refl in s on 198.51.100.2 port 1723 (its
# statistics in $TMP/refl.stat) and pptpproxy in fw from 192.0.2.1 to it
# (lab_topology 1) at the normal log level (-n; at -d every line goes at
# once), 4000 connections allowed, from one address too; its pid in
# PROXY_PID.  Returns half a second after it listens.
bench_setup_proxy() {
	lab_topology 1
	lab_bg s "$TOOLS/bench_refl" -S "$TMP/refl.stat"
	lab_wait_port s 1723 || fail "bench_refl does not listen"
	cat >"$TMP/p.conf" <<EOC
limit connections 4000
limit connections per-address 4000
EOC
	lab_bg fw "$PPTPPROXY" -n -l "$PLOG" -s "$CTLSOCK" -f "$TMP/p.conf" \
	    -p 192.0.2.1:1723,198.51.100.2:1723
	PROXY_PID=$LAST_PID
	lab_wait_log "started" 10 || fail "pptpproxy did not start"
	lab_wait_port fw 1723 || fail "pptpproxy does not listen"
	sleep 0.5
}

# bench_setups_traced PID STRACE-OPTION...: strace PID with those
# options (its output in $TMP/strace) while bench_gen makes call setups
# one at a time through the proxy of bench_setup_proxy for 2 s; sets
# SETUPS_OUT (bench_gen's line) and SETUPS (how many, at least 50).
bench_setups_traced() {
	_p=$1
	shift
	strace -q -o "$TMP/strace" "$@" -p "$_p" &
	_st=$!
	lab_track $_st
	sleep 1
	SETUPS_OUT=$(nsx c1 "$TOOLS/bench_gen" -m setup -c 192.0.2.1 -C 1 \
	    -d 2 -v 10)
	kill -INT $_st
	wait $_st
	SETUPS=$(echo "$SETUPS_OUT" | tr ' ' '\n' | sed -n 's/^setups=//p')
	[ -n "$SETUPS" ] && [ "$SETUPS" -ge 50 ] ||
	    fail "too few setups: $SETUPS_OUT"
}

# bench_refl_proxies [LINE...]: pptpproxy in fw from $TMP/c.conf, the
# global LINEs (one each) and two proxies: 192.0.2.1 to 198.51.100.2
# (port 1723), and 192.0.2.1 port 1724 to 198.51.100.2 port 1724, where
# bench_refl_start puts bench_refl.  Returns once the second listens.
bench_refl_proxies() {
	{
		for _l in "$@"; do
			echo "$_l"
		done
		cat <<EOC
proxy {
	listen on 192.0.2.1
	server 198.51.100.2
}
proxy {
	listen on 192.0.2.1 port 1724
	server 198.51.100.2 port 1724
}
EOC
	} >"$TMP/c.conf"
	lab_proxy fw -f "$TMP/c.conf"
	lab_wait_port fw 1724 5 || fail "the second proxy does not listen"
}

# bench_refl_lab N [LINE...]: for a client scripted with pptpctl; skips
# without python3 or bench_refl; lab_topology N, pptpd (port 1723),
# bench_refl (bench_refl_start) and the two proxies to them
# (bench_refl_proxies LINE...).
bench_refl_lab() {
	command -v python3 >/dev/null 2>&1 || skip "no python3"
	[ -x "$TOOLS/bench_refl" ] || skip "no $TOOLS/bench_refl (make tools)"
	lab_topology "$1"
	shift
	lab_pptpd
	bench_refl_start
	bench_refl_proxies "$@"
}

# bench_hold CALLS [bench_gen options]: bench_gen in c1 through
# 192.0.2.1 port 1724 holds CALLS calls (-m hold, 64 connections at a
# time); returns once they are all up, within 60 s.  GEN_PID: its pid.
bench_hold() {
	_calls=$1
	shift
	rm -f "$TMP/ready"
	lab_bg c1 "$TOOLS/bench_gen" -c 192.0.2.1:1724 -m hold -n "$_calls" \
	    -C 64 -r "$TMP/ready" "$@"
	GEN_PID=$LAST_PID
	_i=0
	while [ ! -f "$TMP/ready" ] && [ $_i -lt 600 ]; do
		kill -0 "$GEN_PID" 2>/dev/null ||
		    fail "bench_gen ended before its calls were up"
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -f "$TMP/ready" ] || fail "$_calls calls not up within 60 s"
}

# Helpers for the gre offload tests.
# offload_proxy FORWARD [LINE...]: skip without nft(8); set ip_forward in
# fw to FORWARD (0 or 1); start the proxy in fw with "gre offload yes",
# the extra global configuration LINEs and one proxy, 192.0.2.1 to
# 198.51.100.2.
offload_proxy() {
	command -v nft >/dev/null 2>&1 || skip "nft(8) is not installed"
	nsx fw sysctl -qw net.ipv4.ip_forward="$1" ||
	    fail "cannot set ip_forward to $1 in fw"
	shift
	{
		echo "gre offload yes"
		for _l in "$@"; do
			echo "$_l"
		done
		printf 'proxy "office" {\n\tlisten on 192.0.2.1 port 1723\n'
		printf '\tserver 198.51.100.2 port 1723\n}\n'
	} >"$TMP/offload.conf"
	lab_proxy fw -f "$TMP/offload.conf"
}

# offload_empty WHEN: fail unless the kernel's sets and maps of gre
# offload have no element left (WHEN ends the failure message).
offload_empty() {
	for _m in peers todst tokey tosrc; do
		_t=map
		[ $_m = peers ] && _t=set
		nsx fw nft list $_t ip pptpproxy $_m >"$TMP/$_m" 2>&1 ||
		    fail "cannot list $_t $_m: $(cat "$TMP/$_m")"
		grep -q "elements" "$TMP/$_m" &&
		    fail "elements left in $_t $_m $1: $(cat "$TMP/$_m")"
	done
	return 0
}

# offload_stopped: SIGTERM to the proxy; it stops and removes its table.
offload_stopped() {
	kill -TERM "$PROXY_PID"
	lab_wait_log "terminating" 10 || fail "the proxy did not stop"
	sleep 0.3
	nsx fw nft list table ip pptpproxy >/dev/null 2>&1 &&
	    fail "table ip pptpproxy still there after the proxy stopped"
	return 0
}

# session_counted N: print the first session end line of the log; it must
# count at least N GRE packets each way.  Sets TO_S and TO_C.
session_counted() {
	_end=$(grep "ended after" "$PLOG" | head -n 1)
	echo "$_end" | sed 's/^.*control: //'
	TO_S=$(echo "$_end" | sed -n 's/.*to server \([0-9]*\) packets.*/\1/p')
	TO_C=$(echo "$_end" | sed -n 's/.*to client \([0-9]*\) packets.*/\1/p')
	[ -n "$TO_S" ] && [ "$TO_S" -ge "$1" ] ||
	    fail "session end counts ${TO_S:-no} packets to the server," \
		"expected at least $1"
	[ -n "$TO_C" ] && [ "$TO_C" -ge "$1" ] ||
	    fail "session end counts ${TO_C:-no} packets to the client," \
		"expected at least $1"
}

# Helpers for the tunnel tests (two pptpproxies, pptpproxy(8)).
# lab_tunnel_topology [NCLIENTS]: clients c1..cN | fw (A: 192.0.2.1,
# 203.0.113.2) | mid (203.0.113.1, 198.51.100.65: masquerades, drops
# GRE) | fw2 (B: 198.51.100.66, 198.51.100.1) | s (198.51.100.2, pptpd).
# MID_OUT: mid's interface towards B, MID_IN towards A.
lab_tunnel_topology() {
	command -v iptables >/dev/null 2>&1 || skip "no iptables"
	lab_ns fw
	lab_ns mid
	lab_ns fw2
	lab_ns s
	ip -n "${PFX}fw" link add br0 type bridge
	ip -n "${PFX}fw" addr add 192.0.2.1/24 dev br0
	ip -n "${PFX}fw" link set br0 up
	_i=1
	while [ $_i -le "${1:-1}" ]; do
		lab_client $_i
		_i=$((_i + 1))
	done
	lab_link fw 203.0.113.2/26 mid 203.0.113.1/26
	MID_IN=$LINK_B
	lab_link mid 198.51.100.65/26 fw2 198.51.100.66/26
	MID_OUT=$LINK_A
	lab_link fw2 198.51.100.1/26 s 198.51.100.2/26
	ip -n "${PFX}fw" route add default via 203.0.113.1
	ip -n "${PFX}s" route add default via 198.51.100.1
	nsx mid sysctl -q -w net.ipv4.ip_forward=1 || fail "ip_forward"
	nsx mid iptables -t nat -A POSTROUTING -o "$MID_OUT" -j MASQUERADE ||
	    fail "iptables MASQUERADE"
	# The network in the middle carries no GRE, either way.
	nsx mid iptables -A FORWARD -p 47 -j DROP || fail "iptables DROP gre"
}

# tun_proxies [A_LINES [B_LINES]]: A in fw (to B, tunnelling unless
# A_TUNNEL is empty) and B in fw2 (accepting tunnels from mid's address),
# with extra global lines for each; logs $PLOG (A) and $PLOG2 (B).
tun_proxies() {
	PLOG2=$TMP/proxy2.log
	EXTRA_LOGS=$PLOG2
	cat >"$TMP/a.conf" <<EOC
$1
proxy a {
	listen on 192.0.2.1
	server 198.51.100.66 port 1723 ${A_TUNNEL-tunnel}
}
EOC
	cat >"$TMP/b.conf" <<EOC
$2
proxy b {
	listen on 198.51.100.66
	server 198.51.100.2
	tunnel accept from 198.51.100.65
}
EOC
	tun_conf_proxies
}

# tun_conf_proxies: B in fw2 from $TMP/b.conf (its log PLOG2), then A in
# fw from $TMP/a.conf; their pids in B_PID and A_PID.
tun_conf_proxies() {
	PROXY_LOG=$PLOG2 lab_proxy fw2 -f "$TMP/b.conf"
	B_PID=$PROXY_PID
	lab_proxy fw -f "$TMP/a.conf"
	A_PID=$PROXY_PID
}

# Helpers for t_tunnel_reload and t_tunnel_reload_busy, which rewrite
# the proxies' files and reload them.
# tun_reload_lab: lab_tunnel_topology 1 and pptpd; B is to log to PLOG2.
tun_reload_lab() {
	lab_tunnel_topology 1
	lab_pptpd
	PLOG2=$TMP/proxy2.log
	EXTRA_LOGS=$PLOG2
}

# tun_b_conf [LINE [BLOCK]]: B's file, LINE in its proxy block, BLOCK
# after.
tun_b_conf() {
	cat >"$TMP/b.conf" <<EOC
proxy b {
	listen on 198.51.100.66
	server 198.51.100.2
	${1:-}
}
${2:-}
EOC
}

# tun_reload NAME PID LOG N: SIGHUP to PID, then wait for LOG's Nth
# "configuration reloaded" (5 s; NAME names the proxy in the failure).
tun_reload() {
	kill -HUP "$2"
	_i=0
	while [ "$(log_count "configuration reloaded" "$3")" -lt "$4" ]; do
		[ $_i -lt 50 ] || fail "$1 did not reload ($4)"
		sleep 0.1
		_i=$((_i + 1))
	done
}

# tun_to_stranger TIMEOUT SECONDS WHAT: A alone in fw (timeout connect
# TIMEOUT), tunnelling to 198.51.100.66, where the test put something
# that is no B (WHAT, for the failure); c1's call through it (pptpdrive
# -n 5 -t SECONDS) must fail, and within 20 s.
tun_to_stranger() {
	cat >"$TMP/a.conf" <<EOC
timeout connect $1
proxy a {
	listen on 192.0.2.1
	server 198.51.100.66 tunnel
}
EOC
	lab_proxy fw -f "$TMP/a.conf"
	_t0=$(date +%s)
	lab_drive c1 -n 5 -t "$2" 192.0.2.1 &&
	    fail "a call passed through a tunnelling proxy to $3"
	_t1=$(date +%s)
	[ $((_t1 - _t0)) -le 20 ] ||
	    fail "the client took $((_t1 - _t0)) s to give up"
}

# tun_status LOG PID: SIGUSR1 to a proxy; its forwarder's tunnel line.
tun_status() {
	_n=$(log_count "tunnels: .* up" "$1")
	kill -USR1 "$2"
	_i=0
	while [ $_i -lt 50 ]; do
		[ "$(log_count "tunnels: .* up" "$1")" -gt "$_n" ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	grep "tunnels: .* up" "$1" | tail -1
}

# tun_fwd_dropped [LOG PID]: the packets A's forwarder (or that proxy's)
# dropped, its channel to the relay full (SIGUSR1: tun_status); empty if
# its status has no count.
tun_fwd_dropped() {
	tun_status "${1:-$PLOG}" "${2:-$A_PID}" |
	    sed -n 's/.*; \([0-9]*\) packets dropped, TCP not taking them$/\1/p'
}

# tun_tcp_calls C1_OPTIONS C2_OPTIONS: with UDP blocked in the middle,
# c1's call through A and B (pptpdrive options C1_OPTIONS, words split,
# and -P $TMP/go: it pauses after its first frames until the test makes
# that file), then c2's (C2_OPTIONS), so that they are sessions 1 and 2
# on A and on B, in the background (pids in C1_PID and C2_PID, output in
# $TMP/c1.out and $TMP/c2.out).  Returns once c1 pauses and A switched
# both sessions to TCP; C1_ID is the Call ID A showed c1.
tun_tcp_calls() {
	lab_drive c1 $1 -P "$TMP/go" 192.0.2.1 >"$TMP/c1.out" 2>&1 &
	C1_PID=$!
	lab_track $C1_PID
	lab_wait_log "session 1: .* relayed to 198.51.100.66:1723" 10 ||
	    fail "A did not relay c1's session"
	lab_drive c2 $2 192.0.2.1 >"$TMP/c2.out" 2>&1 &
	C2_PID=$!
	lab_track $C2_PID
	lab_wait_log "PAUSE: " 30 "$TMP/c1.out" ||
	    { cat "$TMP/c1.out"; fail "c1's first frames did not echo"; }
	for _s in 1 2; do
		lab_wait_log "session $_s: no UDP answer from the peer: switching to TCP" 10 ||
		    fail "A did not switch session $_s to TCP"
	done
	C1_ID=$(sed -n 's/.*session 1: call 1 up: .*(shown to the client as \([0-9]*\)).*/\1/p' "$PLOG" | head -n 1)
	[ -n "$C1_ID" ] || fail "no Call ID shown to c1 in A's log"
}

# tun_c2_gre SOCKET: session 2's GRE packets to the server and to the
# client on the proxy of SOCKET (show session 2).
tun_c2_gre() {
	tun_ctl "$1" show session 2 |
	    sed -n 's/^  GRE  *to the client \([0-9]*\) packets .*, to the server \([0-9]*\) packets .*/\2 \1/p'
}

# tun_c2_base: after tun_tcp_calls, c2 stopped (SIGSTOP) until session
# 2's counters on A and B stop moving (nothing of it in flight, 10 s at
# most), then let go on.  What A counts and B does not is what went over
# UDP before the switch to TCP (blocked in mid: c2's probes one way,
# pptpd's answers the other): C2_OFF_S to the server (A's less B's),
# C2_OFF_C to the client (B's less A's), for tun_c2_wait; C2_BASE_C what
# A had passed to c2 (a frame lost before, if any, is among those: c2
# echoes no more frames than that).
tun_c2_base() {
	_d=$(pgrep -x -P "$C2_PID" pptpdrive) || fail "no pptpdrive for c2"
	kill -STOP "$_d"
	_prev=""
	_i=0
	while [ $_i -lt 20 ]; do
		sleep 0.5
		_now="$(tun_c2_gre "$CTLSOCK") $(tun_c2_gre "$TMP/pptpproxy-fw2.sock")"
		[ "$_now" = "$_prev" ] && break
		_prev=$_now
		_i=$((_i + 1))
	done
	kill -CONT "$_d"
	[ $_i -lt 20 ] || fail "session 2's counters did not settle in 10 s with c2 stopped"
	set -- $_now
	[ $# -eq 4 ] || fail "no session 2 on A or B"
	C2_OFF_S=$(($1 - $3))
	C2_OFF_C=$(($4 - $2))
	C2_BASE_C=$2
	note "session 2: $C2_OFF_S packets to the server and $C2_OFF_C to the client went over UDP before TCP"
}

# tun_c2_wait WHAT: wait for c2 (tun_tcp_calls; tun_c2_base a second or
# more before what may disturb it).  Frames it lost (a frame missing: not
# damaged, not duplicated) after tun_c2_base that the proxies did not
# lose - session 2's end lines on A and B count what tun_c2_base found:
# every packet A took from c2 reached pptpd through B, every one B took
# from pptpd reached c2 through A, none dropped - were lost around them
# (the kernel of a loaded machine: pptpd's socket, a backlog): a note.
# Anything else fails: WHAT, and what the proxies lost.
tun_c2_wait() {
	_what=$1
	wait $C2_PID && { cat "$TMP/c2.out"; return 0; }
	cat "$TMP/c2.out"
	_g=$(sed -En 's/.*FAIL: ([0-9]+)\/[0-9]+ frames came back within.*/\1/p; s/.*FAIL: frame [0-9]+ came back when ([0-9]+) was expected \(out of order or lost\).*/\1/p' "$TMP/c2.out")
	[ -n "$_g" ] || fail "$_what"
	[ "$_g" -gt "$C2_BASE_C" ] ||
	    fail "$_what (frame $_g, before session 2's counts were taken: $C2_BASE_C packets to c2 then)"
	_e="session 2: .* ended after .*, to server [0-9]* packets .*, to client [0-9]* packets"
	lab_wait_log "$_e" 10 && lab_wait_log "$_e" 10 "$PLOG2" ||
	    fail "$_what (and no end of session 2 on A or B)"
	_c2=$(for _f in "$PLOG" "$PLOG2"; do
		grep "$_e" "$_f" | head -n 1 |
		    sed 's/.*, to server \([0-9]*\) packets .*, to client \([0-9]*\) packets.*/\1 \2/'
	done)
	set -- $_c2
	_ls=$(($1 - $3 - C2_OFF_S))
	_lc=$(($4 - $2 - C2_OFF_C))
	[ $_ls -eq 0 ] && [ $_lc -eq 0 ] ||
	    fail "$_what: of session 2's GRE, $_ls packets A took did not reach pptpd through B, $_lc B took did not reach c2 through A ($C2_OFF_S and $C2_OFF_C over UDP before TCP)"
	note "c2 lost frames outside the proxies: every packet of session 2 either took went through the other ($C2_OFF_S and $C2_OFF_C over UDP before TCP)"
}

# Helpers for t_tunnel_tcp_full and t_tunnel_tcp_full_rev: one side of a
# tunnel floods a call that is tunnelled over TCP through a slow link.
# tun_full_lab MID_OUT|MID_IN: skips without python3 or tc; two tunnel
# proxies (A, B: tun_proxies) and pptpd, UDP blocked in mid and mid's
# interface so named (towards B or towards A) limited to 2 Mbit/s (tbf); BSOCK is B's control socket; FLOOD the seconds of
# the first flood, PPS its packets a second, QMAX the bound of a
# session's queue: CTL_HIWAT, a record (TUN_REC_MAX) and a control
# message (PPTP_MAX_MSG).  Writes $TMP/flood.py for tun_flood.
tun_full_lab() {
	command -v python3 >/dev/null 2>&1 || skip "no python3"
	command -v tc >/dev/null 2>&1 || skip "no tc (iproute2)"
	FLOOD=10	# seconds
	PPS=1000
	QMAX=$((65536 + 16396 + 220))
	lab_tunnel_topology 2
	nsx mid iptables -A FORWARD -p udp -j DROP || fail "iptables DROP udp"
	eval "_dev=\$$1"
	nsx mid tc qdisc add dev "$_dev" root tbf rate 2mbit burst 10kb \
	    latency 50ms || skip "no tbf qdisc in this kernel"
	lab_pptpd
	tun_proxies
	BSOCK=$TMP/pptpproxy-fw2.sock
	cat >"$TMP/flood.py" <<-'EOP'
	# flood.py DEST CALLID SECONDS PPS: GRE packets of 1400 bytes of payload
	# with the call's key, without S (acknowledgment-shaped), PPS a second.
	import socket, struct, sys, time
	dest, cid, secs, pps = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), \
	    int(sys.argv[4])
	pkt = struct.pack(">HHHH", 0x2001, 0x880b, 0, cid) + b"FLOOD-GRE" * 155 + \
	    b"!" * 5
	s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
	n = err = 0
	t0 = time.time()
	while time.time() - t0 < secs:
	    while n < int((time.time() - t0) * pps) + 1:
	        n += 1
	        try:
	            s.sendto(pkt, (dest, 0))
	        except OSError:
	            err += 1
	    time.sleep(0.002)
	print("sent %d GRE packets of %d bytes in %.1f s, %d refused by the kernel"
	      % (n - err, len(pkt), time.time() - t0, err))
	EOP
}

# tun_ctl SOCKET ARGS...: pptpproxyctl on that proxy's control socket.
tun_ctl() {
	_s=$1
	shift
	"$PPTPPROXYCTL" -s "$_s" "$@" 2>&1
}

# tun_settle SOCKET WHAT A.JSON B.JSON: wait until the proxy of SOCKET
# has nothing queued for its peer (WHAT names that queue in the failure)
# and the counters of session 1 on A and B stop moving (nothing in
# flight); the last answers of show session 1 -j in the files.
tun_settle() {
	_i=0
	while [ $_i -lt 20 ]; do
		tun_ctl "$1" -j show session 1 | grep -q '"queued":0,' &&
		    break
		sleep 0.5
		_i=$((_i + 1))
	done
	[ $_i -lt 20 ] || fail "$2 did not drain within 10 s"
	_prev=""
	_i=0
	while [ $_i -lt 20 ]; do
		sleep 1
		tun_ctl "$CTLSOCK" -j show session 1 >"$3"
		tun_ctl "$BSOCK" -j show session 1 >"$4"
		_now=$(python3 -c '
import json, sys
for f in sys.argv[1:]:
    s = json.load(open(f))["session"]
    print(s["gre"], s["tunnel"]["dropped"])' "$3" "$4") ||
		    fail "no session 1 on A or B"
		[ "$_now" = "$_prev" ] && return 0
		_prev=$_now
		_i=$((_i + 1))
	done
	fail "the counters did not settle within 20 s"
}

# tun_dropped JSON DIRECTION: what session 1 dropped that way, in all.
tun_dropped() {
	python3 -c '
import json, sys
print(json.load(open(sys.argv[1]))["session"]["tunnel"]["dropped"][sys.argv[2]])' "$1" "$2"
}

# tun_flood NS DEST CALLID SECONDS: from NS, GRE to DEST with the key
# CALLID (flood.py) for that long, in the background; its pid in
# FLOOD_PID, its output in $TMP/flood.out.
tun_flood() {
	nsx "$1" python3 "$TMP/flood.py" "$2" "$3" "$4" $PPS \
	    >"$TMP/flood.out" 2>&1 &
	FLOOD_PID=$!
	lab_track $FLOOD_PID
}

# tun_flood_watch WHO SOCKET RELAY NS PEER: every 0.5 s while the flood
# runs, the queue of session 1 on SOCKET (WHO's, for the failure), the
# resident memory of the control relay RELAY (a pid) and the largest
# Send-Q in NS of the connections to PEER; their maxima in qmax, rssmax
# (rss0 at least) and kmax.
tun_flood_watch() {
	qmax=0
	kmax=0
	rssmax=$rss0
	while kill -0 "$FLOOD_PID" 2>/dev/null; do
		_q=$(tun_ctl "$2" -j show session 1 | python3 -c '
import json, sys
print(json.load(sys.stdin)["session"]["tunnel"]["queued"])') ||
		    fail "no queue in $1's show session 1"
		_r=$(awk '/^VmRSS/ { print $2 }' "/proc/$3/status")
		[ "$_q" -gt $qmax ] && qmax=$_q
		[ "$_r" -gt $rssmax ] && rssmax=$_r
		_k=$(nsx "$4" ss -tnH state established dst "$5" |
		    awk '$2 > m { m = $2 } END { print m + 0 }')
		[ "$_k" -gt $kmax ] && kmax=$_k
		sleep 0.5
	done
}

# tun_flood_wait: wait for the flood; the packets it sent in SENT.
tun_flood_wait() {
	wait "$FLOOD_PID" || { cat "$TMP/flood.out"; fail "the flood did not run"; }
	cat "$TMP/flood.out"
	SENT=$(sed -n 's/^sent \([0-9]*\) .*/\1/p' "$TMP/flood.out")
}

# tun_account WHO A0 B0 A1 B1 SENT: from the answers A0, B0 to A1, B1 of
# show session 1 -j, every packet the forwarder of WHO (the flooding
# side: A towards the server, B towards the client) took for the call (at
# least 9 in 10 of the SENT) reached its end (pptpd, c1) through the
# other proxy or was counted as dropped, that way, by one of the two;
# WHO dropped most, some got through, neither dropped anything the other
# way; the other proxy counts no control message that way for the
# records (at most an Echo-Request of pptp-linux or pptpd went meanwhile).
tun_account() {
	python3 - "$@" <<'EOP' || fail "the counters do not add up"
import json, sys
who = sys.argv[1]
a0, b0, a1, b1 = (json.load(open(f))["session"] for f in sys.argv[2:6])
sent = int(sys.argv[6])
if who == "A":
    way, back, other, end = "to_server", "to_client", "B", "pptpd"
    f0, f1, o0, o1 = a0, a1, b0, b1
else:
    way, back, other, end = "to_client", "to_server", "A", "c1"
    f0, f1, o0, o1 = b0, b1, a0, a1
def d(x0, x1, *path):
    for p in path:
        x0, x1 = x0[p], x1[p]
    return x1 - x0
took = d(f0, f1, "gre", way, "packets")
through = d(o0, o1, "gre", way, "packets")
drop_f = d(f0, f1, "tunnel", "dropped", way)
drop_o = d(o0, o1, "tunnel", "dropped", way)
print("flood: %d sent, %s's forwarder took %d, %d reached %s through %s, "
      "dropped %d by %s and %d by %s" % (sent, who, took, through, end,
      other, drop_f, who, drop_o, other))
assert a1["tunnel"]["over"] == "tcp" and b1["tunnel"]["over"] == "tcp"
assert took >= sent * 9 // 10, "%s's forwarder took only %d" % (who, took)
assert took == through + drop_f + drop_o, "%d packets unaccounted for" % (
    took - through - drop_f - drop_o)
assert drop_f >= took // 2, "%s dropped only %d of %d" % (who, drop_f, took)
assert through > 0, "nothing got through"
for n, x0, x1 in (("A", a0, a1), ("B", b0, b1)):
    assert d(x0, x1, "tunnel", "dropped", back) == 0, \
        "%s counts %d drops %s" % (n, d(x0, x1, "tunnel", "dropped", back),
        back)
assert d(o0, o1, "messages", way) <= 1, "%s counts %d control " \
    "messages %s" % (other, d(o0, o1, "messages", way), way)
EOP
}

# tun_flood_bounds WHO PEER: after tun_flood_watch and tun_flood_wait,
# WHO (the flooding side, A or B) queued something for PEER and at most
# QMAX, its kernel held at most 192 KiB for PEER (Send-Q), and its relay
# grew by less than 1 MiB.
tun_flood_bounds() {
	note "queue at most $qmax bytes (bound $QMAX); $1's relay $rss0 kB resident before, at most $rssmax kB during the flood"
	note "$1's kernel held at most $kmax bytes for $2 (Send-Q), $((kmax * 8 / 2000)) ms at 2 Mbit/s"
	# TCP_NOTSENT_LOWAT (16 KiB) and what is in flight: about 80 KiB
	# seen; without it the kernel took about 430 KiB.
	[ $kmax -le 196608 ] ||
	    fail "$1's kernel held $kmax bytes for $2: no bound on what it takes"
	[ $qmax -gt 0 ] || fail "$1 never had anything queued for $2: no pressure"
	[ $qmax -le $QMAX ] || fail "$1 queued $qmax bytes for $2, more than $QMAX"
	[ $((rssmax - rss0)) -lt 1024 ] ||
	    fail "$1's relay grew by $((rssmax - rss0)) kB during the flood"
}

# tun_flood_stopped NS DEST CALLID RELAY: a flood of 5 s as tun_flood
# does, the control relay RELAY (a pid) stopped (SIGSTOP) for 2.5 s of
# it, from its second second; returns when the flood is over (SENT).
tun_flood_stopped() {
	tun_flood "$1" "$2" "$3" 5
	sleep 1
	kill -STOP "$4"
	sleep 2.5
	kill -CONT "$4"
	tun_flood_wait
}

# Helpers for tests that read pptpproxyctl's answers and captures.
# ctl_ro_proxy: lab_topology 1 and, in fw, the proxy "office" from
# 192.0.2.1 to 198.51.100.2, with a restricted control socket (mode
# 0600) at ROSOCK, $TMP/ro.sock, besides its full one.
ctl_ro_proxy() {
	ROSOCK=$TMP/ro.sock
	lab_topology 1
	cat >"$TMP/p.conf" <<EOC
control socket "$ROSOCK" restricted mode 0600
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
}
EOC
	lab_proxy fw -f "$TMP/p.conf"
}
# sessions_match JSON ADDR=HOLD...: the sessions of "show sessions -j" in
# JSON must be exactly one per ADDR, each of proxy "office" to
# 198.51.100.2:1723, relaying one call that is up, whose Call IDs are as
# the log has them and whose GRE packet counters match what pptpdrive -H
# said in the file HOLD ("HOLD: W written, G echoed, O other"):
#   to the client: the G echoes and the O others at least; at most every
#     written frame echoed, plus O, plus a few acknowledgments pptpd may
#     send alone: G + O <= n <= W + O + 4.  (A probe sent before the call
#     was routed is lost, so W + O is not a lower bound.)
#   to the server: the G frames that came back went there; at most the W
#     frames plus the acknowledgments pptp sends alone, never more than
#     one per packet it received: G <= n <= W + (packets to the client).
#   A swap of the directions fails the upper bound to the client: pptp's
#     lone acknowledgments (10 to 30 a run here) go to the server only.
# Prints a line per session, and "ok"; returns 1 with the reason last.
sessions_match() {
	python3 - "$PLOG" "$@" <<'EOP'
import json, re, sys
log = open(sys.argv[1]).read()
doc = json.load(open(sys.argv[2]))
hold = {}
for arg in sys.argv[3:]:
    a, f = arg.split("=", 1)
    m = re.search(r"HOLD: (\d+) written, (\d+) echoed, (\d+) other",
        open(f).read())
    assert m, "no HOLD line in " + f
    hold[a] = tuple(int(x) for x in m.groups())
ss = doc["sessions"]
assert sorted(s["client"]["address"] for s in ss) == sorted(hold), \
    "sessions of %s, not of %s" % ([s["client"]["address"] for s in ss],
    sorted(hold))
for s in ss:
    a = s["client"]["address"]
    w, g, o = hold[a]
    assert s["proxy"] == "office", s["proxy"]
    assert s["server"] == {"address": "198.51.100.2", "port": 1723}, s
    assert s["client_local"] == {"address": "192.0.2.1", "port": 1723}, s
    assert s["state"] == "relaying", s["state"]
    assert s["calls_up"] == 1 and len(s["calls"]) == 1, s
    c = s["calls"][0]
    assert c["state"] == "up", c
    line = ("session %d: call %d up: client Call ID %d (shown to the "
        "server as %d), server Call ID %d (shown to the client as %d)" %
        (s["id"], c["serial"], c["client_call_id"],
        c["client_call_id_shown"], c["server_call_id"],
        c["server_call_id_shown"]))
    assert line in log, "not in the log: " + line
    tc = c["gre"]["to_client"]["packets"]
    ts = c["gre"]["to_server"]["packets"]
    print("%s: written %d echoed %d other %d; to client %d, to server %d"
        % (a, w, g, o, tc, ts))
    assert g + o <= tc <= w + o + 4, \
        "%s: %d packets to the client" % (a, tc)
    assert g <= ts <= w + tc, "%s: %d packets to the server" % (a, ts)
    for d in ("to_client", "to_server"):
        p, b = c["gre"][d]["packets"], c["gre"][d]["bytes"]
        # an IP and a GRE header at least, at most 1400 bytes of data more
        assert 36 * p <= b <= 1500 * p, "%s %s: %d bytes" % (a, d, b)
        assert s["gre"][d] == c["gre"][d], (s["gre"], c["gre"])
print("ok")
EOP
}

# stop_seen SIDE PROXY_END PEER_END [FLOWS]: in FLOWS (pptpcap's lines,
# default $TMP/flows), the proxy's direction of the connection PROXY_END
# - PEER_END sent a Stop-Control-Connection-Request (type 3) and a FIN,
# the peer answered with the reply (type 4), and no reset went either
# way; else fail, naming SIDE (client or server).
stop_seen() {
	_fl=${4:-$TMP/flows}
	_out=$(grep "^$2 > $3 " "$_fl")
	_back=$(grep "^$3 > $2 " "$_fl")
	[ -n "$_out" ] || fail "$1: no packets from the proxy to $3"
	echo "$_out" | grep -q "msgs [0-9,]*,3[, ]" ||
	    fail "$1 $3 got no Stop-Control-Connection-Request: $_out"
	echo "$_out" | grep -q " fin 1 " ||
	    fail "$1 $3: the proxy sent no FIN: $_out"
	echo "$_out $_back" | grep -q "rst 1" &&
	    fail "$1 $3: a reset: $_out / $_back"
	echo "$_back" | grep -q "msgs [0-9,]*,4[, ]" ||
	    fail "$1 $3 sent no Stop-Control-Connection-Reply: $_back"
	return 0
}

# lab_only_proxy NS: fail if anything but pptpproxy runs in namespace
# NS (an ACL command, or a child of one, left behind).
lab_only_proxy() {
	for _p in $(ip netns pids "$PFX$1"); do
		case $(readlink "/proc/$_p/exe") in
		*/pptpproxy | */pptpproxy" (deleted)") ;;
		"") ;;
		*) fail "left running in $1: $_p $(tr '\0' ' ' <"/proc/$_p/cmdline")" ;;
		esac
	done
	return 0
}

# lab_wait_hold NS...: wait until the client in each NS (pptpdrive -H,
# its output in $TMP/NS.out) has echoed its frames and holds its call;
# show what each said.
lab_wait_hold() {
	for _c in "$@"; do
		lab_wait_log "HOLD:" 60 "$TMP/$_c.out" ||
		    fail "$_c did not echo its frames: $(cat "$TMP/$_c.out")"
		cat "$TMP/$_c.out"
	done
}

# aclcmd_slow SECONDS: $TMP/slow, an ACL command that takes SECONDS and
# refuses; each run appends to $TMP/runs a line "start TIME ADDR" and,
# as it ends, "stop TIME ADDR".
aclcmd_slow() {
	cat >"$TMP/slow" <<EOS
#!/bin/sh
echo "start \$(date +%s.%N) \$1" >>"$TMP/runs"
sleep $1
echo "stop \$(date +%s.%N) \$1" >>"$TMP/runs"
exit 1
EOS
	chmod 755 "$TMP/slow"
}

# lab_closed NS ADDR PORT SECONDS: a bare TCP client in NS connects to
# ADDR:PORT, sends one byte (the first of a message, as a real client
# does at once: on Linux a connection that sends nothing reaches the
# relay only after a while, TCP_DEFER_ACCEPT) and waits at most SECONDS
# for the other end: prints "closed T" (closed or reset T seconds after
# the connection was made), "data T" (it sent something) or "open
# SECONDS".  Needs python3 (the test skips without it).
lab_closed() {
	nsx "$1" python3 - "$2" "$3" "$4" <<'EOP'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])),
    timeout=float(sys.argv[3]))
s.send(b"\0")
t = time.time()
try:
    d = s.recv(100)
    print("closed" if not d else "data", "%.2f" % (time.time() - t))
except socket.timeout:
    print("open", sys.argv[3])
except ConnectionResetError:
    print("closed %.2f" % (time.time() - t))
EOP
}

# lab_refused ADDR [SECONDS]: wait for the proxy's line refusing a
# connection of ADDR by the ACL of proxy "office" (the client, the proxy
# and the reason named).
lab_refused() {
	lab_wait_log "session [0-9]*: $1:[0-9]* .*client $1 not allowed on proxy office (acl)" \
	    "${2:-5}"
}

# lab_gone PID [SECONDS]: wait until PID has ended (true), at most
# SECONDS (default 10; false if it still runs).
lab_gone() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt $(( ${2:-10} * 10 )) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

# lab_capture NS FILE [IF]: whole packets of the control connections, on
# every interface of NS (or on IF only), each handed over at once (a stop
# is over in milliseconds); lab_tcpdump_stop ends it.
lab_capture() {
	command -v tcpdump >/dev/null 2>&1 || skip "no tcpdump"
	lab_bg "$1" tcpdump -i "${3:-any}" -n -U --immediate-mode -B 16384 \
	    -s 0 -w "$2" tcp port 1723 2>"$2.err"
	TCPDUMP_PID=$LAST_PID
	lab_wait_log "listening on" 5 "$2.err" || fail "tcpdump did not start"
}

# proxy_term: SIGTERM to the proxy's parent; fail unless it exits with
# status 0 within 15 s and its children are gone then.  Prints the status
# and the time the stop took.
proxy_term() {
	_kids=$(proxy_children)
	[ -n "$_kids" ] || fail "the proxy has no children"
	_t0=$(date +%s.%N)
	kill -TERM "$PROXY_PID"
	lab_gone "$PROXY_PID" 15 || fail "parent still running 15 s after SIGTERM"
	wait "$PROXY_PID"
	_rc=$?
	_el=$(echo "$_t0 $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }')
	echo "parent exited with status $_rc after $_el s"
	[ $_rc -eq 0 ] || fail "exit status $_rc, not 0"
	for _p in $_kids; do
		if [ -d "/proc/$_p" ] &&
		    ! grep -q '^State:.*Z' "/proc/$_p/status" 2>/dev/null; then
			fail "child $_p still running"
		fi
	done
	return 0
}

# lab_drive_refused NS PATTERN [pptpdrive arguments]: a client in NS that must
# not get through.  pptpdrive must end with 2 (its tunnel never carried a
# frame; 0 is an echo, 1 frames lost after some came back), and the proxy
# log must gain a line matching PATTERN (grep -e) while the client runs or
# within 5 s after: the refusal for the reason the test means.  A client
# that fails for any other reason (a setup error of the lab, pptp not
# starting) fails the test instead of passing it.
lab_drive_refused() {
	_rn=$1
	_rpat=$2
	shift 2
	_rb=$(log_count "$_rpat")
	lab_drive "$_rn" "$@" >"$TMP/refused.out" 2>&1
	_rrc=$?
	sed 's/^/refused client: /' "$TMP/refused.out"
	[ $_rrc -eq 2 ] ||
	    fail "the client in $_rn ended with $_rrc, expected 2" \
		"(no frame through)"
	lab_wait_count "$_rpat" $((_rb + 1)) 5 ||
	    fail "the client in $_rn failed, but no new log line says" \
		"why it was meant to: \"$_rpat\""
	grep -e "$_rpat" "$PLOG" | tail -n 1 | sed 's/^.*: control: /refusal: /'
}

# Helpers for the tests of clients that use the same Call ID.
# lab_drive_callid ID NS [pptpdrive options] SERVER: lab_drive, with the
# client's Call ID chosen: pptp-linux draws it from /dev/random, which
# build/tools/fixrand.so (preloaded into the client and whatever
# lab_drive runs before it) turns into the number ID.  Whether the client
# did send ID must be checked on the wire (callid_sent).
lab_drive_callid() {
	[ -f "$FIXRAND_SO" ] || skip "no $FIXRAND_SO (make tools)"
	(
		FIXRAND=$1
		LD_PRELOAD=$FIXRAND_SO
		export FIXRAND LD_PRELOAD
		shift
		lab_drive "$@"
	)
}

# callid_pick: a Call ID whose two bytes differ (a byte-order slip
# shows), new each run.
callid_pick() {
	_cid=$(( $$ % 60000 + 4096 ))
	[ $((_cid >> 8)) -ne $((_cid & 255)) ] || _cid=$((_cid + 1))
	echo "$_cid"
}

# callid_captures: lab_capture of the control connections on the
# server's side of its link ($TMP/s.pcap, on LINK_B: call it while the
# server's link is the last one made) and on fw's inside bridge
# ($TMP/c.pcap); callid_clients_wait stops them.
callid_captures() {
	lab_capture s "$TMP/s.pcap" "$LINK_B"
	CALLID_CAPS=$TCPDUMP_PID
	lab_capture fw "$TMP/c.pcap" br0
	CALLID_CAPS="$CALLID_CAPS $TCPDUMP_PID"
}

# callid_clients ID: c1 and c2 (lab_drive_callid ID) each echo through
# 192.0.2.1 for 8 s at 1000 frames a second, at least 4500 frames of 1
# to 4000 bytes, in the background; their output in $TMP/c1.out and
# $TMP/c2.out.
callid_clients() {
	echo "both clients use Call ID $1"
	CALLID_CLIENTS=""
	for _c in 1 2; do
		lab_drive_callid "$1" c$_c -n 4500 -k 8 -r 1000 -w 8 -s 4000 \
		    -t 20 -g $_c 192.0.2.1 >"$TMP/c$_c.out" 2>&1 &
		CALLID_CLIENTS="$CALLID_CLIENTS $!"
		lab_track $!
	done
}

# callid_clients_wait: wait for the clients of callid_clients (CALLID_RC
# 0 if both got every frame back in order, else 1), show their output,
# then stop the captures of callid_captures.
callid_clients_wait() {
	CALLID_RC=0
	for _p in $CALLID_CLIENTS; do
		wait "$_p" || CALLID_RC=1
	done
	cat "$TMP/c1.out" "$TMP/c2.out"
	sleep 1
	for _p in $CALLID_CAPS; do
		kill -INT "$_p"
		wait "$_p"
	done
}

# callid_clients_sent ID: on fw's inside ($TMP/c.pcap), c1 and c2 each
# requested one call with Call ID ID (callid_sent), and the proxy's log
# ($PLOG) has two calls of client Call ID ID.
callid_clients_sent() {
	callid_sent "$TMP/c.pcap" 192.0.2.1 "$1" 192.0.2.10 192.0.2.11
	[ "$(log_count "call 1 up: client Call ID $1 ")" -eq 2 ] ||
	    fail "the proxy did not log two calls of client Call ID $1"
}

# callid_sent PCAP SERVER ID ADDR...: in PCAP (lab_capture), every client
# ADDR requested exactly one call of SERVER (address, port 1723), with
# Call ID ID, and every message of the calls to and from SERVER carried
# Call IDs that agree with it (regress/e2e/callidcap); else fail.
callid_sent() {
	_pc=$1
	_sv=$2
	_id=$3
	shift 3
	python3 "$E2E/callidcap" -v -s "$_sv" -c $# "$_pc" "$_id" \
	    >"$_pc.calls" 2>&1 ||
	    { cat "$_pc.calls"; fail "the calls to $_sv in $(basename "$_pc")" \
		"did not all use Call ID $_id"; }
	for _a in "$@"; do
		_n=$(grep -c "^ok  *$_a:[0-9]* > $_sv:1723 Outgoing-Call-Request: Call ID $_id$" "$_pc.calls")
		[ "$_n" -eq 1 ] ||
		    { cat "$_pc.calls"; fail "$_a sent $_n Outgoing-Call-Requests" \
			"with Call ID $_id to $_sv, not 1"; }
	done
	grep -c "Outgoing-Call-Request" "$_pc.calls" | grep -qx "$#" ||
	    { cat "$_pc.calls"; fail "not $# Outgoing-Call-Requests to $_sv"; }
	return 0
}

# callid_shown PCAP LOG N: the Call IDs LOG's proxy showed the server
# (198.51.100.2) for N calls ("shown to the server as"), as the server's
# side of the link (PCAP) has them: N of them, all different, and every
# control message to and from the server agrees (callidcap); sets SHOWN
# to them.
callid_shown() {
	_ids=$(sed -n 's/.*call [0-9]* up: .*(shown to the server as \([0-9]*\)).*/\1/p' "$2")
	[ "$(echo $_ids | wc -w)" -eq "$3" ] ||
	    fail "$(basename "$2") has not $3 calls up, but: $_ids"
	[ "$(echo "$_ids" | sort -u | wc -l)" -eq "$3" ] ||
	    fail "the server was shown one Call ID for two calls: $_ids"
	python3 "$E2E/callidcap" -v -c "$3" "$1" $_ids >"$1.calls" 2>&1 ||
	    { cat "$1.calls"; fail "a control message to or from the server" \
		"carried a Call ID it was not shown"; }
	[ "$(grep -c "Outgoing-Call-Request" "$1.calls")" -eq "$3" ] ||
	    { cat "$1.calls"; fail "not $3 Outgoing-Call-Requests to the server"; }
	SHOWN=$(echo $_ids)
}

# calls_overlap LOG N: N calls were up at once in LOG (N "call N up"
# lines before the first "call N down").
calls_overlap() {
	_n=$(sed -n '/call [0-9]* down after/q; /call [0-9]* up: .*(shown/p' "$1" |
	    wc -l)
	[ "$_n" -ge "$2" ] ||
	    fail "only $_n calls were up at once in $(basename "$1"), not $2"
}

# relays_conf N: $TMP/p.conf with relays N and one proxy, 192.0.2.1 to
# 198.51.100.2.
relays_conf() {
	printf 'relays %s\nproxy "office" {\n' "$1" >"$TMP/p.conf"
	printf '\tlisten on 192.0.2.1 port 1723\n' >>"$TMP/p.conf"
	printf '\tserver 198.51.100.2 port 1723\n}\n' >>"$TMP/p.conf"
}

# lab_drives_done N: the drives c1..cN (pids in drv1..drvN) ended with
# every frame back, and the log has N session end lines.
lab_drives_done() {
	for _c in $(seq 1 "$1"); do
		eval wait \$drv$_c || {
			cat "$TMP/c$_c.out"
			fail "c$_c: frames did not come back intact"
		}
	done
	_i=0
	while [ "$(grep -c "ended after" "$PLOG")" -lt "$1" ] &&
	    [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ $_i -lt 100 ] || fail "not $1 session end lines"
}
