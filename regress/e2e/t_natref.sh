#!/bin/sh
# Harness self-check through the reference a user would otherwise pick:
# the kernel's PPTP NAT (conntrack helper) on the firewall.  Two clients
# connect to 192.0.2.1, which is DNATed to the server; both echo 200
# frames.  Skipped when the kernel has no pptp helper.
. "$(dirname "$0")/lib.sh"
lab_topology 2
lab_nat
lab_pptpd
lab_drive c1 -n 200 -w 8 -t 60 192.0.2.1 >"$TMP/c1.out" 2>&1 &
p1=$!
lab_track $p1
lab_drive c2 -n 200 -w 8 -t 60 192.0.2.1 >"$TMP/c2.out" 2>&1 &
p2=$!
lab_track $p2
wait $p1; r1=$?
wait $p2; r2=$?
cat "$TMP/c1.out" "$TMP/c2.out"
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] ||
    fail "no echo through the kernel's PPTP NAT ($r1, $r2)"
exit 0
