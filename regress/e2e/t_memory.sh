#!/bin/sh
# Memory after a burst: 3,000 control connections with four calls each
# (the benchmark's load generator against its reflecting server, on port
# 1724) raise the control relay's resident memory; once they have ended,
# most of it has gone back to the system (sessions and calls live in
# chunks of their own, src/slab.c; in malloc's heap they interleave with
# libevent's per-descriptor entries and stay).  The GRE forwarder's answers
# for the 24,000 routes deleted leave it no bigger than while the calls
# were up (it trims its heap after such a burst; its route table, the same
# size for any number of calls, stays).  The route table the two share
# (src/rtable.h) is shared memory of a fixed size: the pages calls wrote
# stay, counted apart (RssShmem) and no larger than the table.  Then a
# real call, pptp-linux to pptpd on port 1723 through the same daemon,
# still echoes.
. "$(dirname "$0")/lib.sh"
N=3000
K=4
bench_need $N
lab_topology 1
lab_pptpd
bench_refl_start
printf 'limit connections %d\nlimit connections per-address %d\nlimit calls %d\n' \
    $((N + 100)) $((N + 100)) $K >"$TMP/p.conf"
lab_proxy fw -f "$TMP/p.conf" -p 192.0.2.1:1724,198.51.100.2:1724 \
    -p 192.0.2.1:1723,198.51.100.2:1723
ctl=$(proxy_child control) || fail "no control relay"
gre=$(proxy_child gre) || fail "no GRE forwarder"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# The relay's own memory: resident, less the shared route table's pages.
own() {
	awk '/^VmRSS:/ { r = $2 } /^RssShmem:/ { s = $2 }
	    END { print r - s }' "/proc/$1/status"
}
shm() { awk '/^RssShmem:/ { print $2 }' "/proc/$1/status"; }
r0=$(own "$ctl")

bench_hold $((N * K)) -K $K
r1=$(own "$ctl")
g1=$(rss "$gre")
kill -TERM "$GEN_PID"
lab_wait_count "ended after" $N 30
ended=$(log_count "ended after")
[ "$ended" -ge $N ] || fail "only $ended of $N sessions ended"
# Both give freed heap back a second or two after a burst has ended.
sleep 4
r2=$(own "$ctl")
g2=$(rss "$gre")
t2=$(shm "$ctl")
echo "control relay resident memory (its own): idle $r0 kB, $N connections $r1 kB, after $r2 kB"
echo "route table pages the relay wrote: $t2 kB"
echo "GRE forwarder: $((N * K)) calls $g1 kB, after $g2 kB"
[ $((r1 - r0)) -ge 1000 ] ||
    fail "$N connections took only $((r1 - r0)) kB: this test cannot tell"
[ $((r2 - r0)) -le $(((r1 - r0) / 3)) ] ||
    fail "after the calls ended $((r2 - r0)) of their $((r1 - r0)) kB stay resident"
[ "$g2" -le $((g1 + 512)) ] ||
    fail "the GRE forwarder grew from $g1 to $g2 kB after the calls ended"
# 65536 sequence words (4 bytes), routes (48) and counts (32).
[ "${t2:-0}" -le $((65536 * 84 / 1024)) ] ||
    fail "the relay holds $t2 kB of shared memory, more than the route table"

lab_drive c1 -n 20 -t 20 192.0.2.1 >"$TMP/drive.out" 2>&1 ||
    { cat "$TMP/drive.out"; fail "a real call after the burst"; }
cat "$TMP/drive.out"
exit 0
