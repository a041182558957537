#!/bin/sh
# Install tier: "make install" into scratch DESTDIRs, never the machine.
#  - PREFIX=/usr/local (the build in build/): every file where
#    pptpproxy.8's FILES section says, with its mode; the unit, the
#    sysusers.d and tmpfiles.d files and the manual pages carry the
#    paths; systemd-sysusers and systemd-tmpfiles, run on a scratch root,
#    make the user (no shell, home the chroot directory) and the
#    directory (root's, 0755); a second install keeps an edited
#    configuration; the unit passes systemd-analyze verify.
#  - PREFIX=/usr SYSCONFDIR=/etc/x (a build of its own): the same, the
#    binary's default configuration file is /etc/x/pptpproxy.conf.
#  - OpenBSD (make -n OS=OpenBSD, and install-rc): MANDIR is PREFIX/man,
#    the rc.d script goes to /etc/rc.d with the paths in it.
#  - The unit started for real where systemd runs (a counted skip here
#    when it does not).
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
pass=0
fail=0
skip=0
tmp=$(mktemp -d /tmp/pptpproxy-install.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok - $*"; }
notok() { fail=$((fail + 1)); echo "not ok - $*"; }
skipped() { skip=$((skip + 1)); echo "skip - $*"; }
check() {
	_what=$1
	shift
	if "$@" >"$tmp/check.out" 2>&1; then
		ok "$_what"
	else
		notok "$_what"
		sed 's/^/  /' "$tmp/check.out"
	fi
}

# mode FILE: its permission bits in octal.
mode() {
	stat -c %a "$1" 2>/dev/null
}

# files D PREFIX SYSCONFDIR: every installed file, its mode, its paths.
files() {
	d=$1 p=$2 c=$3
	if [ "$p" = /usr ] || [ "$p" = /usr/local ]; then
		lib=$p/lib
		unitdir=$p/lib/systemd/system
	else
		lib=/etc
		unitdir=/etc/systemd/system
	fi
	for f in "$p/sbin/pptpproxy 555" "$p/sbin/pptpproxyctl 555" \
	    "$p/share/man/man8/pptpproxy.8 444" \
	    "$p/share/man/man8/pptpproxyctl.8 444" \
	    "$p/share/man/man5/pptpproxy.conf.5 444" \
	    "$c/pptpproxy.conf 644" "$unitdir/pptpproxy.service 444" \
	    "$lib/sysusers.d/pptpproxy.conf 444" \
	    "$lib/tmpfiles.d/pptpproxy.conf 444"; do
		set -- $f
		if [ -f "$d$1" ] && [ "$(mode "$d$1")" = "$2" ]; then
			ok "$p: $1, mode $2"
		else
			notok "$p: $1, mode $2 (got: $(ls -l "$d$1" 2>&1))"
		fi
	done
	n=$(find "$d" -type f | wc -l)
	check "$p: those 9 files and no other" [ "$n" -eq 9 ]

	u=$d$unitdir/pptpproxy.service
	check "$p: the unit checks, starts and reloads $p/sbin/pptpproxy with $c/pptpproxy.conf" \
	    sh -c "grep -qx 'ExecStartPre=$p/sbin/pptpproxy -t -f $c/pptpproxy.conf' '$u' &&
	    grep -qx 'ExecStart=$p/sbin/pptpproxy -n -f $c/pptpproxy.conf' '$u' &&
	    grep -qx 'ExecReload=$p/sbin/pptpproxy -t -f $c/pptpproxy.conf' '$u' &&
	    grep -qx 'KillMode=mixed' '$u' &&
	    ! grep -n '@' '$u'"
	m8=$d$p/share/man/man8/pptpproxy.8
	m5=$d$p/share/man/man5/pptpproxy.conf.5
	mc=$d$p/share/man/man8/pptpproxyctl.8
	check "$p: the manual pages name $c/pptpproxy.conf, $unitdir and $lib/sysusers.d" \
	    sh -c "grep -qx '.It Pa $c/pptpproxy.conf' '$m8' &&
	    grep -qx '.It Pa $c/pptpproxy.conf' '$m5' &&
	    grep -q '$unitdir' '$m8' && grep -q '$lib/sysusers.d' '$m8' &&
	    grep -q '$lib/tmpfiles.d' '$m8'"
	if [ "$c" != /etc ]; then
		check "$p: no /etc/pptpproxy.conf left in the manual pages" \
		    sh -c "! grep -n '/etc/pptpproxy.conf' '$m8' '$m5'"
	fi
	if command -v mandoc >/dev/null 2>&1; then
		check "$p: the installed manual pages pass mandoc -Tlint" \
		    sh -c "out=\$(mandoc -Tlint -W warning '$m8' '$m5' '$mc' 2>&1);
		    echo \"\$out\"; [ -z \"\$out\" ]"
	fi
	check "$p: the installed binary's default configuration is $c/pptpproxy.conf" \
	    sh -c "'$d$p/sbin/pptpproxy' -h | grep -q 'default $c/pptpproxy.conf'"

	# The sysusers.d and tmpfiles.d files, applied to a scratch root.
	r=$tmp/root$$
	rm -rf "$r"
	mkdir -p "$r/etc"
	if command -v systemd-sysusers >/dev/null 2>&1; then
		check "$p: systemd-sysusers makes _pptpproxy, no shell, home /var/empty" \
		    sh -c "systemd-sysusers --root='$r' '$d$lib/sysusers.d/pptpproxy.conf' &&
		    grep '^_pptpproxy:' '$r/etc/passwd' | cut -d: -f6,7 |
		    grep -qx '/var/empty:/usr/sbin/nologin' &&
		    ! grep -q '^_pptpproxy:x:0:' '$r/etc/passwd'"
	else
		skipped "$p: no systemd-sysusers"
	fi
	if command -v systemd-tmpfiles >/dev/null 2>&1; then
		check "$p: systemd-tmpfiles makes /var/empty, root's, 0755" \
		    sh -c "systemd-tmpfiles --root='$r' --create '$d$lib/tmpfiles.d/pptpproxy.conf' &&
		    [ -d '$r/var/empty' ] && [ \$(stat -c %u:%a '$r/var/empty') = 0:755 ]"
	else
		skipped "$p: no systemd-tmpfiles"
	fi

	# systemd-analyze verify, with the installed binary where the unit
	# says it is (a private mount namespace: the machine sees nothing).
	if ! command -v systemd-analyze >/dev/null 2>&1; then
		skipped "$p: no systemd-analyze"
	elif [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1; then
		skipped "$p: systemd-analyze verify needs root and unshare"
	else
		check "$p: systemd-analyze verify says nothing of the unit" \
		    unshare -m --propagation private sh -c "
		    mkdir -p '$p/sbin' 2>/dev/null
		    mount --bind '$d$p/sbin' '$p/sbin' || exit 1
		    out=\$(systemd-analyze verify --man=no '$u' 2>&1); rc=\$?
		    echo \"\$out\"; [ \$rc -eq 0 ] && [ -z \"\$out\" ]"
	fi
}

# 1. The usual: PREFIX=/usr/local, the build in build/ (its paths).
d=$tmp/d1
if make -s install DESTDIR="$d" PREFIX=/usr/local >"$tmp/make1.out" 2>&1
then
	ok "make install DESTDIR=... PREFIX=/usr/local"
	files "$d" /usr/local /etc
	echo "# edited" >>"$d/etc/pptpproxy.conf"
	make -s install DESTDIR="$d" PREFIX=/usr/local >/dev/null 2>&1
	check "a second install keeps the installed configuration" \
	    grep -qx "# edited" "$d/etc/pptpproxy.conf"
	check "with DESTDIR, no user or directory is made" \
	    grep -q "DESTDIR set: not creating" "$tmp/make1.out"
else
	notok "make install DESTDIR=... PREFIX=/usr/local"
	sed 's/^/  /' "$tmp/make1.out"
fi

# 1b. Installing for real (no DESTDIR) runs systemd-sysusers and
# systemd-tmpfiles on the installed files: here on a scratch root.
if command -v systemd-sysusers >/dev/null 2>&1 &&
    command -v systemd-tmpfiles >/dev/null 2>&1 && [ -d "$d/usr/local/lib" ]
then
	r=$tmp/realroot
	mkdir -p "$r/etc"
	make -s install-setup SYSUSERS="systemd-sysusers --root=$r" \
	    TMPFILES="systemd-tmpfiles --root=$r" \
	    SYSUSERSDIR="$d/usr/local/lib/sysusers.d" \
	    TMPFILESDIR="$d/usr/local/lib/tmpfiles.d" >"$tmp/setup.out" 2>&1
	check "without DESTDIR, make install runs systemd-sysusers and systemd-tmpfiles: the user and the directory exist" \
	    sh -c "grep -q '^_pptpproxy:x:[1-9][0-9]*:[1-9][0-9]*:[^:]*:/var/empty:/usr/sbin/nologin\$' '$r/etc/passwd' &&
	    [ \$(stat -c %u:%a '$r/var/empty') = 0:755 ] ||
	    { cat '$tmp/setup.out'; exit 1; }"
else
	skipped "no systemd-sysusers or systemd-tmpfiles"
fi

# 2. PREFIX=/usr, SYSCONFDIR=/etc/x: a build of its own with that path.
d=$tmp/d2
if make -s install B="$tmp/build" DESTDIR="$d" PREFIX=/usr \
    SYSCONFDIR=/etc/x >"$tmp/make2.out" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr SYSCONFDIR=/etc/x"
	files "$d" /usr /etc/x
else
	notok "make install DESTDIR=... PREFIX=/usr SYSCONFDIR=/etc/x"
	sed 's/^/  /' "$tmp/make2.out"
fi

# 3. OpenBSD: what install would do there, and the rc.d script.
make -n install OS=OpenBSD DESTDIR=/D PREFIX=/usr/local \
    >"$tmp/obsd.out" 2>&1
check "OpenBSD: man pages under PREFIX/man, the rc.d script, no systemd files" \
    sh -c "grep -q '/D/usr/local/man/man8/pptpproxy.8' '$tmp/obsd.out' &&
    grep -q '/D/usr/local/man/man5/pptpproxy.conf.5' '$tmp/obsd.out' &&
    grep -q '/D/etc/rc.d/pptpproxy' '$tmp/obsd.out' &&
    ! grep -q 'install.*\(pptpproxy.service\|sysusers\|tmpfiles\)' '$tmp/obsd.out'"
d=$tmp/d3
if make -s install-rc B="$tmp/build" DESTDIR="$d" PREFIX=/usr/local \
    SYSCONFDIR=/etc/x >"$tmp/make3.out" 2>&1; then
	rc=$d/etc/rc.d/pptpproxy
	check "OpenBSD: the rc.d script, mode 555, with the paths and the parent's title" \
	    sh -c "[ \$(stat -c %a '$rc') = 555 ] &&
	    grep -qx 'daemon=\"/usr/local/sbin/pptpproxy\"' '$rc' &&
	    grep -qx 'daemon_flags=\"-f /etc/x/pptpproxy.conf\"' '$rc' &&
	    grep -qx 'pexp=\"pptpproxy: parent\"' '$rc' &&
	    grep -q 'rc_configtest()' '$rc' &&
	    grep -q 'useradd -s /sbin/nologin -d /var/empty _pptpproxy' '$rc' &&
	    ! grep -n '@' '$rc'"
	if command -v ksh >/dev/null 2>&1; then
		check "OpenBSD: the rc.d script parses (ksh -n)" ksh -n "$rc"
	fi
else
	notok "make install-rc"
	sed 's/^/  /' "$tmp/make3.out"
fi

# 4. The unit for real: only where systemd is the init.
if [ -d /run/systemd/system ]; then
	skipped "systemd runs here, but starting the installed unit would change the machine: not done by this tier"
else
	skipped "systemd is not running (no /run/systemd/system): the unit is not started for real"
fi

echo "# $skip skipped"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
