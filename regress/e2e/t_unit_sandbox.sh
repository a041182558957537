#!/bin/sh
# The systemd unit's restrictions, without systemd: the daemon started as
# etc/pptpproxy.service starts it (pptpproxy -t, then -n -f FILE) under
# the same file system view and capabilities, read from the unit itself:
#   ProtectSystem=strict: every mount read-only but /proc, /sys and /dev,
#     then each ReadWritePaths= directory writable again (a mount
#     namespace of its own, unshare -m);
#   CapabilityBoundingSet=: the bounding set cut to the unit's list
#     before the exec (setpriv), so root gains nothing else.
# -t fails, saying why, with the control socket in a directory the unit
# leaves read-only.  With the control socket and a restricted one of
# group nogroup in /run (where the unit lets the daemon write), -t
# passes, the daemon starts,
# a pptp-linux call goes through to pptpd, pptpproxyctl answers on both
# sockets, and SIGTERM ends it with status 0, both sockets removed.
# Not emulated: the unit's seccomp-based settings (RestrictAddressFamilies,
# SystemCallArchitectures, MemoryDenyWriteExecute...), PrivateTmp,
# PrivateDevices and the Protect*= of kernel settings (the daemon writes
# none of those); the install tier runs systemd-analyze verify on the unit.
. "$(dirname "$0")/lib.sh"
command -v unshare >/dev/null 2>&1 || skip "no unshare (util-linux)"
command -v setpriv >/dev/null 2>&1 || skip "no setpriv (util-linux)"
command -v findmnt >/dev/null 2>&1 || skip "no findmnt (util-linux)"
getent group nogroup >/dev/null || skip "no group nogroup"
[ -d /run ] || skip "no /run"
UNIT=$TOP/etc/pptpproxy.service
[ -f "$UNIT" ] || fail "no $UNIT"

# What the unit says.
grep -q '^ProtectSystem=strict$' "$UNIT" ||
    fail "the unit no longer says ProtectSystem=strict: update this test"
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
[ -n "$caps" ] || fail "no CapabilityBoundingSet= in the unit"
bset=-all
for c in $caps; do
	c=$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')
	bset="$bset,+$c"
done
rw=$(sed -n 's/^ReadWritePaths=//p' "$UNIT")
note "unit: bounding set $bset; writable: ${rw:-nothing}"

lab_topology 1
lab_pptpd
SOCK=/run/pptpproxy-$PFX.sock
RSOCK=/run/pptpproxy-$PFX-ro.sock
cat >"$TMP/unit.conf" <<EOF
control socket "$SOCK"
control socket "$RSOCK" restricted group nogroup
proxy {
	listen on 192.0.2.1
	server 198.51.100.2
}
EOF

# The script run in the firewall's namespace, in a mount namespace of
# its own: read-only mounts as ProtectSystem=strict makes them, the
# unit's writable paths bound again first, then the command with the
# unit's bounding set.
cat >"$TMP/strict.sh" <<'EOF'
set -e
mount --make-rprivate /
for p in $RW; do
	mount --bind "$p" "$p"
done
findmnt -rn -o TARGET | while read -r m; do
	case $m in
	/proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;;
	esac
	w=0
	for p in $RW; do
		[ "$m" = "$p" ] && w=1
	done
	[ $w = 1 ] && continue
	mount -o remount,bind,ro "$m" 2>/dev/null || true
done
exec setpriv --bounding-set "$BSET" "$@"
EOF
RW=$rw
BSET=$bset
export RW BSET
# strict CMD...: CMD as the unit would run it.
strict() {
	nsx fw unshare -m sh "$TMP/strict.sh" "$@"
}

# The view is what it should be: the build tree is read-only, /run not.
strict sh -c "touch '$TMP/probe'" 2>/dev/null &&
    fail "a file could be made outside the unit's writable paths"
# -t says so, where the unit's ExecStartPre runs it, when the control
# socket's directory is read-only there.
strict sed "s|\"/run/|\"$TMP/|" "$TMP/unit.conf" >"$TMP/ro.conf"
strict "$PPTPPROXY" -t -f "$TMP/ro.conf" >"$TMP/ro.out" 2>&1 &&
    fail "-t passed with the control socket in a read-only directory"
said="the daemon could not make the socket there: Read-only file system"
grep -q "control socket directory $TMP: $said" "$TMP/ro.out" ||
    fail "-t on a read-only socket directory: $(cat "$TMP/ro.out")"
for p in $rw; do
	strict sh -c "touch '$p/pptpproxy-$PFX.probe' &&
	    rm '$p/pptpproxy-$PFX.probe'" ||
	    fail "$p is not writable under the emulated unit"
done

strict "$PPTPPROXY" -t -f "$TMP/unit.conf" >"$TMP/t.out" 2>&1 ||
    fail "pptpproxy -t under the unit's restrictions: $(cat "$TMP/t.out")"
grep -q "configuration OK" "$TMP/t.out" ||
    fail "-t did not say configuration OK: $(cat "$TMP/t.out")"

: >"$PLOG"
lab_bg fw unshare -m sh "$TMP/strict.sh" "$PPTPPROXY" -n -f "$TMP/unit.conf" \
    2>"$PLOG"
UNIT_PID=$LAST_PID
lab_wait_log "pptpproxy .* started" 10 || {
	kill -0 "$UNIT_PID" 2>/dev/null || wait "$UNIT_PID"
	fail "the daemon did not start under the unit's restrictions"
}
lab_drive c1 -n 30 -t 20 192.0.2.1 || fail "no call through the daemon"
"$PPTPPROXYCTL" -s "$SOCK" show summary >"$TMP/sum.out" 2>&1 ||
    fail "show summary on the control socket: $(cat "$TMP/sum.out")"
grep -q "sessions up" "$TMP/sum.out" || fail "show summary: $(cat "$TMP/sum.out")"
"$PPTPPROXYCTL" -s "$RSOCK" show summary >"$TMP/rsum.out" 2>&1 ||
    fail "show summary on the restricted socket: $(cat "$TMP/rsum.out")"
[ "$(stat -c %G "$RSOCK")" = nogroup ] ||
    fail "the restricted socket's group is $(stat -c %G "$RSOCK")"
kill -TERM "$UNIT_PID"
lab_gone "$UNIT_PID" 10 || fail "the daemon did not stop"
wait "$UNIT_PID"
rc=$?
[ $rc -eq 0 ] || fail "the daemon exited with $rc, not 0"
[ -e "$SOCK" ] && fail "the control socket was left"
[ -e "$RSOCK" ] && fail "the restricted control socket was left"
exit 0
