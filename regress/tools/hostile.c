/*
 * hostile: play a compromised child of pptpproxy against its parent.
 *
 *	hostile [-cp] [-l PEER] PID CASE [ARGS...]
 *
 * Stops the child PID (SIGSTOP), takes a copy of its channel to the
 * parent (fd 3) with pidfd_open(2) and pidfd_getfd(2) (Linux 5.6 or
 * later, as root), and sends the parent what no honest child sends.
 * With -c the child is let go on (SIGCONT) at the end; without, it stays
 * stopped.  With -p the messages go down the child's other channel
 * (fd 4: a control relay's to the GRE forwarder) instead.  With -l PEER
 * they go down the child's one channel to the process PEER, wherever the
 * child holds it: the Unix socket of PID whose peer socket (sock_diag(7),
 * UNIX_DIAG_PEER, asked in PID's network namespace) is one of those PEER
 * holds (relay 1 and relay 0: their link; a relay and its forwarder:
 * their channel, also where one forwarder serves every relay and got the
 * others' from the parent); it says which descriptor that is, and fails
 * unless there is exactly one (relay 0 and forwarder 0 also share the
 * tunnels' packets: -p for theirs).  The message types and structures
 * come from the daemon's own headers at build time (hostile_defs.h, made
 * by the Makefile), so that they cannot drift.
 *
 * Cases:
 *	route FROM TO SRC DST KEY TOSIDE PROXY
 *			one IMSG_OFFLOAD_ADD (new key KEY + 1)
 *	del KEY		one IMSG_OFFLOAD_DEL for session 0, that key
 *	fds N PER	N descriptors (of /dev/null) as SCM_RIGHTS, PER (at
 *			most 250) to a sendmsg, each lot on an IMSG_ACL_REQ
 *			(client 192.0.2.10, proxy 1) that announces none
 *	fdmark		one IMSG_ACL_REQ marked as carrying a descriptor
 *			(IMSG_FD_MARK, as compat/imsg.c sends them), with one
 *			(fds and fdmark: exit status 3 when the receiving
 *			socket refuses descriptors, SO_PASSRIGHTS off)
 *	poll N		N IMSG_OFFLOAD_POLL, never reading an answer
 *	acl N ADDR PROXY
 *			N IMSG_ACL_REQ for client ADDR, never reading
 *	aclid REQID ADDR PROXY
 *			one IMSG_ACL_REQ for session REQID (relays N:
 *			each relay asks for its own sessions only)
 *	aclmany N REQID STEP ADDR PROXY
 *			N IMSG_ACL_REQ, for sessions REQID, REQID + STEP,
 *			REQID + 2 STEP... (relays N: STEP N keeps to the
 *			relay's own) and clients ADDR, ADDR + 1..., never
 *			reading
 *	gredel SESS KEY	one IMSG_GRE_DEL (with -p: a relay asking the
 *			forwarder to end a route)
 *	size NAME LEN	one message of type NAME (acl, add, del, poll,
 *			reload) with LEN bytes of payload
 *	type N		one message of type N, no payload
 *	counts N	N IMSG_GRE_CTL_COUNTS, each of GRE_CTL_COUNTS_MAX
 *			counts (with -p from the forwarder: to relay 0, as
 *			the answer to a poll)
 *	rtable KEY FROM TO SRC DST NEWKEY TOSIDE PROXY
 *			no message: a route written straight into the
 *			route table the child shares with the other
 *			(rtable.h), entry KEY, as a relay that was taken
 *			over could; the region is found in the child's
 *			/proc/PID/maps and opened through map_files
 *	ctllog N	N IMSG_CTL_LOG (relay 0's "pptpproxyctl log"),
 *			levels debug and info in turn, info last
 *	reloads N	N IMSG_CTL_RELOAD
 *	log N LEN	one IMSG_LOG at LOG_EMERG ("hostile: at LOG_EMERG"),
 *			then N at LOG_INFO, each LEN bytes (at least 16)
 *			of text starting "hostile flood "
 *
 * "hostile sizeof acl|add|del" prints the size the daemon expects of
 * that message; "hostile typeof NAME" the number of a message type that
 * only the parent sends (tun_socket, tun_close, ctl_socket, ctl_rsocket,
 * ctl_result, acl_res), for "type".
 *
 * A flood writes without blocking and stops when the parent has not
 * taken anything for a second; it prints how many messages went out.
 * Exits 0 when what it meant to send went out, 1 otherwise.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <sys/mman.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hostile_defs.h"
#include "rtable.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd		438
#endif

#define CHILD_PARENT_FD		3	/* PROC_PARENT_FD */
#define CHILD_PEER_FD		4	/* PROC_PEER_FD */
#define FDS_PER_MSG		250
#define SOCKS_MAX		4096	/* sockets of a process */
#define IMSG_FD_MARK		0x80000000U	/* in hdr.len, compat/imsg.c */

/* As compat/imsg.h: every message starts with this, host order. */
struct imsg_hdr {
	uint32_t	type;
	uint32_t	len;		/* header included */
	uint32_t	peerid;
	uint32_t	pid;
};

static int	chan = -1;
static int	chan_fd = CHILD_PARENT_FD;	/* -p: CHILD_PEER_FD */
static pid_t	child;
static uint32_t	peerid;		/* the id of the messages sent */

/*
 * The child's mapping of the route table's routes part (offset 0 of the
 * memfd), opened again through /proc/PID/map_files and mapped here.
 */
static struct rtable *
rtable_of(pid_t pid)
{
	static struct rtable	 t;
	char			 path[128], line[512], range[64];
	unsigned long long	 off;
	FILE			*f;
	uint8_t			*base;
	int			 fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "memfd:pptpproxy-routes") == NULL ||
		    sscanf(line, "%63s %*s %llx", range, &off) != 2 ||
		    off != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/map_files/%s",
		    (int)pid, range);
		if ((fd = open(path, O_RDWR)) == -1)
			err(1, "%s", path);
		break;
	}
	fclose(f);
	if (fd == -1)
		errx(1, "no route table in process %d", (int)pid);
	base = mmap(NULL, RT_ROUTES_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (base == MAP_FAILED)
		err(1, "mmap");
	close(fd);
	t.seq = (_Atomic uint32_t *)(void *)base;
	t.route = (struct rt_route *)(void *)(base + RT_SEQ_SIZE);
	return (&t);
}

/* A route into entry r->key, under the entry's seqlock, as the relay. */
static void
rtable_write(struct rtable *t, const struct gre_route *r)
{
	struct rt_route	*e = &t->route[r->key];
	uint32_t	 s = atomic_load(&t->seq[r->key]) | 1;

	atomic_store(&t->seq[r->key], s);
	atomic_store(&e->sess, r->sess);
	atomic_store(&e->token, r->token);
	atomic_store(&e->call, r->call);
	atomic_store(&e->proxy_id, r->proxy_id);
	atomic_store(&e->from, r->from.s_addr);
	atomic_store(&e->to, r->to.s_addr);
	atomic_store(&e->src, r->src.s_addr);
	atomic_store(&e->dst, r->dst.s_addr);
	atomic_store(&e->info, RT_INFO(r->newkey, r->toside, r->tunnel));
	atomic_store(&t->seq[r->key], s + 1);
	printf("route table entry %u written: generation %u\n", r->key, s + 1);
}

static __attribute__((__noreturn__)) void
usage(void)
{
	fprintf(stderr, "usage: hostile [-cp] [-l peer] pid route|del|fds|"
	    "fdmark|poll|acl|aclid|aclmany|size|type|counts|log [args]\n");
	exit(2);
}

/* The inodes of the sockets process pid holds (n at most), fd of each. */
static int
sock_inodes(pid_t pid, unsigned long *ino, int *fdn, int n)
{
	char		 path[320], link[64];
	struct dirent	*de;
	DIR		*d;
	ssize_t		 len;
	int		 count = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		err(1, "%s", path);
	while ((de = readdir(d)) != NULL && count < n) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid,
		    de->d_name);
		if ((len = readlink(path, link, sizeof(link) - 1)) <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino[count]) != 1)
			continue;
		fdn[count++] = atoi(de->d_name);
	}
	closedir(d);
	return (count);
}

/* The inode of the peer of Unix socket ino (sock_diag); 0 if none. */
static unsigned long
unix_peer(int nl, unsigned long ino)
{
	struct {
		struct nlmsghdr		nlh;
		struct unix_diag_req	req;
	} q;
	union {
		struct nlmsghdr	h;
		char		buf[8192];
	} a;
	struct unix_diag_msg	*m;
	struct rtattr		*rta;
	uint32_t		 peer;
	ssize_t			 n;
	int			 len;

	memset(&q, 0, sizeof(q));
	q.nlh.nlmsg_len = sizeof(q);
	q.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.nlh.nlmsg_flags = NLM_F_REQUEST;
	q.req.sdiag_family = AF_UNIX;
	q.req.udiag_states = ~0U;
	q.req.udiag_ino = (uint32_t)ino;
	q.req.udiag_show = UDIAG_SHOW_PEER;
	q.req.udiag_cookie[0] = INET_DIAG_NOCOOKIE;
	q.req.udiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (send(nl, &q, sizeof(q), 0) == -1)
		err(1, "sock_diag");
	if ((n = recv(nl, &a, sizeof(a), 0)) == -1)
		err(1, "sock_diag");
	/* Not a Unix socket (an error answers): no peer. */
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(*m)) ||
	    a.h.nlmsg_len > (size_t)n ||
	    a.h.nlmsg_len < NLMSG_LENGTH(sizeof(*m)) ||
	    a.h.nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return (0);
	m = NLMSG_DATA(&a.h);
	if (m->udiag_ino != ino)
		return (0);
	len = (int)(a.h.nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (rta = (struct rtattr *)(void *)((char *)m +
	    NLMSG_ALIGN(sizeof(*m))); RTA_OK(rta, len);
	    rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == UNIX_DIAG_PEER &&
		    RTA_PAYLOAD(rta) >= sizeof(peer)) {
			memcpy(&peer, RTA_DATA(rta), sizeof(peer));
			return (peer);
		}
	}
	return (0);
}

/*
 * The descriptor of pid's one Unix socket whose peer process peer
 * holds: its channel to peer, whichever way it came.
 */
static int
chan_to(pid_t pid, pid_t peer)
{
	static unsigned long	 ino[SOCKS_MAX], pino[SOCKS_MAX];
	static int		 fdn[SOCKS_MAX], pfdn[SOCKS_MAX];
	char			 path[64];
	unsigned long		 p;
	int			 n, pn, i, j, nl, ns, fd = -1, found = 0;

	/* sock_diag answers for the sockets of its own namespace. */
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if ((ns = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	if (setns(ns, CLONE_NEWNET) == -1)
		err(1, "setns %s", path);
	close(ns);
	if ((nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG)) == -1)
		err(1, "sock_diag socket");
	n = sock_inodes(pid, ino, fdn, SOCKS_MAX);
	pn = sock_inodes(peer, pino, pfdn, SOCKS_MAX);
	for (i = 0; i < n; i++) {
		if ((p = unix_peer(nl, ino[i])) == 0)
			continue;
		for (j = 0; j < pn; j++) {
			if (pino[j] != p)
				continue;
			printf("fd %d of %d: socket %lu, its peer %lu is fd "
			    "%d of %d\n", fdn[i], (int)pid, ino[i], p,
			    pfdn[j], (int)peer);
			fd = fdn[i];
			found++;
		}
	}
	close(nl);
	if (found != 1)
		errx(1, "%d channels between %d and %d, not one", found,
		    (int)pid, (int)peer);
	return (fd);
}

static int
state_of(pid_t pid)
{
	char	path[64], buf[512], *p;
	int	fd;
	ssize_t	n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return (-1);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return (-1);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] == '\0')
		return (-1);
	return (p[2]);
}

static void
attach(pid_t pid)
{
	int	pidfd, i;

	if (kill(pid, SIGSTOP) == -1)
		err(1, "SIGSTOP %d", (int)pid);
	for (i = 0; i < 200 && state_of(pid) != 'T'; i++)
		usleep(10000);
	if (state_of(pid) != 'T')
		errx(1, "process %d did not stop", (int)pid);
	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
		err(1, "pidfd_open");
	if ((chan = (int)syscall(SYS_pidfd_getfd, pidfd, chan_fd, 0)) == -1)
		err(1, "pidfd_getfd");
	close(pidfd);
	if (fcntl(chan, F_SETFL, fcntl(chan, F_GETFL) | O_NONBLOCK) == -1)
		err(1, "fcntl");
}

/*
 * Write all of buf (with, on its first byte, nfd descriptors), waiting
 * for the socket at most a second at a time.  0: sent; -1: the parent
 * took nothing for a second, or the channel is gone.
 */
static int
send_raw(const void *buf, size_t len, const int *fds, int nfd)
{
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[CMSG_SPACE(FDS_PER_MSG * sizeof(int))];
	} cm;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*c;
	struct pollfd	 pfd;
	size_t		 off = 0;
	ssize_t		 n;

	while (off < len) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = (char *)(uintptr_t)buf + off;
		iov.iov_len = len - off;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if (off == 0 && nfd > 0) {
			memset(&cm, 0, sizeof(cm));
			msg.msg_control = cm.buf;
			msg.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
			c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(nfd * sizeof(int));
			memcpy(CMSG_DATA(c), fds, nfd * sizeof(int));
		}
		if ((n = sendmsg(chan, &msg, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			/* The receiver refuses descriptors (SO_PASSRIGHTS). */
			if (errno == EPERM && off == 0 && nfd > 0)
				return (-2);
			if (errno != EAGAIN)
				return (-1);
			pfd.fd = chan;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, 1000) != 1)
				return (-1);
			continue;
		}
		off += (size_t)n;
	}
	return (0);
}

static int
send_msg_mark(uint32_t type, const void *data, size_t len, const int *fds,
    int nfd, int mark)
{
	static unsigned char	buf[65536];
	struct imsg_hdr		h;

	if (len > sizeof(buf) - sizeof(h))
		errx(2, "message too long");
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.len = (uint32_t)(sizeof(h) + len) | (mark ? IMSG_FD_MARK : 0);
	h.peerid = peerid;
	h.pid = (uint32_t)child;
	memcpy(buf, &h, sizeof(h));
	if (len > 0)
		memcpy(buf + sizeof(h), data, len);
	return (send_raw(buf, sizeof(h) + len, fds, nfd));
}

static int
send_msg(uint32_t type, const void *data, size_t len, const int *fds,
    int nfd)
{
	return (send_msg_mark(type, data, len, fds, nfd, 0));
}

static struct in_addr
addr(const char *s)
{
	struct in_addr	a;

	if (inet_pton(AF_INET, s, &a) != 1)
		errx(2, "bad address %s", s);
	return (a);
}

static long
num(const char *s, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < 0 || v > max)
		errx(2, "bad number %s", s);
	return (v);
}

/* Send n copies, say how many went out; 0 if all. */
static int
flood(const char *what, uint32_t type, const void *data, size_t len,
    long n)
{
	long	i;

	for (i = 0; i < n; i++)
		if (send_msg(type, data, len, NULL, 0) == -1)
			break;
	printf("%s: %ld of %ld sent\n", what, i, n);
	return (i == n ? 0 : 1);
}

int
main(int argc, char *argv[])
{
	struct gre_route	r;
	struct offload_del	d;
	struct acl_req		q;
	struct gre_key		gk;
	static unsigned char	junk[65536];
	const char		*c;
	int			 cont = 0, ch, rv = 0, fds[FDS_PER_MSG];
	long			 n, i, k, len, per;
	uint32_t		 type, first;
	pid_t			 peer = 0;

	while ((ch = getopt(argc, argv, "cl:p")) != -1) {
		switch (ch) {
		case 'c':
			cont = 1;
			break;
		case 'l':
			peer = (pid_t)num(optarg, 4194304);
			break;
		case 'p':
			chan_fd = CHILD_PEER_FD;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	/* The size the daemon expects, for the tests' patterns. */
	if (argc == 2 && strcmp(argv[0], "sizeof") == 0) {
		if (strcmp(argv[1], "acl") == 0)
			printf("%zu\n", sizeof(q));
		else if (strcmp(argv[1], "add") == 0)
			printf("%zu\n", sizeof(r));
		else if (strcmp(argv[1], "del") == 0)
			printf("%zu\n", sizeof(d));
		else
			usage();
		return (0);
	}
	if (argc == 2 && strcmp(argv[0], "typeof") == 0) {
		if (strcmp(argv[1], "tun_socket") == 0)
			printf("%u\n", (unsigned int)IMSG_TUN_SOCKET);
		else if (strcmp(argv[1], "tun_close") == 0)
			printf("%u\n", (unsigned int)IMSG_TUN_CLOSE);
		else if (strcmp(argv[1], "ctl_socket") == 0)
			printf("%u\n", (unsigned int)IMSG_CTL_SOCKET);
		else if (strcmp(argv[1], "ctl_rsocket") == 0)
			printf("%u\n", (unsigned int)IMSG_CTL_RSOCKET);
		else if (strcmp(argv[1], "ctl_result") == 0)
			printf("%u\n", (unsigned int)IMSG_CTL_RESULT);
		else if (strcmp(argv[1], "acl_res") == 0)
			printf("%u\n", (unsigned int)IMSG_ACL_RES);
		else
			usage();
		return (0);
	}
	if (argc < 2)
		usage();
	child = (pid_t)num(argv[0], 4194304);
	c = argv[1];
	argc -= 2;
	argv += 2;
	if (peer != 0)
		chan_fd = chan_to(child, peer);
	attach(child);

	if (strcmp(c, "route") == 0 && argc == 7) {
		memset(&r, 0, sizeof(r));
		r.sess = 1;
		r.call = 1;
		r.from = addr(argv[0]);
		r.to = addr(argv[1]);
		r.src = addr(argv[2]);
		r.dst = addr(argv[3]);
		r.key = (uint16_t)num(argv[4], 65535);
		r.newkey = (uint16_t)(r.key + 1);
		r.toside = (uint8_t)num(argv[5], 255);
		r.proxy_id = (uint32_t)num(argv[6], UINT32_MAX);
		rv = send_msg(IMSG_OFFLOAD_ADD, &r, sizeof(r), NULL, 0);
	} else if (strcmp(c, "rtable") == 0 && argc == 8) {
		memset(&r, 0, sizeof(r));
		r.sess = 1;
		r.call = 1;
		r.key = (uint16_t)num(argv[0], 65535);
		r.from = addr(argv[1]);
		r.to = addr(argv[2]);
		r.src = addr(argv[3]);
		r.dst = addr(argv[4]);
		r.newkey = (uint16_t)num(argv[5], 65535);
		r.toside = (uint8_t)num(argv[6], 255);
		r.proxy_id = (uint32_t)num(argv[7], UINT32_MAX);
		rtable_write(rtable_of(child), &r);
	} else if (strcmp(c, "del") == 0 && argc == 1) {
		memset(&d, 0, sizeof(d));
		d.route.sess = 1;
		d.route.key = (uint16_t)num(argv[0], 65535);
		rv = send_msg(IMSG_OFFLOAD_DEL, &d, sizeof(d), NULL, 0);
	} else if (strcmp(c, "fds") == 0 && argc == 2) {
		n = num(argv[0], 100000);
		per = num(argv[1], FDS_PER_MSG);
		if (per == 0)
			usage();
		memset(&q, 0, sizeof(q));
		q.reqid = 0xfffffff0;
		q.proxy_id = 1;
		q.client = addr("192.0.2.10");
		for (i = 0; i < n && rv == 0; i += k) {
			k = n - i < per ? n - i : per;
			for (ch = 0; ch < k; ch++)
				if ((fds[ch] = open("/dev/null", O_RDONLY)) ==
				    -1)
					err(1, "/dev/null");
			/* A request the parent takes, with descriptors. */
			rv = send_msg(IMSG_ACL_REQ, &q, sizeof(q), fds, (int)k);
			for (ch = 0; ch < k; ch++)
				close(fds[ch]);
		}
		if (rv == -2) {
			printf("fds: refused by the receiver (EPERM)\n");
			rv = 3;
		} else
			printf("fds: %ld of %ld sent\n", rv == 0 ? n : i - k,
			    n);
	} else if (strcmp(c, "fdmark") == 0 && argc == 0) {
		memset(&q, 0, sizeof(q));
		q.reqid = 0xfffffff0;
		q.proxy_id = 1;
		q.client = addr("192.0.2.10");
		if ((fds[0] = open("/dev/null", O_RDONLY)) == -1)
			err(1, "/dev/null");
		rv = send_msg_mark(IMSG_ACL_REQ, &q, sizeof(q), fds, 1, 1);
		close(fds[0]);
		if (rv == -2) {
			printf("fdmark: refused by the receiver (EPERM)\n");
			rv = 3;
		}
	} else if (strcmp(c, "ctllog") == 0 && argc == 1) {
		n = num(argv[0], 100000000);
		for (i = 0; i < n; i++) {
			k = (n - 1 - i) % 2 ? LOG_LVL_DEBUG : LOG_LVL_INFO;
			memcpy(junk, &(int){ (int)k }, sizeof(int));
			if (send_msg(IMSG_CTL_LOG, junk, sizeof(int), NULL,
			    0) == -1)
				break;
		}
		printf("ctllog: %ld of %ld sent\n", i, n);
		rv = i == n ? 0 : 1;
	} else if (strcmp(c, "reloads") == 0 && argc == 1) {
		rv = flood("reloads", IMSG_CTL_RELOAD, NULL, 0,
		    num(argv[0], 100000000));
	} else if (strcmp(c, "poll") == 0 && argc == 1) {
		rv = flood("poll", IMSG_OFFLOAD_POLL, NULL, 0,
		    num(argv[0], 100000000));
	} else if (strcmp(c, "acl") == 0 && argc == 3) {
		memset(&q, 0, sizeof(q));
		q.reqid = 0xfffffff0;
		q.client = addr(argv[1]);
		q.proxy_id = (uint32_t)num(argv[2], UINT32_MAX);
		rv = flood("acl", IMSG_ACL_REQ, &q, sizeof(q),
		    num(argv[0], 100000000));
	} else if (strcmp(c, "aclid") == 0 && argc == 3) {
		memset(&q, 0, sizeof(q));
		q.reqid = (uint64_t)num(argv[0], 0x7fffffff);
		q.client = addr(argv[1]);
		q.proxy_id = (uint32_t)num(argv[2], UINT32_MAX);
		rv = send_msg(IMSG_ACL_REQ, &q, sizeof(q), NULL, 0);
	} else if (strcmp(c, "aclmany") == 0 && argc == 5) {
		n = num(argv[0], 100000000);
		k = num(argv[2], 0x7fffffff);
		memset(&q, 0, sizeof(q));
		q.reqid = (uint64_t)num(argv[1], 0x7fffffff);
		first = ntohl(addr(argv[3]).s_addr);
		q.proxy_id = (uint32_t)num(argv[4], UINT32_MAX);
		for (i = 0; i < n; i++) {
			q.client.s_addr = htonl(first + (uint32_t)i);
			if (send_msg(IMSG_ACL_REQ, &q, sizeof(q), NULL, 0) ==
			    -1)
				break;
			q.reqid += (uint64_t)k;
		}
		printf("aclmany: %ld of %ld sent\n", i, n);
		rv = i == n ? 0 : 1;
	} else if (strcmp(c, "gredel") == 0 && argc == 2) {
		memset(&gk, 0, sizeof(gk));
		gk.sess = (uint64_t)num(argv[0], 0x7fffffff);
		gk.key = (uint16_t)num(argv[1], 65535);
		rv = send_msg(IMSG_GRE_DEL, &gk, sizeof(gk), NULL, 0);
	} else if (strcmp(c, "size") == 0 && argc == 2) {
		if (strcmp(argv[0], "acl") == 0)
			type = IMSG_ACL_REQ;
		else if (strcmp(argv[0], "add") == 0)
			type = IMSG_OFFLOAD_ADD;
		else if (strcmp(argv[0], "del") == 0)
			type = IMSG_OFFLOAD_DEL;
		else if (strcmp(argv[0], "poll") == 0)
			type = IMSG_OFFLOAD_POLL;
		else if (strcmp(argv[0], "reload") == 0)
			type = IMSG_CTL_RELOAD;
		else
			usage();
		len = num(argv[1], (long)sizeof(junk) - 16);
		memset(junk, 0x41, sizeof(junk));
		rv = send_msg(type, junk, (size_t)len, NULL, 0);
	} else if (strcmp(c, "log") == 0 && argc == 2) {
		n = num(argv[0], 100000000);
		len = num(argv[1], 1023);
		if (len < 16)
			usage();
		memset(junk, 'x', (size_t)len);
		memcpy(junk, "hostile flood ", 14);
		peerid = LOG_EMERG;
		rv = send_msg(IMSG_LOG, "hostile: at LOG_EMERG", 21, NULL, 0);
		peerid = LOG_INFO;
		if (rv == 0)
			rv = flood("log", IMSG_LOG, junk, (size_t)len, n);
	} else if (strcmp(c, "counts") == 0 && argc == 1) {
		memset(junk, 0, sizeof(junk));
		rv = flood("counts", IMSG_GRE_CTL_COUNTS, junk,
		    GRE_CTL_COUNTS_MAX * sizeof(struct gre_ctl_count),
		    num(argv[0], 100000000));
	} else if (strcmp(c, "type") == 0 && argc == 1) {
		rv = send_msg((uint32_t)num(argv[0], UINT32_MAX), NULL, 0,
		    NULL, 0);
	} else
		usage();

	if (cont)
		kill(child, SIGCONT);
	return (rv == 0 ? 0 : rv == 3 ? 3 : 1);
}
