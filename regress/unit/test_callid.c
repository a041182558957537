/*
 * The Call-ID pool: every ID 1..65535 once, never 0, never twice while
 * in use, a released ID not seen again before most others, draws from
 * the head of a shuffled ring.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp.h"
#include "check.h"

static struct callid_pool	pool, pool2;
static uint8_t			seen[65536];
static uint16_t			got[65536];

/* Draw every ID: each of 1..65535 exactly once, then none. */
static void
test_all(void)
{
	uint16_t	id;
	uint32_t	i, dup = 0, zero = 0, notfree = 0, n = 0;

	callid_init(&pool);
	CHECK(callid_free(&pool) == 65535, "a new pool has 65535 free IDs");
	CHECK(!callid_isfree(&pool, 0) && callid_isfree(&pool, 1) &&
	    callid_isfree(&pool, 65535), "0 is never free, 1 and 65535 are");
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 65535; i++) {
		if (callid_get(&pool, &id) == -1)
			break;
		n++;
		if (id == 0)
			zero++;
		if (seen[id]++)
			dup++;
		if (callid_isfree(&pool, id))
			notfree++;
		got[i] = id;
	}
	CHECK(n == 65535 && dup == 0 && zero == 0 && notfree == 0,
	    "65535 gets: %u IDs, %u duplicates, %u zeros", n, dup, zero);
	CHECK(callid_free(&pool) == 0 && callid_get(&pool, &id) == -1,
	    "then the pool is empty and a get fails");
	callid_put(&pool, 4711);
	CHECK(callid_free(&pool) == 1 && callid_get(&pool, &id) == 0 &&
	    id == 4711 && callid_get(&pool, &id) == -1,
	    "one ID put back: it is the one handed out, then none");
	for (i = 0; i < 65535; i++)
		callid_put(&pool, got[i]);
	CHECK(callid_free(&pool) == 65535, "all put back: 65535 free");
}

/* Abuse that must not corrupt the ring. */
static void
test_misuse(void)
{
	uint16_t	id, id2;
	uint32_t	n;

	callid_init(&pool);
	callid_put(&pool, 0);
	CHECK(callid_free(&pool) == 65535, "putting 0 is ignored");
	callid_put(&pool, 77);
	CHECK(callid_free(&pool) == 65535, "putting a free ID is ignored");
	callid_get(&pool, &id);
	callid_put(&pool, id);
	callid_put(&pool, id);
	CHECK(callid_free(&pool) == 65535 && callid_isfree(&pool, id),
	    "putting an ID twice puts it back once");
	memset(seen, 0, sizeof(seen));
	n = 0;
	while (callid_get(&pool, &id2) == 0)
		if (seen[id2]++ == 0)
			n++;
	CHECK(n == 65535, "and every ID is still drawn exactly once");
}

/* An ID put back is not handed out again before 64511 others. */
static void
test_reuse(void)
{
	uint16_t	id, a;
	uint32_t	i, first = 0;

	callid_init(&pool);
	callid_get(&pool, &a);
	callid_put(&pool, a);
	for (i = 1; i <= 65535; i++) {
		if (callid_get(&pool, &id) == -1)
			break;
		if (id == a && first == 0)
			first = i;
	}
	CHECK(first > 65535 - 1024,
	    "a released ID comes back only at draw %u of 65535", first);

	/* steady churn: 100 calls in use, 300000 replaced */
	callid_init(&pool);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 100; i++) {
		callid_get(&pool, &got[i]);
		seen[got[i]] = 1;
	}
	{
		uint32_t	bad = 0, soon = 0, k;
		static uint32_t	when[65536];

		memset(when, 0, sizeof(when));
		for (i = 1; i <= 300000; i++) {
			k = arc4random_uniform(100);
			seen[got[k]] = 0;
			callid_put(&pool, got[k]);
			when[got[k]] = i;
			if (callid_get(&pool, &id) == -1 || id == 0 ||
			    seen[id] || callid_isfree(&pool, id))
				bad++;
			/* freed at when[id]: 65435 free, drawn from 1024 */
			if (when[id] != 0 && i - when[id] < 65435 - 1024)
				soon++;
			seen[id] = 1;
			got[k] = id;
		}
		CHECK(bad == 0 && callid_free(&pool) == 65435,
		    "300000 releases and draws with 100 in use: no ID twice, "
		    "count right");
		CHECK(soon == 0, "no released ID drawn again within 64411 "
		    "draws");
	}
}

/*
 * Shares: a call's two IDs at once against a client address's share, at
 * the limit and one above; a pool with one ID left gives none.
 */
static void
test_share(void)
{
	struct callid_share	a, b;
	uint16_t		ids[8][2];
	uint32_t		i, n;
	int			ok = 1;

	callid_init(&pool);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	for (i = 0; i < 8; i++)
		ok &= callid_take(&pool, &a, 8, ids[i]) == CALLID_TAKEN &&
		    ids[i][0] != ids[i][1] && !callid_isfree(&pool, ids[i][0]) &&
		    !callid_isfree(&pool, ids[i][1]);
	CHECK(ok && a.calls == 8 && callid_free(&pool) == 65535 - 16,
	    "share 8: eight calls take sixteen distinct IDs");
	CHECK(callid_take(&pool, &a, 8, ids[0]) == CALLID_BUSY &&
	    a.calls == 8 && callid_free(&pool) == 65535 - 16,
	    "the ninth: busy, nothing taken");
	CHECK(callid_take(&pool, &b, 8, ids[0]) == CALLID_TAKEN &&
	    b.calls == 1, "another share still takes");
	callid_give(&pool, &b, ids[0]);
	CHECK(b.calls == 0 && callid_isfree(&pool, ids[0][0]) &&
	    callid_isfree(&pool, ids[0][1]), "given back: both IDs free");
	/* ids[0] now holds b's IDs, given back; a's first call: */
	CHECK(callid_take(&pool, &a, 9, ids[0]) == CALLID_TAKEN &&
	    a.calls == 9, "a larger max (after a reload) lets one more in");
	for (i = 0; i < 8; i++)
		callid_give(&pool, &a, ids[i]);
	CHECK(a.calls == 1 && callid_free(&pool) == 65535 - 2,
	    "eight given back: one call left");
	CHECK(callid_take(&pool, NULL, 0, ids[1]) == CALLID_TAKEN &&
	    callid_free(&pool) == 65535 - 4, "no share: not counted");
	callid_give(&pool, NULL, ids[1]);
	callid_give(&pool, &a, ids[7]);		/* already free: IDs ignored */
	CHECK(a.calls == 0 && callid_free(&pool) == 65535 - 2,
	    "a share never goes below 0");

	n = 0;
	while (callid_get(&pool, &got[n]) == 0)
		n++;
	callid_put(&pool, got[--n]);
	CHECK(callid_take(&pool, &b, 8, ids[2]) == CALLID_EMPTY &&
	    b.calls == 0 && callid_free(&pool) == 1,
	    "one ID left: empty, the ID stays");
	callid_put(&pool, got[--n]);
	CHECK(callid_take(&pool, &b, 8, ids[2]) == CALLID_TAKEN &&
	    callid_free(&pool) == 0 && b.calls == 1, "two left: taken");
	callid_put(&pool, got[--n]);
	callid_put(&pool, got[--n]);
	CHECK(callid_take(&pool, &b, 1, ids[3]) == CALLID_BUSY,
	    "the share is judged before the pool");
	callid_give(&pool, &b, ids[2]);
	while (n > 0)
		callid_put(&pool, got[--n]);
	CHECK(callid_free(&pool) == 65535 - 2 && b.calls == 0,
	    "all back but a's stray call");
}

/* Randomness: draws come from the first 1024 of a shuffled ring. */
static void
test_random(void)
{
	uint16_t	id, a[16], b[16];
	uint32_t	i, j, inreach = 1, same = 0, sorted = 1, pos;

	callid_init(&pool);
	callid_init(&pool2);
	for (i = 0; i < 16; i++) {
		callid_get(&pool, &a[i]);
		callid_get(&pool2, &b[i]);
		if (a[i] == b[i])
			same++;
	}
	CHECK(same < 4, "two pools draw different sequences (%u equal of 16)",
	    same);
	for (i = 1; i < 1000; i++)
		if (pool.ring[i] != pool.ring[i - 1] + 1)
			sorted = 0;
	CHECK(!sorted, "the ring is shuffled");

	callid_init(&pool);
	for (i = 0; i < 2000; i++) {
		uint32_t	head = pool.head;
		uint16_t	win[1024];

		for (j = 0; j < 1024; j++)
			win[j] = pool.ring[(head + j) % 65535];
		callid_get(&pool, &id);
		pos = 0xffffffff;
		for (j = 0; j < 1024; j++)
			if (win[j] == id)
				pos = j;
		if (pos == 0xffffffff || pool.ring[head] != id ||
		    pool.ring[(head + pos) % 65535] != win[0])
			inreach = 0;
	}
	CHECK(inreach, "each draw comes from the first 1024 free IDs, "
	    "swapped with the head");

	/* how spread the draws are within the window */
	callid_init(&pool);
	memcpy(pool2.ring, pool.ring, sizeof(pool.ring));
	{
		uint32_t	far = 0;

		for (i = 0; i < 64; i++) {
			callid_get(&pool, &id);
			for (j = 0; j < 1024; j++)
				if (pool2.ring[j] == id && j >= 512)
					far++;
		}
		CHECK(far > 0, "draws reach past the first 512 of the ring "
		    "(%u of 64)", far);
	}
}

/*
 * The random numbers behind the draws: below the bound, every value of a
 * small range about as often as the others, and one arc4random_buf()
 * for CALLID_RND numbers (not one a number: libbsd's arc4random costs
 * a system call each time).
 */
static void
test_uniform(void)
{
	static const uint32_t	 bounds[] = { 1, 2, 3, 1000, 1024, 65535,
	    0x80000001U, 0xffffffffU };
	static uint32_t		 hits[1024];
	uint64_t		 r0;
	uint32_t		 i, b, v, out = 0, lo, hi, same = 0, prev = 0;

	/* Powers of two first: they redraw nothing, so a stuck source
	 * fails here rather than looping below. */
	callid_init(&pool);
	memset(hits, 0, sizeof(hits));
	for (i = 0; i < 1024 * 200; i++)
		hits[callid_uniform(&pool, 1024)]++;
	lo = hi = hits[0];
	for (i = 1; i < 1024; i++) {
		if (hits[i] < lo)
			lo = hits[i];
		if (hits[i] > hi)
			hi = hits[i];
	}
	/* 200 expected each: 5 standard deviations below and above */
	CHECK(lo >= 130 && hi <= 270, "204,800 numbers below 1024: each value "
	    "130 to 270 times (%u to %u)", lo, hi);
	for (i = 0; i < 100000; i++) {
		v = callid_uniform(&pool, 0x80000000U);
		if (i > 0 && v == prev)
			same++;
		prev = v;
	}
	CHECK(same == 0, "no number twice in a row among 100,000 (%u)", same);

	for (b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++)
		for (i = 0; i < 20000; i++)
			if (callid_uniform(&pool, bounds[b]) >= bounds[b])
				out++;
	CHECK(out == 0, "every number is below its bound (%u were not)", out);
	memset(hits, 0, sizeof(hits));
	for (i = 0; i < 3 * 20000; i++)
		hits[callid_uniform(&pool, 3)]++;
	CHECK(hits[0] > 19000 && hits[1] > 19000 && hits[2] > 19000,
	    "below 3: each value about a third of the time (%u %u %u)",
	    hits[0], hits[1], hits[2]);
	/* Below 3 * 2^30, modulo alone would give the lowest 2^30 values
	 * half the time; redrawing, a third. */
	for (i = 0, v = 0; i < 30000; i++)
		v += callid_uniform(&pool, 0xc0000000U) < 0x40000000U;
	CHECK(v > 9000 && v < 11000, "below 3 * 2^30: a third below 2^30 "
	    "(%u of 30000)", v);

	/* the buffer used up: CALLID_RND numbers, then the next refill */
	callid_init(&pool);
	for (i = 0; i < CALLID_RND && pool.nrnd > 0; i++)
		(void)callid_uniform(&pool, 1024);
	r0 = pool.refills;
	for (i = 0; i < CALLID_RND; i++)
		(void)callid_uniform(&pool, 1024);
	CHECK(pool.nrnd == 0 && pool.refills == r0 + 1, "%u numbers, one "
	    "refill (%llu)", CALLID_RND,
	    (unsigned long long)(pool.refills - r0));
	(void)callid_uniform(&pool, 1024);
	CHECK(pool.refills == r0 + 2, "the next one refills");
	for (i = 0, v = 0; i < CALLID_RND; i++)
		v |= pool.rnd[i] != 0 && i >= pool.nrnd;
	CHECK(v == 0, "the numbers taken are cleared from the buffer");
	r0 = pool.refills;
	for (i = 0; i < 640; i++)
		(void)callid_get(&pool, &got[i]);
	CHECK(pool.refills - r0 <= 640 / CALLID_RND + 1, "640 draws of IDs: "
	    "%llu refills", (unsigned long long)(pool.refills - r0));
}

int
main(void)
{
	test_all();
	test_misuse();
	test_reuse();
	test_random();
	test_share();
	test_uniform();
	CHECK_DONE();
}
