/*
 * The control relay: accepts PPTP control connections on the sockets the
 * parent handed over, applies the ACL (subnets here, commands through the
 * parent), connects to the server without blocking, and relays whole
 * messages both ways through the codec in pptp.c, writing each call's
 * routes into the table it shares with the GRE forwarder (rtable.h).
 *
 * A side reads into a buffer on the stack and writes whole messages
 * straight to the other side's socket; only a partial message read, and
 * what a socket does not take at once, are kept, in memory allocated for
 * as long as they wait.  A session costs little memory, and few system
 * calls.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/tree.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "ctl.h"
#include "pptp.h"
#include "os.h"
#include "rtable.h"
#include "connpool.h"
#include "slab.h"
#include "tunnel.h"

#define CTL_HIWAT		(64 * 1024)	/* stop reading the sender */
#define CTL_LOWAT		(16 * 1024)	/* resume */
#define CTL_FLUSH_SECS		5		/* to flush on close */
#define CTL_READ		4096		/* bytes read at once */
/* A read buffer: what is read at once after a partial tunnel record. */
#define CTL_BUF			(TUN_REC_MAX + CTL_READ)
#define CTL_TUN_BATCH		64		/* tunnel packets per wake-up */
/*
 * A tunnel over TCP: a GRE packet for the peer is queued only while at
 * most CTL_HIWAT waits for its connection, else dropped whole (a record
 * is never cut), so that at most CTL_HIWAT, one record and one control
 * message (whose sender is then held) wait; a line says so when that
 * starts, then at most once in CTL_TUN_DROP_LOG seconds while it goes on.
 */
#define CTL_TUN_DROP_LOG	60
/*
 * And the kernel takes at most this much not yet sent on that
 * connection (where the system can bound it), so that the backlog waits
 * in that queue, which drops, not in a TCP send buffer grown to hundreds
 * of kilobytes, which would delay every packet behind it.
 */
#define CTL_TUN_NOTSENT		(16 * 1024)
#define CTL_TRIM_AFTER		1000		/* sessions ended, then trim */
/* Held from a client while its ACL command runs: what ctl_readcb can
 * take back as a partial message. */
#define CTL_ACL_HOLD		(CTL_READ - PPTP_MAX_MSG)
#define CTL_READS_PER_WAKE	4		/* reads of a side per wake-up */
#define CTL_ACCEPTS_PER_WAKE	1		/* accepts per wake-up */
/*
 * A client that asked for the Stop and has its reply: this long to close
 * first (its FIN read), then the firewall closes (ms).  Most clients
 * close at once; one that waits for its peer to close gets our FIN this
 * soon.  Within it the firewall keeps no TIME_WAIT towards the client.
 */
#define CTL_CLIENT_FIN_MS	500

enum sess_state {
	S_ACL,			/* waiting for an ACL command's verdict */
	S_WAITING,		/* for the client's first bytes */
	S_CONNECTING,		/* connecting to the server */
	S_RELAY,
	S_CLOSING,		/* flushing, waiting for GRE counters */
	S_STOPPING		/* Stop-Control-Connection sent, draining */
};

struct session;

/* Bytes a side's socket did not take yet. */
struct outq {
	struct event		 wev;		/* writable, or flush timeout */
	uint8_t			*buf;
	size_t			 off, len, cap;
};

struct side {
	struct session		*sess;
	int			 fd;		/* -1: closed */
	uint8_t			 idx;		/* PPTP_CLIENT, PPTP_SERVER */
	uint8_t			 throttled;	/* reading stopped */
	uint8_t			 broken;	/* write failed: nothing to flush */
	uint16_t		 partlen;
	uint8_t			*part;		/* bytes read, not yet relayed */
	struct event		 ev;		/* reading; connecting: writable */
	struct outq		*out;		/* NULL: nothing queued */
	struct sockaddr_in	 peer;
	struct sockaddr_in	 local;		/* our end */
	uint64_t		 msgs;		/* messages from this side */
	uint8_t			 stopped;	/* its Stop-...-Reply read */
};

struct session {
	RB_ENTRY(session)	 entry;
	uint64_t		 id;		/* unique for the process's life */
	enum sess_state		 state;
	struct side		 side[2];
	const char		*proxy;		/* name_intern() */
	struct pptp_sess	 pptp;
	struct tmr		 tm_first;	/* first message from client */
	struct tmr		 tm_conn;	/* connect, then call setup */
	time_t			 start;		/* monotonic */
	time_t			 last_client;	/* last message from client */
	unsigned int		 calls;		/* calls set up, in all */
	unsigned int		 pending;	/* GRE counters awaited */
	uint64_t		 packets[2];	/* GRE towards side */
	uint64_t		 bytes[2];
	uint64_t		 spoofed;
	char			*why;		/* closing: the reason */
	uint32_t		 proxy_id;	/* in its routes, for the parent */
	int			 acl_asked;	/* a verdict is awaited */
	unsigned int		 ps;		/* pstats[] of its proxy */
	uint8_t			 stop_by;	/* Stop-...-Request: side + 1 */
	uint8_t			 srv_last;	/* the server is to close first */
	uint8_t			 cl_gone;	/* the client: closed once flushed */
	uint8_t			 cl_fin;	/* the client: to close first */
	uint8_t			 cut;		/* counted in ncut (a stop's) */
	/* tunnels between two pptpproxies (tunnel.h) */
	uint64_t		 token;
	/* TCP: GRE packets not carried, towards each side (PPTP_*) */
	uint64_t		 tun_dropped[2];
	uint64_t		 tun_fwd_dropped; /* to the peer: the forwarder's */
	time_t			 tun_drop_said;	/* their last line; 0: none */
	struct sockaddr_in	 tun_peer;	/* its UDP address, as seen */
	uint16_t		 tun_port;	/* A: B's UDP port; B: ours */
	uint8_t			 tun_want;	/* A: tunnel to the server */
	uint8_t			 tun_allowed;	/* B: the client may tunnel */
	uint8_t			 tun_state;	/* TS_* */
	uint8_t			 tun_side;	/* the peer pptpproxy's side */
	uint8_t			 tun_mode;	/* TUN_MODE_* */
	uint8_t			 tun_answered;	/* UDP came back */
};
#define TS_NONE		0
#define TS_HELLO	1	/* A: our hello sent, B's awaited */
#define TS_UP		2

RB_HEAD(sess_tree, session);

/* A session number for log lines. */
#define SID(s)	((unsigned long long)(s)->id)

static int
sess_cmp(struct session *a, struct session *b)
{
	return (a->id < b->id ? -1 : a->id > b->id);
}
RB_GENERATE_STATIC(sess_tree, session, entry, sess_cmp)

/* Connections per client address, and the calls they hold. */
struct addr_count {
	RB_ENTRY(addr_count)	 entry;
	uint32_t		 addr;
	unsigned int		 n;
	struct callid_share	 share;	/* limit calls per-address */
};
RB_HEAD(addr_tree, addr_count);

static int
addr_cmp(struct addr_count *a, struct addr_count *b)
{
	return (a->addr < b->addr ? -1 : a->addr > b->addr);
}
RB_GENERATE_STATIC(addr_tree, addr_count, entry, addr_cmp)

struct listener {
	TAILQ_ENTRY(listener)	 entry;
	struct event		 ev;
	int			 fd;
	int			 defer;		/* s the kernel holds silence */
	struct proxy_conf	*pc;
};
TAILQ_HEAD(listeners, listener);

static struct event_base	*cbase;
static struct pptpproxy_conf	*cconf;
static struct listeners		 listeners = TAILQ_HEAD_INITIALIZER(listeners);
static struct sess_tree		 sessions = RB_INITIALIZER(&sessions);
static struct addr_tree		 addrs = RB_INITIALIZER(&addrs);
static struct callid_pool	 pool;
static struct imsgev		 iev_parent, iev_gre;
static struct rtable		 rtab;		/* shared with gre */
static int			 rtab_mapped;
static struct connpool		 cpool;		/* relays N: their counts */
static int			 cpool_mapped;
static struct tmr		 ev_pause, ev_idle, ev_tick;
static struct event		 ev_stop;
static struct event		 ev_tundata;
static int			 tun_data_fd = -1;
static int			 link_fd[RELAYS_MAX];	/* other relays */
#ifdef PPTPPROXY_TEST
static struct event		 ev_usr2;
#endif
static uint64_t			 next_sess_id = 1;	/* never wraps */
static struct relay_info	 relay = { 0, 1, 1 };	/* which of how many */
static char			 relay_name[24] = "control";
static unsigned int		 nsessions;
static unsigned int		 nfreed;	/* sessions, since the last trim */
static unsigned int		 nfreed_seen;	/* nfreed at the last tick */
static struct slab		 sess_slab;	/* sessions (slab.h) */
/*
 * Lines a remote peer can provoke, each kind limited (log_limited): the
 * refusals (ACL, limits, timeouts, protocol violations, failed connects),
 * a full proxy, the sessions that carried no call (start and end), the
 * calls refused or not set up.  A session's calls and the end of a
 * session that carried one are the accounting: never held back.
 */
static struct log_limit		 ll_refuse, ll_full, ll_session, ll_call;
static struct log_limit		 ll_tun;	/* tunnels dropping GRE */
static int			 stopping;	/* IMSG_STOP came */
static unsigned int		 nstop;		/* sessions it found */
static unsigned int		 ncut;		/* of them, cut at timeout stop */

/* A proxy's counters, by name: they outlive reloads (ctl.c shows them). */
struct pstat {
	const char		*name;		/* name_intern() */
	uint64_t		 sessions, accepted, refused_acl;
	uint64_t		 refused_limit, server_failed, calls_total;
	uint64_t		 packets[2], bytes[2], spoofed;
	uint64_t		 tun_dropped[2];	/* ended sessions' */
};
static struct pstat		*pstats;
static unsigned int		 npstats;

static void	ctl_accept(int, short, void *);
static void	ctl_readcb(int, short, void *);
static void	ctl_writecb(int, short, void *);
static void	ctl_connectcb(int, short, void *);
static void	ctl_holdreadcb(int, short, void *);
static ssize_t	side_process(struct side *, uint8_t *, size_t);
static int	side_relay(struct side *, uint8_t *, size_t);
static int	side_resume(struct side *);
static void	side_release(struct side *);
static void	sess_connect(struct session *);
static void	sess_connected(struct session *);
static void	sess_close(struct session *, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));
static void	sess_finish(struct session *);
static void	sess_finish_if_done(struct session *);
static void	ctl_stop(void) __attribute__((__noreturn__));
static void	sess_events(struct session *, struct pptp_event *, int);
static void	sess_tm_first(int, short, void *);
static void	sess_wait_client(struct session *);
static int	sess_first_bytes_ok(struct session *);
static int	side_start_client(struct session *);
static void	sess_tm_conn(int, short, void *);
static void	side_drain(struct side *);
static int	tun_record(struct side *, uint8_t *, size_t, size_t *);
static void	tun_hello_send(struct session *);
static const char *tun_desc(const struct session *, char *, size_t);
static uint64_t	tun_drops(const struct session *, int);
static void	tun_dropping(struct session *);
static void	stop_send(struct side *, const uint8_t *, size_t);
static int	sess_server_plain(const struct session *);
static void	sess_stopping(struct session *, const char *);
static void	sess_stop_wait(struct session *);
static int	side_fin_after_reply(const struct side *);
static void	sess_end_server_last(struct session *, int, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));
static void	log_session_line(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));

static time_t
now_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec);
}

/* Decimal digits of v at p; p just past them. */
static char *
put_dec(char *p, unsigned int v)
{
	char	d[10];
	int	n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		*p++ = d[--n];
	return (p);
}

/*
 * "a.b.c.d:port", as inet_ntop and "%s:%u" write it (truncated as
 * snprintf would), written by hand: it is in every session's lines, and
 * the stdio way cost as much as the rest of a setup's own work.
 */
const char *
sa_str(const struct sockaddr_in *sin, char *buf, size_t len)
{
	char		 t[sizeof("255.255.255.255:65535")], *p = t;
	const uint8_t	*o = (const uint8_t *)&sin->sin_addr;
	int		 i;

	for (i = 0; i < 4; i++) {
		p = put_dec(p, o[i]);
		*p++ = i < 3 ? '.' : ':';
	}
	p = put_dec(p, ntohs(sin->sin_port));
	*p = '\0';
	if (len > 0)
		strlcpy(buf, t, len);
	return (buf);
}

static struct addr_count *
addr_get(uint32_t addr, int create)
{
	struct addr_count	 key, *ac;

	key.addr = addr;
	if ((ac = RB_FIND(addr_tree, &addrs, &key)) != NULL || !create)
		return (ac);
	if ((ac = calloc(1, sizeof(*ac))) == NULL)
		return (NULL);
	ac->addr = addr;
	RB_INSERT(addr_tree, &addrs, ac);
	return (ac);
}

static void
addr_put(uint32_t addr)
{
	struct addr_count	*ac;

	if ((ac = addr_get(addr, 0)) == NULL)
		return;
	if (--ac->n == 0) {
		RB_REMOVE(addr_tree, &addrs, ac);
		free(ac);
	}
}

static void
sock_nodelay(int fd)
{
	int	one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Dead peers: keepalives after 60 s of silence, unacknowledged data. */
static void
sock_keepalive(int fd)
{
	int	one = 1;

	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
#ifdef TCP_KEEPIDLE
	{
		int idle = 60, intvl = 15, cnt = 4;

		(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle,
		    sizeof(idle));
		(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
		    sizeof(intvl));
		(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt,
		    sizeof(cnt));
	}
#endif
#ifdef TCP_USER_TIMEOUT
	{
		/* Unacknowledged data this long means the peer is gone. */
		unsigned int ms = 120 * 1000;

		(void)setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms,
		    sizeof(ms));
	}
#endif
}

/*
 * The keepalive options of the sessions begun since the last tick (once
 * a second): a session ended by then (most that carry one quick call)
 * never needed them, and the first keepalive comes 60 to 61 s into a
 * silence instead of 60.  Session numbers grow with time, so the
 * sessions to do are those after the last one done (one that connects
 * to its server later, after its ACL command, is done then).
 */
static uint64_t		 tuned_upto;	/* sessions up to this one: done */

static void
sess_tune_new(void)
{
	struct session	 key, *s;
	int		 i;

	key.id = tuned_upto + 1;
	for (s = RB_NFIND(sess_tree, &sessions, &key); s != NULL;
	    s = RB_NEXT(sess_tree, &sessions, s)) {
		tuned_upto = s->id;
		for (i = 0; i < 2; i++) {
			if (s->side[i].fd == -1 || (i == PPTP_CLIENT &&
			    os_accept_keeps_sockopts()))
				continue;
			sock_keepalive(s->side[i].fd);
		}
	}
}

/* Proxy names outlive reloads; there are few. */
static const char *
name_intern(const char *name)
{
	static char	**names;
	static size_t	  nnames;
	char		**nn;
	size_t		  i;

	for (i = 0; i < nnames; i++)
		if (strcmp(names[i], name) == 0)
			return (names[i]);
	if ((nn = reallocarray(names, nnames + 1, sizeof(*names))) == NULL)
		return ("?");
	names = nn;
	if ((names[nnames] = strdup(name)) == NULL)
		return ("?");
	return (names[nnames++]);
}

/*
 * A line a remote peer can provoke that is not a refusal: in full at
 * debug level, limited otherwise.  log_session_due() first, then
 * log_session_line(): a line held back (most, while many sessions come)
 * is not even formatted, its arguments included.
 */
static int
log_session_due(struct log_limit *ll)
{
	return (log_getlevel() >= LOG_LVL_DEBUG || log_limit_pass(ll));
}

static void
log_session_line(const char *fmt, ...)
{
	va_list	ap;
	char	buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (log_getlevel() >= LOG_LVL_DEBUG)
		log_info("%s", buf);
	else
		log_notice("%s", buf);
}

/* The counters of the proxy with this name; there are few. */
static unsigned int
pstat_of(const char *name)
{
	struct pstat	*np;
	unsigned int	 i;

	name = name_intern(name);
	for (i = 0; i < npstats; i++)
		if (pstats[i].name == name)
			return (i);
	if ((np = reallocarray(pstats, npstats + 1, sizeof(*np))) == NULL)
		fatal("proxy counters");
	pstats = np;
	memset(&pstats[npstats], 0, sizeof(pstats[npstats]));
	pstats[npstats].name = name;
	return (npstats++);
}

static const char *
s_why(const struct session *s)
{
	return (s->why != NULL ? s->why : "?");
}

static const char *
side_name(const struct side *sd)
{
	return (sd->idx == PPTP_CLIENT ? "client" : "server");
}

/* fd -1: the side is not open yet. */
static void
side_init(struct session *s, int idx, int fd)
{
	struct side	*sd = &s->side[idx];

	sd->sess = s;
	sd->idx = idx;
	sd->fd = fd;
	event_assign(&sd->ev, cbase, fd, EV_READ | EV_PERSIST, ctl_readcb, sd);
}

static void
side_start_reading(struct side *sd)
{
	event_assign(&sd->ev, cbase, sd->fd, EV_READ | EV_PERSIST, ctl_readcb,
	    sd);
	event_add(&sd->ev, NULL);
}

static size_t
side_queued(const struct side *sd)
{
	return (sd->out == NULL ? 0 : sd->out->len - sd->out->off);
}

static void
outq_free(struct side *sd)
{
	if (sd->out == NULL)
		return;
	event_del(&sd->out->wev);
	free(sd->out->buf);
	free(sd->out);
	sd->out = NULL;
}

/* Queue what the socket did not take; -1: out of memory. */
static int
outq_add(struct side *sd, const uint8_t *buf, size_t len)
{
	struct outq	*q = sd->out;
	uint8_t		*nb;
	size_t		 cap;

	if (q == NULL) {
		if ((q = calloc(1, sizeof(*q))) == NULL)
			return (-1);
		event_assign(&q->wev, cbase, sd->fd, EV_WRITE | EV_PERSIST,
		    ctl_writecb, sd);
		sd->out = q;
	}
	if (q->len + len > q->cap) {
		if (q->off > 0) {
			memmove(q->buf, q->buf + q->off, q->len - q->off);
			q->len -= q->off;
			q->off = 0;
		}
		for (cap = q->cap ? q->cap : 512; cap < q->len + len; cap *= 2)
			;
		if (cap != q->cap) {
			if ((nb = realloc(q->buf, cap)) == NULL)
				return (-1);
			q->buf = nb;
			q->cap = cap;
		}
	}
	memcpy(q->buf + q->len, buf, len);
	q->len += len;
	if (!event_pending(&q->wev, EV_WRITE, NULL))
		event_add(&q->wev, NULL);
	return (0);
}

/*
 * Send a message to a side: straight to its socket when nothing waits
 * before it.  -1: the session was closed (and may be gone).
 */
static int
side_send(struct side *sd, const uint8_t *buf, size_t len)
{
	struct session	*s = sd->sess;
	ssize_t		 n = 0;

	if (side_queued(sd) == 0) {
		n = write(sd->fd, buf, len);
		if (n == (ssize_t)len)
			return (0);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR) {
				sd->broken = 1;
				sess_close(s, "%s: %s", side_name(sd),
				    strerror(errno));
				return (-1);
			}
			n = 0;
		}
	}
	if (outq_add(sd, buf + n, len - (size_t)n) == -1) {
		sess_close(s, "out of memory");
		return (-1);
	}
	return (0);
}

/*
 * Accept.
 */
static void
ctl_pause_done(int fd, short ev, void *arg)
{
	struct listener	*l;

	TAILQ_FOREACH(l, &listeners, entry)
		event_add(&l->ev, NULL);
}

/*
 * A listener that defers (os_listen_defer()) hands over a connection
 * with its first bytes as a rule: they are read at once, which saves the
 * wake-up, and the registration, that waiting for them would cost.  -1:
 * the session was closed.
 */
static int
sess_read_first(struct session *s)
{
	struct side	*cl = &s->side[PPTP_CLIENT];
	uint8_t		 buf[CTL_ACL_HOLD];
	ssize_t		 n;

	n = read(cl->fd, buf, sizeof(buf));
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return (0);
		sess_close(s, "client: %s before its first message",
		    strerror(errno));
		return (-1);
	}
	if (n == 0) {
		sess_close(s, "client closed before its first message");
		return (-1);
	}
	if ((cl->part = malloc(CTL_ACL_HOLD)) == NULL) {
		sess_close(s, "out of memory");
		return (-1);
	}
	memcpy(cl->part, buf, (size_t)n);
	cl->partlen = (uint16_t)n;
	return (0);
}

static int
acl_has_rules(const struct proxy_conf *pc)
{
	return (!TAILQ_EMPTY(&pc->subnets) || !TAILQ_EMPTY(&pc->cmds) ||
	    !TAILQ_EMPTY(&cconf->subnets) || !TAILQ_EMPTY(&cconf->cmds));
}

static void
ctl_accept(int fd, short ev, void *arg)
{
	struct listener		*l = arg;
	struct proxy_conf	*pc = l->pc;
	struct session		*s;
	struct addr_count	*ac;
	struct sockaddr_in	 sin;
	struct acl_req		 req;
	struct timeval		 tv;
	socklen_t		 len;
	char			 a[64], b[64];
	int			 cfd, i;

	/*
	 * One a wake-up: the listener is level-triggered, so the rest wait
	 * one turn of the loop, after the sessions.  (Accepting until
	 * accept(2) found none cost a failing system call for each
	 * connection that came alone; one a turn costs a turn of the loop
	 * for each connection of a burst, whose sessions share it.)
	 */
	for (i = 0; i < CTL_ACCEPTS_PER_WAKE; i++) {
		len = sizeof(sin);
		cfd = accept4(fd, (struct sockaddr *)&sin, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Out of descriptors: stop accepting a second. */
				log_limited(&ll_refuse, "accept on %s: %s",
				    pc->name, strerror(errno));
				TAILQ_FOREACH(l, &listeners, entry)
					event_del(&l->ev);
				tv.tv_sec = 1;
				tv.tv_usec = 0;
				tmr_add(&ev_pause, &tv);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED && errno != EWOULDBLOCK)
				log_warn("accept on %s", pc->name);
			return;
		}
		if (len != sizeof(sin) || sin.sin_family != AF_INET) {
			close(cfd);
			continue;
		}
		if (!connpool_decide(&cpool, nsessions, cconf->max_conn)) {
			pstats[pstat_of(pc->name)].refused_limit++;
			log_limited(&ll_full, "refused %s on %s: %u control "
			    "connections already (limit connections%s)",
			    sa_str(&sin, a, sizeof(a)), pc->name, nsessions,
			    relay.count > 1 ? ", all relays" : "");
			close(cfd);
			continue;
		}
		ac = addr_get(sin.sin_addr.s_addr, 1);
		if (ac == NULL || ac->n >= cconf->max_conn_per_addr) {
			pstats[pstat_of(pc->name)].refused_limit++;
			log_limited(&ll_refuse, "refused %s on %s: %u control "
			    "connections from that address already (limit "
			    "connections per-address)",
			    sa_str(&sin, a, sizeof(a)), pc->name,
			    ac ? ac->n : 0);
			close(cfd);
			continue;
		}
		/*
		 * Its two timers' room on the heap is made now (beside the
		 * few of the process), so that adding them cannot fail.
		 */
		if ((s = slab_get(&sess_slab)) == NULL ||
		    tmr_room(2 * sess_slab.inuse + 16) == -1) {
			log_warn("session");
			if (s != NULL)
				slab_put(&sess_slab, s);
			close(cfd);
			continue;
		}
		ac->n++;
		nsessions++;
		connpool_set(&cpool, nsessions);
		/* Each relay's own numbers (relay_of_sess()). */
		s->id = next_sess_id;
		next_sess_id += relay.count;
		s->start = s->last_client = now_mono();
		s->proxy = name_intern(pc->name);
		s->proxy_id = pc->id;
		s->ps = pstat_of(pc->name);
		pstats[s->ps].sessions++;
		side_init(s, PPTP_CLIENT, cfd);
		side_init(s, PPTP_SERVER, -1);
		s->side[PPTP_CLIENT].peer = sin;
		s->side[PPTP_SERVER].peer = pc->server;
		/* Our address: the listener's, unless it is the wildcard. */
		s->side[PPTP_CLIENT].local = pc->listen;
		len = sizeof(s->side[PPTP_CLIENT].local);
		if (pc->listen.sin_addr.s_addr == htonl(INADDR_ANY) &&
		    getsockname(cfd,
		    (struct sockaddr *)&s->side[PPTP_CLIENT].local, &len) == -1)
			s->side[PPTP_CLIENT].local = pc->listen;
		pptp_sess_init(&s->pptp, &pool, cconf->max_calls);
		s->tun_want = pc->tunnel;
		if (pc->tunnel)
			s->tun_port = pc->tun_server_port;
		else if (acl_subnet_match(&pc->tun_subnets, sin.sin_addr) ||
		    acl_subnet_match(&cconf->tun_subnets, sin.sin_addr)) {
			s->tun_allowed = 1;
			s->tun_port = pc->tun_port ? pc->tun_port :
			    cconf->tun_port;
		}
		pptp_sess_share(&s->pptp, &ac->share,
		    cconf->max_calls_per_addr);
		if (RB_INSERT(sess_tree, &sessions, s) != NULL)
			fatalx("session %llu: number already in use", SID(s));
		tmr_set(&s->tm_first, cbase, sess_tm_first, s);
		tmr_set(&s->tm_conn, cbase, sess_tm_conn, s);
		tv.tv_sec = cconf->t_first;
		tv.tv_usec = 0;
		if (l->defer > 0) {
			if (sess_read_first(s) == -1)
				continue;
			/*
			 * Silent: the kernel held it that long, and hands
			 * it over now (or it came in a flood, as a SYN
			 * cookie, at once): the rest of the time is ours.
			 */
			if (s->side[PPTP_CLIENT].partlen == 0)
				tv.tv_sec -= l->defer;
		}
		tmr_add(&s->tm_first, &tv);
		/*
		 * Linux: the options came with the listening socket;
		 * elsewhere the keepalives follow (sess_tune_new()).
		 */
		if (!os_accept_keeps_sockopts())
			sock_nodelay(cfd);
		/* Its arguments cost more than the test: not formatted
		 * for a line that is not written. */
		if (log_getlevel() >= LOG_LVL_DEBUG)
			log_debug("session %llu: accepted %s on %s (%s)",
			    SID(s), sa_str(&sin, a, sizeof(a)),
			    sa_str(&s->side[PPTP_CLIENT].local, b,
			    sizeof(b)), pc->name);

		if (acl_subnet_match(&pc->subnets, sin.sin_addr) ||
		    acl_subnet_match(&cconf->subnets, sin.sin_addr) ||
		    !acl_has_rules(pc)) {
			sess_wait_client(s);
			continue;
		}
		if (TAILQ_EMPTY(&pc->cmds) && TAILQ_EMPTY(&cconf->cmds)) {
			pstats[s->ps].refused_acl++;
			sess_close(s, "client %s not allowed on proxy %s "
			    "(acl)", inet_ntop(AF_INET, &sin.sin_addr, a,
			    sizeof(a)), pc->name);
			continue;
		}
		s->state = S_ACL;
		memset(&req, 0, sizeof(req));
		req.reqid = s->id;
		req.proxy_id = pc->id;
		req.client = sin.sin_addr;
		imsgev_compose(&iev_parent, IMSG_ACL_REQ, 0, -1, &req,
		    sizeof(req));
		s->acl_asked = 1;
		/* Notice the client leave while the command runs. */
		event_assign(&s->side[PPTP_CLIENT].ev, cbase, cfd,
		    EV_READ | EV_PERSIST, ctl_holdreadcb,
		    &s->side[PPTP_CLIENT]);
		if (s->side[PPTP_CLIENT].partlen < CTL_ACL_HOLD)
			event_add(&s->side[PPTP_CLIENT].ev, NULL);
	}
}

/*
 * A client waiting for its ACL verdict: keep what it sends (its first
 * message, normally) for the relay, and close the session when it
 * leaves, so that the parent kills the command.  A client that sends
 * more than CTL_ACL_HOLD bytes before its verdict is no longer watched
 * (timeout first-message still ends it).  A client let in that has not
 * said anything yet (S_WAITING): the same, and its first bytes make the
 * connection to the server.
 */
static void
ctl_holdreadcb(int fd, short ev, void *arg)
{
	struct side	*sd = arg;
	struct session	*s = sd->sess;
	ssize_t		 n;

	if (s->state != S_ACL && s->state != S_WAITING) {
		event_del(&sd->ev);
		return;
	}
	if (sd->part == NULL && (sd->part = malloc(CTL_ACL_HOLD)) == NULL) {
		sess_close(s, "out of memory");
		return;
	}
	n = read(sd->fd, sd->part + sd->partlen, CTL_ACL_HOLD - sd->partlen);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		sess_close(s, "client: %s %s", strerror(errno),
		    s->state == S_ACL ? "while its acl command ran" :
		    "before its first message");
		return;
	}
	if (n == 0) {
		sess_close(s, "client closed %s", s->state == S_ACL ?
		    "while its acl command ran" : "before its first message");
		return;
	}
	sd->partlen += (uint16_t)n;
	if (s->state == S_WAITING) {
		event_del(&sd->ev);
		if (sess_first_bytes_ok(s) == 0)
			sess_connect(s);
	} else if (sd->partlen == CTL_ACL_HOLD)
		event_del(&sd->ev);
}

/*
 * The client's first bytes, before the server is connected: bytes that
 * cannot begin a Start-Control-Connection-Request (nor a tunnelling
 * pptpproxy's hello, which tun_record() judges) close the session here,
 * so that junk costs the server nothing (pptpd starts a process for each
 * connection) and takes no port towards it.  The same checks as the
 * relay's (pptp_frame(), then the type pptp_translate() wants first),
 * on what has come so far.  0: connect; -1: the session was closed.
 */
static int
sess_first_bytes_ok(struct session *s)
{
	struct side	*cl = &s->side[PPTP_CLIENT];
	const char	*err = NULL;
	char		 a[64], e[64];
	unsigned int	 type;

	if (tun_is_record(cl->part, cl->partlen))
		return (0);
	if (pptp_frame(cl->part, cl->partlen, NULL, &err) != PPTP_BAD) {
		if (cl->partlen < PPTP_HDR_LEN)
			return (0);
		type = pptp_get16(cl->part, cl->partlen, 8);
		if (type == PPTP_SCCRQ)
			return (0);
		snprintf(e, sizeof(e), "control message type %u as the "
		    "client's first message", type);
		err = e;
	}
	sess_close(s, "protocol violation by the client %s: %s",
	    sa_str(&cl->peer, a, sizeof(a)), err ? err : "bad message");
	return (-1);
}

/*
 * A client let in: the server is connected once the client says
 * something, so that a connection that never speaks costs the server
 * nothing (pptpd takes one connection at a time and waits for its first
 * message before it accepts the next: a few silent ones held it up for
 * everyone, and "timeout connect" closed the clients behind them).
 */
static void
sess_wait_client(struct session *s)
{
	struct side	*cl = &s->side[PPTP_CLIENT];

	/* Past the limits and the ACL. */
	pstats[s->ps].accepted++;
	if (cl->partlen > 0) {
		if (sess_first_bytes_ok(s) == 0)
			sess_connect(s);
		return;
	}
	s->state = S_WAITING;
	event_assign(&cl->ev, cbase, cl->fd, EV_READ | EV_PERSIST,
	    ctl_holdreadcb, cl);
	event_add(&cl->ev, NULL);
}

static void
ctl_acl_result(const struct acl_res *res)
{
	struct session	 key, *s;
	char		 a[INET_ADDRSTRLEN];

	key.id = res->reqid;
	if ((s = RB_FIND(sess_tree, &sessions, &key)) == NULL ||
	    s->state != S_ACL)
		return;
	s->acl_asked = 0;
	event_del(&s->side[PPTP_CLIENT].ev);
	inet_ntop(AF_INET, &s->side[PPTP_CLIENT].peer.sin_addr, a, sizeof(a));
	if (!res->allow) {
		pstats[s->ps].refused_acl++;
		sess_close(s, "client %s not allowed on proxy %s (acl "
		    "command: %.*s)", a, s->proxy, (int)sizeof(res->why),
		    res->why);
		return;
	}
	log_debug("session %llu: client %s allowed (acl command: %.*s)", SID(s),
	    a, (int)sizeof(res->why), res->why);
	sess_wait_client(s);
}

/*
 * Connect to the server without blocking.
 */
static void
sess_connect_failed(struct session *s, int err)
{
	char	a[64];

	pstats[s->ps].server_failed++;
	sess_close(s, "cannot connect to server %s: %s",
	    sa_str(&s->side[PPTP_SERVER].peer, a, sizeof(a)), strerror(err));
}

static void
sess_connect(struct session *s)
{
	struct side	*sv = &s->side[PPTP_SERVER];
	struct timeval	 tv;
	int		 fd;

	s->state = S_CONNECTING;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		sess_close(s, "socket: %s", strerror(errno));
		return;
	}
	/*
	 * The keepalives follow at the next tick, or now when the tick
	 * passed this session while its ACL command ran.
	 */
	sock_nodelay(fd);
	if (s->id <= tuned_upto)
		sock_keepalive(fd);
	sv->fd = fd;
	if (connect(fd, (struct sockaddr *)&sv->peer, sizeof(sv->peer)) == 0) {
		sess_connected(s);
		return;
	}
	if (errno != EINPROGRESS && errno != EINTR) {
		sess_connect_failed(s, errno);
		return;
	}
	switch (os_connect_done(fd, (struct sockaddr *)&sv->peer,
	    sizeof(sv->peer))) {
	case 1:
		sess_connected(s);
		return;
	case -1:
		sess_connect_failed(s, errno);
		return;
	}
	/* Not yet: wait for the socket to turn writable, for a while. */
	event_assign(&sv->ev, cbase, fd, EV_WRITE, ctl_connectcb, sv);
	event_add(&sv->ev, NULL);
	tv.tv_sec = cconf->t_connect;
	tv.tv_usec = 0;
	tmr_add(&s->tm_conn, &tv);
}

static void
ctl_connectcb(int fd, short ev, void *arg)
{
	struct side	*sv = arg;
	socklen_t	 len;
	int		 err = 0;

	len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0)
		sess_connect_failed(sv->sess, err);
	else
		sess_connected(sv->sess);
}

static void
sess_connected(struct session *s)
{
	struct side	*sv = &s->side[PPTP_SERVER];
	struct side	*cl = &s->side[PPTP_CLIENT];
	socklen_t	 len = sizeof(sv->local);
	char		 a[64], b[64], c[64], d[64];

	tmr_del(&s->tm_conn);
	if (getsockname(sv->fd, (struct sockaddr *)&sv->local, &len) == -1) {
		sess_close(s, "getsockname: %s", strerror(errno));
		return;
	}
	s->state = S_RELAY;
	if (log_session_due(&ll_session))
		log_session_line("session %llu: %s -> %s relayed to %s from "
		    "%s (%s)", SID(s), sa_str(&cl->peer, a, sizeof(a)),
		    sa_str(&cl->local, b, sizeof(b)),
		    sa_str(&sv->peer, c, sizeof(c)),
		    sa_str(&sv->local, d, sizeof(d)), s->proxy);
	if (s->tun_want) {
		/* The client's messages wait until the tunnel is agreed. */
		tun_hello_send(s);
		return;
	}
	side_start_reading(sv);
	/* Acknowledgements late from the server's first reply on. */
	if (side_start_client(s) == 0)
		os_tcp_ack_late(sv->fd);
}

/*
 * The client's side relays, starting with what it sent before the
 * server was connected.  -1: the session was closed.
 */
static int
side_start_client(struct session *s)
{
	struct side	*cl = &s->side[PPTP_CLIENT];

	if (cl->partlen > 0) {
		/* Relayed first, then read (side_resume()): no poll change
		 * in between. */
		event_del(&cl->ev);
		event_assign(&cl->ev, cbase, cl->fd, EV_READ | EV_PERSIST,
		    ctl_readcb, cl);
		return (side_resume(cl));
	}
	side_start_reading(cl);
	return (0);
}

/*
 * Relay whole messages.
 */
static void
ctl_readcb(int fd, short ev, void *arg)
{
	struct side	*sd = arg;
	struct session	*s = sd->sess;
	uint8_t		 buf[CTL_BUF];
	size_t		 space, len;
	ssize_t		 n;
	int		 i;
	char		 a[64];

	if (s->state == S_STOPPING) {
		side_drain(sd);
		return;
	}
	/*
	 * At most CTL_READS_PER_WAKE reads, then back to the loop: the
	 * event is level-triggered, so a side with more to read is called
	 * again after the others had their turn.
	 */
	for (i = 0; i < CTL_READS_PER_WAKE && s->state == S_RELAY &&
	    !sd->throttled; i++) {
		len = sd->partlen;
		if (len > 0)
			memcpy(buf, sd->part, len);
		space = sizeof(buf) - len;
		if (space < PPTP_MAX_MSG) {
			/* Cannot happen: only a throttle holds more back. */
			sess_close(s, "%s: read buffer full", side_name(sd));
			return;
		}
		n = read(sd->fd, buf + len, space);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return;
		if (n <= 0 && s->tun_state == TS_HELLO) {
			log_warnx("session %llu: server %s is not a tunnelling "
			    "pptpproxy (it %s the connection after our tunnel "
			    "hello)", SID(s), sa_str(&sd->peer, a, sizeof(a)),
			    n == 0 ? "closed" : "reset");
			sess_close(s, "server %s is not a tunnelling pptpproxy",
			    a);
			return;
		}
		if (n == -1 && sd->idx == PPTP_CLIENT) {
			sess_end_server_last(s, 1, "client: %s",
			    strerror(errno));
			return;
		}
		if (n == -1) {
			sess_close(s, "%s: %s", side_name(sd),
			    strerror(errno));
			return;
		}
		if (n == 0 && sd->idx == PPTP_CLIENT) {
			sess_end_server_last(s, 1, "client closed");
			return;
		}
		if (n == 0) {
			sess_close(s, "%s closed", side_name(sd));
			return;
		}
		if (side_relay(sd, buf, len + (size_t)n) == -1)
			return;
		/* Less than asked for: nothing more to read now. */
		if ((size_t)n < space)
			return;
	}
}

/*
 * Relay what sd->part holds and buf (which starts with a copy of it)
 * adds; keep the rest, a partial message or what a throttle held back,
 * in sd->part.  -1: the session was closed (and may be gone).
 */
static int
side_relay(struct side *sd, uint8_t *buf, size_t len)
{
	ssize_t	used;

	free(sd->part);
	sd->part = NULL;
	sd->partlen = 0;
	if ((used = side_process(sd, buf, len)) == -1)
		return (-1);
	if ((size_t)used < len) {
		if ((sd->part = malloc(len - (size_t)used)) == NULL) {
			sess_close(sd->sess, "out of memory");
			return (-1);
		}
		memcpy(sd->part, buf + used, len - (size_t)used);
		sd->partlen = (uint16_t)(len - (size_t)used);
	}
	return (0);
}

/* Reading again after a throttle: first what was held back. */
static int
side_resume(struct side *sd)
{
	uint8_t	buf[CTL_BUF];
	size_t	len = sd->partlen;

	sd->throttled = 0;
	if (len > 0) {
		memcpy(buf, sd->part, len);
		if (side_relay(sd, buf, len) == -1)
			return (-1);
	}
	if (!sd->throttled)
		event_add(&sd->ev, NULL);
	return (0);
}

/*
 * The whole messages in buf, in order, translated and sent on: how many
 * bytes were, or -1: the session was closed (and may be gone).
 */
static ssize_t
side_process(struct side *sd, uint8_t *buf, size_t len)
{
	struct session		*s = sd->sess;
	struct side		*other = &s->side[PPTP_OTHER(sd->idx)];
	struct pptp_xlate	 x;
	const char		*err = NULL;
	char			 desc[512], a[64];
	size_t			 off = 0, mlen;
	int			 r;

	while (s->state == S_RELAY && !sd->throttled && off < len) {
		if ((s->tun_state == TS_HELLO && sd->idx == PPTP_SERVER) ||
		    ((s->tun_side == sd->idx + 1 || (sd->msgs == 0 &&
		    sd->idx == PPTP_CLIENT)) &&
		    tun_is_record(buf + off, len - off))) {
			if ((r = tun_record(sd, buf + off, len - off,
			    &mlen)) == -1)
				return (-1);
			if (r == 0)
				break;
			off += mlen;
			continue;
		}
		r = pptp_frame(buf + off, len - off, &mlen, &err);
		if (r == PPTP_BAD)
			goto violation;
		if (r != PPTP_WHOLE)
			break;
		r = pptp_translate(&s->pptp, sd->idx, buf + off, mlen,
		    now_mono(), &x, &err);
		if (r == -1)
			goto violation;
		sd->msgs++;
		if (sd->idx == PPTP_CLIENT) {
			s->last_client = now_mono();
			if (sd->msgs == 1)
				tmr_del(&s->tm_first);
		}
		if (log_getlevel() >= LOG_LVL_EXTENSIVE) {
			pptp_describe(buf + off, mlen, &x, desc, sizeof(desc));
			log_extensive("session %llu: %s -> %s: %s", SID(s),
			    side_name(sd), r == PPTP_REFUSED ? "pptpproxy" :
			    side_name(other), desc);
		}
		if (r == PPTP_REFUSED) {
			/* Only this call: the sender gets our refusal. */
			log_limited(&ll_call, "session %llu: %s %s on %s: %s",
			    SID(s), side_name(sd),
			    sa_str(&sd->peer, a, sizeof(a)), s->proxy, err);
			if (log_getlevel() >= LOG_LVL_EXTENSIVE) {
				pptp_describe(x.reply, x.replylen, NULL, desc,
				    sizeof(desc));
				log_extensive("session %llu: pptpproxy -> %s: "
				    "%s", SID(s), side_name(sd), desc);
			}
			if (side_send(sd, x.reply, x.replylen) == -1)
				return (-1);
			off += mlen;
			if (side_queued(sd) > CTL_HIWAT) {
				/* It sends, and does not read our answers. */
				sd->throttled = 1;
				event_del(&sd->ev);
			}
			continue;
		}
		/* Routes before the message: the peer may answer at once. */
		sess_events(s, x.ev, x.nev);
		if (side_send(other, buf + off, mlen) == -1)
			return (-1);
		off += mlen;
		if (x.type == PPTP_STOPCCRQ && s->stop_by == 0)
			s->stop_by = sd->idx + 1;
		else if (x.type == PPTP_STOPCCRP &&
		    s->stop_by == other->idx + 1) {
			/*
			 * The Stop exchange ends the control connection
			 * (RFC 2637 2.3): the client's side is closed once
			 * the reply has left for the side that asked,
			 * without waiting for the client's FIN; the server,
			 * which closes after its Stop exchange, first.
			 */
			sess_end_server_last(s, 0, "stopped by the %s",
			    side_name(other));
			return (-1);
		}
		if (side_queued(other) > CTL_HIWAT) {
			/* The receiver does not read: stop reading here. */
			sd->throttled = 1;
			event_del(&sd->ev);
			log_debug("session %llu: %s not reading, holding the "
			    "%s", SID(s), side_name(other), side_name(sd));
		}
	}
	return ((ssize_t)off);

 violation:
	/* Logged once, as the reason the session ended. */
	if (sd->idx == PPTP_CLIENT)
		sess_end_server_last(s, 1, "protocol violation by the client "
		    "%s: %s", sa_str(&sd->peer, a, sizeof(a)),
		    err ? err : "bad message");
	else
		sess_close(s, "protocol violation by the server %s: %s",
		    sa_str(&sd->peer, a, sizeof(a)), err ? err : "bad message");
	return (-1);
}

/* A side's socket takes more of what waits for it. */
static void
ctl_writecb(int fd, short ev, void *arg)
{
	struct side	*sd = arg, *other;
	struct session	*s = sd->sess;
	struct outq	*q = sd->out;
	ssize_t		 n;

	if (ev & EV_TIMEOUT) {
		/* Closing, and the peer took nothing for a while. */
		side_release(sd);
		return;
	}
	n = write(sd->fd, q->buf + q->off, q->len - q->off);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		sd->broken = 1;
		if (s->state == S_CLOSING || s->state == S_STOPPING)
			side_release(sd);
		else
			sess_close(s, "%s: %s", side_name(sd),
			    strerror(errno));
		return;
	}
	q->off += (size_t)n;
	if (q->off == q->len)
		outq_free(sd);
	if (s->state == S_CLOSING) {
		if (sd->out == NULL)
			side_release(sd);
		return;
	}
	if (s->state == S_STOPPING) {
		if (sd->out != NULL)
			return;
		/* The client's side is closed once it has what it was
		 * owed; the server's waits for its FIN. */
		if (s->cl_gone && sd->idx == PPTP_CLIENT)
			side_release(sd);
		/* Our FIN follows its reply and what we still owed it. */
		else if (sd->stopped && side_fin_after_reply(sd))
			(void)shutdown(sd->fd, SHUT_WR);
		return;
	}
	/*
	 * A side was held while what it sends waited here: its messages
	 * for the other side, or the proxy's refusals for itself.
	 */
	other = &s->side[PPTP_OTHER(sd->idx)];
	if (other->throttled && side_queued(sd) < CTL_LOWAT &&
	    side_queued(other) < CTL_LOWAT && side_resume(other) == -1)
		return;
	if (sd->throttled && side_queued(sd) < CTL_LOWAT &&
	    side_queued(other) < CTL_LOWAT)
		(void)side_resume(sd);
}

static void
sess_tm_first(int fd, short ev, void *arg)
{
	struct session	*s = arg;
	struct side	*cl = &s->side[PPTP_CLIENT];

	if (s->state == S_CLOSING)
		return;
	if (s->state == S_STOPPING) {
		/* The client did not close first (sess_end_server_last()). */
		s->cl_gone = 1;
		if (cl->fd != -1) {
			event_del(&cl->ev);
			if (side_queued(cl) == 0 || cl->broken)
				side_release(cl);
		}
		return;
	}
	sess_close(s, "no message from the client within %d s (timeout "
	    "first-message)", cconf->t_first);
}

static void
sess_tm_conn(int fd, short ev, void *arg)
{
	struct session		*s = arg;
	struct pptp_call	*c;
	struct side		*cl;
	struct timeval		 tv;
	time_t			 now = now_mono();
	char			 a[64], line[128];

	switch (s->state) {
	case S_STOPPING:
		cl = &s->side[PPTP_CLIENT];
		if (cl->fd == -1 && s->side[PPTP_SERVER].fd == -1) {
			/* Both closed in time; only the GRE counters are late. */
			sess_close(s, "%s", s_why(s));
			return;
		}
		(void)snprintf(line, sizeof(line), "the %s did not end the "
		    "control connection within %d s (timeout stop), closing",
		    cl->fd != -1 ? "client" : "server", cconf->t_stop);
		if ((s->cl_gone || s->cl_fin) && !stopping)
			/* A client's end, a server slow to close: routine. */
			log_debug("session %llu: %s", SID(s), line);
		else {
			/* Counted for the stop's last line only, once. */
			if (stopping) {
				ncut++;
				s->cut = 1;
			}
			log_info("session %llu: %s", SID(s), line);
		}
		sess_close(s, "%s", s_why(s));
		return;
	case S_CONNECTING:
		pstats[s->ps].server_failed++;
		sess_close(s, "server did not answer within %d s (timeout "
		    "connect)", cconf->t_connect);
		return;
	case S_RELAY:
		if (s->tun_state == TS_HELLO) {
			log_warnx("session %llu: server %s is not a tunnelling "
			    "pptpproxy (no answer to our tunnel hello within "
			    "%d s)", SID(s), sa_str(&s->side[PPTP_SERVER].peer,
			    a, sizeof(a)), cconf->t_connect);
			sess_close(s, "server %s is not a tunnelling pptpproxy",
			    a);
			return;
		}
		c = pptp_sess_overdue(&s->pptp, now - cconf->t_setup + 1);
		if (c != NULL) {
			sess_end_server_last(s, 1, "no answer to call %u "
			    "within %d s (timeout call-setup)", c->serial,
			    cconf->t_setup);
			return;
		}
		if (pptp_sess_overdue(&s->pptp, now + 1) != NULL) {
			tv.tv_sec = 1;
			tv.tv_usec = 0;
			tmr_add(&s->tm_conn, &tv);
		}
		return;
	default:
		return;
	}
}

/* A route's counts, at its end: to its session and proxy. */
static void
sess_count(struct session *s, const struct gre_stats *st)
{
	if (st->toside <= PPTP_SERVER) {
		s->packets[st->toside] += st->packets;
		s->bytes[st->toside] += st->bytes;
		pstats[s->ps].packets[st->toside] += st->packets;
		pstats[s->ps].bytes[st->toside] += st->bytes;
		ctl_route_gone(s->id, st->key, st->toside);
	}
	s->spoofed += st->dropped;
	pstats[s->ps].spoofed += st->dropped;
}

/*
 * A route withdrawn from the shared table, and its counts: read there,
 * or, for a route the forwarder handed to the kernel, asked for by
 * message (the kernel's count is added on the way back).
 */
static void
sess_route_del(struct session *s, uint16_t key, uint8_t toside)
{
	struct gre_stats	 st;
	struct gre_key		 k;
	uint32_t		 gen;

	gen = rtable_withdraw(&rtab, key);
	if (rtable_counts(&rtab, key, gen, &st) == 1) {
		memset(&k, 0, sizeof(k));
		k.sess = s->id;
		k.key = key;
		s->pending++;
		imsgev_compose(&iev_gre, IMSG_GRE_DEL, 0, -1, &k, sizeof(k));
		return;
	}
	st.sess = s->id;
	st.toside = toside;
	sess_count(s, &st);
}

/*
 * Apply what the codec said: routes into the shared table (no message:
 * the forwarder reads a route at the call's first packet), log lines.
 */
static void
sess_events(struct session *s, struct pptp_event *ev, int n)
{
	struct gre_route	 gr;
	struct timeval		 tv;
	struct pptp_call	*c;
	int			 i, to;

	for (i = 0; i < n; i++) {
		c = &ev[i].call;
		switch (ev[i].type) {
		case PPTP_EV_ROUTE_ADD:
			to = ev[i].side;
			memset(&gr, 0, sizeof(gr));
			gr.sess = s->id;
			gr.call = c->serial;
			gr.key = c->pres[to];
			gr.newkey = c->real[to];
			gr.from = s->side[PPTP_OTHER(to)].peer.sin_addr;
			gr.to = s->side[to].peer.sin_addr;
			gr.src = s->side[to].local.sin_addr;
			gr.dst = s->side[PPTP_OTHER(to)].local.sin_addr;
			gr.toside = to;
			gr.proxy_id = s->proxy_id;
			if (s->tun_side != 0) {
				gr.token = s->token;
				gr.tunnel = to == s->tun_side - 1 ?
				    TUN_ROUTE_OUT : TUN_ROUTE_IN;
			}
			(void)rtable_put(&rtab, &gr);
			break;
		case PPTP_EV_ROUTE_DEL:
			sess_route_del(s, c->pres[ev[i].side], ev[i].side);
			break;
		case PPTP_EV_CALL_NEW:
			log_debug("session %llu: call %u requested by the %s, "
			    "Call ID %u shown to the %s as %u", SID(s),
			    c->serial, c->origin == PPTP_CLIENT ? "client" :
			    "server", c->real[c->origin],
			    c->origin == PPTP_CLIENT ? "server" : "client",
			    c->pres[c->origin]);
			if (!tmr_pending(&s->tm_conn)) {
				tv.tv_sec = cconf->t_setup;
				tv.tv_usec = 0;
				tmr_add(&s->tm_conn, &tv);
			}
			break;
		case PPTP_EV_CALL_UP:
			s->calls++;
			pstats[s->ps].calls_total++;
			log_info("session %llu: call %u up: client Call ID %u "
			    "(shown to the server as %u), server Call ID %u "
			    "(shown to the client as %u)", SID(s), c->serial,
			    c->real[PPTP_CLIENT], c->pres[PPTP_CLIENT],
			    c->real[PPTP_SERVER], c->pres[PPTP_SERVER]);
			break;
		case PPTP_EV_CALL_FAILED:
			if (log_session_due(&ll_call))
				log_session_line("session %llu: call %u not "
				    "set up: result code %u", SID(s),
				    c->serial, ev[i].result);
			break;
		case PPTP_EV_CALL_END:
			log_info("session %llu: call %u down after %llds: client "
			    "Call ID %u/%u, server Call ID %u/%u", SID(s),
			    c->serial, (long long)(now_mono() - c->since),
			    c->real[PPTP_CLIENT], c->pres[PPTP_CLIENT],
			    c->real[PPTP_SERVER], c->pres[PPTP_SERVER]);
			break;
		}
	}
}

static void
ctl_gre_stats(const struct gre_stats *st)
{
	struct session	 key, *s;

	key.id = st->sess;
	if ((s = RB_FIND(sess_tree, &sessions, &key)) == NULL)
		return;
	sess_count(s, st);
	if (s->pending > 0)
		s->pending--;
	if (s->state == S_CLOSING || s->state == S_STOPPING)
		sess_finish_if_done(s);
}

static void
ctl_gre_idle(const struct gre_key *k)
{
	struct session	 key, *s;

	key.id = k->sess;
	if ((s = RB_FIND(sess_tree, &sessions, &key)) == NULL ||
	    s->state != S_RELAY || cconf->t_idle <= 0)
		return;
	if (now_mono() - s->last_client >= cconf->t_idle)
		sess_end_server_last(s, 1, "idle for %d s (timeout idle)",
		    cconf->t_idle);
}

/* Sessions without calls that the client left silent too long. */
static void
ctl_idle_sweep(int fd, short ev, void *arg)
{
	struct session	*s, *next;
	struct timeval	 tv;
	time_t		 now = now_mono();

	if (cconf->t_idle <= 0)
		return;
	RB_FOREACH_SAFE(s, sess_tree, &sessions, next) {
		if (s->state == S_RELAY && s->pptp.ncalls == 0 &&
		    now - s->last_client >= cconf->t_idle)
			sess_end_server_last(s, 1, "idle for %d s (timeout "
			    "idle)", cconf->t_idle);
	}
	tv.tv_sec = cconf->t_idle / 2 > 0 ? cconf->t_idle / 2 : 1;
	tv.tv_usec = 0;
	tmr_add(&ev_idle, &tv);
}

/*
 * Closing: clear the calls, flush what is queued for a side that can
 * still take it, then wait for the GRE counters before the last line.
 */
static void
side_shut(struct side *sd)
{
	if (sd->fd == -1)
		return;
	event_del(&sd->ev);
	outq_free(sd);
	free(sd->part);
	sd->part = NULL;
	sd->partlen = 0;
	close(sd->fd);
	sd->fd = -1;
}

/* Closing: the last line once both sides are shut and GRE answered. */
static void
sess_finish_if_done(struct session *s)
{
	if (s->side[0].fd == -1 && s->side[1].fd == -1 && s->pending == 0)
		sess_finish(s);
}

static void
side_release(struct side *sd)
{
	struct session	*s = sd->sess;

	side_shut(sd);
	sess_finish_if_done(s);
}

static void
sess_close(struct session *s, const char *fmt, ...)
{
	struct pptp_event	 ev[PPTP_MAX_EVENTS];
	struct timeval		 tv;
	struct side		*sd;
	va_list			 ap;
	char			 why[256];
	int			 n, i;

	if (s->state == S_CLOSING)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	free(s->why);
	s->why = strdup(why);
	if (s->acl_asked) {
		/* No one waits for the verdict: the command is killed. */
		struct acl_cancel	c;

		memset(&c, 0, sizeof(c));
		c.reqid = s->id;
		imsgev_compose(&iev_parent, IMSG_ACL_CANCEL, 0, -1, &c,
		    sizeof(c));
		s->acl_asked = 0;
	}
	s->state = S_CLOSING;
	tmr_del(&s->tm_first);
	tmr_del(&s->tm_conn);
	while ((n = pptp_sess_clear(&s->pptp, ev, PPTP_MAX_EVENTS)) > 0)
		sess_events(s, ev, n);

	for (i = 0; i < 2; i++) {
		sd = &s->side[i];
		if (sd->fd == -1)
			continue;
		if (side_queued(sd) > 0 && !sd->broken) {
			/* Flush what waits, for a while. */
			event_del(&sd->ev);
			event_del(&sd->out->wev);
			tv.tv_sec = CTL_FLUSH_SECS;
			tv.tv_usec = 0;
			event_add(&sd->out->wev, &tv);
		} else
			side_shut(sd);
	}
	sess_finish_if_done(s);
}

/*
 * Ending a session gracefully (RFC 2637 2.3): a Stop-Control-Connection-
 * Request (Stop-Local-Shutdown) to both sides, which clears every call
 * implicitly, and from then on nothing relayed.  No Call-Clear-Request or
 * Call-Disconnect-Notify goes first: pptpd ends its control connection as
 * soon as its call is cleared, and the Stop that follows is answered by a
 * reset instead of a Stop-Control-Connection-Reply.  A client that
 * answers with its Stop-Control-Connection-Reply gets our FIN once it has
 * what we owed it; a server closes first after its reply, as in
 * sess_end_server_last() (a tunnel's gets our FIN).  The session ends
 * when both sides have closed (FIN, not a reset) and the GRE counters
 * are in, or when the drain time (timeout stop) is over.  A session not
 * relaying yet has no PPTP peer to tell: it just closes.
 */
void
sess_stop(struct session *s, const char *why)
{
	uint8_t			 buf[PPTP_MAX_MSG];
	size_t			 len;
	int			 i;

	if (s->state == S_CLOSING || s->state == S_STOPPING)
		return;
	if (s->state != S_RELAY ||
	    (s->pptp.started & PPTP_STARTED) != PPTP_STARTED) {
		sess_close(s, "%s", why);
		return;
	}
	sess_stopping(s, why);
	s->srv_last = sess_server_plain(s);
	len = pptp_build_stop(buf, sizeof(buf), PPTP_STOP_LOCAL);
	for (i = 0; i < 2; i++)
		stop_send(&s->side[i], buf, len);
	log_debug("session %llu: stopping (%s): Stop-Control-Connection-"
	    "Request sent to both sides", SID(s), why);
	sess_stop_wait(s);
}

/*
 * The session ends on the client's side (it closed, failed or broke the
 * protocol), by a timeout (a call left unanswered, as a rule by the
 * server: timeout call-setup; a client silent too long: timeout idle) or
 * with a Stop exchange, while the server's connection is up:
 * the server closes first.  The end of a TCP connection that closes first
 * keeps its TIME_WAIT for a minute, and on the firewall each such
 * connection to a server holds one of the few tens of thousands of local
 * ports towards it: a few hundred sessions a second, or a client opening
 * and dropping control connections, would use them all up, and the next
 * connections to that server would fail.  So the client's side is closed
 * now (once it has what it was owed), except after a Stop exchange the
 * client asked for, where it has CTL_CLIENT_FIN_MS to close first (the
 * firewall then keeps no TIME_WAIT towards it either, and the client's
 * close is cheaper: about 4% more setups one at a time in the lab);
 * a server that has not stopped yet
 * gets a Stop-Control-Connection-Request (stop; pptpd and accel-ppp close
 * right after their reply), and its FIN is awaited, at most timeout stop,
 * the session's calls cleared meanwhile.  A server that was sent nothing
 * has nothing to lose: it is reset.  Tunnels close as before.
 */
static void
sess_end_server_last(struct session *s, int stop, const char *fmt, ...)
{
	struct side		*cl = &s->side[PPTP_CLIENT];
	struct side		*sv = &s->side[PPTP_SERVER];
	struct linger		 lg;
	struct timeval		 tv;
	uint8_t			 buf[PPTP_MAX_MSG];
	size_t			 len;
	va_list			 ap;
	char			 why[256];

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (s->state != S_RELAY || sv->fd == -1 || sv->broken ||
	    !sess_server_plain(s)) {
		sess_close(s, "%s", why);
		return;
	}
	if (cl->msgs == 0) {
		lg.l_onoff = 1;
		lg.l_linger = 0;
		(void)setsockopt(sv->fd, SOL_SOCKET, SO_LINGER, &lg,
		    sizeof(lg));
		sess_close(s, "%s", why);
		return;
	}
	sess_stopping(s, why);
	s->srv_last = 1;
	if (!stop && s->stop_by == PPTP_CLIENT + 1 && cl->fd != -1 &&
	    !cl->broken) {
		/*
		 * The client asked and has its reply (or will, once it is
		 * flushed): it closes first, as it would with the server,
		 * and its FIN is read (side_drain()), so that the firewall
		 * keeps no TIME_WAIT towards it.  Not for long: then ours.
		 */
		s->cl_fin = 1;
		tv.tv_sec = CTL_CLIENT_FIN_MS / 1000;
		tv.tv_usec = (CTL_CLIENT_FIN_MS % 1000) * 1000;
		tmr_add(&s->tm_first, &tv);
	} else {
		s->cl_gone = 1;
		if (cl->fd != -1) {
			event_del(&cl->ev);
			if (side_queued(cl) == 0 || cl->broken)
				side_shut(cl);
		}
	}
	if (stop) {
		len = pptp_build_stop(buf, sizeof(buf), PPTP_STOP_NONE);
		stop_send(sv, buf, len);
	}
	sess_stop_wait(s);
}

/* A plain PPTP server, not a tunnel's (those close as before). */
static int
sess_server_plain(const struct session *s)
{
	return (!s->tun_want && s->tun_side == 0 && s->tun_state == TS_NONE);
}

/*
 * The steps every graceful end begins with: the reason kept for the last
 * line, nothing relayed from now on, the running session's timers
 * stopped and its calls cleared.
 */
static void
sess_stopping(struct session *s, const char *why)
{
	struct pptp_event	ev[PPTP_MAX_EVENTS];
	int			n;

	free(s->why);
	s->why = strdup(why);
	s->state = S_STOPPING;
	tmr_del(&s->tm_first);
	tmr_del(&s->tm_conn);
	while ((n = pptp_sess_clear(&s->pptp, ev, PPTP_MAX_EVENTS)) > 0)
		sess_events(s, ev, n);
}

/*
 * And the steps it ends with: a side still to be heard from is read
 * again where a throttle stopped it, to see its reply or its FIN, for at
 * most the drain time (timeout stop).
 */
static void
sess_stop_wait(struct session *s)
{
	struct side	*sd;
	struct timeval	 tv;
	int		 i;

	for (i = 0; i < 2; i++) {
		sd = &s->side[i];
		if (sd->fd == -1 || !sd->throttled ||
		    (i == PPTP_CLIENT && s->cl_gone))
			continue;
		sd->throttled = 0;
		event_add(&sd->ev, NULL);
	}
	tv.tv_sec = cconf->t_stop;
	tv.tv_usec = 0;
	tmr_add(&s->tm_conn, &tv);
	sess_finish_if_done(s);
}

/* Stopping: a side's Stop-Control-Connection-Reply earns it our FIN,
 * except a server's that is to close first. */
static int
side_fin_after_reply(const struct side *sd)
{
	return (!(sd->idx == PPTP_SERVER && sd->sess->srv_last));
}

/* Stopping: a message of our own; a side that cannot take it is shut. */
static void
stop_send(struct side *sd, const uint8_t *buf, size_t len)
{
	ssize_t	n = 0;

	if (sd->fd == -1 || len == 0)
		return;
	if (side_queued(sd) == 0) {
		n = write(sd->fd, buf, len);
		if (n == (ssize_t)len)
			return;
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR) {
				sd->broken = 1;
				side_shut(sd);
				return;
			}
			n = 0;
		}
	}
	if (outq_add(sd, buf + n, len - (size_t)n) == -1)
		side_shut(sd);
}

/*
 * Stopping: read what a side still sends and relay none of it.  Its
 * Stop-Control-Connection-Reply earns it our FIN; its own FIN (or an
 * error) closes the side.
 */
static void
side_drain(struct side *sd)
{
	uint8_t	 buf[CTL_BUF];
	size_t	 len, off, mlen, space;
	ssize_t	 n;
	int	 r, i;

	/* Bounded per wake-up, as ctl_readcb. */
	for (i = 0; i < CTL_READS_PER_WAKE; i++) {
		len = sd->partlen;
		if (len > 0)
			memcpy(buf, sd->part, len);
		space = sizeof(buf) - len;
		n = read(sd->fd, buf + len, space);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return;
		if (n <= 0) {
			side_release(sd);
			return;
		}
		len += (size_t)n;
		off = 0;
		while ((r = pptp_frame(buf + off, len - off, &mlen,
		    NULL)) == PPTP_WHOLE) {
			if (pptp_get16(buf + off, mlen, 8) == PPTP_STOPCCRP &&
			    !sd->stopped) {
				sd->stopped = 1;
				log_debug("session %llu: the %s answered the "
				    "Stop-Control-Connection-Request",
				    SID(sd->sess), side_name(sd));
				if (side_queued(sd) == 0 &&
				    side_fin_after_reply(sd))
					(void)shutdown(sd->fd, SHUT_WR);
			}
			off += mlen;
		}
		if (r == PPTP_BAD)
			off = len;	/* not worth reading any more */
		free(sd->part);
		sd->part = NULL;
		sd->partlen = 0;
		if (off < len && (sd->part = malloc(len - off)) != NULL) {
			memcpy(sd->part, buf + off, len - off);
			sd->partlen = (uint16_t)(len - off);
		}
		if ((size_t)n < space)
			return;
	}
}

static void
sess_finish(struct session *s)
{
	struct tun_key	tk;
	char		a[64], t[192];

	/* A stop that ended before its drain time leaves the timer set. */
	tmr_del(&s->tm_first);
	tmr_del(&s->tm_conn);
	if (s->tun_side != 0) {
		memset(&tk, 0, sizeof(tk));
		tk.sess = s->id;
		tk.token = s->token;
		imsgev_compose(&iev_gre, IMSG_TUN_DEL, 0, -1, &tk, sizeof(tk));
	}
	if (s->calls > 0 || log_getlevel() >= LOG_LVL_DEBUG)
		log_info("session %llu: %s ended after %llds (%s): %u call%s, "
		    "to server %llu packets %llu bytes, to client %llu "
		    "packets %llu bytes%s%s", SID(s),
		    sa_str(&s->side[PPTP_CLIENT].peer, a, sizeof(a)),
		    (long long)(now_mono() - s->start), s_why(s), s->calls,
		    s->calls == 1 ? "" : "s",
		    (unsigned long long)s->packets[PPTP_SERVER],
		    (unsigned long long)s->bytes[PPTP_SERVER],
		    (unsigned long long)s->packets[PPTP_CLIENT],
		    (unsigned long long)s->bytes[PPTP_CLIENT],
		    s->spoofed ? ", spoofed GRE dropped" : "",
		    tun_desc(s, t, sizeof(t)));
	else
		/* Refused, or no call: one line, naming proxy and reason. */
		log_limited(s->side[PPTP_SERVER].msgs > 0 ? &ll_session :
		    &ll_refuse, "session %llu: %s on %s closed after %llds: %s",
		    SID(s), sa_str(&s->side[PPTP_CLIENT].peer, a, sizeof(a)),
		    s->proxy, (long long)(now_mono() - s->start), s_why(s));
	RB_REMOVE(sess_tree, &sessions, s);
	addr_put(s->side[PPTP_CLIENT].peer.sin_addr.s_addr);
	nsessions--;
	connpool_set(&cpool, nsessions);
	pstats[s->ps].sessions--;
	pstats[s->ps].tun_dropped[PPTP_CLIENT] += tun_drops(s, PPTP_CLIENT);
	pstats[s->ps].tun_dropped[PPTP_SERVER] += tun_drops(s, PPTP_SERVER);
	nfreed++;
	free(s->why);
	slab_put(&sess_slab, s);
	if (stopping && nsessions == 0) {
		/* The last one: exit from the loop, not from down here. */
		evtimer_del(&ev_stop);
		event_active(&ev_stop, EV_TIMEOUT, 0);
	}
}

/*
 * Rows for the control socket (ctl.c).
 */
static struct session *
sess_by_id(uint64_t id)
{
	struct session	key;

	if (id == 0)
		return (NULL);
	key.id = id;
	return (RB_FIND(sess_tree, &sessions, &key));
}

/* The id of the first session after `after`, 0: none. */
uint64_t
relay_sess_next(uint64_t after)
{
	struct session	key, *s;

	if (after == UINT64_MAX)
		return (0);
	key.id = after + 1;
	return ((s = RB_NFIND(sess_tree, &sessions, &key)) == NULL ? 0 : s->id);
}

int
relay_sess_proxy(uint64_t id)
{
	struct session	*s;

	return ((s = sess_by_id(id)) == NULL ? -1 : (int)s->ps);
}

int
relay_sess_row(uint64_t id, struct ctl_session *r)
{
	static const uint32_t	 states[] = {
		[S_ACL] = CTL_S_ACL, [S_WAITING] = CTL_S_WAITING,
		[S_CONNECTING] = CTL_S_CONNECTING,
		[S_RELAY] = CTL_S_RELAY, [S_CLOSING] = CTL_S_CLOSING,
		[S_STOPPING] = CTL_S_STOPPING
	};
	struct session		*s;
	time_t			 now = now_mono();

	if ((s = sess_by_id(id)) == NULL)
		return (-1);
	memset(r, 0, sizeof(*r));
	r->id = s->id;
	strlcpy(r->proxy, s->proxy, sizeof(r->proxy));
	r->client = s->side[PPTP_CLIENT].peer;
	r->client_local = s->side[PPTP_CLIENT].local;
	r->server = s->side[PPTP_SERVER].peer;
	r->server_local = s->side[PPTP_SERVER].local;
	r->state = states[s->state];
	r->ncalls = s->pptp.ncalls;
	r->calls_total = s->calls;
	r->age = now - s->start;
	r->idle = now - s->last_client;
	/* Messages towards a side: what the other side sent. */
	r->msgs[CTL_TO_CLIENT] = s->side[PPTP_SERVER].msgs;
	r->msgs[CTL_TO_SERVER] = s->side[PPTP_CLIENT].msgs;
	r->packets[CTL_TO_CLIENT] = s->packets[PPTP_CLIENT];
	r->packets[CTL_TO_SERVER] = s->packets[PPTP_SERVER];
	r->bytes[CTL_TO_CLIENT] = s->bytes[PPTP_CLIENT];
	r->bytes[CTL_TO_SERVER] = s->bytes[PPTP_SERVER];
	if (s->tun_side != 0) {
		r->tunnel = s->tun_mode == TUN_MODE_TCP ? CTL_TUN_TCP :
		    CTL_TUN_UDP;
		r->tun_peer = s->tun_peer;
		r->tun_dropped[CTL_TO_CLIENT] = tun_drops(s, PPTP_CLIENT);
		r->tun_dropped[CTL_TO_SERVER] = tun_drops(s, PPTP_SERVER);
		r->tun_queued = side_queued(&s->side[s->tun_side - 1]);
	}
	return (0);
}

/* The n-th call of a session, without counters; -1: no such call. */
int
relay_sess_call(uint64_t id, unsigned int n, struct ctl_call *r)
{
	struct session		*s;
	struct pptp_call	*c;

	if ((s = sess_by_id(id)) == NULL)
		return (-1);
	TAILQ_FOREACH(c, &s->pptp.calls, entry)
		if (n-- == 0)
			break;
	if (c == NULL)
		return (-1);
	memset(r, 0, sizeof(*r));
	r->sess = s->id;
	r->serial = c->serial;
	r->state = c->state == CALL_UP ? CTL_C_UP : c->state ==
	    CALL_CLEARING ? CTL_C_CLEARING : CTL_C_REQUESTED;
	r->client_id = c->real[PPTP_CLIENT];
	r->client_shown = c->pres[PPTP_CLIENT];
	r->server_id = c->real[PPTP_SERVER];
	r->server_shown = c->pres[PPTP_SERVER];
	r->age = now_mono() - c->since;
	return (0);
}

/* The n-th proxy's counters (ended calls' GRE only); -1: no more. */
int
relay_proxy_row(unsigned int n, struct ctl_proxy *r)
{
	struct pstat		*p;
	struct proxy_conf	*pc;
	struct session		*s;

	if (n >= npstats) {
		/* Proxies that no client reached yet have a row too. */
		TAILQ_FOREACH(pc, &cconf->proxies, entry)
			(void)pstat_of(pc->name);
		if (n >= npstats)
			return (-1);
	}
	p = &pstats[n];
	memset(r, 0, sizeof(*r));
	strlcpy(r->name, p->name, sizeof(r->name));
	TAILQ_FOREACH(pc, &cconf->proxies, entry) {
		if (strcmp(pc->name, p->name) != 0)
			continue;
		r->listening = 1;
		r->listen = pc->listen;
		r->server = pc->server;
		strlcpy(r->server_host, pc->server_host,
		    sizeof(r->server_host));
		break;
	}
	r->sessions = p->sessions;
	r->tun_dropped[CTL_TO_CLIENT] = p->tun_dropped[PPTP_CLIENT];
	r->tun_dropped[CTL_TO_SERVER] = p->tun_dropped[PPTP_SERVER];
	RB_FOREACH(s, sess_tree, &sessions)
		if (s->ps == n) {
			r->calls += s->pptp.ncalls;
			r->tun_dropped[CTL_TO_CLIENT] +=
			    tun_drops(s, PPTP_CLIENT);
			r->tun_dropped[CTL_TO_SERVER] +=
			    tun_drops(s, PPTP_SERVER);
		}
	r->accepted = p->accepted;
	r->refused_acl = p->refused_acl;
	r->refused_limit = p->refused_limit;
	r->server_failed = p->server_failed;
	r->calls_total = p->calls_total;
	r->packets[CTL_TO_CLIENT] = p->packets[PPTP_CLIENT];
	r->packets[CTL_TO_SERVER] = p->packets[PPTP_SERVER];
	r->bytes[CTL_TO_CLIENT] = p->bytes[PPTP_CLIENT];
	r->bytes[CTL_TO_SERVER] = p->bytes[PPTP_SERVER];
	r->spoofed = p->spoofed;
	return (0);
}

/* Ends a session as asked on the control socket; -1: no such session. */
int
relay_sess_kill(uint64_t id)
{
	struct session	*s;

	if ((s = sess_by_id(id)) == NULL || s->state == S_CLOSING ||
	    s->state == S_STOPPING)
		return (-1);
	sess_stop(s, "killed on the control socket");
	return (0);
}

int
relay_imsg(int to, uint32_t type, uint32_t id, int fd, const void *data,
    size_t len)
{
	return (imsgev_compose(to == RELAY_TO_PARENT ? &iev_parent : &iev_gre,
	    type, id, fd, data, len));
}

/*
 * Tunnels between two pptpproxies (pptpproxy(8)).  On A, the proxy whose
 * server is a pptpproxy, our hello goes first and the client is read
 * only once B has answered; on B the hello is the client's first
 * message.  Records on the connection carry GRE both ways when UDP does
 * not get through; the GRE forwarder and this process pass those packets
 * over a socket pair of their own.
 */
static const char *
tun_desc(const struct session *s, char *buf, size_t len)
{
	char	a[64];

	if (s->tun_side == 0) {
		buf[0] = '\0';
		return (buf);
	}
	if (s->tun_peer.sin_port == 0)
		strlcpy(a, "not known yet", sizeof(a));
	else
		sa_str(&s->tun_peer, a, sizeof(a));
	snprintf(buf, len, ", tunnelled over %s, peer %s",
	    s->tun_mode == TUN_MODE_TCP ? "TCP" : "UDP", a);
	ctl_tun_drops(buf, len, tun_drops(s, PPTP_CLIENT),
	    tun_drops(s, PPTP_SERVER));
	return (buf);
}

/* GRE packets the tunnel over TCP did not carry towards side idx. */
static uint64_t
tun_drops(const struct session *s, int idx)
{
	return (s->tun_dropped[idx] +
	    (s->tun_side == idx + 1 ? s->tun_fwd_dropped : 0));
}

/*
 * The tunnel over TCP drops GRE: a line when it starts, then at most one
 * in CTL_TUN_DROP_LOG seconds while it goes on (never one a packet).
 */
/* The session's tunnel goes over its control connection from now on. */
static void
tun_over_tcp(struct session *s)
{
	struct side	*sd = &s->side[s->tun_side - 1];

	s->tun_mode = TUN_MODE_TCP;
	if (sd->fd != -1)
		(void)os_tcp_notsent_lowat(sd->fd, CTL_TUN_NOTSENT);
}

static void
tun_dropping(struct session *s)
{
	time_t	now = now_mono();
	char	a[64];

	if (s->tun_drop_said != 0 && now - s->tun_drop_said < CTL_TUN_DROP_LOG)
		return;
	log_limited(&ll_tun, "session %llu: the control connection to %s "
	    "does not keep up with the calls' GRE: packets dropped, %llu to "
	    "the client and %llu to the server so far", SID(s),
	    sa_str(&s->side[s->tun_side - 1].peer, a, sizeof(a)),
	    (unsigned long long)tun_drops(s, PPTP_CLIENT),
	    (unsigned long long)tun_drops(s, PPTP_SERVER));
	/* Never 0 again: monotonic time starts near 0 on some systems. */
	s->tun_drop_said = now > 0 ? now : 1;
}

static void
tun_hello_send(struct session *s)
{
	struct side		*sv = &s->side[PPTP_SERVER];
	struct tun_hello	 h;
	struct timeval		 tv;
	uint8_t			 buf[TUN_HELLO_LEN];
	size_t			 n;

	memset(&h, 0, sizeof(h));
	h.version = TUN_VERSION;
	h.flags = TUN_F_TCP;
	n = tun_build_hello(buf, sizeof(buf), &h);
	s->tun_state = TS_HELLO;
	if (side_send(sv, buf, n) == -1)
		return;
	os_tcp_ack_late(sv->fd);
	side_start_reading(sv);
	tv.tv_sec = cconf->t_connect;
	tv.tv_usec = 0;
	tmr_add(&s->tm_conn, &tv);
}

static void
tun_register(struct session *s, int role)
{
	struct tun_conf	tc;

	memset(&tc, 0, sizeof(tc));
	tc.sess = s->id;
	tc.token = s->token;
	tc.role = role;
	tc.keepalive = cconf->tun_keepalive;
	if (role == TUN_ROLE_A) {
		tc.peer = s->side[PPTP_SERVER].peer;
		tc.peer.sin_port = htons(s->tun_port);
	} else {
		tc.peer = s->side[PPTP_CLIENT].peer;
		tc.peer.sin_port = 0;		/* from its first datagram */
		tc.local = s->side[PPTP_CLIENT].local;
		tc.local.sin_port = htons(s->tun_port);
	}
	s->tun_peer = tc.peer;
	s->tun_mode = TUN_MODE_UDP;
	s->tun_state = TS_UP;
	imsgev_compose(&iev_gre, IMSG_TUN_ADD, 0, -1, &tc, sizeof(tc));
	/*
	 * B: out now, before the hello's answer, so that the forwarder
	 * knows the token by the time A's first datagram comes.
	 */
	if (role == TUN_ROLE_B) {
		(void)imsgbuf_write(&iev_gre.ibuf);
		imsgev_update(&iev_gre);
	}
}

/* B: a hello from the client side, its first message. */
static int
tun_hello_in(struct side *sd, const uint8_t *rec, size_t len)
{
	struct session		*s = sd->sess;
	struct tun_hello	 h;
	const char		*err = NULL;
	uint8_t			 buf[TUN_HELLO_LEN];
	char			 a[64];
	size_t			 n;

	sa_str(&sd->peer, a, sizeof(a));
	if (sd->idx != PPTP_CLIENT || !s->tun_allowed || s->tun_side != 0) {
		sess_close(s, "tunnel hello from %s: not allowed (tunnel "
		    "accept)", a);
		return (-1);
	}
	if (tun_parse_hello(rec, len, &h, &err) == -1) {
		sess_close(s, "bad tunnel hello from %s: %s", a, err);
		return (-1);
	}
	do
		arc4random_buf(&s->token, sizeof(s->token));
	while (s->token == 0);
	s->tun_side = PPTP_CLIENT + 1;
	tun_register(s, TUN_ROLE_B);
	memset(&h, 0, sizeof(h));
	h.version = TUN_VERSION;
	h.flags = TUN_F_TCP;
	h.udp_port = s->tun_port;
	h.token = s->token;
	n = tun_build_hello(buf, sizeof(buf), &h);
	log_info("session %llu: %s tunnels the calls' GRE to UDP port %u",
	    SID(s), a, s->tun_port);
	return (side_send(sd, buf, n));
}

/* A: B's answer to our hello. */
static int
tun_hello_answer(struct side *sd, const uint8_t *rec, size_t len)
{
	struct session		*s = sd->sess;
	struct tun_hello	 h;
	const char		*err = NULL;
	char			 a[64];

	sa_str(&sd->peer, a, sizeof(a));
	if (tun_parse_hello(rec, len, &h, &err) == -1 || h.token == 0) {
		log_warnx("session %llu: server %s is not a tunnelling "
		    "pptpproxy (%s)", SID(s), a, err ? err : "no token");
		sess_close(s, "server %s is not a tunnelling pptpproxy", a);
		return (-1);
	}
	tmr_del(&s->tm_conn);
	s->token = h.token;
	s->tun_side = PPTP_SERVER + 1;
	tun_register(s, TUN_ROLE_A);
	log_info("session %llu: tunnel to %s agreed, the calls' GRE in UDP to "
	    "port %u", SID(s), a, s->tun_port);
	return (side_start_client(s));
}

/*
 * A record (or, on A awaiting the hello, anything) at buf: 1 and its
 * length in *used when whole and handled, 0: not whole yet, -1: the
 * session was closed.
 */
static int
tun_record(struct side *sd, uint8_t *buf, size_t len, size_t *used)
{
	struct session	*s = sd->sess;
	struct tun_state ts;
	struct iovec	 iov[2];
	const char	*err = NULL;
	unsigned int	 type;
	uint8_t		 hdr[TUN_DG_HDR];
	char		 a[64];
	int		 r;

	r = tun_rec_frame(buf, len, used, &type, &err);
	if (r == PPTP_NEED)
		return (0);
	if (s->tun_state == TS_HELLO) {
		if (r == PPTP_BAD || type != TUN_REC_HELLO) {
			log_warnx("session %llu: server %s is not a tunnelling "
			    "pptpproxy (it answered our tunnel hello with "
			    "something else)", SID(s),
			    sa_str(&sd->peer, a, sizeof(a)));
			sess_close(s, "server %s is not a tunnelling "
			    "pptpproxy", a);
			return (-1);
		}
		return (tun_hello_answer(sd, buf, *used) == -1 ? -1 : 1);
	}
	if (r == PPTP_BAD || (type != TUN_REC_HELLO &&
	    s->tun_side != sd->idx + 1)) {
		sess_close(s, "protocol violation by the %s: %s",
		    side_name(sd), err ? err : "tunnel record outside a "
		    "tunnel");
		return (-1);
	}
	/* A GRE packet is no control message (show session counts them). */
	if (type != TUN_REC_DATA)
		sd->msgs++;
	switch (type) {
	case TUN_REC_HELLO:
		if (sd->idx == PPTP_CLIENT && sd->msgs == 1)
			tmr_del(&s->tm_first);
		return (tun_hello_in(sd, buf, *used) == -1 ? -1 : 1);
	case TUN_REC_TCP:
		if (s->tun_mode != TUN_MODE_TCP) {
			tun_over_tcp(s);
			log_info("session %llu: the peer found no UDP way back: "
			    "the calls' GRE goes inside the control connection "
			    "now", SID(s));
			memset(&ts, 0, sizeof(ts));
			ts.sess = s->id;
			ts.token = s->token;
			ts.mode = TUN_MODE_TCP;
			imsgev_compose(&iev_gre, IMSG_TUN_MODE, 0, -1, &ts,
			    sizeof(ts));
		}
		return (1);
	default:
		/* One GRE packet to the forwarder; dropped if it is full. */
		tun_dg_hdr(hdr, TUN_DG_DATA, 0, s->token);
		iov[0].iov_base = hdr;
		iov[0].iov_len = sizeof(hdr);
		iov[1].iov_base = buf + TUN_REC_HDR;
		iov[1].iov_len = *used - TUN_REC_HDR;
		if (writev(tun_data_fd, iov, 2) == -1) {
			/* The forwarder's channel is full. */
			s->tun_dropped[PPTP_OTHER(sd->idx)]++;
			tun_dropping(s);
		}
		return (1);
	}
}

/* GRE from the forwarder for sessions carrying it in records. */
static void
ctl_tundata_read(int fd, short ev, void *arg)
{
	static uint8_t	 buf[sizeof(uint64_t) + TUN_DG_HDR + TUN_GRE_MAX];
	struct session	 key, *s;
	struct side	*sd;
	unsigned int	 type;
	uint32_t	 rsv;
	uint64_t	 token;
	uint8_t		*dg = buf + sizeof(uint64_t);
	size_t		 len;
	ssize_t		 n;
	int		 i;

	for (i = 0; i < CTL_TUN_BATCH; i++) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return;
		if ((size_t)n < sizeof(uint64_t))
			continue;
		len = (size_t)n - sizeof(uint64_t);
		if (tun_dg_parse(dg, len, &type, &rsv, &token) == -1 ||
		    type != TUN_DG_DATA)
			continue;
		memcpy(&key.id, buf, sizeof(key.id));
		if ((s = RB_FIND(sess_tree, &sessions, &key)) == NULL ||
		    s->state != S_RELAY || s->tun_side == 0 ||
		    s->token != token)
			continue;
		sd = &s->side[s->tun_side - 1];
		if (side_queued(sd) > CTL_HIWAT) {
			/* As a router would: drop, not queue without end. */
			s->tun_dropped[sd->idx]++;
			tun_dropping(s);
			continue;
		}
		/* The record header goes over the datagram header's end. */
		tun_rec_hdr(dg + TUN_DG_HDR - TUN_REC_HDR, TUN_REC_HDR,
		    TUN_REC_DATA, len - TUN_DG_HDR);
		(void)side_send(sd, dg + TUN_DG_HDR - TUN_REC_HDR,
		    len - TUN_DG_HDR + TUN_REC_HDR);
	}
}

/* What the forwarder says about a tunnel: its peer moved, or TCP now. */
static void
ctl_tun_state(const struct tun_state *ts)
{
	struct session	 key, *s;
	uint8_t		 buf[TUN_REC_HDR];
	char		 a[64];

	key.id = ts->sess;
	if ((s = RB_FIND(sess_tree, &sessions, &key)) == NULL ||
	    s->token != ts->token || s->tun_side == 0)
		return;
	if (ts->failed && s->tun_side == PPTP_SERVER + 1) {
		sess_close(s, "no UDP socket for tunnels to other pptpproxies "
		    "(the parent's log says why it is not open)");
		return;
	}
	if (ts->failed) {
		inet_ntop(AF_INET, &s->side[PPTP_CLIENT].local.sin_addr, a,
		    sizeof(a));
		sess_close(s, "no UDP socket for the tunnel on %s port %u "
		    "(the parent's log says why it is not open)", a,
		    s->tun_port);
		return;
	}
	if (ts->peer.sin_addr.s_addr != s->tun_peer.sin_addr.s_addr ||
	    ts->peer.sin_port != s->tun_peer.sin_port) {
		log_info("session %llu: the tunnel's peer is at %s now", SID(s),
		    sa_str(&ts->peer, a, sizeof(a)));
		s->tun_peer = ts->peer;
	}
	if (ts->dropped > s->tun_fwd_dropped) {
		/* The forwarder's channel to us was full. */
		s->tun_fwd_dropped = ts->dropped;
		tun_dropping(s);
	}
	if (ts->answered && !s->tun_answered) {
		s->tun_answered = 1;
		log_debug("session %llu: the peer answers over UDP", SID(s));
	}
	if (ts->mode == TUN_MODE_TCP && s->tun_mode != TUN_MODE_TCP) {
		tun_over_tcp(s);
		log_info("session %llu: %s: switching to TCP, the calls' GRE goes "
		    "inside the control connection now", SID(s),
		    ts->closed ? "a reload closed the tunnel's UDP socket" :
		    s->tun_answered ? "UDP stopped getting through" :
		    "no UDP answer from the peer");
		if (s->state == S_RELAY) {
			tun_rec_hdr(buf, sizeof(buf), TUN_REC_TCP, 0);
			(void)side_send(&s->side[s->tun_side - 1], buf,
			    sizeof(buf));
		}
	}
}

/*
 * Configuration and the parent.
 */
static void
listeners_reset(void)
{
	struct listener		*l;
	struct proxy_conf	*pc;

	while ((l = TAILQ_FIRST(&listeners)) != NULL) {
		TAILQ_REMOVE(&listeners, l, entry);
		event_del(&l->ev);
		close(l->fd);
		free(l);
	}
	TAILQ_FOREACH(pc, &cconf->proxies, entry) {
		if (pc->fd == -1)
			continue;
		if ((l = calloc(1, sizeof(*l))) == NULL)
			fatal("listener");
		l->fd = pc->fd;
		pc->fd = -1;
		l->pc = pc;
		/* Accepted sockets inherit these where the OS allows. */
		sock_nodelay(l->fd);
		sock_keepalive(l->fd);
		/*
		 * A silent new connection waits in the kernel for at most
		 * half its first-message time, the relay the rest; one
		 * that speaks comes with its first bytes.
		 */
		l->defer = os_listen_defer(l->fd, cconf->t_first / 2);
		event_assign(&l->ev, cbase, l->fd, EV_READ | EV_PERSIST,
		    ctl_accept, l);
		event_add(&l->ev, NULL);
		TAILQ_INSERT_TAIL(&listeners, l, entry);
	}
}

static void
ctl_status(void)
{
	log_info("%u sessions, %u Call IDs free", nsessions,
	    callid_free(&pool));
	ctl_status_log();
}

/*
 * The parent says stop (it got SIGTERM): no new connections, every
 * session ended gracefully (sess_stop), then exit once all have, or
 * when the drain time is over (ctl_stop cuts off what is left).
 */
static void
ctl_stop_begin(void)
{
	struct listener	*l;
	struct session	*s, *next;
	struct timeval	 tv;

	if (stopping)
		return;
	stopping = 1;
	while ((l = TAILQ_FIRST(&listeners)) != NULL) {
		TAILQ_REMOVE(&listeners, l, entry);
		event_del(&l->ev);
		close(l->fd);
		free(l);
	}
	tmr_del(&ev_pause);
	tmr_del(&ev_idle);
	nstop = nsessions;
	log_info("stopping: %u session%s to end within %d s", nstop,
	    nstop == 1 ? "" : "s", cconf->t_stop);
	RB_FOREACH_SAFE(s, sess_tree, &sessions, next)
		sess_stop(s, "pptpproxy stopping");
	/* A second after the sessions' own drain time, no more. */
	tv.tv_sec = cconf->t_stop + 1;
	tv.tv_usec = 0;
	evtimer_add(&ev_stop, &tv);
	if (nsessions == 0)
		event_active(&ev_stop, EV_TIMEOUT, 0);
}

static void
ctl_stop_tm(int fd, short ev, void *arg)
{
	ctl_stop();
}

static void
ctl_new_conf(struct pptpproxy_conf *nconf)
{
	struct proxy_conf	*pc;
	struct timeval		 tv;

	if (cconf != NULL)
		conf_free(cconf);
	cconf = nconf;
	/*
	 * Each proxy's row as it is loaded: every relay has the same rows
	 * (relay 0 takes another's rows for its own proxies only, ctl.c).
	 */
	TAILQ_FOREACH(pc, &cconf->proxies, entry)
		(void)pstat_of(pc->name);
	log_setlevel(cconf->log_level);
	listeners_reset();
	tmr_del(&ev_idle);
	if (cconf->t_idle > 0) {
		tv.tv_sec = cconf->t_idle / 2 > 0 ? cconf->t_idle / 2 : 1;
		tv.tv_usec = 0;
		tmr_add(&ev_idle, &tv);
	}
}

static void
ctl_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	static struct conf_rx	 rx;
	struct pptpproxy_conf	*nconf = NULL;
	struct acl_res		 res;
	int			 r;

	switch (imsg_get_type(imsg)) {
	case IMSG_ACL_RES:
		if (imsg_get_data(imsg, &res, sizeof(res)) == -1)
			fatalx("bad IMSG_ACL_RES");
		ctl_acl_result(&res);
		return;
	case IMSG_STATUS_REQ:
		ctl_status();
		return;
	case IMSG_STOP:
		ctl_stop_begin();
		return;
	case IMSG_CTL_RESULT:
		ctl_result(imsg);
		return;
	case IMSG_CTL_LOG:
		if (imsg_get_data(imsg, &r, sizeof(r)) == -1)
			fatalx("bad IMSG_CTL_LOG");
		log_setlevel(r);
		return;
	default:
		break;
	}
	if ((r = conf_recv(&rx, imsg, &nconf)) == -1)
		fatalx("bad configuration message %u from the parent",
		    imsg_get_type(imsg));
	if (r == 1) {
		ctl_new_conf(nconf);
		log_info("configuration reloaded");
	}
}

static void
ctl_dispatch_gre(struct imsgev *iev, struct imsg *imsg)
{
	struct gre_stats	st;
	struct gre_key		k;
	struct tun_state	ts;

	switch (imsg_get_type(imsg)) {
	case IMSG_TUN_STATE:
		if (imsg_get_data(imsg, &ts, sizeof(ts)) == -1)
			fatalx("bad IMSG_TUN_STATE");
		ctl_tun_state(&ts);
		break;
	case IMSG_GRE_STATS:
		if (imsg_get_data(imsg, &st, sizeof(st)) == -1)
			fatalx("bad IMSG_GRE_STATS");
		ctl_gre_stats(&st);
		break;
	case IMSG_GRE_IDLE:
		if (imsg_get_data(imsg, &k, sizeof(k)) == -1)
			fatalx("bad IMSG_GRE_IDLE");
		ctl_gre_idle(&k);
		break;
	case IMSG_GRE_CTL_COUNTS:
		ctl_gre_counts(imsg);
		break;
	case IMSG_GRE_CTL_END:
		ctl_gre_end(imsg);
		break;
	default:
		/* The forwarder sends none other: it is not itself. */
		fatalx("unexpected message %u from gre", imsg_get_type(imsg));
	}
}

/* Once a second: the counts of log lines held back. */
static void
ctl_tick(int fd, short ev, void *arg)
{
	struct timeval	tv = { 1, 0 };

	log_limit_flush(&ll_refuse);
	log_limit_flush(&ll_full);
	log_limit_flush(&ll_session);
	log_limit_flush(&ll_call);
	log_limit_flush(&ll_tun);
	ctl_log_flush();
	/*
	 * Many sessions ended, and none in the last second: their memory
	 * goes back to the system.
	 */
	if (nfreed >= CTL_TRIM_AFTER && nfreed == nfreed_seen) {
		nfreed = 0;
		os_memory_trim();
	}
	nfreed_seen = nfreed;
	sess_tune_new();
	tmr_add(&ev_tick, &tv);
}

static void
ctl_closed(struct imsgev *iev)
{
	if (iev == &iev_parent) {
		log_debug("parent went away, exiting");
		ctl_stop();
	}
	/* The parent sees it too, and stops the daemon saying why. */
	log_warnx("the gre process went away, exiting");
	ctl_stop();
}

/*
 * Stopping: every session ends with its lines (calls down, session end
 * with what it carried), without waiting for the GRE forwarder, which is
 * stopping too.
 */
static void
ctl_stop(void)
{
	struct session	*s, key;
	unsigned int	 left = 0;
	int		 i;

	while ((s = RB_MIN(sess_tree, &sessions)) != NULL) {
		key.id = s->id;
		/* Still here: cut off now, unless counted so already. */
		if (!s->cut)
			left++;
		if (s->state != S_CLOSING)
			sess_close(s, "pptpproxy stopping");
		if ((s = RB_FIND(sess_tree, &sessions, &key)) == NULL)
			continue;
		for (i = 0; i < 2; i++)
			side_shut(&s->side[i]);
		sess_finish(s);
	}
	if (stopping)
		log_info("stopped: %u of %u session%s ended in order, %u "
		    "cut off after %d s (timeout stop)", nstop - ncut - left,
		    nstop, nstop == 1 ? "" : "s", ncut + left, cconf->t_stop);
	log_debug("stopping");
	exit(0);
}

#ifdef PPTPPROXY_TEST
static void
ctl_sig(int sig, short ev, void *arg)
{
	if (sig == SIGUSR2)
		sandbox_test_forbidden();
}
#endif

/*
 * Which relay this is, before the route table (whose part it writes
 * depends on it) and the configuration.
 */
static void
relay_start(struct imsg *imsg)
{
	if (imsg_get_data(imsg, &relay, sizeof(relay)) == -1 ||
	    relay.count < 1 || relay.count > RELAYS_MAX ||
	    relay.index >= relay.count || (relay.forwarders != 1 &&
	    relay.forwarders != relay.count) || rtab_mapped || cpool_mapped)
		fatalx("bad relay numbers from the parent");
	/* Numbers n with (n - 1) % count == index, from next_sess_id on. */
	next_sess_id -= (next_sess_id - 1) % relay.count;
	next_sess_id += relay.index;
	if (relay.index > 0) {
		snprintf(relay_name, sizeof(relay_name), "control %u",
		    relay.index);
		log_procinit(relay_name);
		os_proctitle(relay_name);
	}
}

void
control_main(int debug)
{
	struct imsg		 imsg;
	struct conf_rx		 rx;
	struct pptpproxy_conf	*conf = NULL;
	struct rlimit		 rl;
#ifdef PPTPPROXY_TEST
	const char		*first;

	/* Tests of session numbers past 32 bits start near there. */
	if ((first = getenv("PPTPPROXY_TEST_FIRST_SESSION")) != NULL)
		next_sess_id = strtoull(first, NULL, 10);
#endif
	int			 ctl_fd = -1, ctl_rfd = -1;
	unsigned int		 i, lo, hi;

	log_procinit(relay_name);
	os_proctitle(relay_name);

	memset(&rx, 0, sizeof(rx));
	if (imsgbuf_init(&iev_parent.ibuf, PROC_PARENT_FD) == -1)
		fatal("imsgbuf_init");
	imsgbuf_allow_fdpass(&iev_parent.ibuf);
	log_relay_start(&iev_parent);
	for (i = 0; i < RELAYS_MAX; i++)
		link_fd[i] = -1;
	while (conf == NULL) {
		if (imsg_read_blocking(&iev_parent.ibuf, &imsg) == -1)
			fatal("reading start-up messages from the parent");
		if (imsg_get_type(&imsg) == IMSG_CTL_SOCKET)
			ctl_fd = imsg_get_fd(&imsg);
		else if (imsg_get_type(&imsg) == IMSG_CTL_RSOCKET) {
			if ((ctl_rfd = imsg_get_fd(&imsg)) == -1)
				fatalx("no restricted control socket from the "
				    "parent");
		}
		else if (imsg_get_type(&imsg) == IMSG_TUN_DATAFD) {
			if ((tun_data_fd = imsg_get_fd(&imsg)) == -1)
				fatalx("no tunnel channel from the parent");
		} else if (imsg_get_type(&imsg) == IMSG_RELAY_INFO) {
			relay_start(&imsg);
		} else if (imsg_get_type(&imsg) == IMSG_RELAY_LINK) {
			i = imsg_get_id(&imsg);
			if (i >= relay.count || i == relay.index ||
			    (relay.index != 0 && i != 0) || link_fd[i] != -1 ||
			    (link_fd[i] = imsg_get_fd(&imsg)) == -1)
				fatalx("bad relay link from the parent");
		} else if (imsg_get_type(&imsg) == IMSG_RTABLE) {
			relay_keys(relay.index, relay.count, &lo, &hi);
			rtab_mapped = proc_rtable(&imsg, &rtab,
			    RT_WRITE_ROUTES, lo, hi);
		} else if (imsg_get_type(&imsg) == IMSG_CONNPOOL) {
			if (relay.count < 2 || cpool_mapped)
				fatalx("connection counts from the parent "
				    "with one relay, or twice");
			cpool_mapped = proc_connpool(&imsg, &cpool,
			    relay.index, relay.count);
		} else if (conf_recv(&rx, &imsg, &conf) == -1)
			fatalx("bad start-up message %u",
			    imsg_get_type(&imsg));
		imsg_free(&imsg);
	}
	if (!rtab_mapped)
		fatalx("no route table from the parent");
	if (relay.count > 1 && !cpool_mapped)
		fatalx("no connection counts from the parent");
	for (i = 0; i < relay.count; i++)
		if (i != relay.index && (relay.index == 0 || i == 0) &&
		    link_fd[i] == -1)
			fatalx("no link to relay %u from the parent", i);
	relay_keys(relay.index, relay.count, &lo, &hi);
	callid_init_range(&pool, lo, hi);
	slab_init(&sess_slab, sizeof(struct session));
	evutil_secure_rng_init();
	/*
	 * The loop's timers on a timer descriptor of our own (tmr.c): the
	 * relay always has timers pending (the log lines' batch, the tick,
	 * its sessions'), and libevent would pass them to every
	 * epoll_wait(2) as its timeout, or with its precise timer re-arm a
	 * timerfd at every turn; either cost the setups (regress/bench/
	 * README, "Sleeping without a timeout").  Made now: the sandbox
	 * does not let the relay make one.  Where there is none, the
	 * timers stay libevent's.
	 */
	if ((cbase = event_base_new()) == NULL)
		fatalx("event_base_new");
	tmr_init(cbase, os_timer_open());

	/*
	 * Descriptors: all the parent's hard limit allows, now, while we
	 * may; limit connections bounds their use, a reload may raise it.
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	log_seal(debug);
	sandbox_trap_debug(debug);
	proc_drop(PROC_CONTROL, relay_name, conf);

	imsgev_init(&iev_parent, cbase, -1, "parent", ctl_dispatch_parent,
	    ctl_closed);
	imsgev_init(&iev_gre, cbase, PROC_PEER_FD, "gre", ctl_dispatch_gre,
	    ctl_closed);
	tmr_set(&ev_pause, cbase, ctl_pause_done, NULL);
	tmr_set(&ev_idle, cbase, ctl_idle_sweep, NULL);
	tmr_set(&ev_tick, cbase, ctl_tick, NULL);
	ctl_tick(-1, 0, NULL);
	ctl_new_conf(conf);
	ctl_init(cbase, ctl_fd, ctl_rfd);
	ctl_links(link_fd, relay.index, relay.count, relay.forwarders);
	if (tun_data_fd != -1) {
		event_assign(&ev_tundata, cbase, tun_data_fd,
		    EV_READ | EV_PERSIST, ctl_tundata_read, NULL);
		event_add(&ev_tundata, NULL);
	}

	evtimer_assign(&ev_stop, cbase, ctl_stop_tm, NULL);
	/* Signals are the parent's; it says stop with IMSG_STOP. */
	proc_ignore_signals();
#ifdef PPTPPROXY_TEST
	evsignal_assign(&ev_usr2, cbase, SIGUSR2, ctl_sig, NULL);
	evsignal_add(&ev_usr2, NULL);
#endif

	log_debug("relaying control connections");
	event_active(&iev_parent.ev, EV_READ, 0);
	event_base_dispatch(cbase);
	fatalx("event loop ended");
}
