#!/bin/sh
# The Call IDs the server sees on the wire are the ones the proxy says it
# showed the server, in every control message: a capture in the server's
# namespace (its side of the link, full packets), reassembled and cut into
# PPTP messages by regress/e2e/callidcap, which checks each one.
# Towards the server, each Outgoing-Call-Request carries an ID the proxy
# logged as "shown to the server as N", each Call-Clear-Request one of its
# connection's calls, and each Set-Link-Info the server's own Call ID of
# one of its connection's calls (from the server's reply).  pptpd ignores
# the Call ID of a Set-Link-Info, and pptp-linux sends none, so no echo
# test could see that one rewritten wrong: a scripted client
# (regress/e2e/pptpctl -l) sends one per call, after a real client's call.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
command -v tcpdump >/dev/null 2>&1 || skip "no tcpdump"
lab_topology 1
lab_pptpd
# The server's end of the fw-s link; whole packets (lab_tcpdump cuts them).
lab_bg s tcpdump -i "$LINK_B" -n -U -s 0 -w "$TMP/s.pcap" tcp port 1723 \
    2>"$TMP/s.pcap.err"
TCPDUMP_PID=$LAST_PID
i=0
while ! grep -q "listening on" "$TMP/s.pcap.err" 2>/dev/null; do
	[ $i -lt 50 ] || fail "tcpdump did not start in s"
	sleep 0.1
	i=$((i + 1))
done
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 -n 50 -t 20 192.0.2.1 || fail "the pptp-linux client got no echo"
nsx c1 python3 "$E2E/pptpctl" -l -n 3 -i 4000 192.0.2.1 >"$TMP/ctl.out" 2>&1
rc=$?
cat "$TMP/ctl.out"
[ $rc -eq 0 ] || fail "the scripted client did not start its connection"
grep -q "^calls: 3 connected" "$TMP/ctl.out" ||
    fail "the scripted client's three calls were not all connected"
sleep 1
lab_tcpdump_stop
ids=$(sed -n 's/.*call [0-9]* up: .*(shown to the server as \([0-9]*\)).*/\1/p' \
    "$PLOG")
[ "$(echo "$ids" | wc -w)" -eq 4 ] ||
    fail "expected 4 calls up in the proxy's log, saw: $ids"
echo "Call IDs shown to the server:" $ids
python3 "$E2E/callidcap" -v -c 4 -n 3 "$TMP/s.pcap" $ids ||
    fail "a control message carried a Call ID the server was not shown"
exit 0
