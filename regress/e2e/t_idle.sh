#!/bin/sh
# A hundred connections that never speak, and some that trickle a message
# one byte a second, are closed when "timeout first-message" (3 s) runs
# out, not before; a real client gets through afterwards.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
printf "timeout first-message 3\nlimit connections per-address 200\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n" > "$TMP/c.conf"
lab_proxy fw -f "$TMP/c.conf"
r=$(nsx c1 "$E2E/connflood" 192.0.2.1 100 10)
echo "silent: $r"
set -- $r
[ "$6" -eq 100 ] || fail "only $6 of 100 silent connections closed"
awk "BEGIN { exit !($8 >= 2.5 && ${10} <= 6) }" || fail "closed at $8..${10} s, not about 3 s"
r=$(nsx c1 "$E2E/connflood" 192.0.2.1 10 10 --trickle)
echo "trickling: $r"
set -- $r
[ "$6" -eq 10 ] || fail "only $6 of 10 trickling connections closed"
grep -q "no message from the client within 3 s" "$PLOG" || fail "no log line"
lab_drive c1 -n 20 -t 20 192.0.2.1 || fail "a real client after them"
exit 0
