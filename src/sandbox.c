/*
 * The sandbox of each process, one function per process, and every
 * difference between Linux and OpenBSD in it kept in this file.
 *
 * OpenBSD: pledge(2) for every process, unveil(2) for the parent.
 *
 * Linux: each child, once it has given up root (proc_drop()), loads a
 * seccomp allow-list of exactly the system calls its event loop makes;
 * anything else kills it (or, in debug mode, traps so that it names the
 * call on its way out).  The parent keeps only the capabilities it still
 * uses and loads a seccomp deny-list (see sandbox_parent() for why not an
 * allow-list).
 */

#include <sys/types.h>
#include <sys/socket.h>
#ifdef PPTPPROXY_TEST
#include <sys/ioctl.h>		/* the test's FIONREAD */

#include <netinet/in.h>		/* the test's protocols */
#include <netinet/tcp.h>	/* and TCP options */
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"

#ifdef __OpenBSD__

/*
 * pledge(2) reports a violation itself: the process dies of an
 * uncatchable SIGABRT and the kernel names the promise and the call on
 * the terminal and in the accounting records.
 */
void
sandbox_trap_debug(int on)
{
}

/* Nothing to do before setresuid(2): OpenBSD has no capabilities. */
void
sandbox_prepare(void)
{
}

static const char	*sb_conffile;	/* NULL: no file, only the command line */
static const char	*sb_logfile;	/* -l, reopened on SIGHUP */

void
sandbox_conffile(const char *path)
{
	sb_conffile = path;
}

void
sandbox_logfile(const char *path)
{
	sb_logfile = path;
}

/*
 * Let the parent exec an ACL command: its program, the first word as
 * acl_exec() splits it, always an absolute path (the parser refuses
 * others; no PATH is searched).
 */
static void
sb_unveil_cmd(const char *cmd)
{
	char	 buf[PPTPPROXY_MAX_CMD];
	char	*argv[ACL_MAX_WORDS + 1];

	if (strlcpy(buf, cmd, sizeof(buf)) >= sizeof(buf) ||
	    acl_split_cmd(buf, argv, ACL_MAX_WORDS) <= 0 || argv[0][0] != '/')
		return;
	if (unveil(argv[0], "x") == -1 && errno != ENOENT)
		fatal("unveil %s", argv[0]);
}

/*
 * The parent reads its configuration again on SIGHUP, resolves server
 * names, binds new listening sockets, hands them to the control relay,
 * and forks ACL commands that may run as another user.  Command paths
 * are unveiled as the configuration names them at start: a command that
 * a reload adds needs a restart.
 */
void
sandbox_parent(const struct pptpproxy_conf *conf)
{
	const struct proxy_conf	*pc;
	const struct acl_cmd	*cmd;

	if (sb_conffile != NULL && unveil(sb_conffile, "r") == -1 &&
	    errno != ENOENT)
		fatal("unveil %s", sb_conffile);
	if (sb_logfile != NULL && unveil(sb_logfile, "wc") == -1)
		fatal("unveil %s", sb_logfile);
	/* The control sockets go at exit. */
	if (unveil(conf->ctl_socket, "c") == -1)
		fatal("unveil %s", conf->ctl_socket);
	if (conf->ctl_rsocket[0] != '\0' &&
	    unveil(conf->ctl_rsocket, "c") == -1)
		fatal("unveil %s", conf->ctl_rsocket);
	TAILQ_FOREACH(cmd, &conf->cmds, entry)
		sb_unveil_cmd(cmd->cmd);
	TAILQ_FOREACH(pc, &conf->proxies, entry)
		TAILQ_FOREACH(cmd, &pc->cmds, entry)
			sb_unveil_cmd(cmd->cmd);
	if (unveil(NULL, NULL) == -1)
		fatal("unveil");
	/* NULL execpromises: ACL commands run unpledged. */
	/* cpath: unlink(2) of the control socket at exit */
	if (pledge(sb_logfile != NULL ?
	    "stdio rpath wpath cpath inet dns getpw proc exec id sendfd" :
	    "stdio rpath cpath inet dns getpw proc exec id sendfd", NULL) == -1)
		fatal("pledge");
}

/*
 * inet: accept, connect, socket options; recvfd: sockets on reload;
 * unix: accept(2) on the control socket.
 */
void
sandbox_control(void)
{
	if (pledge("stdio inet unix recvfd", NULL) == -1)
		fatal("pledge");
}

/*
 * The raw socket is already open; sendmmsg(2) with a destination address
 * needs "inet" (pledge_sendit()).  recvfd: the UDP socket of a tunnel a
 * reload adds, the only descriptor that comes after start-up.
 */
void
sandbox_gre(void)
{
	if (pledge("stdio inet recvfd", NULL) == -1)
		fatal("pledge");
}

#else /* Linux */

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>

#ifndef SCMP_ACT_KILL_PROCESS
#define SCMP_ACT_KILL_PROCESS	SCMP_ACT_KILL
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SB_ASAN
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_ASAN
#endif
#endif

/* Names of system calls by number, for the trap handler. */
#define SB_NAMES	512

static int		 sb_trap;
static const char	*sb_proc = "?";
static char		*sb_names[SB_NAMES];

void
sandbox_trap_debug(int on)
{
	sb_trap = on;
}

/* OpenBSD only: the parent unveils the configuration file. */
void
sandbox_conffile(const char *path)
{
}

/* OpenBSD only: and the log file it reopens on SIGHUP. */
void
sandbox_logfile(const char *path)
{
}

/*
 * Async-signal-safe formatting for the trap handler.
 */
static size_t
sb_cat(char *buf, size_t off, size_t size, const char *s)
{
	while (*s != '\0' && off + 1 < size)
		buf[off++] = *s++;
	buf[off] = '\0';
	return (off);
}

static size_t
sb_num(char *buf, size_t off, size_t size, unsigned long n,
    unsigned int base)
{
	char	 tmp[24];
	int	 i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = "0123456789abcdef"[n % base];
		n /= base;
	} while (n != 0 && i > 0);
	return (sb_cat(buf, off, size, tmp + i));
}

/*
 * Debug mode: a call outside the list traps here.  Say which, then die
 * of SIGSYS as the filter would have killed us, so that the parent logs
 * the same death in both modes.
 */
static void
sb_sigsys(int sig, siginfo_t *si, void *ctx)
{
	struct sigaction	 sa;
	sigset_t		 set;
	char			 line[256];
	size_t			 n = 0;
	int			 nr = si->si_syscall, saved_errno = errno;

	n = sb_cat(line, n, sizeof(line), "pptpproxy: ");
	n = sb_cat(line, n, sizeof(line), sb_proc);
	n = sb_cat(line, n, sizeof(line),
	    ": sandbox: forbidden system call ");
	if (nr >= 0 && nr < SB_NAMES && sb_names[nr] != NULL)
		n = sb_cat(line, n, sizeof(line), sb_names[nr]);
	else
		n = sb_cat(line, n, sizeof(line), "?");
	n = sb_cat(line, n, sizeof(line), " (");
	n = sb_num(line, n, sizeof(line), (unsigned long)nr, 10);
	n = sb_cat(line, n, sizeof(line), ", arch 0x");
	n = sb_num(line, n, sizeof(line), (unsigned long)si->si_arch, 16);
	n = sb_cat(line, n, sizeof(line), ")\n");
	(void)write(STDERR_FILENO, line, n);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGSYS, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
	/* kill(2) is in no list: it traps again, now with SIG_DFL. */
	(void)syscall(SYS_kill, getpid(), SIGSYS);
	errno = saved_errno;
	_exit(1);
}

static void
sb_trap_init(void)
{
	struct sigaction	sa;
	int			i;

	for (i = 0; i < SB_NAMES; i++)
		if (sb_names[i] == NULL)
			sb_names[i] = seccomp_syscall_resolve_num_arch(
			    SCMP_ARCH_NATIVE, i);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sb_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		fatal("sigaction SIGSYS");
}

/*
 * Rules.  A name the architecture lacks (SCMP_SYS() gives a negative
 * pseudo number) is skipped: the call cannot be made there anyway.
 */
static void
sb_rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned int argc,
    const struct scmp_arg_cmp *argv)
{
	int	r;

	if ((r = seccomp_rule_add_array(ctx, action, nr, argc, argv)) < 0) {
		if (nr < 0)
			return;
		errno = -r;
		fatal("seccomp rule for system call %d", nr);
	}
}

static void
sb_allow(scmp_filter_ctx ctx, const int *nrs, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		sb_rule(ctx, SCMP_ACT_ALLOW, nrs[i], 0, NULL);
}

#define SB_ARG(i, op, a, b)	((struct scmp_arg_cmp){ (i), (op), (a), (b) })
#define SB_ALLOW1(ctx, nr, c) do {					\
	struct scmp_arg_cmp sb_c_[1] = { c };				\
	sb_rule((ctx), SCMP_ACT_ALLOW, (nr), 1, sb_c_);			\
} while (0)
#define SB_ALLOW2(ctx, nr, c1, c2) do {					\
	struct scmp_arg_cmp sb_c_[2] = { c1, c2 };			\
	sb_rule((ctx), SCMP_ACT_ALLOW, (nr), 2, sb_c_);			\
} while (0)

/* What both children make: the event loop, memory, time, imsg, logs. */
static const int sb_common[] = {
	/* libevent's epoll back end; its signal pipe was made before */
	SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait),
	SCMP_SYS(epoll_pwait2),
	SCMP_SYS(epoll_ctl),
	/* libevent's signal events and ignoring SIGPIPE */
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(sigreturn),
	SCMP_SYS(restart_syscall),
	/* imsg with the parent and the other child, fds passed */
	SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg),
	SCMP_SYS(read),
	SCMP_SYS(readv),
	SCMP_SYS(write),		/* the log descriptor, signal pipe */
	SCMP_SYS(writev),
	SCMP_SYS(sendto),		/* syslog(3) on its open socket */
	SCMP_SYS(close),
	/* time: usually the vDSO, the system call when it is not there */
	SCMP_SYS(clock_gettime),
	SCMP_SYS(clock_gettime64),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(time),
	/* memory (mmap, mprotect and madvise below, with their arguments) */
	SCMP_SYS(brk),
	SCMP_SYS(munmap),
	SCMP_SYS(futex),		/* libc's internal locks */
	/* log lines carry the pid; abort(3) signals itself */
	SCMP_SYS(getpid),
	SCMP_SYS(gettid),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
};

static const int sb_control_calls[] = {
	SCMP_SYS(accept4),
	SCMP_SYS(connect),		/* to servers: see sandbox_control() */
	SCMP_SYS(getsockname),		/* our address, for the GRE routes */
	SCMP_SYS(getrandom),		/* arc4random: Call IDs */
	/* arms its timers' timerfd (tmr.c; made before the filter, no
	 * timerfd_create here) */
	SCMP_SYS(timerfd_settime),
	SCMP_SYS(timerfd_settime64),
};

/*
 * setsockopt(2) in the control relay: exactly the options it sets once
 * its filter is on, by level and name together (TCP_CONGESTION has
 * SO_LINGER's number, TCP_DEFER_ACCEPT SO_KEEPALIVE's).  Anything else -
 * a socket filter or BPF program (SO_ATTACH_*), a TCP upper layer
 * (TCP_ULP: kernel TLS), another congestion control (TCP_CONGESTION) - is
 * outside the list (killed): no libc or libevent path in the relay sets
 * an option of its own, so a call outside is never harmless.  The
 * options of the parent's sockets (listeners, UDP tunnels, the GRE
 * sockets, the channels between the children) are set before they are
 * handed over.
 */
struct sb_sockopt {
	int	level;
	int	name;
};

static const struct sb_sockopt sb_control_sockopts[] = {
	/* sock_nodelay(): listeners, connections to servers */
	{ IPPROTO_TCP, TCP_NODELAY },
	/* sock_keepalive(): the same, and sess_tune_new() each tick */
	{ SOL_SOCKET, SO_KEEPALIVE },
	{ IPPROTO_TCP, TCP_KEEPIDLE },
	{ IPPROTO_TCP, TCP_KEEPINTVL },
	{ IPPROTO_TCP, TCP_KEEPCNT },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT },
	/* os_listen_defer(): the listeners a reload hands over too */
	{ IPPROTO_TCP, TCP_DEFER_ACCEPT },
	/* os_tcp_ack_late(): each connection to a server */
	{ IPPROTO_TCP, TCP_QUICKACK },
	/* os_tcp_notsent_lowat(): a tunnel that goes over TCP */
	{ IPPROTO_TCP, TCP_NOTSENT_LOWAT },
	/*
	 * sess_end_server_last(): reset a server that was sent nothing;
	 * imsg's rfd_close(): a received descriptor nobody keeps
	 */
	{ SOL_SOCKET, SO_LINGER },
};

/*
 * getsockopt(2) in the control relay, by level and name together as
 * setsockopt (TCP_KEEPIDLE has SO_ERROR's number): how a connect(2) that
 * did not complete at once went (ctl_connectcb()), and who connected to
 * the restricted control socket (os_peer_uid()).  libevent reads no
 * option: the relay uses its events alone, no bufferevent, no listener.
 * Anything else - another process's credentials or security label
 * (SO_PEERSEC), a socket's filter (SO_GET_FILTER), TCP_INFO - is outside
 * the list (killed), as setsockopt is.  The GRE forwarder reads no
 * option at all: getsockopt is not in its list.
 */
static const struct sb_sockopt sb_control_getsockopts[] = {
	{ SOL_SOCKET, SO_ERROR },
	{ SOL_SOCKET, SO_PEERCRED },
};

/*
 * The GRE forwarder sets no option of its own sockets; imsg turns
 * lingering off on a received descriptor it closes (rfd_close()), which
 * a hostile relay can send at will: allowed, or that relay could end
 * the daemon through its forwarder.
 */
static const struct sb_sockopt sb_gre_sockopts[] = {
	{ SOL_SOCKET, SO_LINGER },
};

/*
 * Level and name are ints: the kernel reads the low 32 bits of each
 * register alone, and so does the comparison, whatever a caller left in
 * the upper half.
 */
static void
sb_sockopts(scmp_filter_ctx ctx, int nr, const struct sb_sockopt *t,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		SB_ALLOW2(ctx, nr,
		    SB_ARG(1, SCMP_CMP_MASKED_EQ, 0xffffffffU,
		    (uint32_t)t[i].level),
		    SB_ARG(2, SCMP_CMP_MASKED_EQ, 0xffffffffU,
		    (uint32_t)t[i].name));
}

/*
 * socket(2), argument by argument: the domain, the type with its flags
 * and the protocol must be exactly one of a process's rows.  Anything
 * else is outside the list (killed).  error 0 allows the call; another
 * makes it fail with that errno.
 */
struct sb_socket {
	int	domain;
	int	type;
	int	protocol;
	int	error;
};

/*
 * Both children: syslog(3) opened its socket before the chroot and
 * sends on it.  When that socket breaks, glibc and musl make a new one
 * (a datagram socket, glibc then a stream socket), which could not reach
 * a log socket from the chroot anyway: it fails quietly, nothing else of
 * AF_UNIX is allowed.
 */
#define SB_SOCKET_SYSLOG						\
	{ AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, EACCES },		\
	{ AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, EACCES }

/* The control relay: TCP to servers (sess_connect() in control.c). */
static const struct sb_socket sb_control_sockets[] = {
	{ AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, 0 },
	SB_SOCKET_SYSLOG
};

/* The GRE forwarder: its raw socket came from the parent. */
static const struct sb_socket sb_gre_sockets[] = {
	SB_SOCKET_SYSLOG
};

static const int sb_gre_calls[] = {
	SCMP_SYS(recvmmsg),
	SCMP_SYS(recvmmsg_time64),
	SCMP_SYS(sendmmsg),
};

static void
sb_sockets(scmp_filter_ctx ctx, const struct sb_socket *t, size_t n)
{
	struct scmp_arg_cmp	c[3];
	size_t			i;

	for (i = 0; i < n; i++) {
		c[0] = SB_ARG(0, SCMP_CMP_EQ, (uint64_t)t[i].domain, 0);
		c[1] = SB_ARG(1, SCMP_CMP_EQ, (uint64_t)t[i].type, 0);
		c[2] = SB_ARG(2, SCMP_CMP_EQ, (uint64_t)t[i].protocol, 0);
		sb_rule(ctx, t[i].error == 0 ? SCMP_ACT_ALLOW :
		    SCMP_ACT_ERRNO(t[i].error), SCMP_SYS(socket), 3, c);
	}
}

/*
 * madvise(2): malloc(3)'s advice goes through, MADV_DONTNEED (glibc
 * gives back the top of a heap, malloc_trim(3) the free pages within)
 * and MADV_HUGEPAGE (glibc, when the tunable glibc.malloc.hugetlb asks
 * for transparent huge pages), and MADV_FREE (musl's malloc).  Any other
 * fails with EPERM, and is not killed: a sanitizer's run-time library
 * (MADV_DONTDUMP, MADV_NOHUGEPAGE on its shadow memory) goes on without
 * it, and such a call is worth no child's life.  What the refusal keeps
 * out: pages merged with other processes' (MADV_MERGEABLE, a side
 * channel), memory left out of a fork or wiped by one (MADV_DONTFORK,
 * MADV_WIPEONFORK), holes punched in shared memory (MADV_REMOVE), pages
 * paged out, collapsed or poisoned at will.  Ascending.
 */
#ifndef MADV_FREE
#define MADV_FREE	8
#endif

static const uint32_t sb_madvise_ok[] = {
	MADV_DONTNEED,
	MADV_FREE,
	MADV_HUGEPAGE,
};

/*
 * The advice is an int: the kernel reads the low 32 bits alone, and so
 * do these rules.  A rule compares an argument once, and where rules of
 * one call overlap, libseccomp's order decides, not ours: so the values
 * outside the list get rules of their own, each an aligned block of them
 * (a mask and a value) between two allowed ones, none overlapping them.
 */
static void
sb_madvise(scmp_filter_ctx ctx)
{
	const size_t	 n = sizeof(sb_madvise_ok) / sizeof(sb_madvise_ok[0]);
	uint64_t	 lo = 0, hi, size;
	size_t		 i;

	for (i = 0; i <= n; i++) {
		hi = i < n ? sb_madvise_ok[i] : 1ULL << 32;
		while (lo < hi) {
			/* The largest aligned block from lo up to hi. */
			for (size = 1ULL << 32; (lo & (size - 1)) != 0 ||
			    lo + size > hi; size >>= 1)
				;
			sb_rule(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(madvise),
			    1, &SB_ARG(2, SCMP_CMP_MASKED_EQ,
			    0xffffffffU & ~(size - 1), lo));
			lo += size;
		}
		if (i < n) {
			SB_ALLOW1(ctx, SCMP_SYS(madvise),
			    SB_ARG(2, SCMP_CMP_MASKED_EQ, 0xffffffffU, hi));
			lo = hi + 1;
		}
	}
}

static scmp_filter_ctx
sb_child_init(const char *proc)
{
	scmp_filter_ctx	ctx;
	uint32_t	deflt;

	sb_proc = proc;
	deflt = sb_trap ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS;
	if ((ctx = seccomp_init(deflt)) == NULL && !sb_trap) {
		/* Before Linux 4.14: kill the thread, our only one. */
		deflt = SCMP_ACT_KILL;
		ctx = seccomp_init(deflt);
	}
	if (ctx == NULL)
		fatalx("seccomp_init failed");
	/* A call through another architecture's entry: the same. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, deflt) < 0)
		fatalx("seccomp: cannot set the bad architecture action");
	sb_allow(ctx, sb_common, sizeof(sb_common) / sizeof(sb_common[0]));

	/* Memory, but never executable. */
	SB_ALLOW1(ctx, SCMP_SYS(mmap),
	    SB_ARG(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	SB_ALLOW1(ctx, SCMP_SYS(mmap2),
	    SB_ARG(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	SB_ALLOW1(ctx, SCMP_SYS(mprotect),
	    SB_ARG(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	sb_madvise(ctx);
	/*
	 * No mremap: grown, a writable mapping of the route table or of the
	 * connection counts would reach the pages of the other relays or
	 * forwarders.  ENOMEM, on which realloc(3) copies instead.
	 */
	sb_rule(ctx, SCMP_ACT_ERRNO(ENOMEM), SCMP_SYS(mremap), 0, NULL);
	/* Descriptor flags only (libevent, imsg): no F_DUPFD, no locks. */
	SB_ALLOW1(ctx, SCMP_SYS(fcntl), SB_ARG(1, SCMP_CMP_EQ, F_GETFL, 0));
	SB_ALLOW1(ctx, SCMP_SYS(fcntl), SB_ARG(1, SCMP_CMP_EQ, F_SETFL, 0));
	SB_ALLOW1(ctx, SCMP_SYS(fcntl), SB_ARG(1, SCMP_CMP_EQ, F_GETFD, 0));
	SB_ALLOW1(ctx, SCMP_SYS(fcntl), SB_ARG(1, SCMP_CMP_EQ, F_SETFD, 0));
	SB_ALLOW1(ctx, SCMP_SYS(fcntl64), SB_ARG(1, SCMP_CMP_EQ, F_GETFL, 0));
	SB_ALLOW1(ctx, SCMP_SYS(fcntl64), SB_ARG(1, SCMP_CMP_EQ, F_SETFL, 0));
	SB_ALLOW1(ctx, SCMP_SYS(fcntl64), SB_ARG(1, SCMP_CMP_EQ, F_GETFD, 0));
	SB_ALLOW1(ctx, SCMP_SYS(fcntl64), SB_ARG(1, SCMP_CMP_EQ, F_SETFD, 0));
	/* abort(3), e.g. a libevent assertion: SIGABRT to ourselves only. */
	SB_ALLOW2(ctx, SCMP_SYS(tgkill),
	    SB_ARG(0, SCMP_CMP_EQ, (uint64_t)getpid(), 0),
	    SB_ARG(2, SCMP_CMP_EQ, SIGABRT, 0));
#ifdef SB_ASAN
	/*
	 * The AddressSanitizer build (make asan) only: its runtime reads the
	 * signal stack before each call that does not return (exit(3)), and
	 * undoes its own as the process ends.
	 */
	sb_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sigaltstack), 0, NULL);
#endif
	return (ctx);
}

static void
sb_child_load(scmp_filter_ctx ctx)
{
	int	r;

	if (sb_trap)
		sb_trap_init();
	/* libseccomp sets no_new_privs first (SCMP_FLTATR_CTL_NNP). */
	if ((r = seccomp_load(ctx)) < 0) {
		errno = -r;
		fatal("seccomp_load");
	}
	seccomp_release(ctx);
	log_debug("sandbox: seccomp allow-list loaded (%s)",
	    sb_trap ? "trap" : "kill");
}

/*
 * Called as root, before setresuid(2), by each child: empty the bounding
 * and ambient sets while CAP_SETPCAP still works, so nothing this process
 * becomes can hold a capability again.
 */
void
sandbox_prepare(void)
{
	int	cap, r;

	for (cap = 0; (r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0; cap++)
		if (r == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1)
			fatal("dropping capability %d from the bounding set",
			    cap);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		fatal("clearing the ambient capabilities");
}

/*
 * The control relay: accepts on listening sockets it was handed, opens
 * TCP connections to servers, relays messages between them, asks the
 * parent and tells the GRE forwarder over imsg.
 *
 * connect(2) cannot be held to the configured servers here: its address
 * is in memory behind a pointer, which a seccomp filter cannot read.
 * What bounds it: the only sockets the relay can make are TCP over IPv4
 * (sb_control_sockets), and it connects them only to the server of the
 * proxy the parent configured.  (On OpenBSD, pledge "inet" likewise
 * allows any IPv4 or IPv6 address.)
 */
void
sandbox_control(void)
{
	scmp_filter_ctx	ctx;

	ctx = sb_child_init("control");
	sb_allow(ctx, sb_control_calls,
	    sizeof(sb_control_calls) / sizeof(sb_control_calls[0]));
	sb_sockets(ctx, sb_control_sockets,
	    sizeof(sb_control_sockets) / sizeof(sb_control_sockets[0]));
	sb_sockopts(ctx, SCMP_SYS(setsockopt), sb_control_sockopts,
	    sizeof(sb_control_sockopts) / sizeof(sb_control_sockopts[0]));
	sb_sockopts(ctx, SCMP_SYS(getsockopt), sb_control_getsockopts,
	    sizeof(sb_control_getsockopts) /
	    sizeof(sb_control_getsockopts[0]));
	/* sess_stop(): our FIN once the peer answered its Stop request. */
	SB_ALLOW1(ctx, SCMP_SYS(shutdown), SB_ARG(1, SCMP_CMP_EQ, SHUT_WR, 0));
	sb_child_load(ctx);
}

/* The GRE forwarder: batched I/O on the raw socket it was handed. */
void
sandbox_gre(void)
{
	scmp_filter_ctx	ctx;

	ctx = sb_child_init("gre");
	sb_allow(ctx, sb_gre_calls,
	    sizeof(sb_gre_calls) / sizeof(sb_gre_calls[0]));
	sb_sockets(ctx, sb_gre_sockets,
	    sizeof(sb_gre_sockets) / sizeof(sb_gre_sockets[0]));
	sb_sockopts(ctx, SCMP_SYS(setsockopt), sb_gre_sockopts,
	    sizeof(sb_gre_sockopts) / sizeof(sb_gre_sockopts[0]));
	sb_child_load(ctx);
}

/*
 * The parent.
 *
 * Capabilities it keeps after start-up:
 *	CAP_NET_BIND_SERVICE	listen on port 1723 when a reload adds a
 *				proxy, bind a tunnel's UDP port below
 *				1024 when a reload adds one;
 *	CAP_SETUID, CAP_SETGID	run ACL commands as the acl-command user
 *				(setgroups, setresgid, setresuid);
 *	CAP_KILL		signal the children and timed-out ACL
 *				commands, which run as other users;
 *	CAP_NET_ADMIN		only with gre offload: add and delete the
 *				kernel's GRE routes (nf_tables).
 * The raw GRE socket is opened once, before the children start, and no
 * child is started again, so CAP_NET_RAW and CAP_SYS_CHROOT go too.
 *
 * no_new_privs: ACL commands answer "may this address connect"; they
 * have no business gaining privileges through a set-user-ID or
 * file-capability binary.  It leaves setresuid() before exec alone, so
 * commands still run as the configured user.
 *
 * Why a deny-list and not an allow-list: a seccomp filter is inherited
 * across fork and exec, and the parent execs ACL commands, arbitrary
 * programs chosen by the administrator (shell scripts, lookups in
 * databases, ...).  An allow-list fitted to the parent would kill them.
 * So the parent, and everything it starts, loses only the calls that a
 * relay's ACL command never needs and that are the kernel's favourite
 * attack surface or would undo the rest: debugging other processes,
 * loading kernels and modules, mounts, namespaces, BPF, perf, keyrings,
 * userfaultfd, io_uring, changing the clock.  They fail with EPERM.
 */
static const int sb_parent_deny[] = {
	SCMP_SYS(ptrace),
	SCMP_SYS(process_vm_readv),
	SCMP_SYS(process_vm_writev),
	SCMP_SYS(pidfd_getfd),
	SCMP_SYS(kcmp),
	SCMP_SYS(kexec_load),
	SCMP_SYS(kexec_file_load),
	SCMP_SYS(init_module),
	SCMP_SYS(finit_module),
	SCMP_SYS(delete_module),
	SCMP_SYS(create_module),
	SCMP_SYS(mount),
	SCMP_SYS(umount),
	SCMP_SYS(umount2),
	SCMP_SYS(mount_setattr),
	SCMP_SYS(move_mount),
	SCMP_SYS(open_tree),
	SCMP_SYS(fsopen),
	SCMP_SYS(fsconfig),
	SCMP_SYS(fsmount),
	SCMP_SYS(fspick),
	SCMP_SYS(pivot_root),
	SCMP_SYS(chroot),
	SCMP_SYS(unshare),
	SCMP_SYS(setns),
	SCMP_SYS(swapon),
	SCMP_SYS(swapoff),
	SCMP_SYS(reboot),
	SCMP_SYS(bpf),
	SCMP_SYS(perf_event_open),
	SCMP_SYS(keyctl),
	SCMP_SYS(add_key),
	SCMP_SYS(request_key),
	SCMP_SYS(userfaultfd),
	SCMP_SYS(io_uring_setup),
	SCMP_SYS(io_uring_enter),
	SCMP_SYS(io_uring_register),
	SCMP_SYS(acct),
	SCMP_SYS(quotactl),
	SCMP_SYS(quotactl_fd),
	SCMP_SYS(settimeofday),
	SCMP_SYS(clock_settime),
	SCMP_SYS(clock_settime64),
	SCMP_SYS(clock_adjtime),
	SCMP_SYS(clock_adjtime64),
	SCMP_SYS(adjtimex),
	SCMP_SYS(sethostname),
	SCMP_SYS(setdomainname),
	SCMP_SYS(iopl),
	SCMP_SYS(ioperm),
	SCMP_SYS(open_by_handle_at),
	SCMP_SYS(name_to_handle_at),
	SCMP_SYS(lookup_dcookie),
	SCMP_SYS(fanotify_init),
	SCMP_SYS(syslog),		/* the kernel's log, not syslog(3) */
	SCMP_SYS(uselib),
	SCMP_SYS(_sysctl),
	SCMP_SYS(nfsservctl),
	SCMP_SYS(vhangup),
	SCMP_SYS(vm86),
	SCMP_SYS(vm86old),
};

/* New namespaces through clone(2): its flags are the first argument. */
static const uint64_t sb_clone_ns[] = {
	CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET
};

#define SB_KEEP		((1ULL << CAP_NET_BIND_SERVICE) |		\
			    (1ULL << CAP_SETUID) | (1ULL << CAP_SETGID) |	\
			    (1ULL << CAP_KILL))

static void
sb_capget(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct	h;

	memset(&h, 0, sizeof(h));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &h, d) == -1)
		fatal("capget");
}

static void
sb_parent_caps(uint64_t want)
{
	struct __user_cap_header_struct	h;
	struct __user_cap_data_struct	d[2];
	uint64_t			prm, keep;
	int				cap, warned = 0;

	sb_capget(d);
	prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	keep = prm & want;

	/* The bounding set first: dropping needs CAP_SETPCAP. */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (cap < 64 && (want & (1ULL << cap)))
			continue;
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 && !warned) {
			/*
			 * No CAP_SETPCAP (a service manager kept it from
			 * us): no_new_privs still keeps ACL commands run as
			 * root within the permitted set set below.
			 */
			log_warn("sandbox: cannot trim the capability "
			    "bounding set");
			warned = 1;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		fatal("clearing the ambient capabilities");

	memset(&h, 0, sizeof(h));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &h, d) == -1)
		fatal("capset");

	sb_capget(d);
	if ((d[0].permitted | (uint64_t)d[1].permitted << 32) != keep ||
	    (d[0].effective | (uint64_t)d[1].effective << 32) != keep ||
	    d[0].inheritable != 0 || d[1].inheritable != 0)
		fatalx("sandbox: capabilities not dropped");
	if (keep != want)
		log_warnx("sandbox: started without some of the capabilities "
		    "the parent uses (has %#llx of %#llx)",
		    (unsigned long long)keep, (unsigned long long)want);
}

void
sandbox_parent(const struct pptpproxy_conf *conf)
{
	scmp_filter_ctx	ctx;
	size_t		i;
	int		r;
#if defined(__s390__) || defined(__s390x__)
	const unsigned int clone_flags_arg = 1;
#else
	const unsigned int clone_flags_arg = 0;
#endif

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl PR_SET_NO_NEW_PRIVS");

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		fatalx("seccomp_init failed");
	for (i = 0; i < sizeof(sb_parent_deny) / sizeof(sb_parent_deny[0]);
	    i++)
		sb_rule(ctx, SCMP_ACT_ERRNO(EPERM), sb_parent_deny[i], 0,
		    NULL);
	for (i = 0; i < sizeof(sb_clone_ns) / sizeof(sb_clone_ns[0]); i++)
		sb_rule(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
		    &SB_ARG(clone_flags_arg, SCMP_CMP_MASKED_EQ,
		    sb_clone_ns[i], sb_clone_ns[i]));
	/*
	 * clone3(2) passes its flags in memory, out of a filter's reach:
	 * ENOSYS makes libc fall back to clone(2), which is checked.
	 */
	sb_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0, NULL);
	if ((r = seccomp_load(ctx)) < 0) {
		errno = -r;
		fatal("seccomp_load");
	}
	seccomp_release(ctx);

	/* gre offload: nf_tables changes need CAP_NET_ADMIN. */
	sb_parent_caps(SB_KEEP | (conf->gre_offload ?
	    1ULL << CAP_NET_ADMIN : 0));
	log_debug("sandbox: parent keeps CAP_NET_BIND_SERVICE, CAP_SETUID, "
	    "CAP_SETGID, CAP_KILL%s; seccomp deny-list loaded",
	    conf->gre_offload ? ", CAP_NET_ADMIN" : "");
}

#endif /* __OpenBSD__ */

#ifdef PPTPPROXY_TEST
/*
 * Test builds: a child calls this on SIGUSR2.  PPTPPROXY_TEST_CALL in
 * the environment names the call.  Each is outside every child's list
 * (and pledge) and must not return, but for "syslog", the socket
 * syslog(3) makes when its own broke, which must fail and not kill, and
 * in the relay "socket-tcp", its own socket to servers, and
 * "shutdown-wr", its FIN at the end of a stopped session, and
 * "sockopt-nodelay", one of its socket options, and "getsockopt-error"
 * and "getsockopt-peercred", the two it reads, and in both
 * "sockopt-linger", imsg's on a descriptor it closes, "madvise-dontneed",
 * malloc's advice, and the other advice, which must fail with EPERM and
 * not kill ("madvise-mergeable", "madvise-dontfork", "madvise-upper").
 * Calls on descriptor -1 would fail with EBADF if they were let through.
 * Linux's numbers where the system has no such option or advice (the
 * calls are Linux's tests).
 */
#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP	132
#endif
#ifndef SO_ATTACH_FILTER
#define SO_ATTACH_FILTER	26
#endif
#ifndef TCP_CONGESTION
#define TCP_CONGESTION	13
#endif
#ifndef TCP_ULP
#define TCP_ULP		31
#endif
#ifndef TCP_INFO
#define TCP_INFO	11
#endif
#ifndef TCP_KEEPIDLE
#define TCP_KEEPIDLE	4
#endif
#ifndef SO_PEERCRED
#define SO_PEERCRED	17
#endif
#ifndef MADV_DONTFORK
#define MADV_DONTFORK	10
#endif
#ifndef MADV_MERGEABLE
#define MADV_MERGEABLE	12
#endif

static int
sb_test_open(void)
{
	return (open("/etc/passwd", O_RDONLY));
}

static int
sb_test_raw(void)
{
	return (socket(AF_INET, SOCK_RAW, IPPROTO_GRE));
}

static int
sb_test_sctp(void)
{
	return (socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_SCTP));
}

static int
sb_test_tcp(void)
{
	return (socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0));
}

static int
sb_test_udp(void)
{
	return (socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0));
}

static int
sb_test_inet6(void)
{
	return (socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0));
}

static int
sb_test_blocking(void)
{
	return (socket(AF_INET, SOCK_STREAM, 0));
}

static int
sb_test_syslog(void)
{
	return (socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
}

static int
sb_test_shutdown(void)
{
	return (shutdown(-1, SHUT_RDWR));
}

static int
sb_test_shutdown_wr(void)
{
	return (shutdown(-1, SHUT_WR));
}

/* An empty program: what it is does not matter, the call does. */
static int
sb_test_sockopt_filter(void)
{
	struct {
		unsigned short	 len;
		void		*filter;
	} prog = { 0, NULL };

	return (setsockopt(-1, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)));
}

/* Kernel TLS, a module the kernel would load and run on the socket. */
static int
sb_test_sockopt_ulp(void)
{
	return (setsockopt(-1, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")));
}

/* TCP_CONGESTION is SO_LINGER's number: level and name go together. */
static int
sb_test_sockopt_cong(void)
{
	return (setsockopt(-1, IPPROTO_TCP, TCP_CONGESTION, "reno",
	    sizeof("reno")));
}

/* SO_DEBUG is TCP_NODELAY's number, at the other level. */
static int
sb_test_sockopt_debug(void)
{
	int	one = 1;

	return (setsockopt(-1, SOL_SOCKET, SO_DEBUG, &one, sizeof(one)));
}

static int
sb_test_sockopt_nodelay(void)
{
	int	one = 1;

	return (setsockopt(-1, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
}

static int
sb_test_sockopt_linger(void)
{
	struct linger	lg;

	memset(&lg, 0, sizeof(lg));
	return (setsockopt(-1, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
}

/* An int's worth: what the call reads does not matter, the call does. */
static int
sb_test_getsockopt(int level, int name)
{
	unsigned char	buf[256];
	socklen_t	len = sizeof(buf);

	return (getsockopt(-1, level, name, buf, &len));
}

static int
sb_test_getsockopt_error(void)
{
	return (sb_test_getsockopt(SOL_SOCKET, SO_ERROR));
}

static int
sb_test_getsockopt_peercred(void)
{
	return (sb_test_getsockopt(SOL_SOCKET, SO_PEERCRED));
}

static int
sb_test_getsockopt_info(void)
{
	return (sb_test_getsockopt(IPPROTO_TCP, TCP_INFO));
}

/* TCP_KEEPIDLE is SO_ERROR's number: level and name go together. */
static int
sb_test_getsockopt_keepidle(void)
{
	return (sb_test_getsockopt(IPPROTO_TCP, TCP_KEEPIDLE));
}

/*
 * madvise(2) on a page of our own: -1 with the call's errno, 0 when it
 * succeeded.  "upper": MADV_MERGEABLE with a bit above the int the
 * kernel reads (where a long has one), refused all the same.
 */
static int
sb_test_madvise(unsigned long advice)
{
	void	*p;
	long	 r;
	int	 e;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON,
	    -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	r = syscall(SYS_madvise, p, 4096UL, advice);
	e = r == -1 ? errno : 0;
	(void)munmap(p, 4096);
	errno = e;
	return (-1);
}

static int
sb_test_madvise_dontneed(void)
{
	return (sb_test_madvise(MADV_DONTNEED));
}

static int
sb_test_madvise_mergeable(void)
{
	return (sb_test_madvise(MADV_MERGEABLE));
}

static int
sb_test_madvise_dontfork(void)
{
	return (sb_test_madvise(MADV_DONTFORK));
}

static int
sb_test_madvise_upper(void)
{
	unsigned long	advice = MADV_MERGEABLE;

	if (sizeof(advice) > 4)
		advice |= 1UL << (sizeof(advice) * 4);
	return (sb_test_madvise(advice));
}

static int
sb_test_getpeername(void)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);

	return (getpeername(-1, (struct sockaddr *)&ss, &len));
}

static int
sb_test_fionread(void)
{
	int	n;

	return (ioctl(-1, FIONREAD, &n));
}

/* -1 with errno 0 when it grew (the allow-list's failure). */
static int
sb_test_mremap(void)
{
	void	*p, *q;
	int	 e;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON,
	    -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	q = mremap(p, 4096, 8192, MREMAP_MAYMOVE);
	e = errno;
	(void)munmap(q == MAP_FAILED ? p : q, q == MAP_FAILED ? 4096 : 8192);
	errno = q == MAP_FAILED ? e : 0;
	return (-1);
}

/* Large blocks grown by realloc(3) keep their bytes: -1, errno 0 or EIO. */
static int
sb_test_realloc(void)
{
	unsigned char	*p, *q;
	size_t		 i, n = 1 << 20;

	if ((p = malloc(n)) == NULL)
		return (-1);
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7);
	if ((q = realloc(p, 8 * n)) == NULL) {
		free(p);
		return (-1);
	}
	for (i = 0; i < n && q[i] == (unsigned char)(i * 7); i++)
		;
	free(q);
	errno = i == n ? 0 : EIO;
	return (-1);
}

static const struct {
	const char	*name;
	const char	*what;
	int		(*call)(void);
} sb_tests[] = {
	{ "open", "open(/etc/passwd)", sb_test_open },
	{ "socket-raw", "socket(AF_INET, SOCK_RAW, IPPROTO_GRE)",
	    sb_test_raw },
	{ "socket-sctp", "socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)",
	    sb_test_sctp },
	{ "socket-tcp", "socket(AF_INET, SOCK_STREAM, 0)", sb_test_tcp },
	{ "socket-udp", "socket(AF_INET, SOCK_DGRAM, 0)", sb_test_udp },
	{ "socket-inet6", "socket(AF_INET6, SOCK_STREAM, 0)", sb_test_inet6 },
	{ "socket-blocking", "socket(AF_INET, SOCK_STREAM, 0) without flags",
	    sb_test_blocking },
	{ "syslog", "socket(AF_UNIX, SOCK_DGRAM, 0)", sb_test_syslog },
	{ "shutdown", "shutdown(SHUT_RDWR)", sb_test_shutdown },
	{ "shutdown-wr", "shutdown(SHUT_WR)", sb_test_shutdown_wr },
	{ "sockopt-filter", "setsockopt(SOL_SOCKET, SO_ATTACH_FILTER)",
	    sb_test_sockopt_filter },
	{ "sockopt-ulp", "setsockopt(IPPROTO_TCP, TCP_ULP)",
	    sb_test_sockopt_ulp },
	{ "sockopt-cong", "setsockopt(IPPROTO_TCP, TCP_CONGESTION)",
	    sb_test_sockopt_cong },
	{ "sockopt-debug", "setsockopt(SOL_SOCKET, SO_DEBUG)",
	    sb_test_sockopt_debug },
	{ "sockopt-nodelay", "setsockopt(IPPROTO_TCP, TCP_NODELAY)",
	    sb_test_sockopt_nodelay },
	{ "sockopt-linger", "setsockopt(SOL_SOCKET, SO_LINGER)",
	    sb_test_sockopt_linger },
	{ "getsockopt-error", "getsockopt(SOL_SOCKET, SO_ERROR)",
	    sb_test_getsockopt_error },
	{ "getsockopt-peercred", "getsockopt(SOL_SOCKET, SO_PEERCRED)",
	    sb_test_getsockopt_peercred },
	{ "getsockopt-info", "getsockopt(IPPROTO_TCP, TCP_INFO)",
	    sb_test_getsockopt_info },
	{ "getsockopt-keepidle", "getsockopt(IPPROTO_TCP, TCP_KEEPIDLE)",
	    sb_test_getsockopt_keepidle },
	{ "madvise-dontneed", "madvise(MADV_DONTNEED)",
	    sb_test_madvise_dontneed },
	{ "madvise-mergeable", "madvise(MADV_MERGEABLE)",
	    sb_test_madvise_mergeable },
	{ "madvise-dontfork", "madvise(MADV_DONTFORK)",
	    sb_test_madvise_dontfork },
	{ "madvise-upper", "madvise(MADV_MERGEABLE) with a bit in the upper "
	    "half", sb_test_madvise_upper },
	{ "getpeername", "getpeername(2)", sb_test_getpeername },
	{ "fionread", "ioctl(FIONREAD)", sb_test_fionread },
	{ "mremap", "mremap(2) growing a mapping", sb_test_mremap },
	{ "realloc", "realloc(3) of 1 MB to 8 MB", sb_test_realloc },
};

void
sandbox_test_forbidden(void)
{
	const char	*name;
	size_t		 i;
	int		 r;

	if ((name = getenv("PPTPPROXY_TEST_CALL")) == NULL)
		name = "open";
	for (i = 0; i < sizeof(sb_tests) / sizeof(sb_tests[0]); i++)
		if (strcmp(sb_tests[i].name, name) == 0)
			break;
	if (i == sizeof(sb_tests) / sizeof(sb_tests[0])) {
		log_warnx("sandbox test: no call %s", name);
		return;
	}
	/* A warning: sent at once, before the call kills us. */
	log_warnx("sandbox test: calling %s", sb_tests[i].what);
	if ((r = sb_tests[i].call()) != -1)
		close(r);
	log_warnx("sandbox test: the call returned (%s)",
	    r == -1 ? strerror(errno) : "success");
}
#endif /* PPTPPROXY_TEST */
