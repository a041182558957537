#!/bin/sh
# A client that never reads while its server floods it: the proxy stops
# reading from the server instead of buffering without bound (its memory
# stays flat) and logs it.
. "$(dirname "$0")/lab.sh"
lab_topology 1
lab_bg s "$E2E/floodsrv" 198.51.100.2
lab_wait_port s 1723 || fail "flood server"
lab_proxy fw -p 192.0.2.1,198.51.100.2
ctl=$(pgrep -P "$PROXY_PID" | while read p; do
	grep -q control /proc/$p/cmdline 2>/dev/null && echo $p; done)
nsx c1 "$E2E/noreader" 192.0.2.1 3 &
rd=$!
sleep 1
rss1=$(awk '/VmRSS/ { print $2 }' /proc/$ctl/status)
sleep 2
rss2=$(awk '/VmRSS/ { print $2 }' /proc/$ctl/status)
wait $rd
echo "control RSS ${rss1} kB, 2 s later ${rss2} kB"
grep -q "client not reading, holding the server" "$PLOG" || fail "no hold"
[ $((rss2 - rss1)) -lt 1024 ] || fail "memory grew by $((rss2 - rss1)) kB"
[ "$rss2" -lt 16384 ] || fail "control uses $rss2 kB"
exit 0
