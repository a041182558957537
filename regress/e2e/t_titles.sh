#!/bin/sh
# Process titles: each process of the daemon shows as exactly
# "pptpproxy: parent", "pptpproxy: control" and "pptpproxy: gre" - in
# /proc/PID/cmdline (the title and its NUL, no padding after it), in
# ps -o args, and to pgrep -xf - whatever the length of the command line
# it was started with.  On Linux the title is written over the argument
# strings and the environment after them; the kernel shows the title
# alone only when the last byte of the arguments is not a NUL, so each
# case of where the title ends is run:
#  1. short: the binary at /mnt/pptpproxy (a private mount namespace),
#     started through PATH as "pptpproxy -df c": 16 bytes of arguments,
#     the parent's title runs on into the environment; the children's
#     (/mnt/pptpproxy -P NAME -D) end inside their arguments;
#  2. "pptpproxy -df ccc": 18 bytes, the parent's title and its NUL fill
#     them exactly;
#  3. long: build/pptpproxy with -l, -s and eight -p, over 300 bytes.
# In each, pgrep -xf finds, among the processes of this test's namespace,
# exactly the parent for its title and exactly one child of it for each
# child's.
. "$(dirname "$0")/lib.sh"
[ -d /mnt ] || skip "no /mnt to mount the short path on"
command -v unshare >/dev/null 2>&1 || skip "no unshare"
lab_ns fw
ip -n "$(ns fw)" addr add 192.0.2.1/24 dev lo

# check_titles PID CASE: the titles of daemon PID and of its children,
# polled for up to 5 s (the parent titles itself once set up).
check_titles() {
	_end=$(($(date +%s) + 5))
	while :; do
		_why=$(titles_wrong "$1") || break
		[ "$(date +%s)" -lt $_end ] || fail "$2: $_why"
		sleep 0.1
	done
	echo "$2: $(for _p in $1 $(pgrep -P "$1" | sort -n); do
		printf '%s=%s; ' "$_p" "$(cat -v "/proc/$_p/cmdline")"; done)"
}

# titles_wrong PID: say what is wrong with the titles and return 0, or
# return 1 when they are right.
titles_wrong() {
	_kids=$(pgrep -P "$1" | sort -n | tr '\n' ' ')
	_ours=$(ip netns pids "$(ns fw)")
	_found=""
	for _t in parent control gre; do
		_m=""
		for _p in $(pgrep -xf "pptpproxy: $_t"); do
			echo "$_ours" | grep -qx "$_p" && _m="$_m $_p"
		done
		[ "$(echo $_m | wc -w)" -eq 1 ] || { echo "pgrep -xf" \
		    "\"pptpproxy: $_t\" finds ${_m:- none} here"; return 0; }
		_p=${_m# }
		if [ $_t = parent ]; then
			[ "$_p" = "$1" ] ||
			    { echo "the parent's title is on $_p"; return 0; }
		else
			case " $_kids" in
			*" $_p "*) ;;
			*) echo "$_t is $_p, not a child of $1"; return 0 ;;
			esac
			_found="$_found $_p"
		fi
		# cat -v shows a NUL as ^@: the title, then at most its NUL.
		_c=$(cat -v "/proc/$_p/cmdline")
		[ "$_c" = "pptpproxy: $_t^@" ] || [ "$_c" = "pptpproxy: $_t" ] ||
		    { echo "$_t: cmdline is \"$_c\""; return 0; }
		_a=$(ps -o args= -p "$_p")
		[ "$_a" = "pptpproxy: $_t" ] ||
		    { echo "$_t: ps -o args shows \"$_a\""; return 0; }
	done
	[ "$(echo $_found | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "$_kids" ] ||
	    { echo "children $_kids, titled$_found"; return 0; }
	return 1
}

# argbytes PID: how many bytes of arguments exec gave PID (arg_end -
# arg_start, fields 48 and 49 of /proc/PID/stat).
argbytes() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $47 - $46 }'
}

# stop PID: SIGTERM, and wait until no process is left in fw.
stop() {
	kill "$1"
	_i=0
	while [ -n "$(ip netns pids "$(ns fw)")" ]; do
		[ $_i -lt 100 ] || fail "the daemon did not end"
		sleep 0.1
		_i=$((_i + 1))
	done
}

mkdir "$TMP/run"
cat >"$TMP/run/c" <<EOF
control socket "$CTLSOCK"
proxy { listen on 192.0.2.1; server 198.51.100.2 }
EOF
cp "$TMP/run/c" "$TMP/run/ccc"

# short FILE: the daemon as "pptpproxy -df FILE", from /mnt.
short() {
	: >"$PLOG"
	lab_bg fw unshare -m --propagation private sh -c '
	    mount -t tmpfs -o mode=0755 tmpfs /mnt &&
	    cp "$1" /mnt/pptpproxy && cd "$2" && PATH=/mnt:$PATH &&
	    exec pptpproxy -df "$3" 2>"$4"' sh "$PPTPPROXY" "$TMP/run" "$1" \
	    "$PLOG"
	PROXY_PID=$LAST_PID
	lab_wait_port fw 1723 10 || fail "pptpproxy -df $1 did not start"
}

short c
[ "$(readlink "/proc/$PROXY_PID/exe")" = /mnt/pptpproxy ] ||
    fail "the daemon does not run /mnt/pptpproxy"
[ "$(argbytes "$PROXY_PID")" -eq 16 ] ||
    fail "pptpproxy -df c: $(argbytes "$PROXY_PID") bytes of arguments"
check_titles "$PROXY_PID" "pptpproxy -df c"
stop "$PROXY_PID"

short ccc
[ "$(argbytes "$PROXY_PID")" -eq 18 ] ||
    fail "pptpproxy -df ccc: $(argbytes "$PROXY_PID") bytes of arguments"
check_titles "$PROXY_PID" "pptpproxy -df ccc"
stop "$PROXY_PID"

lab_proxy fw -p 192.0.2.1,198.51.100.2 -p 192.0.2.1:1724,198.51.100.2:1723 \
    -p 192.0.2.1:1725,198.51.100.2:1723 -p 192.0.2.1:1726,198.51.100.2:1723 \
    -p 192.0.2.1:1727,198.51.100.2:1723 -p 192.0.2.1:1728,198.51.100.2:1723 \
    -p 192.0.2.1:1729,198.51.100.2:1723 -p 192.0.2.1:1730,198.51.100.2:1723
[ "$(argbytes "$PROXY_PID")" -gt 300 ] ||
    fail "long: $(argbytes "$PROXY_PID") bytes of arguments"
check_titles "$PROXY_PID" "long command line"
stop "$PROXY_PID"
exit 0
