/*
 * The relays' connection counts (connpool.c), with relays N (N > 1):
 * limit connections is one pool for all relays.  Each relay is sure of
 * its share (the limit divided among the relays); past its share it may
 * take more while the relays hold fewer than the limit in all.  A relay
 * below its share takes a connection whatever the others borrowed, so
 * while borrowed connections last the relays may hold more than the
 * limit (at most twice it, and one a relay but one for relays racing).
 *
 * The counts live in a region the parent creates at start, one page a
 * relay: a relay maps its own page writable and stores there how many
 * control connections it holds; the other relays' pages it maps
 * read-only.  The parent never reads the region.  A relay trusts no
 * other relay's count: each is taken as at most the limit, so that a
 * relay that lies can at worst keep the others from taking more than
 * their shares, never from taking their shares.
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
 * Whether a relay takes a new control connection: share, its part of
 * limit connections; own, the connections it holds; others[n], what
 * the other relays' slots say; max, limit connections.  Each of the
 * others' counts is taken as at most max.
 */
#define CP_REFUSE	0	/* its share and the pool are full */
#define CP_SHARE	1	/* within its share */
#define CP_BORROW	2	/* past its share, the relays below max */
int		 connpool_admit(unsigned int, unsigned int, const uint32_t *,
		    unsigned int, unsigned int);
/* The same with the other relays' slots of the pool (none: one relay). */
int		 connpool_decide(const struct connpool *, unsigned int,
		    unsigned int, unsigned int);

#endif /* CONNPOOL_H */
