/*
 * The GRE forwarder: owns the raw GRE socket the parent opened, keeps the
 * table of Call IDs the control relay registers, and forwards packets in
 * batches, rewriting the key in place.  Nothing on the packet path
 * allocates, logs or takes a lock.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/ip.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "pptp.h"
#include "gre.h"
#include "offload.h"
#include "os.h"

#define GRE_BATCH	64		/* packets per system call */
#define GRE_BATCHES	16		/* batches per wake-up */
#define GRE_BUFSZ	65536		/* the largest IP packet */
/*
 * gre offload: a route goes to the kernel after this many packets, so
 * that calls which never carry data (or hardly any) cost no netlink
 * work, and the first packets of a call, PPP's negotiation, are counted
 * here.
 */
#define GRE_OFFLOAD_AFTER 32
/*
 * Many calls ended: a second after the last of them, when the answers to
 * the relay are out, the memory those took goes back to the system.
 */
#define GRE_TRIM_AFTER	2000		/* routes deleted */

struct gre_slot {
	uint8_t		 buf[GRE_BUFSZ];
};

static struct gre_table	 table;
static struct gre_slot	*slots;
static struct mmsghdr	 rmsg[GRE_BATCH], smsg[GRE_BATCH];
static struct iovec	 riov[GRE_BATCH], siov[GRE_BATCH];
static struct sockaddr_in rfrom[GRE_BATCH], sto[GRE_BATCH];
static uint8_t		*scmsg;
static int		 gre_fd = -1;
static struct imsgev	 iev_parent, iev_control;
static struct event	 ev_gre, ev_sweep, ev_trim;
static unsigned int	 ndeleted;	/* routes, since the last trim */
static const struct timeval trim_delay = { 1, 0 };
#ifdef PPTPPROXY_TEST
static struct event	 ev_usr2;
#endif
static struct pptpproxy_conf *gconf;
static struct event_base *gbase;
static int		 sweep_polling;	/* waiting for the kernel's counters */

static void	gre_dispatch_parent(struct imsgev *, struct imsg *);
static void	gre_dispatch_control(struct imsgev *, struct imsg *);
static void	gre_closed(struct imsgev *);
static void	gre_read(int, short, void *);
static void	gre_read_batches(void);
static void	gre_sweep(int, short, void *);
static void	gre_trim(int, short, void *);
#ifdef PPTPPROXY_TEST
static void	gre_sig(int, short, void *);
#endif
static void	gre_stats_reply(struct gre_route_ent *, uint16_t);
static void	gre_sweep_finish(void);
static void	gre_stats_fill(struct gre_stats *, struct gre_route_ent *,
		    uint16_t);

/*
 * The per-packet rule, kept free of I/O so it can be tested and fuzzed:
 * pkt holds an IPv4 packet as a raw socket delivers it.  On success the
 * key is rewritten in place and the route returned with the GRE part in
 * *gre and *glen; NULL means drop (a counter says why).
 */
struct gre_route_ent *
gre_translate(struct gre_table *t, uint8_t *pkt, size_t len, uint8_t **gre,
    size_t *glen)
{
	struct gre_route_ent	*r;
	size_t			 ihl, tot, keyoff, hlen;
	uint32_t		 src, dst;
	uint16_t		 key;

	if (len < 20 || (pkt[0] >> 4) != 4) {
		t->drop_bad++;
		return (NULL);
	}
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len || pkt[9] != IPPROTO_GRE) {
		t->drop_bad++;
		return (NULL);
	}
	/*
	 * The datagram's length is what the socket delivered: the kernel
	 * trims link padding, and some systems hand raw sockets the IP
	 * length field in host order, so that field is not trusted.
	 */
	tot = len;
	if (gre_check(pkt + ihl, tot - ihl, &keyoff, &hlen) == -1) {
		t->drop_bad++;
		return (NULL);
	}
	key = pptp_get16(pkt + ihl, tot - ihl, keyoff);
	r = &t->routes[key];
	if (!r->used) {
		t->drop_unknown++;
		return (NULL);
	}
	memcpy(&src, pkt + 12, sizeof(src));
	if (src != r->from.s_addr) {
		r->dropped++;
		t->drop_spoofed++;
		return (NULL);
	}
	/*
	 * The peer sends to the one address of ours it talks to: the raw
	 * socket also gets what was sent to our other addresses and to
	 * broadcast, which the kernel path (offload.c) does not forward.
	 */
	memcpy(&dst, pkt + 16, sizeof(dst));
	if (dst != r->dst.s_addr) {
		t->drop_dst++;
		return (NULL);
	}
	pptp_put16(pkt + ihl, tot - ihl, keyoff, r->newkey);
	r->packets++;
	r->bytes += tot;
	if (t->offload_after > 0 && r->packets >= t->offload_after &&
	    !r->offload && t->noffq < t->offq_max) {
		r->offload = 1;
		t->noffloaded++;
		t->offq[t->noffq++] = key;
	}
	r->active = 1;
	t->forwarded++;
	t->fwd_bytes += tot;
	*gre = pkt + ihl;
	*glen = tot - ihl;
	return (r);
}

int
gre_table_add(struct gre_table *t, const struct gre_route *gr)
{
	struct gre_route_ent	*r = &t->routes[gr->key];

	if (r->used && r->sess != gr->sess)
		return (-1);
	if (r->used && r->offload)
		t->noffloaded--;
	memset(r, 0, sizeof(*r));
	r->used = 1;
	r->active = 1;
	r->sess = gr->sess;
	r->call = gr->call;
	r->newkey = gr->newkey;
	r->from = gr->from;
	r->to = gr->to;
	r->src = gr->src;
	r->dst = gr->dst;
	r->toside = gr->toside;
	r->proxy_id = gr->proxy_id;
	t->nroutes++;
	return (0);
}

struct gre_route_ent *
gre_table_del(struct gre_table *t, uint64_t sess, uint16_t key)
{
	struct gre_route_ent	*r = &t->routes[key];

	if (!r->used || r->sess != sess)
		return (NULL);
	r->used = 0;
	t->nroutes--;
	if (r->offload)
		t->noffloaded--;
	return (r);
}

/* The route as the control relay gave it, for the parent. */
static void
gre_route_of(struct gre_route *gr, const struct gre_route_ent *r,
    uint16_t key)
{
	memset(gr, 0, sizeof(*gr));
	gr->sess = r->sess;
	gr->call = r->call;
	gr->key = key;
	gr->newkey = r->newkey;
	gr->from = r->from;
	gr->to = r->to;
	gr->src = r->src;
	gr->dst = r->dst;
	gr->toside = r->toside;
	gr->proxy_id = r->proxy_id;
}

/* Routes that crossed the offload threshold in the last batches. */
static void
gre_offload_queued(void)
{
	struct gre_route_ent	*r;
	struct gre_route	 gr;
	unsigned int		 i;
	uint16_t		 key;

	for (i = 0; i < table.noffq; i++) {
		key = table.offq[i];
		r = &table.routes[key];
		if (!r->used || !r->offload)
			continue;
		gre_route_of(&gr, r, key);
		imsg_compose(&iev_parent.ibuf, IMSG_OFFLOAD_ADD, 0, 0, -1, &gr,
		    sizeof(gr));
	}
	table.noffq = 0;
	imsgev_update(&iev_parent);
}

static void
gre_read(int fd, short ev, void *arg)
{
	gre_read_batches();
	if (table.noffq > 0)
		gre_offload_queued();
}

static void
gre_read_batches(void)
{
	struct gre_route_ent	*r;
	uint8_t			*g;
	size_t			 glen;
	int			 i, n, ns, sent, b;

	for (b = 0; b < GRE_BATCHES; b++) {
		for (i = 0; i < GRE_BATCH; i++) {
			riov[i].iov_base = slots[i].buf;
			riov[i].iov_len = sizeof(slots[i].buf);
			rmsg[i].msg_hdr.msg_iov = &riov[i];
			rmsg[i].msg_hdr.msg_iovlen = 1;
			rmsg[i].msg_hdr.msg_name = &rfrom[i];
			rmsg[i].msg_hdr.msg_namelen = sizeof(rfrom[i]);
			rmsg[i].msg_hdr.msg_control = NULL;
			rmsg[i].msg_hdr.msg_controllen = 0;
			rmsg[i].msg_hdr.msg_flags = 0;
		}
		n = recvmmsg(gre_fd, rmsg, GRE_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n == -1 && errno != EAGAIN && errno != EINTR &&
			    errno != EWOULDBLOCK)
				table.recv_errors++;
			return;
		}
		ns = 0;
		for (i = 0; i < n; i++) {
			if (rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				table.drop_bad++;
				continue;
			}
			r = gre_translate(&table, slots[i].buf, rmsg[i].msg_len,
			    &g, &glen);
			if (r == NULL)
				continue;
			siov[ns].iov_base = g;
			siov[ns].iov_len = glen;
			sto[ns].sin_family = AF_INET;
			sto[ns].sin_port = 0;
			sto[ns].sin_addr = r->to;
			smsg[ns].msg_hdr.msg_name = &sto[ns];
			smsg[ns].msg_hdr.msg_namelen = sizeof(sto[ns]);
			smsg[ns].msg_hdr.msg_iov = &siov[ns];
			smsg[ns].msg_hdr.msg_iovlen = 1;
			smsg[ns].msg_hdr.msg_flags = 0;
			os_srcaddr_set(&smsg[ns].msg_hdr,
			    scmsg + (size_t)ns * os_srcaddr_space(), r->src);
			ns++;
		}
		for (sent = 0; sent < ns; ) {
			i = sendmmsg(gre_fd, smsg + sent, ns - sent, 0);
			if (i <= 0) {
				if (i == -1 && errno == EINTR)
					continue;
				/* Skip the packet the kernel refused. */
				table.send_errors++;
				sent++;
				continue;
			}
			sent += i;
		}
		if (n < GRE_BATCH)
			return;
	}
}

/*
 * Report routes that saw no packet since the last sweep as idle.  With
 * gre offload the kernel forwards most packets: its counters are asked
 * for first, and a route whose counter moved was active.
 */
static void
gre_sweep(int fd, short ev, void *arg)
{
	if (table.noffloaded > 0) {
		if (!sweep_polling) {
			sweep_polling = 1;
			imsgev_compose(&iev_parent, IMSG_OFFLOAD_POLL, 0, -1,
			    NULL, 0);
		}
		return;
	}
	gre_sweep_finish();
}

static void
gre_trim(int fd, short ev, void *arg)
{
	ndeleted = 0;
	os_memory_trim();
}

static void
gre_sweep_finish(void)
{
	struct gre_key		 k;
	struct timeval		 tv;
	unsigned int		 i;
	struct gre_route_ent	*r;

	sweep_polling = 0;
	for (i = 0; i < 65536; i++) {
		r = &table.routes[i];
		if (!r->used)
			continue;
		if (!r->active && r->toside == PPTP_SERVER) {
			memset(&k, 0, sizeof(k));
			k.sess = r->sess;
			k.key = (uint16_t)i;
			imsg_compose(&iev_control.ibuf, IMSG_GRE_IDLE, 0, 0,
			    -1, &k, sizeof(k));
		}
		r->active = 0;
	}
	imsgev_update(&iev_control);
	if (gconf != NULL && gconf->t_idle > 0) {
		timerclear(&tv);
		tv.tv_sec = gconf->t_idle;
		evtimer_add(&ev_sweep, &tv);
	}
}

/* The kernel's counters for offloaded routes, part of a sweep. */
static void
gre_offload_counts(struct imsg *imsg)
{
	static struct offload_count	 c[OFFLOAD_COUNTS_MAX];
	struct gre_route_ent		*r;
	size_t				 len, i;

	len = imsg_get_len(imsg);
	if (len % sizeof(c[0]) != 0 || len > sizeof(c) ||
	    (len > 0 && imsg_get_data(imsg, c, len) == -1))
		fatalx("bad IMSG_OFFLOAD_COUNTS");
	for (i = 0; i < len / sizeof(c[0]); i++) {
		r = &table.routes[c[i].key];
		if (!r->used || r->sess != c[i].sess)
			continue;
		if (c[i].packets != r->kpackets)
			r->active = 1;
		r->kpackets = c[i].packets;
		r->kbytes = c[i].bytes;
	}
}

static void
gre_stats_reply(struct gre_route_ent *r, uint16_t key)
{
	struct gre_stats	st;

	gre_stats_fill(&st, r, key);
	imsgev_compose(&iev_control, IMSG_GRE_STATS, 0, -1, &st, sizeof(st));
}

static void
gre_stats_fill(struct gre_stats *st, struct gre_route_ent *r, uint16_t key)
{
	memset(st, 0, sizeof(*st));
	st->sess = r->sess;
	st->key = key;
	st->toside = r->toside;
	st->packets = r->packets;
	st->bytes = r->bytes;
	st->dropped = r->dropped;
}

static void
gre_offload_del(struct gre_route_ent *r, uint16_t key)
{
	struct offload_del	d;

	memset(&d, 0, sizeof(d));
	gre_route_of(&d.route, r, key);
	gre_stats_fill(&d.stats, r, key);
	imsgev_compose(&iev_parent, IMSG_OFFLOAD_DEL, 0, -1, &d, sizeof(d));
}

/*
 * The control socket: every route's counters so far (the kernel's as of
 * the last sweep, for routes it forwards), then the totals.
 */
_Static_assert(IMSG_HEADER_SIZE + GRE_CTL_COUNTS_MAX *
    sizeof(struct gre_ctl_count) <= MAX_IMSGSIZE,
    "GRE_CTL_COUNTS_MAX counts do not fit in an imsg");

static void
gre_ctl_poll(void)
{
	static struct gre_ctl_count	 c[GRE_CTL_COUNTS_MAX];
	struct gre_ctl_totals		 t;
	struct gre_route_ent		*r;
	unsigned int			 i, n = 0;

	for (i = 0; i < 65536; i++) {
		r = &table.routes[i];
		if (!r->used)
			continue;
		memset(&c[n], 0, sizeof(c[n]));
		c[n].sess = r->sess;
		c[n].key = (uint16_t)i;
		c[n].toside = r->toside;
		c[n].packets = r->packets + r->kpackets;
		c[n].bytes = r->bytes + r->kbytes;
		if (++n == GRE_CTL_COUNTS_MAX) {
			if (imsg_compose(&iev_control.ibuf,
			    IMSG_GRE_CTL_COUNTS, 0, 0, -1, c,
			    n * sizeof(c[0])) == -1)
				fatal("imsg to control");
			n = 0;
		}
	}
	if (n > 0 && imsg_compose(&iev_control.ibuf, IMSG_GRE_CTL_COUNTS, 0, 0,
	    -1, c, n * sizeof(c[0])) == -1)
		fatal("imsg to control");
	memset(&t, 0, sizeof(t));
	t.routes = table.nroutes;
	t.offloaded = table.noffloaded;
	t.forwarded = table.forwarded;
	t.bytes = table.fwd_bytes;
	t.drop_bad = table.drop_bad;
	t.drop_unknown = table.drop_unknown;
	t.drop_spoofed = table.drop_spoofed;
	t.recv_errors = table.recv_errors;
	t.send_errors = table.send_errors;
	imsgev_compose(&iev_control, IMSG_GRE_CTL_END, 0, -1, &t, sizeof(t));
}

static void
gre_dispatch_control(struct imsgev *iev, struct imsg *imsg)
{
	struct gre_route	 gr;
	struct gre_key		 k;
	struct gre_route_ent	*r, dead;

	switch (imsg_get_type(imsg)) {
	case IMSG_GRE_ADD:
		if (imsg_get_data(imsg, &gr, sizeof(gr)) == -1)
			fatalx("bad IMSG_GRE_ADD");
		if (gre_table_add(&table, &gr) == -1)
			log_warnx("session %llu: Call ID %u already routed for "
			    "session %llu", (unsigned long long)gr.sess, gr.key,
			    (unsigned long long)table.routes[gr.key].sess);
		break;
	case IMSG_GRE_DEL:
		if (imsg_get_data(imsg, &k, sizeof(k)) == -1)
			fatalx("bad IMSG_GRE_DEL");
		if ((r = gre_table_del(&table, k.sess, k.key)) == NULL) {
			/* Answer anyway: the relay counts the answers. */
			memset(&dead, 0, sizeof(dead));
			dead.sess = k.sess;
			r = &dead;
		} else if (++ndeleted >= GRE_TRIM_AFTER) {
			/* (again: a second after the last of a burst) */
			evtimer_add(&ev_trim, &trim_delay);
		}
		if (r->offload) {
			/* The parent adds the kernel's count and answers. */
			gre_offload_del(r, k.key);
			break;
		}
		gre_stats_reply(r, k.key);
		break;
	case IMSG_GRE_CTL_POLL:
		gre_ctl_poll();
		break;
	default:
		log_warnx("unexpected message %u from control",
		    imsg_get_type(imsg));
	}
}

static void
gre_status(void)
{
	log_info("%u routes (%u handed to the kernel), %llu forwarded, "
	    "dropped: %llu malformed, %llu unknown Call ID, %llu wrong "
	    "source, %llu wrong destination; %llu send errors",
	    table.nroutes, table.noffloaded,
	    (unsigned long long)table.forwarded,
	    (unsigned long long)table.drop_bad,
	    (unsigned long long)table.drop_unknown,
	    (unsigned long long)table.drop_spoofed,
	    (unsigned long long)table.drop_dst,
	    (unsigned long long)table.send_errors);
}

static void
gre_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	static struct conf_rx	 rx;
	struct pptpproxy_conf	*nconf = NULL;
	struct gre_stats	 st;
	struct timeval		 tv;
	int			 r;

	switch (imsg_get_type(imsg)) {
	case IMSG_STATUS_REQ:
		gre_status();
		return;
	case IMSG_CTL_LOG:
		if (imsg_get_data(imsg, &r, sizeof(r)) == -1)
			fatalx("bad IMSG_CTL_LOG");
		log_setlevel(r);
		return;
	case IMSG_OFFLOAD_STATS:
		if (imsg_get_data(imsg, &st, sizeof(st)) == -1)
			fatalx("bad IMSG_OFFLOAD_STATS");
		imsgev_compose(&iev_control, IMSG_GRE_STATS, 0, -1, &st,
		    sizeof(st));
		return;
	case IMSG_OFFLOAD_COUNTS:
		gre_offload_counts(imsg);
		return;
	case IMSG_OFFLOAD_COUNTS_END:
		gre_offload_counts(imsg);
		gre_sweep_finish();
		return;
	default:
		break;
	}
	if ((r = conf_recv(&rx, imsg, &nconf)) == -1)
		fatalx("bad configuration message %u from parent",
		    imsg_get_type(imsg));
	if (r == 1) {
		if (gconf != NULL)
			conf_free(gconf);
		gconf = nconf;
		log_setlevel(gconf->log_level);
		table.offload_after = gconf->gre_offload ?
		    GRE_OFFLOAD_AFTER : 0;
		evtimer_del(&ev_sweep);
		if (gconf->t_idle > 0) {
			timerclear(&tv);
			tv.tv_sec = gconf->t_idle;
			evtimer_add(&ev_sweep, &tv);
		}
	}
}

static void
gre_closed(struct imsgev *iev)
{
	/*
	 * How the forwarder ends: the parent closes its channel, or the
	 * control relay (whose calls it forwards) ended, stopping or
	 * dying (the parent says which).  Signals are the parent's.
	 */
	gre_status();
	if (iev == &iev_parent)
		log_debug("parent went away, exiting");
	else
		log_debug("the control process went away, exiting");
	exit(0);
}

#ifdef PPTPPROXY_TEST
static void
gre_sig(int sig, short ev, void *arg)
{
	if (sig == SIGUSR2)
		sandbox_test_forbidden();
}
#endif

void
gre_main(int debug)
{
	struct imsg		 imsg;
	struct imsgbuf		*ibuf = &iev_parent.ibuf;
	struct conf_rx		 rx;
	struct pptpproxy_conf	*conf = NULL;
	int			 r;

	log_procinit("gre");
	setproctitle("gre");

	/* Start-up, blocking: the raw socket, then the configuration. */
	memset(&rx, 0, sizeof(rx));
	if (imsgbuf_init(ibuf, PROC_PARENT_FD) == -1)
		fatal("imsgbuf_init");
	imsgbuf_allow_fdpass(ibuf);
	log_relay_start(&iev_parent);
	while (conf == NULL) {
		if (imsg_read_blocking(ibuf, &imsg) == -1)
			fatal("reading start-up messages from the parent");
		if (imsg_get_type(&imsg) == IMSG_GRE_SOCKET) {
			if ((gre_fd = imsg_get_fd(&imsg)) == -1)
				fatalx("no raw GRE socket from the parent");
		} else if ((r = conf_recv(&rx, &imsg, &conf)) == -1)
			fatalx("bad start-up message %u",
			    imsg_get_type(&imsg));
		imsg_free(&imsg);
	}
	if (gre_fd == -1)
		fatalx("no raw GRE socket from the parent");
	gconf = conf;
	log_setlevel(conf->log_level);
	table.offq_max = GRE_BATCH * GRE_BATCHES;
	table.offload_after = conf->gre_offload ? GRE_OFFLOAD_AFTER : 0;

	if ((table.routes = calloc(65536, sizeof(*table.routes))) == NULL ||
	    (table.offq = calloc(GRE_BATCH * GRE_BATCHES,
	    sizeof(*table.offq))) == NULL ||
	    (slots = calloc(GRE_BATCH, sizeof(*slots))) == NULL ||
	    (scmsg = calloc(GRE_BATCH, os_srcaddr_space())) == NULL)
		fatal("calloc");
	if ((gbase = event_base_new()) == NULL)
		fatalx("event_base_new");

	sandbox_trap_debug(debug);
	proc_drop(PROC_GRE, conf);

	/* Whatever came after the configuration is still in ibuf. */
	imsgev_init(&iev_parent, gbase, -1, "parent", gre_dispatch_parent,
	    gre_closed);
	imsgev_init(&iev_control, gbase, PROC_PEER_FD, "control",
	    gre_dispatch_control, gre_closed);

	event_assign(&ev_gre, gbase, gre_fd, EV_READ | EV_PERSIST, gre_read,
	    NULL);
	event_add(&ev_gre, NULL);
	evtimer_assign(&ev_sweep, gbase, gre_sweep, NULL);
	evtimer_assign(&ev_trim, gbase, gre_trim, NULL);
	if (conf->t_idle > 0) {
		struct timeval tv = { conf->t_idle, 0 };

		evtimer_add(&ev_sweep, &tv);
	}
	proc_ignore_signals();
#ifdef PPTPPROXY_TEST
	evsignal_assign(&ev_usr2, gbase, SIGUSR2, gre_sig, NULL);
	evsignal_add(&ev_usr2, NULL);
#endif

	log_debug("forwarding GRE");
	/* Messages that arrived with the configuration. */
	event_active(&iev_parent.ev, EV_READ, 0);
	event_base_dispatch(gbase);
	fatalx("event loop ended");
}
