#!/bin/sh
# SIGHUP: a session keeps echoing across a reload that adds a proxy and
# changes the ACL; the ACL change applies to new connections; the new proxy
# works; a broken file on SIGHUP is logged and changes nothing.
. "$(dirname "$0")/lib.sh"
lab_topology 2
ip -n "$(ns fw)" addr add 192.0.2.2/24 dev br0
lab_pptpd
conf=$TMP/pptpproxy.conf
cat > "$conf" <<EOC
proxy "one" {
	listen on 192.0.2.1
	server 198.51.100.2
	allow from 192.0.2.10/32
}
EOC
lab_proxy fw -f "$conf"
lab_drive c1 -n 1 -k 15 -t 40 192.0.2.1 > "$TMP/long.out" 2>&1 &
long=$!
lab_wait_log "call 1 up" 10 || fail "no call"
lab_drive c2 -n 3 -t 6 192.0.2.1 && fail "192.0.2.11 allowed before the reload"

cat > "$conf" <<EOC
proxy "one" {
	listen on 192.0.2.1
	server 198.51.100.2
	allow from 192.0.2.11/32
}
proxy "two" {
	listen on 192.0.2.2
	server 198.51.100.2
}
EOC
kill -HUP "$PROXY_PID"
lab_wait_log "configuration reloaded" 5 || fail "no reload"
lab_drive c2 -n 30 -t 20 192.0.2.1 || fail "changed ACL not applied"
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
