#!/bin/sh
# A tunnelling pptpproxy whose server accepts the connection and then
# says nothing at all (neither a pptpproxy nor anything that answers): A
# gives up after timeout connect (3 s here) with a clear line, closes the
# client's connection, and the client gives up in bounded time.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_tunnel_topology 1
# Where B would be: a TCP listener that reads and never writes.
lab_bg fw2 python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.66", 1723))
s.listen(16)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
'
lab_wait_port fw2 1723 5 || fail "the silent server did not start"
tun_to_stranger 3 12 "a server that says nothing"
lab_wait_log "session 1: server 198.51.100.66:1723 is not a tunnelling pptpproxy (no answer to our tunnel hello within 3 s)" 2 ||
    fail "A did not say that the server never answered its hello"
# Not before the 3 s: the line's time against the session's start.
s0=$(sed -n 's/^[0-9-]* \([0-9:]*\)\.[0-9]* .*session 1: accepted .*/\1/p' "$PLOG" | head -1)
s1=$(sed -n 's/^[0-9-]* \([0-9:]*\)\.[0-9]* .*session 1: server .*no answer to our tunnel hello.*/\1/p' "$PLOG" | head -1)
d=$(( $(date -d "$s1" +%s) - $(date -d "$s0" +%s) ))
[ "$d" -ge 2 ] && [ "$d" -le 5 ] || fail "A gave up after $d s, not about 3"
exit 0
