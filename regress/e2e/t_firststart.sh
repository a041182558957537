#!/bin/sh
# The first start of a fresh install: what "pptpproxy -t" finds missing
# (here a chroot directory, an unknown user, a command that cannot run;
# scratch names, never the machine's own), the daemon says on standard
# error with the same words and exits 1 at once, in the foreground (-n)
# and in the background (before it forks: the message reaches the
# terminal), with no process left and nothing listening.  A configuration
# with no proxy (the sample as installed) says "nothing to do" and exits
# 0, in both modes.
. "$(dirname "$0")/lib.sh"
lab_ns fw
ip -n "$(ns fw)" addr add 192.0.2.1/24 dev lo
mkdir -m 0755 "$TMP/root"
printf '#!/bin/sh\nexit 0\n' >"$TMP/noexec"
chmod 0644 "$TMP/noexec"
user=nobody
id "$user" >/dev/null 2>&1 || skip "no user nobody"

# conf NAME LINE...: a configuration with those lines and one proxy.
conf() {
	_n=$1
	shift
	{
		for _l in "$@"; do
			echo "$_l"
		done
		printf 'proxy {\n\tlisten on 192.0.2.1\n\tserver 198.51.100.2\n}\n'
	} >"$TMP/$_n.conf"
}

# same NAME MESSAGE: -t, -n and the background start of NAME.conf all
# exit 1 with "pptpproxy: MESSAGE" on standard error, within 3 s, and
# leave nothing running or listening.
same() {
	_f=$TMP/$1.conf
	for _mode in -t -n bg; do
		_o=$TMP/$1$_mode.out
		_t0=$(date +%s)
		case $_mode in
		bg) nsx fw timeout 10 "$PPTPPROXY" -f "$_f" >"$_o" 2>&1 ;;
		*) nsx fw timeout 10 "$PPTPPROXY" $_mode -f "$_f" >"$_o" 2>&1 ;;
		esac
		_rc=$?
		_el=$(( $(date +%s) - _t0 ))
		[ $_rc -eq 1 ] || fail "$1 $_mode: exit $_rc, not 1: $(cat "$_o")"
		grep -qxF "pptpproxy: $2" "$_o" ||
		    fail "$1 $_mode: not said on standard error: $(cat "$_o")"
		[ $_el -le 3 ] || fail "$1 $_mode: took ${_el}s"
		[ -z "$(ip netns pids "$(ns fw)")" ] ||
		    fail "$1 $_mode: a process is left in the namespace"
		lab_port_closed fw 1723 || fail "$1 $_mode: port 1723 open"
	done
	echo "$1: -t, -n and background: exit 1, \"$2\""
}

conf missing-chroot "user \"$user\"" "chroot \"$TMP/none\""
same missing-chroot "chroot directory $TMP/none does not exist: create it (mkdir -m 0755 $TMP/none, owned by root)"
fake=pptpproxy-no-such-user-$$
conf unknown-user "user \"$fake\"" "chroot \"$TMP/root\""
same unknown-user "user $fake does not exist: create it (useradd -s /usr/sbin/nologin -d $TMP/root $fake) or name another with \"user\""
conf bad-command "user \"$user\"" "chroot \"$TMP/root\"" \
    "allow command \"$TMP/noexec --check\""
same bad-command "acl command \"$TMP/noexec --check\": $TMP/noexec is not an executable file"

# Nothing configured: "nothing to do", exit 0, nothing left running.
printf '# every proxy commented out\n#proxy {\n#}\n' >"$TMP/empty.conf"
for _mode in -t -n bg; do
	_o=$TMP/empty$_mode.out
	case $_mode in
	bg) nsx fw timeout 10 "$PPTPPROXY" -f "$TMP/empty.conf" >"$_o" 2>&1 ;;
	*) nsx fw timeout 10 "$PPTPPROXY" $_mode -f "$TMP/empty.conf" \
	    >"$_o" 2>&1 ;;
	esac
	_rc=$?
	[ $_rc -eq 0 ] || fail "no proxy, $_mode: exit $_rc, not 0: $(cat "$_o")"
	grep -qxF "pptpproxy: no proxy configured in $TMP/empty.conf: nothing to do" "$_o" ||
	    fail "no proxy, $_mode: $(cat "$_o")"
	[ -z "$(ip netns pids "$(ns fw)")" ] ||
	    fail "no proxy, $_mode: a process is left in the namespace"
done
echo "no proxy: -t, -n and background: exit 0, \"nothing to do\""

# And a good one starts (the checks pass with what exists).
conf good "user \"$user\"" "chroot \"$TMP/root\"" "allow command \"/bin/true\""
lab_proxy fw -f "$TMP/good.conf"
exit 0
