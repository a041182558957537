#!/bin/sh
# -a: clients inside an allowed subnet, given with a prefix length
# (192.0.2.8/30: .10 and .11) or a dotted mask (192.0.2.16/255.255.255.240:
# .20), are let in and echo; a client outside every subnet (.12) is not.
. "$(dirname "$0")/lib.sh"
lab_topology 3
lab_client 4 192.0.2.20
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2 -a 203.0.113.0/24 \
    -a 192.0.2.8/30 -a 192.0.2.16/255.255.255.240
lab_drive c1 -n 100 -t 30 192.0.2.1 || fail "client 192.0.2.10 (in 192.0.2.8/30) not let through"
lab_drive c2 -n 100 -t 30 192.0.2.1 || fail "client 192.0.2.11 (in 192.0.2.8/30) not let through"
lab_drive c4 -n 100 -t 30 192.0.2.1 || fail "client 192.0.2.20 (in 192.0.2.16/255.255.255.240) not let through"
lab_drive_refused c3 "client 192.0.2.12 not allowed on proxy .* (acl)" -n 5 -t 5 192.0.2.1
grep -q "192.0.2.1[01]:.*not allowed\|192.0.2.20:.*not allowed" "$PLOG" &&
    fail "an allowed client was logged as refused"
[ "$(log_count 'call 1 up')" -eq 3 ] || fail "expected three calls up"
exit 0
