/*
 * The GRE forwarder: owns the raw GRE socket the parent opened, keeps the
 * table of Call IDs the control relay registers, and forwards packets in
 * batches, rewriting the key in place.  Nothing on the packet path
 * allocates, logs or takes a lock.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/tree.h>
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
#include "guard.h"
#include "offload.h"
#include "os.h"
#include "rtable.h"
#include "tunnel.h"

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
static struct rtable	 rtab;
static struct log_limit	 ll_refused;
static struct gre_slot	*slots;
static struct mmsghdr	 rmsg[GRE_BATCH], smsg[GRE_BATCH];
static struct iovec	 riov[GRE_BATCH], siov[GRE_BATCH];
static struct sockaddr_in rfrom[GRE_BATCH], sto[GRE_BATCH];
static uint8_t		*scmsg;
static int		 gre_fd = -1;
static struct imsgev	 iev_parent;
/*
 * The control relays' channels (relays N), by index; relay 0's also
 * carries the tunnels.  Each relay's messages are about its own Call IDs
 * (relay_of_key()), and what concerns a Call ID goes to its relay.
 */
static struct imsgev	 iev_relay[RELAYS_MAX];
#define iev_control	 iev_relay[0]
static unsigned int	 nrelays = 1, nrelays_open;
static char		 relay_names[RELAYS_MAX][24];
/*
 * Relays N: a forwarder each (forwarder i, relay i's Call IDs, on a raw
 * socket of its own that the parent's filter gives only packets with
 * those; forwarder 0 also takes every other packet, and the tunnels).
 */
static struct relay_info fwd = { 0, 1, 1 };
static char		 fwd_name[24] = "gre";
static struct event	 ev_gre, ev_sweep, ev_trim;
static unsigned int	 ndeleted;	/* routes, since the last trim */
static const struct timeval trim_delay = { 1, 0 };
#ifdef PPTPPROXY_TEST
static struct event	 ev_usr2;
#endif
static struct pptpproxy_conf *gconf;
static struct event_base *gbase;
static int		 sweep_polling;	/* waiting for the kernel's counters */
static unsigned int	 ctl_polls[RELAYS_MAX]; /* control polls waiting */
static unsigned int	 ctl_polls_all;	/* their sum */

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
static void	gre_shard_start(void);
static void	gre_offload_poll(void);
static void	gre_stats_fill(struct gre_stats *, struct gre_route_ent *,
		    uint16_t);

/*
 * What the forwarder checks of a route the relay wrote in the shared
 * table before it takes it: the relay may have been taken over, so a
 * route must be one the configuration allows (guard.c: the key, the
 * side, the configured server at one end and a client the proxy accepts
 * at the other), with fields that mean something.  The check runs on
 * the forwarder's own copy, which is then what it uses.
 */
int
gre_route_check(const struct gre_route *gr, char *why, size_t len)
{
	uint32_t	a;
	int		i;

	if (gr->tunnel != 0 && gr->tunnel != TUN_ROUTE_OUT &&
	    gr->tunnel != TUN_ROUTE_IN) {
		snprintf(why, len, "tunnel kind %u", gr->tunnel);
		return (-1);
	}
	for (i = 0; i < 2; i++) {
		a = ntohl(i == 0 ? gr->src.s_addr : gr->dst.s_addr);
		if (a == INADDR_BROADCAST || IN_MULTICAST(a)) {
			snprintf(why, len, "our %s address is not unicast",
			    i == 0 ? "source" : "destination");
			return (-1);
		}
	}
	if (relay_of_sess(gr->sess, nrelays) != relay_of_key(gr->key, nrelays)) {
		snprintf(why, len, "session %llu is not the Call ID's relay's",
		    (unsigned long long)gr->sess);
		return (-1);
	}
	if (guard_route_ends(gr, why, len) != GUARD_OK)
		return (-1);
	return (0);
}

/*
 * The shared table's entry of key, taken again: our copy dropped, and
 * the route there copied, checked and taken if there is one.  A route
 * handed to the kernel stays until the relay's IMSG_GRE_DEL: the relay
 * asks for its counts so (rtable.c).  -1 when the entry is being
 * written (the packet is dropped; the next one looks again).
 */
int
gre_table_sync(struct gre_table *t, uint16_t key)
{
	struct gre_route_ent	*r = &t->routes[key];
	struct gre_route	 gr;
	uint32_t		 gen;
	char			 why[128];
	int			 rc;

	if (t->rt == NULL || (r->used && r->offload))
		return (0);
	if (t->sharded && (key < t->klo || key > t->khi)) {
		r->gen = rtable_gen(t->rt, key);	/* another's: not looked at */
		return (0);
	}
	if ((rc = rtable_get(t->rt, key, &gr, &gen)) == RT_BUSY)
		return (-1);
	if (r->used) {
		r->used = 0;
		t->nroutes--;
	}
	r->gen = gen;
	if (rc != RT_LIVE)
		return (0);
	if (gre_route_check(&gr, why, sizeof(why)) == -1) {
		/* Once a generation: r->gen says it was seen. */
		t->routes_refused++;
		log_limited(&ll_refused, "route of Call ID %u (session %llu) "
		    "from the control relay refused: %s", key,
		    (unsigned long long)gr.sess, why);
		return (0);
	}
	(void)gre_table_add(t, &gr);
	r->gen = gen;
	rtable_count_start(t->rt, key, gen);
	return (0);
}

/* Every entry whose generation moved: before a look at all routes. */
void
gre_table_sync_all(struct gre_table *t)
{
	unsigned int	i;

	if (t->rt == NULL)
		return;
	for (i = t->sharded ? t->klo : 0; i <= (t->sharded ? t->khi : 65535U);
	    i++)
		if (rtable_gen(t->rt, (uint16_t)i) != t->routes[i].gen)
			(void)gre_table_sync(t, (uint16_t)i);
}

/*
 * The route of key for a packet, NULL: none.  One load of the shared
 * sequence word a packet; the route itself is read again only when that
 * moved.
 */
static inline struct gre_route_ent *
gre_lookup(struct gre_table *t, uint16_t key)
{
	struct gre_route_ent	*r = &t->routes[key];

	if (t->rt != NULL && rtable_gen(t->rt, key) != r->gen) {
		if (r->used && r->offload)
			return (NULL);	/* withdrawn; IMSG_GRE_DEL comes */
		if (gre_table_sync(t, key) == -1)
			return (NULL);
	}
	return (r->used ? r : NULL);
}

/* Our counts of a route, where the relay reads them at its end. */
static inline void
gre_count_out(struct gre_table *t, struct gre_route_ent *r, uint16_t key)
{
	if (t->rt != NULL)
		rtable_count_set(t->rt, key, r->packets, r->bytes, r->dropped);
}

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
	if ((r = gre_lookup(t, key)) == NULL) {
		t->drop_unknown++;
		return (NULL);
	}
	memcpy(&src, pkt + 12, sizeof(src));
	if (src != r->from.s_addr || r->tunnel == TUN_ROUTE_IN) {
		r->dropped++;
		gre_count_out(t, r, key);
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
	gre_count_out(t, r, key);
	if (t->offload_after > 0 && r->packets >= t->offload_after &&
	    !r->offload && r->tunnel == 0 && t->noffq < t->offq_max &&
	    (t->rt == NULL || rtable_count_offload(t->rt, key, r->gen))) {
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

/*
 * The same for a GRE packet (glen bytes at g) that came through a tunnel
 * whose token was checked: it must be a call of that tunnel's session.
 */
struct gre_route_ent *
gre_tun_translate(struct gre_table *t, uint64_t token, uint8_t *g,
    size_t glen)
{
	struct gre_route_ent	*r;
	size_t			 keyoff, hlen;
	uint16_t		 key;

	if (gre_check(g, glen, &keyoff, &hlen) == -1) {
		t->tun_drop_bad++;
		return (NULL);
	}
	key = pptp_get16(g, glen, keyoff);
	r = gre_lookup(t, key);
	if (r == NULL || r->tunnel != TUN_ROUTE_IN || r->token != token) {
		t->tun_drop_wrong++;
		return (NULL);
	}
	pptp_put16(g, glen, keyoff, r->newkey);
	r->packets++;
	r->bytes += glen;
	gre_count_out(t, r, key);
	r->active = 1;
	t->forwarded++;
	t->tun_in++;
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
	r->tunnel = gr->tunnel;
	r->token = gr->token;
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
	gr->tunnel = r->tunnel;
	gr->token = r->token;
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

/*
 * Packets out, collected per batch: plain GRE on the raw socket, and
 * tunnel datagrams on one UDP socket at a time.
 */
static int		 nsend, nusend, usend_fd = -1;
static struct mmsghdr	 umsg[GRE_BATCH];
static struct iovec	 uiov[GRE_BATCH];
static struct sockaddr_in uto[GRE_BATCH];

static void
send_batch(int fd, struct mmsghdr *m, int n)
{
	int	sent, i;

	for (sent = 0; sent < n; ) {
		i = sendmmsg(fd, m + sent, n - sent, 0);
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
}

static void
flush_raw(void)
{
	send_batch(gre_fd, smsg, nsend);
	nsend = 0;
}

static void
flush_udp(void)
{
	if (nusend > 0)
		send_batch(usend_fd, umsg, nusend);
	nusend = 0;
}

/* A GRE packet to r->to on the raw socket. */
static void
out_raw(struct gre_route_ent *r, uint8_t *g, size_t glen)
{
	int	ns = nsend;

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
	if (++nsend == GRE_BATCH)
		flush_raw();
}

/*
 * Tunnels between two pptpproxies (pptpproxy(8)): a tree of them by
 * token, the UDP sockets the parent bound, and the channel to the
 * control relay for the TCP fallback.  A tunnel is added when its hello
 * is through; per packet nothing is allocated or logged.
 */
#define TUN_PROBE_SECS	5	/* no UDP answer this long: TCP */
#define TUN_LOST_KA	3	/* keepalives unanswered: TCP */

struct tun {
	RB_ENTRY(tun)		 entry;
	uint64_t		 token;
	uint64_t		 sess;
	uint8_t			 role;		/* TUN_ROLE_* */
	uint8_t			 mode;		/* TUN_MODE_* */
	uint8_t			 answered;	/* UDP from the peer */
	uint8_t			 closed;	/* a reload closed its socket */
	int			 fd;		/* its UDP socket, -1: none */
	int			 keepalive;
	struct sockaddr_in	 peer;
	time_t			 start, last_rx, last_ka;
	/* TCP: packets the relay's channel did not take; and as told */
	uint64_t		 dropped, dropped_told;
};
RB_HEAD(tun_tree, tun);

static int
tun_cmp(struct tun *a, struct tun *b)
{
	return (a->token < b->token ? -1 : a->token > b->token);
}
RB_GENERATE_STATIC(tun_tree, tun, entry, tun_cmp)

/* A slot below ntsocks whose fd is -1 is free (a reload closed it). */
struct tun_sock {
	int			 fd;
	struct sockaddr_in	 sin;
	struct event		 ev;
};

static struct tun_tree	 tuns = RB_INITIALIZER(&tuns);
static unsigned int	 ntuns;
static struct tun_sock	 tsocks[TUN_SOCKS_MAX];
static unsigned int	 ntsocks;
static int		 tun_data_fd = -1;
static struct event	 ev_tundata, ev_tuntick;

static time_t
tun_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec);
}

static struct tun *
tun_find(uint64_t token)
{
	struct tun	key;

	key.token = token;
	return (RB_FIND(tun_tree, &tuns, &key));
}

static void
tun_tell(struct tun *t, int failed)
{
	struct tun_state	st;

	memset(&st, 0, sizeof(st));
	st.sess = t->sess;
	st.token = t->token;
	st.mode = t->mode;
	st.answered = t->answered;
	st.failed = failed;
	st.closed = t->closed;
	st.peer = t->peer;
	st.dropped = t->dropped;
	t->dropped_told = t->dropped;
	imsgev_compose(&iev_control, IMSG_TUN_STATE, 0, -1, &st, sizeof(st));
}

/*
 * A GRE packet to the tunnel's peer.  The header goes in the 16 bytes
 * before g, which held the IP header (20 bytes at least) or a record's.
 */
static void
out_tun(struct gre_route_ent *r, uint8_t *g, size_t glen)
{
	struct tun	*t;
	struct iovec	 iov[2];
	uint8_t		*p = g - TUN_DG_HDR;
	int		 nu;

	if ((t = tun_find(r->token)) == NULL || glen > TUN_GRE_MAX) {
		table.tun_drop_wrong++;
		return;
	}
	if (t->mode == TUN_MODE_TCP) {
		tun_dg_hdr(p, TUN_DG_DATA, 0, t->token);
		iov[0].iov_base = &t->sess;
		iov[0].iov_len = sizeof(t->sess);
		iov[1].iov_base = p;
		iov[1].iov_len = glen + TUN_DG_HDR;
		if (writev(tun_data_fd, iov, 2) == -1) {
			/* The relay is behind: it hears of it each second. */
			t->dropped++;
			table.tun_drop_tcp++;
		} else
			table.tun_out++;
		return;
	}
	if (t->peer.sin_port == 0) {
		table.tun_drop_nopeer++;
		return;
	}
	tun_dg_hdr(p, TUN_DG_DATA, 0, t->token);
	if (usend_fd != t->fd)
		flush_udp();
	usend_fd = t->fd;
	nu = nusend;
	uiov[nu].iov_base = p;
	uiov[nu].iov_len = glen + TUN_DG_HDR;
	uto[nu] = t->peer;
	umsg[nu].msg_hdr.msg_name = &uto[nu];
	umsg[nu].msg_hdr.msg_namelen = sizeof(uto[nu]);
	umsg[nu].msg_hdr.msg_iov = &uiov[nu];
	umsg[nu].msg_hdr.msg_iovlen = 1;
	umsg[nu].msg_hdr.msg_control = NULL;
	umsg[nu].msg_hdr.msg_controllen = 0;
	umsg[nu].msg_hdr.msg_flags = 0;
	table.tun_out++;
	if (++nusend == GRE_BATCH)
		flush_udp();
}

static void
tun_send_ctl(struct tun *t, unsigned int type, const struct sockaddr_in *to)
{
	uint8_t	buf[TUN_DG_HDR];

	tun_dg_hdr(buf, type, 0, t->token);
	(void)sendto(t->fd, buf, sizeof(buf), 0, (const struct sockaddr *)to,
	    sizeof(*to));
}

/* A good datagram from the peer: B follows it to a new address. */
static void
tun_seen(struct tun *t, const struct sockaddr_in *from)
{
	if (t->role == TUN_ROLE_B &&
	    (from->sin_addr.s_addr != t->peer.sin_addr.s_addr ||
	    from->sin_port != t->peer.sin_port)) {
		/* A new address or port (NAT): the peer moved. */
		t->peer.sin_addr = from->sin_addr;
		t->peer.sin_port = from->sin_port;
		tun_tell(t, 0);
	}
	t->last_rx = tun_now();
	if (!t->answered && t->role == TUN_ROLE_A) {
		t->answered = 1;
		tun_tell(t, 0);
	}
}

/*
 * One datagram (from a UDP socket, from != NULL) or one message from the
 * control relay (TCP fallback), whole in buf.
 */
static void
tun_input(uint8_t *buf, size_t len, const struct sockaddr_in *from)
{
	struct gre_route_ent	*r;
	struct tun		*t;
	unsigned int		 type;
	uint32_t		 sess;
	uint64_t		 token;

	if (tun_dg_parse(buf, len, &type, &sess, &token) == -1) {
		table.tun_drop_bad++;
		return;
	}
	if ((t = tun_find(token)) == NULL ||
	    (from != NULL && t->fd == -1)) {
		/* (A tunnel whose socket was closed takes no more UDP.) */
		table.tun_drop_token++;
		return;
	}
	switch (type) {
	case TUN_DG_KEEPALIVE:
		if (t->role != TUN_ROLE_B || from == NULL)
			return;
		tun_seen(t, from);
		tun_send_ctl(t, TUN_DG_ANSWER, from);
		return;
	case TUN_DG_ANSWER:
		if (t->role == TUN_ROLE_A && from != NULL)
			tun_seen(t, from);
		return;
	default:
		break;
	}
	r = gre_tun_translate(&table, token, buf + TUN_DG_HDR,
	    len - TUN_DG_HDR);
	if (r == NULL)
		return;
	/* Only a packet of one of its calls may move the peer. */
	if (from != NULL)
		tun_seen(t, from);
	out_raw(r, buf + TUN_DG_HDR, len - TUN_DG_HDR);
}

/*
 * One batch of datagrams from fd into the slots; how many, 0 when there
 * is nothing more (errors other than "try later" counted).
 */
static int
recv_batch(int fd)
{
	int	i, n;

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
	n = recvmmsg(fd, rmsg, GRE_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0) {
		if (n == -1 && errno != EAGAIN && errno != EINTR &&
		    errno != EWOULDBLOCK)
			table.recv_errors++;
		return (0);
	}
	return (n);
}

/* Datagrams from a tunnel's UDP socket, or messages from the relay. */
static void
tun_read(int fd, short ev, void *arg)
{
	int	i, n, b;

	for (b = 0; b < GRE_BATCHES; b++) {
		if ((n = recv_batch(fd)) == 0)
			break;
		for (i = 0; i < n; i++) {
			if (fd == tun_data_fd && rmsg[i].msg_len == 0) {
				/* The relay is gone; its imsg channel says. */
				event_del(&ev_tundata);
				flush_raw();
				return;
			}
			if (rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				table.tun_drop_bad++;
				continue;
			}
			tun_input(slots[i].buf, rmsg[i].msg_len,
			    fd == tun_data_fd ? NULL : &rfrom[i]);
		}
		flush_raw();
		if (n < GRE_BATCH)
			break;
	}
}

static void
tun_mode_tcp(struct tun *t)
{
	if (t->mode == TUN_MODE_TCP)
		return;
	t->mode = TUN_MODE_TCP;
	tun_tell(t, 0);
}

/*
 * Once a second: A's keepalives, and its fallback to TCP; to the relay,
 * the packets each tunnel over TCP dropped, if more.
 */
static void
tun_tick(int fd, short ev, void *arg)
{
	static const struct timeval	 sec = { 1, 0 };
	struct tun			*t;
	time_t				 now = tun_now();

	RB_FOREACH(t, tun_tree, &tuns) {
		if (t->dropped != t->dropped_told)
			tun_tell(t, 0);
		if (t->role != TUN_ROLE_A || t->mode != TUN_MODE_UDP)
			continue;
		if (!t->answered && now - t->start >= TUN_PROBE_SECS) {
			tun_mode_tcp(t);
			continue;
		}
		if (t->answered &&
		    now - t->last_rx >= TUN_LOST_KA * t->keepalive) {
			tun_mode_tcp(t);
			continue;
		}
		if (!t->answered || now - t->last_ka >= t->keepalive) {
			t->last_ka = now;
			tun_send_ctl(t, TUN_DG_KEEPALIVE, &t->peer);
		}
	}
	if (ntuns > 0)
		evtimer_add(&ev_tuntick, &sec);
}

static void
tun_add(const struct tun_conf *tc)
{
	static const struct timeval	 sec = { 1, 0 };
	struct tun			*t;
	unsigned int			 i;
	int				 fd = -1;

	for (i = 0; i < ntsocks && fd == -1; i++) {
		if (tsocks[i].fd == -1)
			continue;
		if (tc->role == TUN_ROLE_A ? tsocks[i].sin.sin_port == 0 :
		    tsocks[i].sin.sin_port == tc->local.sin_port &&
		    (tsocks[i].sin.sin_addr.s_addr ==
		    tc->local.sin_addr.s_addr ||
		    tsocks[i].sin.sin_addr.s_addr == htonl(INADDR_ANY)))
			fd = tsocks[i].fd;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		fatal("tunnel");
	t->token = tc->token;
	t->sess = tc->sess;
	t->role = tc->role;
	t->mode = TUN_MODE_UDP;
	t->fd = fd;
	t->keepalive = tc->keepalive > 0 ? tc->keepalive :
	    DEFAULT_TUN_KEEPALIVE;
	t->peer = tc->peer;
	t->start = t->last_rx = t->last_ka = tun_now();
	if (fd == -1 || RB_INSERT(tun_tree, &tuns, t) != NULL) {
		tun_tell(t, 1);
		free(t);
		return;
	}
	if (ntuns++ == 0)
		evtimer_add(&ev_tuntick, &sec);
	if (t->role == TUN_ROLE_A)
		tun_send_ctl(t, TUN_DG_KEEPALIVE, &t->peer);
}

static void
tun_del(const struct tun_key *k)
{
	struct tun	*t;

	if ((t = tun_find(k->token)) == NULL || t->sess != k->sess)
		return;
	RB_REMOVE(tun_tree, &tuns, t);
	ntuns--;
	free(t);
}

/*
 * A UDP socket from the parent, at start or on a reload; in the first
 * free slot.  Its event is added once the loop exists (gre_main()).
 */
static void
tun_sock_add(struct imsg *imsg)
{
	struct sockaddr_in	 sin;
	unsigned int		 i;
	int			 fd;

	fd = imsg_get_fd(imsg);
	if (imsg_get_data(imsg, &sin, sizeof(sin)) == -1 || fd == -1)
		fatalx("bad tunnel socket from the parent");
	for (i = 0; i < ntsocks; i++)
		if (tsocks[i].fd == -1)
			break;
	if (i == TUN_SOCKS_MAX)
		fatalx("more than %d tunnel sockets from the parent",
		    TUN_SOCKS_MAX);
	if (i == ntsocks)
		ntsocks++;
	tsocks[i].fd = fd;
	tsocks[i].sin = sin;
	if (gbase != NULL) {
		event_assign(&tsocks[i].ev, gbase, fd, EV_READ | EV_PERSIST,
		    tun_read, NULL);
		event_add(&tsocks[i].ev, NULL);
	}
}

/*
 * A reload no longer wants a UDP socket: closed.  The tunnels on it
 * carry their GRE inside their control connections from now on, as
 * when UDP stops getting through; the relay logs it for each session
 * and tells the peer.
 */
static void
tun_sock_close(struct imsg *imsg)
{
	struct sockaddr_in	 sin;
	struct tun		*t;
	unsigned int		 i, n = 0;
	char			 a[INET_ADDRSTRLEN];
	int			 fd;

	if (imsg_get_data(imsg, &sin, sizeof(sin)) == -1)
		fatalx("bad IMSG_TUN_CLOSE");
	for (i = 0; i < ntsocks; i++)
		if (tsocks[i].fd != -1 &&
		    tsocks[i].sin.sin_addr.s_addr == sin.sin_addr.s_addr &&
		    tsocks[i].sin.sin_port == sin.sin_port)
			break;
	inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a));
	if (i == ntsocks) {
		log_warnx("tunnels: no UDP socket %s port %u to close", a,
		    ntohs(sin.sin_port));
		return;
	}
	fd = tsocks[i].fd;
	if (usend_fd == fd) {
		flush_udp();
		usend_fd = -1;
	}
	event_del(&tsocks[i].ev);
	close(fd);
	tsocks[i].fd = -1;
	RB_FOREACH(t, tun_tree, &tuns) {
		if (t->fd != fd)
			continue;
		t->fd = -1;
		t->closed = 1;
		n++;
		if (t->mode != TUN_MODE_TCP) {
			t->mode = TUN_MODE_TCP;
			tun_tell(t, 0);
		}
	}
	log_info("tunnels: UDP %s port %u closed; sessions tunnelled over it: "
	    "%u, their GRE goes inside their control connections now", a,
	    ntohs(sin.sin_port), n);
}

/* The UDP sockets open. */
static unsigned int
tun_socks_open(void)
{
	unsigned int	i, n = 0;

	for (i = 0; i < ntsocks; i++)
		if (tsocks[i].fd != -1)
			n++;
	return (n);
}

static void
gre_read_batches(void)
{
	struct gre_route_ent	*r;
	uint8_t			*g;
	size_t			 glen;
	int			 i, n, b;

	for (b = 0; b < GRE_BATCHES; b++) {
		if ((n = recv_batch(gre_fd)) == 0)
			return;
		for (i = 0; i < n; i++) {
			if (rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				table.drop_bad++;
				continue;
			}
			r = gre_translate(&table, slots[i].buf, rmsg[i].msg_len,
			    &g, &glen);
			if (r == NULL)
				continue;
			if (r->tunnel == TUN_ROUTE_OUT)
				out_tun(r, g, glen);
			else
				out_raw(r, g, glen);
		}
		flush_raw();
		flush_udp();
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
			gre_offload_poll();
		}
		return;
	}
	gre_sweep_finish();
}

/* Ask the parent for the kernel's counters, unless a poll is out. */
static void
gre_offload_poll(void)
{
	if (sweep_polling + ctl_polls_all == 1)
		imsgev_compose(&iev_parent, IMSG_OFFLOAD_POLL, 0, -1, NULL, 0);
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
	gre_table_sync_all(&table);
	for (i = 0; i < 65536; i++) {
		r = &table.routes[i];
		if (!r->used)
			continue;
		if (!r->active && r->toside == PPTP_SERVER) {
			memset(&k, 0, sizeof(k));
			k.sess = r->sess;
			k.key = (uint16_t)i;
			imsg_compose(&iev_relay[relay_of_key(i, nrelays)].ibuf,
			    IMSG_GRE_IDLE, 0, 0, -1, &k, sizeof(k));
		}
		r->active = 0;
	}
	for (i = 0; i < nrelays; i++)
		if (iev_relay[i].ibuf.fd != -1)
			imsgev_update(&iev_relay[i]);
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
	/* Awaited only to log the session's end: it may wait. */
	imsgev_compose_lazy(&iev_relay[relay_of_key(key, nrelays)],
	    IMSG_GRE_STATS, 0, &st, sizeof(st));
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
 * The control socket: every route's counters so far, then the totals.
 * For routes the kernel forwards its counters are asked for first
 * (gre_ctl_ask), so that a live view counts what the kernel forwarded
 * since the last sweep too.
 */
_Static_assert(IMSG_HEADER_SIZE + GRE_CTL_COUNTS_MAX *
    sizeof(struct gre_ctl_count) <= MAX_IMSGSIZE,
    "GRE_CTL_COUNTS_MAX counts do not fit in an imsg");

static void
gre_ctl_poll(unsigned int relay)
{
	static struct gre_ctl_count	 c[GRE_CTL_COUNTS_MAX];
	struct gre_ctl_totals		 t;
	struct gre_route_ent		*r;
	struct imsgev			*iev = &iev_relay[relay];
	unsigned int			 i, n = 0, lo, hi;

	gre_table_sync_all(&table);
	relay_keys(relay, nrelays, &lo, &hi);
	for (i = lo; i <= hi; i++) {
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
			if (imsg_compose(&iev->ibuf,
			    IMSG_GRE_CTL_COUNTS, 0, 0, -1, c,
			    n * sizeof(c[0])) == -1)
				fatal("imsg to control");
			n = 0;
		}
	}
	if (n > 0 && imsg_compose(&iev->ibuf, IMSG_GRE_CTL_COUNTS, 0, 0,
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
	imsgev_compose(iev, IMSG_GRE_CTL_END, 0, -1, &t, sizeof(t));
}

/* A control poll: at once, or once the kernel's counters are in. */
static void
gre_ctl_ask(unsigned int relay)
{
	if (table.noffloaded == 0 && ctl_polls_all == 0) {
		gre_ctl_poll(relay);
		return;
	}
	ctl_polls[relay]++;
	ctl_polls_all++;
	gre_offload_poll();
}

/* The offload counters are in: the polls that waited for them. */
static void
gre_ctl_polls_done(void)
{
	unsigned int	i;

	for (i = 0; i < nrelays; i++)
		for (; ctl_polls[i] > 0; ctl_polls[i]--)
			gre_ctl_poll(i);
	ctl_polls_all = 0;
}

static void
gre_dispatch_control(struct imsgev *iev, struct imsg *imsg)
{
	struct gre_key		 k;
	struct gre_route_ent	*r, dead;
	struct tun_conf		 tc;
	struct tun_key		 tk;
	struct tun_state	 ts;
	struct tun		*t;
	unsigned int		 relay = (unsigned int)(iev - iev_relay);

	switch (imsg_get_type(imsg)) {
	case IMSG_TUN_ADD:
	case IMSG_TUN_DEL:
	case IMSG_TUN_MODE:
		/* Tunnels are relay 0's alone. */
		if (relay != 0)
			fatalx("tunnel message %u from relay %u",
			    imsg_get_type(imsg), relay);
		break;
	}
	switch (imsg_get_type(imsg)) {
	case IMSG_TUN_ADD:
		if (imsg_get_data(imsg, &tc, sizeof(tc)) == -1)
			fatalx("bad IMSG_TUN_ADD");
		tun_add(&tc);
		break;
	case IMSG_TUN_DEL:
		if (imsg_get_data(imsg, &tk, sizeof(tk)) == -1)
			fatalx("bad IMSG_TUN_DEL");
		tun_del(&tk);
		break;
	case IMSG_TUN_MODE:
		if (imsg_get_data(imsg, &ts, sizeof(ts)) == -1)
			fatalx("bad IMSG_TUN_MODE");
		if ((t = tun_find(ts.token)) != NULL && t->sess == ts.sess &&
		    ts.mode == TUN_MODE_TCP)
			t->mode = TUN_MODE_TCP;
		break;
	case IMSG_GRE_DEL:
		if (imsg_get_data(imsg, &k, sizeof(k)) == -1)
			fatalx("bad IMSG_GRE_DEL");
		if (relay_of_key(k.key, nrelays) != relay)
			fatalx("relay %u asked to end Call ID %u, not its own",
			    relay, k.key);
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
		gre_ctl_ask(relay);
		break;
	default:
		log_warnx("unexpected message %u from control",
		    imsg_get_type(imsg));
	}
}

static void
gre_status(void)
{
	gre_table_sync_all(&table);
	log_info("%u routes (%u handed to the kernel), %llu forwarded, "
	    "dropped: %llu malformed, %llu unknown Call ID, %llu wrong "
	    "source, %llu wrong destination; %llu send errors; %llu routes "
	    "refused", table.nroutes, table.noffloaded,
	    (unsigned long long)table.forwarded,
	    (unsigned long long)table.drop_bad,
	    (unsigned long long)table.drop_unknown,
	    (unsigned long long)table.drop_spoofed,
	    (unsigned long long)table.drop_dst,
	    (unsigned long long)table.send_errors,
	    (unsigned long long)table.routes_refused);
	if (tun_socks_open() > 0)
		log_info("tunnels: %u up, %llu packets in, %llu out; datagrams "
		    "dropped: %llu malformed, %llu unknown token, %llu not a "
		    "call of the token's session, %llu peer not known yet; "
		    "%llu packets dropped, TCP not taking them", ntuns,
		    (unsigned long long)table.tun_in,
		    (unsigned long long)table.tun_out,
		    (unsigned long long)table.tun_drop_bad,
		    (unsigned long long)table.tun_drop_token,
		    (unsigned long long)table.tun_drop_wrong,
		    (unsigned long long)table.tun_drop_nopeer,
		    (unsigned long long)table.tun_drop_tcp);
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
		imsgev_compose_lazy(&iev_relay[relay_of_key(st.key, nrelays)],
		    IMSG_GRE_STATS, 0, &st, sizeof(st));
		return;
	case IMSG_OFFLOAD_COUNTS:
		gre_offload_counts(imsg);
		return;
	case IMSG_TUN_SOCKET:
		tun_sock_add(imsg);
		return;
	case IMSG_TUN_CLOSE:
		tun_sock_close(imsg);
		return;
	case IMSG_OFFLOAD_COUNTS_END:
		gre_offload_counts(imsg);
		if (sweep_polling)
			gre_sweep_finish();
		gre_ctl_polls_done();
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
		/* Routes of the sessions before stay allowed (guard.c). */
		guard_conf(gconf);
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
	if (iev != &iev_parent && --nrelays_open > 0) {
		/* A relay stopped; the rest go on (the parent watches). */
		event_del(&iev->ev);
		event_del(&iev->flush);
		close(iev->ibuf.fd);
		imsgbuf_clear(&iev->ibuf);
		iev->ibuf.fd = -1;
		log_debug("%s went away", iev->peer);
		return;
	}
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

/*
 * Which forwarder this is, before the route table is mapped: with
 * several, its name, and the Call IDs it takes (its relay's, key 0 too
 * for forwarder 0: the filter gives it those packets, which it counts).
 */
static void
gre_shard_start(void)
{
	unsigned int	lo, hi;

	if (fwd.forwarders < 2)
		return;
	relay_keys(fwd.index, fwd.count, &lo, &hi);
	table.sharded = 1;
	table.klo = (uint16_t)(fwd.index == 0 ? 0 : lo);
	table.khi = (uint16_t)hi;
	if (fwd.index > 0) {
		snprintf(fwd_name, sizeof(fwd_name), "gre %u", fwd.index);
		log_procinit(fwd_name);
		os_proctitle(fwd_name);
	}
}

void
gre_main(int debug)
{
	struct imsg		 imsg;
	struct imsgbuf		*ibuf = &iev_parent.ibuf;
	struct conf_rx		 rx;
	struct pptpproxy_conf	*conf = NULL;
	struct relay_info	 ri;
	unsigned int		 i;
	int			 r, link_fd[RELAYS_MAX];

	for (i = 0; i < RELAYS_MAX; i++) {
		link_fd[i] = -1;
		iev_relay[i].ibuf.fd = -1;	/* none, but those opened */
	}
	log_procinit(fwd_name);
	os_proctitle(fwd_name);

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
		} else if (imsg_get_type(&imsg) == IMSG_TUN_DATAFD) {
			if ((tun_data_fd = imsg_get_fd(&imsg)) == -1)
				fatalx("no tunnel channel from the parent");
		} else if (imsg_get_type(&imsg) == IMSG_RTABLE) {
			if (proc_rtable(&imsg, &rtab, RT_WRITE_COUNTS,
			    table.klo, table.khi) == 1)
				table.rt = &rtab;
		} else if (imsg_get_type(&imsg) == IMSG_RELAY_INFO) {
			if (imsg_get_data(&imsg, &ri, sizeof(ri)) == -1 ||
			    ri.count < 1 || ri.count > RELAYS_MAX ||
			    (ri.forwarders != 1 && ri.forwarders != ri.count) ||
			    ri.index >= ri.forwarders || table.rt != NULL)
				fatalx("bad relay count from the parent");
			nrelays = ri.count;
			fwd = ri;
			gre_shard_start();
		} else if (imsg_get_type(&imsg) == IMSG_RELAY_LINK) {
			i = imsg_get_id(&imsg);
			if (i == 0 || i >= nrelays || fwd.forwarders > 1 ||
			    link_fd[i] != -1 ||
			    (link_fd[i] = imsg_get_fd(&imsg)) == -1)
				fatalx("bad relay link from the parent");
		} else if (imsg_get_type(&imsg) == IMSG_TUN_SOCKET) {
			tun_sock_add(&imsg);
		} else if ((r = conf_recv(&rx, &imsg, &conf)) == -1)
			fatalx("bad start-up message %u",
			    imsg_get_type(&imsg));
		imsg_free(&imsg);
	}
	if (gre_fd == -1)
		fatalx("no raw GRE socket from the parent");
	if (table.rt == NULL)
		fatalx("no route table from the parent");
	for (i = 1; i < nrelays && fwd.forwarders == 1; i++)
		if (link_fd[i] == -1)
			fatalx("no channel of relay %u from the parent", i);
	gconf = conf;
	guard_conf(conf);
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

	log_seal(debug);
	sandbox_trap_debug(debug);
	proc_drop(PROC_GRE, fwd_name, conf);

	/* Whatever came after the configuration is still in ibuf. */
	imsgev_init(&iev_parent, gbase, -1, "parent", gre_dispatch_parent,
	    gre_closed);
	if (fwd.index > 0)
		snprintf(relay_names[fwd.index], sizeof(relay_names[0]),
		    "control %u", fwd.index);
	else
		strlcpy(relay_names[0], "control", sizeof(relay_names[0]));
	/* Its relay; or relay 0, then the others' links. */
	imsgev_init(&iev_relay[fwd.index], gbase, PROC_PEER_FD,
	    relay_names[fwd.index], gre_dispatch_control, gre_closed);
	for (i = 1; i < nrelays && fwd.forwarders == 1; i++) {
		snprintf(relay_names[i], sizeof(relay_names[i]), "control %u",
		    i);
		imsgev_init(&iev_relay[i], gbase, link_fd[i], relay_names[i],
		    gre_dispatch_control, gre_closed);
	}
	nrelays_open = fwd.forwarders > 1 ? 1 : nrelays;

	event_assign(&ev_gre, gbase, gre_fd, EV_READ | EV_PERSIST, gre_read,
	    NULL);
	event_add(&ev_gre, NULL);
	evtimer_assign(&ev_sweep, gbase, gre_sweep, NULL);
	evtimer_assign(&ev_trim, gbase, gre_trim, NULL);
	evtimer_assign(&ev_tuntick, gbase, tun_tick, NULL);
	if (tun_data_fd != -1) {
		event_assign(&ev_tundata, gbase, tun_data_fd,
		    EV_READ | EV_PERSIST, tun_read, NULL);
		event_add(&ev_tundata, NULL);
	}
	for (i = 0; i < ntsocks; i++) {
		event_assign(&tsocks[i].ev, gbase, tsocks[i].fd,
		    EV_READ | EV_PERSIST, tun_read, NULL);
		event_add(&tsocks[i].ev, NULL);
	}
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
