/*
 * libFuzzer target for the GRE forwarder's trust boundary with the
 * control relay: the route table they share (rtable.c), which a relay
 * that was taken over can fill with any bytes.  The input is a list of
 * steps, each first byte saying what:
 *	0	write a whole entry: a key selector, then the 52 bytes the
 *		relay owns for it (sequence word, then struct rt_route as
 *		laid out in memory)
 *	1	poke 4 bytes into an entry: a key selector, an offset into
 *		those 52 bytes, the 4 bytes
 *	2	a packet for the raw socket path: 2 bytes of length (big
 *		endian), the IPv4 packet, through gre_translate()
 *	3	a packet from a tunnel: a token selector, 2 bytes of length,
 *		the GRE packet, through gre_tun_translate()
 * The forwarder's own code reads the entry when its sequence word moved
 * (gre.c's lookup), checks the copy (gre_route_check, guard.c's rules)
 * and forwards by it.  Checked apart from guard.c, after every packet
 * forwarded:
 *	- the route used is one the entry held at some step, whole, with
 *	  an even sequence word, and one the configuration below allows
 *	  (ends, side, key, tunnel kind, our addresses unicast);
 *	- when the entry's sequence word is odd now, nothing is forwarded;
 *	  when it holds a value it never held before (nor 0, where it
 *	  starts), the route used is what the entry holds now: the
 *	  forwarder read it again and did not keep an older copy;
 *	- the packet stays inside its buffer (copied to one of its exact
 *	  size, so that ASan sees a read past it), its source is the
 *	  route's, and it carries that entry's new key.
 */

#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxy.h"
#include "pptp.h"
#include "gre.h"
#include "guard.h"
#include "rtable.h"
#include "tunnel.h"
#include "../unit/addr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NKEYS		4
#define ENT_SIZE	(4 + sizeof(struct rt_route))	/* what the relay owns */
#define HIST		64		/* states remembered per entry */

/* Call ID 0 is among them: no route may have it. */
static const uint16_t	keys[NKEYS] = { 1, 0x4000, 0xfffe, 0 };
static const uint64_t	tokens[4] = { 0, 1, 0x1122334455667788ULL, ~0ULL };

static struct gre_table	t;
static struct rtable	rt;
static struct pptpproxy_conf *conf;	/* kept: its rules are in force */

/* Every state an entry was in during this input, the last one now. */
static uint8_t		hist[NKEYS][HIST][ENT_SIZE];
static unsigned int	nhist[NKEYS];

static void
fail(const char *what, uint16_t key)
{
	fprintf(stderr, "fuzz_rtable: Call ID %u: %s\n", key, what);
	abort();
}

/*
 * Proxy 1: server 198.51.100.2, clients 192.0.2.0/25 and 203.0.113.0/24.
 * Proxy 2: server 203.0.113.5, no ACL rule: any unicast client.
 */
static void
setup(void)
{
	struct proxy_conf	*pc;

	log_init(0, LOG_LVL_INFO, "/dev/null");
	if (rtable_alloc(&rt) == -1)
		abort();
	t.rt = &rt;
	if ((t.routes = calloc(65536, sizeof(*t.routes))) == NULL)
		abort();
	if ((conf = conf_new()) == NULL)
		abort();
	if ((pc = conf_proxy_new(conf)) == NULL)
		abort();
	pc->server.sin_addr = A("198.51.100.2");
	TAILQ_INSERT_TAIL(&conf->proxies, pc, entry);
	if (conf_add_subnet_arg(&pc->subnets, pc->id, "192.0.2.0/25") == -1 ||
	    conf_add_subnet_arg(&pc->subnets, pc->id, "203.0.113.0/24") == -1)
		abort();
	if ((pc = conf_proxy_new(conf)) == NULL)
		abort();
	pc->server.sin_addr = A("203.0.113.5");
	TAILQ_INSERT_TAIL(&conf->proxies, pc, entry);
	guard_conf(conf);
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t	v;

	memcpy(&v, p, sizeof(v));
	return (v);
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t	v;

	memcpy(&v, p, sizeof(v));
	return (v);
}

/* A state's fields, as the relay laid them out (host order words). */
#define S_SEQ(s)	get32((s))
#define S_SESS(s)	get64((s) + 4 + offsetof(struct rt_route, sess))
#define S_TOKEN(s)	get64((s) + 4 + offsetof(struct rt_route, token))
#define S_CALL(s)	get32((s) + 4 + offsetof(struct rt_route, call))
#define S_PROXY(s)	get32((s) + 4 + offsetof(struct rt_route, proxy_id))
#define S_FROM(s)	get32((s) + 4 + offsetof(struct rt_route, from))
#define S_TO(s)		get32((s) + 4 + offsetof(struct rt_route, to))
#define S_SRC(s)	get32((s) + 4 + offsetof(struct rt_route, src))
#define S_DST(s)	get32((s) + 4 + offsetof(struct rt_route, dst))
#define S_INFO(s)	get32((s) + 4 + offsetof(struct rt_route, info))

static int
unicast(uint32_t na)
{
	uint32_t	a = ntohl(na);

	return (a != 0 && a != 0xffffffffU && (a & 0xf0000000U) != 0xe0000000U);
}

/* What the configuration above allows, worked out apart from guard.c. */
static int
allowed(const uint8_t *s, uint16_t key)
{
	uint32_t	info = S_INFO(s), toside, tunnel, client, server, c;

	toside = (info >> 16) & 0xff;
	tunnel = (info >> 24) & 0x7f;
	if ((S_SEQ(s) & 1) || !(info & RT_INFO_LIVE) || key == 0 ||
	    toside > 1 || tunnel > 2)
		return (0);
	/* Ours: not broadcast or multicast (0.0.0.0 the kernel refuses). */
	if (ntohl(S_SRC(s)) == 0xffffffffU || ntohl(S_DST(s)) == 0xffffffffU ||
	    (ntohl(S_SRC(s)) & 0xf0000000U) == 0xe0000000U ||
	    (ntohl(S_DST(s)) & 0xf0000000U) == 0xe0000000U)
		return (0);
	client = toside == PPTP_SERVER ? S_FROM(s) : S_TO(s);
	server = toside == PPTP_SERVER ? S_TO(s) : S_FROM(s);
	if (!unicast(client))
		return (0);
	c = ntohl(client);
	switch (S_PROXY(s)) {
	case 1:
		return (ntohl(server) == 0xc6336402U &&	/* 198.51.100.2 */
		    ((c & 0xffffff80U) == 0xc0000200U ||
		    (c & 0xffffff00U) == 0xcb007100U));
	case 2:
		return (ntohl(server) == 0xcb007105U);	/* 203.0.113.5 */
	default:
		return (0);
	}
}

/* The route r is the one state s held. */
static int
same(const struct gre_route_ent *r, const uint8_t *s)
{
	uint32_t	info = S_INFO(s);

	return (r->sess == S_SESS(s) && r->token == S_TOKEN(s) &&
	    r->call == S_CALL(s) && r->proxy_id == S_PROXY(s) &&
	    r->from.s_addr == S_FROM(s) && r->to.s_addr == S_TO(s) &&
	    r->src.s_addr == S_SRC(s) && r->dst.s_addr == S_DST(s) &&
	    r->newkey == (info & 0xffff) &&
	    r->toside == ((info >> 16) & 0xff) &&
	    r->tunnel == ((info >> 24) & 0x7f));
}

/* The checks on a route the forwarder used for key. */
static void
check_route(const struct gre_route_ent *r, uint16_t key)
{
	const uint8_t	*now;
	unsigned int	 i, k, n;
	int		 found = 0, moved = 1;

	for (k = 0; k < NKEYS; k++)
		if (keys[k] == key)
			break;
	if (k == NKEYS)
		fail("forwarded, but the relay never wrote that entry", key);
	if (r != &t.routes[key])
		fail("forwarded by another key's route", key);
	n = nhist[k];
	if (n == 0)
		fail("forwarded, but the entry was never written", key);
	now = hist[k][n - 1];
	if (S_SEQ(now) & 1)
		fail("forwarded while the entry is being written", key);
	for (i = 0; i < n; i++) {
		if (i < n - 1 && S_SEQ(hist[k][i]) == S_SEQ(now))
			moved = 0;
		if (same(r, hist[k][i]) && allowed(hist[k][i], key))
			found = 1;
	}
	if (!found)
		fail("forwarded by a route the configuration does not allow "
		    "or the entry never held", key);
	if (S_SEQ(now) == 0)
		moved = 0;
	if (moved && !(same(r, now) && allowed(now, key)))
		fail("the sequence word moved, an older copy kept", key);
}

/* The relay's side: the entry's bytes now (no seqlock: any bytes). */
static void
entry_write(unsigned int k, size_t off, const uint8_t *b, size_t len)
{
	uint8_t	*seq = (uint8_t *)(uintptr_t)&rt.seq[keys[k]];
	uint8_t	*route = (uint8_t *)(void *)&rt.route[keys[k]];
	uint8_t	*s;
	size_t	 i;

	if (nhist[k] == HIST)
		return;
	for (i = 0; i < len; i++) {
		if (off + i < 4)
			seq[off + i] = b[i];
		else
			route[off + i - 4] = b[i];
	}
	s = hist[k][nhist[k]++];
	memcpy(s, seq, 4);
	memcpy(s + 4, route, sizeof(struct rt_route));
}

static void
reset(void)
{
	unsigned int	k;

	for (k = 0; k < NKEYS; k++) {
		memset((void *)(uintptr_t)&rt.seq[keys[k]], 0, sizeof(rt.seq[0]));
		memset((void *)&rt.route[keys[k]], 0, sizeof(rt.route[0]));
		memset((void *)&rt.count[keys[k]], 0, sizeof(rt.count[0]));
		memset(&t.routes[keys[k]], 0, sizeof(t.routes[0]));
		nhist[k] = 0;
	}
	t.nroutes = 0;
	t.noffloaded = 0;
}

/* One packet, copied to a buffer of its size. */
static void
packet(const uint8_t *data, size_t len, int tunnel, uint64_t token)
{
	struct gre_route_ent	*r;
	uint8_t			*pkt, *g;
	size_t			 glen, ihl = 0;
	uint16_t		 key;
	uint32_t		 src;

	if ((pkt = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(pkt, data, len);
	if (tunnel) {
		g = pkt;
		glen = len;
		r = gre_tun_translate(&t, token, g, glen);
	} else
		r = gre_translate(&t, pkt, len, &g, &glen);
	if (r == NULL) {
		free(pkt);
		return;
	}
	if (!tunnel)
		ihl = (size_t)(data[0] & 0x0f) * 4;
	if (g != pkt + ihl || glen != len - ihl || glen < GRE_HDR_MIN)
		fail("the GRE part is not the packet's", 0);
	key = (uint16_t)(data[ihl + 6] << 8 | data[ihl + 7]);
	check_route(r, key);
	if (((g[6] << 8) | g[7]) != r->newkey)
		fail("the packet does not carry the route's new key", key);
	if (tunnel) {
		if (r->tunnel != TUN_ROUTE_IN || r->token != token)
			fail("a tunnel's packet by a route not from it", key);
	} else {
		memcpy(&src, data + 12, sizeof(src));
		if (r->tunnel == TUN_ROUTE_IN || src != r->from.s_addr)
			fail("a packet from another source forwarded", key);
	}
	free(pkt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p = data, *end = data + size;
	size_t		 len;
	uint64_t	 token;
	int		 op;

	if (t.routes == NULL)
		setup();
	reset();
	while (p < end) {
		switch ((op = *p++ & 3)) {
		case 0:
			if ((size_t)(end - p) < 1 + ENT_SIZE)
				return (0);
			entry_write(p[0] % NKEYS, 0, p + 1, ENT_SIZE);
			p += 1 + ENT_SIZE;
			break;
		case 1:
			if (end - p < 6)
				return (0);
			entry_write(p[0] % NKEYS, p[1] % (ENT_SIZE - 3), p + 2, 4);
			p += 6;
			break;
		default:
			token = tokens[0];
			if (op == 3) {
				if (end - p < 1)
					return (0);
				token = tokens[*p++ % 4];
			}
			if (end - p < 2)
				return (0);
			len = (size_t)(p[0] << 8 | p[1]);
			p += 2;
			if (len > (size_t)(end - p))
				len = (size_t)(end - p);
			packet(p, len, op == 3, token);
			p += len;
			break;
		}
	}
	return (0);
}
