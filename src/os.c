/*
 * Linux and OpenBSD differences outside the sandbox (see sandbox.c for
 * the rest).
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <sys/timerfd.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#endif

#include "os.h"

#if defined(__linux__) && !defined(MFD_CLOEXEC)
#include <linux/memfd.h>
#endif

#define GRE_SOCKBUF	(8 * 1024 * 1024)
/*
 * The tunnels' channel between the children: what it holds while the
 * side reading it is busy (Linux counts twice this, kernel overhead
 * included: about 900 packets of 1400 bytes, 2700 small ones).
 */
#define TUN_PAIR_BUF	(1024 * 1024)

void
os_closefrom(int lowfd)
{
#ifdef __OpenBSD__
	closefrom(lowfd);
#else
	/* libbsd has closefrom(); prefer the kernel's when there. */
#ifdef SYS_close_range
	if (syscall(SYS_close_range, lowfd, ~0U, 0) == 0)
		return;
#endif
	closefrom(lowfd);
#endif
}

#ifndef __OpenBSD__
/*
 * Process titles on Linux, written over the strings exec(2) left: the
 * arguments, then the environment that follows them.  The kernel shows
 * in /proc/PID/cmdline the argument strings as they are, NULs and all,
 * up to the end of the last; only if the last byte of them is no longer
 * a NUL does it take the process for one that set a title and show the
 * string from the first byte to its NUL, wherever that is.  libbsd's
 * setproctitle() marks the end of argv[0] only, which is that byte only
 * when there is no other argument: with some, the title came out padded
 * with NULs and a "." to the length of the original command line.
 */
static char	*pt_base;	/* argv[0]: the title goes there */
static char	*pt_argend;	/* past the NUL of the last argument */
static char	*pt_end;	/* past the last string we may overwrite */

static int
pt_inside(const char *s)
{
	return ((uintptr_t)s >= (uintptr_t)pt_base &&
	    (uintptr_t)s < (uintptr_t)pt_end);
}
#endif

/*
 * Before anything else in main(): room for process titles.  On Linux,
 * libbsd's setproctitle_init() copies the environment, the arguments
 * but the first and the program's name elsewhere, so that nothing is
 * left pointing into the area that os_proctitle() overwrites.
 */
void
os_proctitle_init(int argc, char *argv[], char *envp[])
{
#ifndef __OpenBSD__
	char	*end;
	int	 i;

	if (argc < 1 || argv[0] == NULL)
		return;
	/* What setproctitle_init() moves: the strings as exec left them. */
	end = argv[0] + strlen(argv[0]) + 1;
	for (i = 1; i < argc && argv[i] == end; i++)
		end += strlen(end) + 1;
	if (i < argc)
		return;		/* not laid out as exec does: no titles */
	pt_argend = end;
	for (i = 0; envp[i] != NULL && envp[i] == end; i++)
		end += strlen(end) + 1;
	pt_end = end;
	pt_base = argv[0];
	setproctitle_init(argc, argv, envp);
	/* A copy it could not make (no memory): leave the area alone. */
	if (pt_inside(getprogname()))
		pt_base = NULL;
	for (i = 1; i < argc; i++)
		if (pt_inside(argv[i]))
			pt_base = NULL;
	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		if (pt_inside(environ[i]))
			pt_base = NULL;
#endif
}

/*
 * Title the process "name: title" (name: the program's), as ps(1),
 * pgrep -f and /proc/PID/cmdline show it: those bytes and no others.
 */
void
os_proctitle(const char *title)
{
#ifdef __OpenBSD__
	setproctitle("%s", title);
#else
	size_t	 room, n;
	int	 len;

	if (pt_base == NULL)
		return;
	room = pt_end - pt_base;
	/* Whatever an older title or the original strings left goes. */
	memset(pt_base, 0, room);
	len = snprintf(pt_base, room, "%s: %s", getprogname(), title);
	if (len < 0)
		return;
	n = (size_t)len < room ? (size_t)len : room - 1;
	/*
	 * A title that ends before the last byte of the arguments: make
	 * that byte non-NUL so that the kernel shows the title to its NUL
	 * and not the NULs after it.  One that ends on it or past it (into
	 * the environment) needs nothing.
	 */
	if (pt_base + n + 1 < pt_argend)
		pt_argend[-1] = ' ';
#endif
}

/*
 * Find name as a shell would: a name with a slash is a path (relative to
 * the working directory); one without is looked for in each directory of
 * path (an empty entry meaning the working directory), the first regular
 * file we may execute winning.  The answer is made absolute and free of
 * symbolic links with realpath(3) into buf (PATH_MAX bytes); NULL if
 * nothing fits.
 */
const char *
os_path_search(const char *name, const char *path, char *buf)
{
	char		 cand[PATH_MAX];
	const char	*p, *e;
	struct stat	 st;
	size_t		 n;

	if (name == NULL || *name == '\0')
		return (NULL);
	if (strchr(name, '/') != NULL)
		return (realpath(name, buf));
	if (path == NULL)
		return (NULL);
	for (p = path;; p = e + 1) {
		e = p + strcspn(p, ":");
		n = e - p;
		if (n == 0)
			n = strlcpy(cand, name, sizeof(cand));
		else if (n < sizeof(cand))
			n = (size_t)snprintf(cand, sizeof(cand), "%.*s/%s",
			    (int)n, p, name);
		else
			n = sizeof(cand);
		if (n < sizeof(cand) && stat(cand, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(cand, X_OK) == 0 &&
		    realpath(cand, buf) != NULL)
			return (buf);
		if (*e == '\0')
			break;
	}
	return (NULL);
}

/*
 * The path to exec ourselves with.  Linux: /proc/self/exe.  OpenBSD has
 * no /proc, and a shell gives a program found through PATH its bare name
 * as argv[0]: look for it where the shell did.
 */
const char *
os_self_path(const char *argv0)
{
	static char	path[PATH_MAX];
#ifndef __OpenBSD__
	ssize_t		n;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n > 0) {
		path[n] = '\0';
		return (path);
	}
#endif
	return (os_path_search(argv0, getenv("PATH"), path));
}

/*
 * A datagram socket that forwards: large buffers (beyond the system's
 * default maximum where root may), and no Don't Fragment, so the kernel
 * fragments what does not fit, as a router does.
 */
static void
os_forwarding_buffers(int fd)
{
	int	sz = GRE_SOCKBUF;

#ifdef SO_RCVBUFFORCE
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
#endif
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
#ifdef SO_SNDBUFFORCE
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) == -1)
#endif
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
#ifdef IP_MTU_DISCOVER
	{
		int pmtu = IP_PMTUDISC_DONT;

		(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
		    sizeof(pmtu));
	}
#endif
}

/*
 * The channel of the tunnels' packets between the children: a packet a
 * message (the kernel keeps their boundaries, a part of one is never
 * read), non-blocking (a full channel drops, counted by the sender).
 * Its capacity is the sender's buffer, set here: Linux checks no
 * net.unix.max_dgram_qlen between the two ends of a pair, but would
 * leave it at net.core.wmem_default; OpenBSD's default holds a few
 * packets.
 */
int
os_tun_pair(int fd[2])
{
	int	i, sz = TUN_PAIR_BUF;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, fd) == -1)
		return (-1);
	for (i = 0; i < 2; i++) {
#ifdef SO_SNDBUFFORCE
		if (setsockopt(fd[i], SOL_SOCKET, SO_SNDBUFFORCE, &sz,
		    sizeof(sz)) == -1)
#endif
			(void)setsockopt(fd[i], SOL_SOCKET, SO_SNDBUF, &sz,
			    sizeof(sz));
#ifdef SO_RCVBUFFORCE
		if (setsockopt(fd[i], SOL_SOCKET, SO_RCVBUFFORCE, &sz,
		    sizeof(sz)) == -1)
#endif
			(void)setsockopt(fd[i], SOL_SOCKET, SO_RCVBUF, &sz,
			    sizeof(sz));
	}
	return (0);
}

/*
 * Let a TCP connection take at most bytes not yet sent, so that what
 * waits beyond stays in the relay's own queue, which drops whole
 * packets when full (Linux: TCP_NOTSENT_LOWAT).  Where the system has
 * no such bound (OpenBSD), nothing: the kernel's buffer takes what it
 * takes, as before.  -1 where it was not set.
 */
int
os_tcp_notsent_lowat(int fd, int bytes)
{
#ifdef TCP_NOTSENT_LOWAT
	return (setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &bytes,
	    sizeof(bytes)));
#else
	(void)fd;
	(void)bytes;
	return (-1);
#endif
}

int
os_gre_socket(void)
{
	int	fd;

	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_GRE);
	if (fd == -1)
		return (-1);
	os_forwarding_buffers(fd);
	return (fd);
}

int
os_gre_shard(int fd, unsigned int lo, unsigned int hi, int rest)
{
#if defined(__linux__) && defined(SO_LOCK_FILTER)
	/*
	 * A raw socket's data starts at the IP header: X its length, then
	 * the GRE header's protocol at X+2 and the Call ID at X+6.  A load
	 * past the end would end the program with 0, so the length first.
	 */
	struct sock_filter	code[] = {
		/* 0 */ BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		/* 1 */ BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		/* 2 */ BPF_STMT(BPF_ALU | BPF_SUB | BPF_X, 0),
		/* 3 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 8, 0, 5),
		/* 4 */ BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
		/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x880b, 0, 3),
		/* 6 */ BPF_STMT(BPF_LD | BPF_H | BPF_IND, 6),
		/* 7 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, lo, 0, 3),
		/* 8 */ BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, hi, 2, 1),
		/* 9: not PPTP's GRE */
			BPF_STMT(BPF_RET | BPF_K, rest ? 0xffffffffU : 0),
		/* 10: its Call ID */
			BPF_STMT(BPF_RET | BPF_K, 0xffffffffU),
		/* 11: another's */
			BPF_STMT(BPF_RET | BPF_K, 0)
	};
	struct sock_fprog	prog;
	int			on = 1;

	prog.len = sizeof(code) / sizeof(code[0]);
	prog.filter = code;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1)
		return (-1);
	return (setsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &on, sizeof(on)));
#else
	(void)fd;
	(void)lo;
	(void)hi;
	(void)rest;
	errno = ENOPROTOOPT;
	return (-1);
#endif
}

/*
 * A UDP socket for tunnels, not bound yet: buffers as the raw socket's,
 * and datagrams larger than the path's MTU fragmented by IP, not
 * refused.  -1 on error (errno set).
 */
int
os_udp_socket(void)
{
	int	fd, on = 1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return (-1);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	os_forwarding_buffers(fd);
	return (fd);
}

size_t
os_srcaddr_space(void)
{
#ifdef IP_PKTINFO
	return (CMSG_SPACE(sizeof(struct in_pktinfo)));
#else
	return (CMSG_SPACE(sizeof(struct in_addr)));
#endif
}

/* Fill msg's control buffer (os_srcaddr_space() bytes) with src. */
void
os_srcaddr_set(struct msghdr *msg, void *buf, struct in_addr src)
{
	struct cmsghdr	*cm;

	msg->msg_control = buf;
	msg->msg_controllen = os_srcaddr_space();
	cm = CMSG_FIRSTHDR(msg);
	cm->cmsg_level = IPPROTO_IP;
#ifdef IP_PKTINFO
	{
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = src;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
#else
	cm->cmsg_type = IP_SENDSRCADDR;
	cm->cmsg_len = CMSG_LEN(sizeof(src));
	memcpy(CMSG_DATA(cm), &src, sizeof(src));
#endif
}

/*
 * Linux clones an accepted socket from its listener, TCP_NODELAY,
 * SO_KEEPALIVE, the keepalive timers and TCP_USER_TIMEOUT included, so
 * setting them once on the listener saves system calls per connection.
 * Elsewhere they are set on each accepted socket.
 */
int
os_accept_keeps_sockopts(void)
{
#ifdef __linux__
	return (1);
#else
	return (0);
#endif
}

/*
 * Linux acknowledges the first segments of a connection at once (quick
 * acknowledgements), each in a segment of its own.  The relay answers
 * what a server sends with the client's next message soon enough for
 * that message to carry the acknowledgement: TCP_QUICKACK off once the
 * first message to the server has gone delays the acknowledgement of
 * the server's first reply, which the next request then carries (Linux
 * 6.18; a kernel that waits for more exchanges before it delays
 * acknowledges that reply alone).  One segment fewer a setup.  Not before
 * connect(2): the handshake's last ACK, delayed until the first message,
 * would leave the server's kernel holding the connection until then
 * instead of handing it to the server while the relay writes (about 2%
 * of the setups one at a time in the lab).  Elsewhere acknowledgements
 * are delayed from the start.
 */
void
os_tcp_ack_late(int fd)
{
#ifdef TCP_QUICKACK
	int	zero = 0;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof(zero));
#else
	(void)fd;
#endif
}

/*
 * Who connected to a control socket: a getsockopt(2) on both systems
 * (getpeereid(3) is one on OpenBSD), allowed in the control relay's
 * sandbox.
 */
int
os_peer_uid(int fd, uid_t *uid)
{
#ifdef __linux__
	struct ucred	cr;
	socklen_t	len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1 ||
	    len != sizeof(cr))
		return (-1);
	*uid = cr.uid;
	return (0);
#else
	gid_t	gid;

	return (getpeereid(fd, uid, &gid));
#endif
}

/*
 * Linux: connecting again tells how the first attempt went, 0 once it is
 * established, EALREADY while it is not, its error when it failed.  A
 * server a virtual link away has often answered before connect(2)
 * returned (the SYN's answer is handled on the way out of it), and this
 * saves the wait for the socket to turn writable.  Elsewhere a second
 * connect(2) on a failed socket may start a new attempt: wait.
 */
int
os_connect_done(int fd, const struct sockaddr *sa, socklen_t len)
{
#ifdef __linux__
	if (connect(fd, sa, len) == 0 || errno == EISCONN)
		return (1);
	if (errno == EALREADY || errno == EINPROGRESS || errno == EINTR)
		return (0);
	return (-1);
#else
	return (0);
#endif
}

/*
 * Linux: a timerfd.  OpenBSD has none (kqueue's EVFILT_TIMER is relative
 * and would need a kqueue of its own): the timers stay libevent's.
 */
int
os_timer_open(void)
{
#ifdef __linux__
	return (timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
#else
	errno = ENOSYS;
	return (-1);
#endif
}

int
os_timer_arm(int fd, const struct timespec *when)
{
#ifdef __linux__
	struct itimerspec	its;

	memset(&its, 0, sizeof(its));
	its.it_value = *when;
	/* 0 would disarm it: what is due now goes off at once. */
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	return (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL));
#else
	(void)fd;
	(void)when;
	errno = ENOSYS;
	return (-1);
#endif
}

/*
 * glibc keeps freed memory in its heap, so a daemon that once held many
 * sessions would keep their memory resident; malloc_trim(3) returns the
 * free pages.  OpenBSD's malloc(3) unmaps free pages by itself.
 */
void
os_memory_trim(void)
{
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

/* An on/off socket option turned on; -1 (ENOPROTOOPT) for one not here. */
static int
sockopt_on(int fd, int level, int name)
{
	int	one = 1;

	if (name == -1) {
		errno = ENOPROTOOPT;
		return (-1);
	}
	return (setsockopt(fd, level, name, &one, sizeof(one)));
}

/*
 * SO_PASSRIGHTS (Linux 6.16) off on a socket of a channel: no descriptor
 * can come in on it, the sender's sendmsg(2) of one fails with EPERM.
 * Older headers lack the name; its number is the generic one on the
 * architectures whose socket options are the generic ones.
 */
#if defined(__linux__) && !defined(SO_PASSRIGHTS) && (defined(__x86_64__) || \
    defined(__i386__) || defined(__aarch64__) || defined(__arm__) || \
    defined(__riscv) || defined(__loongarch__) || defined(__s390__))
#define SO_PASSRIGHTS	83
#endif

/*
 * The receiving end of a channel on which no descriptor may come (the
 * parent's end of a child's, either end of a relay's to its forwarder or
 * to relay 0): 0 if the kernel now refuses them, -1 where it cannot, and
 * then what comes is closed on arrival (imsg).
 */
int
os_refuse_fds(int fd)
{
#if defined(__linux__) && defined(SO_PASSRIGHTS)
	int	zero = 0;

	return (setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &zero,
	    sizeof(zero)));
#else
	(void)fd;
	errno = EOPNOTSUPP;
	return (-1);
#endif
}

/*
 * A descriptor a child sent, which the parent does not keep: lingering
 * off first, as a TCP socket of the child's with SO_LINGER and a full
 * send queue would make the parent's close(2) wait (Linux lingers even
 * on non-blocking sockets).
 */
void
os_close_untrusted(int fd)
{
	struct linger	lg;

	memset(&lg, 0, sizeof(lg));
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

int
os_freebind(int fd)
{
#ifdef IP_FREEBIND
	return (sockopt_on(fd, IPPROTO_IP, IP_FREEBIND));
#else
	/* OpenBSD's SO_BINDANY is for pf divert-to, not for this. */
	return (sockopt_on(fd, IPPROTO_IP, -1));
#endif
}

/*
 * Several control relays.  Linux: listening sockets of one address and
 * port, each with SO_REUSEPORT, form a group the kernel hands each new
 * connection to one of; a classic BPF program on the group picks which,
 * here by the client's address alone (os_relay_pick()), so that every
 * connection of one client reaches the same relay and its per-address
 * limits stay exact.  OpenBSD's SO_REUSEPORT does not spread connections
 * so: one relay there.
 */
unsigned int
os_relays_max(void)
{
#if defined(__linux__) && defined(SO_ATTACH_REUSEPORT_CBPF)
	return (16);
#else
	return (1);
#endif
}

unsigned int
os_relays_auto(void)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if ((unsigned long)n > os_relays_max())
		n = (long)os_relays_max();
	return ((unsigned int)n);
}

int
os_reuseport(int fd)
{
#ifdef SO_REUSEPORT
	return (sockopt_on(fd, SOL_SOCKET, SO_REUSEPORT));
#else
	return (sockopt_on(fd, SOL_SOCKET, -1));
#endif
}

/* The relay (of n) a client address (network order) goes to. */
unsigned int
os_relay_pick(uint32_t addr, unsigned int n)
{
	uint32_t	h = ntohl(addr) * 2654435761U;

	return (n < 2 ? 0 : (h >> 16) % n);
}

int
os_reuseport_steer(int fd, unsigned int n)
{
#if defined(__linux__) && defined(SO_ATTACH_REUSEPORT_CBPF)
	/*
	 * The program runs on the SYN with its data at the TCP payload;
	 * SKF_NET_OFF reaches back to the IP header, the source address at
	 * 12.  The same sum as os_relay_pick(), in 32 bits.
	 */
	struct sock_filter	code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 12),
		BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 2654435761U),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, n),
		BPF_STMT(BPF_RET | BPF_A, 0)
	};
	struct sock_fprog	prog;

	if (n < 2)
		return (0);
	prog.len = sizeof(code) / sizeof(code[0]);
	prog.filter = code;
	return (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
	    sizeof(prog)));
#else
	(void)fd;
	(void)n;
	errno = ENOPROTOOPT;
	return (-1);
#endif
}

/*
 * Linux: TCP_DEFER_ACCEPT.  The kernel counts the wait in retransmissions
 * of its SYN-ACK, at 1, 3, 7, 15, 31... s after the SYN (the interval
 * doubling from 1 s up to 120 s), and rounds a time given in seconds up
 * to the next of these; the answer at the end of the wait completes the
 * connection, silent or not, so that it is then accepted.  The longest of
 * these times within max is asked for.  OpenBSD has no such option: the
 * connection is accepted at once.
 */
int
os_listen_defer(int fd, int max)
{
#ifdef TCP_DEFER_ACCEPT
	int	secs = 0, step = 1, n;

	for (n = 0; n < 255 && secs + step <= max; n++) {
		secs += step;
		if ((step *= 2) > 120)
			step = 120;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
	    sizeof(secs)) == -1)
		return (0);
	return (secs);
#else
	(void)fd;
	(void)max;
	return (0);
#endif
}

/*
 * Linux refuses a hard limit above fs.nr_open; OpenBSD lowers one above
 * kern.maxfilesperproc to it by itself.
 */
rlim_t
os_nofile_max(void)
{
#ifdef __linux__
	FILE			*f;
	unsigned long long	 n = 0;

	if ((f = fopen("/proc/sys/fs/nr_open", "r")) != NULL) {
		if (fscanf(f, "%llu", &n) != 1)
			n = 0;
		fclose(f);
	}
	return (n > 0 ? (rlim_t)n : 0);
#else
	return (RLIM_INFINITY);
#endif
}

/*
 * The host's IPv4 addresses, in a new array (*n of them); -1 on error.
 * Only gre offload asks (guard.c), and it exists on Linux only: elsewhere
 * there is nothing to read them for, and OpenBSD's parent would need
 * another pledge(2) promise to.
 */
int
os_host_addrs(struct in_addr **out, size_t *n)
{
#ifdef __linux__
	struct ifaddrs		*ifa, *i;
	struct in_addr		*a;
	size_t			 k = 0;

	*out = NULL;
	*n = 0;
	if (getifaddrs(&ifa) == -1)
		return (-1);
	for (i = ifa; i != NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET)
			k++;
	if ((a = calloc(k > 0 ? k : 1, sizeof(*a))) == NULL) {
		freeifaddrs(ifa);
		return (-1);
	}
	k = 0;
	for (i = ifa; i != NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET)
			memcpy(&a[k++], &((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr, sizeof(a[0]));
	freeifaddrs(ifa);
	*out = a;
	*n = k;
	return (0);
#else
	*out = NULL;
	*n = 0;
	errno = EOPNOTSUPP;
	return (-1);
#endif
}

/*
 * Linux: a memfd, sealed at its size (a child that still had it could not
 * shrink it under the other's mapping), and a read-only descriptor of it
 * opened again through /proc.  OpenBSD: a shm_mkstemp(3) object opened a
 * second time read-only, then unlinked.  Either way a child that maps it
 * and closes the descriptors keeps nothing it could reopen.
 */
int
os_shm_create(const char *name, size_t size, int *rw, int *ro)
{
	int	fd, rfd, saved;
#ifdef __OpenBSD__
	char	path[] = "/pptpproxy.XXXXXXXXXX";

	if ((fd = shm_mkstemp(path)) == -1)
		return (-1);
	rfd = shm_open(path, O_RDONLY | O_CLOEXEC, 0);
	saved = errno;
	(void)shm_unlink(path);
	errno = saved;
	if (rfd == -1)
		goto fail;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    ftruncate(fd, (off_t)size) == -1)
		goto fail;
#else
	char	path[64];

	rfd = -1;
	if ((fd = (int)syscall(SYS_memfd_create, name,
	    MFD_CLOEXEC | MFD_ALLOW_SEALING)) == -1)
		return (-1);
	if (ftruncate(fd, (off_t)size) == -1 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_SEAL) == -1)
		goto fail;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((rfd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
#endif
	*rw = fd;
	*ro = rfd;
	return (0);
fail:
	saved = errno;
	close(fd);
	if (rfd != -1)
		close(rfd);
	errno = saved;
	return (-1);
}
