#!/bin/sh
# Call IDs per client address: with "limit calls per-address 8" (and
# "limit calls 64" per connection), two hostile addresses each ask for 12
# calls over two control connections to a server that accepts every call.
# Each gets exactly 8 connected and 4 refused by the proxy itself with an
# Outgoing-Call-Reply, result 4 (busy); their connections stay open and
# answer Echo-Requests afterwards; meanwhile a real pptp-linux client
# from a third address gets its call through to pptpd and echoes frames.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_topology 3
lab_pptpd
lab_bg s "$E2E/answersrv" 198.51.100.2 1724
lab_wait_port s 1724 || fail "call server"
cat >"$TMP/c.conf" <<EOC
limit calls 64
limit calls per-address 8
proxy "calls" {
	listen on 192.0.2.1 port 1724
	server 198.51.100.2 port 1724
}
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
}
EOC
lab_proxy fw -f "$TMP/c.conf"
lab_wait_port fw 1724 || fail "no listener on 1724"
hogs=""
for c in c2 c3; do
	nsx $c "$E2E/callhog" 192.0.2.1 1724 2 6 10 >"$TMP/$c.out" 2>&1 &
	hogs="$hogs $!"
	lab_track $!
done
i=0
while [ "$(cat "$TMP"/c2.out "$TMP"/c3.out | grep -c "^calls ")" -lt 2 ] &&
    [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
for c in c2 c3; do
	echo "$c: $(head -n 1 "$TMP/$c.out")"
	grep -q "^calls 8 connected 4 refused (result codes: 4/0 x4)$" \
	    "$TMP/$c.out" || fail "$c: not exactly 8 calls and 4 refused"
done
# The hostile addresses hold their shares: a real client still gets through.
lab_drive c1 -n 20 -t 20 192.0.2.1 || fail "the real client's call"
for p in $hogs; do
	wait $p
done
for c in c2 c3; do
	echo "$c: $(tail -n 1 "$TMP/$c.out")"
	grep -q "^open 2 of 2$" "$TMP/$c.out" ||
	    fail "$c: a connection was closed after a refused call"
done
grep "on calls: Outgoing-Call-Request refused" "$PLOG" | head -n 1 |
    sed 's/^.*control: //'
n=$(grep -c "(limit calls per-address)" "$PLOG")
[ "$n" -ge 1 ] || fail "no refusal logged"
grep -q "protocol violation" "$PLOG" && fail "a protocol violation"
exit 0
