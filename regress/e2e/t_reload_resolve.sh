#!/bin/sh
# Reload when a server name stops resolving, and what a reload cannot
# change.  The daemon runs with an /etc/hosts of its own (a mount
# namespace) where "vpn.example.test" is 198.51.100.2; the ACL first lets
# only c2 in.  Then the name is taken out of that file and the
# configuration changed: the ACL lets c1 in, a second proxy's server is a
# name that never resolved (under .invalid), user and chroot differ.  The
# reload still applies: the name keeps its address (logged), c1's calls go
# through, the second proxy is left out (logged, its port closed), user
# and chroot are named as taking effect at restart and the children still
# run as the same user.
. "$(dirname "$0")/lib.sh"
command -v unshare >/dev/null 2>&1 || skip "no unshare(1)"
lab_topology 2
ip -n "$(ns fw)" addr add 192.0.2.2/24 dev br0
lab_pptpd
printf '198.51.100.2\tvpn.example.test\n' >"$TMP/hosts"
# The daemon, exec'd in place (same pid) in a mount namespace where
# /etc/hosts is $TMP/hosts; changed later by rewriting it in place.
cat >"$TMP/wrap" <<EOW
#!/bin/sh
exec unshare -m --propagation private sh -c \
    'mount --bind "\$0" /etc/hosts && exec "\$@"' "$TMP/hosts" "$PPTPPROXY" "\$@"
EOW
chmod 755 "$TMP/wrap"
REAL=$PPTPPROXY
PPTPPROXY=$TMP/wrap
mkdir -p "$TMP/empty"
conf=$TMP/pptpproxy.conf
cat >"$conf" <<EOC
proxy "one" {
	listen on 192.0.2.1
	server "vpn.example.test"
	allow from 192.0.2.11/32
}
EOC
lab_proxy fw -f "$conf"
grep -q "cannot resolve" "$PLOG" && fail "the name did not resolve at start"
lab_drive c2 -n 20 -t 20 192.0.2.1 || fail "no call through the name at start"
ctl=$(proxy_child control)
uid0=$(awk '/^Uid:/ { print $2 }' "/proc/$ctl/status")

: >"$TMP/hosts"
nsx fw unshare -m sh -c 'mount --bind "$0" /etc/hosts &&
    getent hosts vpn.example.test' "$TMP/hosts" &&
    fail "the name still resolves without its line"
newuser=daemon
[ "$(id -u "$newuser" 2>/dev/null)" = "$uid0" ] && newuser=bin
id "$newuser" >/dev/null 2>&1 || skip "no user $newuser"
cat >"$conf" <<EOC
user "$newuser"
chroot "$TMP/empty"
proxy "one" {
	listen on 192.0.2.1
	server "vpn.example.test"
	allow from 192.0.2.10/32
}
proxy "two" {
	listen on 192.0.2.2
	server "nowhere.invalid"
}
EOC
kill -HUP "$PROXY_PID"
lab_wait_log "configuration reloaded" 10 || fail "the reload was refused"
grep "cannot resolve\|takes effect at restart" "$PLOG" | sed 's/^[^]]*\]: /  /'
grep -q "proxy one: cannot resolve server vpn.example.test: .*; keeping its address 198.51.100.2" "$PLOG" ||
    fail "no line saying the old address is kept"
grep -q "proxy two: cannot resolve server nowhere.invalid: .*; proxy left out" "$PLOG" ||
    fail "no line saying proxy two is left out"
grep -q "user: takes effect at restart" "$PLOG" || fail "no line for the user"
grep -q "chroot: takes effect at restart" "$PLOG" || fail "no line for chroot"
lab_drive c1 -n 50 -t 20 192.0.2.1 ||
    fail "c1 through the kept address after the reload (new ACL)"
lab_drive_refused c2 "client 192.0.2.11 not allowed on proxy .* (acl" -n 3 -t 6 192.0.2.1
nsx fw ss -ltnH "src 192.0.2.2" | grep -q . && fail "proxy two listens"
[ "$(proxy_child control)" = "$ctl" ] || fail "the control process changed"
uid1=$(awk '/^Uid:/ { print $2 }' "/proc/$ctl/status")
[ "$uid1" = "$uid0" ] || fail "the control process runs as $uid1, not $uid0"
PPTPPROXY=$REAL
exit 0
