#!/bin/sh
# acl-command limit per-address, with the cache off: 12 connections at
# once from one address against a slow refusing command.  At most 2
# commands run at once for it, and 2 do; 5 x 2 = 10 requests are taken
# (2 running, 8 waiting), the 11th and 12th are refused at once as "too
# many acl checks waiting for that address"; the 10 are refused by the
# command, in turn.
. "$(dirname "$0")/lib.sh"
lab_topology 1
aclcmd_slow 1
conf=$TMP/pptpproxy.conf
cat >"$conf" <<EOC
acl-command cache 0
acl-command limit per-address 2
proxy "p" {
	listen on 192.0.2.1
	server 198.51.100.2
	allow command "$TMP/slow"
}
EOC
lab_proxy fw -f "$conf"
# 12 connections, one after the other but all open: when each was closed
# Each sends its first byte at once, as a real client: on Linux a silent
# connection reaches the relay only after a while (TCP_DEFER_ACCEPT).
nsx c1 python3 - >"$TMP/closed" <<'EOP'
import socket, select, time
socks = []
for i in range(12):
    socks.append(socket.create_connection(("192.0.2.1", 1723), timeout=5))
    socks[-1].send(b"\0")
    time.sleep(0.02)
t0 = time.time()
left = {s.fileno(): s for s in socks}
while left and time.time() - t0 < 20:
    r, _, _ = select.select(list(left.values()), [], [], 1)
    for s in r:
        try:
            d = s.recv(10)
        except ConnectionResetError:
            d = b""
        if not d:
            print("%.2f" % (time.time() - t0))
            del left[s.fileno()]
            s.close()
print("open", len(left))
EOP
sed -n '$p' "$TMP/closed"
grep -q "^open 0$" "$TMP/closed" || fail "connections left open: $(tail -n 1 "$TMP/closed")"
fast=$(awk '$1 != "open" && $1 < 0.6' "$TMP/closed" | wc -l)
slow=$(awk '$1 != "open" && $1 >= 0.6' "$TMP/closed" | wc -l)
echo "refused at once: $fast, refused by the command: $slow"
[ "$fast" -eq 2 ] || fail "$fast connections refused at once, not 2 (the 11th and 12th)"
[ "$slow" -eq 10 ] || fail "$slow connections waited for the command, not 10"
[ "$(log_count "too many acl checks waiting for that address")" -ge 1 ] ||
    fail "the refusals do not say why"
runs=$(grep -c "^start" "$TMP/runs")
[ "$runs" -eq 10 ] || fail "$runs command runs, not 10 (cache 0: one per connection)"
# the most at once, from the start and stop times
most=$(awk '{ print $2, ($1 == "start" ? 1 : -1) }' "$TMP/runs" | sort -n |
    awk '{ n += $2; if (n > m) m = n } END { print m }')
echo "commands at once for one address: at most $most"
[ "$most" -eq 2 ] || fail "$most commands ran at once for one address, not 2"
exit 0
