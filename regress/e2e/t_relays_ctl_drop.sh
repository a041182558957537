#!/bin/sh
# relays 2: 300 sessions held in relay 1 (bench_gen from 192.0.2.11, to
# bench_refl), so that relay 0 passes relay 1's rows on to control
# socket clients.  Five clients ask show sessions and close without
# reading; relay 0 reads and drops the rest of relay 1's answer each
# time (it had stopped reading relay 1 while the client's queue was
# full).  Then show sessions and show summary still answer, with all
# 300 sessions, and a client that reads half of an answer and leaves
# changes nothing either.
. "$(dirname "$0")/lib.sh"
[ -x "$PPTPPROXYCTL" ] || skip "no $PPTPPROXYCTL (make)"
bench_refl_lab 1 "relays 2" "limit connections per-address 4000"
ip -n "$(ns c1)" addr add 192.0.2.11/24 dev "$CLIENT_IF" ||
    fail "second client address"
N=300
bench_hold $N -s 192.0.2.11

# drop.py SOCKET N: N clients each ask show sessions and close, the
# last after reading 4096 bytes of the answer.
cat >"$TMP/drop.py" <<'EOP'
import os, socket, struct, sys
for i in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    # imsg header: type CTL_REQ_SESSIONS, length, peer id (the
    # protocol's version), pid; then session 0: all.
    s.sendall(struct.pack("=IIIIQ", 2, 24, int(os.environ["CTL_VERSION"]),
        0, 0))
    if i == int(sys.argv[2]) - 1:
        got = 0
        while got < 4096:
            d = s.recv(4096 - got)
            if not d:
                break
            got += len(d)
        print("read", got)
    s.close()
EOP
python3 "$TMP/drop.py" "$CTLSOCK" 5 || fail "the dropping clients failed"
sleep 0.5
for i in 1 2 3; do
	timeout 10 "$PPTPPROXYCTL" -s "$CTLSOCK" -j show sessions \
	    >"$TMP/s.json" 2>"$TMP/s.err" ||
	    fail "show sessions after the dropped ones: $(cat "$TMP/s.err")"
	n=$(python3 -c 'import json, sys
print(len(json.load(open(sys.argv[1]))["sessions"]))' "$TMP/s.json")
	[ "$n" -eq $N ] || fail "show sessions: $n sessions, not $N"
	timeout 10 "$PPTPPROXYCTL" -s "$CTLSOCK" show summary >/dev/null ||
	    fail "show summary after the dropped ones"
	python3 "$TMP/drop.py" "$CTLSOCK" 2 >/dev/null ||
	    fail "the dropping clients failed"
done
note "$N sessions of relay 1 listed after 11 clients left mid-answer"
kill -0 "$PROXY_PID" 2>/dev/null || fail "pptpproxy ended"
exit 0
