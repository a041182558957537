# pptpproxy - relay PPTP control connections and GRE through a firewall
#
#	make			build build/pptpproxy and build/pptpproxyctl
#	make test		install what the tests need, build, run every test
#	make demo		build and run the end-to-end example (root)
#	make bench		benchmark against the kernel's PPTP NAT (root)
#	make fuzz		run the libFuzzer targets for a while
#	make mutate		plant known bugs in copies, check the tests catch each (root)
#	make install		PREFIX, DESTDIR, SBINDIR, MANDIR, SYSCONFDIR
#				(see "Installing" in README)

OS !=		uname -s
PREFIX ?=	/usr/local
SBINDIR ?=	$(PREFIX)/sbin
SYSCONFDIR ?=	/etc
DESTDIR ?=
ifeq ($(OS),OpenBSD)
MANDIR ?=	$(PREFIX)/man
else
MANDIR ?=	$(PREFIX)/share/man
endif
# systemd reads units, sysusers.d and tmpfiles.d files under /usr/lib and
# /usr/local/lib, and /etc; another PREFIX puts them in /etc.
ifneq ($(filter /usr /usr/local,$(PREFIX)),)
SYSTEMDLIB ?=	$(PREFIX)/lib
UNITDIR ?=	$(SYSTEMDLIB)/systemd/system
else
SYSTEMDLIB ?=	/etc
UNITDIR ?=	/etc/systemd/system
endif
SYSUSERSDIR ?=	$(SYSTEMDLIB)/sysusers.d
TMPFILESDIR ?=	$(SYSTEMDLIB)/tmpfiles.d
RCDIR ?=	/etc/rc.d
SYSUSERS ?=	systemd-sysusers
TMPFILES ?=	systemd-tmpfiles

PPTPPROXY_USER ?=	_pptpproxy
PPTPPROXY_CHROOT ?=	/var/empty

CC ?=		cc
CFLAGS ?=	-O2 -g
WARNFLAGS =	-Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
		-Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual \
		-Wsign-compare -Wformat=2 -Wundef -Wno-unused-parameter

# On OpenBSD this file needs GNU make (gmake); its yacc is byacc.
ifeq ($(OS),OpenBSD)
PKG_CFLAGS =	$(shell pkg-config --cflags libevent)
PKG_LIBS =	$(shell pkg-config --libs libevent) -lutil
COMPAT_SRCS =
else
ifeq ($(origin YACC),default)
YACC =		byacc
endif
PKG_CFLAGS =	$(shell pkg-config --cflags libbsd-overlay libevent libseccomp)
PKG_LIBS =	$(shell pkg-config --libs libbsd-overlay libevent libseccomp)
COMPAT_SRCS =	compat/imsg.c
COMPAT_CFLAGS =	-Icompat
endif

ALL_CPPFLAGS =	-D_GNU_SOURCE -Isrc $(COMPAT_CFLAGS) $(PKG_CFLAGS) \
		-DPPTPPROXY_USER=\"$(PPTPPROXY_USER)\" \
		-DPPTPPROXY_CHROOT=\"$(PPTPPROXY_CHROOT)\" \
		-DPPTPPROXY_CONF=\"$(SYSCONFDIR)/pptpproxy.conf\" $(CPPFLAGS)
ALL_CFLAGS =	$(CFLAGS) $(WARNFLAGS)

B =		build
# Everything but main(): unit tests and fuzz targets link against it.
LIB_SRCS =	src/control.c src/ctl.c src/gre.c src/pptp.c src/callid.c src/acl.c \
		src/log.c src/proc.c src/sandbox.c src/config.c \
		src/parent.c src/os.c src/offload.c src/guard.c src/slab.c \
		src/check.c src/logrelay.c src/aclq.c src/aclrun.c \
		src/tunnel.c src/rtable.c src/connpool.c src/tmr.c $(B)/parse.c \
		$(COMPAT_SRCS)
MAIN_SRCS =	src/pptpproxy.c
HDRS =		$(wildcard src/*.h compat/*.h)

LIB_OBJS =	$(patsubst %.c,$(B)/obj/%.o,$(notdir $(LIB_SRCS)))
MAIN_OBJS =	$(patsubst %.c,$(B)/obj/%.o,$(notdir $(MAIN_SRCS)))

UNIT_SRCS =	$(wildcard regress/unit/test_*.c)
UNIT_BINS =	$(patsubst regress/unit/%.c,$(B)/unit/%,$(UNIT_SRCS))
# Preload libraries among the tools (regress/tools/NAME.c -> NAME.so).
TOOL_LIBS =	fixrand
TOOL_SRCS =	$(filter-out $(TOOL_LIBS:%=regress/tools/%.c),$(wildcard regress/tools/*.c))
TOOL_BINS =	$(patsubst regress/tools/%.c,$(B)/tools/%,$(TOOL_SRCS)) \
		$(TOOL_LIBS:%=$(B)/tools/%.so)
FUZZ_SRCS =	$(wildcard regress/fuzz/fuzz_*.c)

vpath %.c src compat $(B)

.PHONY: all deps test unit e2e demo bench fuzz soak mutate install clean tools asan testbuild unit-bins \
	install-files install-systemd install-rc install-setup FORCE

all: $(B)/pptpproxy $(B)/pptpproxyctl

$(B)/parse.c: src/parse.y
	@mkdir -p $(B)
	$(YACC) -o $@ src/parse.y

# The paths compiled in: changing SYSCONFDIR, the user or the chroot on
# the command line (make install SYSCONFDIR=...) rebuilds what uses them.
$(B)/paths: FORCE
	@mkdir -p $(B)
	@echo '$(SYSCONFDIR) $(PPTPPROXY_USER) $(PPTPPROXY_CHROOT)' >$@.new
	@if cmp -s $@ $@.new; then rm -f $@.new; else mv $@.new $@; fi

$(B)/obj/%.o: %.c $(HDRS) $(B)/paths
	@mkdir -p $(B)/obj
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/obj/parse.o: $(B)/parse.c $(HDRS) $(B)/paths
	@mkdir -p $(B)/obj
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes \
	    -Wno-missing-declarations -Wno-sign-compare -c -o $@ $<

$(B)/libpptpproxy.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(B)/pptpproxy: $(MAIN_OBJS) $(B)/libpptpproxy.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(MAIN_OBJS) $(B)/libpptpproxy.a $(PKG_LIBS)

# pptpproxyctl: the grammar and the output formats in a library of their
# own, which the unit tests link too.
CTL_LIB_SRCS =	pptpproxyctl/parser.c pptpproxyctl/output.c
CTL_LIB_OBJS =	$(patsubst pptpproxyctl/%.c,$(B)/ctlobj/%.o,$(CTL_LIB_SRCS))
CTL_HDRS =	pptpproxyctl/pptpproxyctl.h src/ctl.h src/pptp.h

$(B)/ctlobj/%.o: pptpproxyctl/%.c $(CTL_HDRS)
	@mkdir -p $(B)/ctlobj
	$(CC) $(ALL_CPPFLAGS) -Ipptpproxyctl $(ALL_CFLAGS) -c -o $@ $<

$(B)/libpptpproxyctl.a: $(CTL_LIB_OBJS)
	rm -f $@
	ar rcs $@ $(CTL_LIB_OBJS)

$(B)/pptpproxyctl: pptpproxyctl/pptpproxyctl.c $(B)/libpptpproxyctl.a $(CTL_HDRS) $(COMPAT_SRCS)
	$(CC) $(ALL_CPPFLAGS) -Ipptpproxyctl $(ALL_CFLAGS) $(LDFLAGS) -o $@ \
	    pptpproxyctl/pptpproxyctl.c $(COMPAT_SRCS) $(B)/libpptpproxyctl.a \
	    $(PKG_LIBS)

# Unit tests: one program per regress/unit/test_*.c, linked with the daemon's code.
$(B)/unit/%: regress/unit/%.c $(B)/libpptpproxy.a $(B)/libpptpproxyctl.a $(HDRS) $(CTL_HDRS) \
    $(wildcard regress/unit/*.h)
	@mkdir -p $(B)/unit
	$(CC) $(ALL_CPPFLAGS) -Ipptpproxyctl $(ALL_CFLAGS) -o $@ $< $(B)/libpptpproxy.a \
	    $(B)/libpptpproxyctl.a $(PKG_LIBS)

# hostile plays a compromised child: the message types and structures it
# sends are cut out of the daemon's headers at build time, so they cannot
# drift.
$(B)/tools/hostile_defs.h: src/pptpproxy.h src/offload.h Makefile
	@mkdir -p $(B)/tools
	{ echo '#include <stdint.h>'; echo '#include <netinet/in.h>'; \
	    awk '/^enum imsg_type {/,/^};/' src/pptpproxy.h; \
	    awk '/^#define LOG_LVL_(INFO|DEBUG)[ \t]/' src/pptpproxy.h; \
	    awk '/^struct acl_req {/,/^};/' src/pptpproxy.h; \
	    awk '/^struct gre_route {/,/^};/' src/pptpproxy.h; \
	    awk '/^struct gre_stats {/,/^};/' src/pptpproxy.h; \
	    awk '/^struct gre_key {/,/^};/' src/pptpproxy.h; \
	    awk '/^struct gre_ctl_count {/,/^};/' src/pptpproxy.h; \
	    grep '^#define GRE_CTL_COUNTS_MAX' src/pptpproxy.h; \
	    awk '/^struct offload_del {/,/^};/' src/offload.h; } > $@

$(B)/tools/hostile: regress/tools/hostile.c $(B)/tools/hostile_defs.h src/rtable.h
	$(CC) -D_GNU_SOURCE -O2 -g $(WARNFLAGS) -I$(B)/tools -Isrc -o $@ $< -lutil -lm

# Test and benchmark tools (traffic drivers, PPP stand-ins).
$(B)/tools/%: regress/tools/%.c $(wildcard regress/tools/*.h)
	@mkdir -p $(B)/tools
	$(CC) -D_GNU_SOURCE -O2 -g $(WARNFLAGS) -o $@ $< -lutil -lm

# Test tools loaded with LD_PRELOAD into real clients (fixrand: pptp-linux
# draws the Call IDs a test chooses).
$(B)/tools/%.so: regress/tools/%.c
	@mkdir -p $(B)/tools
	$(CC) -D_GNU_SOURCE -O2 -g -fPIC -shared $(WARNFLAGS) -o $@ $< -ldl

# The same daemon and unit tests built with AddressSanitizer and UBSan.
asan:
	$(MAKE) B=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" build/asan/pptpproxy unit-bins

unit-bins: $(UNIT_BINS)

# The daemon with test-only hooks (a forbidden call on SIGUSR2, valgrind
# without seccomp; sessions from malloc, which valgrind watches), for the
# sandbox and valgrind end-to-end tests.
testbuild:
	$(MAKE) B=build/test CPPFLAGS="-DPPTPPROXY_TEST -DSLAB_MALLOC" \
	    build/test/pptpproxy
tools: $(TOOL_BINS)

deps:
	sh regress/deps.sh

test: deps
	$(MAKE) all unit-bins tools
	$(MAKE) asan
	$(MAKE) testbuild
	sh regress/run

# An ASan build made once is kept up to date: the unit tier runs it too.
unit: all unit-bins
	if [ -d build/asan ]; then $(MAKE) asan; fi
	sh regress/run unit

e2e: all tools
	sh regress/run e2e

demo: deps
	$(MAKE) all tools
	sh regress/demo.sh

bench: deps
	$(MAKE) all tools
	sh regress/bench/bench.sh

fuzz:
	sh regress/fuzz/run.sh 60

soak: all tools
	sh regress/soak.sh

# Planted bugs (regress/mutate/*.plant), each in a copy of the tree: the
# tests named for it must fail.  Slow, root: not part of "make test".
mutate: all tools
	sh regress/mutate.sh

# What the files installed say: where the binary, the configuration and
# the chroot directory are, and which user runs the children.
SUBST =		sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
		    -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		    -e 's|@USER@|$(PPTPPROXY_USER)|g' \
		    -e 's|@CHROOT@|$(PPTPPROXY_CHROOT)|g'
# The manual pages are written for the defaults; they get the real paths.
MANSUBST =	sed -e 's|/etc/pptpproxy\.conf|$(SYSCONFDIR)/pptpproxy.conf|g' \
		    -e 's|/var/empty|$(PPTPPROXY_CHROOT)|g' \
		    -e 's|_pptpproxy|$(PPTPPROXY_USER)|g' \
		    -e 's|/usr/local/sbin/pptpproxy|$(SBINDIR)/pptpproxy|g' \
		    -e 's|/usr/local/lib/systemd/system|$(UNITDIR)|g' \
		    -e 's|/usr/local/lib/sysusers\.d|$(SYSUSERSDIR)|g' \
		    -e 's|/usr/local/lib/tmpfiles\.d|$(TMPFILESDIR)|g' \
		    -e 's|/etc/rc\.d/pptpproxy|$(RCDIR)/pptpproxy|g'

ifeq ($(OS),OpenBSD)
install: all install-files install-rc
else
install: all install-files install-systemd install-setup
endif

install-files:
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSCONFDIR)
	install -m 0555 $(B)/pptpproxy $(DESTDIR)$(SBINDIR)/pptpproxy
	install -m 0555 $(B)/pptpproxyctl $(DESTDIR)$(SBINDIR)/pptpproxyctl
	$(MANSUBST) pptpproxy.8 >$(B)/pptpproxy.8
	$(MANSUBST) pptpproxy.conf.5 >$(B)/pptpproxy.conf.5
	install -m 0444 $(B)/pptpproxy.8 $(DESTDIR)$(MANDIR)/man8/pptpproxy.8
	install -m 0444 $(B)/pptpproxy.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/pptpproxy.conf.5
	$(MANSUBST) pptpproxyctl.8 >$(B)/pptpproxyctl.8
	install -m 0444 $(B)/pptpproxyctl.8 \
	    $(DESTDIR)$(MANDIR)/man8/pptpproxyctl.8
	test -e $(DESTDIR)$(SYSCONFDIR)/pptpproxy.conf || \
	    install -m 0644 etc/pptpproxy.conf $(DESTDIR)$(SYSCONFDIR)/pptpproxy.conf

# Linux: the unit, and the user and the chroot directory as systemd makes
# them (sysusers.d, tmpfiles.d).
install-systemd:
	@mkdir -p $(B)
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR)
	$(SUBST) etc/pptpproxy.service >$(B)/pptpproxy.service
	$(SUBST) etc/pptpproxy.sysusers >$(B)/pptpproxy.sysusers
	$(SUBST) etc/pptpproxy.tmpfiles >$(B)/pptpproxy.tmpfiles
	install -m 0444 $(B)/pptpproxy.service \
	    $(DESTDIR)$(UNITDIR)/pptpproxy.service
	install -m 0444 $(B)/pptpproxy.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/pptpproxy.conf
	install -m 0444 $(B)/pptpproxy.tmpfiles \
	    $(DESTDIR)$(TMPFILESDIR)/pptpproxy.conf

# Installing for real (no DESTDIR): make the user and the directory now,
# through systemd's tools where they are, by hand where they are not.
install-setup:
	@if [ -n "$(DESTDIR)" ]; then \
	    echo "DESTDIR set: not creating user $(PPTPPROXY_USER) and $(PPTPPROXY_CHROOT)"; \
	elif command -v $(firstword $(SYSUSERS)) >/dev/null 2>&1 && \
	    command -v $(firstword $(TMPFILES)) >/dev/null 2>&1; then \
	    echo "$(SYSUSERS) $(SYSUSERSDIR)/pptpproxy.conf"; \
	    $(SYSUSERS) $(SYSUSERSDIR)/pptpproxy.conf && \
	    echo "$(TMPFILES) --create $(TMPFILESDIR)/pptpproxy.conf" && \
	    $(TMPFILES) --create $(TMPFILESDIR)/pptpproxy.conf; \
	elif [ "$$(id -u)" -eq 0 ]; then \
	    id $(PPTPPROXY_USER) >/dev/null 2>&1 || { \
	    echo "useradd -r -s /usr/sbin/nologin -d $(PPTPPROXY_CHROOT) $(PPTPPROXY_USER)"; \
	    useradd -r -s /usr/sbin/nologin -d $(PPTPPROXY_CHROOT) \
	        $(PPTPPROXY_USER); }; \
	    install -d -o root -m 0755 $(PPTPPROXY_CHROOT); \
	else \
	    echo "not root: create user $(PPTPPROXY_USER) and $(PPTPPROXY_CHROOT) (see README)"; \
	fi

# OpenBSD: the rc.d script.  The user and the directory are made by hand
# (README, and the script's comment say how).
install-rc:
	@mkdir -p $(B)
	install -d $(DESTDIR)$(RCDIR)
	$(SUBST) etc/rc.d/pptpproxy >$(B)/pptpproxy.rc
	install -m 0555 $(B)/pptpproxy.rc $(DESTDIR)$(RCDIR)/pptpproxy

clean:
	rm -rf build
