#!/bin/sh
# A client that never reads while its server floods it: the proxy stops
# reading from the server instead of buffering without bound (its memory
# stays flat) and logs it.  When the client reads again, the proxy reads
# the server again: everything held back and after it arrives whole, in
# order, without a gap.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_bg s "$E2E/floodsrv" 198.51.100.2
lab_wait_port s 1723 || fail "flood server"
lab_proxy fw -p 192.0.2.1,198.51.100.2
ctl=$(pgrep -P "$PROXY_PID" | while read p; do
	grep -q control /proc/$p/cmdline 2>/dev/null && echo $p; done)
nsx c1 "$E2E/noreader" 192.0.2.1 3 3 >"$TMP/rd.out" 2>&1 &
rd=$!
sleep 1
rss1=$(awk '/VmRSS/ { print $2 }' /proc/$ctl/status)
sleep 2
rss2=$(awk '/VmRSS/ { print $2 }' /proc/$ctl/status)
wait $rd
r=$?
cat "$TMP/rd.out"
[ $r -eq 0 ] || fail "the relay after the hold lost or broke messages"
n=$(sed -n 's/^read \([0-9]*\) Echo-Requests in order$/\1/p' "$TMP/rd.out")
# More than the 64 kB a held side may queue, and the sockets' buffers: the
# server was read again.
[ "${n:-0}" -gt 20000 ] || fail "only ${n:-0} Echo-Requests after the hold"
echo "control RSS ${rss1} kB, 2 s later ${rss2} kB"
grep -q "client not reading, holding the server" "$PLOG" || fail "no hold"
[ $((rss2 - rss1)) -lt 1024 ] || fail "memory grew by $((rss2 - rss1)) kB"
[ "$rss2" -lt 16384 ] || fail "control uses $rss2 kB"
exit 0
