#!/bin/sh
# gre offload without IP forwarding: with "gre offload yes" but
# net.ipv4.ip_forward=0 on the firewall the kernel could not forward what
# the prerouting chain rewrote (it would drop it), so the proxy does not
# offload at all: it says so at start ("gre offload: IP forwarding is off
# ...; GRE is forwarded in user space"), puts no nftables table ip
# pptpproxy in, and a call between pptp-linux and pptpd still echoes every
# frame through the user-space forwarder; the session end line counts
# them all, each way.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
# The client and the server talk to the proxy's addresses only: no routes.
offload_proxy 0
[ "$(nsx fw sysctl -n net.ipv4.ip_forward)" = 0 ] ||
    fail "ip_forward is not 0 in the firewall namespace"
lab_wait_log "gre offload:" 5 || fail "no gre offload line at start-up"
w=$(grep "gre offload:" "$PLOG" | head -1)
echo "$w" | sed 's/^.*gre offload:/gre offload:/'
echo "$w" | grep -q "IP forwarding is off" ||
    fail "the gre offload line does not say IP forwarding is off"
echo "$w" | grep -q "forwarded in user space" ||
    fail "the gre offload line does not say GRE is forwarded in user space"
grep -q "gre offload: the kernel forwards" "$PLOG" &&
    fail "the proxy claims the kernel forwards GRE without IP forwarding"
nsx fw nft list table ip pptpproxy >/dev/null 2>&1 &&
    fail "table ip pptpproxy created although IP forwarding is off"

lab_drive c1 -n 200 -w 8 -t 60 192.0.2.1 >"$TMP/drive.out" 2>&1 ||
    { cat "$TMP/drive.out"; fail "frames did not come back intact"; }
cat "$TMP/drive.out"
sent=$(sed -n 's/.* ok: \([0-9][0-9]*\)\/.*/\1/p' "$TMP/drive.out")
[ -n "$sent" ] && [ "$sent" -ge 200 ] || fail "too few frames echoed: ${sent:-none}"
lab_wait_log "ended after" 10 || fail "no session end line"
session_counted 200
to_s=$TO_S
to_c=$TO_C
# Nothing went to the kernel: no table now either, and the status line of
# an active offload is not there.
nsx fw nft list table ip pptpproxy >/dev/null 2>&1 &&
    fail "table ip pptpproxy there after the call"
kill -USR1 "$PROXY_PID"
lab_wait_log "gre: [0-9]* routes ([0-9]* handed to the kernel), [0-9]* forwarded" 5 ||
    fail "no status line from the GRE forwarder on SIGUSR1"
us=$(sed -n 's/.*gre: [0-9]* routes ([0-9]* handed to the kernel), \([0-9]*\) forwarded.*/\1/p' "$PLOG" | tail -1)
echo "user-space forwarder: ${us:-?} packets; session: $to_s + $to_c"
[ -n "$us" ] && [ "$us" -ge $((to_s + to_c)) ] ||
    fail "the user-space forwarder forwarded ${us:-?} packets, the session counted $((to_s + to_c))"
grep -q "Call IDs forwarded by the kernel" "$PLOG" &&
    fail "offload status line although offload is off"
exit 0
