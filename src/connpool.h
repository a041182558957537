/*
 * The relays' connection counts (connpool.c), with relays N (N > 1):
 * limit connections is one pool for all relays.  A relay takes a new
 * control connection only while its own count and the other relays'
 * add up to fewer than the limit; no relay has a share of its own.
 * Relays that take a connection at the same moment each see the others'
 * counts from before it, so together they may pass the limit by at most
 * one connection each but one (N - 1), until those connections end.
 *
 * The counts live in a region the parent creates at start, one page a
 * relay: a relay maps its own page writable and stores there how many
 * control connections it holds; the other relays' pages it maps
 * read-only.  The parent never reads the region.  A relay trusts no
 * other relay's count: each is taken as at most the limit.  A relay
 * that lies can make the others refuse (a count of the limit or more),
 * which is no new power: a compromised relay can stop the daemon
 * already.  It cannot make the others hold more than their own counts
 * allow (a count that would wrap the sum is the limit), and one that
 * says fewer than it holds lets each of the others go up to the limit.
 */

#ifndef CONNPOOL_H
#define CONNPOOL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define CP_SLOT_SIZE	16384		/* a page or more: a relay's own */
#define CP_SIZE(n)	((size_t)(n) * CP_SLOT_SIZE)

struct connpool {
	uint8_t		*base;		/* NULL: one relay, no pool */
	unsigned int	 index, count;	/* this relay, of how many */
};

/*
 * Map the region of count relays' slots (from rwfd read-write and rofd
 * read-only, as os_shm_create() gives them): slot index writable, the
 * others read-only.  The caller closes both descriptors after.  -1 on
 * error (errno set; EINVAL for numbers out of range).
 */
int		 connpool_map(struct connpool *, int, int, unsigned int,
		    unsigned int);

/* The relay: it holds n control connections now. */
void		 connpool_set(struct connpool *, unsigned int);

/*
 * Whether a relay takes a new control connection: own, the connections
 * it holds; others[n], what the other relays' slots say; max, limit
 * connections.  Each of the others' counts is taken as at most max.
 * 1 if own and the others' add up to fewer than max, else 0.
 */
int		 connpool_admit(unsigned int, const uint32_t *, unsigned int,
		    unsigned int);
/* The same with the other relays' slots of the pool (none: one relay). */
int		 connpool_decide(const struct connpool *, unsigned int,
		    unsigned int);

#endif /* CONNPOOL_H */
