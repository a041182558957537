#!/bin/sh
# -x with a command that exits 0: the client is let in and echoes; the
# command was given the client's address as its only argument; the
# decision is logged.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
cat >"$TMP/acl" <<EOS
#!/bin/sh
echo "\$# \$*" >>"$TMP/acl.args"
echo "output that must go nowhere"
exit 0
EOS
chmod 755 "$TMP/acl"
lab_proxy fw -p 192.0.2.1,198.51.100.2 -x "$TMP/acl"
lab_drive c1 -n 100 -t 30 192.0.2.1 || fail "client allowed by the command did not echo"
[ "$(cat "$TMP/acl.args" 2>/dev/null)" = "1 192.0.2.10" ] ||
    fail "the command was run with \"$(cat "$TMP/acl.args" 2>/dev/null)\", not \"192.0.2.10\""
lab_wait_log "192.0.2.10.*allowed (acl command" 5 || fail "no log line for the command's decision"
grep "allowed (acl command" "$PLOG" | sed 's/^.*control: //; s/^.*parent: //'
grep -q "not allowed" "$PLOG" && fail "logged as refused"
exit 0
