/*
 * Call-ID pool.  The free IDs 1..65535 live in a ring, shuffled once at
 * start.  A draw takes a random one of the first CALLID_REACH free IDs
 * (swapped to the head, then taken); a released ID goes to the tail.  So
 * IDs are hard to guess, and a released ID is not handed out again
 * before most of the others: late GRE packets of an old call cannot land
 * in a new one.  A bitmap tells which IDs are in the ring, so releasing
 * an ID twice cannot put it there twice.  Random numbers are drawn from
 * a buffer of CALLID_RND that arc4random_buf() refills when it is used
 * up; each is cleared once taken.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pptp.h"

#define CALLID_N	65535	/* IDs 1..65535; 0 is never used */
#define CALLID_REACH	1024	/* a draw picks among this many */

#define ISFREE(p, id)	((p)->isfree[(id) >> 3] & (1 << ((id) & 7)))
#define SETFREE(p, id)	((p)->isfree[(id) >> 3] |= (1 << ((id) & 7)))
#define CLRFREE(p, id)	((p)->isfree[(id) >> 3] &= ~(1 << ((id) & 7)))

static uint32_t
callid_random(struct callid_pool *p)
{
	uint32_t	r;

	if (p->nrnd == 0) {
		arc4random_buf(p->rnd, sizeof(p->rnd));
		p->nrnd = CALLID_RND;
		p->refills++;
	}
	r = p->rnd[--p->nrnd];
	p->rnd[p->nrnd] = 0;
	return (r);
}

/* As arc4random_uniform(): numbers below 2^32 mod bound are redrawn. */
uint32_t
callid_uniform(struct callid_pool *p, uint32_t bound)
{
	uint32_t	r, min;

	if (bound < 2)
		return (0);
	min = -bound % bound;
	do
		r = callid_random(p);
	while (r < min);
	return (r % bound);
}

void
callid_init(struct callid_pool *p)
{
	callid_init_range(p, 1, CALLID_N);
}

void
callid_init_range(struct callid_pool *p, unsigned int lo, unsigned int hi)
{
	uint32_t	i, j;
	uint16_t	t;

	if (lo < 1)
		lo = 1;
	if (hi > CALLID_N)
		hi = CALLID_N;
	if (hi < lo)
		hi = lo;
	p->nrnd = 0;
	p->lo = lo;
	p->n = hi - lo + 1;
	for (i = 0; i < p->n; i++)
		p->ring[i] = (uint16_t)(lo + i);
	/* Fisher-Yates. */
	for (i = p->n - 1; i > 0; i--) {
		j = callid_uniform(p, i + 1);
		t = p->ring[i];
		p->ring[i] = p->ring[j];
		p->ring[j] = t;
	}
	p->head = 0;
	p->count = p->n;
	/* Only the range's IDs are free: nothing else can be put back. */
	memset(p->isfree, 0, sizeof(p->isfree));
	for (i = 0; i < p->n; i++)
		SETFREE(p, lo + i);
}

/*
 * Relay i of n: blocks i*16/n up to (i+1)*16/n of RELAY_BLOCK_KEYS
 * Call IDs each (0 left out).
 */
void
relay_keys(unsigned int i, unsigned int n, unsigned int *lo, unsigned int *hi)
{
	unsigned int	blocks = 65536 / RELAY_BLOCK_KEYS;

	if (n < 1 || n > RELAYS_MAX || i >= n) {
		*lo = 1;
		*hi = CALLID_N;
		return;
	}
	*lo = i * blocks / n * RELAY_BLOCK_KEYS;
	*hi = (i + 1) * blocks / n * RELAY_BLOCK_KEYS - 1;
	if (*lo == 0)
		*lo = 1;
}

unsigned int
relay_of_key(unsigned int key, unsigned int n)
{
	unsigned int	i, lo, hi;

	for (i = 0; i < n; i++) {
		relay_keys(i, n, &lo, &hi);
		if (key <= hi)
			return (i);
	}
	return (0);
}

unsigned int
relay_of_sess(uint64_t id, unsigned int n)
{
	if (n < 2 || id == 0)
		return (0);
	return ((unsigned int)((id - 1) % n));
}

int
callid_get(struct callid_pool *p, uint16_t *id)
{
	uint32_t	reach, j;
	uint16_t	t;

	if (p->count == 0)
		return (-1);
	reach = p->count < CALLID_REACH ? p->count : CALLID_REACH;
	j = (p->head + callid_uniform(p, reach)) % p->n;
	t = p->ring[j];
	p->ring[j] = p->ring[p->head];
	p->ring[p->head] = t;
	p->head = (p->head + 1) % p->n;
	p->count--;
	CLRFREE(p, t);
	*id = t;
	return (0);
}

void
callid_put(struct callid_pool *p, uint16_t id)
{
	if (id < p->lo || id - p->lo >= p->n || ISFREE(p, id) ||
	    p->count >= p->n)
		return;
	p->ring[(p->head + p->count) % p->n] = id;
	p->count++;
	SETFREE(p, id);
}

uint32_t
callid_free(const struct callid_pool *p)
{
	return (p->count);
}

int
callid_isfree(const struct callid_pool *p, uint16_t id)
{
	return (ISFREE(p, id) != 0);
}

/*
 * A call's two IDs, counted against a share of calls (one per client
 * address) that holds at most max.  Both IDs or none.
 */
int
callid_take(struct callid_pool *p, struct callid_share *sh, unsigned int max,
    uint16_t ids[2])
{
	if (sh != NULL && sh->calls >= max)
		return (CALLID_BUSY);
	if (p->count < 2)
		return (CALLID_EMPTY);
	(void)callid_get(p, &ids[0]);
	(void)callid_get(p, &ids[1]);
	if (sh != NULL)
		sh->calls++;
	return (CALLID_TAKEN);
}

void
callid_give(struct callid_pool *p, struct callid_share *sh,
    const uint16_t ids[2])
{
	callid_put(p, ids[0]);
	callid_put(p, ids[1]);
	if (sh != NULL && sh->calls > 0)
		sh->calls--;
}
