# pptpproxy - relay PPTP control connections and GRE through a firewall
#
#	make			build build/pptpproxy
#	make test		install what the tests need, build, run every test
#	make demo		build and run the end-to-end example (root)
#	make bench		benchmark against the kernel's PPTP NAT (root)
#	make fuzz		run the libFuzzer targets for a while
#	make install		PREFIX, DESTDIR, MANDIR, SYSCONFDIR

PREFIX ?=	/usr/local
SBINDIR ?=	$(PREFIX)/sbin
MANDIR ?=	$(PREFIX)/share/man
SYSCONFDIR ?=	/etc
DESTDIR ?=

PPTPPROXY_USER ?=	_pptpproxy
PPTPPROXY_CHROOT ?=	/var/empty

CC ?=		cc
CFLAGS ?=	-O2 -g
WARNFLAGS =	-Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
		-Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual \
		-Wsign-compare -Wformat=2 -Wundef -Wno-unused-parameter
OS !=		uname -s

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
LIB_SRCS =	src/control.c src/gre.c src/pptp.c src/callid.c src/acl.c \
		src/log.c src/proc.c src/sandbox.c src/config.c \
		src/parent.c src/os.c src/offload.c src/slab.c src/aclq.c \
		src/aclrun.c $(B)/parse.c $(COMPAT_SRCS)
MAIN_SRCS =	src/pptpproxy.c
HDRS =		$(wildcard src/*.h compat/*.h)

LIB_OBJS =	$(patsubst %.c,$(B)/obj/%.o,$(notdir $(LIB_SRCS)))
MAIN_OBJS =	$(patsubst %.c,$(B)/obj/%.o,$(notdir $(MAIN_SRCS)))

UNIT_SRCS =	$(wildcard regress/unit/test_*.c)
UNIT_BINS =	$(patsubst regress/unit/%.c,$(B)/unit/%,$(UNIT_SRCS))
TOOL_SRCS =	$(wildcard regress/tools/*.c)
TOOL_BINS =	$(patsubst regress/tools/%.c,$(B)/tools/%,$(TOOL_SRCS))
FUZZ_SRCS =	$(wildcard regress/fuzz/fuzz_*.c)

vpath %.c src compat $(B)

.PHONY: all deps test unit e2e demo bench fuzz soak install clean tools asan testbuild unit-bins

all: $(B)/pptpproxy

$(B)/parse.c: src/parse.y
	@mkdir -p $(B)
	$(YACC) -o $@ src/parse.y

$(B)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(B)/obj
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/obj/parse.o: $(B)/parse.c $(HDRS)
	@mkdir -p $(B)/obj
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes \
	    -Wno-missing-declarations -Wno-sign-compare -c -o $@ $<

$(B)/libpptpproxy.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(B)/pptpproxy: $(MAIN_OBJS) $(B)/libpptpproxy.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(MAIN_OBJS) $(B)/libpptpproxy.a $(PKG_LIBS)

# Unit tests: one program per regress/unit/test_*.c, linked with the daemon's code.
$(B)/unit/%: regress/unit/%.c $(B)/libpptpproxy.a $(HDRS) regress/unit/check.h
	@mkdir -p $(B)/unit
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(B)/libpptpproxy.a $(PKG_LIBS)

# Test and benchmark tools (traffic drivers, PPP stand-ins).
$(B)/tools/%: regress/tools/%.c $(wildcard regress/tools/*.h)
	@mkdir -p $(B)/tools
	$(CC) -D_GNU_SOURCE -O2 -g $(WARNFLAGS) -o $@ $< -lutil -lm

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

unit: all unit-bins
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

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSCONFDIR)
	install -m 0555 $(B)/pptpproxy $(DESTDIR)$(SBINDIR)/pptpproxy
	install -m 0444 pptpproxy.8 $(DESTDIR)$(MANDIR)/man8/pptpproxy.8
	install -m 0444 pptpproxy.conf.5 $(DESTDIR)$(MANDIR)/man5/pptpproxy.conf.5
	test -e $(DESTDIR)$(SYSCONFDIR)/pptpproxy.conf || \
	    install -m 0644 etc/pptpproxy.conf $(DESTDIR)$(SYSCONFDIR)/pptpproxy.conf
	if [ "$(OS)" = OpenBSD ]; then \
	    install -d $(DESTDIR)$(SYSCONFDIR)/rc.d; \
	    install -m 0555 etc/rc.d/pptpproxy $(DESTDIR)$(SYSCONFDIR)/rc.d/pptpproxy; \
	else \
	    install -d $(DESTDIR)$(PREFIX)/lib/systemd/system; \
	    sed 's|@SBINDIR@|$(SBINDIR)|g' etc/pptpproxy.service > \
	        $(DESTDIR)$(PREFIX)/lib/systemd/system/pptpproxy.service; \
	fi

clean:
	rm -rf build
