#!/bin/sh
# Tunnels and SIGHUP on B (lab_tunnel_topology: the middle drops GRE).
# B starts without "tunnel accept": it has no UDP socket, and a client
# through A is refused by B.  A reload that adds "tunnel accept" opens
# B's UDP socket (the parent hands it to the GRE forwarder), and a real
# pptp client through A echoes over UDP; reloads of both proxies that
# change nothing, while frames flow, lose none, open or close nothing
# and move no tunnel to TCP.  A reload of B without "tunnel accept"
# closes the socket: the session tunnelled over it goes on, its GRE
# inside the control connection (both proxies log the switch), and echoes
# again; a new client is refused.
. "$(dirname "$0")/lib.sh"
tun_reload_lab
cat >"$TMP/a.conf" <<EOC
proxy a {
	listen on 192.0.2.1
	server 198.51.100.66 port 1723 tunnel
}
EOC
tun_b_conf
tun_conf_proxies
# b_udp: B's UDP socket for tunnels, as ss(8) lists it.
b_udp() {
	nsx fw2 ss -lunH "src 198.51.100.66 and sport = :1723"
}

[ -z "$(b_udp)" ] || fail "B has a UDP socket without tunnel accept: $(b_udp)"
PLOG=$PLOG2 lab_drive_refused c1 "tunnel hello from 198.51.100.65:[0-9]*: not allowed (tunnel accept)" \
    -n 3 -t 6 192.0.2.1

# The reload that adds tunnel acceptance.
tun_b_conf "tunnel accept from 198.51.100.65"
tun_reload B "$B_PID" "$PLOG2" 1
lab_wait_log "parent: tunnels: UDP 198.51.100.66 port 1723 open" 5 "$PLOG2" ||
    fail "B's reload did not log its new UDP socket"
[ -n "$(b_udp)" ] || fail "B's reload opened no UDP socket on 198.51.100.66:1723"
note "B after the reload: $(b_udp)"

# Frames flow for 12 s, reloads that change nothing meanwhile; then the
# client pauses until $TMP/go exists, and echoes as much again.
lab_drive c1 -n 60 -k 12 -r 40 -t 60 -P "$TMP/go" 192.0.2.1 >"$TMP/k.out" 2>&1 &
p=$!
lab_track $p
lab_wait_log "call 1 up" 10 "$PLOG2" || fail "no call on B"
lab_wait_log "session [0-9]*: 198.51.100.65:[0-9]* tunnels the calls' GRE to UDP port 1723" 5 "$PLOG2" ||
    fail "B did not take the tunnel"
sleep 2
tun_reload B "$B_PID" "$PLOG2" 2
kill -HUP "$A_PID"
sleep 2
tun_reload B "$B_PID" "$PLOG2" 3
lab_wait_log "PAUSE:" 30 "$TMP/k.out" ||
    { cat "$TMP/k.out"; fail "frames lost across reloads that change nothing"; }
cat "$TMP/k.out"
[ "$(log_count "configuration reloaded")" -ge 1 ] || fail "A did not reload"
[ "$(log_count "tunnels: UDP .* \(open\|closed\)" "$PLOG2")" -eq 1 ] &&
    [ "$(log_count "tunnels: UDP .* \(open\|closed\)")" -eq 0 ] ||
    fail "a reload that changes nothing opened or closed a tunnel socket"
grep -q "switching to TCP\|no UDP way back" "$PLOG" "$PLOG2" &&
    fail "a tunnel went to TCP across reloads that change nothing"
line=$(tun_status "$PLOG2" "$B_PID")
note "B: $line"
in=$(echo "$line" | sed -n 's/.* up, \([0-9]*\) packets in.*/\1/p')
[ -n "$in" ] && [ "$in" -ge 60 ] ||
    fail "B's forwarder counts ${in:-no} packets in over UDP, not 60 or more"
kill -USR1 "$B_PID"
lab_wait_log "session [0-9]*: 198.51.100.65:[0-9]* -> 198.51.100.2:1723 (b), .* 1 calls* up, tunnelled over UDP" 5 "$PLOG2" ||
    fail "B's status does not show the session tunnelled over UDP"

# The reload that removes tunnel acceptance: the socket closes, the
# session goes on over TCP.
tun_b_conf
tun_reload B "$B_PID" "$PLOG2" 4
lab_wait_log "parent: tunnels: UDP 198.51.100.66 port 1723 closed: no proxy there accepts tunnels now" 5 "$PLOG2" ||
    fail "B's parent did not log the socket's end"
lab_wait_log "gre: tunnels: UDP 198.51.100.66 port 1723 closed; sessions tunnelled over it: 1," 5 "$PLOG2" ||
    fail "B's forwarder did not log the socket's end and its session"
lab_wait_log "session [0-9]*: a reload closed the tunnel's UDP socket: switching to TCP" 5 "$PLOG2" ||
    fail "B did not log the session's switch to TCP"
lab_wait_log "session [0-9]*: the peer found no UDP way back: the calls' GRE goes inside the control connection" 5 ||
    fail "A did not follow B to TCP"
[ -z "$(b_udp)" ] || fail "B's UDP socket is still open: $(b_udp)"
touch "$TMP/go"
wait $p || { cat "$TMP/k.out"; fail "the tunnelled session did not echo after the socket closed"; }
cat "$TMP/k.out"
lab_wait_log "session [0-9]*: 198.51.100.65:[0-9]* ended after.*tunnelled over TCP" 10 "$PLOG2" ||
    fail "B's session end does not say tunnelled over TCP"
lab_wait_log "session [0-9]*: 192.0.2.10:[0-9]* ended after.*tunnelled over TCP" 10 ||
    fail "A's session end does not say tunnelled over TCP"
PLOG=$PLOG2 lab_drive_refused c1 "tunnel hello from 198.51.100.65:[0-9]*: not allowed (tunnel accept)" \
    -n 3 -t 6 192.0.2.1
kill -0 "$A_PID" && kill -0 "$B_PID" || fail "a proxy died"
exit 0
