/*
 * The session and call allocator (src/slab.c): objects aligned, zeroed
 * and apart; freed slots reused; live objects untouched by the free list;
 * a chunk mapped only when the others are full; chunks whose objects are
 * all gone unmapped, but for one kept empty; no map and unmap by turns at
 * a chunk boundary.
 */

#include <sys/types.h>
#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slab.h"
#include "check.h"

#define OBJ	700	/* about a session's size */
#define MAXOBJ	1000

static int
filled(const uint8_t *p, uint8_t v)
{
	size_t	i;

	for (i = 0; i < OBJ; i++)
		if (p[i] != v)
			return (0);
	return (1);
}

#ifdef SLAB_MALLOC
/* Sanitizer build: objects come from malloc; only what that keeps. */
int
main(void)
{
	struct slab	 sl;
	uint8_t		*a, *b;

	slab_init(&sl, OBJ);
	a = slab_get(&sl);
	b = slab_get(&sl);
	CHECK(a != NULL && b != NULL && a != b && filled(a, 0) &&
	    filled(b, 0) && sl.inuse == 2, "malloc'd objects: zeroed, apart");
	memset(a, 1, OBJ);
	memset(b, 2, OBJ);
	CHECK(filled(a, 1) && filled(b, 2), "and whole");
	slab_put(&sl, a);
	slab_put(&sl, b);
	slab_put(&sl, NULL);
	CHECK(sl.inuse == 0 && sl.chunks == 0, "freed; no chunk mapped");
	CHECK_DONE();
}
#else
/* Whether the page holding p is mapped (mincore fails with ENOMEM if not). */
static int
mapped(const void *p)
{
	long		 pg = sysconf(_SC_PAGESIZE);
	unsigned char	 vec;
	uintptr_t	 a = (uintptr_t)p & ~(uintptr_t)(pg - 1);

	if (mincore((void *)a, (size_t)pg, &vec) == 0)
		return (1);
	return (errno == ENOMEM ? 0 : -1);
}

int
main(void)
{
	static uint8_t	*o[MAXOBJ];
	struct slab	 sl;
	uint8_t		*a, *b, *keep;
	unsigned int	 i, n, per, bad;

	slab_init(&sl, OBJ);
	per = sl.per;
	CHECK(sl.slot >= OBJ + sizeof(void *) && sl.slot % 16 == 0,
	    "a slot holds the object and its chunk pointer, 16-aligned "
	    "(%zu)", sl.slot);
	CHECK(per > 1 && (size_t)per * sl.slot <= SLAB_CHUNK,
	    "%u slots fit a chunk", per);
	CHECK(sl.chunks == 0, "nothing mapped before the first object");

	/* Fill a chunk and one more object: a second chunk, only then. */
	for (i = 0, bad = 0; i < per; i++) {
		o[i] = slab_get(&sl);
		if (o[i] == NULL || (uintptr_t)o[i] % 16 != 0 ||
		    !filled(o[i], 0))
			bad++;
		else
			memset(o[i], (int)(i % 250) + 1, OBJ);
	}
	CHECK(bad == 0, "%u objects: aligned and zeroed", per);
	CHECK(sl.chunks == 1 && sl.inuse == per,
	    "one chunk holds them (%u chunks)", sl.chunks);
	o[per] = slab_get(&sl);
	CHECK(o[per] != NULL && sl.chunks == 2,
	    "object %u maps a second chunk", per + 1);
	memset(o[per], 0xee, OBJ);
	for (i = 0, bad = 0; i < per; i++)
		if (!filled(o[i], (uint8_t)(i % 250) + 1))
			bad++;
	CHECK(bad == 0, "objects do not overlap");

	/* Free every other one: the rest keep their bytes; slots reused. */
	for (i = 0; i < per; i += 2) {
		slab_put(&sl, o[i]);
		o[i] = NULL;
	}
	for (i = 1, bad = 0; i < per; i += 2)
		if (!filled(o[i], (uint8_t)(i % 250) + 1))
			bad++;
	CHECK(bad == 0, "freeing neighbours leaves live objects alone");
	a = slab_get(&sl);
	b = slab_get(&sl);
	CHECK(a != NULL && b != NULL && filled(a, 0) && filled(b, 0) &&
	    sl.chunks == 2, "freed slots come back zeroed, no new chunk");
	slab_put(&sl, a);
	slab_put(&sl, b);

	/* A count hovering at a boundary keeps one empty chunk mapped. */
	keep = o[per];
	slab_put(&sl, keep);
	o[per] = NULL;
	for (i = 0, bad = 0; i < 100; i++) {
		a = slab_get(&sl);
		if (a == NULL || sl.chunks != 2)
			bad++;
		slab_put(&sl, a);
		if (sl.chunks != 2)
			bad++;
	}
	CHECK(bad == 0 && sl.empty == 1,
	    "100 gets and puts at a boundary: still 2 chunks, 1 empty");

	/* Many, then none: all chunks but one go back to the system. */
	for (i = 0; i < per; i++)
		if (o[i] != NULL)
			slab_put(&sl, o[i]);
	for (i = 0, bad = 0; i < MAXOBJ; i++)
		if ((o[i] = slab_get(&sl)) == NULL)
			bad++;
	n = sl.chunks;
	CHECK(bad == 0 && n == (MAXOBJ + per - 1) / per,
	    "%d objects in %u chunks", MAXOBJ, n);
	CHECK(mapped(o[0]) == 1 && mapped(o[MAXOBJ - 1]) == 1,
	    "their pages are mapped");
	for (i = 0; i < MAXOBJ; i++)
		slab_put(&sl, o[i]);
	CHECK(sl.inuse == 0 && sl.chunks == 1 && sl.empty == 1,
	    "all freed: 1 chunk of %u left, empty", n);
	for (i = 0, bad = 0; i < MAXOBJ; i++)
		if (mapped(o[i]) != 0)
			bad++;
	CHECK(bad > 0 && bad <= per, "%u of the %d objects' pages still "
	    "mapped: at most a chunk's worth", bad, MAXOBJ);

	/* Small objects still hold a free-list link. */
	slab_init(&sl, 1);
	a = slab_get(&sl);
	b = slab_get(&sl);
	CHECK(a != NULL && b != NULL && b - a == (ptrdiff_t)sl.slot &&
	    sl.slot == 16, "1-byte objects take 16-byte slots");
	slab_put(&sl, a);
	slab_put(&sl, b);
	CHECK(sl.inuse == 0 && sl.chunks == 1, "and are freed");
	slab_put(&sl, NULL);
	CHECK(sl.inuse == 0, "putting NULL does nothing");

	CHECK_DONE();
}
#endif /* SLAB_MALLOC */
