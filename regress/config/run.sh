#!/bin/sh
# Configuration tier (closing line "N passed, M failed, K skipped").
#  - good_*.conf: "pptpproxy -T -f FILE" exits 0 and prints FILE's .ok
#    file; what it prints reads back and prints the same again.
#  - bad_*.conf: "pptpproxy -t -f FILE" exits 1, and its standard error
#    holds every "file:line: message" line of FILE's .err file (names
#    relative to this directory) and no other error line.
#  - a few cases made on the fly (permissions, over-long words), the
#    shipped etc/pptpproxy.conf (as it is, and with every example in it
#    uncommented), and what the command line adds.
# PPTPPROXY names the binary (default build/pptpproxy from the top).

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
P=${PPTPPROXY:-build/pptpproxy}
dir=regress/config
pass=0
fail=0
skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# pptpproxy refuses files writable by group or others: whatever the
# umask of the checkout and of this run, the shipped ones are not.
umask 022
chmod go-w $dir/*.conf $dir/*.inc etc/pptpproxy.conf

ok() { pass=$((pass + 1)); echo "ok - $*"; }
notok() { fail=$((fail + 1)); echo "not ok - $*"; }
skipped() { skip=$((skip + 1)); echo "skip - $*"; }

# The file prints as expected and reads back the same.
good() {
	f=$1 want=$2 n=$(basename "$1" .conf) label=${3:-$(basename "$1" .conf)}
	if ! "$P" -T -f "$f" >"$tmp/$n.out" 2>"$tmp/$n.err"; then
		notok "$label parses"
		sed 's/^/  /' "$tmp/$n.err"
		return
	fi
	if [ -n "$want" ]; then
		if diff -u "$want" "$tmp/$n.out" >"$tmp/$n.diff"; then
			ok "$label prints as $(basename "$want")"
		else
			notok "$label prints as $(basename "$want")"
			sed 's/^/  /' "$tmp/$n.diff"
		fi
	fi
	if "$P" -T -f "$tmp/$n.out" >"$tmp/$n.again" 2>&1 &&
	    cmp -s "$tmp/$n.out" "$tmp/$n.again"; then
		ok "$label: the printed configuration reads back the same"
	else
		notok "$label: the printed configuration reads back the same"
		diff -u "$tmp/$n.out" "$tmp/$n.again" | sed 's/^/  /'
	fi
}

# The file fails with exactly the errors of its .err file.
bad() {
	f=$1 want=$2 n=$(basename "$1" .conf)
	"$P" -t -f "$f" >"$tmp/$n.stdout" 2>"$tmp/$n.err"
	rc=$?
	if [ $rc -ne 1 ]; then
		notok "$n exits 1 (got $rc)"
		sed 's/^/  /' "$tmp/$n.err"
		return
	fi
	missing=0
	while IFS= read -r line; do
		grep -qxF -- "$dir/$line" "$tmp/$n.err" || {
			echo "  missing: $dir/$line"; missing=1; }
	done <"$want"
	extra=$(grep -c "^$dir/[^ ]*:[0-9]*: " "$tmp/$n.err")
	if [ $missing -eq 0 ] && [ "$extra" -eq "$(wc -l <"$want")" ]; then
		ok "$n: every expected error, with its line, and no other"
	else
		notok "$n: every expected error, with its line, and no other"
		sed 's/^/  got: /' "$tmp/$n.err"
	fi
}

for f in $dir/good_*.conf; do
	good "$f" "${f%.conf}.ok"
done
for f in $dir/bad_*.conf; do
	bad "$f" "${f%.conf}.err"
done

# The shipped example parses and prints back the same.
good etc/pptpproxy.conf "" etc/pptpproxy.conf
# ... and so does it with every example in it uncommented ("#word",
# "#<tab>", "#}" and "<tab>#word"; "# text" stays a comment), the way a
# user adapting it would: its blocks must not clash with each other.
sed -e 's/^#\([^ ]\)/\1/' -e 's/^\(	*\)#\([a-z]\)/\1\2/' \
    etc/pptpproxy.conf >"$tmp/sample_all.conf"
if [ "$(grep -c '^proxy ' "$tmp/sample_all.conf")" -ge 2 ]; then
	good "$tmp/sample_all.conf" "" "etc/pptpproxy.conf, every example uncommented"
else
	notok "etc/pptpproxy.conf: its proxy examples are found and uncommented"
fi

# Lexer limits: a string and a word of 4096 bytes (4095 is the most).
long=$(awk 'BEGIN { while (n++ < 4096) printf "x" }')
printf 'user "%s"\nuser %s\nproxy { server 198.51.100.2 }\n' \
    "$long" "$long" >"$tmp/long.conf"
"$P" -t -f "$tmp/long.conf" >/dev/null 2>"$tmp/long.err"
if [ $? -eq 1 ] &&
    grep -qx "$tmp/long.conf:1: string too long (at most 4095 bytes)" \
    "$tmp/long.err" &&
    grep -qx "$tmp/long.conf:2: word too long (at most 4095 bytes)" \
    "$tmp/long.err"; then
	ok "over-long string and word refused, each on its line"
else
	notok "over-long string and word refused, each on its line"
	sed 's/^/  got: /' "$tmp/long.err"
fi

# A file group or others may write is refused, top file or included.
printf 'proxy { server 198.51.100.2 }\n' >"$tmp/perm.conf"
printf 'include "perm.conf"\n' >"$tmp/incperm.conf"
for mode in 0646 0664 0606 0660 0642; do
	chmod $mode "$tmp/perm.conf"
	if ! "$P" -t -f "$tmp/perm.conf" >/dev/null 2>"$tmp/perm.err" &&
	    grep -qx "$tmp/perm.conf: writable by group or others" \
	    "$tmp/perm.err" &&
	    ! "$P" -t -f "$tmp/incperm.conf" >/dev/null 2>"$tmp/incperm.err" &&
	    grep -qx "$tmp/incperm.conf:1: include $tmp/perm.conf: writable by group or others" \
	    "$tmp/incperm.err"; then
		ok "a file of mode $mode is refused, top or included"
	else
		notok "a file of mode $mode is refused, top or included"
		cat "$tmp/perm.err" "$tmp/incperm.err" | sed 's/^/  got: /'
	fi
done
# Read by anyone, written by the owner only: accepted.
for mode in 0644 0600 0444 0640; do
	chmod $mode "$tmp/perm.conf"
	if "$P" -t -f "$tmp/perm.conf" >/dev/null 2>&1 &&
	    "$P" -t -f "$tmp/incperm.conf" >/dev/null 2>&1; then
		ok "a file of mode $mode is accepted, top or included"
	else
		notok "a file of mode $mode is accepted, top or included"
	fi
done

# Not a regular file: refused without reading (a FIFO with no writer
# would block open(2); one with a writer, every read), top or included.
mkfifo "$tmp/fifo.conf"
printf 'include "fifo.conf"\n' >"$tmp/incfifo.conf"
printf 'include "/dev/null"\n' >"$tmp/incdev.conf"
printf 'include "%s"\n' "$tmp" >"$tmp/incdir.conf"
for c in "fifo.conf:$tmp/fifo.conf: not a regular file" \
    "incfifo.conf:$tmp/incfifo.conf:1: include $tmp/fifo.conf: not a regular file" \
    "incdev.conf:$tmp/incdev.conf:1: include /dev/null: not a regular file" \
    "incdir.conf:$tmp/incdir.conf:1: include $tmp: not a regular file"; do
	f=${c%%:*} want=${c#*:}
	timeout 10 "$P" -t -f "$tmp/$f" >/dev/null 2>"$tmp/type.err"
	rc=$?
	if [ $rc -eq 1 ] && grep -qxF -- "$want" "$tmp/type.err"; then
		ok "$f: refused as not a regular file, at once"
	else
		notok "$f: refused as not a regular file, at once (exit $rc)"
		sed 's/^/  got: /' "$tmp/type.err"
	fi
done
chmod 0644 "$tmp/perm.conf"
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	chown nobody "$tmp/perm.conf"
	if ! "$P" -t -f "$tmp/perm.conf" >/dev/null 2>&1; then
		ok "a file owned by another user is refused"
	else
		notok "a file owned by another user is refused"
	fi
else
	skipped "a file owned by another user is refused: needs root and" \
	    "a user nobody"
fi

# Command-line pairs and ACLs add to the file.
"$P" -T -f $dir/good_full.conf -p 203.0.113.1:1724,198.51.100.9:99 \
    -a 198.51.100.0/24 -x "/bin/true" >"$tmp/cmdline.out" 2>&1
if grep -q 'listen on 203.0.113.1 port 1724' "$tmp/cmdline.out" &&
    grep -q 'server "198.51.100.9" port 99' "$tmp/cmdline.out" &&
    grep -q '^allow from 198.51.100.0/24' "$tmp/cmdline.out" &&
    grep -q '^allow command "/bin/true"' "$tmp/cmdline.out" &&
    grep -q '^proxy "office"' "$tmp/cmdline.out"; then
	ok "-p, -a and -x add to the file"
else
	notok "-p, -a and -x add to the file"
	sed 's/^/  /' "$tmp/cmdline.out"
fi

# -x commands pass the checks of the file's: an absolute path, closed
# quotes, at most 32 words; each refusal says which -x and why.
words=$(awk 'BEGIN { while (n++ < 32) printf " w" }')
xbad() {
	"$P" -t -p 198.51.100.2 -x "$1" >/dev/null 2>"$tmp/x.err"
	rc=$?
	if [ $rc -eq 1 ] && grep -qxF -- "pptpproxy: -x $1: $2" "$tmp/x.err"
	then
		ok "-x refused: $2"
	else
		notok "-x refused: $2 (exit $rc)"
		sed 's/^/  got: /' "$tmp/x.err"
	fi
}
xbad "true" "true is not an absolute path (commands are not looked up in a PATH)"
xbad "bin/check --x" "bin/check is not an absolute path (commands are not looked up in a PATH)"
xbad '/bin/sh -c "exit 0' "a double quote is not closed"
xbad "/bin/check$words" "33 words, more than 32"
xbad "   " "empty"
if "$P" -T -p 198.51.100.2 -x "/bin/check${words% w}" -x '"/bin/tr ue"' \
    >/dev/null 2>&1; then
	ok "-x with 32 words, and a quoted absolute path, accepted"
else
	notok "-x with 32 words, and a quoted absolute path, accepted"
fi

# The full and the restricted control socket on one path: refused, in
# the file or by -s.
printf 'control socket "/run/pptpproxy-x.sock"\ncontrol socket "/run/pptpproxy-x.sock" restricted\nproxy { server 198.51.100.2 }\n' \
    >"$tmp/ro_same.conf"
printf 'control socket "/run/pptpproxy-x.sock" restricted\nproxy { server 198.51.100.2 }\n' \
    >"$tmp/ro_same_s.conf"
"$P" -t -f "$tmp/ro_same.conf" >/dev/null 2>"$tmp/ro_same.err"
rc1=$?
"$P" -t -f "$tmp/ro_same_s.conf" -s /run/pptpproxy-x.sock >/dev/null \
    2>"$tmp/ro_same_s.err"
rc2=$?
if [ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] &&
    grep -qx "pptpproxy: control socket /run/pptpproxy-x.sock: named both full and restricted" "$tmp/ro_same.err" &&
    grep -qx "pptpproxy: control socket /run/pptpproxy-x.sock: named both full and restricted" "$tmp/ro_same_s.err"; then
	ok "one path for the full and the restricted control socket is refused (file, -s)"
else
	notok "one path for the full and the restricted control socket is refused (file, -s) (got $rc1, $rc2)"
	cat "$tmp/ro_same.err" "$tmp/ro_same_s.err" | sed 's/^/  got: /'
fi

# A pair whose listen address and port are taken is left out, warned of.
"$P" -T -f $dir/good_minimal.conf -p 192.0.2.1,198.51.100.7 \
    >"$tmp/taken.out" 2>"$tmp/taken.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c '^proxy' "$tmp/taken.out")" -eq 1 ] &&
    grep -q 'pair ignored' "$tmp/taken.err"; then
	ok "a -p pair on a taken address:port is ignored with a warning"
else
	notok "a -p pair on a taken address:port is ignored with a warning"
	cat "$tmp/taken.out" "$tmp/taken.err" | sed 's/^/  /'
fi

# -p alone needs no file; a named file must exist; bad -p/-a fail.
if "$P" -t -p 198.51.100.2 >/dev/null 2>&1; then
	ok "-p alone needs no configuration file"
else
	notok "-p alone needs no configuration file"
fi
if ! "$P" -t -f $dir/does-not-exist.conf >/dev/null 2>&1; then
	ok "a missing -f file fails"
else
	notok "a missing -f file fails"
fi
if ! "$P" -t -p 192.0.2.1:0,198.51.100.2 >/dev/null 2>&1 &&
    ! "$P" -t -p 198.51.100.2 -a 192.0.2.0/33 >/dev/null 2>&1 &&
    ! "$P" -t -p 198.51.100.2 -a 192.0.2.1/24 >/dev/null 2>&1; then
	ok "bad -p and -a arguments fail"
else
	notok "bad -p and -a arguments fail"
fi
# passes NAME TEXT LINE ARGS...: "pptpproxy -t ARGS" exits 0 and prints
# LINE (a whole line); its output in $tmp/NAME.out.
passes() {
	_n=$1 _text=$2 _want=$3
	shift 3
	"$P" -t "$@" >"$tmp/$_n.out" 2>&1
	_rc=$?
	if [ $_rc -eq 0 ] && grep -qxF -- "$_want" "$tmp/$_n.out"; then
		ok "$_text"
	else
		notok "$_text (got $_rc)"
		sed 's/^/  got: /' "$tmp/$_n.out"
	fi
}
: >"$tmp/empty.conf"
passes empty "a file with no proxy: nothing to do, exit 0" \
    "pptpproxy: no proxy configured in $tmp/empty.conf: nothing to do" \
    -f "$tmp/empty.conf"
# The shipped sample configures nothing until a proxy is uncommented.
passes sample "the shipped sample has no proxy: nothing to do, exit 0" \
    "pptpproxy: no proxy configured in etc/pptpproxy.conf: nothing to do" \
    -f etc/pptpproxy.conf

# "pptpproxy -t" checks the system: the user, the chroot directory and
# the ACL commands the file names (scratch ones, never the machine's).
# syscheck NAME EXPECTED-LINE [CONF-LINE...]: -t exits 1 and says it.
syscheck() {
	_n=$1 _want=$2
	shift 2
	{
		for _l in "$@"; do
			echo "$_l"
		done
		printf 'proxy {\n\tlisten on 192.0.2.2\n\tserver 198.51.100.2\n}\n'
	} >"$tmp/sys_$_n.conf"
	"$P" -t -f "$tmp/sys_$_n.conf" >"$tmp/sys_$_n.out" 2>&1
	_rc=$?
	if [ $_rc -eq 1 ] && grep -qxF -- "pptpproxy: $_want" "$tmp/sys_$_n.out" &&
	    ! grep -q "configuration OK" "$tmp/sys_$_n.out"; then
		ok "-t: $_n: exit 1, \"$_want\""
	else
		notok "-t: $_n: exit 1, \"$_want\" (got $_rc)"
		sed 's/^/  got: /' "$tmp/sys_$_n.out"
	fi
}
# syswarns NAME WARNING TEXT ARGS...: "pptpproxy -t ARGS" exits 0,
# warns (WARNING, without "pptpproxy: warning: ") and says
# "configuration OK".
syswarns() {
	_n=$1 _want=$2 _text=$3
	shift 3
	"$P" -t "$@" >"$tmp/sys_$_n.out" 2>&1
	_rc=$?
	if [ $_rc -eq 0 ] && grep -qxF "pptpproxy: warning: $_want" "$tmp/sys_$_n.out" &&
	    grep -qx "configuration OK" "$tmp/sys_$_n.out"; then
		ok "-t: $_text: a warning, exit 0"
	else
		notok "-t: $_text: a warning, exit 0 (got $_rc)"
		sed 's/^/  got: /' "$tmp/sys_$_n.out"
	fi
}
# sysquiet NAME TEXT ARGS...: "pptpproxy -t ARGS" exits 0 and says not a
# word on sockets.
sysquiet() {
	_n=$1 _text=$2
	shift 2
	"$P" -t "$@" >"$tmp/sys_$_n.out" 2>&1
	_rc=$?
	if [ $_rc -eq 0 ] && ! grep -q "socket" "$tmp/sys_$_n.out"; then
		ok "-t: $_text passes, not a word"
	else
		notok "-t: $_text passes, not a word (got $_rc)"
		sed 's/^/  got: /' "$tmp/sys_$_n.out"
	fi
}
fakeuser=pptpproxy-no-such-user-$$
mkdir -m 0755 "$tmp/root" "$tmp/gw"
chmod 0775 "$tmp/gw"
printf '#!/bin/sh\nexit 0\n' >"$tmp/noexec"
chmod 0644 "$tmp/noexec"
if [ "$(id -u)" -eq 0 ]; then
	chown root "$tmp/root" "$tmp/gw"
	base='user "nobody"'
	cat >"$tmp/sys_good.conf" <<EOC
user "nobody"
chroot "$tmp/root"
acl-command user "nobody"
allow command "/bin/true --flag"
proxy { server 198.51.100.2
	allow command "/bin/sh -c \\"exit 0\\"" }
EOC
	passes sys_good "-t: an existing user, a root-owned 0755 chroot and executable commands pass" \
	    "configuration OK" -f "$tmp/sys_good.conf"
	syscheck missing-chroot "chroot directory $tmp/none does not exist: create it (mkdir -m 0755 $tmp/none, owned by root)" \
	    "$base" "chroot \"$tmp/none\""
	syscheck group-writable-chroot "chroot directory $tmp/gw is writable by group or others: chmod go-w $tmp/gw" \
	    "$base" "chroot \"$tmp/gw\""
	syscheck file-as-chroot "chroot directory $tmp/noexec is not a directory" \
	    "$base" "chroot \"$tmp/noexec\""
	if id nobody >/dev/null 2>&1; then
		mkdir -m 0755 "$tmp/notroot"
		chown nobody "$tmp/notroot"
		syscheck chroot-not-roots "chroot directory $tmp/notroot is owned by user id $(id -u nobody), not root: chown root $tmp/notroot" \
		    "$base" "chroot \"$tmp/notroot\""
	fi
	# The control socket's directory: there, root's, not writable by
	# group or others (a sticky one only warns).
	base2="$base
chroot \"$tmp/root\""
	syscheck missing-socket-dir "control socket directory $tmp/none does not exist: create it (mkdir -m 0755 $tmp/none, owned by root) or name another socket (-s, \"control socket\")" \
	    "$base2" "control socket \"$tmp/none/p.sock\""
	syscheck group-writable-socket-dir "control socket directory $tmp/gw is writable by group or others: chmod go-w $tmp/gw, or name another socket" \
	    "$base2" "control socket \"$tmp/gw/p.sock\""
	syscheck file-as-socket-dir "control socket directory $tmp/noexec is not a directory" \
	    "$base2" "control socket \"$tmp/noexec/p.sock\""
	if id nobody >/dev/null 2>&1; then
		syscheck socket-dir-not-roots "control socket directory $tmp/notroot is owned by user id $(id -u nobody), not root: chown root $tmp/notroot, or name another socket" \
		    "$base2" "control socket \"$tmp/notroot/p.sock\""
	fi
	# -s as the file's "control socket".
	"$P" -t -f "$tmp/sys_good.conf" -s "$tmp/none/p.sock" \
	    >"$tmp/sys_s.out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q "^pptpproxy: control socket directory $tmp/none does not exist" "$tmp/sys_s.out"; then
		ok "-t: the directory of -s is checked too"
	else
		notok "-t: the directory of -s is checked too (got $rc)"
		sed 's/^/  got: /' "$tmp/sys_s.out"
	fi
	mkdir -m 1777 "$tmp/sticky"
	syswarns sticky "control socket directory $tmp/sticky is writable by others (sticky): another user can take the name $tmp/sticky/p.sock while no pptpproxy runs" \
	    "a sticky directory anyone may write" \
	    -f "$tmp/sys_good.conf" -s "$tmp/sticky/p.sock"
	sysquiet sock "a root-owned 0755 socket directory" \
	    -f "$tmp/sys_good.conf" -s "$tmp/root/p.sock"
	# The restricted control socket: its directory as the full one's,
	# its group must exist; a mode letting others in is a warning.
	fakegroup=pptpproxy-no-such-group-$$
	syscheck missing-rsocket-dir "restricted control socket directory $tmp/none does not exist: create it (mkdir -m 0755 $tmp/none, owned by root) or name another socket (\"control socket ... restricted\")" \
	    "$base2" "control socket \"$tmp/none/ro.sock\" restricted"
	syscheck group-writable-rsocket-dir "restricted control socket directory $tmp/gw is writable by group or others: chmod go-w $tmp/gw, or name another socket" \
	    "$base2" "control socket \"$tmp/gw/ro.sock\" restricted group 0"
	syscheck unknown-rsocket-group "restricted control socket $tmp/root/ro.sock: group $fakegroup does not exist: create it (groupadd $fakegroup) or name another" \
	    "$base2" "control socket \"$tmp/root/ro.sock\" restricted group \"$fakegroup\""
	{
		echo "$base2"
		printf 'control socket "%s" restricted group "%s" mode 0666\n' \
		    "$tmp/root/ro.sock" "$(id -gn 0)"
		printf 'proxy { server 198.51.100.2 }\n'
	} >"$tmp/sys_ro_world.conf"
	syswarns ro_world "restricted control socket $tmp/root/ro.sock: mode 0666 lets every local user see the sessions" \
	    "a restricted socket others may use" \
	    -f "$tmp/sys_ro_world.conf" -s "$tmp/root/p.sock"
	sed 's/ mode 0666$/ mode 0660/' "$tmp/sys_ro_world.conf" \
	    >"$tmp/sys_ro_good.conf"
	sysquiet ro_good "a restricted socket with an existing group, mode 0660, in a root-owned 0755 directory" \
	    -f "$tmp/sys_ro_good.conf" -s "$tmp/root/p.sock"
	syscheck unknown-user "user $fakeuser does not exist: create it (useradd -s /usr/sbin/nologin -d $tmp/root $fakeuser) or name another with \"user\"" \
	    "user \"$fakeuser\"" "chroot \"$tmp/root\""
	syscheck unknown-acl-user "acl-command user $fakeuser does not exist" \
	    "$base" "chroot \"$tmp/root\"" "acl-command user \"$fakeuser\""
	syscheck missing-command "acl command \"$tmp/none --x\": $tmp/none: No such file or directory" \
	    "$base" "chroot \"$tmp/root\"" "allow command \"$tmp/none --x\""
	syscheck non-executable-command "acl command \"$tmp/noexec\": $tmp/noexec is not an executable file" \
	    "$base" "chroot \"$tmp/root\"" "allow command \"$tmp/noexec\""
	syscheck directory-as-command "acl command \"$tmp/root\": $tmp/root is not an executable file" \
	    "$base" "chroot \"$tmp/root\"" "allow command \"$tmp/root\""
	syscheck command-in-proxy "acl command \"$tmp/noexec 1\": $tmp/noexec is not an executable file" \
	    "$base" "chroot \"$tmp/root\"" "proxy { listen on 192.0.2.3
	server 198.51.100.3
	allow command \"$tmp/noexec 1\" }"
	"$P" -t -f "$tmp/sys_unknown-user.conf" -x "$tmp/noexec" \
	    >"$tmp/sys_all.out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q "user $fakeuser does not exist" "$tmp/sys_all.out" &&
	    grep -q "$tmp/noexec is not an executable file" "$tmp/sys_all.out"; then
		ok "-t: every problem is said, -x commands checked too"
	else
		notok "-t: every problem is said, -x commands checked too (got $rc)"
		sed 's/^/  got: /' "$tmp/sys_all.out"
	fi
	# -T prints what it read; it does not look at the system.
	if "$P" -T -f "$tmp/sys_missing-chroot.conf" >/dev/null 2>&1; then
		ok "-T does not check the system"
	else
		notok "-T does not check the system"
	fi
else
	echo "# the system checks of -t need root (a root-owned chroot directory)"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
