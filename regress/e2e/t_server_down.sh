#!/bin/sh
# No server listening: the client is closed promptly with a log line, the
# daemon goes on, and serves the next client once the server is up.
. "$(dirname "$0")/lab.sh"
lab_topology 1
lab_proxy fw -p 192.0.2.1,198.51.100.2
t0=$(date +%s)
lab_drive c1 192.0.2.1 -n 5 -t 10 && fail "echo without a server?"
t1=$(date +%s)
lab_wait_log "cannot connect to server" 5 || fail "no log line"
[ $((t1 - t0)) -le 6 ] || fail "client not closed promptly ($((t1 - t0)) s)"
kill -0 "$PROXY_PID" || fail "daemon died"
lab_pptpd
lab_drive c1 192.0.2.1 -n 50 -t 30 || fail "no service once the server is up"
exit 0
