#!/bin/sh
# gre offload: with "gre offload yes" the kernel forwards the GRE of a
# call between pptp-linux and pptpd through the rules and set elements
# the parent put in (nftables table ip pptpproxy).  Frames echo intact;
# the elements are there while the call is up and their counter moves;
# the user-space forwarder sees only what came before them; the session
# end line counts every packet, the kernel's too; the elements go when
# the call ends and the table when the proxy stops.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
offload_proxy 1
lab_wait_log "gre offload: the kernel forwards" 5 ||
    fail "no start-up line saying the kernel forwards GRE"
nsx fw nft list table ip pptpproxy >"$TMP/table" 2>&1 ||
    fail "no nftables table ip pptpproxy: $(cat "$TMP/table")"

# A call that lasts 4 seconds at 200 frames a second.
lab_drive c1 -k 4 -w 4 -t 30 192.0.2.1 >"$TMP/drive.out" 2>&1 &
drv=$!
lab_track $drv
lab_wait_log "call 1 up" 15 || fail "no call up"
sleep 2
nsx fw nft list set ip pptpproxy peers >"$TMP/peers" 2>&1
cat "$TMP/peers"
n=$(grep -c "counter packets" "$TMP/peers")
[ "$n" -eq 2 ] || fail "expected 2 elements in the peers set (one per direction) while the call is up, saw $n"
moved=$(sed -n 's/.*counter packets \([0-9]*\).*/\1/p' "$TMP/peers" |
    awk '$1 > 50 { n++ } END { print n + 0 }')
[ "$moved" -eq 2 ] || fail "the kernel's counters did not move in both directions"
kill -USR1 "$PROXY_PID"
wait $drv || { cat "$TMP/drive.out"; fail "frames did not come back intact through the offloaded path"; }
cat "$TMP/drive.out"
lab_wait_log "ended after" 10 || fail "no session end line"
sent=$(sed -n 's/.* ok: \([0-9][0-9]*\)\/.*/\1/p' "$TMP/drive.out")
[ -n "$sent" ] && [ "$sent" -ge 400 ] || fail "too few frames echoed: ${sent:-none}"
# Every frame echoed went through the proxy both ways, kernel or not.
session_counted "$sent"
to_s=$TO_S
to_c=$TO_C
lab_wait_log "Call IDs forwarded by the kernel" 5 ||
    fail "no offload status line on SIGUSR1"
# The forwarder's line comes through the parent, after the parent's own.
lab_wait_log "gre: 2 routes (2 handed to the kernel)" 5 ||
    fail "the GRE forwarder's status does not say both routes went to the kernel"
# What the user-space forwarder handled: only the first few packets.
us=$(sed -n 's/.*gre: [0-9]* routes ([0-9]* handed to the kernel), \([0-9]*\) forwarded.*/\1/p' "$PLOG" | tail -1)
echo "user-space forwarder: ${us:-?} packets; session: $to_s + $to_c"
[ -n "$us" ] && [ "$us" -lt $(( (to_s + to_c) / 4 )) ] ||
    fail "the user-space forwarder handled ${us:-?} of $((to_s + to_c)) packets"
offload_empty "after the call"
offload_stopped
exit 0
