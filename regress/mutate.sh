#!/bin/sh
# Planted bugs: each must be caught by the tests meant for it.
#   sh regress/mutate.sh [-k] [plant ...]     (default: every plant)
# A plant is regress/mutate/NAME.plant: a first comment line saying what
# the bug is, then lines
#   edit FILE SED-EXPRESSION   change FILE (from the top) with sed -e
#   patch DIFF                 apply regress/mutate/DIFF with patch -p1
#   test NAME ...              the tests that must catch it: t_* (e2e,
#                              root), test_* (unit), fuzz_* (a libFuzzer
#                              target, 60 s from its seeds), config, port
#   needs VARIABLE             the tests can catch it only with VARIABLE
#                              set in the environment (OPENBSD_SYSROOT for
#                              a bug only OpenBSD's own headers show):
#                              without it the plant is skipped, and said so
# For each plant the tree is copied (with its build/, so that only what the
# plant changes is rebuilt) to a temporary directory, the plant applied
# there - the real tree is never touched - and must change something, the
# copy built (make all tools, unit-bins for unit tests, asan for t_asan_*
# tests), and each test run in the copy.  A plant is caught when every
# test named fails on it (a skip, a test that could not run, or a build
# error is not a catch).
# Prints "caught - NAME: what", "not caught - NAME: what (why)" or
# "skipped - NAME: what (needs VARIABLE)" per plant, then "N caught, M not
# caught, K skipped"; exits 1 unless every plant not skipped was caught.
# -k keeps the copies.  Slow (minutes a plant): not part of "make test".
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
dir=$top/regress/mutate
keep=0
if [ "${1:-}" = -k ]; then
	keep=1
	shift
fi
if [ $# -gt 0 ]; then
	plants=$*
else
	plants=$(ls "$dir"/*.plant | sed 's|.*/||; s|\.plant$||')
fi
caught=0
missed=0
skipped=0
scr=""
log=$(mktemp /tmp/pptpproxy-mutate.XXXXXX) || exit 1
trap 'rm -f "$log"; [ $keep -eq 1 ] || [ -z "$scr" ] || rm -rf "$scr"' EXIT
trap 'exit 1' INT TERM HUP

# result NAME WHAT VERDICT [WHY]
result() {
	if [ "$3" = caught ]; then
		caught=$((caught + 1))
		echo "caught - $1: $2"
	else
		missed=$((missed + 1))
		echo "not caught - $1: $2 ($4)"
	fi
}

for p in $plants; do
	f=$dir/$p.plant
	if [ ! -f "$f" ]; then
		result "$p" "?" "not" "no such plant"
		continue
	fi
	what=$(sed -n '1s/^# *//p' "$f")
	scr=$(mktemp -d /tmp/pptpproxy-mutate-$p.XXXXXX) || exit 1
	# The tree as it is (uncommitted changes too), without .git.
	tar -C "$top" --exclude=./.git -cf - . | tar -C "$scr" -xf - ||
	    { result "$p" "$what" "not" "cannot copy the tree"; continue; }
	bad=""
	tests=""
	needs=""
	while read -r kw a b; do
		case $kw in
		edit)
			[ -f "$scr/$a" ] || { bad="no file $a"; break; }
			cp "$scr/$a" "$scr/$a.orig"
			sed -i -e "$b" "$scr/$a" || { bad="sed failed on $a"; break; }
			if cmp -s "$scr/$a" "$scr/$a.orig"; then
				bad="the edit changed nothing in $a"
				break
			fi
			rm -f "$scr/$a.orig"
			;;
		patch)
			patch -s -d "$scr" -p1 --no-backup-if-mismatch \
			    <"$dir/$a" >"$log" 2>&1 ||
			    { bad="patch $a does not apply: $(head -n 3 "$log")"; break; }
			;;
		test)
			tests="$tests $a $b"
			;;
		needs)
			case $a in
			''|[0-9]*|*[!A-Za-z0-9_]*)
				bad="bad variable name: $a"
				break
				;;
			esac
			eval "_v=\${$a:-}"
			[ -n "$_v" ] || needs=$a
			;;
		'#'*|'') ;;
		*)
			bad="unknown line: $kw"
			break
			;;
		esac
	done <"$f"
	if [ -z "$bad" ] && [ -z "$(echo $tests)" ]; then
		bad="no test named"
	fi
	if [ -z "$bad" ] && [ -n "$needs" ]; then
		skipped=$((skipped + 1))
		echo "skipped - $p: $what (needs $needs)"
		rm -rf "$scr"
		continue
	fi
	targets="all tools"
	case " $tests " in
	*" test_"*) targets="$targets unit-bins" ;;
	esac
	case " $tests " in
	*" t_asan_"*) targets="$targets asan" ;;
	esac
	if [ -z "$bad" ] && ! make -s -C "$scr" -j2 $targets >"$log" 2>&1; then
		tail -n 20 "$log"
		bad="the planted copy does not build"
	fi
	if [ -n "$bad" ]; then
		result "$p" "$what" "not" "$bad"
		[ $keep -eq 1 ] && echo "kept $scr" || rm -rf "$scr"
		continue
	fi
	missing=""
	for t in $tests; do
		case $t in
		t_*)
			sh "$scr/regress/e2e/run.sh" "$t" >"$log" 2>&1
			grep -q "^not ok - $t (" "$log" || missing="$missing $t"
			;;
		test_*)
			"$scr/build/unit/$t" >"$log" 2>&1 && missing="$missing $t"
			;;
		fuzz_*)
			FUZZ_OUT=$scr/build/fuzz \
			    sh "$scr/regress/fuzz/run.sh" 60 "$t" >"$log" 2>&1 &&
			    missing="$missing $t"
			;;
		config)
			sh "$scr/regress/config/run.sh" >"$log" 2>&1 &&
			    missing="$missing $t"
			;;
		port)
			sh "$scr/regress/port/openbsd.sh" >"$log" 2>&1 &&
			    missing="$missing $t"
			;;
		*)
			missing="$missing $t(unknown)"
			;;
		esac
		grep -E '^ *(not ok|skip|FAIL)' "$log" | head -n 4 | sed "s/^/    $t: /"
	done
	if [ -z "$missing" ]; then
		result "$p" "$what" caught
	else
		result "$p" "$what" "not" "passed:$missing"
	fi
	[ $keep -eq 1 ] && echo "kept $scr" || rm -rf "$scr"
done
echo "$caught caught, $missed not caught, $skipped skipped"
[ $missed -eq 0 ]
