/*
 * The route table the control relay and the GRE forwarder share
 * (rtable.c) and the forwarder's use of it (gre.c): a route written is
 * read back whole; a reader racing a writer (another process, as in the
 * daemon) never takes a mix of two routes; keys out of range are
 * refused; counts go back tagged with their route's generation; and the
 * forwarder takes only routes the configuration allows, however the
 * entry was garbled, and never forwards to an address such a route
 * names, not even while the entry is being rewritten under it.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "addr.h"
#include "check.h"
#include "pptp.h"
#include "gre.h"
#include "guard.h"
#include "rtable.h"
#include "tunnel.h"

static uint8_t	pkt[2048];

/* Client 192.0.2.10 to the server 198.51.100.2 of proxy 1, key `key`. */
static struct gre_route
honest(uint16_t key)
{
	struct gre_route	gr;

	memset(&gr, 0, sizeof(gr));
	gr.sess = 17;
	gr.call = 3;
	gr.key = key;
	gr.newkey = 555;
	gr.from = A("192.0.2.10");
	gr.to = A("198.51.100.2");
	gr.src = A("198.51.100.1");
	gr.dst = A("192.0.2.1");
	gr.toside = PPTP_SERVER;
	gr.proxy_id = 1;
	return (gr);
}

/* A GRE data packet from src to 192.0.2.1 with key callid. */
static size_t
mkpkt(const char *src, uint16_t callid)
{
	struct in_addr	a;

	memset(pkt, 0, 64);
	pkt[0] = 0x45;
	pkt[9] = IPPROTO_GRE;
	a = A(src);
	memcpy(pkt + 12, &a, 4);
	a = A("192.0.2.1");
	memcpy(pkt + 16, &a, 4);
	pkt[20] = 0x30;			/* K, S */
	pkt[21] = 0x01;			/* version 1 */
	pkt[22] = 0x88;
	pkt[23] = 0x0b;			/* PPP */
	pkt[25] = 20;			/* payload length */
	pkt[26] = callid >> 8;
	pkt[27] = callid & 0xff;
	pkt[31] = 1;			/* sequence number */
	memset(pkt + 32, 0x5a, 20);
	return (52);
}

/* Where the forwarder sends a packet from src with key, or NULL. */
static struct gre_route_ent *
send_one(struct gre_table *t, const char *src, uint16_t key)
{
	uint8_t	*g;
	size_t	 glen;

	return (gre_translate(t, pkt, mkpkt(src, key), &g, &glen));
}

/* Raw words into an entry, as a relay that was taken over could. */
static void
scribble(struct rtable *rt, unsigned int key, uint64_t sess, uint32_t from,
    uint32_t to, uint32_t src, uint32_t dst, uint32_t proxy, uint32_t info)
{
	struct rt_route	*r = &rt->route[key];
	uint32_t	 s = atomic_load(&rt->seq[key]);

	atomic_store(&rt->seq[key], s | 1);
	atomic_store(&r->sess, sess);
	atomic_store(&r->from, from);
	atomic_store(&r->to, to);
	atomic_store(&r->src, src);
	atomic_store(&r->dst, dst);
	atomic_store(&r->proxy_id, proxy);
	atomic_store(&r->info, info);
	atomic_store(&rt->seq[key], (s | 1) + 1);
}

static int
same(const struct gre_route *a, const struct gre_route *b)
{
	return (a->sess == b->sess && a->token == b->token &&
	    a->call == b->call && a->key == b->key &&
	    a->newkey == b->newkey && a->from.s_addr == b->from.s_addr &&
	    a->to.s_addr == b->to.s_addr && a->src.s_addr == b->src.s_addr &&
	    a->dst.s_addr == b->dst.s_addr && a->toside == b->toside &&
	    a->proxy_id == b->proxy_id && a->tunnel == b->tunnel);
}

/* What the configuration below allows, worked out apart from guard.c. */
static int
allowed(uint32_t from, uint32_t to, uint32_t proxy, uint32_t info)
{
	uint32_t	toside = (info >> 16) & 0xff, tunnel = (info >> 24) & 0x7f;
	uint32_t	client, server;

	if (!(info & RT_INFO_LIVE) || toside > 1 || tunnel > 2 || proxy != 1)
		return (0);
	client = ntohl(toside == PPTP_SERVER ? from : to);
	server = ntohl(toside == PPTP_SERVER ? to : from);
	return (server == 0xc6336402 && (client & 0xffffff00) == 0xc0000200);
}

/*
 * A writer in another process: two routes in turn on one key, forever,
 * a pause of random length after each, so that a reader starts as often
 * between writes as during one.
 */
static pid_t
writer(struct rtable *rt, const struct gre_route *a,
    const struct gre_route *b)
{
	volatile unsigned int	spin;
	unsigned int		n;
	pid_t			pid;

	if ((pid = fork()) == -1)
		abort();
	if (pid != 0)
		return (pid);
	for (n = 0;; n++) {
		(void)rtable_put(rt, n & 1 ? b : a);
		for (spin = (unsigned int)random() % 128; spin > 0; spin--)
			;
	}
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static void
stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int
main(void)
{
	struct pptpproxy_conf	*c;
	struct proxy_conf	*pc;
	struct rtable		 rt;
	struct gre_table	 t;
	struct gre_route	 gr, a, b, out;
	struct gre_route_ent	*r;
	struct gre_stats	 st;
	uint32_t		 gen, gen2, g;
	unsigned int		 i, n, busy, live, mixed, fwd, bad;
	pid_t			 pid;
	char			 why[128];
	double			 t0;

	log_init(1, LOG_LVL_INFO, NULL);
	if (rtable_alloc(&rt) == -1)
		abort();
	memset(&t, 0, sizeof(t));
	if ((t.routes = calloc(65536, sizeof(*t.routes))) == NULL)
		abort();
	t.rt = &rt;

	/* Proxy 1: server 198.51.100.2, clients 192.0.2.0/24. */
	if ((c = conf_new()) == NULL || (pc = conf_proxy_new(c)) == NULL)
		abort();
	pc->server.sin_addr = A("198.51.100.2");
	TAILQ_INSERT_TAIL(&c->proxies, pc, entry);
	if (conf_add_subnet_arg(&pc->subnets, pc->id, "192.0.2.0/24") == -1)
		abort();
	CHECK(pc->id == 1, "the proxy is number 1");
	guard_conf(c);

	/* Written, read back whole; withdrawn, gone. */
	CHECK(rtable_get(&rt, 4711, &out, &gen) == RT_NONE && gen == 0,
	    "an entry never written: no route, generation 0");
	gr = honest(4711);
	gr.token = 0x1122334455667788ULL;
	gr.tunnel = TUN_ROUTE_OUT;
	gen = rtable_put(&rt, &gr);
	CHECK(gen != 0 && (gen & 1) == 0, "a route's generation is even, "
	    "not 0 (%u)", gen);
	CHECK(rtable_get(&rt, 4711, &out, &g) == RT_LIVE && g == gen &&
	    same(&gr, &out), "the route reads back as written");
	CHECK(rtable_gen(&rt, 4711) == gen, "its sequence word is its "
	    "generation");
	CHECK(rtable_withdraw(&rt, 4711) == gen, "withdrawing gives the "
	    "generation withdrawn");
	CHECK(rtable_get(&rt, 4711, &out, &g) == RT_NONE && g != gen,
	    "withdrawn: no route, a new generation");
	CHECK(rtable_withdraw(&rt, 4711) == 0, "withdrawing it again: none "
	    "was there");
	CHECK(rtable_put(&rt, &gr) != gen, "written again: another "
	    "generation");

	/* Being written. */
	atomic_fetch_or(&rt.seq[4711], 1);
	CHECK(rtable_get(&rt, 4711, &out, &g) == RT_BUSY,
	    "an odd sequence word: being written, not read");
	atomic_fetch_add(&rt.seq[4711], 1);

	/* Out of range. */
	CHECK(rtable_get(&rt, RT_KEYS, &out, &g) == RT_NONE &&
	    rtable_get(&rt, ~0U, &out, &g) == RT_NONE,
	    "keys out of range read as no route");
	CHECK(rtable_withdraw(&rt, RT_KEYS) == 0 &&
	    rtable_counts(&rt, RT_KEYS, 2, &st) == -1 &&
	    rtable_count_offload(&rt, RT_KEYS + 7, 2) == 0,
	    "keys out of range: nothing withdrawn, counted or handed over");

	/* Counts. */
	gr = honest(1000);
	gen = rtable_put(&rt, &gr);
	rtable_count_start(&rt, 1000, gen);
	rtable_count_set(&rt, 1000, 7, 700, 2);
	gen2 = rtable_withdraw(&rt, 1000);
	CHECK(gen2 == gen && rtable_counts(&rt, 1000, gen, &st) == 0 &&
	    st.packets == 7 && st.bytes == 700 && st.dropped == 2 &&
	    st.key == 1000, "counts read back at the route's end");
	CHECK(rtable_counts(&rt, 1000, gen + 2, &st) == 0 && st.packets == 0 &&
	    st.bytes == 0, "counts of another generation: none");
	gen = rtable_put(&rt, &gr);
	CHECK(rtable_counts(&rt, 1000, gen, &st) == 0 && st.packets == 0,
	    "a route the forwarder never took: no counts");
	rtable_count_start(&rt, 1000, gen);
	CHECK(rtable_count_offload(&rt, 1000, gen) == 1,
	    "handed to the kernel while still live: yes");
	CHECK(rtable_withdraw(&rt, 1000) == gen &&
	    rtable_counts(&rt, 1000, gen, &st) == 1,
	    "withdrawn after: the relay learns to ask by message");
	gen = rtable_put(&rt, &gr);
	rtable_count_start(&rt, 1000, gen);
	(void)rtable_withdraw(&rt, 1000);
	CHECK(rtable_count_offload(&rt, 1000, gen) == 0,
	    "handed over after the withdrawal: the forwarder sees it is gone");

	/* The forwarder: an honest route is taken at its first packet. */
	gr = honest(2000);
	gen = rtable_put(&rt, &gr);
	r = send_one(&t, "192.0.2.10", 2000);
	CHECK(r != NULL && r->to.s_addr == gr.to.s_addr && r->newkey == 555 &&
	    pkt[26] == 555 >> 8 && pkt[27] == (555 & 0xff) && t.nroutes == 1,
	    "the first packet takes the route; forwarded, key rewritten");
	CHECK(rtable_counts(&rt, 2000, gen, &st) == 0 && st.packets == 1 &&
	    st.bytes == 52, "the packet is counted where the relay reads");
	CHECK(send_one(&t, "192.0.2.99", 2000) == NULL &&
	    rtable_counts(&rt, 2000, gen, &st) == 0 && st.dropped == 1,
	    "a wrong source: dropped and counted");
	(void)rtable_withdraw(&rt, 2000);
	CHECK(send_one(&t, "192.0.2.10", 2000) == NULL && t.nroutes == 0,
	    "withdrawn: the next packet is dropped, the copy gone");

	/* Garbage the forwarder must refuse. */
	n = t.routes_refused;
	gr = honest(2001);
	gr.to = A("198.51.100.99");
	(void)rtable_put(&rt, &gr);
	CHECK(send_one(&t, "192.0.2.10", 2001) == NULL &&
	    t.routes_refused == n + 1,
	    "a route to an address that is not the server: refused");
	CHECK(send_one(&t, "192.0.2.10", 2001) == NULL &&
	    t.routes_refused == n + 1, "... once, not again each packet");
	gr = honest(2002);
	gr.from = A("203.0.113.5");
	(void)rtable_put(&rt, &gr);
	CHECK(send_one(&t, "203.0.113.5", 2002) == NULL,
	    "a client the proxy does not accept: refused");
	gr = honest(2003);
	gr.toside = PPTP_CLIENT;
	gr.from = A("198.51.100.2");
	gr.to = A("203.0.113.5");
	(void)rtable_put(&rt, &gr);
	CHECK(send_one(&t, "198.51.100.2", 2003) == NULL,
	    "towards a client the proxy does not accept: refused");
	gr = honest(2004);
	gr.proxy_id = 9;
	(void)rtable_put(&rt, &gr);
	CHECK(send_one(&t, "192.0.2.10", 2004) == NULL,
	    "a proxy that is not configured: refused");
	gr = honest(0);
	(void)rtable_put(&rt, &gr);
	CHECK(send_one(&t, "192.0.2.10", 0) == NULL,
	    "Call ID 0: refused");
	gr = honest(2005);
	gr.src = A("224.0.0.5");
	(void)rtable_put(&rt, &gr);
	CHECK(send_one(&t, "192.0.2.10", 2005) == NULL,
	    "a multicast source address of ours: refused");
	scribble(&rt, 2006, 17, A("192.0.2.10").s_addr,
	    A("198.51.100.2").s_addr, A("198.51.100.1").s_addr,
	    A("192.0.2.1").s_addr, 1, RT_INFO_LIVE | 7 << 16);
	CHECK(send_one(&t, "192.0.2.10", 2006) == NULL,
	    "a side that is neither client nor server: refused");
	scribble(&rt, 2007, 17, A("192.0.2.10").s_addr,
	    A("198.51.100.2").s_addr, A("198.51.100.1").s_addr,
	    A("192.0.2.1").s_addr, 1, RT_INFO_LIVE | 1 << 16 | 0x55 << 24);
	CHECK(send_one(&t, "192.0.2.10", 2007) == NULL,
	    "a tunnel kind that does not exist: refused");
	i = gre_route_check(&gr, why, sizeof(why)) == -1 && why[0] != '\0';
	CHECK(i, "the check says why (%s)", why);

	/* Random words in many entries: only what the rules allow is taken. */
	srandom(4711);
	bad = live = 0;
	for (i = 3000; i < 3000 + 20000; i++) {
		uint32_t w[5];

		for (n = 0; n < 5; n++)
			w[n] = (uint32_t)random() ^ (uint32_t)random() << 16;
		/* Now and then the right server, or a client it accepts. */
		if (i % 3 == 0)
			w[1] = A("198.51.100.2").s_addr;
		if (i % 5 == 0)
			w[0] = htonl(0xc0000200 | (w[0] & 0xff));
		if (i % 2 == 0)
			w[4] = (w[4] & 0x0101ffff) | RT_INFO_LIVE;
		w[3] = i % 7 == 0 ? 1 : w[3];
		scribble(&rt, i, i, w[0], w[1], A("198.51.100.1").s_addr,
		    A("192.0.2.1").s_addr, w[3], w[4]);
		(void)gre_table_sync(&t, (uint16_t)i);
		if (t.routes[i].used) {
			live++;
			if (!allowed(w[0], w[1], w[3], w[4]))
				bad++;
		} else if (allowed(w[0], w[1], w[3], w[4]))
			bad++;
	}
	CHECK(bad == 0 && live > 0, "20000 entries of random words: %u taken, "
	    "each one the rules allow, none they allow left out (%u wrong)",
	    live, bad);

	/*
	 * Torn reads: another process rewrites one entry with two routes
	 * that differ in every word.  Whatever the reader takes is one of
	 * the two, whole.
	 */
	a = honest(40000);
	b = honest(40000);
	b.sess = 99;
	b.token = 5;
	b.call = 8;
	b.newkey = 777;
	b.from = A("198.51.100.2");
	b.to = A("192.0.2.20");
	b.src = A("192.0.2.1");
	b.dst = A("198.51.100.1");
	b.toside = PPTP_CLIENT;
	b.proxy_id = 2;
	b.tunnel = TUN_ROUTE_IN;
	pid = writer(&rt, &a, &b);
	busy = live = mixed = 0;
	/* A second, or until both cases were seen many times. */
	t0 = now();
	for (i = 0; (live < 2000000 || busy < 2000) && (i % 1024 != 0 ||
	    now() - t0 < 1.0); i++) {
		switch (rtable_get(&rt, 40000, &out, &g)) {
		case RT_BUSY:
			busy++;
			break;
		case RT_LIVE:
			live++;
			if (!same(&out, &a) && !same(&out, &b))
				mixed++;
			break;
		}
	}
	stop(pid);
	CHECK(mixed == 0 && live > 0, "a reader racing a writer: %u routes "
	    "read, none a mix of two (%u), %u reads found it being written",
	    live, mixed, busy);

	/*
	 * The forwarder racing a writer that turns an allowed route into
	 * one to a foreign address and back: packets go to the server, or
	 * are dropped, never elsewhere.
	 */
	a = honest(40001);
	b = honest(40001);
	b.to = A("203.0.113.66");
	b.newkey = 666;
	pid = writer(&rt, &a, &b);
	fwd = bad = 0;
	t0 = now();
	for (i = 0; fwd < 200000 && (i % 1024 != 0 || now() - t0 < 1.0);
	    i++) {
		if ((r = send_one(&t, "192.0.2.10", 40001)) == NULL)
			continue;
		fwd++;
		if (r->to.s_addr != a.to.s_addr || r->newkey != 555)
			bad++;
	}
	stop(pid);
	CHECK(fwd > 0 && bad == 0, "the forwarder racing a writer: %u "
	    "forwarded, none to the foreign address (%u)", fwd, bad);
	free(t.routes);
	guard_clear();
	conf_free(c);
	CHECK_DONE();
}
