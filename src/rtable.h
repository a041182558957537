/*
 * The route table the control relay and the GRE forwarder share
 * (rtable.c): a memory region the parent creates and hands to both at
 * start, so that a call's routes and counters cross between them without
 * a message.
 *
 * The region has two parts, each written by one process only:
 *	routes	(the relay writes, the forwarder maps it read-only): a
 *		sequence word per Call ID, and the route shown that Call
 *		ID, under a seqlock;
 *	counts	(the forwarder writes, the relay maps it read-only): what
 *		the forwarder counted on the route of that Call ID, tagged
 *		with the route's generation.
 * Neither process trusts what the other wrote: the forwarder checks each
 * route it takes (gre.c, as it checks the configuration allows it) and
 * uses its own copy; the relay only adds up counts.  The parent never
 * reads the region.
 */

#ifndef RTABLE_H
#define RTABLE_H

#include <sys/types.h>

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Needs pptpproxy.h first (struct gre_route, struct gre_stats). */

#define RT_KEYS		65536		/* one entry per presented Call ID */

/*
 * A route as the relay wrote it.  Every word is atomic, so that the
 * forwarder reading while the relay writes is no data race (C11); the
 * sequence word tells whether what it read is whole.  Addresses in
 * network order.
 */
struct rt_route {
	_Atomic uint64_t	 sess;
	_Atomic uint64_t	 token;
	_Atomic uint32_t	 call;
	_Atomic uint32_t	 proxy_id;
	_Atomic uint32_t	 from;
	_Atomic uint32_t	 to;
	_Atomic uint32_t	 src;
	_Atomic uint32_t	 dst;
	_Atomic uint32_t	 info;		/* RT_INFO_* */
	uint32_t		 pad;
};
#define RT_INFO_LIVE		0x80000000U
#define RT_INFO(newkey, toside, tunnel)					\
	(RT_INFO_LIVE | (uint32_t)(newkey) | (uint32_t)(toside) << 16 |	\
	    ((uint32_t)(tunnel) & 0x7f) << 24)

/* What the forwarder counted on a route. */
struct rt_count {
	_Atomic uint32_t	 gen;		/* the route's; 0: none */
	_Atomic uint32_t	 offgen;	/* handed to the kernel at gen */
	_Atomic uint64_t	 packets;
	_Atomic uint64_t	 bytes;
	_Atomic uint64_t	 dropped;	/* right key, wrong source */
};

struct rtable {
	_Atomic uint32_t	*seq;		/* [RT_KEYS], odd: writing */
	struct rt_route		*route;		/* [RT_KEYS] */
	struct rt_count		*count;		/* [RT_KEYS] */
};

/* The region's parts, in bytes (page multiples), and its size. */
#define RT_SEQ_SIZE	((size_t)RT_KEYS * sizeof(uint32_t))
#define RT_ROUTES_SIZE	(RT_SEQ_SIZE + (size_t)RT_KEYS * sizeof(struct rt_route))
#define RT_COUNTS_SIZE	((size_t)RT_KEYS * sizeof(struct rt_count))
#define RT_SIZE		(RT_ROUTES_SIZE + RT_COUNTS_SIZE)

/*
 * Map the region: the routes of keys lo..hi writable (a relay: whole
 * blocks of RELAY_BLOCK_KEYS, key 0 aside) or its counts part (the
 * forwarder: all of it with hi 0, or one of several forwarders, relays
 * N: the counts of its relay's keys lo..hi), the rest read-only from rofd (a
 * descriptor opened read-only, so that the mapping cannot be made
 * writable).  The caller closes both descriptors after.  -1 on error
 * (errno set).
 */
#define RT_WRITE_ROUTES	0
#define RT_WRITE_COUNTS	1
int		 rtable_map(struct rtable *, int, int, int, unsigned int,
		    unsigned int);
/* The same in memory of this process (unit tests, benchmarks). */
int		 rtable_alloc(struct rtable *);

/* The relay. */
uint32_t	 rtable_put(struct rtable *, const struct gre_route *);
uint32_t	 rtable_withdraw(struct rtable *, unsigned int);
/*
 * The counts of route key at generation gen, once withdrawn: 0 (st
 * filled, zero when the forwarder never took that route), 1 when the
 * forwarder handed it to the kernel (its counts come by message), -1 for
 * a key out of range.
 */
int		 rtable_counts(const struct rtable *, unsigned int, uint32_t,
		    struct gre_stats *);

/* The forwarder. */
#define RT_NONE		0	/* no route (withdrawn, never written) */
#define RT_LIVE		1	/* *gr and *gen filled */
#define RT_BUSY		(-1)	/* being written, or torn: try later */
int		 rtable_get(const struct rtable *, unsigned int,
		    struct gre_route *, uint32_t *);
void		 rtable_count_start(struct rtable *, unsigned int, uint32_t);
/* 1: the route is still at generation gen, and marked handed over. */
int		 rtable_count_offload(struct rtable *, unsigned int, uint32_t);

static inline uint32_t
rtable_gen(const struct rtable *t, uint16_t key)
{
	return (atomic_load_explicit(&t->seq[key], memory_order_acquire));
}

static inline void
rtable_count_set(struct rtable *t, uint16_t key, uint64_t packets,
    uint64_t bytes, uint64_t dropped)
{
	struct rt_count	*c = &t->count[key];

	atomic_store_explicit(&c->packets, packets, memory_order_relaxed);
	atomic_store_explicit(&c->bytes, bytes, memory_order_relaxed);
	atomic_store_explicit(&c->dropped, dropped, memory_order_relaxed);
}

#endif /* RTABLE_H */
