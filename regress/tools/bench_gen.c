/*
 * bench_gen: the client (PNS) side of the benchmark, a load generator.
 *
 *	bench_gen -m tput -c server[:port] [-g gre-to] [-s src,...]
 *		  -k calls -w window-per-call -p payload -d seconds [-W warmup]
 *	bench_gen -m lat -c server [-p payload] -d seconds
 *	bench_gen -m setup -c server -C concurrency -d seconds [-v packets]
 *	bench_gen -m hold -c server -n calls [-K calls-per-connection]
 *		  [-C concurrency] [-r readyfile]
 *
 * Every mode first opens PPTP control connections (Start-Control-Connection,
 * one Outgoing-Call each, -K in hold, reading the Call IDs of the replies),
 * nonblocking, on one epoll.  GRE goes out and comes back on a raw socket
 * per source address, in recvmmsg/sendmmsg batches: enhanced GRE version 1,
 * K and S set, key = payload length and the peer's Call ID, a sequence
 * number per call; the payload carries a magic, the call index, our own
 * sequence number and the send time, so the reflected copy tells its round
 * trip.
 *
 * tput	keep -w packets in flight on each of -k calls for -d seconds (after
 *	-W seconds of warm-up); a packet not back within -t ms is lost.
 * lat	tput with one call and one packet in flight; RTT percentiles.
 * setup	-C connections at a time, each SCCRQ, OCRQ, (OCRP), CCRQ, (CDN),
 *	StopCCRQ, (StopCCRP), close, for -d seconds; then one more call that
 *	must carry -v packets without loss (-v 0: no such call, verify_ok=none;
 *	for a relay that carries no GRE, whose check call would only wait).
 *	With C at a time, the mean time of each exchange of a setup as the
 *	client saw it (us): ph_connect_us connect(2) to the Start request
 *	written, ph_start_us, ph_ocall_us, ph_clear_us (Call-Clear to
 *	Call-Disconnect-Notify) and ph_stop_us each request to its reply,
 *	ph_turn_us the client's own turn from a setup's end to the next
 *	connect(2).
 * hold	set up -n calls (-C at a time), send one packet on each, write the
 *	ready file, wait for SIGTERM.  With -K k, each control connection
 *	carries k Outgoing-Calls (each its own Call ID, all requested right
 *	after the Start-Control-Connection-Reply): n calls on ceil(n / k)
 *	connections, the calls of a connection sending GRE from its address.
 *
 * The result is one line of key=value pairs on standard output.
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

#define PAY_MAGIC	0x42474E31U	/* "BGN1" */
#define BATCH		64
#define PKT_BUF		2048
#define MAX_PAYLOAD	(PKT_BUF - 16)
#define MIN_PAYLOAD	24
#define RING		1024
#define RMASK		(RING - 1)
#define MAX_SRC		16
#define HIST_US		200000		/* 1 us buckets up to 200 ms */
#define CTL_TIMEOUT_NS	(10ULL * 1000000000ULL)
#define NS		1000000000ULL

enum cstate {
	ST_FREE, ST_CONNECTING, ST_SCCRQ, ST_OCRQ, ST_UP, ST_CCRQ, ST_STOP,
	ST_DONE, ST_FAILED
};

enum mode { M_TPUT, M_LAT, M_SETUP, M_HOLD };

enum pkind { K_DATA = 0, K_PRIME = 1 };

struct slot {
	uint32_t	 seq;
	uint32_t	 st;		/* 0 none, 1 out (warm-up), 2 out */
	uint64_t	 ts;
};

struct call {
	int		 fd;
	enum cstate	 state;
	int		 src;
	uint32_t	 idx;
	uint32_t	 lead;		/* the call whose fd carries this one */
	uint32_t	 nconn;		/* lead: calls on its connection */
	uint16_t	 my_cid, peer_cid;
	uint64_t	 deadline, t_begin;
	uint64_t	 t_step;	/* setup: when its last exchange ended */
	size_t		 rlen;
	uint8_t		 rbuf[512];
	/* data */
	uint32_t	 gseq;
	uint32_t	 next, oldest, inflight;
	struct slot	*ring;
	int		 primed, prime_tries, was_up;
	uint64_t	 prime_at;
};

struct sendq {
	int		 n;
	struct mmsghdr	 msg[BATCH];
	struct iovec	 iov[BATCH];
	uint8_t		 buf[BATCH][PKT_BUF];
};

struct src {
	struct in_addr	 addr;
	int		 raw;
	struct sendq	*q;
};

static enum mode	 mode = M_TPUT;
static struct sockaddr_in ctl_to, gre_to;
static struct src	 srcs[MAX_SRC];
static int		 nsrc;
static struct call	*calls;
static uint32_t		 ncalls;		/* allocated */
static uint32_t		 per_conn = 1;		/* hold: calls a connection */
static int32_t		 cid2call[65536];
static uint16_t		 next_cid = 1;
static int		 epfd;
static uint32_t		 nonce;
static int		 payload = 64;
static volatile sig_atomic_t quit;
static uint64_t		 loss_timeout_ns = 500ULL * 1000000ULL;

/* receive side */
static uint8_t		(*rbufs)[PKT_BUF];
static struct mmsghdr	 rmsg[BATCH];
static struct iovec	 riov[BATCH];

/* control counters */
static struct {
	uint64_t	 connects, up, done, failed;
	uint64_t	 f_connect, f_timeout, f_refused, f_proto, f_closed;
	uint64_t	 echoes, cdn_pns_cid;
} cs;

/*
 * setup: the time each exchange of a setup took on the client's side,
 * summed (ns), and how many: PH_CONNECT connect(2) to the Start request
 * written, then each request to its reply, and PH_TURN our own turn from
 * one setup's end to the next connect(2) of that slot.  Only a connection
 * carrying one call (setup mode's) is timed.
 */
enum phase { PH_CONNECT, PH_START, PH_OCALL, PH_CLEAR, PH_STOP, PH_TURN,
	PH_N };
static const char *const ph_names[PH_N] = { "connect", "start", "ocall",
	"clear", "stop", "turn" };
static struct {
	uint64_t	 ns[PH_N], n[PH_N];
} ph;

/* The exchange p of c ended now: count it, and time the next from now. */
static void
ph_mark(struct call *c, enum phase p, uint64_t now)
{
	if (mode != M_SETUP || c->nconn != 1)
		return;
	if (c->t_step != 0 && now >= c->t_step) {
		ph.ns[p] += now - c->t_step;
		ph.n[p]++;
	}
	c->t_step = now;
}

/* data counters */
static struct {
	uint64_t	 sent, sent_meas, rcvd_meas, lost_meas, lost_warm;
	uint64_t	 rx_window, late, dup, bad, foreign, send_fail;
	uint64_t	 prime_sent, prime_rcvd, rcvd_all;
	uint64_t	 hist[HIST_US + 1];
	uint64_t	 nsamples;
} ds;

static int		 measuring;	/* receipts count towards the rate */

static uint64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec);
}

static uint64_t
cpu_us(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec * 1000000ULL +
	    (uint64_t)ru.ru_utime.tv_usec +
	    (uint64_t)ru.ru_stime.tv_sec * 1000000ULL +
	    (uint64_t)ru.ru_stime.tv_usec);
}

static void
sig_handler(int sig)
{
	quit = 1;
}

static uint64_t
hist_pct(double pct)
{
	uint64_t	 want, acc = 0;
	size_t		 i;

	if (ds.nsamples == 0)
		return (0);
	want = (uint64_t)((double)ds.nsamples * pct / 100.0);
	if (want >= ds.nsamples)
		want = ds.nsamples - 1;
	for (i = 0; i <= HIST_US; i++) {
		acc += ds.hist[i];
		if (acc > want)
			return (i);
	}
	return (HIST_US);
}

static void
hist_add(uint64_t us)
{
	if (us > HIST_US)
		us = HIST_US;
	ds.hist[us]++;
	ds.nsamples++;
}

static void
hist_reset(void)
{
	memset(ds.hist, 0, sizeof(ds.hist));
	ds.nsamples = 0;
}

/* --- control connections --- */

static void	on_up(struct call *);
static void	on_done(struct call *);
static void	on_fail(struct call *);

static void
ctl_release(struct call *c)
{
	if (c->fd != -1) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
	}
	if (c->my_cid != 0 && cid2call[c->my_cid] == (int32_t)c->idx)
		cid2call[c->my_cid] = -1;
	c->my_cid = 0;
}

/* Call c failed; its connection, if it has one, stays open. */
static void
call_fail(struct call *c, uint64_t *why)
{
	(*why)++;
	cs.failed++;
	if (c->my_cid != 0 && cid2call[c->my_cid] == (int32_t)c->idx)
		cid2call[c->my_cid] = -1;
	c->my_cid = 0;
	c->t_step = 0;
	c->state = ST_FAILED;
	on_fail(c);
}

/* The control connection of c failed: close it, fail all its calls. */
static void
ctl_fail(struct call *c, uint64_t *why)
{
	struct call	*t;
	uint32_t	 i;

	ctl_release(c);
	for (i = 0; i < c->nconn; i++) {
		t = &calls[c->idx + i];
		if (t->state != ST_FAILED && t->state != ST_DONE)
			call_fail(t, why);
	}
}

static int
ctl_send(struct call *c, const uint8_t *m, size_t len)
{
	if (write(c->fd, m, len) != (ssize_t)len) {
		ctl_fail(c, &cs.f_closed);
		return (-1);
	}
	return (0);
}

static int
cid_alloc(uint32_t idx)
{
	int	 i;

	for (i = 0; i < 65535; i++) {
		uint16_t cid = next_cid++;
		if (next_cid == 0)
			next_cid = 1;
		if (cid != 0 && cid2call[cid] == -1) {
			cid2call[cid] = (int32_t)idx;
			return (cid);
		}
	}
	return (-1);
}

/*
 * Open the control connection of c for it and the c->nconn - 1 calls after
 * it; 0 or -1 (they failed).
 */
static int
ctl_start(struct call *c, uint64_t now)
{
	struct sockaddr_in	 sin;
	struct epoll_event	 ev;
	struct call		*t;
	uint32_t		 i;
	int			 one = 1, cid;

	c->rlen = 0;
	c->src = nsrc > 1 ? (int)(c->idx / per_conn % (uint32_t)nsrc) : 0;
	for (i = 0; i < c->nconn; i++) {
		t = &calls[c->idx + i];
		t->state = ST_CONNECTING;
		t->peer_cid = 0;
		t->primed = 0;
		t->prime_tries = 0;
		t->prime_at = 0;
		t->was_up = 0;
		t->t_begin = now;
		t->deadline = now + CTL_TIMEOUT_NS;
		t->src = c->src;
		if ((cid = cid_alloc(t->idx)) < 0)
			errx(1, "out of Call IDs");
		t->my_cid = (uint16_t)cid;
	}
	cs.connects++;
	ph_mark(c, PH_TURN, now);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		warn("socket");
		ctl_fail(c, &cs.f_connect);
		return (-1);
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (srcs[c->src].addr.s_addr != INADDR_ANY) {
		setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		    sizeof(one));
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr = srcs[c->src].addr;
		if (bind(c->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
			warn("bind");
			ctl_fail(c, &cs.f_connect);
			return (-1);
		}
	}
	if (connect(c->fd, (struct sockaddr *)&ctl_to, sizeof(ctl_to)) == -1 &&
	    errno != EINPROGRESS) {
		ctl_fail(c, &cs.f_connect);
		return (-1);
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT;
	ev.data.u64 = c->idx;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) == -1)
		err(1, "epoll_ctl");
	return (0);
}

static void
ctl_send_sccrq(struct call *c)
{
	uint8_t	 m[156];

	ctl_header(m, 156, SCCRQ);
	put16(m + 12, 0x0100);
	put32(m + 16, 3);
	put32(m + 20, 3);
	put16(m + 26, 1);
	strncpy((char *)m + 28, "bench-gen", 64);
	strncpy((char *)m + 92, "pptpproxy bench", 64);
	if (ctl_send(c, m, sizeof(m)) == 0)
		c->state = ST_SCCRQ;
}

/* Request call t on the control connection of c; -1 when c failed. */
static int
ctl_send_ocrq(struct call *c, struct call *t, uint64_t now)
{
	uint8_t	 m[168];

	ctl_header(m, 168, OCRQ);
	put16(m + 12, t->my_cid);
	put16(m + 14, (uint16_t)t->idx);	/* call serial number */
	put32(m + 16, 2400);
	put32(m + 20, 100000000);
	put32(m + 24, 3);
	put32(m + 28, 3);
	put16(m + 32, 64);
	if (ctl_send(c, m, sizeof(m)) == -1)
		return (-1);
	t->state = ST_OCRQ;
	t->deadline = now + CTL_TIMEOUT_NS;
	return (0);
}

/* Tear the call down: CCRQ, then StopCCRQ when the CDN is in. */
static void
ctl_clear(struct call *c, uint64_t now)
{
	uint8_t	 m[16];

	if (c->state != ST_UP)
		return;
	ctl_header(m, 16, CCRQ);
	put16(m + 12, c->my_cid);
	c->deadline = now + CTL_TIMEOUT_NS;
	if (ctl_send(c, m, sizeof(m)) == 0)
		c->state = ST_CCRQ;
}

/* One message; -1 when c is no longer open. */
static int
ctl_msg(struct call *c, const uint8_t *m, size_t len, uint64_t now)
{
	struct call	*t;
	uint8_t		 r[20];
	uint16_t	 type;
	uint32_t	 i;
	int32_t		 ci;

	if (get16(m + 2) != 1 || get32(m + 4) != PPTP_MAGIC)
		goto proto;
	type = get16(m + 8);
	c->deadline = now + CTL_TIMEOUT_NS;
	switch (type) {
	case ECHORQ:
		if (len < 16)
			goto proto;
		cs.echoes++;
		ctl_header(r, 20, ECHORP);
		memcpy(r + 12, m + 12, 4);
		r[16] = 1;
		return (ctl_send(c, r, 20));
	case SCCRP:
		if (c->state != ST_SCCRQ || len < 156)
			goto proto;
		ph_mark(c, PH_START, now_ns());
		if (m[14] != 1) {
			ctl_fail(c, &cs.f_refused);
			return (-1);
		}
		for (i = 0; i < c->nconn; i++)
			if (ctl_send_ocrq(c, &calls[c->idx + i], now) == -1)
				return (-1);
		return (0);
	case OCRP:
		/* The Peer's Call ID is ours: which call of c's it answers. */
		if (len < 32 || (ci = cid2call[get16(m + 14)]) < 0)
			goto proto;
		t = &calls[ci];
		if (t->lead != c->idx || t->state != ST_OCRQ)
			goto proto;
		if (m[16] != 1) {
			if (c->nconn == 1) {
				ctl_fail(c, &cs.f_refused);
				return (-1);
			}
			call_fail(t, &cs.f_refused);
			return (0);
		}
		ph_mark(c, PH_OCALL, now_ns());
		t->peer_cid = get16(m + 12);
		t->state = ST_UP;
		t->was_up = 1;
		cs.up++;
		on_up(t);
		return (c->fd == -1 ? -1 : 0);
	case CDN:
		/*
		 * The Call ID is the PAC's; Linux's nf_nat_pptp puts the
		 * PNS's there instead: accept that, and count it.
		 */
		if (c->state != ST_CCRQ || len < 148)
			goto proto;
		if (get16(m + 12) != c->peer_cid) {
			if (get16(m + 12) != c->my_cid)
				goto proto;
			cs.cdn_pns_cid++;
		}
		ph_mark(c, PH_CLEAR, now_ns());
		ctl_header(r, 16, STOPCCRQ);
		r[12] = 1;
		if (ctl_send(c, r, 16) == -1)
			return (-1);
		c->state = ST_STOP;
		return (0);
	case STOPCCRP:
		if (c->state != ST_STOP || len < 16)
			goto proto;
		ph_mark(c, PH_STOP, now_ns());
		ctl_release(c);
		c->state = ST_DONE;
		cs.done++;
		on_done(c);
		return (-1);
	case STOPCCRQ:
		ctl_header(r, 16, STOPCCRP);
		r[12] = 1;
		(void)write(c->fd, r, 16);
		ctl_fail(c, &cs.f_closed);
		return (-1);
	case ECHORP:
	case SLI:
	case WEN:
		return (0);
	default:
		goto proto;
	}
 proto:
	ctl_fail(c, &cs.f_proto);
	return (-1);
}

static void
ctl_event(struct call *c, uint32_t events, uint64_t now)
{
	struct epoll_event	 ev;
	socklen_t		 sl;
	ssize_t			 n;
	size_t			 off, len;
	int			 e = 0;

	if (c->fd == -1)
		return;
	if (c->state == ST_CONNECTING) {
		sl = sizeof(e);
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &sl);
		if (e != 0) {
			ctl_fail(c, &cs.f_connect);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u64 = c->idx;
		epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
		c->deadline = now + CTL_TIMEOUT_NS;
		ph_mark(c, PH_CONNECT, now_ns());
		ctl_send_sccrq(c);
		return;
	}
	for (;;) {
		n = read(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen);
		if (n == 0 || (n < 0 && errno != EAGAIN &&
		    errno != EWOULDBLOCK)) {
			ctl_fail(c, &cs.f_closed);
			return;
		}
		if (n < 0)
			return;
		c->rlen += (size_t)n;
		off = 0;
		while (c->rlen - off >= 12) {
			len = get16(c->rbuf + off);
			if (len < 12 || len > sizeof(c->rbuf)) {
				ctl_fail(c, &cs.f_proto);
				return;
			}
			if (c->rlen - off < len)
				break;
			if (ctl_msg(c, c->rbuf + off, len, now) == -1)
				return;
			off += len;
		}
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
}

/*
 * Calls whose control step took too long: the whole connection when the
 * step was the connection's (nothing came in on it for that long), only
 * the call when the Outgoing-Call-Reply of a call other than the first on
 * its connection is late.
 */
static void
ctl_timeouts(uint64_t now)
{
	uint32_t	 i;

	for (i = 0; i < ncalls; i++) {
		struct call *c = &calls[i];

		if (now <= c->deadline)
			continue;
		switch (c->state) {
		case ST_CONNECTING:
		case ST_SCCRQ:
		case ST_OCRQ:
		case ST_CCRQ:
		case ST_STOP:
			if (c->fd != -1)
				ctl_fail(c, &cs.f_timeout);
			else if (c->lead != c->idx && c->state == ST_OCRQ)
				call_fail(c, &cs.f_timeout);
			break;
		default:
			break;
		}
	}
}

/* --- GRE --- */

static void
flush_q(struct src *s)
{
	struct sendq	*q = s->q;
	int		 off = 0, r;

	while (off < q->n) {
		r = sendmmsg(s->raw, q->msg + off, (unsigned int)(q->n - off),
		    0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ds.send_fail++;
			off++;
			continue;
		}
		off += r;
	}
	q->n = 0;
}

static void
flush_all(void)
{
	int	 i;

	for (i = 0; i < nsrc; i++)
		if (srcs[i].q->n > 0)
			flush_q(&srcs[i]);
}

/* Queue one packet of call c carrying our sequence number seq. */
static void
queue_pkt(struct call *c, uint32_t seq, enum pkind kind, uint64_t now)
{
	struct src	*s = &srcs[c->src];
	struct sendq	*q = s->q;
	uint8_t		*b = q->buf[q->n];

	put16(b, 0x3001);
	put16(b + 2, 0x880B);
	put16(b + 4, (uint16_t)payload);
	put16(b + 6, c->peer_cid);
	put32(b + 8, c->gseq++);
	put32(b + 12, PAY_MAGIC);
	put32(b + 16, c->idx);
	put32(b + 20, seq);
	put32(b + 24, (nonce & 0xffffff00U) | (uint32_t)kind);
	memcpy(b + 28, &now, 8);
	q->iov[q->n].iov_len = 12 + (size_t)payload;
	ds.sent++;
	if (++q->n == BATCH)
		flush_q(s);
}

static void
send_data(struct call *c, uint64_t now, int meas)
{
	struct slot	*sl = &c->ring[c->next & RMASK];

	sl->seq = c->next;
	sl->st = meas ? 2 : 1;
	sl->ts = now;
	if (meas)
		ds.sent_meas++;
	queue_pkt(c, c->next, K_DATA, now);
	c->next++;
	c->inflight++;
}

static void
send_prime(struct call *c, uint64_t now)
{
	c->prime_tries++;
	c->prime_at = now;
	ds.prime_sent++;
	queue_pkt(c, 0, K_PRIME, now);
}

/* Retire packets older than the loss timeout; advance the window. */
static void
call_scan(struct call *c, uint64_t now, int all)
{
	struct slot	*sl;

	while (c->oldest != c->next) {
		sl = &c->ring[c->oldest & RMASK];
		if (sl->st != 0) {
			if (!all && now - sl->ts < loss_timeout_ns)
				break;
			if (sl->st == 2)
				ds.lost_meas++;
			else
				ds.lost_warm++;
			sl->st = 0;
			c->inflight--;
		}
		c->oldest++;
	}
}

static void
gre_packet(const uint8_t *p, size_t len, uint64_t now)
{
	struct call	*c;
	struct slot	*sl;
	size_t		 ihl, hl;
	uint16_t	 flags, cid, klen;
	uint32_t	 idx, seq, kind;
	uint64_t	 ts;
	int32_t		 ci;

	if (len < 20 || (p[0] >> 4) != 4)
		goto bad;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (len < ihl + 8)
		goto bad;
	p += ihl;
	len -= ihl;
	flags = get16(p);
	if ((flags & 0xef7f) != 0x2001 || get16(p + 2) != 0x880B)
		goto bad;
	if (!(flags & 0x1000))
		return;			/* ack only */
	hl = 12 + ((flags & 0x0080) ? 4 : 0);
	if (len < hl)
		goto bad;
	klen = get16(p + 4);
	cid = get16(p + 6);
	if ((ci = cid2call[cid]) < 0) {
		ds.foreign++;
		return;
	}
	c = &calls[ci];
	if (klen != payload || len - hl < (size_t)klen ||
	    klen < MIN_PAYLOAD)
		goto bad;
	ds.rcvd_all++;
	p += hl;
	idx = get32(p + 4);
	seq = get32(p + 8);
	kind = get32(p + 12);
	if (get32(p) != PAY_MAGIC || idx != c->idx ||
	    (kind & 0xffffff00U) != (nonce & 0xffffff00U))
		goto bad;
	memcpy(&ts, p + 16, 8);
	if ((kind & 0xff) == K_PRIME) {
		ds.prime_rcvd++;
		c->primed = 1;
		return;
	}
	if (c->ring == NULL)
		goto bad;
	sl = &c->ring[seq & RMASK];
	if (sl->seq != seq || sl->st == 0) {
		if (seq - c->oldest < RING && sl->seq == seq)
			ds.dup++;
		else
			ds.late++;
		return;
	}
	if (sl->st == 2)
		ds.rcvd_meas++;
	sl->st = 0;
	c->inflight--;
	while (c->oldest != c->next && c->ring[c->oldest & RMASK].st == 0)
		c->oldest++;
	if (measuring) {
		ds.rx_window++;
		hist_add((now - ts) / 1000);
	}
	return;
 bad:
	ds.bad++;
}

static void
gre_read(struct src *s)
{
	uint64_t	 now;
	int		 n, i, rounds;

	for (rounds = 0; rounds < 16; rounds++) {
		for (i = 0; i < BATCH; i++) {
			riov[i].iov_base = rbufs[i];
			riov[i].iov_len = PKT_BUF;
			rmsg[i].msg_hdr.msg_name = NULL;
			rmsg[i].msg_hdr.msg_namelen = 0;
			rmsg[i].msg_hdr.msg_iov = &riov[i];
			rmsg[i].msg_hdr.msg_iovlen = 1;
			rmsg[i].msg_hdr.msg_control = NULL;
			rmsg[i].msg_hdr.msg_controllen = 0;
			rmsg[i].msg_hdr.msg_flags = 0;
		}
		n = recvmmsg(s->raw, rmsg, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		now = now_ns();
		for (i = 0; i < n; i++)
			gre_packet(rbufs[i], rmsg[i].msg_len, now);
		if (n < BATCH)
			return;
	}
}

/* Wait for events up to timeout_ms and handle them. */
static void
poll_once(int timeout_ms)
{
	struct epoll_event	 evs[256];
	uint64_t		 now;
	int			 n, i;

	flush_all();
	n = epoll_wait(epfd, evs, 256, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return;
		err(1, "epoll_wait");
	}
	now = now_ns();
	for (i = 0; i < n; i++) {
		uint64_t d = evs[i].data.u64;
		if (d >> 32)
			gre_read(&srcs[(d >> 32) - 1]);
		else
			ctl_event(&calls[d], evs[i].events, now);
	}
}

/* --- modes --- */

static struct {
	uint32_t	 started;	/* hold: connections begun */
	uint32_t	 settled;	/* hold: up or failed before up */
	int		 ending;	/* setup: no new connections */
	uint64_t	 end;
	uint64_t	 done_in_window;
	int		 verify;	/* setup: the verify call is on */
} mst;

static void
on_up(struct call *c)
{
	uint64_t	 now = now_ns();

	switch (mode) {
	case M_SETUP:
		if (mst.verify)
			return;
		hist_add((now - c->t_begin) / 1000);
		ctl_clear(c, now);
		break;
	case M_HOLD:
		mst.settled++;
		send_prime(c, now);
		break;
	default:
		break;
	}
}

static void
on_done(struct call *c)
{
	if (mode == M_SETUP && !mst.verify && now_ns() <= mst.end)
		mst.done_in_window++;
}

static void
on_fail(struct call *c)
{
	if (mode == M_HOLD && !c->was_up)
		mst.settled++;
}

static void
alloc_calls(uint32_t n, int rings)
{
	uint32_t	 i;

	ncalls = n;
	if ((calls = calloc(n, sizeof(*calls))) == NULL)
		err(1, "calloc");
	for (i = 0; i < n; i++) {
		calls[i].fd = -1;
		calls[i].idx = i;
		calls[i].lead = i;
		calls[i].nconn = 1;
		if (rings && (calls[i].ring = calloc(RING,
		    sizeof(struct slot))) == NULL)
			err(1, "calloc");
	}
}

/* Bring calls [first, first + n) up, all at once; 0 when all are up. */
static int
bring_up(uint32_t first, uint32_t n, uint64_t timeout)
{
	uint64_t	 now = now_ns(), end = now + timeout;
	uint32_t	 i, up;

	for (i = first; i < first + n; i++)
		ctl_start(&calls[i], now);
	for (;;) {
		for (up = 0, i = first; i < first + n; i++) {
			if (calls[i].state == ST_FAILED)
				return (-1);
			if (calls[i].state == ST_UP)
				up++;
		}
		if (up == n)
			return (0);
		if (now_ns() > end || quit)
			return (-1);
		poll_once(10);
		ctl_timeouts(now_ns());
	}
}

/* Send a first packet on every call until each has come back. */
static int
prime(uint32_t first, uint32_t n, int tries, uint64_t wait)
{
	uint64_t	 now;
	uint32_t	 i, ok;

	for (;;) {
		now = now_ns();
		for (ok = 0, i = first; i < first + n; i++) {
			struct call *c = &calls[i];
			if (c->primed) {
				ok++;
				continue;
			}
			if (c->state != ST_UP)
				return (-1);
			if (now - c->prime_at <= wait)
				continue;
			if (c->prime_tries >= tries)
				return (-1);
			send_prime(c, now);
		}
		if (ok == n)
			return (0);
		if (quit)
			return (-1);
		poll_once(5);
	}
}

/* Tear calls [first, first + n) down cleanly, within timeout. */
static void
tear_down(uint32_t first, uint32_t n, uint64_t timeout)
{
	uint64_t	 now = now_ns(), end = now + timeout;
	uint32_t	 i, open;

	for (i = first; i < first + n; i++)
		ctl_clear(&calls[i], now);
	for (;;) {
		for (open = 0, i = first; i < first + n; i++)
			if (calls[i].fd != -1)
				open++;
		if (open == 0 || now_ns() > end)
			break;
		poll_once(10);
		ctl_timeouts(now_ns());
	}
	for (i = first; i < first + n; i++)
		ctl_release(&calls[i]);
}

/*
 * Keep w packets in flight on each of calls [first, first + n): warm
 * seconds of warm-up, then dur seconds measured (or until limit packets
 * were sent when limit > 0), then wait for what is still out.
 */
static void
run_data(uint32_t first, uint32_t n, uint32_t w, double warm, double dur,
    uint64_t limit)
{
	uint64_t	 t0, warm_end, end, now, last_scan, stop_at = 0;
	uint32_t	 i, out, last = first + n;
	int		 sending = 1, meas;

	t0 = now_ns();
	warm_end = t0 + (uint64_t)(warm * NS);
	end = warm_end + (uint64_t)(dur * NS);
	last_scan = t0;
	measuring = warm <= 0;
	hist_reset();
	for (;;) {
		now = now_ns();
		if (!measuring && sending && now >= warm_end)
			measuring = 1;
		if (sending && (now >= end || quit ||
		    (limit > 0 && ds.sent_meas >= limit))) {
			sending = 0;
			measuring = 0;
			stop_at = now;
		}
		if (sending) {
			meas = now >= warm_end;
			for (i = first; i < last; i++) {
				struct call *c = &calls[i];
				if (c->state != ST_UP)
					continue;
				while (c->inflight < w &&
				    c->next - c->oldest < RING) {
					if (limit > 0 && ds.sent_meas >= limit)
						break;
					send_data(c, now, meas);
				}
			}
		}
		if (now - last_scan > 10000000ULL) {
			last_scan = now;
			for (i = first; i < last; i++)
				call_scan(&calls[i], now, 0);
			ctl_timeouts(now);
		}
		if (!sending) {
			for (out = 0, i = first; i < last; i++)
				out += calls[i].inflight;
			if (out == 0 || now - stop_at > loss_timeout_ns +
			    100000000ULL)
				break;
		}
		poll_once(sending ? 5 : 2);
	}
	for (i = first; i < last; i++)
		call_scan(&calls[i], now_ns(), 1);
}

static void
print_common(void)
{
	printf(" connects=%llu up=%llu done=%llu failed=%llu f_connect=%llu"
	    " f_timeout=%llu f_refused=%llu f_proto=%llu f_closed=%llu"
	    " echoes=%llu cdn_pns_cid=%llu",
	    (unsigned long long)cs.connects, (unsigned long long)cs.up,
	    (unsigned long long)cs.done, (unsigned long long)cs.failed,
	    (unsigned long long)cs.f_connect, (unsigned long long)cs.f_timeout,
	    (unsigned long long)cs.f_refused, (unsigned long long)cs.f_proto,
	    (unsigned long long)cs.f_closed, (unsigned long long)cs.echoes,
	    (unsigned long long)cs.cdn_pns_cid);
}

static void
print_data(void)
{
	printf(" sent=%llu sent_meas=%llu rcvd_meas=%llu lost=%llu"
	    " lost_warm=%llu late=%llu dup=%llu bad=%llu foreign=%llu"
	    " send_fail=%llu prime_sent=%llu prime_rcvd=%llu rcvd_all=%llu",
	    (unsigned long long)ds.sent, (unsigned long long)ds.sent_meas,
	    (unsigned long long)ds.rcvd_meas, (unsigned long long)ds.lost_meas,
	    (unsigned long long)ds.lost_warm, (unsigned long long)ds.late,
	    (unsigned long long)ds.dup, (unsigned long long)ds.bad,
	    (unsigned long long)ds.foreign, (unsigned long long)ds.send_fail,
	    (unsigned long long)ds.prime_sent,
	    (unsigned long long)ds.prime_rcvd,
	    (unsigned long long)ds.rcvd_all);
}

static int
mode_tput(uint32_t k, uint32_t w, double warm, double dur)
{
	uint64_t	 c0, t0, c1, t1, ptries = 0;
	uint32_t	 i;
	double		 loss;

	alloc_calls(k, 1);
	if (bring_up(0, k, 15 * NS) == -1) {
		printf("result=fail stage=setup");
		print_common();
		printf("\n");
		return (1);
	}
	if (prime(0, k, 10, 200000000ULL) == -1) {
		printf("result=fail stage=prime");
		print_data();
		print_common();
		printf("\n");
		return (1);
	}
	for (i = 0; i < k; i++)
		ptries += (uint64_t)calls[i].prime_tries;
	memset(&ds, 0, sizeof(ds));
	c0 = cpu_us();
	t0 = now_ns();
	run_data(0, k, w, warm, dur, 0);
	c1 = cpu_us();
	t1 = now_ns();
	tear_down(0, k, 3 * NS);
	loss = ds.sent_meas ? 100.0 * (double)ds.lost_meas /
	    (double)ds.sent_meas : 0.0;
	printf("result=ok calls=%u window=%u payload=%d seconds=%.3f"
	    " rt_per_s=%.0f mbit=%.2f loss_pct=%.4f rtt_p50_us=%llu"
	    " rtt_p99_us=%llu rtt_samples=%llu gen_cpu_pct=%.1f"
	    " prime_tries=%llu",
	    k, w, payload, dur, (double)ds.rx_window / dur,
	    (double)ds.rx_window * payload * 8.0 / dur / 1e6, loss,
	    (unsigned long long)hist_pct(50), (unsigned long long)hist_pct(99),
	    (unsigned long long)ds.nsamples,
	    100.0 * (double)(c1 - c0) / ((double)(t1 - t0) / 1000.0),
	    (unsigned long long)ptries);
	print_data();
	print_common();
	printf("\n");
	return (0);
}

static int
mode_setup(uint32_t conc, double dur, uint64_t vpkts)
{
	struct call	*v;
	uint64_t	 t0, c0, now, end;
	uint32_t	 i, open;
	int		 ok = 0, vtries = 0;

	alloc_calls(conc + 1, 0);
	v = &calls[conc];
	if ((v->ring = calloc(RING, sizeof(struct slot))) == NULL)
		err(1, "calloc");
	hist_reset();
	c0 = cpu_us();
	t0 = now_ns();
	mst.end = t0 + (uint64_t)(dur * NS);
	for (;;) {
		now = now_ns();
		if (now >= mst.end)
			mst.ending = 1;
		for (open = 0, i = 0; i < conc; i++) {
			if (calls[i].fd != -1)
				open++;
			else if (!mst.ending && !quit) {
				ctl_start(&calls[i], now);
				open++;
			}
		}
		if ((mst.ending && open == 0) || quit ||
		    now > mst.end + 15 * NS)
			break;
		poll_once(10);
		ctl_timeouts(now_ns());
	}
	for (i = 0; i < conc; i++)
		ctl_release(&calls[i]);
	printf("result=ok concurrency=%u seconds=%.3f setups=%llu"
	    " setups_per_s=%.1f setup_p50_us=%llu setup_p99_us=%llu"
	    " gen_cpu_pct=%.1f",
	    conc, dur, (unsigned long long)mst.done_in_window,
	    (double)mst.done_in_window / dur,
	    (unsigned long long)hist_pct(50), (unsigned long long)hist_pct(99),
	    100.0 * (double)(cpu_us() - c0) /
	    ((double)(now_ns() - t0) / 1000.0));
	for (i = 0; i < PH_N; i++)
		printf(" ph_%s_us=%.1f", ph_names[i], ph.n[i] == 0 ? 0.0 :
		    (double)ph.ns[i] / (double)ph.n[i] / 1000.0);

	if (vpkts == 0) {
		printf(" verify_ok=none");
		print_common();
		printf("\n");
		return (0);
	}

	/* A call right after the churn must carry data without loss. */
	mst.verify = 1;
	memset(&ds, 0, sizeof(ds));
	now = now_ns();
	end = now + 15 * NS;
	ctl_start(v, now);
	while (v->state != ST_UP && v->state != ST_FAILED && now_ns() < end &&
	    !quit) {
		poll_once(10);
		ctl_timeouts(now_ns());
	}
	if (v->state == ST_UP) {
		if (prime(conc, 1, 10, 200000000ULL) == 0) {
			ds.sent_meas = 0;
			run_data(conc, 1, 16, 0, 10.0, vpkts);
			ok = 1;
		}
		vtries = v->prime_tries;
		tear_down(conc, 1, 3 * NS);
	}
	printf(" verify_sent=%llu verify_rcvd=%llu verify_lost=%llu"
	    " verify_prime_tries=%d verify_ok=%s",
	    (unsigned long long)ds.sent_meas, (unsigned long long)ds.rcvd_meas,
	    (unsigned long long)ds.lost_meas, vtries,
	    ok && ds.lost_meas == 0 && ds.sent_meas == vpkts &&
	    ds.rcvd_meas == vpkts ? "yes" : "no");
	print_common();
	printf("\n");
	return (0);
}

static int
mode_hold(uint32_t n, uint32_t conc, const char *ready)
{
	uint64_t	 t0, now, last = 0, t_up;
	uint32_t	 i, up, failed, primed, waiting, nconns;
	int		 announced = 0;
	FILE		*f;

	alloc_calls(n, 0);
	/* per_conn calls a connection, the first of them its lead */
	for (i = 0; i < n; i++) {
		calls[i].lead = i - i % per_conn;
		if (calls[i].lead == i)
			calls[i].nconn = n - i < per_conn ? n - i : per_conn;
		else
			calls[i].nconn = 0;
	}
	nconns = (n + per_conn - 1) / per_conn;
	t0 = now_ns();
	while (!quit) {
		now = now_ns();
		while (mst.started < n && mst.started - mst.settled < conc) {
			ctl_start(&calls[mst.started], now);
			mst.started += calls[mst.started].nconn;
		}
		poll_once(20);
		now = now_ns();
		if (now - last < 100000000ULL)
			continue;
		last = now;
		ctl_timeouts(now);
		up = failed = primed = waiting = 0;
		for (i = 0; i < mst.started; i++) {
			struct call *c = &calls[i];
			if (c->state == ST_UP) {
				up++;
				if (c->primed)
					primed++;
				else if (now - c->prime_at > 500000000ULL) {
					if (c->prime_tries < 5) {
						send_prime(c, now);
						waiting++;
					}
				} else
					waiting++;
			} else if (c->state == ST_FAILED)
				failed++;
			else
				waiting++;
		}
		if (!announced && mst.started == n && waiting == 0) {
			t_up = now - t0;
			printf("result=%s held=%u calls=%u conns=%u"
			    " calls_per_conn=%u failed=%u primed=%u"
			    " setup_s=%.3f", up == n ? "ok" : "partial", up, n,
			    nconns, per_conn, failed, primed,
			    (double)t_up / NS);
			print_data();
			print_common();
			printf("\n");
			fflush(stdout);
			if (ready != NULL && (f = fopen(ready, "w")) != NULL) {
				fprintf(f, "held=%u primed=%u\n", up, primed);
				fclose(f);
			}
			announced = 1;
		}
	}
	return (0);
}

static void
parse_addr(const char *s, struct sockaddr_in *sin, uint16_t defport)
{
	char	 buf[64], *colon;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", s) >= sizeof(buf))
		errx(2, "address too long: %s", s);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(defport);
	if ((colon = strchr(buf, ':')) != NULL) {
		*colon++ = '\0';
		sin->sin_port = htons((uint16_t)atoi(colon));
	}
	if (inet_pton(AF_INET, buf, &sin->sin_addr) != 1)
		errx(2, "bad address: %s", s);
}

static void
open_srcs(const char *list)
{
	struct epoll_event	 ev;
	char			 buf[1024], *p, *tok;
	int			 i, bufsz = 16 << 20;

	nsrc = 0;
	if (list == NULL)
		srcs[nsrc++].addr.s_addr = INADDR_ANY;
	else {
		if ((size_t)snprintf(buf, sizeof(buf), "%s", list) >=
		    sizeof(buf))
			errx(2, "source list too long");
		for (p = buf; (tok = strsep(&p, ",")) != NULL;) {
			if (*tok == '\0')
				continue;
			if (nsrc == MAX_SRC)
				errx(2, "too many sources");
			if (inet_pton(AF_INET, tok, &srcs[nsrc].addr) != 1)
				errx(2, "bad source %s", tok);
			nsrc++;
		}
	}
	for (i = 0; i < nsrc; i++) {
		struct src *s = &srcs[i];
		int j;

		s->raw = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, IPPROTO_GRE);
		if (s->raw == -1)
			err(1, "raw socket");
		if (setsockopt(s->raw, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz,
		    sizeof(bufsz)) == -1)
			setsockopt(s->raw, SOL_SOCKET, SO_RCVBUF, &bufsz,
			    sizeof(bufsz));
		if (setsockopt(s->raw, SOL_SOCKET, SO_SNDBUFFORCE, &bufsz,
		    sizeof(bufsz)) == -1)
			setsockopt(s->raw, SOL_SOCKET, SO_SNDBUF, &bufsz,
			    sizeof(bufsz));
		if (s->addr.s_addr != INADDR_ANY) {
			struct sockaddr_in sin;
			memset(&sin, 0, sizeof(sin));
			sin.sin_family = AF_INET;
			sin.sin_addr = s->addr;
			if (bind(s->raw, (struct sockaddr *)&sin,
			    sizeof(sin)) == -1)
				err(1, "bind raw %s", inet_ntoa(s->addr));
		}
		if ((s->q = calloc(1, sizeof(*s->q))) == NULL)
			err(1, "calloc");
		for (j = 0; j < BATCH; j++) {
			s->q->iov[j].iov_base = s->q->buf[j];
			s->q->msg[j].msg_hdr.msg_name = &gre_to;
			s->q->msg[j].msg_hdr.msg_namelen = sizeof(gre_to);
			s->q->msg[j].msg_hdr.msg_iov = &s->q->iov[j];
			s->q->msg[j].msg_hdr.msg_iovlen = 1;
		}
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u64 = (uint64_t)(i + 1) << 32;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->raw, &ev) == -1)
			err(1, "epoll_ctl");
	}
}

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_gen -m tput|lat|setup|hold -c server[:port] "
	    "[-g gre-to] [-s src,...]\n"
	    "\t[-k calls] [-w window] [-p payload] [-d seconds] "
	    "[-W warmup] [-t loss-timeout-ms]\n"
	    "\t[-C concurrency] [-v verify-packets] [-n calls] "
	    "[-K calls-per-connection]\n"
	    "\t[-r readyfile]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	struct rlimit		 rl;
	const char		*srclist = NULL, *gre = NULL, *ctl = NULL;
	const char		*ready = NULL;
	uint32_t		 k = 1, w = 1, conc = 1, n = 1000;
	uint64_t		 vpkts = 2000;
	double			 dur = 5, warm = 0.5;
	int			 ch, i;

	while ((ch = getopt(argc, argv, "C:c:d:g:K:k:m:n:p:r:s:t:v:W:w:")) !=
	    -1) {
		switch (ch) {
		case 'C':
			conc = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			ctl = optarg;
			break;
		case 'd':
			dur = strtod(optarg, NULL);
			break;
		case 'g':
			gre = optarg;
			break;
		case 'K':
			per_conn = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			k = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			if (strcmp(optarg, "tput") == 0)
				mode = M_TPUT;
			else if (strcmp(optarg, "lat") == 0)
				mode = M_LAT;
			else if (strcmp(optarg, "setup") == 0)
				mode = M_SETUP;
			else if (strcmp(optarg, "hold") == 0)
				mode = M_HOLD;
			else
				usage();
			break;
		case 'n':
			n = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			payload = atoi(optarg);
			break;
		case 'r':
			ready = optarg;
			break;
		case 's':
			srclist = optarg;
			break;
		case 't':
			loss_timeout_ns = strtoull(optarg, NULL, 10) *
			    1000000ULL;
			break;
		case 'v':
			vpkts = strtoull(optarg, NULL, 10);
			break;
		case 'W':
			warm = strtod(optarg, NULL);
			break;
		case 'w':
			w = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (ctl == NULL || argc != optind)
		usage();
	if (payload < MIN_PAYLOAD || payload > MAX_PAYLOAD)
		errx(2, "payload must be %d to %d bytes", MIN_PAYLOAD,
		    MAX_PAYLOAD);
	if (k < 1 || k > 60000 || w < 1 || w > RING / 2 || conc < 1 ||
	    conc > 60000 || n < 1 || n > 60000 || dur <= 0 ||
	    per_conn < 1 || per_conn > 64 || (per_conn > 1 && mode != M_HOLD))
		usage();
	parse_addr(ctl, &ctl_to, 1723);
	parse_addr(gre != NULL ? gre : ctl, &gre_to, 0);
	gre_to.sin_port = 0;

	/* Many calls need many descriptors. */
	rl.rlim_cur = rl.rlim_max = 200000;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1 &&
	    getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < 65536; i++)
		cid2call[i] = -1;
	nonce = (uint32_t)getpid() << 8 ^ (uint32_t)now_ns() << 16;
	next_cid = (uint16_t)(1 + (now_ns() / 1000) % 60000);
	if ((rbufs = calloc(BATCH, PKT_BUF)) == NULL)
		err(1, "calloc");
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	open_srcs(srclist);
	setvbuf(stdout, NULL, _IOLBF, 0);

	switch (mode) {
	case M_TPUT:
		return (mode_tput(k, w, warm, dur));
	case M_LAT:
		return (mode_tput(1, 1, warm, dur));
	case M_SETUP:
		return (mode_setup(conc, dur, vpkts));
	case M_HOLD:
		return (mode_hold(n, conc, ready));
	}
	return (0);
}
