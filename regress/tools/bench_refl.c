/*
 * bench_refl: the server side of the benchmark, a reflecting PPTP server.
 *
 *	bench_refl [-K] [-l address[:port]] [-S statusfile] [-b batch]
 *
 * Control: listens on TCP (default 0.0.0.0:1723), nonblocking, epoll, any
 * number of connections; answers Start-Control-Connection-Request,
 * Echo-Request, Outgoing-Call-Request (with a Call ID of its own),
 * Call-Clear-Request (with Call-Disconnect-Notify) and
 * Stop-Control-Connection-Request.  Anything malformed closes that
 * connection.  After its Stop-Control-Connection-Reply it closes the
 * connection, as pptpd and accel-ppp do; -K: it waits for the peer to
 * close instead.
 *
 * Data: a raw GRE socket.  Every GRE data packet whose key names one of our
 * Call IDs goes back to the peer of that call (the address its control
 * connection came from) with the key rewritten to the peer's Call ID, our
 * own sequence number and an acknowledgment of the packet's.  The payload
 * is left as it is.  recvmmsg/sendmmsg in batches; the reply header is
 * built in place in the receive buffer, so nothing is copied.
 *
 * Counters go to the status file (key=value lines) every second and on
 * SIGUSR1; SIGTERM/SIGINT end it.
 */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "pptpmsg.h"

#define MAX_BATCH	256
#define PKT_BUF		2048
#define CONN_RBUF	1024
#define CONN_WBUF	4096
#define CALLS_PER_CONN	16

struct conn {
	int		 fd;
	int		 want_out;
	int		 close_after;	/* once what is queued is written */
	struct in_addr	 peer;
	size_t		 rlen, wlen;
	int		 ncalls;
	uint16_t	 calls[CALLS_PER_CONN];	/* our Call IDs */
	uint8_t		 rbuf[CONN_RBUF];
	uint8_t		 wbuf[CONN_WBUF];
};

struct call {
	uint8_t		 used;
	uint16_t	 peer_cid;
	uint32_t	 seq;
	struct in_addr	 peer;
};

static struct call	 calls[65536];
static struct conn	**conns;
static size_t		 nconns_max;
static uint16_t		 next_cid = 1;
static int		 epfd, lfd, rawfd;
static const char	*statpath;
static volatile sig_atomic_t quit, dump;
static int		 accept_paused;
static int		 keep_open;	/* -K: after a Stop reply too */

static struct {
	uint64_t	conns_accepted, conns_open, conns_bad;
	uint64_t	calls_total, calls_up, calls_refused, clears;
	uint64_t	echoes, stops;
	uint64_t	gre_rx, gre_tx, gre_bytes, gre_unknown, gre_bad;
	uint64_t	gre_acks, gre_addr_mismatch, gre_send_fail;
	uint64_t	wakeups, batches;
} st;

static void
sig_handler(int sig)
{
	if (sig == SIGUSR1)
		dump = 1;
	else
		quit = 1;
}

static void
write_status(void)
{
	char		 tmp[4096];
	struct rusage	 ru;
	FILE		*f;

	if (statpath == NULL)
		return;
	getrusage(RUSAGE_SELF, &ru);
	snprintf(tmp, sizeof(tmp), "%s.tmp", statpath);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "conns_accepted=%llu\nconns_open=%llu\nconns_bad=%llu\n"
	    "calls_total=%llu\ncalls_up=%llu\ncalls_refused=%llu\n"
	    "clears=%llu\nechoes=%llu\nstops=%llu\n"
	    "gre_rx=%llu\ngre_tx=%llu\ngre_bytes=%llu\ngre_unknown=%llu\n"
	    "gre_bad=%llu\ngre_acks=%llu\ngre_addr_mismatch=%llu\n"
	    "gre_send_fail=%llu\nwakeups=%llu\nbatches=%llu\n"
	    "cpu_us=%llu\n",
	    (unsigned long long)st.conns_accepted,
	    (unsigned long long)st.conns_open,
	    (unsigned long long)st.conns_bad,
	    (unsigned long long)st.calls_total,
	    (unsigned long long)st.calls_up,
	    (unsigned long long)st.calls_refused,
	    (unsigned long long)st.clears,
	    (unsigned long long)st.echoes,
	    (unsigned long long)st.stops,
	    (unsigned long long)st.gre_rx,
	    (unsigned long long)st.gre_tx,
	    (unsigned long long)st.gre_bytes,
	    (unsigned long long)st.gre_unknown,
	    (unsigned long long)st.gre_bad,
	    (unsigned long long)st.gre_acks,
	    (unsigned long long)st.gre_addr_mismatch,
	    (unsigned long long)st.gre_send_fail,
	    (unsigned long long)st.wakeups,
	    (unsigned long long)st.batches,
	    (unsigned long long)(ru.ru_utime.tv_sec * 1000000ULL +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000ULL +
	    ru.ru_stime.tv_usec));
	fclose(f);
	rename(tmp, statpath);
}

/* --- control connections --- */

static void
conn_close(struct conn *c)
{
	int	 i;

	for (i = 0; i < c->ncalls; i++) {
		calls[c->calls[i]].used = 0;
		st.calls_up--;
	}
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	conns[c->fd] = NULL;
	free(c);
	st.conns_open--;
}

/* Queue bytes for the peer; returns -1 when the connection was closed. */
static int
conn_send(struct conn *c, const uint8_t *m, size_t len)
{
	struct epoll_event	 ev;
	ssize_t			 n;

	if (c->wlen == 0) {
		n = write(c->fd, m, len);
		if (n == (ssize_t)len)
			return (0);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				conn_close(c);
				return (-1);
			}
			n = 0;
		}
		m += n;
		len -= (size_t)n;
	}
	if (c->wlen + len > sizeof(c->wbuf)) {
		st.conns_bad++;
		conn_close(c);
		return (-1);
	}
	memcpy(c->wbuf + c->wlen, m, len);
	c->wlen += len;
	if (!c->want_out) {
		c->want_out = 1;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLOUT;
		ev.data.fd = c->fd;
		epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
	}
	return (0);
}

static void
conn_flush(struct conn *c)
{
	struct epoll_event	 ev;
	ssize_t			 n;

	while (c->wlen > 0) {
		n = write(c->fd, c->wbuf, c->wlen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			conn_close(c);
			return;
		}
		memmove(c->wbuf, c->wbuf + n, c->wlen - (size_t)n);
		c->wlen -= (size_t)n;
	}
	if (c->close_after) {
		conn_close(c);
		return;
	}
	c->want_out = 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = c->fd;
	epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static int
cid_alloc(void)
{
	int	 i;

	for (i = 0; i < 65535; i++) {
		uint16_t cid = next_cid++;
		if (next_cid == 0)
			next_cid = 1;
		if (cid != 0 && !calls[cid].used)
			return (cid);
	}
	return (-1);
}

/* One complete message m of len bytes; returns -1 when c was closed. */
static int
conn_msg(struct conn *c, const uint8_t *m, size_t len)
{
	uint8_t		 r[160];
	uint16_t	 type, peer_cid;
	int		 cid, i;

	if (get16(m + 2) != 1 || get32(m + 4) != PPTP_MAGIC)
		goto bad;
	type = get16(m + 8);
	switch (type) {
	case SCCRQ:
		if (len < 156)
			goto bad;
		ctl_header(r, 156, SCCRP);
		put16(r + 12, 0x0100);
		r[14] = 1;			/* result: success */
		put32(r + 16, 3);		/* framing: async, sync */
		put32(r + 20, 3);		/* bearer: analog, digital */
		put16(r + 24, 65535);		/* maximum channels */
		put16(r + 26, 1);		/* firmware revision */
		strncpy((char *)r + 28, "bench-refl", 64);
		strncpy((char *)r + 92, "pptpproxy bench", 64);
		return (conn_send(c, r, 156));
	case ECHORQ:
		if (len < 16)
			goto bad;
		st.echoes++;
		ctl_header(r, 20, ECHORP);
		memcpy(r + 12, m + 12, 4);
		r[16] = 1;
		return (conn_send(c, r, 20));
	case OCRQ:
		if (len < 168)
			goto bad;
		peer_cid = get16(m + 12);
		st.calls_total++;
		ctl_header(r, 32, OCRP);
		put16(r + 14, peer_cid);
		if (c->ncalls == CALLS_PER_CONN || (cid = cid_alloc()) < 0) {
			st.calls_refused++;
			r[16] = 2;		/* general error */
			return (conn_send(c, r, 32));
		}
		calls[cid].used = 1;
		calls[cid].peer_cid = peer_cid;
		calls[cid].peer = c->peer;
		calls[cid].seq = 0;
		c->calls[c->ncalls++] = (uint16_t)cid;
		st.calls_up++;
		put16(r + 12, (uint16_t)cid);
		r[16] = 1;			/* connected */
		put32(r + 20, 100000000);	/* connect speed */
		put16(r + 24, 64);		/* receive window */
		return (conn_send(c, r, 32));
	case CCRQ:
		if (len < 16)
			goto bad;
		peer_cid = get16(m + 12);
		for (i = 0; i < c->ncalls; i++)
			if (calls[c->calls[i]].peer_cid == peer_cid)
				break;
		if (i == c->ncalls)
			return (0);		/* unknown: ignore */
		cid = c->calls[i];
		calls[cid].used = 0;
		c->calls[i] = c->calls[--c->ncalls];
		st.calls_up--;
		st.clears++;
		ctl_header(r, 148, CDN);
		put16(r + 12, (uint16_t)cid);
		r[14] = 4;			/* result: request */
		return (conn_send(c, r, 148));
	case STOPCCRQ:
		if (len < 16)
			goto bad;
		st.stops++;
		for (i = 0; i < c->ncalls; i++)
			calls[c->calls[i]].used = 0;
		st.calls_up -= (uint64_t)c->ncalls;
		c->ncalls = 0;
		ctl_header(r, 16, STOPCCRP);
		r[12] = 1;
		if (conn_send(c, r, 16) == -1)
			return (-1);
		if (keep_open)
			return (0);
		if (c->wlen > 0) {
			c->close_after = 1;
			return (0);
		}
		conn_close(c);
		return (-1);
	case ECHORP:
	case SLI:
	case WEN:
	case SCCRP:
	case STOPCCRP:
		return (0);
	default:
		goto bad;
	}
 bad:
	st.conns_bad++;
	conn_close(c);
	return (-1);
}

static void
conn_read(struct conn *c)
{
	ssize_t		 n;
	size_t		 off, len;

	for (;;) {
		n = read(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen);
		if (n == 0) {
			conn_close(c);
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			conn_close(c);
			return;
		}
		c->rlen += (size_t)n;
		off = 0;
		while (c->rlen - off >= 12) {
			len = get16(c->rbuf + off);
			if (len < 12 || len > sizeof(c->rbuf)) {
				st.conns_bad++;
				conn_close(c);
				return;
			}
			if (c->rlen - off < len)
				break;
			if (conn_msg(c, c->rbuf + off, len) == -1)
				return;
			off += len;
		}
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
}

static void
do_accept(void)
{
	struct sockaddr_in	 sin;
	struct epoll_event	 ev;
	struct conn		*c;
	socklen_t		 sl;
	int			 fd, i, one = 1;

	for (i = 0; i < 256; i++) {
		sl = sizeof(sin);
		fd = accept4(lfd, (struct sockaddr *)&sin, &sl, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* out of descriptors: pause accepting */
				if (!accept_paused) {
					warn("accept");
					memset(&ev, 0, sizeof(ev));
					ev.data.fd = lfd;
					epoll_ctl(epfd, EPOLL_CTL_MOD, lfd,
					    &ev);
					accept_paused = 1;
				}
			} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != ECONNABORTED && errno != EINTR)
				warn("accept");
			return;
		}
		if ((size_t)fd >= nconns_max || (c = calloc(1, sizeof(*c))) ==
		    NULL) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		c->peer = sin.sin_addr;
		conns[fd] = c;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
			err(1, "epoll_ctl");
		st.conns_accepted++;
		st.conns_open++;
	}
}

/* --- GRE --- */

static uint8_t		(*rbufs)[PKT_BUF];
static struct mmsghdr	 rmsg[MAX_BATCH], smsg[MAX_BATCH];
static struct iovec	 riov[MAX_BATCH], siov[MAX_BATCH];
static struct sockaddr_in rfrom[MAX_BATCH], sto[MAX_BATCH];
static int		 batch = 64;

static void
gre_send(int n)
{
	int	 off = 0, r;

	while (off < n) {
		r = sendmmsg(rawfd, smsg + off, (unsigned int)(n - off), 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* ENOBUFS and the like: drop this one, go on */
			st.gre_send_fail++;
			off++;
			continue;
		}
		st.gre_tx += (uint64_t)r;
		off += r;
	}
}

static void
gre_read(void)
{
	uint8_t		*p, *h;
	struct call	*cl;
	size_t		 len, ihl, hl, plen;
	uint16_t	 flags, key_cid, key_len;
	uint32_t	 seq;
	int		 n, i, m, rounds;

	st.wakeups++;
	for (rounds = 0; rounds < 64; rounds++) {
		for (i = 0; i < batch; i++) {
			riov[i].iov_base = rbufs[i];
			riov[i].iov_len = PKT_BUF;
			rmsg[i].msg_hdr.msg_name = &rfrom[i];
			rmsg[i].msg_hdr.msg_namelen = sizeof(rfrom[i]);
			rmsg[i].msg_hdr.msg_iov = &riov[i];
			rmsg[i].msg_hdr.msg_iovlen = 1;
			rmsg[i].msg_hdr.msg_control = NULL;
			rmsg[i].msg_hdr.msg_controllen = 0;
			rmsg[i].msg_hdr.msg_flags = 0;
		}
		n = recvmmsg(rawfd, rmsg, (unsigned int)batch, MSG_DONTWAIT,
		    NULL);
		if (n <= 0)
			return;
		st.batches++;
		m = 0;
		for (i = 0; i < n; i++) {
			p = rbufs[i];
			len = rmsg[i].msg_len;
			st.gre_rx++;
			if (len < 20 || (p[0] >> 4) != 4 ||
			    (rmsg[i].msg_hdr.msg_flags & MSG_TRUNC))
				goto bad;
			ihl = (size_t)(p[0] & 0x0f) * 4;
			if (ihl < 20 || len < ihl + 8)
				goto bad;
			h = p + ihl;
			flags = get16(h);
			if ((flags & 0xef7f) != 0x2001 || get16(h + 2) != 0x880B)
				goto bad;	/* need K, version 1, PPP */
			if (!(flags & 0x1000)) {
				st.gre_acks++;	/* ack only: nothing to echo */
				continue;
			}
			hl = 12 + ((flags & 0x0080) ? 4 : 0);
			if (len < ihl + hl)
				goto bad;
			key_len = get16(h + 4);
			key_cid = get16(h + 6);
			seq = get32(h + 8);
			plen = len - ihl - hl;
			if (key_len > plen)
				goto bad;
			cl = &calls[key_cid];
			if (!cl->used) {
				st.gre_unknown++;
				continue;
			}
			if (cl->peer.s_addr != rfrom[i].sin_addr.s_addr)
				st.gre_addr_mismatch++;
			st.gre_bytes += key_len;
			/* Reply header in place, right before the payload. */
			h = p + ihl + hl - 16;
			put16(h, 0x3081);
			put16(h + 2, 0x880B);
			put16(h + 4, key_len);
			put16(h + 6, cl->peer_cid);
			put32(h + 8, cl->seq++);
			put32(h + 12, seq);
			siov[m].iov_base = h;
			siov[m].iov_len = 16 + (size_t)key_len;
			sto[m].sin_family = AF_INET;
			sto[m].sin_port = 0;
			sto[m].sin_addr = cl->peer;
			smsg[m].msg_hdr.msg_name = &sto[m];
			smsg[m].msg_hdr.msg_namelen = sizeof(sto[m]);
			smsg[m].msg_hdr.msg_iov = &siov[m];
			smsg[m].msg_hdr.msg_iovlen = 1;
			smsg[m].msg_hdr.msg_control = NULL;
			smsg[m].msg_hdr.msg_controllen = 0;
			smsg[m].msg_hdr.msg_flags = 0;
			m++;
			continue;
 bad:
			st.gre_bad++;
		}
		if (m > 0)
			gre_send(m);
		if (n < batch)
			return;
	}
}

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: bench_refl [-K] [-l address[:port]] "
	    "[-S statusfile] [-b batch]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	struct epoll_event	 ev, evs[256];
	struct sigaction	 sa;
	struct rlimit		 rl;
	struct timespec		 now;
	time_t			 last = 0;
	char			*colon;
	int			 ch, n, i, one = 1, bufsz = 16 << 20;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(1723);
	while ((ch = getopt(argc, argv, "b:Kl:S:")) != -1) {
		switch (ch) {
		case 'K':
			keep_open = 1;
			break;
		case 'b':
			batch = atoi(optarg);
			if (batch < 1 || batch > MAX_BATCH)
				usage();
			break;
		case 'l':
			if ((colon = strchr(optarg, ':')) != NULL) {
				*colon++ = '\0';
				sin.sin_port = htons((uint16_t)atoi(colon));
			}
			if (inet_pton(AF_INET, optarg, &sin.sin_addr) != 1)
				usage();
			break;
		case 'S':
			statpath = optarg;
			break;
		default:
			usage();
		}
	}

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		struct rlimit want = { 200000, 200000 };
		if (setrlimit(RLIMIT_NOFILE, &want) == -1) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	nconns_max = rl.rlim_cur;
	if ((conns = calloc(nconns_max, sizeof(*conns))) == NULL)
		err(1, "calloc");
	if ((rbufs = calloc(MAX_BATCH, PKT_BUF)) == NULL)
		err(1, "calloc");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		err(1, "socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "bind");
	if (listen(lfd, 65535) == -1)
		err(1, "listen");

	if ((rawfd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_GRE)) == -1)
		err(1, "raw socket");
	if (setsockopt(rawfd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz,
	    sizeof(bufsz)) == -1)
		setsockopt(rawfd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	if (setsockopt(rawfd, SOL_SOCKET, SO_SNDBUFFORCE, &bufsz,
	    sizeof(bufsz)) == -1)
		setsockopt(rawfd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	if (sin.sin_addr.s_addr != INADDR_ANY) {
		struct sockaddr_in rsin = sin;
		rsin.sin_port = 0;
		if (bind(rawfd, (struct sockaddr *)&rsin, sizeof(rsin)) == -1)
			err(1, "bind raw");
	}

	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.fd = rawfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, rawfd, &ev);

	write_status();
	while (!quit) {
		n = epoll_wait(epfd, evs, 256, 200);
		if (n < 0 && errno != EINTR)
			err(1, "epoll_wait");
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			struct conn *c;

			if (fd == rawfd)
				gre_read();
			else if (fd == lfd)
				do_accept();
			else if ((c = conns[fd]) != NULL) {
				if (evs[i].events & EPOLLOUT) {
					conn_flush(c);
					if ((c = conns[fd]) == NULL)
						continue;
				}
				if (evs[i].events & (EPOLLIN | EPOLLHUP |
				    EPOLLERR))
					conn_read(c);
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (accept_paused && now.tv_sec != last) {
			/* try again once a second */
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN;
			ev.data.fd = lfd;
			epoll_ctl(epfd, EPOLL_CTL_MOD, lfd, &ev);
			accept_paused = 0;
		}
		if (dump || now.tv_sec != last) {
			dump = 0;
			last = now.tv_sec;
			write_status();
		}
	}
	write_status();
	return (0);
}
