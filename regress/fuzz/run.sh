#!/bin/sh
# Build the libFuzzer targets regress/fuzz/fuzz_*.c with clang and run each
# for SECONDS (default 60) on a temporary copy of its seed corpus
# regress/fuzz/corpus_NAME/ (the committed corpus is never written to).
# A crash leaves its input in $FUZZ_OUT/NAME-crash-* and makes the exit
# status non-zero; the last line is "N passed, M failed", one per target.
#
#	sh regress/fuzz/run.sh [SECONDS [TARGET ...]]
#	FUZZ_CC=clang-15 FUZZ_OUT=/tmp/f sh regress/fuzz/run.sh 600 fuzz_pptp
#
# Targets link the sources they test, built with the Makefile's flags.
# A target that needs more of the daemon than its list below is linked
# again against every file of it but main() (build/parse.c made first).

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-$(ls regress/fuzz/fuzz_*.c | sed 's|.*/||; s|\.c$||')}
out=${FUZZ_OUT:-build/fuzz}
CC=${FUZZ_CC:-clang}
pass=0
fail=0

case $secs in
''|*[!0-9]*)
	echo "usage: $0 [seconds [target ...]]" >&2
	exit 2 ;;
esac
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "not ok - no $CC to build the fuzz targets"
	echo "0 passed, 1 failed"
	exit 1
fi
mkdir -p "$out" || exit 1

if pkg-config --exists libbsd-overlay libevent libseccomp 2>/dev/null; then
	pkg_cflags=$(pkg-config --cflags libbsd-overlay libevent libseccomp)
	pkg_libs=$(pkg-config --libs libbsd-overlay libevent libseccomp)
else
	pkg_cflags=
	pkg_libs=
fi
# The quotes stay in the words: they make the -D values C strings.
# shellcheck disable=SC2089
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer -D_GNU_SOURCE -Isrc -Icompat $pkg_cflags
    -DPPTPPROXY_USER=\"_pptpproxy\" -DPPTPPROXY_CHROOT=\"/var/empty\"
    -DPPTPPROXY_CONF=\"/etc/pptpproxy.conf\""
codec="src/pptp.c src/callid.c"

# Every source of the daemon but the one with main().
all_srcs() {
	[ -f build/parse.c ] || make -s build/parse.c >/dev/null 2>&1
	for f in src/*.c compat/*.c; do
		[ "$f" = src/pptpproxy.c ] || echo "$f"
	done
	[ -f build/parse.c ] && echo build/parse.c
}

build() {	# name srcs...
	b_name=$1
	shift
	# shellcheck disable=SC2086,SC2090
	$CC $cflags -o "$out/$b_name" "regress/fuzz/$b_name.c" "$@" \
	    $pkg_libs >>"$out/$b_name.build" 2>&1
}

for name in $targets; do
	if [ ! -f "regress/fuzz/$name.c" ]; then
		echo "not ok - $name: no regress/fuzz/$name.c"
		fail=$((fail + 1))
		continue
	fi
	case $name in
	fuzz_pptp)	srcs=$codec; max=4096 ;;
	fuzz_gre)	srcs=$codec; max=1600 ;;
	fuzz_offload)	srcs="src/offload.c src/log.c"; max=4096 ;;
	fuzz_tunnel)	srcs="src/tunnel.c $codec"; max=20000 ;;
	fuzz_grepath)	srcs="src/gre.c src/tunnel.c $codec src/log.c src/proc.c src/os.c
			    src/sandbox.c src/config.c src/acl.c compat/imsg.c"
			max=2048 ;;
	fuzz_rtable)	srcs="src/gre.c src/rtable.c src/guard.c src/tunnel.c $codec
			    src/log.c src/logrelay.c src/slab.c src/proc.c src/os.c
			    src/sandbox.c src/config.c src/acl.c compat/imsg.c"
			max=4096 ;;
	*)		srcs=$codec; max=4096 ;;
	esac
	: >"$out/$name.build"
	rm -f "$out/$name"
	# shellcheck disable=SC2086
	if ! build "$name" $srcs; then
		echo "# $name: linking against the whole daemon" \
		    >>"$out/$name.build"
		# shellcheck disable=SC2046
		build "$name" $(all_srcs)
	fi
	if [ ! -x "$out/$name" ]; then
		tail -n 30 "$out/$name.build"
		echo "not ok - $name does not build"
		fail=$((fail + 1))
		continue
	fi
	corpus=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX") || exit 1
	seeds=regress/fuzz/corpus_${name#fuzz_}
	if [ -d "$seeds" ]; then
		cp "$seeds"/* "$corpus"/ 2>/dev/null
	else
		echo "# $name: no seed corpus $seeds"
	fi
	rm -f "$out/$name"-crash-* "$out/$name"-leak-* \
	    "$out/$name"-timeout-* "$out/$name"-oom-*
	if "$out/$name" -max_total_time="$secs" -max_len="$max" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$out/$name-" "$corpus" \
	    >"$out/$name.log" 2>&1 </dev/null
	then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    "$out/$name.log")
		cov=$(grep -a -o 'cov: [0-9]*' "$out/$name.log" | tail -n 1)
		echo "ok - $name: $secs s, ${runs:-?} runs, ${cov:-cov: ?}," \
		    "corpus $(ls "$corpus" | wc -l) inputs"
		pass=$((pass + 1))
	else
		tail -n 40 "$out/$name.log"
		echo "not ok - $name: $(ls "$out/$name"-crash-* \
		    "$out/$name"-leak-* "$out/$name"-timeout-* \
		    "$out/$name"-oom-* 2>/dev/null | tr '\n' ' ')"
		fail=$((fail + 1))
	fi
	rm -rf "$corpus"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
