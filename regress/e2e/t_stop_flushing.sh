#!/bin/sh
# A stop with a session that cannot be flushed: a client that never reads
# while its server floods it, so the relay holds bytes for the client
# when the stop begins.  At "timeout stop 2" the session is cut off and
# counted once, though what the relay still holds keeps it a while longer
# (it flushes a closing side for up to 5 s, past the daemon's own end at
# timeout stop + 1 s): "stopped: 0 of 1 session ended in order, 1 cut off
# after 2 s", not a second count of the same session (which made it
# "4294967295 of 1 ..., 2 cut off").
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_bg s "$E2E/floodsrv" 198.51.100.2
lab_wait_port s 1723 || fail "flood server"
printf 'timeout stop 2\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n' >"$TMP/p.conf"
lab_proxy fw -f "$TMP/p.conf"
lab_bg c1 python3 "$E2E/noreader" 192.0.2.1 60
lab_wait_log "client not reading, holding the server" 10 ||
    fail "the relay did not come to hold the server"
kill -TERM "$PROXY_PID"
wait "$PROXY_PID"
rc=$?
grep "stopped:\|did not end" "$PLOG" | sed 's/^[^]]*\]: /  /'
[ $rc -eq 0 ] || fail "exit status $rc"
grep -q "session 1: the client did not end the control connection within 2 s (timeout stop)" "$PLOG" ||
    fail "no line for the client that did not answer"
grep -q "stopped: 0 of 1 session ended in order, 1 cut off after 2 s" "$PLOG" ||
    fail "the stop's last line does not count one session, cut off"
exit 0
