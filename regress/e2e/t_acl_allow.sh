#!/bin/sh
# -a: a client inside the allowed subnet gets through; one outside does not.
. "$(dirname "$0")/lab.sh"
lab_topology 2
lab_pptpd
lab_proxy fw -p 192.0.2.1,198.51.100.2 -a 192.0.2.10/32 -a 203.0.113.0/255.255.255.0
lab_drive c1 192.0.2.1 -n 50 -t 30 || fail "allowed client 192.0.2.10"
lab_drive c2 192.0.2.1 -n 5 -t 8 && fail "client 192.0.2.11 got through"
lab_wait_log "192.0.2.11 not allowed" 5 || fail "no log line for the denied client"
exit 0
