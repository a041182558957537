/*
 * The control relay: accepts PPTP control connections on the sockets the
 * parent handed over, applies the ACL (subnets here, commands through the
 * parent), connects to the server without blocking, and relays whole
 * messages both ways through the codec in pptp.c, registering each
 * call's Call IDs with the GRE forwarder.
 */

#include <sys/types.h>
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

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "pptpproxy.h"
#include "pptp.h"

#define CTL_HIWAT		(64 * 1024)	/* stop reading the sender */
#define CTL_LOWAT		(16 * 1024)	/* resume */
#define CTL_FLUSH_SECS		5		/* to flush on close */

enum sess_state {
	S_ACL,			/* waiting for an ACL command's verdict */
	S_CONNECTING,		/* connecting to the server */
	S_RELAY,
	S_CLOSING		/* flushing, waiting for GRE counters */
};

struct session;

struct side {
	struct session		*sess;
	int			 idx;		/* PPTP_CLIENT, PPTP_SERVER */
	struct bufferevent	*bev;
	struct sockaddr_in	 peer;
	struct sockaddr_in	 local;		/* our end */
	int			 throttled;	/* reading stopped */
	uint64_t		 msgs;		/* messages from this side */
};

struct session {
	RB_ENTRY(session)	 entry;
	uint32_t		 id;
	enum sess_state		 state;
	struct side		 side[2];
	char			 proxy[PPTPPROXY_MAX_NAME];
	struct pptp_sess	 pptp;
	struct event		 tm_first;	/* first message from client */
	struct event		 tm_conn;	/* connect, then call setup */
	time_t			 start;		/* monotonic */
	time_t			 last_client;	/* last message from client */
	unsigned int		 calls;		/* calls set up, in all */
	unsigned int		 pending;	/* GRE counters awaited */
	uint64_t		 packets[2];	/* GRE towards side */
	uint64_t		 bytes[2];
	uint64_t		 spoofed;
	char			 why[160];
};

RB_HEAD(sess_tree, session);

static int
sess_cmp(struct session *a, struct session *b)
{
	return (a->id < b->id ? -1 : a->id > b->id);
}
RB_GENERATE_STATIC(sess_tree, session, entry, sess_cmp)

/* Connections per client address. */
struct addr_count {
	RB_ENTRY(addr_count)	 entry;
	uint32_t		 addr;
	unsigned int		 n;
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
static struct event		 ev_term, ev_int, ev_pause, ev_idle, ev_tick;
#ifdef PPTPPROXY_TEST
static struct event		 ev_usr2;
#endif
static uint32_t			 next_sess_id = 1;
static unsigned int		 nsessions;
static struct log_limit		 ll_refuse, ll_full, ll_violation;

static void	ctl_accept(int, short, void *);
static void	ctl_read(struct bufferevent *, void *);
static void	ctl_write(struct bufferevent *, void *);
static void	ctl_event(struct bufferevent *, short, void *);
static void	ctl_flushed(struct bufferevent *, void *);
static void	ctl_flush_event(struct bufferevent *, short, void *);
static void	sess_connect(struct session *);
static void	sess_close(struct session *, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));
static void	sess_finish(struct session *);
static void	ctl_stop(void) __attribute__((__noreturn__));
static void	sess_events(struct session *, struct pptp_event *, int);
static void	sess_tm_first(int, short, void *);
static void	sess_tm_conn(int, short, void *);

static time_t
now_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec);
}

static const char *
sa_str(const struct sockaddr_in *sin, char *buf, size_t len)
{
	char	a[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) == NULL)
		strlcpy(a, "?", sizeof(a));
	snprintf(buf, len, "%s:%u", a, ntohs(sin->sin_port));
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
sock_tune(int fd)
{
	int	one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
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

static struct bufferevent *
side_bev(struct side *sd, int fd)
{
	struct bufferevent	*bev;

	bev = bufferevent_socket_new(cbase, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return (NULL);
	bufferevent_setcb(bev, ctl_read, ctl_write, ctl_event, sd);
	bufferevent_setwatermark(bev, EV_READ, 0, 4096);
	bufferevent_setwatermark(bev, EV_WRITE, CTL_LOWAT, 0);
	return (bev);
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
	int			 cfd;

	for (;;) {
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
				evtimer_add(&ev_pause, &tv);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED && errno != EWOULDBLOCK)
				log_warn("accept on %s", pc->name);
			return;
		}
		if (len != sizeof(sin) || sin.sin_family != AF_INET) {
			close(cfd);
			continue;
		}
		if (nsessions >= cconf->max_conn) {
			log_limited(&ll_full, "refused %s on %s: %u control "
			    "connections already (limit connections)",
			    sa_str(&sin, a, sizeof(a)), pc->name, nsessions);
			close(cfd);
			continue;
		}
		ac = addr_get(sin.sin_addr.s_addr, 1);
		if (ac == NULL || ac->n >= cconf->max_conn_per_addr) {
			log_limited(&ll_refuse, "refused %s on %s: %u control "
			    "connections from that address already (limit "
			    "connections per-address)",
			    sa_str(&sin, a, sizeof(a)), pc->name,
			    ac ? ac->n : 0);
			close(cfd);
			continue;
		}
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			log_warn("session");
			close(cfd);
			continue;
		}
		ac->n++;
		nsessions++;
		s->id = next_sess_id++;
		if (next_sess_id == 0)
			next_sess_id = 1;
		s->start = s->last_client = now_mono();
		strlcpy(s->proxy, pc->name, sizeof(s->proxy));
		s->side[PPTP_CLIENT].sess = s->side[PPTP_SERVER].sess = s;
		s->side[PPTP_CLIENT].idx = PPTP_CLIENT;
		s->side[PPTP_SERVER].idx = PPTP_SERVER;
		s->side[PPTP_CLIENT].peer = sin;
		s->side[PPTP_SERVER].peer = pc->server;
		len = sizeof(s->side[PPTP_CLIENT].local);
		if (getsockname(cfd,
		    (struct sockaddr *)&s->side[PPTP_CLIENT].local, &len) == -1)
			s->side[PPTP_CLIENT].local = pc->listen;
		pptp_sess_init(&s->pptp, &pool, cconf->max_calls);
		RB_INSERT(sess_tree, &sessions, s);
		evtimer_assign(&s->tm_first, cbase, sess_tm_first, s);
		evtimer_assign(&s->tm_conn, cbase, sess_tm_conn, s);
		tv.tv_sec = cconf->t_first;
		tv.tv_usec = 0;
		evtimer_add(&s->tm_first, &tv);
		sock_tune(cfd);
		s->side[PPTP_CLIENT].bev = side_bev(&s->side[PPTP_CLIENT], cfd);
		if (s->side[PPTP_CLIENT].bev == NULL) {
			close(cfd);
			sess_close(s, "out of memory");
			continue;
		}
		log_debug("session %u: accepted %s on %s (%s)", s->id,
		    sa_str(&sin, a, sizeof(a)),
		    sa_str(&s->side[PPTP_CLIENT].local, b, sizeof(b)),
		    pc->name);

		if (acl_subnet_match(&pc->subnets, sin.sin_addr) ||
		    acl_subnet_match(&cconf->subnets, sin.sin_addr) ||
		    !acl_has_rules(pc)) {
			sess_connect(s);
			continue;
		}
		if (TAILQ_EMPTY(&pc->cmds) && TAILQ_EMPTY(&cconf->cmds)) {
			sess_close(s, "client %s not allowed (acl)",
			    inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a)));
			continue;
		}
		s->state = S_ACL;
		memset(&req, 0, sizeof(req));
		req.reqid = s->id;
		req.proxy_id = pc->id;
		req.client = sin.sin_addr;
		imsgev_compose(&iev_parent, IMSG_ACL_REQ, 0, -1, &req,
		    sizeof(req));
	}
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
	inet_ntop(AF_INET, &s->side[PPTP_CLIENT].peer.sin_addr, a, sizeof(a));
	if (!res->allow) {
		sess_close(s, "client %s not allowed (acl command: %.*s)", a,
		    (int)sizeof(res->why), res->why);
		return;
	}
	log_debug("session %u: client %s allowed (acl command: %.*s)", s->id,
	    a, (int)sizeof(res->why), res->why);
	sess_connect(s);
}

/*
 * Connect to the server without blocking.
 */
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
	sock_tune(fd);
	if ((sv->bev = side_bev(sv, fd)) == NULL) {
		close(fd);
		sess_close(s, "out of memory");
		return;
	}
	tv.tv_sec = cconf->t_connect;
	tv.tv_usec = 0;
	evtimer_add(&s->tm_conn, &tv);
	if (bufferevent_socket_connect(sv->bev, (struct sockaddr *)&sv->peer,
	    sizeof(sv->peer)) == -1) {
		sess_close(s, "cannot connect to server: %s", strerror(errno));
		return;
	}
}

static void
sess_connected(struct session *s)
{
	struct side	*sv = &s->side[PPTP_SERVER];
	struct side	*cl = &s->side[PPTP_CLIENT];
	socklen_t	 len = sizeof(sv->local);
	char		 a[64], b[64], c[64], d[64];

	evtimer_del(&s->tm_conn);
	if (getsockname(bufferevent_getfd(sv->bev),
	    (struct sockaddr *)&sv->local, &len) == -1) {
		sess_close(s, "getsockname: %s", strerror(errno));
		return;
	}
	s->state = S_RELAY;
	log_info("session %u: %s -> %s relayed to %s from %s (%s)", s->id,
	    sa_str(&cl->peer, a, sizeof(a)), sa_str(&cl->local, b, sizeof(b)),
	    sa_str(&sv->peer, c, sizeof(c)), sa_str(&sv->local, d, sizeof(d)),
	    s->proxy);
	bufferevent_enable(cl->bev, EV_READ);
	bufferevent_enable(sv->bev, EV_READ);
}

/*
 * Relay whole messages.
 */
static void
ctl_read(struct bufferevent *bev, void *arg)
{
	struct side		*sd = arg, *other;
	struct session		*s = sd->sess;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer		*out;
	struct pptp_xlate	 x;
	uint8_t			 msg[PPTP_MAX_MSG];
	const char		*err = NULL;
	char			 desc[512], a[64];
	size_t			 avail, hlen, mlen;
	int			 r;

	other = &s->side[PPTP_OTHER(sd->idx)];
	while (s->state == S_RELAY && !sd->throttled) {
		avail = evbuffer_get_length(in);
		if (avail == 0)
			break;
		hlen = avail < PPTP_HDR_LEN ? avail : PPTP_HDR_LEN;
		if (evbuffer_copyout(in, msg, hlen) != (ev_ssize_t)hlen)
			break;
		r = pptp_frame(msg, hlen, &mlen, &err);
		if (r == PPTP_BAD)
			goto violation;
		if (hlen < PPTP_HDR_LEN)
			break;
		mlen = pptp_get16(msg, hlen, 0);
		if (mlen > sizeof(msg) || avail < mlen)
			break;
		if (evbuffer_remove(in, msg, mlen) != (int)mlen)
			break;
		if (pptp_translate(&s->pptp, sd->idx, msg, mlen, now_mono(),
		    &x, &err) == -1)
			goto violation;
		sd->msgs++;
		if (sd->idx == PPTP_CLIENT) {
			s->last_client = now_mono();
			if (sd->msgs == 1)
				evtimer_del(&s->tm_first);
		}
		if (log_getlevel() >= LOG_LVL_EXTENSIVE) {
			pptp_describe(msg, mlen, &x, desc, sizeof(desc));
			log_extensive("session %u: %s: %s", s->id,
			    sd->idx == PPTP_CLIENT ? "client -> server" :
			    "server -> client", desc);
		}
		/* Routes before the message: the peer may answer at once. */
		sess_events(s, x.ev, x.nev);
		if (s->state != S_RELAY)
			return;
		if (bufferevent_write(other->bev, msg, mlen) == -1) {
			sess_close(s, "out of memory");
			return;
		}
		out = bufferevent_get_output(other->bev);
		if (evbuffer_get_length(out) > CTL_HIWAT) {
			/* The receiver does not read: stop reading here. */
			sd->throttled = 1;
			bufferevent_disable(bev, EV_READ);
			log_debug("session %u: %s not reading, holding the "
			    "%s", s->id, other->idx == PPTP_CLIENT ?
			    "client" : "server", sd->idx == PPTP_CLIENT ?
			    "client" : "server");
		}
	}
	return;

 violation:
	log_limited(&ll_violation, "session %u: %s %s: %s, closing", s->id,
	    sd->idx == PPTP_CLIENT ? "client" : "server",
	    sa_str(&sd->peer, a, sizeof(a)), err ? err : "bad message");
	sess_close(s, "protocol violation by the %s: %s",
	    sd->idx == PPTP_CLIENT ? "client" : "server",
	    err ? err : "bad message");
}

/* The output drained below the low mark: resume the other side. */
static void
ctl_write(struct bufferevent *bev, void *arg)
{
	struct side	*sd = arg, *other;
	struct session	*s = sd->sess;

	other = &s->side[PPTP_OTHER(sd->idx)];
	if (s->state == S_RELAY && other->throttled) {
		other->throttled = 0;
		bufferevent_enable(other->bev, EV_READ);
		ctl_read(other->bev, other);
	}
}

static void
ctl_event(struct bufferevent *bev, short what, void *arg)
{
	struct side	*sd = arg;
	struct session	*s = sd->sess;
	const char	*who = sd->idx == PPTP_CLIENT ? "client" : "server";
	int		 err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		sess_connected(s);
		return;
	}
	if (s->state == S_CONNECTING && sd->idx == PPTP_SERVER) {
		char a[64];

		log_limited(&ll_refuse, "session %u: cannot connect to "
		    "server %s: %s", s->id, sa_str(&sd->peer, a, sizeof(a)),
		    strerror(err));
		sess_close(s, "cannot connect to server: %s", strerror(err));
		return;
	}
	if (what & BEV_EVENT_EOF)
		sess_close(s, "%s closed", who);
	else if (what & BEV_EVENT_ERROR)
		sess_close(s, "%s: %s", who, err ? strerror(err) : "error");
	else if (what & BEV_EVENT_TIMEOUT)
		sess_close(s, "%s timed out", who);
}

static void
sess_tm_first(int fd, short ev, void *arg)
{
	struct session	*s = arg;

	if (s->state == S_CLOSING)
		return;
	log_limited(&ll_refuse, "session %u: no message from the client "
	    "within %d s, closing", s->id, cconf->t_first);
	sess_close(s, "no message from the client within %d s (timeout "
	    "first-message)", cconf->t_first);
}

static void
sess_tm_conn(int fd, short ev, void *arg)
{
	struct session		*s = arg;
	struct pptp_call	*c;
	struct timeval		 tv;
	time_t			 now = now_mono();

	switch (s->state) {
	case S_CONNECTING:
		sess_close(s, "server did not answer within %d s (timeout "
		    "connect)", cconf->t_connect);
		return;
	case S_RELAY:
		c = pptp_sess_overdue(&s->pptp, now - cconf->t_setup + 1);
		if (c != NULL) {
			sess_close(s, "no answer to call %u within %d s "
			    "(timeout call-setup)", c->serial,
			    cconf->t_setup);
			return;
		}
		if (pptp_sess_overdue(&s->pptp, now + 1) != NULL) {
			tv.tv_sec = 1;
			tv.tv_usec = 0;
			evtimer_add(&s->tm_conn, &tv);
		}
		return;
	default:
		return;
	}
}

/*
 * Apply what the codec said: routes to the GRE forwarder, log lines.
 */
static void
sess_events(struct session *s, struct pptp_event *ev, int n)
{
	struct gre_route	 gr;
	struct gre_key		 k;
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
			gr.toside = to;
			imsgev_compose(&iev_gre, IMSG_GRE_ADD, 0, -1, &gr,
			    sizeof(gr));
			break;
		case PPTP_EV_ROUTE_DEL:
			memset(&k, 0, sizeof(k));
			k.sess = s->id;
			k.key = c->pres[ev[i].side];
			s->pending++;
			imsgev_compose(&iev_gre, IMSG_GRE_DEL, 0, -1, &k,
			    sizeof(k));
			break;
		case PPTP_EV_CALL_NEW:
			log_debug("session %u: call %u requested by the %s, "
			    "Call ID %u shown to the %s as %u", s->id,
			    c->serial, c->origin == PPTP_CLIENT ? "client" :
			    "server", c->real[c->origin],
			    c->origin == PPTP_CLIENT ? "server" : "client",
			    c->pres[c->origin]);
			if (!evtimer_pending(&s->tm_conn, NULL)) {
				tv.tv_sec = cconf->t_setup;
				tv.tv_usec = 0;
				evtimer_add(&s->tm_conn, &tv);
			}
			break;
		case PPTP_EV_CALL_UP:
			s->calls++;
			log_info("session %u: call %u up: client Call ID %u "
			    "(shown to the server as %u), server Call ID %u "
			    "(shown to the client as %u)", s->id, c->serial,
			    c->real[PPTP_CLIENT], c->pres[PPTP_CLIENT],
			    c->real[PPTP_SERVER], c->pres[PPTP_SERVER]);
			break;
		case PPTP_EV_CALL_FAILED:
			log_info("session %u: call %u not set up: result "
			    "code %u", s->id, c->serial, ev[i].result);
			break;
		case PPTP_EV_CALL_END:
			log_info("session %u: call %u down after %llds: client "
			    "Call ID %u/%u, server Call ID %u/%u", s->id,
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
	if (st->toside <= PPTP_SERVER) {
		s->packets[st->toside] += st->packets;
		s->bytes[st->toside] += st->bytes;
	}
	s->spoofed += st->dropped;
	if (s->pending > 0)
		s->pending--;
	if (s->state == S_CLOSING && s->pending == 0 &&
	    s->side[0].bev == NULL && s->side[1].bev == NULL)
		sess_finish(s);
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
		sess_close(s, "idle for %d s (timeout idle)", cconf->t_idle);
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
			sess_close(s, "idle for %d s (timeout idle)",
			    cconf->t_idle);
	}
	tv.tv_sec = cconf->t_idle / 2 > 0 ? cconf->t_idle / 2 : 1;
	tv.tv_usec = 0;
	evtimer_add(&ev_idle, &tv);
}

/*
 * Closing: clear the calls, flush what is queued for a side that can
 * still take it, then wait for the GRE counters before the last line.
 */
static void
side_release(struct side *sd)
{
	struct session	*s = sd->sess;

	if (sd->bev != NULL) {
		bufferevent_free(sd->bev);
		sd->bev = NULL;
	}
	if (s->side[0].bev == NULL && s->side[1].bev == NULL &&
	    s->pending == 0)
		sess_finish(s);
}

static void
ctl_flushed(struct bufferevent *bev, void *arg)
{
	side_release(arg);
}

static void
ctl_flush_event(struct bufferevent *bev, short what, void *arg)
{
	side_release(arg);
}

static void
sess_close(struct session *s, const char *fmt, ...)
{
	struct pptp_event	 ev[PPTP_MAX_EVENTS];
	struct timeval		 tv;
	struct side		*sd;
	va_list			 ap;
	int			 n, i;

	if (s->state == S_CLOSING)
		return;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->state = S_CLOSING;
	evtimer_del(&s->tm_first);
	evtimer_del(&s->tm_conn);
	while ((n = pptp_sess_clear(&s->pptp, ev, PPTP_MAX_EVENTS)) > 0)
		sess_events(s, ev, n);

	for (i = 0; i < 2; i++) {
		sd = &s->side[i];
		if (sd->bev == NULL)
			continue;
		bufferevent_disable(sd->bev, EV_READ);
		if (evbuffer_get_length(bufferevent_get_output(sd->bev)) > 0 &&
		    (bufferevent_get_enabled(sd->bev) & EV_WRITE)) {
			bufferevent_setcb(sd->bev, NULL, ctl_flushed,
			    ctl_flush_event, sd);
			bufferevent_setwatermark(sd->bev, EV_WRITE, 0, 0);
			tv.tv_sec = CTL_FLUSH_SECS;
			tv.tv_usec = 0;
			bufferevent_set_timeouts(sd->bev, NULL, &tv);
		} else {
			bufferevent_free(sd->bev);
			sd->bev = NULL;
		}
	}
	if (s->side[0].bev == NULL && s->side[1].bev == NULL &&
	    s->pending == 0)
		sess_finish(s);
}

static void
sess_finish(struct session *s)
{
	char	a[64];

	if (s->side[PPTP_SERVER].msgs > 0 || s->calls > 0 ||
	    log_getlevel() >= LOG_LVL_DEBUG)
		log_info("session %u: %s ended after %llds (%s): %u call%s, "
		    "to server %llu packets %llu bytes, to client %llu "
		    "packets %llu bytes%s", s->id,
		    sa_str(&s->side[PPTP_CLIENT].peer, a, sizeof(a)),
		    (long long)(now_mono() - s->start), s->why, s->calls,
		    s->calls == 1 ? "" : "s",
		    (unsigned long long)s->packets[PPTP_SERVER],
		    (unsigned long long)s->bytes[PPTP_SERVER],
		    (unsigned long long)s->packets[PPTP_CLIENT],
		    (unsigned long long)s->bytes[PPTP_CLIENT],
		    s->spoofed ? ", spoofed GRE dropped" : "");
	else
		log_limited(&ll_refuse, "session %u: %s closed: %s", s->id,
		    sa_str(&s->side[PPTP_CLIENT].peer, a, sizeof(a)), s->why);
	RB_REMOVE(sess_tree, &sessions, s);
	addr_put(s->side[PPTP_CLIENT].peer.sin_addr.s_addr);
	nsessions--;
	free(s);
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
		event_assign(&l->ev, cbase, l->fd, EV_READ | EV_PERSIST,
		    ctl_accept, l);
		event_add(&l->ev, NULL);
		TAILQ_INSERT_TAIL(&listeners, l, entry);
	}
}

static void
ctl_status(void)
{
	struct session	*s;
	struct pptp_call *c;
	char		 a[64], b[64];
	time_t		 now = now_mono();

	log_info("%u sessions, %u Call IDs free", nsessions,
	    callid_free(&pool));
	RB_FOREACH(s, sess_tree, &sessions) {
		log_info("session %u: %s -> %s (%s), %llds, state %d, %u "
		    "calls up", s->id,
		    sa_str(&s->side[PPTP_CLIENT].peer, a, sizeof(a)),
		    sa_str(&s->side[PPTP_SERVER].peer, b, sizeof(b)),
		    s->proxy, (long long)(now - s->start), s->state,
		    s->pptp.ncalls);
		TAILQ_FOREACH(c, &s->pptp.calls, entry)
			log_info("session %u: call %u: client Call ID %u/%u, "
			    "server Call ID %u/%u, %llds", s->id, c->serial,
			    c->real[PPTP_CLIENT], c->pres[PPTP_CLIENT],
			    c->real[PPTP_SERVER], c->pres[PPTP_SERVER],
			    (long long)(now - c->since));
	}
}

static void
ctl_new_conf(struct pptpproxy_conf *nconf)
{
	struct timeval	 tv;

	if (cconf != NULL)
		conf_free(cconf);
	cconf = nconf;
	log_setlevel(cconf->log_level);
	listeners_reset();
	evtimer_del(&ev_idle);
	if (cconf->t_idle > 0) {
		tv.tv_sec = cconf->t_idle / 2 > 0 ? cconf->t_idle / 2 : 1;
		tv.tv_usec = 0;
		evtimer_add(&ev_idle, &tv);
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

	switch (imsg_get_type(imsg)) {
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
	default:
		log_warnx("unexpected message %u from gre",
		    imsg_get_type(imsg));
	}
}

/* Once a second: the counts of log lines held back. */
static void
ctl_tick(int fd, short ev, void *arg)
{
	struct timeval	tv = { 1, 0 };

	log_limit_flush(&ll_refuse);
	log_limit_flush(&ll_full);
	log_limit_flush(&ll_violation);
	evtimer_add(&ev_tick, &tv);
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
	int		 i;

	while ((s = RB_MIN(sess_tree, &sessions)) != NULL) {
		key.id = s->id;
		if (s->state != S_CLOSING)
			sess_close(s, "pptpproxy stopping");
		if ((s = RB_FIND(sess_tree, &sessions, &key)) == NULL)
			continue;
		for (i = 0; i < 2; i++)
			if (s->side[i].bev != NULL) {
				bufferevent_free(s->side[i].bev);
				s->side[i].bev = NULL;
			}
		sess_finish(s);
	}
	log_debug("stopping");
	exit(0);
}

static void
ctl_sig(int sig, short ev, void *arg)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		ctl_stop();
#ifdef PPTPPROXY_TEST
	case SIGUSR2:
		sandbox_test_forbidden();
		break;
#endif
	}
}

void
control_main(int debug)
{
	struct imsg		 imsg;
	struct conf_rx		 rx;
	struct pptpproxy_conf	*conf = NULL;

	log_procinit("control");
	setproctitle("control");

	memset(&rx, 0, sizeof(rx));
	if (imsgbuf_init(&iev_parent.ibuf, PROC_PARENT_FD) == -1)
		fatal("imsgbuf_init");
	imsgbuf_allow_fdpass(&iev_parent.ibuf);
	while (conf == NULL) {
		if (imsg_read_blocking(&iev_parent.ibuf, &imsg) == -1)
			fatal("reading start-up messages from the parent");
		if (conf_recv(&rx, &imsg, &conf) == -1)
			fatalx("bad start-up message %u",
			    imsg_get_type(&imsg));
		imsg_free(&imsg);
	}
	callid_init(&pool);
	evutil_secure_rng_init();
	if ((cbase = event_base_new()) == NULL)
		fatalx("event_base_new");

	sandbox_trap_debug(debug);
	proc_drop(PROC_CONTROL, conf);

	imsgev_init(&iev_parent, cbase, -1, "parent", ctl_dispatch_parent,
	    ctl_closed);
	imsgev_init(&iev_gre, cbase, PROC_PEER_FD, "gre", ctl_dispatch_gre,
	    ctl_closed);
	evtimer_assign(&ev_pause, cbase, ctl_pause_done, NULL);
	evtimer_assign(&ev_idle, cbase, ctl_idle_sweep, NULL);
	evtimer_assign(&ev_tick, cbase, ctl_tick, NULL);
	ctl_tick(-1, 0, NULL);
	ctl_new_conf(conf);

	evsignal_assign(&ev_term, cbase, SIGTERM, ctl_sig, NULL);
	evsignal_assign(&ev_int, cbase, SIGINT, ctl_sig, NULL);
	evsignal_add(&ev_term, NULL);
	evsignal_add(&ev_int, NULL);
#ifdef PPTPPROXY_TEST
	evsignal_assign(&ev_usr2, cbase, SIGUSR2, ctl_sig, NULL);
	evsignal_add(&ev_usr2, NULL);
#endif
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	log_debug("relaying control connections");
	event_active(&iev_parent.ev, EV_READ, 0);
	event_base_dispatch(cbase);
	fatalx("event loop ended");
}
