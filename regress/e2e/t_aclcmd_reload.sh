#!/bin/sh
# A reload while ACL commands run: each verdict is judged by the proxy
# that asked.  Proxy "a" keeps its id though the reload removes proxy "b"
# before it in the file: a real client of "a", let in by a slow command
# started before the reload, gets through and echoes.  The client of "b",
# whose proxy is gone, is refused, and the parent logs why.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_topology 2
ip -n "$(ns fw)" addr add 192.0.2.2/24 dev br0
lab_pptpd
cat >"$TMP/slow" <<EOS
#!/bin/sh
echo "\$1" >>"$TMP/runs"
sleep 3
exit 0
EOS
chmod 755 "$TMP/slow"
conf=$TMP/pptpproxy.conf
cat >"$conf" <<EOC
proxy "b" {
	listen on 192.0.2.2
	server 198.51.100.2
	allow command "$TMP/slow"
}
proxy "a" {
	listen on 192.0.2.1
	server 198.51.100.2
	allow command "$TMP/slow"
}
EOC
lab_proxy fw -f "$conf"
lab_drive c1 -n 30 -t 40 192.0.2.1 >"$TMP/c1.out" 2>&1 &
c1=$!
lab_track $c1
lab_closed c2 192.0.2.2 1723 10 >"$TMP/c2.out" &
c2=$!
lab_track $c2
i=0
while [ "$(cat "$TMP/runs" 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(wc -l <"$TMP/runs")" -eq 2 ] || fail "the two commands did not start"
cat >"$conf" <<EOC
proxy "a" {
	listen on 192.0.2.1
	server 198.51.100.2
	allow command "$TMP/slow"
}
EOC
kill -HUP "$PROXY_PID"
lab_wait_log "configuration reloaded" 3 || fail "no reload while the commands ran"
grep -q "acl command.*killed\|allowed (acl command" "$PLOG" &&
    fail "a verdict came before the reload: the test proves nothing"
wait $c1 || { cat "$TMP/c1.out"; fail "the client of proxy a was not let in across the reload"; }
tail -n 1 "$TMP/c1.out"
# on its first connection (pptp connects again when refused)
grep "client 192.0.2.10 not allowed" "$PLOG" | sed 's/^.*control: //' |
    grep . && fail "the client of proxy a was refused across the reload"
wait $c2
r=$(cat "$TMP/c2.out")
echo "the client of the removed proxy b: $r"
case $r in
closed*) ;;
*) fail "the client of the removed proxy was not refused ($r)" ;;
esac
lab_wait_log "acl check of 192.0.2.11: its proxy (id 1) is gone after a reload" 2 ||
    fail "no log line for the verdict of a proxy that is gone"
grep "192.0.2.10.*allowed (acl command" "$PLOG" >/dev/null ||
    fail "the client of a was not let in by its command"
exit 0
