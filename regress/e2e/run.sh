#!/bin/sh
# Run the end-to-end tests: every regress/e2e/t_*.sh, or those named
# (t_echo, t_echo.sh or a path), each under a time limit (E2E_TIMEOUT
# seconds, default 120).  Prints "ok - name", "not ok - name" (followed by
# the test's output, indented) or "skip - name: reason" per test, and last
# "N passed, M failed, K skipped".  Exits 1 if any failed, or if none
# passed or failed (all skipped, or none found: a run that tested nothing
# is counted as one failure).  A test that exits 77 without a "skip:"
# line, or with an exit status other than 0, 1 and 77, fails.  Root only;
# works from any directory.  E2E_KEEP=1 keeps each test's temporary
# directory.
dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$dir/../.." && pwd)
cd "$top" || exit 1
limit=${E2E_TIMEOUT:-120}
pass=0
fail=0
skip=0

if [ $# -gt 0 ]; then
	tests=""
	for t in "$@"; do
		case $t in
		*/*) ;;
		*.sh) t=$dir/$t ;;
		*) t=$dir/$t.sh ;;
		esac
		tests="$tests $t"
	done
else
	tests=$(ls "$dir"/t_*.sh)
fi

out=$(mktemp /tmp/pptpproxy-e2e-run.XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT
trap 'exit 1' INT TERM HUP

# sweep PREFIX: what a test killed by the time limit may have left behind
# in its namespaces (all named PREFIX...): end its processes, delete them.
sweep() {
	for n in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		case $n in
		"$1"*) ;;
		*) continue ;;
		esac
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$n" 2>/dev/null && echo "    (removed namespace $n)"
	done
}

i=0
start=$(date +%s)
for t in $tests; do
	i=$((i + 1))
	name=$(basename "$t" .sh)
	if [ ! -f "$t" ]; then
		fail=$((fail + 1))
		echo "not ok - $name: no such test"
		continue
	fi
	t0=$(date +%s)
	E2E_RUN="r$$t$i-" timeout -k 15 "$limit" sh "$t" >"$out" 2>&1 </dev/null
	rc=$?
	el=$(( $(date +%s) - t0 ))
	case $rc in
	0)
		pass=$((pass + 1))
		echo "ok - $name (${el}s)"
		;;
	77)
		why=$(grep '^skip:' "$out" | tail -n 1 | sed 's/^skip: *//')
		if [ -n "$why" ]; then
			skip=$((skip + 1))
			echo "skip - $name: $why"
		else
			fail=$((fail + 1))
			echo "not ok - $name (exit 77 without a \"skip:\" reason)"
			sed 's/^/    /' "$out"
		fi
		;;
	*)
		fail=$((fail + 1))
		why="exit $rc"
		[ $rc -eq 124 ] || [ $rc -eq 137 ] &&
		    why="killed after the ${limit}s time limit"
		echo "not ok - $name ($why, ${el}s)"
		sed 's/^/    /' "$out"
		;;
	esac
	sweep "r$$t$i-"
done
echo "# $(( $(date +%s) - start ))s in all"
if [ $((pass + fail)) -eq 0 ]; then
	fail=1
	echo "not ok - no test ran ($skip skipped)"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
