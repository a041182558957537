#!/bin/sh
# pptpproxy benchmark: plain routing, the kernel's PPTP NAT and pptpproxy
# (GRE in user space, and with gre offload), side by side, in network
# namespaces (root).  See regress/bench/README.
#
#	sh regress/bench/bench.sh
#
# Environment: BENCH_REPEAT (runs of each mode, median reported; default 3,
# 1 with BENCH_QUICK=1), BENCH_QUICK=1 (about 3 minutes), BENCH_DURATION
# (seconds a figure is measured; 8, quick 3), BENCH_MODES (any of
# "route nat proxy offload tunnel floor orig"; default all but orig,
# floor only when build/tools/bench_floor is there, orig only with
# BENCH_ORIGINAL), BENCH_STEPS (which figures; see the README),
# BENCH_HOLD (calls held at 1 call a control connection for the memory
# figures; "10000 30000", quick "10000"), BENCH_HOLD4 (calls held at 4
# calls a connection; "30000"), BENCH_PROXY_FLAGS (default "-n"),
# BENCH_ORIGINAL (a binary of the original pptpproxy 2.9: adds its
# column, mode "orig"; no holds), BENCH_FLOOR_FLAGS (bench_floor's
# flags in mode "floor", the bare TCP relay whose call setups are the
# least any relay in user space can cost; default "-D"),
# BENCH_RELAYS ("relays N" in
# pptpproxy's configuration, default 1), BENCH_SETUP_SOURCES (client
# addresses the setup figures connect from, 192.0.2.10 and up, 1 to 4;
# default 1: several relays take different addresses' connections),
# BENCH_GRE_SOURCES (the same for the GRE capacity figures, tput-*:
# with relays N, each relay's GRE forwarder carries its addresses'
# calls).
# Writes build/bench/results.txt, build/bench/raw.txt, build/bench/logs/.

set -u
# pptpproxy refuses configuration files writable by group or others.
umask 022

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/regress/bench/setup_lab.sh"
cd "$top" || exit 1
B=${B:-build}
GEN=$top/$B/tools/bench_gen
REFL=$top/$B/tools/bench_refl
PROXY=$top/$B/pptpproxy
FLOOR=$top/$B/tools/bench_floor
FLOOR_FLAGS=${BENCH_FLOOR_FLAGS--D}
ORIGINAL=${BENCH_ORIGINAL:-}
RELAYS=${BENCH_RELAYS:-1}
# src_flag N: bench_gen's -s for N client addresses, 192.0.2.10 and up
# (1: none, its one address).
src_flag() {
	[ "$1" = 1 ] ||
	    echo "-s $(echo 192.0.2.10,192.0.2.11,192.0.2.12,192.0.2.13 |
	    cut -d, -f1-"$1")"
}
case ${BENCH_SETUP_SOURCES:-1}/${BENCH_GRE_SOURCES:-1} in
[1-4]/[1-4]) ;;
*) echo "BENCH_SETUP_SOURCES, BENCH_GRE_SOURCES: 1 to 4" >&2; exit 2 ;;
esac
SETUP_SRC=$(src_flag "${BENCH_SETUP_SOURCES:-1}")
GRE_SRC=$(src_flag "${BENCH_GRE_SOURCES:-1}")

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	R=${BENCH_REPEAT:-1}
	D=${BENCH_DURATION:-3}
	HOLD=${BENCH_HOLD:-10000}
	HOLD4=${BENCH_HOLD4-30000}
else
	R=${BENCH_REPEAT:-3}
	D=${BENCH_DURATION:-8}
	HOLD=${BENCH_HOLD:-10000 30000}
	HOLD4=${BENCH_HOLD4-30000}
fi
# calls a control connection in the HOLD4 holds: the proxy's "limit calls"
CPC=4
FLOORMODE=
[ -x "$FLOOR" ] && FLOORMODE=" floor"
MODES=${BENCH_MODES:-route nat proxy offload tunnel$FLOORMODE${ORIGINAL:+ orig}}
PROXY_FLAGS=${BENCH_PROXY_FLAGS:--n}
WARM=0.5

OUT=$top/$B/bench
RES=$OUT/results.txt
RAW=$OUT/raw.txt
LOGS=$OUT/logs
TMP=

PIDS=
NSLIST=
PROXY_PID=
REFL_PID=
HZ=$(getconf CLK_TCK)

T0=$(date +%s)
log() {
	echo "bench: [$(( $(date +%s) - T0 ))s] $*" >&2
}

die() {
	log "$*"
	exit 1
}

# --- processes and namespaces we started, and nothing else ---

kill_pid() {
	pid=$1
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	PIDS=$(echo " $PIDS " | sed "s/ $pid / /")
	return 0
}

# pid and all its descendants
tree() {
	all=$1
	front=$1
	while [ -n "$front" ]; do
		next=
		for p in $front; do
			next="$next $(pgrep -P "$p" 2>/dev/null)"
		done
		next=$(echo $next)
		all="$all $next"
		front=$next
	done
	echo $all
}

cleanup() {
	trap - EXIT INT TERM HUP
	for p in $PIDS; do
		kids=$(tree "$p")
		kill_pid "$p"
		for k in $kids; do
			[ "$k" = "$p" ] && continue
			kill -KILL "$k" 2>/dev/null
		done
	done
	for n in $NSLIST; do
		ip netns del "$n" 2>/dev/null
	done
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM HUP

# Start "$@" in the background; output to $1.
bg() {
	out=$1
	shift
	"$@" >"$out" 2>&1 &
	BGPID=$!
	PIDS="$PIDS $BGPID"
}

# --- the lab ---

topo_up() {
	P=$1
	NC=${P}c
	NF=${P}f
	NS=${P}s
	# cleanup removes them, made or not
	NSLIST="$NSLIST $NC $NF $NS"
	setup_lab "$NC" "$NF" "$NS"
	for a in 10 11 12 13; do
		ip -n "$NC" addr add 192.0.2.$a/24 dev c0
	done
	ip -n "$NF" addr add 192.0.2.1/24 dev f0
	ip -n "$NC" route add default via 192.0.2.1
}

# tunnel: a second pptpproxy (B) in a namespace of its own between the
# firewall (A) and the server:
#   c 192.0.2.10 | f 192.0.2.1, 203.0.113.1 | b 203.0.113.2, 198.51.100.1 |
#   s 198.51.100.2
topo_up_tunnel() {
	topo_up "$1"
	NB=${1}b
	ip netns add "$NB" || die "ip netns add $NB"
	NSLIST="$NSLIST $NB"
	ip -n "$NB" link set lo up
	ip -n "$NF" link del f1
	ip -n "$NF" link add f1 type veth peer name b0 netns "$NB"
	ip -n "$NB" link add b1 type veth peer name s0 netns "$NS"
	ip -n "$NF" addr add 203.0.113.1/24 dev f1
	ip -n "$NB" addr add 203.0.113.2/24 dev b0
	ip -n "$NB" addr add 198.51.100.1/24 dev b1
	ip -n "$NS" addr add 198.51.100.2/24 dev s0
	ip -n "$NF" link set f1 up
	ip -n "$NB" link set b0 up
	ip -n "$NB" link set b1 up
	ip -n "$NS" link set s0 up
	ip -n "$NS" route add default via 198.51.100.1
}

topo_down() {
	[ -n "${NB:-}" ] && [ "$MODE" = tunnel ] && ip netns del "$NB" 2>/dev/null &&
	    NSLIST=$(echo " $NSLIST " | sed "s/ $NB / /")
	for n in $NC $NF $NS; do
		ip netns del "$n" 2>/dev/null
		NSLIST=$(echo " $NSLIST " | sed "s/ $n / /")
	done
}

# --- measurements ---

# value of key in a line of key=value pairs
kv() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

refl_stat() {
	kill -USR1 "$REFL_PID" 2>/dev/null
	sleep 0.25
	sed -n "s/^$1=//p" "$REFL_STAT" 2>/dev/null
}

sys_ticks() {
	awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# utime+stime (ticks) of the given pids
ticks() {
	t=0
	for p in "$@"; do
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null |
		    awk '{ print $12 + $13 }')
		[ -n "$v" ] && t=$((t + v))
	done
	echo $t
}

# time on a CPU (ns, /proc/PID/schedstat: the scheduler's own count,
# exact, where utime and stime are sampled at each tick) of the given
# pids, all their threads (ours have one each, the original two)
cpu_ns() {
	for p in "$@"; do
		cat /proc/$p/task/*/schedstat 2>/dev/null
	done | awk '{ t += $1 } END { printf "%.0f\n", t }'
}

rss_kb() {
	t=0
	for p in "$@"; do
		v=$(awk '/^VmRSS:/{ print $2 }' "/proc/$p/status" 2>/dev/null)
		[ -n "$v" ] && t=$((t + v))
	done
	echo $t
}

proxy_pids() {
	[ -n "$PROXY_PID" ] && tree "$PROXY_PID"
	[ "$MODE" = tunnel ] && [ -n "$B_PID" ] && tree "$B_PID"
}

# pptpproxy runs in this mode (user-space GRE, gre offload, or two of
# them tunnelling: A and B, counted together), or the original does, or
# the floor (bench_floor: a relay in user space, its CPU counted as
# pptpproxy's, pinned as pptpproxy is)
isproxy() {
	case $MODE in
	proxy|offload|tunnel|orig|floor) return 0 ;;
	esac
	return 1
}

# the GRE forwarder, by its title; all processes when none says "gre"
proxy_gre_pids() {
	g=
	for p in $(proxy_pids); do
		if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
		    grep -qi gre; then
			g="$g $p"
		fi
	done
	[ -n "$g" ] && echo $g || proxy_pids
}

ct_count() {
	ip netns exec "$NF" cat /proc/sys/net/netfilter/nf_conntrack_count \
	    2>/dev/null || echo 0
}

ct_flush() {
	ip netns exec "$NF" conntrack -F >/dev/null 2>&1
	ip netns exec "$NF" conntrack -F expect >/dev/null 2>&1
}

exp_count() {
	ip netns exec "$NF" conntrack -L expect 2>/dev/null | wc -l
}

rec() {
	echo "$RUN $MODE $1 $2" >>"$RAW"
}

# resident memory now: pptpproxy kB, kernel NAT conntrack entries
mem_now() {
	case $MODE in
	proxy|offload|tunnel|orig)
		for p in $(proxy_pids); do
			echo "$1 $p $(tr '\0' ' ' </proc/$p/cmdline |
			    sed 's/  *\.* *$//') $(rss_kb $p) kB"
		done >>"$LOGS/$RUN-$MODE-mem.txt" 2>/dev/null
		rss_kb $(proxy_pids) ;;
	nat)	ct_count ;;
	*)	echo - ;;
	esac
}

# wait until the server has no control connection open
settle() {
	i=0
	while [ $i -lt 60 ]; do
		o=$(refl_stat conns_open)
		[ "${o:-1}" = 0 ] && break
		i=$((i + 1))
		sleep 0.25
	done
	[ "$MODE" = nat ] && ct_flush
	sleep 0.3
}

PIN=
gen() {
	timeout -s TERM "$1" $PIN ip netns exec "$NC" "$GEN" -c "$TARGET" \
	    -W "$WARM" $2
}

t_tput() {
	k=$1
	pl=$2
	w=$((256 / k))
	name=tput-$k-$pl
	r0=$(refl_stat gre_rx)
	rc0=$(refl_stat cpu_us)
	s0=$(sys_ticks)
	g0=0
	gp=
	if isproxy; then
		gp=$(proxy_gre_pids)
		g0=$(ticks $gp)
	fi
	e0=$(date +%s.%N)
	line=$(gen $((D + 40)) "-m tput -k $k -w $w -p $pl -d $D $GRE_SRC")
	echo "$line" >"$LOGS/$RUN-$MODE-$name.txt"
	s1=$(sys_ticks)
	e1=$(date +%s.%N)
	g1=0
	isproxy && g1=$(ticks $gp)
	r1=$(refl_stat gre_rx)
	rc1=$(refl_stat cpu_us)
	if [ "$(kv "$line" result)" != ok ]; then
		log "$MODE $name failed: $line"
		rec "rt_${k}_$pl" fail
		rec "mbit_${k}_$pl" fail
		rec "loss_${k}_$pl" fail
		return
	fi
	rt=$(kv "$line" rt_per_s)
	rec "rt_${k}_$pl" "$rt"
	rec "mbit_${k}_$pl" "$(kv "$line" mbit)"
	rec "loss_${k}_$pl" "$(kv "$line" loss_pct)"
	rall=$(kv "$line" rcvd_all)
	fwd=$((r1 - r0 + rall))
	if [ "$k" = 64 ]; then
		rec "sys_rt_$pl" "$(echo "$s0 $s1 $rall $HZ" | awk '{
		    if ($3 > 0) printf "%.2f", ($2 - $1) * 1e6 / $4 / $3;
		    else print "fail" }')"
		rec "gen_cpu_$pl" "$(kv "$line" gen_cpu_pct)"
		rec "refl_cpu_$pl" "$(echo "$rc0 $rc1 $e0 $e1" | awk '{
		    printf "%.1f", ($2 - $1) / 1e4 / ($4 - $3) }')"
		if isproxy; then
			rec "cpu_pkt_$pl" "$(echo "$g0 $g1 $fwd $HZ" | awk '{
			    if ($3 > 0) printf "%.3f",
			    ($2 - $1) * 1e6 / $4 / $3; else print "fail" }')"
			rec "proxy_cpu_$pl" "$(echo "$g0 $g1 $e0 $e1 $HZ" |
			    awk '{ printf "%.1f",
			    ($2 - $1) * 100 / $5 / ($4 - $3) }')"
		fi
	fi
	log "$MODE $name: $rt round trips/s, $(kv "$line" mbit) Mbit/s," \
	    "loss $(kv "$line" loss_pct)%, RTT p50 $(kv "$line" rtt_p50_us) us"
}

t_lat() {
	line=$(gen $((D + 40)) "-m lat -p 64 -d $D")
	echo "$line" >"$LOGS/$RUN-$MODE-lat.txt"
	if [ "$(kv "$line" result)" != ok ]; then
		log "$MODE lat failed: $line"
		rec rtt_p50 fail
		rec rtt_p99 fail
		return
	fi
	rec rtt_p50 "$(kv "$line" rtt_p50_us)"
	rec rtt_p99 "$(kv "$line" rtt_p99_us)"
	log "$MODE latency: p50 $(kv "$line" rtt_p50_us) us," \
	    "p99 $(kv "$line" rtt_p99_us) us"
}

# Pin the tools (bench_gen, bench_refl) to CPU 0 and pptpproxy's
# processes to CPU 1 (pin), or let every process run anywhere again
# (unpin).
pin() {
	taskset -a -p -c 0 "$REFL_PID" >/dev/null 2>&1
	for p in $(proxy_pids); do
		taskset -a -p -c 1 "$p" >/dev/null 2>&1
	done
	PIN="taskset -c 0"
}
unpin() {
	all=0-$(($(nproc) - 1))
	taskset -a -p -c "$all" "$REFL_PID" >/dev/null 2>&1
	for p in $(proxy_pids); do
		taskset -a -p -c "$all" "$p" >/dev/null 2>&1
	done
	PIN=
}

# t_setup C [pinned]: call setups, C at a time; pinned: the tools on
# one CPU, pptpproxy on the other (figures psetup_C, pcpu_setup_C).
t_setup() {
	c=$1
	pf=
	name=setup-$c
	if [ "${2:-}" = pinned ]; then
		if [ "$(nproc)" -lt 2 ] || ! command -v taskset >/dev/null; then
			rec "psetup_$c" "n/a"
			return
		fi
		pf=p
		name=setup-$c-pinned
		pin
	fi
	s0=$(sys_ticks)
	t0=0
	pp=
	if isproxy; then
		pp=$(proxy_pids)
		t0=$(cpu_ns $pp)
	fi
	# No check call through the floor (-v 0): it carries no GRE, and
	# the call would wait 2 s for its priming packet, counted in the
	# machine's CPU a setup.
	v=2000
	[ "$MODE" = floor ] && v=0
	line=$(gen $((D + 60)) "-m setup -C $c -d $D -v $v $SETUP_SRC")
	s1=$(sys_ticks)
	t1=0
	isproxy && t1=$(cpu_ns $pp)
	[ -n "$pf" ] && unpin
	echo "$line" >"$LOGS/$RUN-$MODE-$name.txt"
	[ "$MODE" = orig ] && orig_restart "$name"
	# bench_gen prints result=ok and the setup figures before its check
	# call, whose failure says only verify_ok=no (through the floor,
	# which carries no GRE, there is none: verify_ok=none).
	if [ "$(kv "$line" result)" != ok ]; then
		log "$MODE $name failed: $line"
		rec "${pf}setup_$c" fail
		if [ -z "$pf" ]; then
			if [ "$MODE" = floor ]; then
				rec "churn_$c" -
			else
				rec "churn_$c" no
			fi
		fi
		return
	fi
	n=$(kv "$line" setups)
	rec "${pf}setup_$c" "$(kv "$line" setups_per_s)"
	# CPU per setup: all of the machine's (ticks), and pptpproxy's
	# processes' (schedstat; the kernel's work for their sockets included)
	rec "${pf}sys_setup_$c" "$(echo "$s0 $s1 $n $HZ" | awk '{
	    if ($3 > 0) printf "%.1f", ($2 - $1) * 1e6 / $4 / $3;
	    else print "fail" }')"
	isproxy && rec "${pf}cpu_setup_$c" "$(echo "$t0 $t1 $n" | awk '{
	    if ($3 > 0) printf "%.1f", ($2 - $1) / 1e3 / $3;
	    else print "fail" }')"
	if [ -n "$pf" ]; then
		log "$MODE setup x$c pinned: $(kv "$line" setups_per_s)/s" \
		    "($n setups)"
		settle
		return
	fi
	# no GRE through the floor, so no check call: none is "-"
	vok=$(kv "$line" verify_ok)
	rec "churn_$c" "$(echo "$vok" | sed 's/^none$/-/')"
	rec "churn_n_$c" "$(kv "$line" setups)"
	f=$(kv "$line" failed)
	[ "${f:-0}" != 0 ] && note "$MODE run $RUN: $f of" \
	    "$(kv "$line" connects) setups failed ($c at a time)"
	q=$(kv "$line" cdn_pns_cid)
	[ "${q:-0}" != 0 ] && [ "$MODE" = nat ] && [ "$RUN" = 1 ] &&
	    [ "$c" = 1 ] && note "kernel NAT: Call-Disconnect-Notify" \
	    "arrives with the client's Call ID in place of the server's"
	if [ "$MODE" = nat ]; then
		e=$(exp_count)
		note "kernel NAT run $RUN: $e GRE expectations left after" \
		    "$(kv "$line" setups) setups ($c at a time)"
	fi
	after="data after churn: $vok ($(kv "$line" verify_rcvd) of"
	after="$after $(kv "$line" verify_sent))"
	[ "$vok" = none ] && after="no GRE through the floor"
	log "$MODE setup x$c: $(kv "$line" setups_per_s)/s" \
	    "($(kv "$line" setups) setups), $after"
	settle
}

# Hold n calls, k on each control connection (ceil(n / k) connections);
# memory per call is counted from HOLD_IDLE, the figure before the hold.
t_hold() {
	n=$1
	k=$2
	rm -f "$TMP/ready"
	bg "$TMP/hold.out" timeout -s TERM 300 ip netns exec "$NC" "$GEN" \
	    -m hold -c "$TARGET" -s 192.0.2.10,192.0.2.11,192.0.2.12,192.0.2.13 \
	    -n "$n" -K "$k" -C 256 -r "$TMP/ready"
	hp=$BGPID
	i=0
	while [ ! -e "$TMP/ready" ] && kill -0 "$hp" 2>/dev/null &&
	    [ $i -lt 1800 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1
	m=$(mem_now "held $n, $k a connection:")
	line=$(cat "$TMP/hold.out")
	kill_pid "$hp"
	echo "$line" >"$LOGS/$RUN-$MODE-hold-$n-$k.txt"
	held=$(kv "$line" held)
	primed=$(kv "$line" primed)
	rec "mem_${k}_$n" "$m"
	rec "held_${k}_$n" "${primed:-0}"
	case $MODE in
	proxy|offload|nat)
		# no call passing data: the figure counts no held call
		if [ "${primed:-0}" = 0 ]; then
			rec "mem_per_${k}_$n" none
		else
			rec "mem_per_${k}_$n" "$(echo "$m $HOLD_IDLE $n" |
			    awk '{ printf "%.2f", ($1 - $2) / $3 }')"
		fi
		;;
	esac
	f=$(kv "$line" failed)
	if [ "${f:-0}" != 0 ] || [ "${primed:-0}" != "$n" ]; then
		note "$MODE run $RUN, $n calls held $k a connection:" \
		    "${held:-0} up, ${f:-?} failed (refused" \
		    "$(kv "$line" f_refused), protocol $(kv "$line" f_proto)," \
		    "closed $(kv "$line" f_closed), timeout" \
		    "$(kv "$line" f_timeout)), ${primed:-0} passed data"
		if isproxy && [ -s "$plog" ]; then
			note "pptpproxy's log ($B/bench/logs/$RUN-$MODE.log)" \
			    "says:$(proxy_log_summary)"
		fi
		if [ "$MODE" = nat ] && [ "$k" -gt 1 ] && [ "$RUN" = 1 ]; then
			note "kernel NAT: Linux's PPTP helper follows one call" \
			    "a control connection (\"We can only support one" \
			    "single call within each session\"): every" \
			    "Outgoing-Call-Reply reaches the client with the" \
			    "Peer's Call ID of the last Outgoing-Call-Request," \
			    "so bench_gen drops the connection (protocol" \
			    "error); the entries counted are those of the" \
			    "connections being closed"
		fi
	fi
	log "$MODE hold $n ($k a connection): $held up, $primed passed data," \
	    "memory $m, set up in $(kv "$line" setup_s) s"
	settle
}

# The distinct messages of pptpproxy's log since the last hold began,
# numbers folded, with counts: what it said when it refused.
proxy_log_summary() {
	tail -n +"$((PLOG_MARK + 1))" "$plog" |
	    grep -iE 'refus|limit|exhaust|free|full|fail|error|cannot|closing' |
	    sed -E 's/^[0-9-]+ [0-9:.]+ //; s/[0-9]+/N/g' |
	    sort | uniq -c | sort -rn | head -n 5 |
	    awk '{ c = $1; $1 = ""; printf "\n      %s x%s", $0, c }'
}

NOTES=
note() {
	NOTES="$NOTES
  - $*"
}

# --- one mode, one run ---

# The original, after each figure: did it wedge (its select(2) failing
# on a descriptor it had closed, in a loop that takes a core and logs
# two lines a turn: when several connections end in one turn of its
# loop)?  Say so, keep the start of its log, and start it afresh, so that
# a wedged one takes no CPU from the other figures and the next figure
# starts clean.
orig_restart() {
	w=$(grep -c 'select failed' "$plog" 2>/dev/null)
	if [ "${w:-0}" -gt 0 ]; then
		note "original run $RUN wedged during $1 (select(2) failed" \
		    "$w times: \"$(grep -m 1 'warning: select:' "$plog" |
		    sed 's/^pptpproxy: warning: //')\"); its rate counts the" \
		    "setups before, its CPU the spinning after"
		log "orig wedged during $1 (select failed $w times)"
	fi
	proxy_stop
	head -n 5000 "$plog" >"$LOGS/$RUN-$MODE-$1.log"
	: >"$plog"
	proxy_start "$LOGS/$RUN-$MODE-after-$1.out"
	listening || note "the original did not start again after $1"
	sleep 0.5
}

# The name of the relay the current mode runs, for notes.
relay_name() {
	case $MODE in
	floor)	echo "bench_floor" ;;
	orig)	echo "the original" ;;
	*)	echo "pptpproxy" ;;
	esac
}

# Start pptpproxy in the firewall namespace, its output to $1.
proxy_start() {
	if [ "$MODE" = floor ]; then
		# shellcheck disable=SC2086	# the flags are words
		bg "$1" ip netns exec "$NF" "$FLOOR" $FLOOR_FLAGS \
		    192.0.2.1:1723 198.51.100.2:1723
		PROXY_PID=$BGPID
		return
	fi
	if [ "$MODE" = orig ]; then
		# no control socket, no configuration file, no limits
		bg "$1" ip netns exec "$NF" "$ORIGINAL" -n -l "$plog" \
		    -p 192.0.2.1:1723,198.51.100.2:1723
		PROXY_PID=$BGPID
		return
	fi
	if [ "$MODE" = tunnel ]; then
		bg "${1%.out}-b.out" ip netns exec "$NB" "$PROXY" $PROXY_FLAGS \
		    -l "${plog%.log}-b.log" -s "$TMP/$MODE-b.sock" \
		    -f "$TMP/$MODE-b.conf"
		B_PID=$BGPID
		bg "$1" ip netns exec "$NF" "$PROXY" $PROXY_FLAGS -l "$plog" \
		    -s "$TMP/$MODE.sock" -f "$TMP/$MODE.conf"
		PROXY_PID=$BGPID
		return
	fi
	bg "$1" ip netns exec "$NF" "$PROXY" $PROXY_FLAGS -l "$plog" \
	    -s "$TMP/$MODE.sock" \
	    -f "$TMP/$MODE.conf" -p 192.0.2.1:1723,198.51.100.2:1723
	PROXY_PID=$BGPID
}

# Stop pptpproxy and every process it started.
proxy_stop() {
	kids=$(proxy_pids)
	kill_pid "$PROXY_PID"
	[ "$MODE" = tunnel ] && [ -n "$B_PID" ] && kill_pid "$B_PID"
	i=0
	for k in $kids; do
		while kill -0 "$k" 2>/dev/null && [ $i -lt 30 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$k" 2>/dev/null
	done
	PROXY_PID=
}

# Wait for the listeners on port 1723: the server's, and pptpproxy's.
listening() {
	i=0
	while [ $i -lt 50 ]; do
		ok=1
		ip netns exec "$NS" ss -ltn 'sport = :1723' | grep -q LISTEN ||
		    ok=0
		if isproxy; then
			ip netns exec "$NF" ss -ltn 'sport = :1723' |
			    grep -q LISTEN || ok=0
		fi
		[ $ok = 1 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Before each hold but the first, pptpproxy starts afresh (memory a
# process once touched stays resident, so a hold after another would
# reuse it); HOLD_IDLE is the figure the hold is counted from.
hold_begin() {
	if [ "$NHOLD" -gt 0 ] && isproxy; then
		proxy_stop
		proxy_start "$LOGS/$RUN-$MODE-hold-$1-$2.out"
		if ! listening; then
			log "pptpproxy did not start again"
			note "pptpproxy run $RUN did not start again before" \
			    "the hold of $1 calls: see" \
			    "$B/bench/logs/$RUN-$MODE-hold-$1-$2.out"
			return 1
		fi
		sleep 0.5
	fi
	NHOLD=$((NHOLD + 1))
	HOLD_IDLE=$MEM_IDLE
	[ "$NHOLD" -gt 1 ] && HOLD_IDLE=$(mem_now "idle before $1 calls:")
	PLOG_MARK=0
	isproxy && PLOG_MARK=$(wc -l <"$plog")
	return 0
}

# Per-mode state between steps: the three labs of a run are up at once
# and take turns figure by figure.
MODE_VARS="NC NF NS NB TARGET REFL_PID REFL_STAT PROXY_PID B_PID MEM_IDLE
    NHOLD MODE_OK"
mode_save() {
	for v in $MODE_VARS; do
		eval "M_${MODE}_$v=\$$v"
	done
}
mode_use() {
	MODE=$1
	for v in $MODE_VARS; do
		eval "$v=\$M_${1}_$v"
	done
	plog=$LOGS/$RUN-$MODE.log
}

# Set up mode $1's namespaces, reflector and translator for this run.
mode_up() {
	MODE=$1
	MODE_OK=0
	NHOLD=0
	MEM_IDLE=-
	NB=
	B_PID=
	if [ "$MODE" = tunnel ]; then
		topo_up_tunnel "pb$$-$RUN-$MODE-"
	else
		topo_up "pb$$-$RUN-$MODE-"
	fi
	REFL_STAT=$TMP/refl-$MODE.stat
	bg "$TMP/refl-$MODE.log" ip netns exec "$NS" "$REFL" -S "$REFL_STAT"
	REFL_PID=$BGPID
	PROXY_PID=
	plog=$LOGS/$RUN-$MODE.log
	case $MODE in
	route)
		ip netns exec "$NF" sysctl -qw net.ipv4.ip_forward=1
		TARGET=198.51.100.2
		;;
	nat)
		ip netns exec "$NF" sh -c '
		    sysctl -qw net.ipv4.ip_forward=1 &&
		    iptables -t raw -A PREROUTING -p tcp --dport 1723 \
			-j CT --helper pptp &&
		    iptables -t nat -A PREROUTING -i f0 -d 192.0.2.1 -p tcp \
			--dport 1723 -j DNAT --to-destination 198.51.100.2 &&
		    iptables -t nat -A POSTROUTING -o f1 -j MASQUERADE' ||
		    die "kernel NAT set-up failed"
		TARGET=192.0.2.1
		;;
	proxy|offload)
		# offload: the kernel forwards GRE, which needs forwarding on
		fwd=0
		offl=no
		if [ "$MODE" = offload ]; then
			fwd=1
			offl=yes
		fi
		ip netns exec "$NF" sysctl -qw net.ipv4.ip_forward=$fwd
		cat >"$TMP/$MODE.conf" <<-EOF
		limit connections 40000
		limit connections per-address 40000
		limit calls $CPC
		limit calls per-address 32767
		gre offload $offl
		relays $RELAYS
		EOF
		: >"$plog"
		: >"$LOGS/$RUN-$MODE-mem.txt"
		proxy_start "$LOGS/$RUN-$MODE.out"
		TARGET=192.0.2.1
		;;
	orig)
		ip netns exec "$NF" sysctl -qw net.ipv4.ip_forward=0
		: >"$plog"
		: >"$LOGS/$RUN-$MODE-mem.txt"
		proxy_start "$LOGS/$RUN-$MODE.out"
		TARGET=192.0.2.1
		;;
	floor)
		# a bare TCP relay: no GRE through it, no log
		ip netns exec "$NF" sysctl -qw net.ipv4.ip_forward=0
		proxy_start "$LOGS/$RUN-$MODE.out"
		TARGET=192.0.2.1
		;;
	tunnel)
		# A in the firewall tunnels to B (UDP), B relays to the server.
		ip netns exec "$NF" sysctl -qw net.ipv4.ip_forward=0
		ip netns exec "$NB" sysctl -qw net.ipv4.ip_forward=0
		cat >"$TMP/$MODE.conf" <<-EOF
		limit connections 40000
		limit connections per-address 40000
		limit calls $CPC
		limit calls per-address 32767
		proxy { listen on 192.0.2.1; server 203.0.113.2 tunnel }
		EOF
		cat >"$TMP/$MODE-b.conf" <<-EOF
		limit connections 40000
		limit connections per-address 40000
		limit calls $CPC
		limit calls per-address 32767
		proxy {
			listen on 203.0.113.2
			server 198.51.100.2
			tunnel accept from 203.0.113.1
		}
		EOF
		: >"$plog"
		: >"$LOGS/$RUN-$MODE-mem.txt"
		proxy_start "$LOGS/$RUN-$MODE.out"
		TARGET=192.0.2.1
		;;
	esac
	if ! listening; then
		log "$MODE: nothing listens on port 1723"
		if isproxy; then
			if [ -e "$plog" ]; then
				tail -n 20 "$LOGS/$RUN-$MODE.out" "$plog" >&2
			else
				tail -n 20 "$LOGS/$RUN-$MODE.out" >&2
			fi
			note "$(relay_name) ($MODE) run $RUN did not start: see" \
			    "$B/bench/logs/$RUN-$MODE.out"
		fi
		for f in $FIGS; do
			# the floor has the setup figures alone
			case $MODE-$f in
			floor-setup_*|floor-psetup_*) ;;
			floor-*) continue ;;
			esac
			rec "$f" fail
		done
		return
	fi
	sleep 0.5
	MEM_IDLE=$(mem_now "idle:")
	rec mem_idle "$MEM_IDLE"
	MODE_OK=1
}

# One figure (or the holds) in the current mode.
mode_step() {
	# The tunnel is measured for capacity and latency only.
	if [ "$MODE" = tunnel ]; then
		case $1 in
		hold|setup-*) return ;;
		esac
	fi
	# The floor, a bare TCP relay, for call setups only: GRE goes
	# nowhere through it.
	if [ "$MODE" = floor ]; then
		case $1 in
		setup-*) ;;
		*) return ;;
		esac
	fi
	# The original holds no calls: its select(2) takes descriptors
	# up to FD_SETSIZE (1024) only, and it carries one call a control
	# connection.
	[ "$MODE" = orig ] && [ "$1" = hold ] && return
	step=$1
	case $1 in
	hold)
		for n in $HOLD; do
			hold_begin "$n" 1 && t_hold "$n" 1
		done
		for n in $HOLD4; do
			hold_begin "$n" "$CPC" && t_hold "$n" "$CPC"
		done
		;;
	tput-*)
		set -- $(echo "$1" | tr '-' ' ')
		t_tput "$2" "$3"
		;;
	lat)	t_lat ;;
	setup-*-pinned)
		set -- $(echo "$1" | tr '-' ' ')
		t_setup "$2" pinned
		;;
	setup-*) t_setup "${1#setup-}" ;;
	esac
	case $MODE-$step in
	orig-tput-*|orig-lat) orig_restart "$step" ;;
	esac
}

mode_down() {
	if [ "$MODE_OK" = 1 ]; then
		sleep 1
		rec mem_after "$(mem_now "after:")"
	fi
	if [ -n "$PROXY_PID" ]; then
		if ! kill -0 "$PROXY_PID" 2>/dev/null; then
			note "$(relay_name) ($MODE) run $RUN exited during" \
			    "the run"
		fi
		proxy_stop
	fi
	kill_pid "$REFL_PID"
	cp "$REFL_STAT" "$LOGS/$RUN-$MODE-refl.stat" 2>/dev/null
	topo_down
}

# --- the table ---

report() {
	{
	echo "pptpproxy benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host: $(uname -sr), $(nproc) CPUs, $(awk '/MemTotal/{printf "%d MiB", $2/1024}' /proc/meminfo)"
	echo "runs: $R per mode (median shown), $D s per figure," \
	    "W=256 packets in flight in all"
	echo "load average before: $LOAD0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	awk -v hold="$HOLD" -v hold4="$HOLD4" -v cpc="$CPC" \
	    -v noproxy="$NOPROXY" -v origcol="$ORIGCOL" \
	    -v floorcol="$FLOORCOL" '
	function median(s,    a, n, i, j, t, num, yes, no, other) {
		n = split(s, a, " ")
		num = 0; yes = 0; no = 0; other = ""
		for (i = 1; i <= n; i++) {
			if (a[i] ~ /^-?[0-9.]+$/) v[++num] = a[i] + 0
			else if (a[i] == "yes") yes++
			else if (a[i] == "no") no++
			else other = a[i]
		}
		if (yes + no > 0)
			return no == 0 ? "yes" : (yes == 0 ? "no" : \
			    sprintf("no (%d of %d)", no, yes + no))
		if (num == 0) return other == "" ? "-" : other
		for (i = 2; i <= num; i++)
			for (j = i; j > 1 && v[j-1] > v[j]; j--) {
				t = v[j]; v[j] = v[j-1]; v[j-1] = t
			}
		if (num % 2) return v[(num + 1) / 2]
		return (v[num / 2] + v[num / 2 + 1]) / 2
	}
	# a / b to two places, or "-" (no figure, or memory)
	function rel(a, b, key) {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 <= 0 || \
		    key ~ /^(mem|held)/)
			return "-"
		return sprintf("%.2f", a / b)
	}
	function fmt(x, f) {
		if (x !~ /^-?[0-9.]+$/) return x
		return sprintf(f, x)
	}
	{ vals[$2, $3] = vals[$2, $3] " " $4 }
	END {
		n = 0
		row[++n] = "rt_1_64|GRE round trips/s, 1 call, 64 B|%.0f"
		row[++n] = "mbit_1_64|  Mbit/s (payload), 1 call, 64 B|%.1f"
		row[++n] = "loss_1_64|  loss %, 1 call, 64 B|%.3f"
		row[++n] = "rt_1_1400|GRE round trips/s, 1 call, 1400 B|%.0f"
		row[++n] = "mbit_1_1400|  Mbit/s (payload), 1 call, 1400 B|%.1f"
		row[++n] = "loss_1_1400|  loss %, 1 call, 1400 B|%.3f"
		row[++n] = "rt_64_64|GRE round trips/s, 64 calls, 64 B|%.0f"
		row[++n] = "mbit_64_64|  Mbit/s (payload), 64 calls, 64 B|%.1f"
		row[++n] = "loss_64_64|  loss %, 64 calls, 64 B|%.3f"
		row[++n] = "rt_64_1400|GRE round trips/s, 64 calls, 1400 B|%.0f"
		row[++n] = "mbit_64_1400|  Mbit/s (payload), 64 calls, 1400 B|%.1f"
		row[++n] = "loss_64_1400|  loss %, 64 calls, 1400 B|%.3f"
		row[++n] = "rtt_p50|RTT p50 us, 1 packet in flight|%.0f"
		row[++n] = "rtt_p99|RTT p99 us, 1 packet in flight|%.0f"
		row[++n] = "setup_1|call setups/s, serial|%.0f"
		row[++n] = "setup_16|call setups/s, 16 concurrent|%.0f"
		row[++n] = "sys_setup_1|  machine CPU us per setup, serial|%.0f"
		row[++n] = "cpu_setup_1|  pptpproxy CPU us per setup, serial|%.0f"
		row[++n] = "sys_setup_16|  machine CPU us per setup, 16 conc.|%.0f"
		row[++n] = "cpu_setup_16|  pptpproxy CPU us per setup, 16 conc.|%.0f"
		row[++n] = "psetup_1|call setups/s, serial, pinned [p]|%.0f"
		row[++n] = "pcpu_setup_1|  pptpproxy CPU us per setup, pinned|%.0f"
		row[++n] = "psetup_16|call setups/s, 16 conc., pinned [p]|%.0f"
		row[++n] = "pcpu_setup_16|  pptpproxy CPU us per setup, pinned|%.0f"
		row[++n] = "churn_1|no loss on a call after serial churn|%s"
		row[++n] = "churn_16|no loss on a call after 16-wide churn|%s"
		row[++n] = "cpu_pkt_64|pptpproxy GRE CPU us/forwarded pkt, 64 B|%.3f"
		row[++n] = "cpu_pkt_1400|pptpproxy GRE CPU us/forwarded pkt, 1400 B|%.3f"
		row[++n] = "proxy_cpu_64|pptpproxy GRE CPU % of a core, 64 calls 64 B|%.0f"
		row[++n] = "sys_rt_64|machine CPU us per round trip, 64 B|%.2f"
		row[++n] = "sys_rt_1400|machine CPU us per round trip, 1400 B|%.2f"
		row[++n] = "gen_cpu_64|bench_gen CPU % of a core, 64 calls 64 B|%.0f"
		row[++n] = "refl_cpu_64|bench_refl CPU % of a core, 64 calls 64 B|%.0f"
		row[++n] = "mem_idle|memory idle|%.0f"
		nh = split(hold, H, " ")
		for (i = 1; i <= nh; i++) {
			row[++n] = "mem_1_" H[i] "|memory with " H[i] " calls, 1 a connection|%.0f"
			row[++n] = "mem_per_1_" H[i] "|  memory per call, 1 call/connection|%.2f"
			row[++n] = "held_1_" H[i] "|  of " H[i] " calls, passing data|%.0f"
		}
		nh = split(hold4, H, " ")
		for (i = 1; i <= nh; i++) {
			row[++n] = "mem_" cpc "_" H[i] "|memory with " H[i] " calls, " cpc " a connection|%.0f"
			row[++n] = "mem_per_" cpc "_" H[i] "|  memory per call, " cpc " calls/connection|%.2f"
			row[++n] = "held_" cpc "_" H[i] "|  of " H[i] " calls, passing data|%.0f"
		}
		row[++n] = "mem_after|memory idle after the tests|%.0f"
		printf "%-44s %12s %14s %14s %9s %14s %9s %14s %9s", \
		    "figure", "routing", "kernel NAT", "pptpproxy", \
		    "proxy/NAT", "gre offload", "offl/NAT", "tunnel A->B", \
		    "tun/proxy"
		if (floorcol)
			printf " %12s %9s %11s", "bare relay", "floor/NAT", \
			    "proxy/floor"
		if (origcol)
			printf " %14s %9s %10s", "original", "orig/NAT", \
			    "proxy/orig"
		printf "\n"
		for (i = 1; i <= n; i++) {
			split(row[i], f, "|")
			key = f[1]
			r = median(vals["route", key])
			k = median(vals["nat", key])
			p = median(vals["proxy", key])
			o = median(vals["offload", key])
			tu = median(vals["tunnel", key])
			og = median(vals["orig", key])
			fl = median(vals["floor", key])
			if (noproxy != "" && vals["proxy", key] == "")
				p = noproxy
			if (noproxy != "" && vals["offload", key] == "")
				o = noproxy
			ratio = rel(p, k, key)
			oratio = rel(o, k, key)
			tratio = rel(tu, p, key)
			gratio = rel(og, k, key)
			pgratio = rel(p, og, key)
			fratio = rel(fl, k, key)
			pfratio = rel(p, fl, key)
			r = fmt(r, f[3]); k = fmt(k, f[3]); p = fmt(p, f[3])
			o = fmt(o, f[3]); tu = fmt(tu, f[3]); og = fmt(og, f[3])
			fl = fmt(fl, f[3])
			if (key ~ /^mem/) {
				r = "-"
				if (k ~ /^[0-9]/) k = k " ct"
				if (p ~ /^[0-9]/) p = p " kB"
				if (o ~ /^[0-9]/) o = o " kB"
				if (tu ~ /^[0-9]/) tu = tu " kB"
				if (og ~ /^[0-9]/) og = og " kB"
			}
			if (key ~ /^(cpu_pkt|proxy_cpu|cpu_setup|pcpu_setup)/) {
				r = "-"; k = "(in kernel)"
			}
			printf "%-44s %12s %14s %14s %9s %14s %9s %14s %9s", \
			    f[2], r, k, p, ratio, o, oratio, tu, tratio
			if (floorcol)
				printf " %12s %9s %11s", fl, fratio, pfratio
			if (origcol)
				printf " %14s %9s %10s", og, gratio, pgratio
			printf "\n"
		}
	}' "$RAW"
	echo
	echo "memory: pptpproxy = sum of VmRSS of its processes (kB);" \
	    "kernel NAT = nf_conntrack entries (ct) in the firewall namespace;" \
	    "with gre offload the kernel's set elements (four a Call ID)" \
	    "are not in the figure."
	echo "gre offload: the kernel forwards established calls' GRE; the" \
	    "CPU figure is the GRE forwarder's, which sees only the packets" \
	    "before a call's elements are in."
	echo "tunnel A->B: two pptpproxies, A in the firewall and B in a" \
	    "namespace between it and the server, each call's GRE in UDP" \
	    "between them; its pptpproxy figures (memory, GRE CPU) add A's" \
	    "and B's; call setups and held calls are not measured there."
	if [ -n "$FLOORCOL" ]; then
		echo "bare relay: bench_floor $FLOOR_FLAGS, a TCP relay that" \
		    "parses and rewrites nothing (see regress/bench/README," \
		    "\"The floor\"), in pptpproxy's place; call setups only" \
		    "(no GRE goes through it, so no check call after the" \
		    "churn: \"-\"); its CPU figures are on the pptpproxy" \
		    "rows; floor/NAT is about as high as proxy/NAT can get" \
		    "for any relay that terminates both TCP connections in" \
		    "user space on this machine (within the noise of the" \
		    "rates); proxy/floor = pptpproxy's figure divided by the" \
		    "bare relay's."
	fi
	if [ -n "$ORIGCOL" ]; then
		echo "original: the original pptpproxy 2.9 ($ORIGINAL; one" \
		    "process, a select(2) loop relaying TCP and a thread for" \
		    "GRE), started as -n -l LOG -p ... and afresh after each" \
		    "figure; no holds (its select(2) takes descriptors below" \
		    "1024 only, one call a connection); its CPU figures add" \
		    "its threads; proxy/orig = pptpproxy's figure divided by" \
		    "the original's."
	fi
	if [ "$RELAYS" != 1 ] || [ -n "$SETUP_SRC" ] || [ -n "$GRE_SRC" ]; then
		echo "pptpproxy with relays $RELAYS; call setups from" \
		    "${BENCH_SETUP_SOURCES:-1}, GRE figures from" \
		    "${BENCH_GRE_SOURCES:-1} client address(es)" \
		    "(BENCH_RELAYS, BENCH_SETUP_SOURCES, BENCH_GRE_SOURCES)."
	fi
	echo "machine CPU = all non-idle CPU time of the host (generator," \
	    "reflector, proxy and the kernel) per round trip or setup."
	echo "[p] pinned: bench_gen and bench_refl on CPU 0, pptpproxy's" \
	    "processes (or the original, or the bare relay) on CPU 1" \
	    "(taskset); the kernel NAT's work runs on" \
	    "CPU 0 with the tools, as it happens in their system calls."
	if [ -n "$NOTES" ]; then
		echo "notes:$NOTES"
	fi
	} >"$RES"
	cat "$RES"
}

# --- main ---

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, raw sockets)"
for t in "$GEN" "$REFL"; do
	[ -x "$t" ] || die "$t missing: make tools"
done
for c in ip iptables conntrack timeout ss pgrep; do
	command -v $c >/dev/null 2>&1 || die "$c missing (regress/deps.sh)"
done
mkdir -p "$OUT" "$LOGS" || exit 1
TMP=$(mktemp -d) || exit 1
chmod 755 "$TMP"
: >"$RAW"
# Held calls need descriptors: one a control connection in bench_gen and
# bench_refl, two in pptpproxy.  Without CAP_SYS_RESOURCE the hard limit
# cannot be raised: then hold no more calls than fit.
ulimit -n 1048576 2>/dev/null || ulimit -n 200000 2>/dev/null ||
    ulimit -n "$(ulimit -H -n)" 2>/dev/null
nofile=$(ulimit -n)

# FIT: the holds of list $1 at $2 calls a connection that fit the
# descriptors (a function, not $(...), so that its notes stay).
fit_holds() {
	FIT=$1
	[ "$nofile" = unlimited ] && return
	maxconns=$(( (nofile - 200) / 2 ))
	maxcalls=$(( maxconns * $2 / 100 * 100 ))
	FIT=
	for n in $1; do
		if [ "$n" -gt "$maxcalls" ]; then
			note "RLIMIT_NOFILE is $nofile and cannot be raised" \
			    "here: $n calls at $2 a connection held as" \
			    "$maxcalls (pptpproxy needs two descriptors a" \
			    "control connection)"
			n=$maxcalls
		fi
		case " $FIT " in
		*" $n "*) ;;
		*) FIT="${FIT:+$FIT }$n" ;;
		esac
	done
}
fit_holds "$HOLD" 1
HOLD=$FIT
fit_holds "$HOLD4" "$CPC"
HOLD4=$FIT

FIGS="rt_1_64 mbit_1_64 loss_1_64 rt_1_1400 mbit_1_1400 loss_1_1400
rt_64_64 mbit_64_64 loss_64_64 rt_64_1400 mbit_64_1400 loss_64_1400
rtt_p50 rtt_p99 setup_1 setup_16 churn_1 churn_16 mem_idle mem_after"
for n in $HOLD; do
	FIGS="$FIGS mem_1_$n held_1_$n"
done
for n in $HOLD4; do
	FIGS="$FIGS mem_${CPC}_$n held_${CPC}_$n"
done

NOPROXY=
if [ ! -x "$PROXY" ]; then
	NOPROXY="n/a (no $B/pptpproxy)"
	MODES=$(echo " $MODES " | sed 's/ proxy / /; s/ offload / /; s/ tunnel / /')
	log "no $B/pptpproxy: measuring routing and kernel NAT only"
fi

# The original pptpproxy 2.9, when BENCH_ORIGINAL names a binary of it.
ORIGCOL=
if echo " $MODES " | grep -q " orig "; then
	if [ -z "$ORIGINAL" ] || [ ! -x "$ORIGINAL" ]; then
		log "orig: BENCH_ORIGINAL names no executable: not measured"
		note "the original not measured: BENCH_ORIGINAL" \
		    "(\"$ORIGINAL\") is not an executable"
		MODES=$(echo " $MODES " | sed 's/ orig / /')
	else
		ORIGCOL=1
		ORIGINAL=$(cd "$(dirname "$ORIGINAL")" && pwd)/$(basename \
		    "$ORIGINAL")
	fi
fi

# The floor, a bare TCP relay (make tools builds it).
FLOORCOL=
if echo " $MODES " | grep -q " floor "; then
	if [ ! -x "$FLOOR" ]; then
		log "floor: no $B/tools/bench_floor (make tools): not measured"
		note "the bare relay not measured: no $B/tools/bench_floor" \
		    "(make tools)"
		MODES=$(echo " $MODES " | sed 's/ floor / /')
	else
		FLOORCOL=1
	fi
fi

if echo " $MODES " | grep -q " offload " &&
    ! command -v nft >/dev/null 2>&1; then
	log "no nft(8): gre offload not measured"
	note "gre offload not measured: nft(8) is not installed (nftables)"
	MODES=$(echo " $MODES " | sed 's/ offload / /')
fi

# The kernel's PPTP helper: built in or a module?
probe=pb$$-probe
if ip netns add "$probe"; then
	NSLIST="$NSLIST $probe"
	if ! ip netns exec "$probe" iptables -t raw -A PREROUTING -p tcp \
	    --dport 1723 -j CT --helper pptp 2>/dev/null; then
		log "the kernel has no pptp conntrack helper: no kernel NAT"
		note "kernel NAT not measured: no pptp conntrack helper" \
		    "(nf_conntrack_pptp) in this kernel"
		MODES=$(echo " $MODES " | sed 's/ nat / /')
	fi
	ip netns del "$probe"
	NSLIST=$(echo " $NSLIST " | sed "s/ $probe / /")
fi

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$(echo "$LOAD0" | awk '{ print ($1 > 0.5) }')" = 1 ]; then
	log "load average is $LOAD0: something else is running; the figures" \
	    "will show it"
	note "load average $LOAD0 at the start: other work shared the CPUs"
fi
start=$(date +%s)
STEPS=${BENCH_STEPS:-hold tput-1-64 tput-1-1400 tput-64-64 tput-64-1400 lat
    setup-1 setup-16 setup-1-pinned setup-16-pinned}
RUN=1
ORDER=$MODES
while [ "$RUN" -le "$R" ]; do
	log "run $RUN of $R: $(echo $ORDER)"
	for md in $ORDER; do
		mode_up "$md"
		mode_save
	done
	# Figure by figure, each mode in turn: the machine's speed drifts
	# over minutes, so the modes are measured close together.
	for st in $STEPS; do
		for md in $ORDER; do
			mode_use "$md"
			[ "$MODE_OK" = 1 ] && mode_step "$st"
			mode_save
		done
	done
	for md in $ORDER; do
		mode_use "$md"
		mode_down
		mode_save
	done
	# The next run starts with the next mode.
	ORDER="$(echo $ORDER | cut -s -d' ' -f2-) $(echo $ORDER |
	    cut -d' ' -f1)"
	RUN=$((RUN + 1))
done
log "done in $(( $(date +%s) - start )) s"
report
