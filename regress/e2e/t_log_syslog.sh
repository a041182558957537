#!/bin/sh
# Logging to syslog survives a restart of the syslog daemon: a stand-in
# syslog daemon (a datagram socket listener) serves /dev/log in a private
# mount namespace where pptpproxy runs in the background (its default:
# syslog, here with "log facility local3"); both children's SIGUSR1 status
# lines reach it, with the local3 facility in their priority; then it is
# restarted (a new socket at the same path), and the children's lines
# still arrive.  A chrooted child could not reopen /dev/log, and its lines
# were lost without a word: they now go through the parent.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "no python3"
command -v unshare >/dev/null 2>&1 || skip "no unshare"
lab_ns fw
ip -n "$(ns fw)" addr add 192.0.2.1/24 dev lo

cat >"$TMP/syslogd.py" <<'EOP'
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(out, "ab", buffering=0) as f:
    f.write(b"listening\n")
    while True:
        f.write(s.recv(65536).rstrip(b"\n\0") + b"\n")
EOP
# syslogd N: start stand-in number N, writing to $TMP/syslog-N.
syslogd() {
	python3 "$TMP/syslogd.py" "$TMP/log.sock" "$TMP/syslog-$1" &
	SYSLOGD_PID=$!
	lab_track $SYSLOGD_PID
	lab_wait_log "listening" 5 "$TMP/syslog-$1" ||
	    fail "stand-in syslog daemon $1 did not start"
}

cat >"$TMP/pptpproxy.conf" <<EOC
log facility local3
proxy {
	listen on 192.0.2.1
	server 198.51.100.2
}
EOC
# In the namespace: /dev a tmpfs with what the daemon opens, /dev/log the
# stand-in's socket.  The machine's /dev is not touched.
cat >"$TMP/inner.sh" <<'EOS'
T=$1
shift
mkdir "$T/dev" || exit 1
for n in null zero random urandom; do
	touch "$T/dev/$n" && mount --bind "/dev/$n" "$T/dev/$n" || exit 1
done
mount -t tmpfs -o mode=0755 tmpfs /dev || exit 1
for n in null zero random urandom; do
	touch "/dev/$n" && mount --bind "$T/dev/$n" "/dev/$n" || exit 1
done
ln -s "$T/log.sock" /dev/log || exit 1
exec "$@"
EOS
syslogd 1
nsx fw unshare -m --propagation private sh "$TMP/inner.sh" "$TMP" \
    "$PPTPPROXY" -s "$CTLSOCK" -f "$TMP/pptpproxy.conf" >"$TMP/start.out" 2>&1 ||
    fail "start: $(cat "$TMP/start.out")"
# The parent takes its title once its children are started: wait for it.
parent=""
i=0
while [ -z "$parent" ] && [ $i -lt 50 ]; do
	for p in $(ip netns pids "$(ns fw)"); do
		grep -q "pptpproxy: parent" "/proc/$p/cmdline" 2>/dev/null &&
		    parent=$p
	done
	[ -n "$parent" ] || sleep 0.1
	i=$((i + 1))
done
[ -n "$parent" ] || fail "no daemon running in the background: $(cat "$TMP/start.out")"
lab_track "$parent"
# local3 (19) * 8 + info (6) = 158
lab_wait_log "^<158>.*pptpproxy\[$parent\]: parent: pptpproxy .* started" 5 \
    "$TMP/syslog-1" || fail "no start line at local3.info: $(cat "$TMP/syslog-1")"
kill -USR1 "$parent"
lab_wait_log "^<158>.*control: .*sessions" 5 "$TMP/syslog-1" ||
    fail "no status line from control: $(cat "$TMP/syslog-1")"
lab_wait_log "^<158>.*gre: .*routes" 5 "$TMP/syslog-1" ||
    fail "no status line from gre: $(cat "$TMP/syslog-1")"
# The children closed their syslog sockets before their sandboxes: they
# log only through the parent, which limits and cleans their lines.
d=$(proxy_direct_log "$parent")
[ -z "$d" ] || fail "a child's own way to the log: $d"

# The syslog daemon restarts: a new socket at the same path.
kill "$SYSLOGD_PID"
wait "$SYSLOGD_PID" 2>/dev/null
syslogd 2
for i in 1 2 3; do
	kill -USR1 "$parent"
	sleep 0.3
done
lab_wait_log "control: .*sessions" 5 "$TMP/syslog-2" ||
    fail "after the restart, no line from control: $(cat "$TMP/syslog-2")"
lab_wait_log "gre: .*routes" 5 "$TMP/syslog-2" ||
    fail "after the restart, no line from gre: $(cat "$TMP/syslog-2")"
echo "after the restart of the syslog daemon:"
grep -v "^listening" "$TMP/syslog-2" | sed 's/^/  /'
kill -TERM "$parent"
exit 0
