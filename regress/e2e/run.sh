#!/bin/sh
# Run the end-to-end tests (all t_*.sh, or those named), each with a time
# limit; print ok / not ok / skip per test and "N passed, M failed".
dir=$(cd "$(dirname "$0")" && pwd)
cd "$dir/../.." || exit 1
limit=${E2E_TIMEOUT:-180}
pass=0; fail=0; skip=0
if [ $# -gt 0 ]; then tests=$*; else tests=$(ls "$dir"/t_*.sh); fi
for t in $tests; do
	[ -f "$t" ] || t=$dir/$t
	name=$(basename "$t" .sh)
	out=$(mktemp)
	timeout -s TERM "$limit" sh "$t" >"$out" 2>&1
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); echo "ok - $name" ;;
	77) skip=$((skip + 1)); echo "skip - $name: $(tail -n 1 "$out")" ;;
	*) fail=$((fail + 1)); echo "not ok - $name (exit $rc)"
	   sed 's/^/    /' "$out" ;;
	esac
	rm -f "$out"
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
