#!/bin/sh
# The restricted control socket cannot make the daemon work without end:
# each "show" there needs a poll of the GRE forwarder (its counters, and
# with gre offload the parent's read of the kernel's), and a client of
# the restricted socket - a user who is not root - asking again and
# again kept one going all the time.  Polls asked there come at most
# once a second: a client that sends show summary back to back for 3 s
# gets at most 5 answers there (one at once, then about one a second),
# while on the full socket (root) the same loop gets many more; answers
# on both are whole (the proxy rows, the GRE row, the end).  Requests
# pipelined in one write are all answered, on both sockets.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
cat >"$TMP/ctlloop" <<'EOP'
import os, socket, struct, sys, time
# ctlloop SOCKET SECONDS PIPELINE: show summary requests, PIPELINE of them
# a write, a write after another for SECONDS (0: one); prints the answers
# that came whole.
REQ_SUMMARY, PROXY, GRE, RESULT, END = 1, 6, 7, 10, 11
VERSION = int(os.environ["CTL_VERSION"])
path, secs, pipe = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.settimeout(5)
buf = b""
def msg():
    global buf
    while True:
        if len(buf) >= 16:
            t, n = struct.unpack("=II", buf[:8])
            n &= 0x7fffffff
            if len(buf) >= n:
                m, buf = buf[:n], buf[n:]
                return t
        d = s.recv(65536)
        if not d:
            sys.exit("closed by the daemon")
        buf += d
answers = 0
end = time.monotonic() + secs
while True:
    s.sendall(struct.pack("=IIII", REQ_SUMMARY, 16, VERSION, 0) * pipe)
    for i in range(pipe):
        seen = set()
        while True:
            t = msg()
            seen.add(t)
            if t in (RESULT, END):
                break
        if t != END or PROXY not in seen or GRE not in seen:
            sys.exit("an incomplete answer: types %s" % sorted(seen))
        answers += 1
    if time.monotonic() >= end:
        break
print(answers)
EOP

ctl_ro_proxy
[ -S "$ROSOCK" ] || fail "no restricted control socket at $ROSOCK"

full=$(python3 "$TMP/ctlloop" "$CTLSOCK" 3 1) || fail "full socket: $full"
ro=$(python3 "$TMP/ctlloop" "$ROSOCK" 3 1) || fail "restricted socket: $ro"
note "show summary in 3 s: $full answers on the full socket, $ro on the restricted one"
[ "$full" -ge 20 ] || fail "only $full answers on the full socket in 3 s"
[ "$ro" -ge 2 ] || fail "only $ro answers on the restricted socket in 3 s"
[ "$ro" -le 5 ] || fail "$ro answers on the restricted socket in 3 s (at most 5)"

# Pipelined: four in one write, each answered.
n=$(python3 "$TMP/ctlloop" "$CTLSOCK" 0 4) || fail "full socket, pipelined: $n"
[ "$n" -eq 4 ] || fail "full socket, pipelined: $n answers, not 4"
n=$(python3 "$TMP/ctlloop" "$ROSOCK" 0 4) || fail "restricted socket, pipelined: $n"
[ "$n" -eq 4 ] || fail "restricted socket, pipelined: $n answers, not 4"
kill -0 "$PROXY_PID" 2>/dev/null || fail "pptpproxy ended"
exit 0
