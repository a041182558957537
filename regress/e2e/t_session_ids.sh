#!/bin/sh
# Session numbers are 64 bits wide: the test build numbers sessions from
# 2^32 - 2 on (PPTPPROXY_TEST_FIRST_SESSION), and three real sessions with
# a call each, numbered 4294967294 to 4294967296, are let in by an ACL
# command and end with their GRE counters (the parent's verdict and the
# forwarder's answers name the session by its full number: cut to 32 bits,
# the third's would not find it, and it would never start or never end).
top=$(cd "$(dirname "$0")/../.." && pwd)
PPTPPROXY=$top/build/test/pptpproxy
. "$(dirname "$0")/lib.sh"
make -s -C "$top" testbuild \
    >"$TMP/make.out" 2>&1 || { cat "$TMP/make.out"; fail "test build"; }
lab_topology 1
lab_pptpd
# An ACL command, without the cache, so that each session's number also
# goes to the parent and comes back with the verdict.
cat >"$TMP/c.conf" <<EOC
acl-command cache 0
proxy "office" {
	listen on 192.0.2.1 port 1723
	server 198.51.100.2 port 1723
	allow command "/bin/true"
}
EOC
PPTPPROXY_TEST_FIRST_SESSION=4294967294 lab_proxy fw -f "$TMP/c.conf"
for n in 4294967294 4294967295 4294967296; do
	lab_drive c1 -n 20 -t 20 192.0.2.1 || fail "session $n: the client"
	lab_wait_log "session $n: 192.0.2.10:[0-9]* ended after" 10 ||
	    fail "session $n did not end"
	end=$(grep "session $n: 192.0.2.10:[0-9]* ended after" "$PLOG")
	echo "$end" | sed 's/^.*control: //'
	echo "$end" | grep -q "1 call, to server [1-9][0-9]* packets" ||
	    fail "session $n: no GRE counted"
done
grep -q "session 4294967296: 192.0.2.10:[0-9]* -> 192.0.2.1:1723 relayed" \
    "$PLOG" || fail "no start line for session 4294967296"
exit 0
