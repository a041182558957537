#!/bin/sh
# SIGHUP: a session keeps echoing across a reload that adds a proxy and
# changes every kind of allow rule; the new rules apply to new
# connections, both ways: what the new file allows gets in, and what it no
# longer allows is refused (revocation), for each kind of rule:
#   192.0.2.10  a subnet of the proxy      (allowed before, not after)
#   192.0.2.11  a subnet of the proxy      (not before, allowed after)
#   192.0.2.12  a table, used globally     (in it before, not after)
#   192.0.2.13  an ACL command             (allowed by the old command,
#                                           not by the new one)
# Each refusal must be the ACL's (its log line), not any failure of the
# client.  The session of 192.0.2.10 that was up before the reload goes
# on (a reload cuts no one off).  The new proxy works (for 192.0.2.11,
# which the global table now holds); a broken file on SIGHUP is logged
# and changes nothing.
. "$(dirname "$0")/lib.sh"
lab_topology 4
ip -n "$(ns fw)" addr add 192.0.2.2/24 dev br0
lab_pptpd
# allow-ADDR: an ACL command that allows one address only.
for a in 192.0.2.13 192.0.2.14; do
	printf '#!/bin/sh\n[ "$1" = %s ]\n' "$a" >"$TMP/allow-$a"
	chmod 755 "$TMP/allow-$a"
done
conf=$TMP/pptpproxy.conf
cat > "$conf" <<EOC
table <t> { 192.0.2.12 }
allow from <t>
proxy "one" {
	listen on 192.0.2.1
	server 198.51.100.2
	allow from 192.0.2.10/32
	allow command "$TMP/allow-192.0.2.13"
}
EOC
lab_proxy fw -f "$conf"
lab_drive c1 -n 1 -k 15 -t 40 192.0.2.1 > "$TMP/long.out" 2>&1 &
long=$!
lab_track $long
lab_wait_log "call 1 up" 10 || fail "no call"
lab_drive_refused c2 "client 192.0.2.11 not allowed on proxy .* (acl" -n 3 -t 6 192.0.2.1
lab_drive c3 -n 10 -t 20 192.0.2.1 || fail "192.0.2.12 (table) not allowed before the reload"
lab_drive c4 -n 10 -t 20 192.0.2.1 || fail "192.0.2.13 (command) not allowed before the reload"

cat > "$conf" <<EOC
table <t> { 192.0.2.99, 192.0.2.11 }
allow from <t>
proxy "one" {
	listen on 192.0.2.1
	server 198.51.100.2
	allow from 192.0.2.11/32
	allow command "$TMP/allow-192.0.2.14"
}
proxy "two" {
	listen on 192.0.2.2
	server 198.51.100.2
}
EOC
kill -HUP "$PROXY_PID"
lab_wait_log "configuration reloaded" 5 || fail "no reload"
lab_drive c2 -n 30 -t 20 192.0.2.1 || fail "changed ACL not applied: 192.0.2.11 not allowed"
lab_drive_refused c1 "client 192.0.2.10 not allowed on proxy .* (acl" -n 3 -t 6 192.0.2.1
lab_drive_refused c3 "client 192.0.2.12 not allowed on proxy .* (acl" -n 3 -t 6 192.0.2.1
lab_drive_refused c4 "client 192.0.2.13 not allowed on proxy .* (acl" -n 3 -t 6 192.0.2.1
lab_drive c2 -n 30 -t 20 192.0.2.2 || fail "the new proxy does not work"

echo "proxy { this is not a configuration" > "$conf"
kill -HUP "$PROXY_PID"
lab_wait_log "configuration not reloaded" 5 || fail "a broken file was not reported"
grep -q "pptpproxy.conf:1: syntax error" "$PLOG" || fail "the error and its line not logged"
lab_drive c2 -n 30 -t 20 192.0.2.2 || fail "a broken file changed the configuration"
kill -0 "$PROXY_PID" || fail "daemon died"

wait $long || { cat "$TMP/long.out"; fail "the session was disturbed by reloads"; }
cat "$TMP/long.out"
exit 0
