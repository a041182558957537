/*
 * The relays' connection counts (connpool.h): one slot a relay, each a
 * page of its own, so that a relay's mapping of the other slots can be
 * read-only.  A slot holds one word, stored with release order by its
 * relay whenever its count changes and loaded relaxed by the others: a
 * count read late only moves the moment a relay refuses or takes again,
 * and the relays racing for the last connections of the pool can pass
 * the limit by at most one connection each but one.
 */

#include <sys/types.h>
#include <sys/mman.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

#include "pptp.h"
#include "connpool.h"

_Static_assert(CP_SLOT_SIZE % 4096 == 0, "a slot is not a page multiple");

static _Atomic uint32_t *
slot(const struct connpool *cp, unsigned int i)
{
	return ((_Atomic uint32_t *)(void *)(cp->base +
	    (size_t)i * CP_SLOT_SIZE));
}

int
connpool_map(struct connpool *cp, int rwfd, int rofd, unsigned int index,
    unsigned int count)
{
	uint8_t	*base, *p;
	long	 page = sysconf(_SC_PAGESIZE);

	if (count < 2 || count > RELAYS_MAX || index >= count || page < 1 ||
	    CP_SLOT_SIZE % page != 0) {
		errno = EINVAL;
		return (-1);
	}
	/* Every slot read-only, then this relay's own over its place. */
	base = mmap(NULL, CP_SIZE(count), PROT_READ, MAP_SHARED, rofd, 0);
	if (base == MAP_FAILED)
		return (-1);
	p = mmap(base + (size_t)index * CP_SLOT_SIZE, CP_SLOT_SIZE,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, rwfd,
	    (off_t)index * CP_SLOT_SIZE);
	if (p == MAP_FAILED) {
		(void)munmap(base, CP_SIZE(count));
		return (-1);
	}
	cp->base = base;
	cp->index = index;
	cp->count = count;
	return (0);
}

void
connpool_set(struct connpool *cp, unsigned int n)
{
	if (cp->base != NULL)
		atomic_store_explicit(slot(cp, cp->index), n,
		    memory_order_release);
}

/*
 * Each other relay's count at most max, and the sum checked as it grows:
 * below max before each addition, so it stays below twice max, which
 * does not wrap for any limit the configuration allows, however the
 * others lie.
 */
int
connpool_admit(unsigned int own, const uint32_t *others, unsigned int n,
    unsigned int max)
{
	unsigned int	total = own, i;

	for (i = 0; i < n && total < max; i++)
		total += others[i] < max ? others[i] : max;
	return (total < max);
}

int
connpool_decide(const struct connpool *cp, unsigned int own,
    unsigned int max)
{
	uint32_t	others[RELAYS_MAX];
	unsigned int	i, n = 0;

	if (cp->base == NULL)
		return (connpool_admit(own, NULL, 0, max));
	for (i = 0; i < cp->count; i++)
		if (i != cp->index)
			others[n++] = atomic_load_explicit(slot(cp, i),
			    memory_order_relaxed);
	return (connpool_admit(own, others, n, max));
}
