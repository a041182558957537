#!/bin/sh
# The stop's drain time, by value: a client that never reads (so never
# answers the Stop-Control-Connection-Request) is cut off after "timeout
# stop 2" and not before, and the daemon exits 0 with it counted as cut
# off.  Then with "timeout stop 30": a second SIGTERM during the drain
# ends the daemon at once.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
printf 'timeout stop 2\nproxy "p" {\n\tlisten on 192.0.2.1 port 1723\n\tserver 198.51.100.2 port 1723\n}\n' >"$TMP/a.conf"
sed 's/timeout stop 2/timeout stop 30/' "$TMP/a.conf" >"$TMP/b.conf"

# stop_after CONF: a silent client, then SIGTERM; sets T0.
silent_then_term() {
	lab_proxy fw -f "$1"
	lab_bg c1 python3 "$E2E/noreader" 192.0.2.1 60
	lab_wait_log "relayed to" 10 || fail "the session did not start"
	sleep 0.5
	T0=$(date +%s.%N)
	kill -TERM "$PROXY_PID"
}
since() {
	echo "$T0 $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }'
}

silent_then_term "$TMP/a.conf"
sleep 1.5
kill -0 "$PROXY_PID" 2>/dev/null ||
    fail "the daemon ended $(since) s after SIGTERM, before timeout stop 2"
i=0
while kill -0 "$PROXY_PID" 2>/dev/null && [ $i -lt 20 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -0 "$PROXY_PID" 2>/dev/null && fail "still running $(since) s after SIGTERM"
el=$(since)
wait "$PROXY_PID"; rc=$?
echo "timeout stop 2: ended after $el s, status $rc"
[ $rc -eq 0 ] || fail "exit status $rc"
grep -q "session 1: the client did not end the control connection within 2 s (timeout stop)" "$PLOG" ||
    fail "no line for the session cut off"
grep -q "stopped: 0 of 1 session ended in order, 1 cut off after 2 s" "$PLOG" ||
    fail "no summary counting it as cut off"
grep "stopped:" "$PLOG" | sed 's/^[^]]*\]: /  /'

silent_then_term "$TMP/b.conf"
sleep 1
kill -0 "$PROXY_PID" 2>/dev/null || fail "timeout stop 30: ended at once"
kill -TERM "$PROXY_PID"
T0=$(date +%s.%N)
i=0
while kill -0 "$PROXY_PID" 2>/dev/null && [ $i -lt 40 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -0 "$PROXY_PID" 2>/dev/null &&
    fail "still running $(since) s after the second SIGTERM"
el=$(since)
wait "$PROXY_PID"; rc=$?
echo "timeout stop 30, second SIGTERM: ended $el s after it, status $rc"
[ $rc -eq 0 ] || fail "exit status $rc"
grep -q "stopping at once" "$PLOG" || fail "no line for the second signal"
exit 0
