#!/bin/sh
# acl-command limit 3: 4 clients from 4 addresses at once, each checked
# by a slow command.  Exactly 3 commands run at once, never 4; the 4th
# waits and runs when one ends; every client gets its verdict.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_topology 4
aclcmd_slow 2
conf=$TMP/pptpproxy.conf
cat >"$conf" <<EOC
acl-command limit 3
proxy "p" {
	listen on 192.0.2.1
	server 198.51.100.2
	allow command "$TMP/slow"
}
EOC
lab_proxy fw -f "$conf"
pids=""
for i in 1 2 3 4; do
	lab_closed c$i 192.0.2.1 1723 15 >"$TMP/c$i.out" &
	lab_track $!
	pids="$pids $!"
done
wait $pids
cat "$TMP"/c*.out | tr '\n' ' '
echo
[ "$(grep -c "^closed" "$TMP"/c*.out | awk -F: '{ n += $2 } END { print n }')" -eq 4 ] ||
    fail "not every client got its verdict"
runs=$(grep -c "^start" "$TMP/runs")
[ "$runs" -eq 4 ] || fail "$runs command runs, not 4"
[ "$(awk '$1 == "start" { print $3 }' "$TMP/runs" | sort -u | wc -l)" -eq 4 ] ||
    fail "not one run for each of the 4 addresses"
most=$(awk '{ print $2, ($1 == "start" ? 1 : -1) }' "$TMP/runs" | sort -n |
    awk '{ n += $2; if (n > m) m = n } END { print m }')
echo "commands at once: at most $most"
[ "$most" -eq 3 ] || fail "$most commands ran at once, not 3 (acl-command limit 3)"
# the 4th started after the first ended
first_stop=$(awk '$1 == "stop" { print $2; exit }' "$TMP/runs")
last_start=$(awk '$1 == "start" { s = $2 } END { print s }' "$TMP/runs")
awk "BEGIN { exit !($last_start >= $first_stop) }" ||
    fail "the 4th started before any had ended"
exit 0
