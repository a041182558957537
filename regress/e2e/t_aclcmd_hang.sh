#!/bin/sh
# -x with a command that never ends: after the 5 s timeout it is killed
# and counts as a refusal (logged), while another client, let in by -a,
# keeps echoing all along; no ACL command is left running.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_topology 2
lab_pptpd
cat >"$TMP/hang" <<'EOS'
#!/bin/sh
while :; do sleep 1; done
EOS
chmod 755 "$TMP/hang"
lab_proxy fw -p 192.0.2.1,198.51.100.2 -a 192.0.2.10/32 -x "$TMP/hang"
lab_drive c1 -n 100 -k 20 -t 30 192.0.2.1 >"$TMP/long.out" 2>&1 &
long=$!
lab_track $long
lab_wait_log "call 1 up" 10 || fail "no call from the client let in by -a"
sleep 1
# A bare TCP client from 192.0.2.11: how long until it is closed?
r=$(lab_closed c2 192.0.2.1 1723 15)
echo "connection from 192.0.2.11: $r s"
set -- $r
[ "$1" = closed ] || fail "the connection whose command hung was not closed ($r)"
awk "BEGIN { exit !($2 >= 4.5 && $2 < 7.5) }" ||
    fail "closed after $2 s, not after the 5 s timeout"
lab_wait_log "192.0.2.11.*not allowed" 5 || fail "no refusal logged for the hung command"
grep "192.0.2.11" "$PLOG" | grep -i "not allowed\|timed out\|kill" |
    sed 's/^.*: \(control\|parent\): //'
# And a real client from there is refused too.
lab_drive_refused c2 "client 192.0.2.11 not allowed on proxy .* (acl command" -n 5 -t 7 192.0.2.1
wait $long || { cat "$TMP/long.out"; fail "the other session was disturbed while the command hung"; }
cat "$TMP/long.out"
sleep 1
# Nothing but pptpproxy runs in the firewall: the commands and their
# children (sleep) were killed.
lab_only_proxy fw
exit 0
