#!/bin/sh
# The OpenBSD side of the source, checked on Linux: every src/*.c compiled
# (syntax and types, -fsyntax-only, the project's warnings as errors) as
# OpenBSD's preprocessor would select it: __OpenBSD__ defined, __linux__
# not.  Linux headers stand in for OpenBSD's, compat/imsg.h for the
# system's <imsg.h> (the same interface), shim/openbsd.h declares pledge(2)
# and unveil(2).  This finds code in the OpenBSD branches that would not
# compile (a typo, a missing declaration, a changed signature); it cannot
# find what differs in OpenBSD's own headers.  One line a file, then
# "N passed, M failed".
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
CC=${CC:-cc}
WARN="-Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes
    -Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual
    -Wsign-compare -Wformat=2 -Wundef -Wno-unused-parameter -Werror"
pkg=$(pkg-config --cflags libbsd-overlay libevent 2>/dev/null) || {
	echo "not ok - pkg-config: libbsd or libevent missing"
	echo "0 passed, 1 failed"
	exit 1
}
pass=0
fail=0
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
for f in src/*.c; do
	[ -f "$f" ] || continue
	# parse.y's C output is checked where the Makefile builds it.
	# shellcheck disable=SC2086
	if $CC -fsyntax-only -std=gnu99 -D_GNU_SOURCE -U__linux__ \
	    -D__OpenBSD__ -include regress/port/shim/openbsd.h -Isrc -Icompat \
	    $pkg -DPPTPPROXY_USER='"_pptpproxy"' \
	    -DPPTPPROXY_CHROOT='"/var/empty"' \
	    -DPPTPPROXY_CONF='"/etc/pptpproxy.conf"' $WARN "$f" >"$out" 2>&1
	then
		echo "ok - $f compiles as on OpenBSD"
		pass=$((pass + 1))
	else
		echo "not ok - $f compiles as on OpenBSD"
		sed 's/^/    /' "$out" | head -n 20
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
