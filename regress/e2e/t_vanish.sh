#!/bin/sh
# A client that vanishes without closing (its packets stop arriving): the
# idle timeout (3 s here) ends the session, the server side is closed too.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
printf 'timeout idle 3\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n' > "$TMP/c.conf"
lab_proxy fw -f "$TMP/c.conf"
lab_drive c1 -n 1 -k 30 -t 40 192.0.2.1 > /dev/null 2>&1 &
lab_wait_log "call 1 up" 10 || fail "no call"
sleep 1
nsx c1 iptables -A OUTPUT -j DROP || skip "no iptables"
nsx c1 iptables -A INPUT -j DROP
lab_wait_log "idle for 3 s (timeout idle)" 12 || fail "a vanished client was not noticed"
lab_wait_log "ended after" 5 || fail "no session end"
exit 0
