#!/bin/sh
# A compromised child sends the parent messages of the wrong size, of a
# type it may not send, or longer than any message may be: an ACL request
# of 5 bytes, one of 20000 (over the 16384-byte limit), an unknown type,
# an offload poll from the control relay, a reload request carrying 8
# bytes of data; with gre offload on, a route, a deletion and a poll of
# the wrong sizes from the GRE forwarder; and
# messages only the parent sends (IMSG_TUN_CLOSE, IMSG_TUN_SOCKET,
# IMSG_CTL_RSOCKET, IMSG_CTL_RESULT) sent to it by a child.  Each
# time the parent says what was wrong, treats the child as compromised
# and ends: status 1, no child and no nftables table left, no crash.
. "$(dirname "$0")/lib.sh"
. "$E2E/hostile.sh"
lab_topology 1

# try CASE PATTERN [offload] WHO ARGS...: a fresh proxy, the message, the end.
try() {
	_case=$1
	_pat=$2
	shift 2
	_mode=
	if [ "$1" = offload ]; then
		_mode=offload
		shift
	fi
	hostile_start $_mode
	hostile "$@" || fail "$_case: could not send it"
	hostile_ended "$_case" "$_pat"
}
acl_size=$("$HOSTILE" sizeof acl) || fail "hostile sizeof acl"
try "ACL request of 5 bytes" "sent an ACL request of 5 bytes, not $acl_size" \
    control size acl 5
try "message of 20000 bytes" "sent a message of a length out of bounds" \
    control size acl 20000
try "unknown type" "sent message type 99, which it may not send" \
    control type 99
try "offload poll from the control relay" "control process sent an offload request" \
    control size poll 0
try "reload request of 8 bytes" "sent a reload request of 8 bytes, not 0" \
    control size reload 8
lab_pptpd
try "offload route of 10 bytes" "sent an offload route of 10 bytes" \
    offload gre size add 10
try "offload deletion of 3 bytes" "sent an offload deletion of 3 bytes" \
    offload gre size del 3
try "offload poll of 4 bytes" "sent an offload poll of 4 bytes, not 0" \
    offload gre size poll 4
try "ACL request from the GRE forwarder" "gre process sent an ACL request" \
    offload gre size acl 12
# What only the parent sends, sent to it: the tunnels' sockets a reload
# opens and closes, the restricted control socket, a control result.
for m in gre:tun_close gre:tun_socket control:tun_close control:ctl_rsocket \
    control:ctl_result; do
	n=$("$HOSTILE" typeof "${m#*:}") || fail "hostile typeof ${m#*:}"
	try "${m#*:} (type $n) from the ${m%%:*} process" \
	    "${m%%:*} process sent message type $n, which it may not send" \
	    "${m%%:*}" type "$n"
done
exit 0
