#!/bin/sh
# A thousand connections from three addresses against "limit connections
# 50" and "per-address 20": the excess is refused and logged (a few lines a
# second at most), the daemon keeps its descriptors, and a real client gets
# through afterwards.
. "$(dirname "$0")/lib.sh"
lab_topology 3
lab_pptpd
printf 'limit connections 50\nlimit connections per-address 20\ntimeout first-message 4\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n' > "$TMP/c.conf"
lab_proxy fw -f "$TMP/c.conf"
ctl=$(pgrep -P "$PROXY_PID" | while read p; do
	grep -q control /proc/$p/cmdline 2>/dev/null && echo $p; done)
fds0=$(ls /proc/$ctl/fd | wc -l)
pids=""
for c in c1 c2 c3; do
	nsx $c "$E2E/connflood" 192.0.2.1 334 2 > "$TMP/$c.out" &
	pids="$pids $!"
done
for p in $pids; do wait $p; done
cat "$TMP"/c?.out
held=0
for c in c1 c2 c3; do
	set -- $(cat "$TMP/$c.out")
	held=$((held + $2 - $6))
done
[ "$held" -le 50 ] || fail "$held connections held, limit 50"
grep -q "(limit connections per-address)" "$PLOG" || fail "no per-address refusal logged"
grep -q "(limit connections)" "$PLOG" || fail "no total refusal logged"
n=$(grep -c "refused 192.0.2" "$PLOG")
[ "$n" -lt 200 ] || fail "$n refusal lines: not rate-limited"
sleep 5
lab_drive c1 -n 20 -t 20 192.0.2.1 || fail "a real client after the flood"
grep -q "similar messages suppressed" "$PLOG" || fail "no suppression line"
sleep 1
fds1=$(ls /proc/$ctl/fd | wc -l)
[ "$fds1" -le "$fds0" ] || fail "descriptors grew from $fds0 to $fds1"
exit 0
