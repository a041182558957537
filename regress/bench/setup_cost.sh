#!/bin/sh
# Where a call setup's cost goes, per pptpproxy process (root): one
# pptpproxy between bench_gen -m setup and bench_refl in three network
# namespaces, as in bench.sh; for each process (parent, control, gre)
# the voluntary and involuntary context switches and the CPU time
# (/proc/PID/task/*/schedstat, all of a process's threads) per setup,
# and with -s the system calls by kind per setup (strace -c -f on each
# process, all its threads; tracing slows everything, so the rates and
# times of a traced run mean little, the counts are exact).
#
#	sh regress/bench/setup_cost.sh [-OsP] [-o] [-F] [-f flags]
#	    [-R relays] [-S sources] [-C concurrency] [-d seconds] [pptpproxy]
#
# -o: gre offload yes.  -O: the binary is not ours but the original
# pptpproxy 2.9 (one process, two threads; no -s control socket, no -f
# configuration file, no limits): started as "binary -n -l log -p ...".
# -F: the floor instead of pptpproxy: build/tools/bench_floor, a bare TCP
# relay parsing nothing (one process, "floor" in the table), started in
# the firewall namespace on the same addresses, with the flags -f gives
# (default "-D": deferred accept, the client's first bytes read at accept;
# both connections closed when the server closes after its Stop reply, as
# pptpproxy's relay waits for the server's FIN; -f "" for none, -c 352 to
# close once the four replies have gone to the client).  Its
# CPU a setup is what terminating the two TCP connections of a setup in
# user space costs at the least; see regress/bench/README.  Through it
# GRE goes nowhere, so bench_gen's check call after the setups fails
# (verify_ok=no, about 2 s of retries), which changes no figure.
# -P: pinned, bench_gen and bench_refl on CPU 0 and the relay's processes
# on CPU 1 (taskset; as bench.sh's [p] figures), so that the tools
# neither preempt the relay nor take its CPU.
# -R: "relays N" in pptpproxy's configuration (several control relays,
# each client address's connections handed to one of them).  -S: the
# client connects from that many addresses (192.0.2.10 and up, at most
# 16; default 1), the connections of one slot of -C from one of them,
# so that the relays have different clients to take.
# Default: build/pptpproxy, 1 at a time, 3 s, not pinned, one relay, one
# client address.
# Also printed: the firewall namespace's TCP segments a setup, in, out,
# retransmitted and resets (/proc/net/snmp), the same for every relay
# that makes the same exchange.
set -u
umask 022
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/regress/bench/setup_lab.sh"
B=${B:-build}
TOOLS=$top/$B/tools
TRACE=0 OFFL=no C=1 D=3 ORIG=0 PIN=0 FLOOR=0 FFLAGS="-D" RELAYS=1 NSRC=1
while getopts OsPoFf:C:d:R:S: o; do
	case $o in
	O) ORIG=1 ;;
	s) TRACE=1 ;;
	P) PIN=1 ;;
	o) OFFL=yes ;;
	F) FLOOR=1 ;;
	f) FFLAGS=$OPTARG ;;
	C) C=$OPTARG ;;
	d) D=$OPTARG ;;
	R) RELAYS=$OPTARG ;;
	S) NSRC=$OPTARG ;;
	*) echo "usage: setup_cost.sh [-OsP] [-o] [-F] [-f flags] [-R n]" \
	       "[-S n] [-C n] [-d s] [pptpproxy]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
PROXY=${1:-$top/$B/pptpproxy}
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
[ $ORIG = 1 ] && [ $OFFL = yes ] &&
    { echo "-o: the original has no gre offload" >&2; exit 2; }
[ $ORIG = 1 ] && [ $FLOOR = 1 ] &&
    { echo "-O and -F: one or the other" >&2; exit 2; }
[ $PIN = 0 ] || command -v taskset >/dev/null ||
    { echo "-P needs taskset" >&2; exit 1; }
T0=
[ $PIN = 1 ] && T0="taskset -c 0"
[ $TRACE = 0 ] || command -v strace >/dev/null ||
    { echo "-s needs strace" >&2; exit 1; }
P=ps$$
NC=${P}c NF=${P}f NS=${P}s
W=$(mktemp -d) || exit 1
chmod 755 "$W"
PP= RP= STR=
cleanup() {
	for p in $STR; do kill -INT "$p" 2>/dev/null; done
	[ -n "$PP" ] && kill -TERM "$PP" 2>/dev/null
	[ -n "$RP" ] && kill -TERM "$RP" 2>/dev/null
	sleep 0.5
	for n in $NC $NF $NS; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
setup_lab $NC $NF $NS
SRCS=""
i=0
while [ $i -lt "$NSRC" ]; do
	ip -n $NC addr add 192.0.2.$((10 + i))/24 dev c0
	SRCS="$SRCS${SRCS:+,}192.0.2.$((10 + i))"
	i=$((i + 1))
done
ip -n $NF addr add 192.0.2.1/24 dev f0
ip -n $NC route add default via 192.0.2.1
[ $OFFL = yes ] && ip netns exec $NF sysctl -qw net.ipv4.ip_forward=1
printf 'limit connections 40000\nlimit connections per-address 40000\n' \
    >"$W/conf"
printf 'limit calls 4\ngre offload %s\nrelays %s\n' $OFFL $RELAYS >>"$W/conf"
ip netns exec $NS $T0 "$TOOLS/bench_refl" -S "$W/refl.stat" >"$W/refl.log" 2>&1 &
RP=$!
if [ $FLOOR = 1 ]; then
	# shellcheck disable=SC2086	# the flags are words
	ip netns exec $NF "$TOOLS/bench_floor" $FFLAGS 192.0.2.1:1723 \
	    198.51.100.2:1723 >"$W/proxy.out" 2>&1 &
elif [ $ORIG = 1 ]; then
	# No control socket, no configuration file and no limits; -n: in
	# the foreground (it logs a line at each connection's start and end)
	ip netns exec $NF "$PROXY" -n -l "$W/proxy.log" \
	    -p 192.0.2.1:1723,198.51.100.2:1723 >"$W/proxy.out" 2>&1 &
else
	ip netns exec $NF "$PROXY" -n -l "$W/proxy.log" \
	    -s "$W/pptpproxy.sock" -f "$W/conf" \
	    -p 192.0.2.1:1723,198.51.100.2:1723 >"$W/proxy.out" 2>&1 &
fi
PP=$!
i=0
while ! ip netns exec $NF ss -ltnH 'sport = :1723' | grep -q . &&
    [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
kill -0 $PP 2>/dev/null ||
    { echo "$PROXY did not start:" >&2; cat "$W/proxy.out" >&2; exit 1; }
PIDS="$PP $(pgrep -P $PP | tr '\n' ' ')"
if [ $PIN = 1 ]; then
	for p in $PIDS; do
		taskset -a -p -c 1 "$p" >/dev/null || exit 1
	done
fi
title() {
	if [ $ORIG = 1 ]; then
		echo "orig"
		return
	fi
	if [ $FLOOR = 1 ]; then
		echo "floor"
		return
	fi
	tr '\0' ' ' <"/proc/$1/cmdline" | sed 's/^pptpproxy: //; s/ *\.* *$//'
}
# each process: wake-ups, preemptions and time on a CPU (ns), summed over
# its threads (ours have one each, the original two)
snap() {
	for p in $PIDS; do
		echo "$p $(cat /proc/$p/task/*/status | awk '
		    /^voluntary_ctxt/ { v += $2 }
		    /^nonvoluntary_ctxt/ { n += $2 } END { print v, n }') $(
		    cut -d' ' -f1 /proc/$p/task/*/schedstat |
		    awk '{ t += $1 } END { printf "%.0f", t }') $(
		    ls /proc/$p/task | wc -l)"
	done
}
if [ $TRACE = 1 ]; then
	for p in $PIDS; do
		strace -f -c -q -o "$W/strace.$p" -p "$p" &
		STR="$STR $!"
	done
	sleep 1
fi
# the firewall's TCP InSegs, OutSegs, RetransSegs and OutRsts
segs() {
	ip netns exec $NF awk '/^Tcp:/ && $2 ~ /^[0-9]/ {
	    print $11, $12, $13, $15 }' /proc/net/snmp
}
segs >"$W/g0"
snap >"$W/s0"
SOPT=""
[ "$NSRC" -gt 1 ] && SOPT="-s $SRCS"
# shellcheck disable=SC2086	# SOPT is words
line=$(ip netns exec $NC $T0 "$TOOLS/bench_gen" -m setup -c 192.0.2.1 -C "$C" \
    -d "$D" -v 100 -W 0.5 $SOPT)
snap >"$W/s1"
segs >"$W/g1"
if [ $TRACE = 1 ]; then
	for p in $STR; do kill -INT "$p"; done
	wait $STR 2>/dev/null
	STR=
fi
n=$(echo "$line" | tr ' ' '\n' | sed -n 's/^setups=//p')
[ -n "$n" ] && [ "$n" -gt 0 ] || { echo "no setups: $line" >&2; exit 1; }
echo "$n setups, $(echo "$line" | tr ' ' '\n' |
    sed -n 's/^setups_per_s=//p')/s, $C at a time$([ $TRACE = 1 ] &&
    echo ', traced')$([ $PIN = 1 ] && echo ', pinned')$([ "$RELAYS" != 1 ] &&
    echo ", relays $RELAYS")$([ "$NSRC" != 1 ] &&
    echo ", $NSRC client addresses")$([ $FLOOR = 1 ] &&
    echo ", floor relay $FFLAGS")"
printf "%-8s %8s %12s %12s %12s\n" process threads "wake-ups" "preempted" \
    "CPU us"
join "$W/s0" "$W/s1" | awk -v n="$n" -v names="$(for p in $PIDS; do
    echo "$p=$(title $p)"; done | tr ' \n' '_ ')" '
    BEGIN { k = split(names, a, " ")
	for (i = 1; i <= k; i++) { split(a[i], b, "="); nm[b[1]] = b[2] } }
    { v = ($6 - $2) / n; w = ($7 - $3) / n; t = ($8 - $4) / 1e3 / n
	printf "%-8s %8d %12.2f %12.2f %12.1f\n", nm[$1], $9, v, w, t
	sv += v; sw += w; st += t }
    END { printf "%-8s %8s %12.2f %12.2f %12.1f\n", "all", "", sv, sw, st }'
echo "(per setup: voluntary and involuntary context switches, time on a CPU;"
echo " each process's threads summed)"
paste "$W/g0" "$W/g1" | awk -v n="$n" '{
    printf "firewall TCP segments per setup: %.1f in, %.1f out, ",
	($5 - $1) / n, ($6 - $2) / n
    printf "%.2f retransmitted, %.2f resets\n", ($7 - $3) / n, ($8 - $4) / n }'
[ $TRACE = 1 ] || exit 0
for p in $PIDS; do
	echo "system calls per setup, $(title $p):"
	# strace -c: % time, seconds, usecs/call, calls, [errors,] syscall
	awk -v n="$n" '$1 ~ /^[0-9.]+$/ && $NF != "total" {
	    printf "  %-16s %7.2f\n", $NF, $4 / n }' "$W/strace.$p" |
	    sort -k2 -nr
done
