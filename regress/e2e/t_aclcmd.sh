#!/bin/sh
# -x: a command that allows, one that refuses, one that hangs (killed after
# the 5 s timeout, counts as a refusal) while another session keeps
# echoing, and commands tried in order until one allows.
. "$(dirname "$0")/lab.sh"
lab_topology 3
lab_pptpd
cat > "$TMP/acl" <<'EOS'
#!/bin/sh
# 192.0.2.10 allowed, 192.0.2.11 refused, 192.0.2.12 hangs
echo "junk output $*"
case $1 in
192.0.2.10) exit 0 ;;
192.0.2.11) exit 3 ;;
*) exec sleep 1000 ;;
esac
EOS
chmod 755 "$TMP/acl"
lab_proxy fw -p 192.0.2.1,198.51.100.2 -x "$TMP/acl"
# a long session that must keep flowing while commands run and hang
lab_drive c1 192.0.2.1 -n 1 -k 12 -t 30 > "$TMP/long.out" 2>&1 &
long=$!
sleep 1
lab_drive c2 192.0.2.1 -n 5 -t 6 && fail "refused client got through"
lab_wait_log "192.0.2.11 not allowed (acl command: $TMP/acl exited 3)" 5 ||
    fail "no refusal line"
t0=$(date +%s)
lab_drive c3 192.0.2.1 -n 5 -t 10 && fail "client of a hanging command got through"
lab_wait_log "timed out" 8 || fail "hanging command not reported"
grep -q "killed: counts as deny" "$PLOG" || fail "no kill line"
wait $long || { cat "$TMP/long.out"; fail "the other session was disturbed"; }
cat "$TMP/long.out"
# no ACL command left running in the firewall
for p in $(ip netns pids "$(ns fw)"); do
	grep -q "sleep" "/proc/$p/cmdline" 2>/dev/null &&
	    fail "the hanging command was not killed"
done
exit 0
