#!/bin/sh
# acl-command cache keeps only verdicts a command gave by its exit status:
# a command killed after its timeout refuses the client, but the next
# connection from that address runs it again; a command that exits 1 is
# run once for both.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
lab_topology 1
cat >"$TMP/hang" <<EOS
#!/bin/sh
echo "\$1" >>"$TMP/hang.runs"
sleep 10
EOS
cat >"$TMP/deny" <<EOS
#!/bin/sh
echo "\$1" >>"$TMP/deny.runs"
exit 1
EOS
chmod 755 "$TMP/hang" "$TMP/deny"
conf=$TMP/pptpproxy.conf
cat >"$conf" <<EOC
acl-command timeout 1
acl-command cache 60
proxy "hang" {
	listen on 192.0.2.1
	server 198.51.100.2
	allow command "$TMP/hang"
}
proxy "deny" {
	listen on 192.0.2.1 port 1724
	server 198.51.100.2
	allow command "$TMP/deny"
}
EOC
lab_proxy fw -f "$conf"
for i in 1 2; do
	r=$(lab_closed c1 192.0.2.1 1723 10)
	case $r in closed*) ;; *) fail "connection $i to the hanging command: $r" ;; esac
done
for i in 1 2; do
	r=$(lab_closed c1 192.0.2.1 1724 10)
	case $r in closed*) ;; *) fail "connection $i to the refusing command: $r" ;; esac
done
h=$(wc -l <"$TMP/hang.runs")
d=$(wc -l <"$TMP/deny.runs")
echo "2 connections each: the command that timed out ran $h times, the one that exited 1 ran $d"
[ "$h" -eq 2 ] || fail "a verdict of a timed-out command was kept ($h runs for 2 connections)"
[ "$d" -eq 1 ] || fail "the verdict of a command that exited 1 was not kept ($d runs)"
exit 0
