/*
 * Objects of one size in chunks of their own, mapped apart from malloc's
 * heap.  Sessions come and go by the thousand; libevent keeps a small
 * entry for every descriptor number it has seen, made at the same moments
 * and never freed.  In the heap the two interleave, and once a burst of
 * sessions ends no page is wholly free: the memory stays resident.  Here a
 * chunk whose objects are all gone goes back to the system (one empty
 * chunk is kept, so a count that hovers at a boundary does not map and
 * unmap by turns).
 */

#ifndef SLAB_H
#define SLAB_H

#include <sys/queue.h>

#include <stddef.h>

#define SLAB_CHUNK	65536		/* bytes a chunk maps */

/*
 * Under AddressSanitizer or valgrind (the test build defines SLAB_MALLOC)
 * objects come from malloc(3), so that a use after free is still caught;
 * chunks are then never mapped.
 */
#if defined(__SANITIZE_ADDRESS__) && !defined(SLAB_MALLOC)
#define SLAB_MALLOC	1
#endif

struct slab_chunk;
LIST_HEAD(slab_chunks, slab_chunk);

struct slab {
	size_t			slot;	/* object, then its chunk pointer */
	unsigned int		per;	/* slots a chunk */
	struct slab_chunks	avail;	/* chunks with a free slot (full
					   ones are on no list) */
	unsigned int		chunks;	/* mapped */
	unsigned int		empty;	/* mapped, nothing in use (0 or 1) */
	size_t			inuse;	/* objects */
};

void	 slab_init(struct slab *, size_t);
void	*slab_get(struct slab *);	/* zeroed; NULL: out of memory */
void	 slab_put(struct slab *, void *);

#endif /* SLAB_H */
