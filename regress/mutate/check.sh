#!/bin/sh
# Each plant still plants something: a fast check, run with the tests
# (the "plants" tier of regress/run), that the code has not moved away
# from a plant.  For every regress/mutate/*.plant: each edit changes its
# file (sed on the file as it is, the tree untouched), each patch
# applies (patch --dry-run), and each test it names exists.  "ok - NAME"
# or "not ok - NAME: why" a plant, then "N passed, M failed".  Whether
# the tests catch the plant is regress/mutate.sh's (slow) job.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
pass=0
fail=0
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
for f in regress/mutate/*.plant; do
	p=$(basename "$f" .plant)
	bad=""
	ntest=0
	while read -r kw a b; do
		case $kw in
		edit)
			if [ ! -f "$a" ]; then
				bad="no file $a"
			elif ! sed -e "$b" "$a" >"$tmp" 2>&1; then
				bad="sed fails on $a: $(head -n 1 "$tmp")"
			elif cmp -s "$tmp" "$a"; then
				bad="the edit changes nothing in $a"
			fi
			;;
		patch)
			patch -s --dry-run -p1 <"regress/mutate/$a" >/dev/null \
			    2>&1 || bad="patch $a does not apply"
			;;
		test)
			for t in $a $b; do
				ntest=$((ntest + 1))
				case $t in
				t_*) [ -f "regress/e2e/$t.sh" ] ;;
				test_*) [ -f "regress/unit/$t.c" ] ;;
				fuzz_*) [ -f "regress/fuzz/$t.c" ] ;;
				config|port) true ;;
				*) false ;;
				esac || bad="no test $t"
			done
			;;
		esac
		[ -n "$bad" ] && break
	done <"$f"
	[ -z "$bad" ] && [ $ntest -eq 0 ] && bad="no test named"
	if [ -z "$bad" ]; then
		pass=$((pass + 1))
		echo "ok - $p"
	else
		fail=$((fail + 1))
		echo "not ok - $p: $bad"
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
