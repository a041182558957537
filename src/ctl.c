/*
 * The control socket, served by the control relay, which holds the
 * sessions: pptpproxyctl(8) asks, one request at a time, and gets rows
 * (ctl.h).  The parent created and bound the socket; it never reads what
 * arrives there.  Reload and log level requests go to the parent as
 * imsgs of their own, and the parent answers with a result.
 *
 * A second, restricted socket may be configured: its clients get what
 * ctl_req_readonly() lets through (the show requests), and a refusal for
 * anything else.  Each socket has its own CTL_MAX_CONNS, so that clients
 * of the restricted one cannot keep root out of the full one.
 *
 * Bounds: at most CTL_MAX_CONNS clients a socket; rows are made only when a
 * client's queue is short, so what waits for a client stays small however
 * many sessions there are; a client that takes nothing for CTL_STALL_SECS
 * (or waits that long for an answer) is closed.
 *
 * The GRE counters of calls still up live in the GRE forwarder: a
 * session or summary request first asks it for a snapshot of every
 * route's counters, and the rows add them to what ended calls carried.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "ctl.h"
#include "os.h"
#include "rtable.h"

#define CTL_MAX_CONNS		16	/* clients at once, a socket */
#define CTL_STALL_SECS		10	/* a client that takes nothing */
#define CTL_QUEUE_ROWS		64	/* rows queued for a client at most */
#define CTL_USR1_LINES		20	/* SIGUSR1 list: lines per tick */
#define CTL_USR1_TICK_MS	100
#define CTL_USR1_MAX_SESSIONS	2000	/* listed; the rest counted */
#define CTL_RPOLL_MS		1000	/* restricted socket: polls at most */

/* The GRE forwarder's counters at one moment, sorted by session, key. */
struct ctl_snap {
	unsigned int		 refs;
	size_t			 n, cap;
	struct gre_ctl_count	*c;
	struct gre_ctl_totals	 tot;
};

/*
 * A listening socket: the full one, or the restricted one; or, in a relay
 * other than 0 (relays N), the link to relay 0, whose requests it serves
 * as a client of the full socket's (link set).
 */
struct ctl_listener {
	int			 fd;
	int			 restricted;
	int			 link;
	unsigned int		 nconns;
	struct event		 ev, pause;
};

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	uint32_t		 id;
	struct ctl_listener	*l;		/* accepted on */
	long long		 uid;		/* the peer's, -1: not known */
	struct imsgbuf		 ibuf;
	struct event		 rev, wev, tmo;
	uint32_t		 req;		/* CTL_REQ_*, 0: idle */
	uint64_t		 only;		/* CTL_REQ_SESSIONS: one, or 0 */
	uint64_t		 cursor;	/* last session sent */
	int			 waiting;	/* for the forwarder or parent */
	int			 found;		/* a session was sent */
	int			 refused;	/* another version: closed once out */
	struct ctl_snap		*snap;
	/* relay 0, relays N: the other relays' part of the answer */
	TAILQ_ENTRY(ctl_conn)	 lentry;	/* waiting for a link */
	unsigned int		 lnext;		/* relay asked next, 0: none */
	unsigned int		 lonly;		/* only that one */
	struct ctl_proxy	*sum;		/* summary: rows added up */
	uint8_t			*sumfrom;	/* each's last relay added */
	unsigned int		 nsum;
	struct ctl_relay	 rel[RELAYS_MAX]; /* summary: each relay's */
	uint32_t		 relset;	/* of rel[], those in */
	struct ctl_gre		 lgre;	/* summary: their forwarders' */
	uint32_t		 greset;	/* relays whose lgre is in */
};

/*
 * Relay 0's link to another relay: one request out at a time, for the
 * client at the head of its queue; the rows that come back go on to that
 * client as they are (sessions, calls), are added up (a summary's
 * proxies') or kept to be sent in relay order (its relay row, checked to
 * be that relay's, once).
 * A client closed while its answer comes has the rest read and dropped.
 */
struct ctl_link {
	unsigned int		 index;
	struct imsgbuf		 ibuf;
	struct event		 rev, wev, kick;
	TAILQ_HEAD(, ctl_conn)	 queue;
	int			 busy;		/* an answer is coming */
	int			 dropping;	/* for a client gone */
	int			 dead;		/* the relay went away */
};
TAILQ_HEAD(ctl_conns, ctl_conn);

static struct event_base	*xbase;
static struct event		 ev_usr1;
static struct ctl_listener	 listeners[2];	/* full, restricted */
static struct ctl_listener	 link_listener = { .fd = -1, .link = 1 };
static struct ctl_link		 links[RELAYS_MAX];	/* relay 0's */
static unsigned int		 nlinks;		/* relays in all */
static unsigned int		 nfwds = 1;	/* 1, or one a relay */
static unsigned int		 self_index;		/* this relay's */
static pid_t			 self_pid;
static struct ctl_conns		 conns = TAILQ_HEAD_INITIALIZER(conns);
static uint32_t			 next_conn_id = 1;
static struct ctl_snap		*building;	/* a poll is out */
static int			 poll_out;
static struct timespec		 poll_sent;	/* the last one, monotonic */
static struct event		 ev_rpoll;	/* the restricted socket's */
static struct log_limit		 ll_ctl, ll_refused;
static uint64_t			 usr1_cursor;	/* last session listed */
static unsigned int		 usr1_listed;

static void	ctl_conn_accept(int, short, void *);
static void	ctl_conn_read(int, short, void *);
static void	ctl_conn_write(int, short, void *);
static void	ctl_conn_stall(int, short, void *);
static void	ctl_conn_close(struct ctl_conn *, const char *);
static int	ctl_conn_fill(struct ctl_conn *);
static int	ctl_conn_requests(struct ctl_conn *);
static void	ctl_usr1_tick(int, short, void *);
static void	ctl_rpoll(int, short, void *);
static void	ctl_conn_answered(struct ctl_conn *);
static int	ctl_conn_send(struct ctl_conn *, uint32_t, const void *,
		    size_t);
static int	ctl_conn_done(struct ctl_conn *, uint32_t, const void *,
		    size_t);

static void
snap_put(struct ctl_snap *sn)
{
	if (sn == NULL || --sn->refs > 0)
		return;
	free(sn->c);
	free(sn);
}

static int
snap_cmp(const void *a, const void *b)
{
	const struct gre_ctl_count	*x = a, *y = b;

	if (x->sess != y->sess)
		return (x->sess < y->sess ? -1 : 1);
	return (x->key < y->key ? -1 : x->key > y->key);
}

/*
 * Sort the snapshot: a heapsort, in place, without qsort(3), whose glibc
 * version asks the kernel for the memory size (sysinfo(2), outside the
 * relay's sandbox) before it sorts a large array.
 */
static void
snap_sift(struct gre_ctl_count *c, size_t root, size_t n)
{
	struct gre_ctl_count	t;
	size_t			child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && snap_cmp(&c[child], &c[child + 1]) < 0)
			child++;
		if (snap_cmp(&c[root], &c[child]) >= 0)
			return;
		t = c[root];
		c[root] = c[child];
		c[child] = t;
		root = child;
	}
}

static void
snap_sort(struct gre_ctl_count *c, size_t n)
{
	struct gre_ctl_count	t;
	size_t			i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0; )
		snap_sift(c, i, n);
	for (i = n - 1; i > 0; i--) {
		t = c[0];
		c[0] = c[i];
		c[i] = t;
		snap_sift(c, 0, i);
	}
}

static struct gre_ctl_count *
snap_find(struct ctl_snap *sn, uint64_t sess, uint16_t key)
{
	struct gre_ctl_count	k;

	if (sn == NULL || sn->n == 0)
		return (NULL);
	memset(&k, 0, sizeof(k));
	k.sess = sess;
	k.key = key;
	return (bsearch(&k, sn->c, sn->n, sizeof(k), snap_cmp));
}

/* The first entry of a session in the snapshot, or NULL. */
static struct gre_ctl_count *
snap_first(struct ctl_snap *sn, uint64_t sess)
{
	size_t	lo = 0, hi, mid;

	if (sn == NULL)
		return (NULL);
	hi = sn->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sn->c[mid].sess < sess)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < sn->n && sn->c[lo].sess == sess ? &sn->c[lo] : NULL);
}

/*
 * The listening sockets the parent bound: the full one, and the
 * restricted one (-1: none).
 */
void
ctl_init(struct event_base *base, int fd, int rfd)
{
	struct ctl_listener	*l;
	int			 i;

	xbase = base;
	evtimer_assign(&ev_usr1, base, ctl_usr1_tick, NULL);
	evtimer_assign(&ev_rpoll, base, ctl_rpoll, NULL);
	listeners[0].fd = fd;
	listeners[1].fd = rfd;
	listeners[1].restricted = 1;
	for (i = 0; i < 2; i++) {
		l = &listeners[i];
		evtimer_assign(&l->pause, base, ctl_conn_accept, l);
		if (l->fd == -1)
			continue;
		event_assign(&l->ev, base, l->fd, EV_READ | EV_PERSIST,
		    ctl_conn_accept, l);
		event_add(&l->ev, NULL);
	}
}

static void	ctl_link_read(int, short, void *);
static void	ctl_link_write(int, short, void *);
static void	ctl_link_next(struct ctl_link *);
static void	ctl_link_process(struct ctl_link *);
static void	ctl_link_kick(int, short, void *);
static void	ctl_gre_add(struct ctl_gre *, const struct ctl_gre *);
static int	ctl_link_ask(struct ctl_conn *, unsigned int);

/*
 * The links between relays (relays N): relay 0 asks the others for
 * their part of each answer (fds[i]: relay i's link); another relay
 * serves fds[0], relay 0's link, as a client of the full socket.
 */
void
ctl_links(int *fds, unsigned int index, unsigned int count,
    unsigned int forwarders)
{
	struct ctl_link	*k;
	struct ctl_conn	*c;
	unsigned int	 i;

	self_index = index;
	self_pid = getpid();
	if (index != 0) {
		if ((c = calloc(1, sizeof(*c))) == NULL ||
		    imsgbuf_init(&c->ibuf, fds[0]) == -1)
			fatal("relay link");
		c->l = &link_listener;
		c->uid = -1;
		c->id = next_conn_id++;
		event_assign(&c->rev, xbase, fds[0], EV_READ | EV_PERSIST,
		    ctl_conn_read, c);
		event_assign(&c->wev, xbase, fds[0], EV_WRITE | EV_PERSIST,
		    ctl_conn_write, c);
		evtimer_assign(&c->tmo, xbase, ctl_conn_stall, c);
		event_add(&c->rev, NULL);
		TAILQ_INSERT_TAIL(&conns, c, entry);
		link_listener.nconns++;
		return;
	}
	nlinks = count;
	nfwds = forwarders;
	for (i = 1; i < count; i++) {
		k = &links[i];
		k->index = i;
		TAILQ_INIT(&k->queue);
		if (imsgbuf_init(&k->ibuf, fds[i]) == -1)
			fatal("relay link");
		event_assign(&k->rev, xbase, fds[i], EV_READ | EV_PERSIST,
		    ctl_link_read, k);
		event_assign(&k->wev, xbase, fds[i], EV_WRITE | EV_PERSIST,
		    ctl_link_write, k);
		evtimer_assign(&k->kick, xbase, ctl_link_kick, k);
		event_add(&k->rev, NULL);
	}
}

/*
 * Relay k went away: it is stopping, as the daemon is (the parent stops
 * the rest when a relay dies).  Its clients are closed.
 */
static void
ctl_link_dead(struct ctl_link *k, const char *why)
{
	struct ctl_conn	*c;
	char		 msg[64];

	log_debug("link to relay %u: %s", k->index, why);
	k->dead = 1;
	event_del(&k->rev);
	event_del(&k->wev);
	evtimer_del(&k->kick);
	close(k->ibuf.fd);
	imsgbuf_clear(&k->ibuf);
	snprintf(msg, sizeof(msg), "relay %u went away", k->index);
	while ((c = TAILQ_FIRST(&k->queue)) != NULL) {
		TAILQ_REMOVE(&k->queue, c, lentry);
		c->lnext = 0;
		ctl_conn_close(c, msg);
	}
}

/* A client waits for relay i's part: asked once the link is free. */
static int
ctl_link_ask(struct ctl_conn *c, unsigned int i)
{
	struct ctl_link	*k = &links[i];
	struct timeval	 tv = { CTL_STALL_SECS, 0 };

	if (k->dead) {
		ctl_conn_close(c, "a relay went away");
		return (-1);
	}
	c->lnext = i;
	c->waiting = 1;
	evtimer_add(&c->tmo, &tv);
	TAILQ_INSERT_TAIL(&k->queue, c, lentry);
	if (!k->busy)
		ctl_link_next(k);
	return (0);
}

/* The request of the client at the head of the queue, to relay k. */
static void
ctl_link_next(struct ctl_link *k)
{
	struct ctl_conn	*c;
	uint64_t	 id;
	const void	*data = NULL;
	size_t		 len = 0;

	if (k->busy || k->dead || (c = TAILQ_FIRST(&k->queue)) == NULL)
		return;
	if (c->req == CTL_REQ_SESSIONS || c->req == CTL_REQ_KILL) {
		id = c->only;
		data = &id;
		len = sizeof(id);
	}
	if (imsg_compose(&k->ibuf, c->req, CTL_PROTO_VERSION, 0, -1, data,
	    len) == -1)
		fatal("relay link");
	k->busy = 1;
	k->dropping = 0;
	event_add(&k->wev, NULL);
}

static void
ctl_link_write(int fd, short ev, void *arg)
{
	struct ctl_link	*k = arg;

	if (imsgbuf_write(&k->ibuf) == -1) {
		ctl_link_dead(k, strerror(errno));
		return;
	}
	if (imsgbuf_queuelen(&k->ibuf) == 0)
		event_del(&k->wev);
}

/* A client closed: out of the queue it waited in. */
static void
ctl_link_forget(struct ctl_conn *c)
{
	static const struct timeval	now = { 0, 0 };
	struct ctl_link			*k;

	if (c->lnext == 0)
		return;
	k = &links[c->lnext];
	if (c == TAILQ_FIRST(&k->queue) && k->busy) {
		/*
		 * The rest of its answer is read and dropped: reading again
		 * if it was held back for the client, what came already
		 * handled from the loop (this may run inside the handling).
		 */
		k->dropping = 1;
		event_add(&k->rev, NULL);
		evtimer_add(&k->kick, &now);
	}
	TAILQ_REMOVE(&k->queue, c, lentry);
	c->lnext = 0;
	free(c->sum);
	c->sum = NULL;
	free(c->sumfrom);
	c->sumfrom = NULL;
	c->nsum = 0;
}

/*
 * A summary's row from relay k, added to the client's.  Relay k has the
 * proxies relay 0 has (the same configurations, each proxy's row made as
 * it is loaded), each once: a name twice is a lie.  A name relay 0's rows
 * lack is left out, as they have no row for it: relay k took a reload
 * after relay 0 took its rows.  So the rows never grow, whatever a relay
 * sends, and each costs a look at relay 0's few.
 */
static void
ctl_sum_add(struct ctl_conn *c, unsigned int k, const struct ctl_proxy *p)
{
	struct ctl_proxy	*r;
	unsigned int		 i;

	for (i = 0; i < c->nsum; i++)
		if (strncmp(c->sum[i].name, p->name, sizeof(p->name)) == 0)
			break;
	if (i == c->nsum)
		return;
	r = &c->sum[i];
	if (c->sumfrom[i] == k)
		fatalx("relay %u sent the row of proxy %s twice", k, r->name);
	c->sumfrom[i] = (uint8_t)k;
	r->sessions += p->sessions;
	r->calls += p->calls;
	r->accepted += p->accepted;
	r->refused_acl += p->refused_acl;
	r->refused_limit += p->refused_limit;
	r->server_failed += p->server_failed;
	r->calls_total += p->calls_total;
	for (i = 0; i < 2; i++) {
		r->packets[i] += p->packets[i];
		r->bytes[i] += p->bytes[i];
		r->tun_dropped[i] += p->tun_dropped[i];
	}
	r->spoofed += p->spoofed;
}

static int	ctl_sum_send(struct ctl_conn *);

/*
 * Relay k's part is in: the next relay's asked for, or the answer ends
 * (r: a result that ends it, else CTL_END or the summary's rows).
 */
static void
ctl_link_done(struct ctl_link *k, const struct ctl_result *r)
{
	struct ctl_conn	*c = TAILQ_FIRST(&k->queue);
	unsigned int	 next = k->index + 1;

	k->busy = 0;
	if (c != NULL && !k->dropping) {
		TAILQ_REMOVE(&k->queue, c, lentry);
		c->lnext = 0;
		c->waiting = 0;
		ctl_conn_answered(c);
		if (r != NULL)
			(void)ctl_conn_done(c, CTL_RESULT, r, sizeof(*r));
		else if (c->lonly == 0 && next < nlinks)
			(void)ctl_link_ask(c, next);
		else if (c->req == CTL_REQ_SUMMARY)
			(void)ctl_sum_send(c);
		else
			(void)ctl_conn_done(c, CTL_END, NULL, 0);
	}
	k->dropping = 0;
	ctl_link_next(k);
}

/* What relay k sends back: checked, then passed on or added up. */
static void
ctl_link_process(struct ctl_link *k)
{
	struct ctl_conn		*c;
	struct imsg		 imsg;
	union {
		struct ctl_proxy	 p;
		struct ctl_result	 r;
		struct ctl_session	 s;
		struct ctl_call		 cc;
		struct ctl_relay	 rl;
		struct ctl_gre		 g;
	}			 u;
	size_t			 len, want;
	uint32_t		 type;
	ssize_t			 n;

	if (k->dead)
		return;
	for (;;) {
		c = TAILQ_FIRST(&k->queue);
		/* A client with rows enough waiting: the rest later. */
		if (c != NULL && k->busy && !k->dropping &&
		    imsgbuf_queuelen(&c->ibuf) >= CTL_QUEUE_ROWS) {
			event_del(&k->rev);
			return;
		}
		if ((n = imsg_get(&k->ibuf, &imsg)) == -1)
			fatalx("relay %u: bad message on its link", k->index);
		if (n == 0)
			break;
		type = imsg_get_type(&imsg);
		len = imsg_get_len(&imsg);
		switch (type) {
		case CTL_SESSION:
			want = sizeof(struct ctl_session);
			break;
		case CTL_CALL:
			want = sizeof(struct ctl_call);
			break;
		case CTL_PROXY:
			want = sizeof(struct ctl_proxy);
			break;
		case CTL_GRE:
			want = sizeof(struct ctl_gre);
			break;
		case CTL_RELAY:
			want = sizeof(struct ctl_relay);
			break;
		case CTL_RESULT:
			want = sizeof(struct ctl_result);
			break;
		case CTL_END:
			want = 0;
			break;
		default:
			fatalx("relay %u sent row type %u on its link",
			    k->index, type);
		}
		if (len != want || !k->busy)
			fatalx("relay %u sent a row of type %u, %zu bytes, %s",
			    k->index, type, len, k->busy ? "not the size of "
			    "one" : "unasked");
		if (len > 0 && imsg_get_data(&imsg, &u, len) == -1)
			fatalx("relay %u: bad row on its link", k->index);
		imsg_free(&imsg);
		if (type == CTL_END || type == CTL_RESULT) {
			if (type == CTL_RESULT)
				u.r.msg[sizeof(u.r.msg) - 1] = '\0';
			ctl_link_done(k, type == CTL_RESULT ? &u.r : NULL);
			continue;
		}
		/* A relay speaks for itself, once an answer. */
		if (type == CTL_RELAY && u.rl.index != k->index)
			fatalx("relay %u sent the row of relay %u", k->index,
			    u.rl.index);
		if (c == NULL || k->dropping)
			continue;
		if (type == CTL_RELAY) {
			if (c->req != CTL_REQ_SUMMARY ||
			    (c->relset & (1U << k->index)) != 0)
				fatalx("relay %u sent a relay row %s", k->index,
				    c->req != CTL_REQ_SUMMARY ? "unasked" :
				    "twice");
			c->rel[k->index] = u.rl;
			c->relset |= 1U << k->index;
		} else if (type == CTL_PROXY) {
			ctl_sum_add(c, k->index, &u.p);
		} else if (type == CTL_GRE) {
			/*
			 * Each relay's own forwarder's totals, once a summary,
			 * added up; with one forwarder they are relay 0's
			 * already.
			 */
			if (c->req != CTL_REQ_SUMMARY ||
			    (c->greset & (1U << k->index)) != 0)
				fatalx("relay %u sent a GRE row %s", k->index,
				    c->req != CTL_REQ_SUMMARY ? "unasked" :
				    "twice");
			c->greset |= 1U << k->index;
			if (nfwds > 1)
				ctl_gre_add(&c->lgre, &u.g);
		} else {
			if (type == CTL_SESSION)
				c->found = 1;
			if (ctl_conn_send(c, type, &u, len) == -1)
				continue;
		}
	}
}

static void
ctl_gre_add(struct ctl_gre *t, const struct ctl_gre *g)
{
	t->routes += g->routes;
	t->offloaded += g->offloaded;
	t->forwarded += g->forwarded;
	t->bytes += g->bytes;
	t->drop_bad += g->drop_bad;
	t->drop_unknown += g->drop_unknown;
	t->drop_spoofed += g->drop_spoofed;
	t->recv_errors += g->recv_errors;
	t->send_errors += g->send_errors;
}

static void
ctl_link_kick(int fd, short ev, void *arg)
{
	ctl_link_process(arg);
}

static void
ctl_link_read(int fd, short ev, void *arg)
{
	struct ctl_link	*k = arg;

	switch (imsgbuf_read(&k->ibuf)) {
	case -1:
		ctl_link_dead(k, strerror(errno));
		return;
	case 0:
		ctl_link_dead(k, "closed");
		return;
	}
	ctl_link_process(k);
}

/* The client took rows: its link may pass more. */
static void
ctl_link_resume(struct ctl_conn *c)
{
	struct ctl_link	*k;

	if (c->lnext == 0)
		return;
	k = &links[c->lnext];
	if (c == TAILQ_FIRST(&k->queue) && k->busy &&
	    imsgbuf_queuelen(&c->ibuf) < CTL_QUEUE_ROWS) {
		event_add(&k->rev, NULL);
		/* What was read already, before the pause. */
		ctl_link_process(k);
	}
}

static const char *
ctl_sock_name(const struct ctl_listener *l)
{
	if (l->link)
		return ("link to relay 0");
	return (l->restricted ? "restricted control socket" :
	    "control socket");
}

static void
ctl_conn_accept(int fd, short ev, void *arg)
{
	struct ctl_listener	*l = arg;
	struct ctl_conn		*c;
	struct timeval		 tv = { 1, 0 };
	uid_t			 uid;
	int			 cfd;

	if (ev & EV_TIMEOUT) {
		event_add(&l->ev, NULL);
		return;
	}
	for (;;) {
		cfd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);
		if (cfd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_limited(&ll_ctl, "%s: accept: %s",
				    ctl_sock_name(l), strerror(errno));
				event_del(&l->ev);
				evtimer_add(&l->pause, &tv);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED && errno != EWOULDBLOCK)
				log_warn("%s: accept", ctl_sock_name(l));
			return;
		}
		if (l->nconns >= CTL_MAX_CONNS) {
			log_limited(&ll_ctl, "%s: %u clients already, one "
			    "refused", ctl_sock_name(l), l->nconns);
			close(cfd);
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL ||
		    imsgbuf_init(&c->ibuf, cfd) == -1) {
			log_warn("%s", ctl_sock_name(l));
			free(c);
			close(cfd);
			continue;
		}
		c->l = l;
		c->uid = -1;
		/* Who asks, for the log of what the restricted one refuses. */
		if (l->restricted && os_peer_uid(cfd, &uid) == 0)
			c->uid = uid;
		c->id = next_conn_id++;
		if (next_conn_id == 0)
			next_conn_id = 1;
		event_assign(&c->rev, xbase, cfd, EV_READ | EV_PERSIST,
		    ctl_conn_read, c);
		event_assign(&c->wev, xbase, cfd, EV_WRITE | EV_PERSIST,
		    ctl_conn_write, c);
		evtimer_assign(&c->tmo, xbase, ctl_conn_stall, c);
		event_add(&c->rev, NULL);
		TAILQ_INSERT_TAIL(&conns, c, entry);
		l->nconns++;
		log_debug("%s: client %u connected", ctl_sock_name(l), c->id);
	}
}

static void
ctl_conn_close(struct ctl_conn *c, const char *why)
{
	if (why != NULL)
		log_limited(&ll_ctl, "%s: client %u closed: %s",
		    ctl_sock_name(c->l), c->id, why);
	else
		log_debug("%s: client %u left", ctl_sock_name(c->l), c->id);
	event_del(&c->rev);
	event_del(&c->wev);
	evtimer_del(&c->tmo);
	ctl_link_forget(c);
	free(c->sum);
	free(c->sumfrom);
	close(c->ibuf.fd);
	imsgbuf_clear(&c->ibuf);
	snap_put(c->snap);
	TAILQ_REMOVE(&conns, c, entry);
	c->l->nconns--;
	free(c);
}

static struct ctl_conn *
ctl_conn_find(uint32_t id)
{
	struct ctl_conn	*c;

	TAILQ_FOREACH(c, &conns, entry)
		if (c->id == id)
			return (c);
	return (NULL);
}

static void
ctl_conn_stall(int fd, short ev, void *arg)
{
	struct ctl_conn	*c = arg;

	if (c->l->link)
		return;		/* relay 0 reads as its clients do */
	ctl_conn_close(c, c->waiting ? "no answer in time" :
	    "it does not read its answer");
}

/*
 * The answer a client waited for has come: its timer stops, unless what
 * was queued for it before still waits to be written, in which case it
 * goes on, now timing its reading.
 */
static void
ctl_conn_answered(struct ctl_conn *c)
{
	if (!event_pending(&c->wev, EV_WRITE, NULL))
		evtimer_del(&c->tmo);
}

/* Queue one row; -1 closes the client (the caller returns at once). */
static int
ctl_conn_send(struct ctl_conn *c, uint32_t type, const void *data,
    size_t len)
{
	struct timeval	tv = { CTL_STALL_SECS, 0 };

	if (imsg_compose(&c->ibuf, type, CTL_PROTO_VERSION, 0, -1, data,
	    len) == -1) {
		ctl_conn_close(c, "out of memory");
		return (-1);
	}
	if (!event_pending(&c->wev, EV_WRITE, NULL)) {
		event_add(&c->wev, NULL);
		evtimer_add(&c->tmo, &tv);
	}
	return (0);
}

/* The answer is complete: reading requests again. */
static int
ctl_conn_done(struct ctl_conn *c, uint32_t type, const void *data,
    size_t len)
{
	c->req = 0;
	c->waiting = 0;
	snap_put(c->snap);
	c->snap = NULL;
	if (ctl_conn_send(c, type, data, len) == -1)
		return (-1);
	event_add(&c->rev, NULL);
	return (0);
}

static int
ctl_conn_result(struct ctl_conn *c, int ok, const char *msg)
{
	struct ctl_result	r;

	memset(&r, 0, sizeof(r));
	r.ok = ok;
	strlcpy(r.msg, msg, sizeof(r.msg));
	return (ctl_conn_done(c, CTL_RESULT, &r, sizeof(r)));
}

static void
ctl_conn_write(int fd, short ev, void *arg)
{
	struct ctl_conn	*c = arg;
	struct timeval	 tv = { CTL_STALL_SECS, 0 };

	if (imsgbuf_write(&c->ibuf) == -1) {
		ctl_conn_close(c, errno == EPIPE ? NULL : strerror(errno));
		return;
	}
	if (c->refused && imsgbuf_queuelen(&c->ibuf) == 0) {
		ctl_conn_close(c, NULL);
		return;
	}
	/* Progress: the client gets more time. */
	evtimer_add(&c->tmo, &tv);
	ctl_link_resume(c);
	if (c->req != 0 && !c->waiting && ctl_conn_fill(c) == -1)
		return;
	/*
	 * An answer is out: the requests the client sent behind it, read
	 * with it (no more bytes may come for them), or held back while
	 * its answers waited.
	 */
	if (c->req == 0 && ctl_conn_requests(c) == -1)
		return;
	if (imsgbuf_queuelen(&c->ibuf) == 0) {
		event_del(&c->wev);
		if (c->req == 0 || !c->waiting)
			evtimer_del(&c->tmo);
	}
}

static void
ctl_conn_read(int fd, short ev, void *arg)
{
	struct ctl_conn	*c = arg;

	switch (imsgbuf_read(&c->ibuf)) {
	case -1:
		ctl_conn_close(c, strerror(errno));
		return;
	case 0:
		ctl_conn_close(c, NULL);
		return;
	}
	(void)ctl_conn_requests(c);
}

/* Ask the forwarder for its counters now. */
static int
ctl_poll_start(void)
{
	if ((building = calloc(1, sizeof(*building))) == NULL)
		return (-1);
	building->refs = 1;
	poll_out = 1;
	clock_gettime(CLOCK_MONOTONIC, &poll_sent);
	relay_imsg(RELAY_TO_GRE, IMSG_GRE_CTL_POLL, 0, -1, NULL, 0);
	return (0);
}

/* Milliseconds since the last poll was asked (a lot: never). */
static long long
ctl_poll_age(void)
{
	struct timespec	now;

	if (poll_sent.tv_sec == 0 && poll_sent.tv_nsec == 0)
		return (CTL_RPOLL_MS);
	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((long long)(now.tv_sec - poll_sent.tv_sec) * 1000 +
	    (now.tv_nsec - poll_sent.tv_nsec) / 1000000);
}

/*
 * Ask the forwarder for its counters, unless a poll is out already (the
 * client gets its answer).  A client of the restricted socket makes one
 * at most CTL_RPOLL_MS after the last: asking again and again there, a
 * user who is not root would keep the forwarder (and, with gre offload,
 * the parent) polling all the time.  It waits for the rest of that time,
 * or for a poll that comes before.
 */
static int
ctl_poll_gre(struct ctl_conn *c)
{
	struct timeval	tv = { CTL_STALL_SECS, 0 };
	long long	age;

	c->waiting = 1;
	evtimer_add(&c->tmo, &tv);
	if (poll_out)
		return (0);
	if (c->l->restricted && (age = ctl_poll_age()) < CTL_RPOLL_MS) {
		if (!evtimer_pending(&ev_rpoll, NULL)) {
			if (age < 0)
				age = 0;
			tv.tv_sec = (CTL_RPOLL_MS - age) / 1000;
			tv.tv_usec = (suseconds_t)((CTL_RPOLL_MS - age) % 1000) *
			    1000;
			evtimer_add(&ev_rpoll, &tv);
		}
		return (0);
	}
	return (ctl_poll_start());
}

/* The restricted socket's clients waited: their poll, unless one is out. */
static void
ctl_rpoll(int fd, short ev, void *arg)
{
	struct ctl_conn	*c, *next;

	if (poll_out)
		return;
	TAILQ_FOREACH(c, &conns, entry)
		if (c->waiting && c->lnext == 0 &&
		    (c->req == CTL_REQ_SUMMARY || c->req == CTL_REQ_SESSIONS))
			break;
	if (c == NULL || ctl_poll_start() == 0)
		return;
	TAILQ_FOREACH_SAFE(c, &conns, entry, next)
		if (c->waiting && c->lnext == 0 &&
		    (c->req == CTL_REQ_SUMMARY || c->req == CTL_REQ_SESSIONS))
			ctl_conn_close(c, "out of memory");
}

/* Requests, one at a time: the next is read when an answer is done. */
static int
ctl_conn_requests(struct ctl_conn *c)
{
	struct imsg		 imsg;
	struct ctl_result	 r;
	uint64_t		 id;
	int32_t			 level;
	ssize_t			 n;
	uint32_t		 type;
	char			 msg[128];

	while (c->req == 0 && !c->refused) {
		/*
		 * Its answers wait to be read: none of its requests is
		 * taken, nor read, until they are, so that what waits for
		 * a client that sends and does not read stays small (each
		 * request taken gives it time); it is closed when it has
		 * taken nothing for CTL_STALL_SECS.
		 */
		if (imsgbuf_queuelen(&c->ibuf) >= CTL_QUEUE_ROWS) {
			event_del(&c->rev);
			return (0);
		}
		if ((n = imsg_get(&c->ibuf, &imsg)) == -1) {
			ctl_conn_close(c, "bad message");
			return (-1);
		}
		if (n == 0) {
			event_add(&c->rev, NULL);
			return (0);
		}
		type = imsg_get_type(&imsg);
		if (imsg_get_id(&imsg) != CTL_PROTO_VERSION) {
			/*
			 * A tool of another build: told so, in the one
			 * message every version reads, and closed once it
			 * is out.  Nothing more is read.
			 */
			log_limited(&ll_ctl, "%s: client %u refused: another "
			    "protocol version (%u, this daemon's %d)",
			    ctl_sock_name(c->l), c->id, imsg_get_id(&imsg),
			    CTL_PROTO_VERSION);
			imsg_free(&imsg);
			c->refused = 1;
			event_del(&c->rev);
			memset(&r, 0, sizeof(r));
			strlcpy(r.msg, "the daemon speaks another control "
			    "protocol version (daemon and tool from different "
			    "builds?)", sizeof(r.msg));
			return (ctl_conn_send(c, CTL_RESULT, &r, sizeof(r)));
		}
		c->req = type;
		c->cursor = 0;
		c->only = 0;
		c->found = 0;
		c->lonly = 0;
		/* Busy: nothing more is read until the answer is out. */
		event_del(&c->rev);
		if (c->l->restricted && !ctl_req_readonly(type)) {
			imsg_free(&imsg);
			if (c->uid >= 0)
				log_limited(&ll_refused, "restricted control "
				    "socket: %s refused (client %u, uid %lld)",
				    ctl_req_name(type), c->id, c->uid);
			else
				log_limited(&ll_refused, "restricted control "
				    "socket: %s refused (client %u)",
				    ctl_req_name(type), c->id);
			snprintf(msg, sizeof(msg), "%s refused: this control "
			    "socket is restricted (read-only); ask on the "
			    "full one, as root", ctl_req_name(type));
			if (ctl_conn_result(c, 0, msg) == -1)
				return (-1);
			/* Refusals pile up for a client that sends, not reads. */
			if (imsgbuf_queuelen(&c->ibuf) >= CTL_QUEUE_ROWS) {
				ctl_conn_close(c, "too many refusals unread");
				return (-1);
			}
			continue;
		}
		/* Relay 0 asks the others for rows, nothing else. */
		if (c->l->link && type != CTL_REQ_SUMMARY &&
		    type != CTL_REQ_SESSIONS && type != CTL_REQ_KILL)
			goto bad;
		switch (type) {
		case CTL_REQ_SUMMARY:
			if (imsg_get_len(&imsg) != 0)
				goto bad;
			if (ctl_poll_gre(c) == -1)
				goto nomem;
			break;
		case CTL_REQ_SESSIONS:
			if (imsg_get_data(&imsg, &id, sizeof(id)) == -1)
				goto bad;
			c->only = id;
			/* Another relay's session: that relay answers. */
			if (id != 0 && nlinks > 1 &&
			    (c->lonly = relay_of_sess(id, nlinks)) != 0) {
				(void)ctl_link_ask(c, c->lonly);
				break;
			}
			if (ctl_poll_gre(c) == -1)
				goto nomem;
			break;
		case CTL_REQ_KILL:
			if (imsg_get_data(&imsg, &id, sizeof(id)) == -1)
				goto bad;
			imsg_free(&imsg);
			if (nlinks > 1 &&
			    (c->lonly = relay_of_sess(id, nlinks)) != 0) {
				c->only = id;
				(void)ctl_link_ask(c, c->lonly);
				continue;
			}
			if (relay_sess_kill(id) == -1) {
				snprintf(msg, sizeof(msg), "no session %llu",
				    (unsigned long long)id);
				if (ctl_conn_result(c, 0, msg) == -1)
					return (-1);
			} else {
				log_info("session %llu: ending it, asked on "
				    "the control socket",
				    (unsigned long long)id);
				snprintf(msg, sizeof(msg), "session %llu "
				    "ending", (unsigned long long)id);
				if (ctl_conn_result(c, 1, msg) == -1)
					return (-1);
			}
			continue;
		case CTL_REQ_RELOAD:
			if (imsg_get_len(&imsg) != 0)
				goto bad;
			c->waiting = 1;
			relay_imsg(RELAY_TO_PARENT, IMSG_CTL_RELOAD, c->id, -1,
			    NULL, 0);
			break;
		case CTL_REQ_LOG:
			if (imsg_get_data(&imsg, &level, sizeof(level)) == -1 ||
			    (level != 0 && level != 1))
				goto bad;
			c->waiting = 1;
			level = level ? LOG_LVL_DEBUG : LOG_LVL_INFO;
			relay_imsg(RELAY_TO_PARENT, IMSG_CTL_LOG, c->id, -1,
			    &level, sizeof(level));
			break;
		default:
			goto bad;
		}
		imsg_free(&imsg);
		if (c->waiting) {
			struct timeval tv = { CTL_STALL_SECS, 0 };

			evtimer_add(&c->tmo, &tv);
		}
	}
	return (0);
 bad:
	imsg_free(&imsg);
	ctl_conn_close(c, "bad request");
	return (-1);
 nomem:
	imsg_free(&imsg);
	ctl_conn_close(c, "out of memory");
	return (-1);
}

/*
 * Rows.
 */

/* A call's counters: what the forwarder's routes carried so far. */
static void
ctl_call_counts(struct ctl_snap *sn, struct ctl_call *cc)
{
	struct gre_ctl_count	*g;

	if ((g = snap_find(sn, cc->sess, cc->client_shown)) != NULL &&
	    g->toside == CTL_TO_CLIENT) {
		cc->packets[CTL_TO_CLIENT] = g->packets;
		cc->bytes[CTL_TO_CLIENT] = g->bytes;
	}
	if ((g = snap_find(sn, cc->sess, cc->server_shown)) != NULL &&
	    g->toside == CTL_TO_SERVER) {
		cc->packets[CTL_TO_SERVER] = g->packets;
		cc->bytes[CTL_TO_SERVER] = g->bytes;
	}
}

/* A session and its calls; -1: the client was closed. */
static int
ctl_send_session(struct ctl_conn *c, uint64_t id)
{
	struct ctl_session	 row;
	struct ctl_call		 cc[1];
	struct gre_ctl_count	*g;
	unsigned int		 i;

	if (relay_sess_row(id, &row) == -1)
		return (0);
	/* Live routes add to what the ended calls carried. */
	if ((g = snap_first(c->snap, id)) != NULL) {
		for (; g < c->snap->c + c->snap->n && g->sess == id; g++) {
			if (g->toside > CTL_TO_SERVER)
				continue;
			row.packets[g->toside] += g->packets;
			row.bytes[g->toside] += g->bytes;
		}
	}
	c->found = 1;
	if (ctl_conn_send(c, CTL_SESSION, &row, sizeof(row)) == -1)
		return (-1);
	for (i = 0; relay_sess_call(id, i, &cc[0]) == 0; i++) {
		ctl_call_counts(c->snap, &cc[0]);
		if (ctl_conn_send(c, CTL_CALL, &cc[0], sizeof(cc[0])) == -1)
			return (-1);
	}
	return (0);
}

static int	ctl_send_gre(struct ctl_conn *);

/* This relay's row: its proxies' rows added up. */
static void
ctl_relay_row(struct ctl_relay *r, const struct ctl_proxy *rows,
    unsigned int n)
{
	unsigned int	i;

	memset(r, 0, sizeof(*r));
	r->index = self_index;
	r->pid = (uint32_t)self_pid;
	for (i = 0; i < n; i++) {
		r->sessions += rows[i].sessions;
		r->calls += rows[i].calls;
		r->calls_total += rows[i].calls_total;
		r->accepted += rows[i].accepted;
	}
}

#ifdef PPTPPROXY_TEST
#define CTL_TEST_ROWS	20000

/*
 * Test builds: a relay other than 0 that misbehaves on its link to relay
 * 0, as PPTPPROXY_TEST_RELAY_ROW says: "other", its summary's relay row
 * with relay 0's index; "twice", that row twice; "unasked", a relay row
 * of its own at the end of the rows of show sessions; "gretwice", its
 * forwarder's totals twice in a summary; "greunasked", its forwarder's
 * totals at the end of the rows of show sessions; "rowtwice", its first
 * proxy row twice in a summary; "rowflood", CTL_TEST_ROWS more rows in a
 * summary, each with a name made up.
 */
static int
ctl_test_row(const struct ctl_conn *c, const char *what)
{
	const char	*v;

	return (c->l->link && (v = getenv("PPTPPROXY_TEST_RELAY_ROW")) !=
	    NULL && strcmp(v, what) == 0);
}
#endif

static int
ctl_send_summary(struct ctl_conn *c)
{
	struct ctl_proxy	*rows = NULL, *nr;
	struct gre_ctl_count	*g;
	struct ctl_relay	 rel;
	unsigned int		 n, i;
	int			 p;

	for (n = 0;; n++) {
		if ((nr = reallocarray(rows, n + 1, sizeof(*rows))) == NULL) {
			free(rows);
			ctl_conn_close(c, "out of memory");
			return (-1);
		}
		rows = nr;
		if (relay_proxy_row(n, &rows[n]) == -1)
			break;
	}
	for (i = 0; c->snap != NULL && i < c->snap->n; i++) {
		g = &c->snap->c[i];
		if ((p = relay_sess_proxy(g->sess)) < 0 || (unsigned)p >= n ||
		    g->toside > CTL_TO_SERVER)
			continue;
		rows[p].packets[g->toside] += g->packets;
		rows[p].bytes[g->toside] += g->bytes;
	}
	ctl_relay_row(&rel, rows, n);
	if (nlinks > 1) {
		/*
		 * The other relays' rows are added, and theirs kept, before
		 * any is sent.
		 */
		free(c->sum);
		free(c->sumfrom);
		c->sum = rows;
		c->nsum = n;
		/* Relay 0's rows: each relay adds to them once. */
		if ((c->sumfrom = calloc(n + 1, sizeof(*c->sumfrom))) ==
		    NULL) {
			ctl_conn_close(c, "out of memory");
			return (-1);
		}
		c->rel[0] = rel;
		c->relset = 1;
		return (ctl_link_ask(c, 1));
	}
	for (i = 0; i < n; i++)
		if (ctl_conn_send(c, CTL_PROXY, &rows[i], sizeof(rows[i])) ==
		    -1) {
			free(rows);
			return (-1);
		}
#ifdef PPTPPROXY_TEST
	if (n > 0 && ctl_test_row(c, "rowtwice") && ctl_conn_send(c,
	    CTL_PROXY, &rows[0], sizeof(rows[0])) == -1) {
		free(rows);
		return (-1);
	}
	for (i = 0; n > 0 && i < CTL_TEST_ROWS &&
	    ctl_test_row(c, "rowflood"); i++) {
		snprintf(rows[0].name, sizeof(rows[0].name), "madeup%u", i);
		if (ctl_conn_send(c, CTL_PROXY, &rows[0], sizeof(rows[0])) ==
		    -1) {
			free(rows);
			return (-1);
		}
	}
#endif
	free(rows);
#ifdef PPTPPROXY_TEST
	if (ctl_test_row(c, "other"))
		rel.index = 0;
	if (ctl_test_row(c, "twice") &&
	    ctl_conn_send(c, CTL_RELAY, &rel, sizeof(rel)) == -1)
		return (-1);
#endif
	if (ctl_conn_send(c, CTL_RELAY, &rel, sizeof(rel)) == -1)
		return (-1);
	return (ctl_send_gre(c));
}

/*
 * Relays N: the summary's rows, added up over the relays, then each
 * relay's own, in their order.
 */
static int
ctl_sum_send(struct ctl_conn *c)
{
	unsigned int	i;

	for (i = 0; i < c->nsum; i++)
		if (ctl_conn_send(c, CTL_PROXY, &c->sum[i], sizeof(c->sum[i])) ==
		    -1)
			return (-1);
	free(c->sum);
	c->sum = NULL;
	free(c->sumfrom);
	c->sumfrom = NULL;
	c->nsum = 0;
	for (i = 0; i < nlinks; i++)
		if ((c->relset & (1U << i)) != 0 && ctl_conn_send(c,
		    CTL_RELAY, &c->rel[i], sizeof(c->rel[i])) == -1)
			return (-1);
	c->relset = 0;
	return (ctl_send_gre(c));
}

/* The forwarder's totals, and the summary's end. */
static int
ctl_send_gre(struct ctl_conn *c)
{
	struct ctl_gre	gre;

	gre = c->lgre;
	memset(&c->lgre, 0, sizeof(c->lgre));
	c->greset = 0;
	if (c->snap != NULL) {
		gre.routes += c->snap->tot.routes;
		gre.offloaded += c->snap->tot.offloaded;
		gre.forwarded += c->snap->tot.forwarded;
		gre.bytes += c->snap->tot.bytes;
		gre.drop_bad += c->snap->tot.drop_bad;
		gre.drop_unknown += c->snap->tot.drop_unknown;
		gre.drop_spoofed += c->snap->tot.drop_spoofed;
		gre.recv_errors += c->snap->tot.recv_errors;
		gre.send_errors += c->snap->tot.send_errors;
	}
#ifdef PPTPPROXY_TEST
	if (ctl_test_row(c, "gretwice") &&
	    ctl_conn_send(c, CTL_GRE, &gre, sizeof(gre)) == -1)
		return (-1);
#endif
	if (ctl_conn_send(c, CTL_GRE, &gre, sizeof(gre)) == -1)
		return (-1);
	return (ctl_conn_done(c, CTL_END, NULL, 0));
}

/* More rows while the client's queue is short; -1: it was closed. */
static int
ctl_conn_fill(struct ctl_conn *c)
{
	char			 msg[64];
#ifdef PPTPPROXY_TEST
	struct ctl_relay	 rel;
	struct ctl_gre		 gre;
#endif

	switch (c->req) {
	case CTL_REQ_SUMMARY:
		return (ctl_send_summary(c));
	case CTL_REQ_SESSIONS:
		if (c->only != 0) {
			if (ctl_send_session(c, c->only) == -1)
				return (-1);
			if (c->found)
				return (ctl_conn_done(c, CTL_END, NULL, 0));
			snprintf(msg, sizeof(msg), "no session %llu",
			    (unsigned long long)c->only);
			return (ctl_conn_result(c, 0, msg));
		}
		while (imsgbuf_queuelen(&c->ibuf) < CTL_QUEUE_ROWS) {
			if ((c->cursor = relay_sess_next(c->cursor)) == 0 &&
			    nlinks > 1)
				return (ctl_link_ask(c, 1));
#ifdef PPTPPROXY_TEST
			if (c->cursor == 0 && ctl_test_row(c, "unasked")) {
				ctl_relay_row(&rel, NULL, 0);
				if (ctl_conn_send(c, CTL_RELAY, &rel,
				    sizeof(rel)) == -1)
					return (-1);
			}
			if (c->cursor == 0 && ctl_test_row(c, "greunasked")) {
				memset(&gre, 0, sizeof(gre));
				if (ctl_conn_send(c, CTL_GRE, &gre,
				    sizeof(gre)) == -1)
					return (-1);
			}
#endif
			if (c->cursor == 0)
				return (ctl_conn_done(c, CTL_END, NULL, 0));
			if (ctl_send_session(c, c->cursor) == -1)
				return (-1);
		}
		return (0);
	}
	return (0);
}

/*
 * The forwarder's answer to a poll: counts, then the totals.  It counts
 * each route once a poll, a key a route: more is a lie, as are counts
 * with no poll out (one at a time, each answered once, then END).
 */
void
ctl_gre_counts(struct imsg *imsg)
{
	struct gre_ctl_count	*nc;
	size_t			 len, k;

	len = imsg_get_len(imsg);
	if (len % sizeof(*nc) != 0 ||
	    len > GRE_CTL_COUNTS_MAX * sizeof(*nc))
		fatalx("bad IMSG_GRE_CTL_COUNTS");
	if (building == NULL)
		fatalx("IMSG_GRE_CTL_COUNTS without a poll");
	k = len / sizeof(*nc);
	if (building->n + k > RT_KEYS)
		fatalx("IMSG_GRE_CTL_COUNTS: more than %d counts in a poll",
		    RT_KEYS);
	if (k == 0)
		return;
	if (building->n + k > building->cap) {
		if ((nc = reallocarray(building->c, building->cap + k +
		    GRE_CTL_COUNTS_MAX, sizeof(*nc))) == NULL) {
			log_warn("control socket: counters");
			return;
		}
		building->c = nc;
		building->cap += k + GRE_CTL_COUNTS_MAX;
	}
	if (imsg_get_data(imsg, building->c + building->n, len) == -1)
		fatalx("bad IMSG_GRE_CTL_COUNTS");
	building->n += k;
}

void
ctl_gre_end(struct imsg *imsg)
{
	struct ctl_conn		*c, *next;
	struct ctl_snap		*sn = building;

	if (sn == NULL)
		fatalx("IMSG_GRE_CTL_END without a poll");
	if (imsg_get_data(imsg, &sn->tot, sizeof(sn->tot)) == -1)
		fatalx("bad IMSG_GRE_CTL_END");
	building = NULL;
	poll_out = 0;
	snap_sort(sn->c, sn->n);
	TAILQ_FOREACH_SAFE(c, &conns, entry, next) {
		if (!c->waiting || c->lnext != 0 ||
		    (c->req != CTL_REQ_SUMMARY && c->req != CTL_REQ_SESSIONS))
			continue;
		c->waiting = 0;
		ctl_conn_answered(c);
		c->snap = sn;
		sn->refs++;
		(void)ctl_conn_fill(c);
	}
	snap_put(sn);
}

/*
 * A route ended and the relay counted what it carried: a snapshot that
 * still has it must not count it again.
 */
void
ctl_route_gone(uint64_t sess, uint16_t key, uint8_t toside)
{
	struct ctl_conn		*c;
	struct gre_ctl_count	*g;

	TAILQ_FOREACH(c, &conns, entry) {
		if (c->snap == NULL || c->snap->refs == 0)
			continue;
		if ((g = snap_find(c->snap, sess, key)) != NULL &&
		    g->toside == toside) {
			g->packets = 0;
			g->bytes = 0;
		}
	}
}

/* The parent's answer to a reload or log level request. */
void
ctl_result(struct imsg *imsg)
{
	struct ctl_result	 r;
	struct ctl_conn		*c;

	if (imsg_get_data(imsg, &r, sizeof(r)) == -1)
		fatalx("bad IMSG_CTL_RESULT");
	r.msg[sizeof(r.msg) - 1] = '\0';
	if ((c = ctl_conn_find(imsg_get_id(imsg))) == NULL || !c->waiting)
		return;
	ctl_conn_answered(c);
	if (ctl_conn_done(c, CTL_RESULT, &r, sizeof(r)) == -1)
		return;
	/* Requests that came while this one waited. */
	(void)ctl_conn_requests(c);
}

/* The counts of the control sockets' log lines held back. */
void
ctl_log_flush(void)
{
	log_limit_flush(&ll_ctl);
	log_limit_flush(&ll_refused);
}

/* The end of a session's line: what its tunnel over TCP dropped. */
void
ctl_tun_drops(char *buf, size_t len, uint64_t to_client, uint64_t to_server)
{
	size_t	n = strlen(buf);

	if ((to_client == 0 && to_server == 0) || n >= len)
		return;
	snprintf(buf + n, len - n, ", GRE dropped (TCP not keeping up): %llu "
	    "to the client, %llu to the server", (unsigned long long)to_client,
	    (unsigned long long)to_server);
}

/*
 * SIGUSR1: a line per proxy now, then the sessions, at most
 * CTL_USR1_LINES lines every CTL_USR1_TICK_MS (a journal's rate limit
 * allows 10,000 lines in 30 s by default), and at most
 * CTL_USR1_MAX_SESSIONS of them: the rest is counted, for
 * pptpproxyctl show sessions.
 */
static int
ctl_usr1_session(uint64_t id)
{
	struct ctl_session	 s;
	struct ctl_call		 cc;
	unsigned int		 i;
	char			 a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	char			 t[INET_ADDRSTRLEN], tun[192];
	int			 lines = 1;

	if (relay_sess_row(id, &s) == -1)
		return (0);
	inet_ntop(AF_INET, &s.client.sin_addr, a, sizeof(a));
	inet_ntop(AF_INET, &s.server.sin_addr, b, sizeof(b));
	tun[0] = '\0';
	if (s.tunnel != CTL_TUN_NONE) {
		inet_ntop(AF_INET, &s.tun_peer.sin_addr, t, sizeof(t));
		if (s.tun_peer.sin_port == 0)
			snprintf(tun, sizeof(tun), ", tunnelled over %s, peer "
			    "not known yet", s.tunnel == CTL_TUN_TCP ? "TCP" :
			    "UDP");
		else
			snprintf(tun, sizeof(tun), ", tunnelled over %s, peer "
			    "%s:%u", s.tunnel == CTL_TUN_TCP ? "TCP" : "UDP",
			    t, ntohs(s.tun_peer.sin_port));
		ctl_tun_drops(tun, sizeof(tun), s.tun_dropped[CTL_TO_CLIENT],
		    s.tun_dropped[CTL_TO_SERVER]);
	}
	log_info("session %llu: %s:%u -> %s:%u (%s), %s, %llds, %u call%s "
	    "up%s", (unsigned long long)s.id, a, ntohs(s.client.sin_port), b,
	    ntohs(s.server.sin_port), s.proxy, ctl_state_name(s.state),
	    (long long)s.age, s.ncalls, s.ncalls == 1 ? "" : "s", tun);
	for (i = 0; relay_sess_call(id, i, &cc) == 0; i++, lines++)
		log_info("session %llu: call %u %s: client Call ID %u/%u, "
		    "server Call ID %u/%u, %llds", (unsigned long long)id,
		    cc.serial, ctl_call_state_name(cc.state), cc.client_id,
		    cc.client_shown, cc.server_id, cc.server_shown,
		    (long long)cc.age);
	return (lines);
}

static void
ctl_usr1_tick(int fd, short ev, void *arg)
{
	struct timeval	 tv = { 0, CTL_USR1_TICK_MS * 1000 };
	uint64_t	 id;
	unsigned int	 lines = 0, left;

	while (lines < CTL_USR1_LINES) {
		if ((id = relay_sess_next(usr1_cursor)) == 0) {
			log_info("end of the session list (%u listed)",
			    usr1_listed);
			usr1_cursor = 0;
			return;
		}
		if (usr1_listed >= CTL_USR1_MAX_SESSIONS) {
			for (left = 0; id != 0; id = relay_sess_next(id))
				left++;
			log_info("end of the session list (%u listed, %u "
			    "more: pptpproxyctl show sessions lists them "
			    "all)", usr1_listed, left);
			usr1_cursor = 0;
			return;
		}
		usr1_cursor = id;
		usr1_listed++;
		lines += (unsigned int)ctl_usr1_session(id);
	}
	evtimer_add(&ev_usr1, &tv);
}

void
ctl_status_log(void)
{
	struct ctl_proxy	p;
	unsigned int		i;
	char			a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	char			tun[128];

	for (i = 0; relay_proxy_row(i, &p) == 0; i++) {
		inet_ntop(AF_INET, &p.listen.sin_addr, a, sizeof(a));
		inet_ntop(AF_INET, &p.server.sin_addr, b, sizeof(b));
		tun[0] = '\0';
		ctl_tun_drops(tun, sizeof(tun), p.tun_dropped[CTL_TO_CLIENT],
		    p.tun_dropped[CTL_TO_SERVER]);
		log_info("proxy %s: %s:%u -> %s:%u%s, %llu sessions, %llu "
		    "calls up; %llu accepted, refused %llu by acl, %llu by "
		    "limit, %llu failed to the server%s", p.name, a,
		    ntohs(p.listen.sin_port), b, ntohs(p.server.sin_port),
		    p.listening ? "" : " (no longer configured)",
		    (unsigned long long)p.sessions,
		    (unsigned long long)p.calls,
		    (unsigned long long)p.accepted,
		    (unsigned long long)p.refused_acl,
		    (unsigned long long)p.refused_limit,
		    (unsigned long long)p.server_failed, tun);
	}
	if (evtimer_pending(&ev_usr1, NULL)) {
		log_info("a session list is being written already");
		return;
	}
	usr1_cursor = 0;
	usr1_listed = 0;
	if (relay_sess_next(0) == 0)
		return;
	ctl_usr1_tick(-1, 0, NULL);
}

/*
 * The parent's part: the socket, created and bound as root before
 * anything is dropped, mode 0600; then, for the restricted one, given
 * its group (gid, (gid_t)-1: none) and mode.  It is bound with no access
 * for group or others, so nobody else can connect before it has the
 * group and mode it is meant to have.  A daemon that answers there
 * already makes this one refuse to start; a socket nobody answers on is
 * a stale one, and goes.  -1: not created (why in err).
 */
int
ctl_socket_open(const char *path, gid_t gid, mode_t mode, char *err,
    size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (path[0] != '/' ||
	    strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket %s: not an absolute "
		    "path shorter than %zu bytes", path, sizeof(sun.sun_path));
		return (-1);
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "control socket %s: exists and "
			    "is not a socket", path);
			return (-1);
		}
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
		    -1) {
			snprintf(err, errlen, "socket: %s", strerror(errno));
			return (-1);
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(fd);
			snprintf(err, errlen, "another pptpproxy answers on "
			    "%s", path);
			return (-1);
		}
		close(fd);
		if (unlink(path) == -1 && errno != ENOENT) {
			snprintf(err, errlen, "control socket %s: unlink: %s",
			    path, strerror(errno));
			return (-1);
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return (-1);
	}
	old = umask(S_IRWXG | S_IRWXO | S_IXUSR);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(err, errlen, "control socket %s: bind: %s", path,
		    strerror(errno));
		umask(old);
		close(fd);
		return (-1);
	}
	umask(old);
	if ((gid != (gid_t)-1 && lchown(path, 0, gid) == -1) ||
	    chmod(path, mode) == -1 ||
	    listen(fd, CTL_MAX_CONNS) == -1) {
		snprintf(err, errlen, "control socket %s: %s", path,
		    strerror(errno));
		(void)unlink(path);
		close(fd);
		return (-1);
	}
	return (fd);
}

/*
 * The restricted socket's group: by name (it must exist: -1 if not), by
 * number, or root's (0) when none is set.
 */
int
ctl_group(const struct pptpproxy_conf *conf, gid_t *gid)
{
	struct group	*gr;

	if (conf->ctl_rgroup[0] != '\0') {
		if ((gr = getgrnam(conf->ctl_rgroup)) == NULL)
			return (-1);
		*gid = gr->gr_gid;
	} else
		*gid = conf->ctl_rgid < 0 ? 0 : (gid_t)conf->ctl_rgid;
	return (0);
}
