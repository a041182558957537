#!/bin/sh
# Five concurrent clients from one host (one source address, as behind a
# NAT), each with a control connection of its own (a private call manager
# each): all echo everything.  pptp-linux draws its Call ID at random, and
# the proxy shows the server a different Call ID for each.
. "$(dirname "$0")/lab.sh"
lab_topology 1
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2
pids=""
for i in 1 2 3 4 5; do
	lab_drive c1 192.0.2.1 -n 150 -w 4 -t 90 -g $i > "$TMP/c$i.out" 2>&1 &
	pids="$pids $!"
done
bad=0
for p in $pids; do wait $p || bad=$((bad + 1)); done
cat "$TMP"/c?.out
[ $bad -eq 0 ] || fail "$bad of 5 clients lost frames"
[ "$(grep 'relayed to' "$PLOG" | grep -c '192.0.2.10:')" -eq 5 ] ||
    fail "expected five sessions from 192.0.2.10"
exit 0
