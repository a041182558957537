#!/bin/sh
# The stop's accounting, against a server that answers a
# Stop-Control-Connection-Request but never closes (the relay waits for
# a server's FIN after its reply, at most timeout stop, here 2 s).  A
# session killed on the control socket ends after 2 s with an info line
# naming the server, and is not counted by a later SIGTERM's last line.
# A session up at the SIGTERM, whose client answers and closes and whose
# server does not, is cut off after 2 s and counted so: "stopped: 0 of 1
# session ended in order, 1 cut off after 2 s".
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
lab_topology 1
lab_bg s python3 "$E2E/mutesrv" 198.51.100.2 1723 "$TMP/stops" -1
lab_wait_port s 1723 5 || fail "the server did not start"
printf 'timeout stop 2\nproxy {\n listen on 192.0.2.1\n server 198.51.100.2\n}\n' >"$TMP/p.conf"
lab_proxy fw -f "$TMP/p.conf"
# The daemon runs with -d: at the info level, so that the lines checked
# below are info lines, not debug ones.
ctl log brief >/dev/null || fail "log brief"

lab_held stopped 1 1723 k || fail "session 1 did not start"
kp=$HELD_PID
ctl kill session 1 >/dev/null || fail "kill session 1 failed"
wait $kp || { cat "$TMP/k.out"; fail "the killed session's client failed"; }
cat "$TMP/k.out"
lab_wait_log "session 1: the server did not end the control connection within 2 s (timeout stop)" 5 ||
    fail "no line for the server that did not close"
lab_wait_log "session 1: .*killed on the control socket" 5 ||
    fail "no end line for the killed session"

lab_held stopped 1 1723 t || fail "session 2 did not start"
tp=$HELD_PID
kill -TERM "$PROXY_PID"
wait "$PROXY_PID"
rc=$?
wait $tp || { cat "$TMP/t.out"; fail "the stopped session's client failed"; }
cat "$TMP/t.out"
grep "stopped:" "$PLOG" | sed 's/^[^]]*\]: /  /'
[ $rc -eq 0 ] || fail "exit status $rc"
[ "$(cat "$TMP/stops")" = 2 ] || fail "the server answered $(cat "$TMP/stops") Stops, not 2"
grep -q "session 2: the server did not end the control connection within 2 s (timeout stop)" "$PLOG" ||
    fail "no line for the server that did not close at the stop"
grep -q "stopped: 0 of 1 session ended in order, 1 cut off after 2 s" "$PLOG" ||
    fail "the stop's last line does not count one session, cut off"
exit 0
