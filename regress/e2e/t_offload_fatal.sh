#!/bin/sh
# With gre offload on, the parent removes its nftables table however it
# ends, a fatal error included: the test build (-DPPTPPROXY_TEST) makes
# the parent call fatalx() on SIGUSR2.  It exits 1, table ip pptpproxy
# is gone, and so are its children.
top=$(cd "$(dirname "$0")/../.." && pwd)
PPTPPROXY=$top/build/test/pptpproxy
. "$(dirname "$0")/lib.sh"
[ "$(uname -s)" = Linux ] || skip "Linux only"
make -s -C "$top" testbuild \
    >"$TMP/make.out" 2>&1 || { cat "$TMP/make.out"; fail "test build"; }
lab_topology 1
lab_pptpd
offload_proxy 1
lab_wait_log "gre offload: the kernel forwards" 5 ||
    fail "no start-up line saying the kernel forwards GRE"
nsx fw nft list table ip pptpproxy >/dev/null 2>&1 ||
    fail "no table ip pptpproxy after the start"
# A call whose elements are in the kernel when the parent fails.
lab_drive c1 -k 4 -w 4 -t 30 192.0.2.1 >"$TMP/drive.out" 2>&1 &
lab_track $!
lab_wait_log "call 1 up" 15 || fail "no call up"
sleep 1.5
nsx fw nft list set ip pptpproxy peers 2>&1 | grep -q "counter packets" ||
    fail "no element in the kernel while the call is up"
kids=$(proxy_children)
kill -USR2 "$PROXY_PID"
lab_gone "$PROXY_PID" 5 || fail "the parent did not end"
wait "$PROXY_PID"
rc=$?
[ $rc -eq 1 ] || fail "exit status $rc, not 1"
grep -q "test build: a fatal error on SIGUSR2" "$PLOG" ||
    fail "no line of the fatal error"
nsx fw nft list table ip pptpproxy >"$TMP/table" 2>&1 &&
    fail "table ip pptpproxy left after a fatal error: $(cat "$TMP/table")"
sleep 0.5
for k in $kids; do
	[ -d "/proc/$k" ] && grep -q pptpproxy "/proc/$k/cmdline" 2>/dev/null &&
	    fail "child $k left behind"
done
exit 0
