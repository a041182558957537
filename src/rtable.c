/*
 * The route table the control relay and the GRE forwarder share
 * (rtable.h).
 *
 * Routes, a seqlock per entry (one writer, the relay): the writer makes
 * the entry's sequence word odd, writes the entry, then makes it even
 * again, one more than before; a reader reads the word, the entry, the
 * word again, and takes the entry only when both reads gave the same
 * even value.  Every word of an entry is an atomic accessed relaxed; the
 * fences give the order (the writer's release fence after the odd word,
 * the reader's acquire fence before its second read), so that a reader
 * that took an entry saw no part of a later write.  The even value is
 * the entry's generation.
 *
 * Counts (one writer, the forwarder): reset and tagged with the route's
 * generation when the forwarder takes a route, then stored after each
 * packet.  Handing a route to the kernel (gre offload) and withdrawing
 * it cross: the forwarder marks the route handed over, then reads its
 * generation; the relay withdraws, then reads the mark; a full fence
 * between the store and the load on each side means at least one of
 * them sees the other, so a route the kernel forwards is never
 * withdrawn without the relay knowing to ask for its counts.
 */

#include <sys/types.h>
#include <sys/mman.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptp.h"
#include "pptpproxy.h"
#include "rtable.h"

_Static_assert(sizeof(struct rt_route) == 48, "struct rt_route grew");
_Static_assert(sizeof(struct rt_count) == 32, "struct rt_count grew");
_Static_assert(RT_ROUTES_SIZE % 16384 == 0, "routes part not page-aligned");
_Static_assert(RT_COUNTS_SIZE % 16384 == 0, "counts part not page-aligned");
_Static_assert(RELAY_BLOCK_KEYS * sizeof(uint32_t) % 16384 == 0 &&
    RELAY_BLOCK_KEYS * sizeof(struct rt_route) % 16384 == 0 &&
    RELAY_BLOCK_KEYS * sizeof(struct rt_count) % 16384 == 0,
    "a relay's block of keys is not a page multiple");

#define LD(p)		atomic_load_explicit((p), memory_order_relaxed)
#define ST(p, v)	atomic_store_explicit((p), (v), memory_order_relaxed)

static void
rtable_set(struct rtable *t, uint8_t *base)
{
	t->seq = (_Atomic uint32_t *)(void *)base;
	t->route = (struct rt_route *)(void *)(base + RT_SEQ_SIZE);
	t->count = (struct rt_count *)(void *)(base + RT_ROUTES_SIZE);
}

int
rtable_map(struct rtable *t, int rwfd, int rofd, int which, unsigned int lo,
    unsigned int hi)
{
	uint8_t	*base, *p;
	size_t	 first, n;
	int	 cprot;

	/* The counts: all writable by the one forwarder; or see below. */
	cprot = which == RT_WRITE_COUNTS && hi == 0 ? PROT_READ | PROT_WRITE :
	    PROT_READ;
	/* One reservation, then each part mapped over its place in it. */
	base = mmap(NULL, RT_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANON, -1, 0);
	if (base == MAP_FAILED)
		return (-1);
	p = mmap(base, RT_ROUTES_SIZE, PROT_READ, MAP_SHARED | MAP_FIXED,
	    rofd, 0);
	if (p == MAP_FAILED)
		goto fail;
	if (which == RT_WRITE_ROUTES) {
		/*
		 * The writer's keys only, whole blocks (page multiples in
		 * both arrays): the other relays' entries stay read-only.
		 */
		first = lo == 1 ? 0 : lo;	/* key 0: nobody's */
		n = (size_t)hi + 1 - first;
		if (hi < lo || hi >= RT_KEYS || first % RELAY_BLOCK_KEYS != 0 ||
		    n % RELAY_BLOCK_KEYS != 0) {
			errno = EINVAL;
			goto fail;
		}
		p = mmap(base + first * sizeof(uint32_t), n * sizeof(uint32_t),
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, rwfd,
		    (off_t)(first * sizeof(uint32_t)));
		if (p == MAP_FAILED)
			goto fail;
		p = mmap(base + RT_SEQ_SIZE + first * sizeof(struct rt_route),
		    n * sizeof(struct rt_route), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, rwfd, (off_t)(RT_SEQ_SIZE +
		    first * sizeof(struct rt_route)));
		if (p == MAP_FAILED)
			goto fail;
	}
	p = mmap(base + RT_ROUTES_SIZE, RT_COUNTS_SIZE, cprot,
	    MAP_SHARED | MAP_FIXED, cprot & PROT_WRITE ? rwfd : rofd,
	    (off_t)RT_ROUTES_SIZE);
	if (p == MAP_FAILED)
		goto fail;
	if (which == RT_WRITE_COUNTS && hi != 0) {
		/*
		 * One of several forwarders: its relay's keys only, whole
		 * blocks (page multiples), over the rest mapped read-only.
		 */
		first = lo == 1 ? 0 : lo;
		n = (size_t)hi + 1 - first;
		if (hi < lo || hi >= RT_KEYS || first % RELAY_BLOCK_KEYS != 0 ||
		    n % RELAY_BLOCK_KEYS != 0) {
			errno = EINVAL;
			goto fail;
		}
		p = mmap(base + RT_ROUTES_SIZE + first * sizeof(struct rt_count),
		    n * sizeof(struct rt_count), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, rwfd, (off_t)(RT_ROUTES_SIZE +
		    first * sizeof(struct rt_count)));
		if (p == MAP_FAILED)
			goto fail;
	}
	rtable_set(t, base);
	return (0);
fail:
	(void)munmap(base, RT_SIZE);
	return (-1);
}

int
rtable_alloc(struct rtable *t)
{
	uint8_t	*base;

	base = mmap(NULL, RT_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANON, -1, 0);
	if (base == MAP_FAILED)
		return (-1);
	rtable_set(t, base);
	return (0);
}

/* The writer's side of the seqlock around one entry's stores. */
static uint32_t
seq_begin(struct rtable *t, unsigned int key)
{
	uint32_t	s = LD(&t->seq[key]) | 1;

	ST(&t->seq[key], s);
	atomic_thread_fence(memory_order_release);
	return (s);
}

static uint32_t
seq_end(struct rtable *t, unsigned int key, uint32_t s)
{
	if (++s == 0)			/* 0 is "never written" */
		s = 2;
	atomic_store_explicit(&t->seq[key], s, memory_order_release);
	return (s);
}

/* The relay: a route (its key in gr) from now on; its generation. */
uint32_t
rtable_put(struct rtable *t, const struct gre_route *gr)
{
	struct rt_route	*r = &t->route[gr->key];
	uint32_t	 s;

	s = seq_begin(t, gr->key);
	ST(&r->sess, gr->sess);
	ST(&r->token, gr->token);
	ST(&r->call, gr->call);
	ST(&r->proxy_id, gr->proxy_id);
	ST(&r->from, gr->from.s_addr);
	ST(&r->to, gr->to.s_addr);
	ST(&r->src, gr->src.s_addr);
	ST(&r->dst, gr->dst.s_addr);
	ST(&r->info, RT_INFO(gr->newkey, gr->toside, gr->tunnel));
	return (seq_end(t, gr->key, s));
}

/*
 * The relay: no route for key from now on; the generation of the route
 * withdrawn (0: there was none).  Then the relay's read of the counts
 * (rtable_counts) comes after a full fence.
 */
uint32_t
rtable_withdraw(struct rtable *t, unsigned int key)
{
	struct rt_route	*r;
	uint32_t	 s, old;

	if (key >= RT_KEYS)
		return (0);
	r = &t->route[key];
	old = LD(&t->seq[key]);
	if ((old & 1) || !(LD(&r->info) & RT_INFO_LIVE))
		old = 0;
	s = seq_begin(t, key);
	ST(&r->info, 0);
	ST(&r->sess, 0);
	ST(&r->from, 0);
	ST(&r->to, 0);
	(void)seq_end(t, key, s);
	atomic_thread_fence(memory_order_seq_cst);
	return (old);
}

int
rtable_counts(const struct rtable *t, unsigned int key, uint32_t gen,
    struct gre_stats *st)
{
	const struct rt_count	*c;

	if (key >= RT_KEYS)
		return (-1);
	c = &t->count[key];
	memset(st, 0, sizeof(*st));
	st->key = (uint16_t)key;
	if (gen == 0 ||
	    atomic_load_explicit(&c->gen, memory_order_acquire) != gen)
		return (0);	/* the forwarder never took it: nothing */
	if (LD(&c->offgen) == gen)
		return (1);
	st->packets = LD(&c->packets);
	st->bytes = LD(&c->bytes);
	st->dropped = LD(&c->dropped);
	atomic_thread_fence(memory_order_acquire);
	if (LD(&c->gen) != gen)
		memset(st, 0, sizeof(*st));	/* (a dishonest forwarder) */
	st->key = (uint16_t)key;
	return (0);
}

/*
 * The forwarder: the route of key, copied out whole.  What it holds is
 * not checked here (the caller does, on the copy, and uses the copy).
 */
int
rtable_get(const struct rtable *t, unsigned int key, struct gre_route *gr,
    uint32_t *gen)
{
	const struct rt_route	*r;
	uint32_t		 s1, s2, info;

	if (key >= RT_KEYS)
		return (RT_NONE);
	r = &t->route[key];
	s1 = atomic_load_explicit(&t->seq[key], memory_order_acquire);
	if (s1 & 1)
		return (RT_BUSY);
	memset(gr, 0, sizeof(*gr));
	gr->key = (uint16_t)key;
	gr->sess = LD(&r->sess);
	gr->token = LD(&r->token);
	gr->call = LD(&r->call);
	gr->proxy_id = LD(&r->proxy_id);
	gr->from.s_addr = LD(&r->from);
	gr->to.s_addr = LD(&r->to);
	gr->src.s_addr = LD(&r->src);
	gr->dst.s_addr = LD(&r->dst);
	info = LD(&r->info);
	atomic_thread_fence(memory_order_acquire);
	s2 = LD(&t->seq[key]);
	if (s1 != s2)
		return (RT_BUSY);
	*gen = s1;
	if (!(info & RT_INFO_LIVE))
		return (RT_NONE);
	gr->newkey = (uint16_t)(info & 0xffff);
	gr->toside = (uint8_t)((info >> 16) & 0xff);
	gr->tunnel = (uint8_t)((info >> 24) & 0x7f);
	return (RT_LIVE);
}

/* The forwarder: it took the route of key at generation gen. */
void
rtable_count_start(struct rtable *t, unsigned int key, uint32_t gen)
{
	struct rt_count	*c;

	if (key >= RT_KEYS)
		return;
	c = &t->count[key];
	ST(&c->gen, 0);
	atomic_thread_fence(memory_order_release);
	ST(&c->offgen, 0);
	ST(&c->packets, 0);
	ST(&c->bytes, 0);
	ST(&c->dropped, 0);
	atomic_store_explicit(&c->gen, gen, memory_order_release);
}

int
rtable_count_offload(struct rtable *t, unsigned int key, uint32_t gen)
{
	if (key >= RT_KEYS)
		return (0);
	ST(&t->count[key].offgen, gen);
	atomic_thread_fence(memory_order_seq_cst);
	return (LD(&t->seq[key]) == gen);
}
