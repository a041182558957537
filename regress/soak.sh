#!/bin/sh
# make soak: for SOAK_SECONDS (default 600), clients keep connecting, setting
# up a call, passing a little GRE and leaving (16 at a time, the project's
# PPTP load generator and reflecting server); every 30 s the descriptors
# and resident memory of pptpproxy's processes are sampled.  Fails if
# either keeps growing, or if setups failed.
E2E=$(cd "$(dirname "$0")/e2e" && pwd)
. "$E2E/lib.sh"
secs=${SOAK_SECONDS:-600}
GEN=$TOP/build/tools/bench_gen
REFL=$TOP/build/tools/bench_refl
[ -x "$GEN" ] && [ -x "$REFL" ] || skip "build the tools first (make tools)"
lab_topology 2
# Tens of thousands of connections a minute: let the client and the proxy
# reuse ports in TIME_WAIT (see CAVEATS in pptpproxy(8)), or the soak
# measures running out of ports, not the proxy.
for n in c1 fw; do
	nsx $n sysctl -qw net.ipv4.tcp_tw_reuse=1 \
	    net.ipv4.ip_local_port_range="1024 65535" || fail "sysctl in $n"
done
lab_bg s "$REFL" -l 198.51.100.2
lab_wait_port s 1723 || fail "reflector"
printf 'log level info\nlimit connections per-address 1000\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n' > "$TMP/c.conf"
lab_bg fw "$PPTPPROXY" -n -l "$PLOG" -s "$CTLSOCK" -f "$TMP/c.conf"
PROXY_PID=$LAST_PID
sleep 1
lab_wait_log "started" 10 || fail "pptpproxy did not start"

sample() {
	fds=0; rss=0
	for p in $PROXY_PID $(pgrep -P "$PROXY_PID"); do
		fds=$((fds + $(ls /proc/$p/fd 2>/dev/null | wc -l)))
		rss=$((rss + $(awk '/VmRSS/ { print $2 }' /proc/$p/status)))
	done
	echo "$fds $rss"
}

end=$(( $(date +%s) + secs ))
nsx c1 "$GEN" -m setup -c 192.0.2.1 -C 16 -d "$secs" -v 100 > "$TMP/gen.out" 2>&1 &
gen=$!
first=""; n=0
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 30
	s=$(sample)
	n=$((n + 1))
	[ -z "$first" ] && first=$s
	echo "soak: $(( n * 30 )) s: descriptors/RSS kB: $s"
	last=$s
done
wait $gen
cat "$TMP/gen.out"
set -- $first; f_fd=$1; f_rss=$2
set -- $last; l_fd=$1; l_rss=$2
echo "soak: first sample $f_fd fds $f_rss kB, last $l_fd fds $l_rss kB"
grep -q "result=ok" "$TMP/gen.out" || fail "load generator failed"
grep -q " failed=0 " "$TMP/gen.out" || fail "setups failed"
[ "$l_fd" -le $((f_fd + 40)) ] || fail "descriptors grew"
[ "$l_rss" -le $((f_rss + 2048)) ] || fail "memory grew"
echo "soak: flat"
exit 0
