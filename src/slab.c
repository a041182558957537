/*
 * Chunks of same-sized objects, mapped and unmapped whole (see slab.h).
 *
 * A chunk is a header and slots; a slot is the object, then a pointer to
 * its chunk.  Slots never used are handed out in order (so a chunk's pages
 * become resident only as it fills), freed ones from a list threaded
 * through the objects.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slab.h"

#define SLAB_ALIGN	16

struct slab_chunk {
	LIST_ENTRY(slab_chunk)	 entry;
	struct slab		*slab;
	void			*free;	/* freed slots' objects, linked */
	unsigned int		 used;	/* objects in use */
	unsigned int		 fresh;	/* slots handed out at least once */
};

#define SLOT_PTR	sizeof(struct slab_chunk *)
#define FIRST_SLOT	((sizeof(struct slab_chunk) + SLAB_ALIGN - 1) & \
			    ~(size_t)(SLAB_ALIGN - 1))

void
slab_init(struct slab *sl, size_t size)
{
	memset(sl, 0, sizeof(*sl));
	if (size < sizeof(void *))
		size = sizeof(void *);
	sl->slot = (size + SLOT_PTR + SLAB_ALIGN - 1) & ~(size_t)(SLAB_ALIGN -
	    1);
	sl->per = (unsigned int)((SLAB_CHUNK - FIRST_SLOT) / sl->slot);
	LIST_INIT(&sl->avail);
}

#ifdef SLAB_MALLOC

void *
slab_get(struct slab *sl)
{
	void	*obj;

	if ((obj = calloc(1, sl->slot)) != NULL)
		sl->inuse++;
	return (obj);
}

void
slab_put(struct slab *sl, void *obj)
{
	if (obj == NULL)
		return;
	sl->inuse--;
	free(obj);
}

#else /* SLAB_MALLOC */

static struct slab_chunk *
chunk_new(struct slab *sl)
{
	struct slab_chunk	*c;
	void			*p;

	p = mmap(NULL, SLAB_CHUNK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANON, -1, 0);
	if (p == MAP_FAILED)
		return (NULL);
	c = p;
	c->slab = sl;
	c->free = NULL;
	c->used = c->fresh = 0;
	LIST_INSERT_HEAD(&sl->avail, c, entry);
	sl->chunks++;
	sl->empty++;
	return (c);
}

void *
slab_get(struct slab *sl)
{
	struct slab_chunk	*c;
	uint8_t			*slot;
	void			*obj;

	if (sl->per == 0)
		return (NULL);
	if ((c = LIST_FIRST(&sl->avail)) == NULL &&
	    (c = chunk_new(sl)) == NULL)
		return (NULL);
	if (c->free != NULL) {
		obj = c->free;
		memcpy(&c->free, obj, sizeof(c->free));
	} else {
		slot = (uint8_t *)c + FIRST_SLOT + (size_t)c->fresh * sl->slot;
		c->fresh++;
		memcpy(slot + sl->slot - SLOT_PTR, &c, sizeof(c));
		obj = slot;
	}
	if (c->used++ == 0)
		sl->empty--;
	if (c->used == sl->per)
		LIST_REMOVE(c, entry);	/* full: on no list until a put */
	sl->inuse++;
	memset(obj, 0, sl->slot - SLOT_PTR);
	return (obj);
}

void
slab_put(struct slab *sl, void *obj)
{
	struct slab_chunk	*c;

	if (obj == NULL)
		return;
	memcpy(&c, (uint8_t *)obj + sl->slot - SLOT_PTR, sizeof(c));
	if (c->slab != sl)
		abort();	/* not one of ours: memory is corrupt */
	memcpy(obj, &c->free, sizeof(c->free));
	c->free = obj;
	sl->inuse--;
	if (c->used-- == sl->per)
		LIST_INSERT_HEAD(&sl->avail, c, entry);
	if (c->used > 0)
		return;
	if (sl->empty == 0) {
		sl->empty++;
		return;
	}
	/* Another chunk is empty already: this one goes. */
	LIST_REMOVE(c, entry);
	sl->chunks--;
	(void)munmap(c, SLAB_CHUNK);
}

#endif /* SLAB_MALLOC */
