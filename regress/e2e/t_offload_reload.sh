#!/bin/sh
# gre offload and SIGHUP: "gre offload" is read at start only.  A reload
# whose file says "gre offload no" is logged ("stays on until a restart"),
# the kernel keeps forwarding, and a call set up after the reload is
# still offloaded and echoes every frame; the table stays.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
offload_proxy 1
lab_wait_log "gre offload: the kernel forwards" 5 || fail "offload is not on"
sed -i 's/^gre offload yes$/gre offload no/' "$TMP/offload.conf"
grep -q "^gre offload no$" "$TMP/offload.conf" || fail "could not edit the file"
kill -HUP "$PROXY_PID"
lab_wait_log "gre offload is set at start only: it stays on until a restart" 5 ||
    fail "no warning that the reload cannot turn offload off"
lab_drive c1 -k 3 -w 4 -t 30 192.0.2.1 >"$TMP/drive.out" 2>&1 &
drv=$!
lab_track $drv
lab_wait_log "call 1 up" 15 || fail "no call after the reload"
sleep 1.5
k=$(nsx fw nft list set ip pptpproxy peers | grep -c "counter packets")
[ "$k" -eq 2 ] || fail "the call after the reload is not in the kernel ($k elements)"
wait $drv || { cat "$TMP/drive.out"; fail "frames lost after the reload"; }
cat "$TMP/drive.out"
lab_wait_log "ended after" 10 || fail "no session end"
offload_empty "after the call"
exit 0
