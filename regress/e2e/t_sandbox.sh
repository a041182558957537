#!/bin/sh
# The sandbox seen from /proc while calls go through: each child runs as
# the unprivileged user, in the chroot, under its seccomp filter, with no
# capability left, not even in its bounding set; the parent keeps exactly
# CAP_KILL, CAP_SETGID, CAP_SETUID and CAP_NET_BIND_SERVICE (0x4e0), with
# no_new_privs and its deny-list, and so do the ACL commands it starts (as
# root), or nothing at all (as the acl-command user).  Under -d a call
# outside a list would trap and name itself: none may appear.
. "$(dirname "$0")/lib.sh"
[ "$(uname -s)" = Linux ] || skip "Linux only"

KEEP=00000000000004e0
NONE=0000000000000000
user=_pptpproxy
id -u "$user" >/dev/null 2>&1 || user=nobody
uid=$(id -u "$user")
gid=$(id -g "$user")

# status PID FIELD: the value of one line of /proc/PID/status
status() {
	awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' \
	    "/proc/$1/status"
}
# expect PID WHO FIELD VALUE
expect() {
	v=$(status "$1" "$3")
	[ "$v" = "$4" ] || fail "$2: $3 is '$v', not '$4'"
}

lab_topology 1
lab_pptpd

# The ACL command records how it runs, and allows.
mkdir -p "$TMP/out"
chmod 1777 "$TMP/out"
cat > "$TMP/acl" <<EOS
#!/bin/sh
grep -E '^(Uid|Gid|Cap[A-Za-z]+|NoNewPrivs|Seccomp):' /proc/\$\$/status \
    > "$TMP/out/acl-\$(id -u)"
exit 0
EOS
chmod 755 "$TMP/acl"
echo "# acl-command user: root" > "$TMP/pptpproxy.conf"
lab_proxy fw -f "$TMP/pptpproxy.conf" -p 192.0.2.1,198.51.100.2 \
    -x "$TMP/acl"

lab_drive c1 -n 3 -t 10 192.0.2.1 > "$TMP/drive1.out" 2>&1 ||
    { cat "$TMP/drive1.out"; fail "no echo through the sandboxed proxy"; }

# The processes.
ctl=""; gre=""
for k in $(pgrep -P "$PROXY_PID"); do
	grep -aq "pptpproxy: control" "/proc/$k/cmdline" && ctl=$k
	grep -aq "pptpproxy: gre" "/proc/$k/cmdline" && gre=$k
done
[ -n "$ctl" ] || fail "no control process"
[ -n "$gre" ] || fail "no gre process"

check_children() {
	for c in "control $ctl" "gre $gre"; do
		set -- $c
		[ -d "/proc/$2" ] || fail "$1 process $2 is gone"
		expect "$2" "$1" Uid "$uid $uid $uid $uid"
		expect "$2" "$1" Gid "$gid $gid $gid $gid"
		expect "$2" "$1" Seccomp 2
		expect "$2" "$1" NoNewPrivs 1
		for cap in CapInh CapPrm CapEff CapBnd CapAmb; do
			expect "$2" "$1" $cap $NONE
		done
		r=$(readlink "/proc/$2/root")
		[ "$r" = /var/empty ] || fail "$1: root is $r, not /var/empty"
	done
}
check_parent() {
	expect "$PROXY_PID" parent Uid "0 0 0 0"
	expect "$PROXY_PID" parent Seccomp 2
	expect "$PROXY_PID" parent NoNewPrivs 1
	expect "$PROXY_PID" parent CapEff $KEEP
	expect "$PROXY_PID" parent CapPrm $KEEP
	expect "$PROXY_PID" parent CapBnd $KEEP
	expect "$PROXY_PID" parent CapInh $NONE
	expect "$PROXY_PID" parent CapAmb $NONE
}
check_children
check_parent

# An ACL command run as root holds what the parent holds, no more.
f=$TMP/out/acl-0
[ -s "$f" ] || fail "the ACL command did not run as root"
grep -q "^CapEff:.$KEEP" "$f" || { cat "$f"; fail "root ACL command: CapEff"; }
grep -q "^CapPrm:.$KEEP" "$f" || { cat "$f"; fail "root ACL command: CapPrm"; }
grep -q "^CapBnd:.$KEEP" "$f" || { cat "$f"; fail "root ACL command: CapBnd"; }
grep -q "^NoNewPrivs:.1" "$f" || { cat "$f"; fail "root ACL command: no_new_privs"; }
grep -q "^Seccomp:.2" "$f" || { cat "$f"; fail "root ACL command: no filter"; }

# Reload under the sandbox; ACL commands now run as nobody, with nothing.
echo "acl-command user nobody" > "$TMP/pptpproxy.conf"
kill -HUP "$PROXY_PID"
lab_wait_log "control: configuration reloaded" 5 || fail "no reload"
lab_drive c1 -n 3 -t 10 192.0.2.1 > "$TMP/drive2.out" 2>&1 ||
    { cat "$TMP/drive2.out"; fail "no echo after the reload"; }
f=$TMP/out/acl-$(id -u nobody)
[ -s "$f" ] || fail "the ACL command did not run as nobody"
grep -q "^CapEff:.$NONE" "$f" || { cat "$f"; fail "nobody's ACL command: CapEff"; }
grep -q "^CapPrm:.$NONE" "$f" || { cat "$f"; fail "nobody's ACL command: CapPrm"; }
grep -q "^NoNewPrivs:.1" "$f" || { cat "$f"; fail "nobody's ACL command: no_new_privs"; }

# Status on SIGUSR1 goes through both children's filters too.
kill -USR1 "$PROXY_PID"
sleep 0.5
check_children
check_parent
grep -q "forbidden system call" "$PLOG" && fail "a call outside a sandbox"
exit 0
