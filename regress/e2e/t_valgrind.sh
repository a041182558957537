#!/bin/sh
# One session (a call, 100 frames echoed), pptpproxyctl's commands while
# the call is up, and a hostile connection with every process of the
# daemon under valgrind: no errors, nothing definitely lost.  Uses the test build (make B=build/test CPPFLAGS=-DPPTPPROXY_TEST),
# whose children skip their seccomp filter when told to: valgrind makes
# system calls of its own.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null 2>&1 || skip "no valgrind"
TB=$TOP/build/test/pptpproxy
if [ ! -x "$TB" ] || [ "$TB" -ot "$PPTPPROXY" ]; then
	make -C "$TOP" B=build/test CPPFLAGS=-DPPTPPROXY_TEST build/test/pptpproxy \
	    >/dev/null 2>&1 || fail "cannot build the test binary"
fi
cat > "$TMP/vg" <<EOS
#!/bin/sh
PPTPPROXY_TEST_NO_SECCOMP=1 exec valgrind -q --vgdb=no --trace-children=yes \
    --leak-check=full --errors-for-leak-kinds=definite \
    --log-file=$TMP/vg.%p "$TB" "\$@"
EOS
chmod 755 "$TMP/vg"
lab_topology 2
lab_pptpd
PPTPPROXY=$TMP/vg
lab_proxy fw -p 192.0.2.1,198.51.100.2
lab_drive c1 -n 100 -t 60 -H 10 192.0.2.1 >"$TMP/c1.out" 2>&1 &
c1=$!
lab_track $c1
lab_wait_log "HOLD:" 60 "$TMP/c1.out" || fail "echo under valgrind"
for c in "show summary" "show sessions" "-j show session 1" "show metrics" \
    "kill session 99" "log brief" "log verbose" "reload"; do
	# shellcheck disable=SC2086
	"$PPTPPROXYCTL" -s "$CTLSOCK" $c >>"$TMP/ctl.out" 2>&1
done
grep -q "call 1 up" "$TMP/ctl.out" || fail "pptpproxyctl under valgrind"
wait $c1 || fail "echo under valgrind"
nsx c2 "$E2E/badctl" 192.0.2.1 bad_magic callid_reused >/dev/null || fail "badctl"
lab_wait_log "ended after" 10 || fail "no session end"
kill -TERM "$PROXY_PID"
i=0
while kill -0 "$PROXY_PID" 2>/dev/null && [ $i -lt 200 ]; do
	sleep 0.1; i=$((i + 1))
done
sleep 1
n=$(ls "$TMP"/vg.* 2>/dev/null | wc -l)
[ "$n" -ge 3 ] || fail "expected valgrind logs of three processes, got $n"
# Memcheck's reports start with ==pid==; its notes on system calls it
# does not know (seccomp(2) for the parent's filter) with --pid--.
for f in "$TMP"/vg.*; do
	if grep -q '^==[0-9]*==' "$f"; then
		cat "$f"
		fail "valgrind reported errors in $(basename "$f")"
	fi
done
echo "valgrind: $n processes, no errors, no definite leaks"
exit 0
