#!/bin/sh
# No server listening: a client is closed promptly with a log line, the
# daemon keeps running, and serves the next client once pptpd is up.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_topology 1
lab_proxy fw -p 192.0.2.1,198.51.100.2
r=$(nsx c1 python3 - <<'EOP'
import socket, struct, time
s = socket.create_connection(("192.0.2.1", 1723), timeout=10)
t = time.time()
# Start-Control-Connection-Request, as a client would send at once.
m = struct.pack(">HHIHHHHII", 156, 1, 0x1a2b3c4d, 1, 0, 0x0100, 0, 1, 1)
m += bytes(156 - len(m))
try:
    s.sendall(m)
    d = s.recv(200)
    print("closed" if not d else "answered", "%.2f" % (time.time() - t))
except socket.timeout:
    print("open 10")
except (ConnectionResetError, BrokenPipeError):
    print("closed %.2f" % (time.time() - t))
EOP
)
echo "client without a server: $r s"
set -- $r
[ "$1" = closed ] || fail "the client was not closed ($r)"
awk "BEGIN { exit !($2 < 2) }" || fail "the client was closed only after $2 s"
lab_wait_log "cannot connect to server\|connection refused\|Connection refused" 5 ||
    fail "no log line about the server"
grep -i "refused\|cannot connect" "$PLOG" | head -n 2 | sed 's/^.*control: //'
lab_drive_refused c1 "cannot connect to server 198.51.100.2:1723: Connection refused" -n 5 -t 5 192.0.2.1
kill -0 "$PROXY_PID" 2>/dev/null || fail "the daemon died"
lab_pptpd
lab_drive c1 -n 50 -t 30 192.0.2.1 || fail "no service once the server is up"
kill -0 "$PROXY_PID" 2>/dev/null || fail "the daemon died"
exit 0
