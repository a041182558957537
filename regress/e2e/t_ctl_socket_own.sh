#!/bin/sh
# At exit the daemon removes its control sockets only while they are the
# files it bound.  Here both paths (the full socket and the restricted
# one) are taken by other sockets while it runs, as a daemon started
# while this one was ending would take a path it found nobody answering
# on: SIGTERM leaves both as they are, each said in the log.  (That a
# daemon's own sockets go at exit: t_ctl_restricted.)
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
ctl_ro_proxy
[ -S "$CTLSOCK" ] && [ -S "$ROSOCK" ] || fail "no control sockets"
for f in "$CTLSOCK" "$ROSOCK"; do
	rm -f "$f"
	python3 -c 'import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).bind(sys.argv[1])' "$f" ||
	    fail "cannot bind a socket at $f"
done
full=$(stat -c %i "$CTLSOCK")
ro=$(stat -c %i "$ROSOCK")
proxy_term
[ -S "$CTLSOCK" ] && [ "$(stat -c %i "$CTLSOCK")" = "$full" ] ||
    fail "the other socket at $CTLSOCK was removed"
[ -S "$ROSOCK" ] && [ "$(stat -c %i "$ROSOCK")" = "$ro" ] ||
    fail "the other socket at $ROSOCK was removed"
for f in "$CTLSOCK" "$ROSOCK"; do
	grep -q "control socket $f is not the one this daemon made any more: left as it is" "$PLOG" ||
	    fail "no line saying $f was left"
done
rm -f "$CTLSOCK" "$ROSOCK"
exit 0
