#!/bin/sh
# Call setups through two or more relays, side by side, in short turns
# (root).  setup_cost.sh and bench.sh start each relay afresh in new
# namespaces, seconds apart; on a virtual machine whose speed drifts by a
# third within a minute, the drift then swamps a difference of a few
# percent.  Here every relay runs at once in one firewall namespace, each
# on an address of its own (192.0.2.1, .2, ...), all towards the same
# bench_refl, and bench_gen makes setups through one after the other for
# -d seconds each (default 1), the order turning by one each round, for
# -r rounds (default 20).  Each round's rates are compared with the first
# relay's of that round, taken a second or two apart; the medians of
# those ratios say more than any one round.
#
#	sh regress/bench/setup_ab.sh [-P] [-r rounds] [-d seconds] [-C n]
#	    name=kind[:arg] ...
#
# kind is one of
#   pptpproxy[:binary]   ours (default build/pptpproxy), with setup_cost.sh's
#                        configuration (limits raised, limit calls 4)
#   offload[:binary]     the same with gre offload yes
#   orig:binary          the original pptpproxy 2.9 (see README)
#   floor[:flags]        build/tools/bench_floor with those flags (none
#                        after "floor:"; "floor" alone: -D), the bare TCP
#                        relay
# -P pins bench_gen and bench_refl to CPU 0 and the relays to CPU 1, as
# setup_cost.sh -P does.
# e.g.  sh regress/bench/setup_ab.sh ours=pptpproxy orig=orig:/x/pptpproxy
#
# Each round prints every relay's setups/s, its ratio to the first relay's
# and the mean time of each exchange of a setup as bench_gen's client saw
# it (us: connect to the Start request sent, Start request to its reply,
# Outgoing-Call, Call-Clear to Call-Disconnect-Notify, Stop, and the
# client's own turn from one setup's end to the next connect).  The last
# lines give, for every relay after the first, the median ratio and its
# range, the rounds it was faster in, and the median of each exchange.
set -u
umask 022
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/regress/bench/setup_lab.sh"
B=${B:-build}
TOOLS=$top/$B/tools
R=20 D=1 C=1 PIN=0
while getopts r:d:C:P o; do
	case $o in
	P) PIN=1 ;;
	r) R=$OPTARG ;;
	d) D=$OPTARG ;;
	C) C=$OPTARG ;;
	*) echo "usage: setup_ab.sh [-P] [-r rounds] [-d seconds] [-C n]" \
	       "name=kind[:arg] ..." >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { echo "setup_ab.sh: two relays or more" >&2; exit 2; }
[ $# -le 8 ] || { echo "setup_ab.sh: eight relays at most" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
T0=
if [ $PIN = 1 ]; then
	command -v taskset >/dev/null || { echo "-P needs taskset" >&2; exit 1; }
	T0="taskset -c 0"
fi
if ! [ -x "$TOOLS/bench_gen" ] || ! [ -x "$TOOLS/bench_refl" ]; then
	echo "setup_ab.sh: make tools first" >&2
	exit 1
fi
P=ab$$
NC=${P}c NF=${P}f NS=${P}s
W=$(mktemp -d) || exit 1
chmod 755 "$W"
PIDS=
cleanup() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.5
	for n in $NC $NF $NS; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
setup_lab $NC $NF $NS
ip -n $NC addr add 192.0.2.10/24 dev c0
# shellcheck disable=SC2086	# T0 is words or nothing
ip netns exec $NS $T0 "$TOOLS/bench_refl" >"$W/refl.log" 2>&1 &
PIDS=$!
i=0
for v in "$@"; do
	i=$((i + 1))
	name=${v%%=*}
	spec=${v#*=}
	kind=${spec%%:*}
	arg="" hasarg=0
	[ "$kind" = "$spec" ] || { arg=${spec#*:}; hasarg=1; }
	a=192.0.2.$i
	ip -n $NF addr add $a/24 dev f0
	echo "$name" >"$W/name.$i"
	case $kind in
	pptpproxy|offload)
		o=no
		[ "$kind" = offload ] && o=yes
		printf '%s\n%s\n%s\ngre offload %s\n' \
		    'limit connections 40000' \
		    'limit connections per-address 40000' \
		    'limit calls 4' $o >"$W/conf.$i"
		[ $o = yes ] && ip netns exec $NF sysctl -qw net.ipv4.ip_forward=1
		ip netns exec $NF "${arg:-$top/$B/pptpproxy}" -n \
		    -l "$W/log.$i" -s "$W/sock.$i" -f "$W/conf.$i" \
		    -p $a:1723,198.51.100.2:1723 >"$W/out.$i" 2>&1 &
		;;
	orig)
		[ -n "$arg" ] || { echo "orig: which binary?" >&2; exit 2; }
		ip netns exec $NF "$arg" -n -l "$W/log.$i" \
		    -p $a:1723,198.51.100.2:1723 >"$W/out.$i" 2>&1 &
		;;
	floor)
		# shellcheck disable=SC2086	# the flags are words
		[ $hasarg = 1 ] || arg=-D
		# shellcheck disable=SC2086	# the flags are words
		ip netns exec $NF "$TOOLS/bench_floor" $arg \
		    $a:1723 198.51.100.2:1723 >"$W/out.$i" 2>&1 &
		;;
	*)
		echo "setup_ab.sh: $v: no such kind" >&2
		exit 2 ;;
	esac
	PIDS="$PIDS $!"
	echo $! >"$W/pid.$i"
	n=0
	while ! ip netns exec $NF ss -ltnH "src $a:1723" | grep -q . &&
	    [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	ip netns exec $NF ss -ltnH "src $a:1723" | grep -q . ||
	    { echo "$name did not start:" >&2; cat "$W/out.$i" >&2; exit 1; }
done
ip -n $NC route add default via 192.0.2.1
NV=$#
sleep 0.5
if [ $PIN = 1 ]; then
	i=1
	while [ $i -le $NV ]; do
		p=$(cat "$W/pid.$i")
		for c in $p $(pgrep -P "$p"); do
			taskset -a -p -c 1 "$c" >/dev/null || exit 1
		done
		i=$((i + 1))
	done
fi
# relay $1's time on a CPU so far (ns), all its processes and threads
cpu_ns() {
	p=$(cat "$W/pid.$1")
	for c in "$p" $(pgrep -P "$p"); do
		cat /proc/"$c"/task/*/schedstat
	done 2>/dev/null | awk '{ t += $1 } END { printf "%.0f", t }'
}
# one run of bench_gen through relay $1: "rate cpu-us-a-setup ph..." or
# nothing
run() {
	c0=$(cpu_ns "$1")
	# shellcheck disable=SC2086	# T0 is words or nothing
	out=$(ip netns exec $NC $T0 "$TOOLS/bench_gen" -m setup -c 192.0.2.$1 \
	    -C "$C" -d "$D" -v 0)
	c1=$(cpu_ns "$1")
	echo "$out" | tr ' ' '\n' | awk -F= -v c="$((c1 - c0))" '
	    $1 == "setups" { n = $2 }
	    $1 == "setups_per_s" { r = $2 }
	    $1 ~ /^ph_/ { p = p " " $2 }
	    END { if (r != "" && n > 0)
		printf "%s %.1f%s\n", r, c / 1000 / n, p }'
}
printf "%-5s" round
i=1
while [ $i -le $NV ]; do
	printf " %-12s" "$(cat "$W/name.$i")"
	i=$((i + 1))
done
echo
k=0
while [ $k -lt "$R" ]; do
	j=0
	while [ $j -lt $NV ]; do
		i=$(( (k + j) % NV + 1 ))
		run $i >"$W/r.$k.$i"
		j=$((j + 1))
	done
	printf "%-5d" $k
	i=1
	while [ $i -le $NV ]; do
		printf " %-12s" "$(cut -d' ' -f1 "$W/r.$k.$i")"
		i=$((i + 1))
	done
	echo
	k=$((k + 1))
done
# medians: ratio to relay 1 round by round, and each exchange's time
med() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'; }
echo "ratio to $(cat "$W/name.1"), median (range), rounds faster;" \
    "medians of CPU us a setup (the relay's processes) and exchange" \
    "times (us: connect start ocall clear stop turn)"
i=1
while [ $i -le $NV ]; do
	k=0
	: >"$W/ratio.$i"
	while [ $k -lt "$R" ]; do
		a=$(cut -d' ' -f1 "$W/r.$k.1")
		b=$(cut -d' ' -f1 "$W/r.$k.$i")
		[ -n "$a" ] && [ -n "$b" ] &&
		    awk -v a="$a" -v b="$b" 'BEGIN { print b / a }' >>"$W/ratio.$i"
		k=$((k + 1))
	done
	# shellcheck disable=SC2046	# three numbers
	set -- $(med <"$W/ratio.$i")
	up=$(awk '$1 > 1' "$W/ratio.$i" | wc -l)
	ph=
	f=2
	while [ $f -le 8 ]; do
		ph="$ph $(cat "$W"/r.*."$i" | cut -d' ' -f$f | med | cut -d' ' -f1)"
		f=$((f + 1))
	done
	printf "%-12s %s (%s-%s) faster %d of %d; %s\n" \
	    "$(cat "$W/name.$i")" "$1" "$2" "$3" "$up" "$(wc -l <"$W/ratio.$i")" \
	    "$ph"
	i=$((i + 1))
done
