#!/bin/sh
# Reloads that open tunnels' UDP sockets, when they can and when they
# cannot (lab_tunnel_topology: the middle drops GRE).  A starts without
# "tunnel", B without "tunnel accept": a client's call carries nothing.
# Another program holds B's UDP port 1723: a reload of B that adds
# "tunnel accept" and a second proxy logs that the socket cannot be
# opened, and the rest of the file applies (the new proxy listens);
# pptpproxy -t still passes the file.  A reload of A that adds "tunnel"
# opens A's UDP socket; a client through A is then tunnelled to B, which
# closes it, saying it has no UDP socket for the tunnel.  Once the port
# is free, the next reload of B, of the same file, opens it, and a client
# echoes over UDP.  A reload of both to another UDP port opens it and
# closes the old one; a client echoes over the new port.  A reload of A
# without "tunnel" leaves a tunnelled session on UDP and makes the next
# one plain PPTP.
. "$(dirname "$0")/lib.sh"
tun_reload_lab
# a_conf [tunnel]: A's file.
a_conf() {
	cat >"$TMP/a.conf" <<EOC
proxy a {
	listen on 192.0.2.1
	server 198.51.100.66 port 1723 ${1:-}
}
EOC
}
a_conf
tun_b_conf
tun_conf_proxies
grep -q "tunnels: UDP" "$PLOG" "$PLOG2" && fail "a UDP socket without tunnels"
lab_drive c1 -n 3 -t 6 192.0.2.1 >"$TMP/plain.out" 2>&1
rc=$?
[ $rc -eq 2 ] || { cat "$TMP/plain.out"; fail "plain PPTP across the GRE-dropping middle ended with $rc, not 2"; }

# Another program takes B's UDP port (without SO_REUSEADDR).
lab_bg fw2 python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.66", 1723))
time.sleep(600)'
HOLDER=$LAST_PID
i=0
until nsx fw2 ss -lunH "src 198.51.100.66 and sport = :1723" | grep -q .; do
	[ $i -lt 50 ] || fail "the port holder did not start"
	sleep 0.1
	i=$((i + 1))
done
tun_b_conf "tunnel accept from 198.51.100.65" 'proxy b2 {
	listen on 198.51.100.66 port 1724
	server 198.51.100.2
}'
tun_reload B "$B_PID" "$PLOG2" 1
lab_wait_log "parent: tunnels: cannot open UDP 198.51.100.66 port 1723: Address already in use; tunnels to it fail until a reload opens it" 5 "$PLOG2" ||
    fail "B did not log the port in use"
lab_wait_port fw2 1724 5 || fail "the rest of B's reload did not apply: no proxy b2 on 1724"
"$PPTPPROXY" -t -f "$TMP/b.conf" >"$TMP/t.out" 2>&1 ||
    { cat "$TMP/t.out"; fail "pptpproxy -t fails on B's file"; }

a_conf tunnel
tun_reload A "$A_PID" "$PLOG" 1
lab_wait_log "parent: tunnels: UDP socket of tunnels to other pptpproxies open" 5 ||
    fail "A's reload did not open its UDP socket"
PLOG=$PLOG2 lab_drive_refused c1 "198.51.100.65:[0-9]* ended after .*(no UDP socket for the tunnel on 198.51.100.66 port 1723 (the parent's log says why it is not open))" \
    -n 3 -t 6 192.0.2.1
lab_wait_log "session [0-9]*: tunnel to 198.51.100.66:1723 agreed" 5 ||
    fail "A did not tunnel after its reload"

# The port is free: the next reload of the same file opens it.
kill "$HOLDER"
lab_gone "$HOLDER" 5 || fail "the port holder did not end"
tun_reload B "$B_PID" "$PLOG2" 2
lab_wait_log "parent: tunnels: UDP 198.51.100.66 port 1723 open" 5 "$PLOG2" ||
    fail "B's second reload did not open its UDP socket"
lab_drive c1 -n 200 -w 8 -t 30 192.0.2.1 ||
    fail "frames did not echo over the tunnel opened by a reload"
lab_wait_log "198.51.100.65:[0-9]* ended after .*1 call,.*tunnelled over UDP" 10 "$PLOG2" ||
    fail "B's session end does not say tunnelled over UDP"
grep -q "switching to TCP\|no UDP way back" "$PLOG" "$PLOG2" &&
    fail "a tunnel went to TCP"

# A new UDP port on both: B opens it and closes the old one.
tun_b_conf "tunnel accept from 198.51.100.65
	tunnel udp-port 1725"
a_conf "tunnel udp-port 1725"
tun_reload B "$B_PID" "$PLOG2" 3
tun_reload A "$A_PID" "$PLOG" 2
lab_wait_log "parent: tunnels: UDP 198.51.100.66 port 1725 open" 5 "$PLOG2" ||
    fail "B did not open its new UDP port"
lab_wait_log "parent: tunnels: UDP 198.51.100.66 port 1723 closed" 5 "$PLOG2" ||
    fail "B did not close its old UDP port"
nsx fw2 ss -lunH "sport = :1723" | grep -q . && fail "B's old UDP port is still open"
nsx fw2 ss -lunH "src 198.51.100.66 and sport = :1725" | grep -q . ||
    fail "B's new UDP port is not open"
lab_drive c1 -n 200 -w 8 -t 30 192.0.2.1 ||
    fail "frames did not echo over the tunnel's new port"
lab_wait_log "198.51.100.65:[0-9]* tunnels the calls' GRE to UDP port 1725" 5 "$PLOG2" ||
    fail "B did not tunnel on its new port"
lab_wait_log "ended after .*1 call,.*tunnelled over UDP, peer 198.51.100.66:1725" 10 ||
    fail "A's session end does not say tunnelled over UDP to port 1725"
grep -q "switching to TCP\|no UDP way back" "$PLOG" "$PLOG2" &&
    fail "a tunnel went to TCP"

# A reload of A without "tunnel" while a tunnelled session is up: the
# session goes on over UDP; the next one is plain PPTP (its GRE dropped).
lab_drive c1 -n 100 -w 8 -t 30 -P "$TMP/go" 192.0.2.1 >"$TMP/p.out" 2>&1 &
p=$!
lab_track $p
lab_wait_log "PAUSE:" 30 "$TMP/p.out" ||
    { cat "$TMP/p.out"; fail "no echo before A's reload"; }
a_conf
tun_reload A "$A_PID" "$PLOG" 3
touch "$TMP/go"
wait $p || { cat "$TMP/p.out"; fail "the tunnelled session did not echo after A's reload without tunnel"; }
cat "$TMP/p.out"
grep -q "switching to TCP\|no UDP way back\|tunnels: UDP .* closed" "$PLOG" &&
    fail "A's reload without tunnel moved or closed a tunnel"
n=$(log_count "tunnel to 198.51.100.66:1723 agreed")
lab_drive c1 -n 3 -t 6 192.0.2.1 >"$TMP/plain.out" 2>&1
rc=$?
[ $rc -eq 2 ] || { cat "$TMP/plain.out"; fail "after A's reload without tunnel a client ended with $rc, not 2 (plain PPTP, GRE dropped)"; }
[ "$(log_count "tunnel to 198.51.100.66:1723 agreed")" -eq "$n" ] ||
    fail "A still tunnels new sessions after its reload without tunnel"
kill -0 "$A_PID" && kill -0 "$B_PID" || fail "a proxy died"
exit 0
