#!/bin/sh
# A reload whose file includes a FIFO (no writer ever comes) or a
# group-writable file: the parent refuses it at once, logs why, keeps the
# configuration it runs with, and goes on: a call still echoes, and a
# later good reload is taken.  (Opening the
# FIFO blocked the parent for good before files were opened without
# blocking and checked for their type.)
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
conf=$TMP/pptpproxy.conf
cat > "$conf" <<EOC
include "$TMP/extra.conf"
proxy "one" {
	listen on 192.0.2.1
	server 198.51.100.2
}
EOC
echo "limit calls 8" > "$TMP/extra.conf"
lab_proxy fw -f "$conf"

rm -f "$TMP/extra.conf"
mkfifo "$TMP/extra.conf"
kill -HUP "$PROXY_PID"
lab_wait_log "extra.conf: not a regular file" 5 ||
    fail "the FIFO was not refused (is the parent blocked in open?)"
lab_drive c1 -n 20 -t 15 192.0.2.1 >"$TMP/d1.out" 2>&1 ||
    { cat "$TMP/d1.out"; fail "no echo after the refused reload"; }
tail -n 1 "$TMP/d1.out"

rm -f "$TMP/extra.conf"
echo "limit calls 8" > "$TMP/extra.conf"
chmod 0664 "$TMP/extra.conf"
kill -HUP "$PROXY_PID"
lab_wait_log "extra.conf: writable by group or others" 5 ||
    fail "the group-writable file was not refused"

chmod 0644 "$TMP/extra.conf"
grep -q "configuration reloaded" "$PLOG" &&
    fail "a refused file was taken"
kill -HUP "$PROXY_PID"
lab_wait_log "configuration reloaded" 5 || fail "no reload of the good file"
lab_drive c1 -n 20 -t 15 192.0.2.1 >"$TMP/d2.out" 2>&1 ||
    { cat "$TMP/d2.out"; fail "no echo after the good reload"; }
tail -n 1 "$TMP/d2.out"
grep "extra.conf" "$PLOG" | sed 's/^.*parent: /parent: /'
exit 0
