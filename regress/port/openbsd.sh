#!/bin/sh
# The OpenBSD side of the source, checked on Linux: every src/*.c and
# pptpproxyctl/*.c compiled (syntax and types, -fsyntax-only, the
# project's warnings as errors) as
# OpenBSD's preprocessor would select it: __OpenBSD__ defined, __linux__
# not.  Linux headers stand in for OpenBSD's, compat/imsg.h for the
# system's <imsg.h> (the same interface), shim/openbsd.h declares pledge(2)
# and unveil(2).  This finds code in the OpenBSD branches that would not
# compile (a typo, a missing declaration, a changed signature); it cannot
# find what differs in OpenBSD's own headers.
#
# When OPENBSD_SYSROOT names a directory of OpenBSD's own headers (usr/include
# from OpenBSD's source tree, libevent's under usr/local/include, and a
# "check" script that runs clang --target=x86_64-unknown-openbsd -nostdinc
# -fsyntax-only on every src/*.c), the sources are checked against those
# too: the real thing, not Linux's headers in OpenBSD's place; then
# pptpproxyctl/*.c the same way (the Makefile's flags), by clang here with
# that sysroot's headers (a counted skip without clang).  A file passes
# when clang says nothing, not even a warning.  The sysroot is used from a
# scratch copy, in which any link that was stored as a small file holding
# its target's name is made a symbolic link again; it is never changed.
# Two kinds of header are searched after the sysroot's (-idirafter), so
# that none can shadow one of OpenBSD's:
#   - the compiler's own: on OpenBSD, stdatomic.h and a few others come
#     with clang (/usr/lib/clang/VERSION/include), not /usr/include.  Only
#     those OpenBSD's base clang installs (COMPILER_HEADERS below, and the
#     x86 *intrin*.h) are taken from this clang's resource directory; a
#     header OpenBSD keeps in /usr/include (stddef.h, stdbool.h, ...) is
#     never taken from clang.
#   - a stand-in from regress/port/sysroot-extra/ for a header OpenBSD has
#     but the sysroot lacks (sys/un.h, poll.h): written for this project
#     from OpenBSD's documented interface, only what the sources use, and
#     used only when the sysroot has no file of that name.
# Before the results, one line for each of them a file took:
#   "compiler header - H: ... (used by FILES)"
#   "stand-in - H: regress/port/sysroot-extra/H, not OpenBSD's own ..."
# so that a pass through a stand-in is never taken for one through
# OpenBSD's header; when a header is missing still, add it to the sysroot
# or, failing that, a stand-in here.
# Without OPENBSD_SYSROOT that part is a counted skip.
# One line a file, then "N passed, M failed, K skipped".
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
nctl=0
for f in src/*.c pptpproxyctl/*.c; do
	[ -f "$f" ] || continue
	case $f in
	pptpproxyctl/*) nctl=$((nctl + 1)) ;;
	esac
	# parse.y's C output is checked where the Makefile builds it.
	# shellcheck disable=SC2086
	if $CC -fsyntax-only -std=gnu99 -D_GNU_SOURCE -U__linux__ \
	    -D__OpenBSD__ -include regress/port/shim/openbsd.h -Isrc -Icompat \
	    -Ipptpproxyctl $pkg -DPPTPPROXY_USER='"_pptpproxy"' \
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

# A tier that lost pptpproxyctl's sources would look green without them.
if [ "$nctl" -lt 3 ]; then
	echo "not ok - pptpproxyctl/*.c: $nctl files, not the 3 expected"
	fail=$((fail + 1))
fi

# What OpenBSD's base clang installs as its own headers (its build's list
# for amd64, with the *intrin*.h of x86; /usr/include has the others,
# stddef.h and the like).
COMPILER_HEADERS="stdalign.h stdatomic.h stdnoreturn.h tgmath.h unwind.h
    varargs.h cpuid.h cet.h mm3dnow.h mm_malloc.h"
skip=0
if [ -z "${OPENBSD_SYSROOT:-}" ]; then
	echo "skip - OpenBSD's own headers: OPENBSD_SYSROOT not set"
	skip=1
elif [ ! -x "$OPENBSD_SYSROOT/check" ] ||
    [ ! -d "$OPENBSD_SYSROOT/usr/include" ]; then
	echo "not ok - OPENBSD_SYSROOT=$OPENBSD_SYSROOT has no check script" \
	    "or usr/include"
	fail=$((fail + 1))
else
	sr=$(mktemp -d) || exit 1
	trap 'rm -f "$out"; rm -rf "$sr"' EXIT
	cp -R "$OPENBSD_SYSROOT/." "$sr/"
	chmod -R u+w "$sr"
	# A link stored as a file: one short line naming an existing path
	# relative to the file's directory.
	find "$sr/usr" -type f -size -100c | while read -r f; do
		t=$(cat "$f")
		case $t in
		""|*" "*|/*) continue ;;
		esac
		[ "$(wc -l <"$f")" -le 1 ] || continue
		d=$(dirname "$f")
		[ -e "$d/$t" ] || continue
		rm -f "$f" && ln -s "$t" "$f"
	done
	clang=${CLANG:-clang}
	command -v "$clang" >/dev/null 2>&1 || clang=""
	# The compiler's own headers, as OpenBSD's base clang installs them
	# in its directory (/usr/lib/clang/VERSION/include): only these, so
	# that a header OpenBSD has in /usr/include (stddef.h, stdbool.h,
	# limits.h...) is never taken from clang in the sysroot's place.
	# Searched after the sysroot's directories: none can shadow one of
	# OpenBSD's.
	cdir=$sr/compiler-include
	mkdir -p "$cdir"
	res=""
	[ -z "$clang" ] || res=$("$clang" -print-resource-dir 2>/dev/null)
	if [ -n "$res" ]; then
		for h in $COMPILER_HEADERS; do
			[ -f "$res/include/$h" ] && ln -s "$res/include/$h" "$cdir/$h"
		done
		for h in "$res/include/"*intrin*.h; do
			[ -f "$h" ] && ln -sf "$h" "$cdir/"
		done
	fi
	# A stand-in for each header the sysroot lacks (regress/port/
	# sysroot-extra), searched after the sysroot and the compiler's.
	xdir=$sr/stand-in
	mkdir -p "$xdir"
	standins=""
	for h in $(cd regress/port/sysroot-extra && find . -name '*.h' |
	    sed 's|^\./||' | sort); do
		[ ! -e "$sr/usr/include/$h" ] || continue
		mkdir -p "$(dirname "$xdir/$h")"
		cp "regress/port/sysroot-extra/$h" "$xdir/$h"
		standins="$standins $h"
	done
	extra="-idirafter $xdir -idirafter $cdir"
	# Who takes which of these: one line each, so that no one takes a
	# stand-in for OpenBSD's header.
	deps=$sr/deps
	: >"$deps"
	if [ -n "$clang" ]; then
		for f in src/*.c pptpproxyctl/*.c; do
			[ -f "$f" ] || continue
			# shellcheck disable=SC2086
			"$clang" --target=x86_64-unknown-openbsd -nostdinc \
			    -isystem "$sr/usr/include" \
			    -isystem "$sr/usr/local/include" $extra \
			    -D_GNU_SOURCE -Isrc -Ipptpproxyctl -M "$f" 2>/dev/null |
			    tr ' ' '\n' | sed -n "s|^$sr/\([^/]*\)/|\1 |p" |
			    sed "s|\$| $f|" >>"$deps"
		done
	fi
	users() {
		u=$(awk -v d="$1" -v h="$2" '$1 == d && $2 == h { print $3 }' \
		    "$deps" | sort -u | tr '\n' ' ' | sed 's/ $//')
		[ -n "$clang" ] || u="files unknown: no clang"
		echo "${u:-no file}"
	}
	for h in $(cd "$cdir" && find . -name '*.h' | sed 's|^\./||' | sort); do
		u=$(users compiler-include "$h")
		[ "$u" = "no file" ] ||
		    echo "compiler header - $h: clang's own, as OpenBSD's clang" \
		    "installs it (used by $u)"
	done
	for h in $standins; do
		echo "stand-in - $h: regress/port/sysroot-extra/$h, not" \
		    "OpenBSD's own (the sysroot has none; used by" \
		    "$(users stand-in "$h"))"
	done
	CHECK_EXTRA_FLAGS=$extra "$sr/check" "$top" >"$out" 2>&1
	sed -n '/^ok - \|^not ok - \|^    /p' "$out" |
	    sed 's/^\(n*o*t* *ok - [^ ]*\)/\1 with OpenBSD'"'"'s headers/'
	p2=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$out")
	f2=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$out")
	if [ -z "$p2" ] || [ -z "$f2" ]; then
		echo "not ok - OpenBSD header check printed no result"
		sed 's/^/    /' "$out" | head -n 20
		fail=$((fail + 1))
	else
		pass=$((pass + p2))
		fail=$((fail + f2))
	fi
	# pptpproxyctl/*.c, which the sysroot's script does not know.
	if [ -z "$clang" ]; then
		echo "skip - pptpproxyctl/*.c with OpenBSD's headers: no clang"
		skip=$((skip + 1))
	else
		for f in pptpproxyctl/*.c; do
			[ -f "$f" ] || continue
			# shellcheck disable=SC2086
			if "$clang" --target=x86_64-unknown-openbsd -nostdinc \
			    -isystem "$sr/usr/include" \
			    -isystem "$sr/usr/local/include" $extra -fsyntax-only \
			    -D_GNU_SOURCE -Isrc -Ipptpproxyctl \
			    -DPPTPPROXY_USER='"_pptpproxy"' \
			    -DPPTPPROXY_CHROOT='"/var/empty"' \
			    -DPPTPPROXY_CONF='"/etc/pptpproxy.conf"' $WARN "$f" \
			    >"$out" 2>&1; then
				echo "ok - $f with OpenBSD's headers"
				pass=$((pass + 1))
			else
				echo "not ok - $f with OpenBSD's headers"
				sed 's/^/    /' "$out" | head -n 20
				fail=$((fail + 1))
			fi
		done
	fi
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
