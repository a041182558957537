#!/bin/sh
# Build the libFuzzer targets (regress/fuzz/fuzz_*.c) with clang and run
# each for SECONDS (default 60) on a copy of its seed corpus.
#   sh regress/fuzz/run.sh [SECONDS]
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
secs=${1:-60}
out=build/fuzz
mkdir -p "$out"
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null 2>&1 || { echo "no $CC"; echo "0 passed, 1 failed"; exit 1; }
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
    -D_GNU_SOURCE -Isrc -Icompat $(pkg-config --cflags libbsd-overlay libevent libseccomp)
    -DPPTPPROXY_USER=\"_pptpproxy\" -DPPTPPROXY_CHROOT=\"/var/empty\"
    -DPPTPPROXY_CONF=\"/etc/pptpproxy.conf\""
libs="$(pkg-config --libs libbsd-overlay libevent libseccomp)"
pass=0; fail=0
for t in regress/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	case $name in
	fuzz_pptp) srcs="src/pptp.c src/callid.c"; max=4096 ;;
	fuzz_grepath) srcs="src/gre.c src/pptp.c src/callid.c src/log.c
	    src/proc.c src/os.c src/sandbox.c src/config.c src/acl.c
	    compat/imsg.c"; max=2048 ;;
	*) srcs="src/pptp.c src/callid.c"; max=512 ;;
	esac
	# shellcheck disable=SC2086
	if ! $CC $flags -o "$out/$name" "$t" $srcs $libs 2>"$out/$name.build"; then
		cat "$out/$name.build"
		echo "not ok - $name builds"; fail=$((fail + 1)); continue
	fi
	corpus=$(mktemp -d)
	seeds=regress/fuzz/corpus_${name#fuzz_}
	[ -d "$seeds" ] && cp "$seeds"/* "$corpus"/ 2>/dev/null
	if "$out/$name" -max_total_time="$secs" -max_len=$max -print_final_stats=0 \
	    "$corpus" >"$out/$name.log" 2>&1; then
		echo "ok - $name ran $secs s: $(grep -a -o 'cov: [0-9]*' "$out/$name.log" | tail -n 1)"
		pass=$((pass + 1))
	else
		tail -n 30 "$out/$name.log"
		echo "not ok - $name"; fail=$((fail + 1))
	fi
	rm -rf "$corpus"
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
