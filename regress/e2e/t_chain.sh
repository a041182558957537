#!/bin/sh
# Two proxies chained: client -> fw (192.0.2.1) -> fw2 (203.0.113.2) ->
# server.  Both rewrite Call IDs; frames come back intact.
. "$(dirname "$0")/lab.sh"
lab_ns fw
lab_ns fw2
lab_ns s
ip -n "$PFX"fw link add br0 type bridge
ip -n "$PFX"fw addr add 192.0.2.1/24 dev br0
ip -n "$PFX"fw link set br0 up
lab_client_host 1
lab_link fw 203.0.113.1/24 fw2 203.0.113.2/24
lab_link fw2 198.51.100.1/24 s 198.51.100.2/24
lab_pptpd
lab_proxy fw -p 192.0.2.1,203.0.113.2
PROXY_LOG=$TMP/proxy2.log lab_proxy fw2 -p 203.0.113.2,198.51.100.2
lab_drive c1 192.0.2.1 -n 200 -t 60 || { PLOG=$TMP/proxy2.log; fail "echo through two proxies"; }
lab_wait_log "call 1 up" 5 "$TMP/proxy2.log" || fail "second proxy saw no call"
exit 0
