# Helpers for the t_hostile_* tests, which play a compromised child of
# pptpproxy with build/tools/hostile: it stops the child, takes a copy of
# its channel to the parent (pidfd_getfd, Linux 5.6 or later) and sends
# the parent what no honest child would.  Sourced after lib.sh.

HOSTILE=$TOOLS/hostile
[ "$(uname -s)" = Linux ] || skip "Linux only (pidfd_getfd)"
[ -x "$HOSTILE" ] || skip "no $HOSTILE (make tools)"
_kv=$(uname -r)
_kmaj=${_kv%%.*}
_kmin=${_kv#*.}
_kmin=${_kmin%%[!0-9]*}
[ "$_kmaj" -gt 5 ] || { [ "$_kmaj" -eq 5 ] && [ "$_kmin" -ge 6 ]; } ||
    skip "pidfd_getfd(2) needs Linux 5.6, this is $_kv"

# hostile_child WHO: the pid of the proxy's child WHO (control or gre).
hostile_child() {
	proxy_child "pptpproxy: $1" ||
	    fail "no $1 process (children: $(proxy_children))"
}

# hostile WHO ARGS...: play child WHO with the tool (let go on after);
# the tool's output goes to $TMP/hostile.out.
hostile() {
	_who=$1
	shift
	"$HOSTILE" -c "$(hostile_child "$_who")" "$@" >"$TMP/hostile.out" 2>&1
	_hrc=$?
	cat "$TMP/hostile.out"
	return $_hrc
}

# parent_fds, parent_rss: the parent's open descriptors, its RSS in kB.
parent_fds() {
	ls "/proc/$PROXY_PID/fd" 2>/dev/null | wc -l
}
parent_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$PROXY_PID/status"
}

# hostile_start [offload]: a proxy from 192.0.2.1 to 198.51.100.2 that
# lets in 192.0.2.0/24 only; with "offload", gre offload on.  Records
# its children in KIDS.
hostile_start() {
	: >"$PLOG"
	if [ "${1:-}" = offload ]; then
		offload_proxy 1 "allow from 192.0.2.0/24"
		lab_wait_log "gre offload: the kernel forwards" 5 ||
		    fail "gre offload did not start"
	else
		lab_proxy fw -p 192.0.2.1,198.51.100.2 -a 192.0.2.0/24
	fi
	proxy_wait_children 2
	# Both children past their start-up (titles set).
	hostile_child control >/dev/null
	hostile_child gre >/dev/null
}

# hostile_ended CASE PATTERN: the parent ends within 10 s, with status
# 1, after a line saying what the child did (PATTERN) and that it is
# treated as compromised; no nftables table and no child is left.
hostile_ended() {
	_i=0
	while kill -0 "$PROXY_PID" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -0 "$PROXY_PID" 2>/dev/null &&
	    fail "$1: the parent goes on after it"
	wait "$PROXY_PID"
	_rc=$?
	[ $_rc -eq 1 ] || fail "$1: the parent exited with $_rc, not 1"
	grep "treating it as compromised" "$PLOG" | grep -q -e "$2" ||
	    fail "$1: no line with \"$2\" and \"treating it as compromised\""
	if command -v nft >/dev/null 2>&1; then
		nsx fw nft list table ip pptpproxy >/dev/null 2>&1 &&
		    fail "$1: table ip pptpproxy left behind"
	fi
	proxy_children_gone "$1"
	note "ok: $1: $(grep 'treating it as compromised' "$PLOG" |
	    sed 's/^.*parent: //')"
}

# hostile_acl_relays SECONDS: relays 2 and one ACL command slot (cache
# off, timeout 10 s) for a proxy from 192.0.2.1 to 198.51.100.2.  The
# command appends "start TIME ADDRESS" to $TMP/runs, lets c1
# (192.0.2.10) in at once and refuses any other address after SECONDS.
# R1: relay 1's pid.
hostile_acl_relays() {
	cat >"$TMP/acl" <<-EOS
	#!/bin/sh
	echo "start \$(date +%s.%N) \$1" >>"$TMP/runs"
	[ "\$1" = 192.0.2.10 ] && exit 0
	sleep $1
	exit 1
	EOS
	chmod 755 "$TMP/acl"
	: >"$TMP/runs"
	cat >"$TMP/p.conf" <<-EOC
	relays 2
	acl-command limit 1
	acl-command cache 0
	acl-command timeout 10
	proxy "office" {
		listen on 192.0.2.1 port 1723
		server 198.51.100.2 port 1723
		allow command "$TMP/acl"
	}
	EOC
	lab_proxy fw -f "$TMP/p.conf"
	proxy_wait_children 4 || fail "children: $KIDS"
	R1=$(proxy_kid "control 1") || exit 1
}
