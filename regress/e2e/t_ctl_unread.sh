#!/bin/sh
# A control socket client that sends show summary requests without end
# and reads none of the answers: the control relay takes no more of its
# requests once 64 answers' messages wait for it (what waits stays
# small: the relay grows by less than 4 MB), and closes it once it has
# taken nothing for 10 s ("it does not read its answer").  Each request
# taken used to give it 10 s more and each answer's arrival stopped its
# timer, so that one that kept sending was never closed, and its answers
# piled up in the relay (30 MB in 25 s).  (On the restricted socket the
# same client gets an answer a second, which the kernel's socket buffer
# holds for minutes.)
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
cat >"$TMP/noread" <<'EOP'
import os, socket, struct, sys, time
# noread SOCKET SECONDS: show summary requests, 64 a write, at most every
# 10 ms, none of the answers read; prints the seconds until the daemon
# closed the connection, or "open" after SECONDS.
path, secs = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.setblocking(False)
req = struct.pack("=IIII", 1, 16, int(os.environ["CTL_VERSION"]), 0) * 64
start = time.monotonic()
while time.monotonic() - start < secs:
    try:
        s.send(req)
    except BlockingIOError:
        pass
    except OSError:
        print("%.1f" % (time.monotonic() - start))
        sys.exit(0)
    time.sleep(0.01)
print("open")
EOP

lab_topology 1
lab_proxy fw -p 192.0.2.1,198.51.100.2
relay=$(proxy_child "pptpproxy: control") || fail "no control process"
rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$relay/status"
}
before=$(rss)
t=$(python3 "$TMP/noread" "$CTLSOCK" 25) || fail "the client failed"
after=$(rss)
note "closed after $t s; the relay's RSS $before kB before, $after kB after"
[ "$t" != open ] || fail "a client that reads nothing is still served after 25 s"
lab_wait_log "closed: it does not read its answer" 5 ||
    fail "no line saying the client does not read"
[ "$after" -le $((before + 4096)) ] ||
    fail "the relay grew from $before kB to $after kB"
kill -0 "$PROXY_PID" 2>/dev/null || fail "pptpproxy ended"
exit 0
