#!/bin/sh
# relays 2, acl-command limit 1: at most 5 clients wait for a verdict, in
# all, and 3 of one relay (5 / 2 rounded up); the ACL command takes 2 s
# for any address but c1's, which it lets in at once.  A compromised
# relay 1 (build/tools/hostile, "pptpproxy: control 1") asks for 20
# checks of addresses of its choosing (203.0.113.1-20), for sessions of its
# own.  The parent takes 3 and refuses the 17 others, saying so in
# lines limited in rate; the daemon goes on (asking is no misbehaviour).
# A real client, c1 (192.0.2.10, which the steering hands to relay 0),
# connecting meanwhile is taken, not refused as "too many acl checks
# waiting".  Once relay 1's second check has started, relay 1 asks for
# 20 more (203.0.113.21-40): it gets one, to its share again, which runs
# last.  The running slot goes to the relays in turn: c1's check runs as
# soon as the one running when it came has ended (relay 1's first, or
# its second if c1 was slow to connect; t_hostile_aclrr times it), lets
# it in, and its call goes through pptpd; of the hostile addresses
# exactly as many ran as relay 1's share let in (3, then 1).  Last, relay
# 1 asks for 3 more (203.0.113.41-43) and the daemon is stopped while the
# first runs: relay 1 ends at once, having no session, and with it its
# requests: the running command is killed, the others never start; the
# daemon ends with status 0.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
lab_topology 1
lab_pptpd
hostile_acl_relays 2

# Sessions 1000000, 1000002...: relay 1's (relay_of_sess()).
"$HOSTILE" -c "$R1" aclmany 20 1000000 2 203.0.113.1 1 ||
    fail "the first 20 requests not sent"
lab_wait_log " 203.0.113.1$" 5 "$TMP/runs" ||
    fail "relay 1's 1st check did not start"

lab_drive c1 -n 20 -t 40 192.0.2.1 >"$TMP/drive.out" 2>&1 &
drv=$!
lab_track $drv
lab_wait_log "session [0-9]*: accepted 192.0.2.10:" 10 ||
    fail "c1's connection not accepted"
sid=$(grep -m 1 "session [0-9]*: accepted 192.0.2.10:" "$PLOG" |
    sed 's/^.*session \([0-9]*\): accepted.*$/\1/')
[ $((sid % 2)) -eq 1 ] || fail "c1's session $sid is not relay 0's"
lab_wait_log " 203.0.113.2$" 5 "$TMP/runs" ||
    fail "relay 1's 2nd check did not start"
sleep 0.3
"$HOSTILE" -c "$R1" aclmany 20 1000040 2 203.0.113.21 1 ||
    fail "the next 20 requests not sent"

wait $drv || { cat "$TMP/drive.out"; fail "c1: no call through the proxy"; }
# c1 may be through before relay 1's others have run: its later one last.
lab_wait_log " 203\.0\.113\.\(2[1-9]\|3[0-9]\|40\)$" 10 "$TMP/runs" ||
    fail "relay 1's later check did not start"
grep -q "too many acl checks waiting" "$PLOG" &&
    fail "a request refused as too many waiting in all"
grep -q "client 192.0.2.10 allowed (acl command" "$PLOG" ||
    fail "c1 not let in by the acl command"
share="relay 1 has its share of acl checks waiting (3)"
grep -q "acl check of 203.0.113.4 refused: $share" "$PLOG" ||
    fail "no line saying relay 1's 4th request was refused"
note "ok: $(grep -m 1 "acl check of 203.0.113.4 refused" "$PLOG" |
    sed 's/^.*parent: //')"
# At most 5 lines a second: each flood's 17 and 19 refusals, one or two
# seconds each.
n=$(log_count "refused: relay 1 has its share")
[ "$n" -le 20 ] || fail "$n lines of relay 1's 36 refused requests"
cat "$TMP/runs"
later=$(grep -c " 203\.0\.113\.\(2[1-9]\|3[0-9]\|40\)$" "$TMP/runs")
hostile=$(grep -c " 203\.0\.113\." "$TMP/runs")
[ "$hostile" -eq 4 ] ||
    fail "$hostile commands for relay 1's addresses, not 4 (3, then 1)"
awk '$3 == "203.0.113.1" { a++ } $3 == "203.0.113.2" { b++ }
    $3 == "203.0.113.3" { c++ } END { exit !(a == 1 && b == 1 && c == 1) }' "$TMP/runs" ||
    fail "the first 3 of relay 1's addresses did not run once each"
[ "$later" -eq 1 ] || fail "$later of relay 1's later addresses ran, not 1"
# c1's check ran after one or two of the first 3, not all of them, and
# before relay 1's later one.
order=$(awk '$3 == "192.0.2.10" { print "c1"; next }
    $3 ~ /^203\.0\.113\.[123]$/ { print "h"; next } { print "later" }' \
    "$TMP/runs" | tr '\n' ' ')
case $order in
"h c1 h h later "|"h h c1 h later ") ;;
*) fail "commands in the order $order, not h c1 h h later" ;;
esac
note "ok: commands in the order ${order% }: c1 let in in its turn"

kill -0 "$PROXY_PID" 2>/dev/null || fail "the daemon ended"
for _k in $KIDS; do
	kill -0 "$_k" 2>/dev/null || fail "child $_k ended"
done
grep -q "compromised" "$PLOG" && fail "relay 1 called compromised"

"$HOSTILE" -c "$R1" aclmany 3 1000100 2 203.0.113.41 1 ||
    fail "the last 3 requests not sent"
lab_wait_log " 203.0.113.41$" 5 "$TMP/runs" ||
    fail "203.0.113.41's check did not start"
kill -TERM "$PROXY_PID"
lab_gone "$PROXY_PID" 10 || fail "the daemon did not stop"
wait "$PROXY_PID"
rc=$?
[ $rc -eq 0 ] || fail "the daemon exited with $rc, not 0"
grep -q "for 203.0.113.41 killed: the relay that asked for it is gone" "$PLOG" ||
    fail "203.0.113.41's command not killed when relay 1 ended"
grep -q " 203\.0\.113\.4[23]$" "$TMP/runs" &&
    fail "a request of relay 1 ran after it ended"
note "ok: $(grep -m 1 "for 203.0.113.41 killed" "$PLOG" | sed 's/^.*parent: //')"
exit 0
