#!/bin/sh
# The control protocol's version (CTL_PROTO_VERSION, the imsg peer id of
# every message) is checked at both ends, each saying so in one line:
#   the daemon refuses a request of another version (the one before and
#   the one after ours): it logs the refusal, answers with one CTL_RESULT
#   that says so - what a tool of any version reads and prints - and
#   closes the connection; pptpproxyctl is served after;
#   pptpproxyctl stops at an answer of another version (from a stand-in
#   daemon, which answers a show summary with an empty summary) with
#   "the daemon speaks another control protocol version ...", exit 1,
#   and prints nothing of the answer.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
[ -n "$CTL_VERSION" ] || fail "no CTL_PROTO_VERSION in src/ctl.h"
MSG="the daemon speaks another control protocol version (daemon and tool from different builds?)"

# asks SOCKET VERSION: a show summary request of that version; prints
# each message of the answer (type, version, and a result's ok and
# text), then "closed" when the daemon closes within 5 s, else "open".
cat >"$TMP/asks" <<'EOP'
import socket, struct, sys
RESULT = 10
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(struct.pack("=IIII", 1, 16, int(sys.argv[2]), 0))
s.settimeout(5)
buf, d = b"", None
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
except socket.timeout:
    pass
while len(buf) >= 16:
    t, n, v, _ = struct.unpack("=IIII", buf[:16])
    if n < 16:
        sys.exit("a message of %d bytes" % n)
    m, buf = buf[16:n], buf[n:]
    if t == RESULT:
        ok = struct.unpack("=i", m[:4])[0]
        print(t, v, ok, m[4:].split(b"\0")[0].decode())
    else:
        print(t, v)
print("closed" if d == b"" else "open")
EOP

# standin SOCKET VERSION: a daemon that answers one request with an
# empty summary (CTL_END) of VERSION; prints the request's version.
cat >"$TMP/standin" <<'EOP'
import os, socket, struct, sys, time
END = 11
l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
l.bind(sys.argv[1])
l.listen(1)
print("listening", flush=True)
c, _ = l.accept()
c.settimeout(5)
t, n, v, _ = struct.unpack("=IIII", c.recv(16))
print("request", t, v, flush=True)
c.sendall(struct.pack("=IIII", END, 16, int(sys.argv[2]), 0))
time.sleep(2)
EOP

lab_topology 1
lab_proxy fw -p 192.0.2.1,198.51.100.2

# The daemon's side.
for v in $((CTL_VERSION - 1)) $((CTL_VERSION + 1)); do
	python3 "$TMP/asks" "$CTLSOCK" "$v" >"$TMP/asks-$v.out" 2>&1 ||
	    fail "the client of version $v failed: $(cat "$TMP/asks-$v.out")"
	printf '10 %s 0 %s\nclosed\n' "$CTL_VERSION" "$MSG" >"$TMP/want"
	diff -u "$TMP/want" "$TMP/asks-$v.out" >"$TMP/diff" ||
	    fail "version $v: not one refusal, then closed: $(cat "$TMP/diff")"
	lab_wait_log "control socket: client [0-9]* refused: another protocol version ($v, this daemon's $CTL_VERSION)" 5 ||
	    fail "no log line for the request of version $v"
done
note "the daemon refused versions $((CTL_VERSION - 1)) and $((CTL_VERSION + 1))"
"$PPTPPROXYCTL" -s "$CTLSOCK" show summary >"$TMP/show.out" 2>&1 ||
    fail "pptpproxyctl not served after: $(cat "$TMP/show.out")"

# The tool's side.
v=$((CTL_VERSION + 1))
python3 "$TMP/standin" "$TMP/standin.sock" "$v" >"$TMP/standin.out" 2>&1 &
lab_track $!
lab_wait_log "^listening" 5 "$TMP/standin.out" || fail "no stand-in daemon"
timeout 10 "$PPTPPROXYCTL" -s "$TMP/standin.sock" show summary \
    >"$TMP/ctl.out" 2>"$TMP/ctl.err"
rc=$?
lab_wait_log "^request" 5 "$TMP/standin.out" ||
    fail "the stand-in daemon had no request"
grep -qx "request 1 $CTL_VERSION" "$TMP/standin.out" ||
    fail "not a show summary of version $CTL_VERSION: $(cat "$TMP/standin.out")"
[ "$rc" -eq 1 ] || fail "pptpproxyctl exited $rc on an answer of version $v"
printf 'pptpproxyctl: %s\n' "$MSG" >"$TMP/want"
diff -u "$TMP/want" "$TMP/ctl.err" >"$TMP/diff" ||
    fail "pptpproxyctl's message: $(cat "$TMP/diff")"
[ ! -s "$TMP/ctl.out" ] ||
    fail "pptpproxyctl printed an answer: $(cat "$TMP/ctl.out")"
note "pptpproxyctl stopped at an answer of version $v"
exit 0
