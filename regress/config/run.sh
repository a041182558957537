#!/bin/sh
# Configuration tier: good files print back as their golden .ok file and
# re-parse to the same text; bad files fail with every expected
# "file:line: message" of their .err file; the shipped example parses.

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
P=${PPTPPROXY:-build/pptpproxy}
dir=regress/config
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok - $*"; }
notok() { fail=$((fail + 1)); echo "not ok - $*"; }

for f in $dir/good_*.conf; do
	n=$(basename "$f" .conf)
	if ! "$P" -T -f "$f" >"$tmp/$n.out" 2>"$tmp/$n.err"; then
		notok "$n parses"; cat "$tmp/$n.err"; continue
	fi
	if diff -u "$dir/$n.ok" "$tmp/$n.out"; then
		ok "$n prints as $n.ok"
	else
		notok "$n prints as $n.ok"
	fi
	# What -T prints is itself a valid file that prints the same.
	if "$P" -T -f "$tmp/$n.out" >"$tmp/$n.again" 2>&1 &&
	    cmp -s "$tmp/$n.out" "$tmp/$n.again"; then
		ok "$n: printed configuration re-parses the same"
	else
		notok "$n: printed configuration re-parses the same"
		diff -u "$tmp/$n.out" "$tmp/$n.again"
	fi
done

for f in $dir/bad_*.conf; do
	n=$(basename "$f" .conf)
	"$P" -t -f "$f" >/dev/null 2>"$tmp/$n.err"
	rc=$?
	if [ $rc -ne 1 ]; then
		notok "$n exits 1 (got $rc)"; continue
	fi
	missing=0
	while IFS= read -r line; do
		grep -qF -- "$dir/$line" "$tmp/$n.err" || {
			echo "  missing: $dir/$line"; missing=1; }
	done <"$dir/$n.err"
	if [ $missing -eq 0 ]; then
		ok "$n: every expected error, with its line"
	else
		notok "$n: every expected error, with its line"
		sed 's/^/  got: /' "$tmp/$n.err"
	fi
done

if "$P" -t -f etc/pptpproxy.conf >/dev/null 2>&1; then
	ok "etc/pptpproxy.conf parses"
else
	notok "etc/pptpproxy.conf parses"
fi

# Command-line pairs and ACLs add to the file.
"$P" -T -f $dir/good_minimal.conf -p 203.0.113.1:1724,198.51.100.9:99 \
    -a 198.51.100.0/24 -x "/bin/true" >"$tmp/cmdline.out" 2>&1
if grep -q 'listen on 203.0.113.1 port 1724' "$tmp/cmdline.out" &&
    grep -q 'server "198.51.100.9" port 99' "$tmp/cmdline.out" &&
    grep -q '^allow from 198.51.100.0/24' "$tmp/cmdline.out" &&
    grep -q '^allow command "/bin/true"' "$tmp/cmdline.out" &&
    grep -q 'server "198.51.100.2" port 1723' "$tmp/cmdline.out"; then
	ok "-p, -a and -x add to the file"
else
	notok "-p, -a and -x add to the file"; cat "$tmp/cmdline.out"
fi

# -p alone needs no file; a named file must exist; bad -p/-a fail.
if "$P" -t -p 198.51.100.2 >/dev/null 2>&1; then
	ok "-p alone needs no configuration file"
else
	notok "-p alone needs no configuration file"
fi
if ! "$P" -t -f $dir/does-not-exist.conf >/dev/null 2>&1; then
	ok "a missing -f file fails"
else
	notok "a missing -f file fails"
fi
if ! "$P" -t -p 192.0.2.1:0,198.51.100.2 >/dev/null 2>&1 &&
    ! "$P" -t -p 198.51.100.2 -a 192.0.2.0/33 >/dev/null 2>&1; then
	ok "bad -p and -a arguments fail"
else
	notok "bad -p and -a arguments fail"
fi
if "$P" -t -f /dev/null >/dev/null 2>&1; then
	notok "a file with no proxy fails"
else
	ok "a file with no proxy fails"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
