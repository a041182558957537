#!/bin/sh
# A tunnelling pptpproxy whose server is a plain PPTP server (pptpd, where
# B would be): A says so in its log, closes the client's connection, and
# the client gives up within its time limit; nothing hangs.
. "$(dirname "$0")/lib.sh"
lab_tunnel_topology 1
# pptpd listens where B would.
lab_pptpd fw2
cat >"$TMP/a.conf" <<EOC
timeout connect 5
proxy a {
	listen on 192.0.2.1
	server 198.51.100.66 tunnel
}
EOC
lab_proxy fw -f "$TMP/a.conf"
t0=$(date +%s)
lab_drive c1 -n 5 -t 15 192.0.2.1
rc=$?
t1=$(date +%s)
[ "$rc" -ne 0 ] || fail "a call passed through a tunnelling proxy to plain pptpd"
lab_wait_log "server 198.51.100.66:1723 is not a tunnelling pptpproxy" 10 ||
    fail "A did not say that its server is not a tunnelling pptpproxy"
lab_wait_log "session 1: 192.0.2.10:[0-9]* .*(server 198.51.100.66:1723 is not a tunnelling pptpproxy" 10 ||
    fail "A did not close the client's session saying why"
[ $((t1 - t0)) -le 20 ] || fail "the client took $((t1 - t0)) s to give up"
grep "not a tunnelling" "$PLOG" | head -2
exit 0
