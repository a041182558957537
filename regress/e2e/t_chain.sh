#!/bin/sh
# Two proxies chained: client -> fw (192.0.2.1) -> fw2 (203.0.113.2) ->
# server.  Each proxy relays and rewrites the Call IDs; 200 frames come
# back intact and in order, and both proxies log the session and the call.
. "$(dirname "$0")/lib.sh"
lab_chain_topology
lab_pptpd
PLOG2=$TMP/proxy2.log
EXTRA_LOGS=$PLOG2
lab_proxy fw -p 192.0.2.1,203.0.113.2
PROXY_LOG=$PLOG2 lab_proxy fw2 -p 203.0.113.2,198.51.100.2
lab_drive c1 -n 200 -w 8 -t 60 192.0.2.1 || fail "echo through two proxies"
grep -q "192.0.2.10:[0-9]* -> 192.0.2.1:1723 relayed to 203.0.113.2:1723 from 203.0.113.1:" "$PLOG" ||
    fail "the first proxy did not relay to the second"
grep -q "203.0.113.1:[0-9]* -> 203.0.113.2:1723 relayed to 198.51.100.2:1723 from 198.51.100.1:" "$PLOG2" ||
    fail "the second proxy did not relay the first one's connection to the server"
lab_wait_log "call 1 up" 5 "$PLOG" || fail "the first proxy saw no call"
lab_wait_log "call 1 up" 5 "$PLOG2" || fail "the second proxy saw no call"
# What the first shows the server is what the second sees as the client's.
a=$(sed -n 's/.*call 1 up: .*(shown to the server as \([0-9]*\)).*/\1/p' "$PLOG")
b=$(sed -n 's/.*call 1 up: client Call ID \([0-9]*\) .*/\1/p' "$PLOG2")
[ -n "$a" ] && [ "$a" = "$b" ] || fail "Call IDs do not chain: first shows $a, second sees $b"
lab_wait_log "ended after" 10 "$PLOG" || fail "no session end on the first proxy"
lab_wait_log "ended after" 10 "$PLOG2" || fail "no session end on the second proxy"
exit 0
