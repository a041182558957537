#!/bin/sh
# A log file (-l) is reopened on SIGHUP, for rotation: after the file is
# renamed and the daemon gets SIGHUP, the lines of every process, the
# children's included (the control relay's reload line, both children's
# SIGUSR1 status lines), go to a new file by the old name, each with the
# pid of the process it comes from; nothing more goes to the renamed one.
. "$(dirname "$0")/lib.sh"
lab_ns fw
ip -n "$(ns fw)" addr add 192.0.2.1/24 dev lo
lab_proxy fw -p 192.0.2.1,198.51.100.2
ctl=$(proxy_child "pptpproxy: control")
gre=$(proxy_child "pptpproxy: gre")
[ -n "$ctl" ] && [ -n "$gre" ] || fail "no children"
kill -USR1 "$PROXY_PID"
# Every line of that SIGUSR1 in before the rotation.
lab_wait_log "gre: .*routes" 5 || fail "no status line from gre before the rotation"
lab_wait_log "control: .*sessions" 5 ||
    fail "no status line from control before the rotation"
sleep 0.3
mv "$PLOG" "$PLOG.1"
old=$(wc -l <"$PLOG.1")
kill -HUP "$PROXY_PID"
lab_wait_log "control: configuration reloaded" 5 ||
    fail "no reload line from the control relay in the new file (in the old one: $(grep -c 'configuration reloaded' "$PLOG.1"))"
kill -USR1 "$PROXY_PID"
lab_wait_log "gre: .*routes" 5 ||
    fail "no status line from gre in the new file"
lab_wait_log "control: .*sessions" 5 ||
    fail "no status line from control in the new file"
grep -q "pptpproxy\[$PROXY_PID\]: parent: reloading configuration" "$PLOG" ||
    fail "the parent's reload line is not in the new file"
grep -q "pptpproxy\[$ctl\]: control: configuration reloaded" "$PLOG" ||
    fail "the control relay's line does not carry its pid $ctl"
grep -q "pptpproxy\[$gre\]: gre: .*routes" "$PLOG" ||
    fail "the GRE forwarder's line does not carry its pid $gre"
sleep 0.5
new=$(wc -l <"$PLOG.1")
[ "$new" -eq "$old" ] ||
    fail "$((new - old)) lines went to the renamed file after SIGHUP: $(tail -n +$((old + 1)) "$PLOG.1")"
echo "renamed file: $old lines, untouched; new file:"
sed 's/^[^]]*\]: /  /' "$PLOG"
exit 0
