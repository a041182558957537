/*
 * Several control relays (callid.c): relay i of n presents the Call IDs
 * of relay_keys(i, n), whole blocks of RELAY_BLOCK_KEYS; for every n the
 * ranges are disjoint and cover 1..65535, relay_of_key() is the relay
 * whose range holds a key, relay_of_sess() the relay a session number is
 * of.  A pool of one range hands out its IDs only, each once before any
 * twice, a released one not again before most others, takes back only
 * its own and counts right; the full pool is as it was.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp.h"
#include "check.h"

static struct callid_pool	pool;
static uint8_t			seen[65536];
static uint16_t			got[65536];

/* The ranges of every n: blocks, the documented split, no gap, no overlap. */
static void
test_ranges(void)
{
	static uint8_t	owner[65536];
	unsigned int	n, i, k, lo, hi, prev, blocks, bmin, bmax;
	unsigned int	notblock = 0, split = 0, gap = 0, twice = 0, miss = 0;
	unsigned int	uneven = 0, wrongkey = 0;

	for (n = 1; n <= RELAYS_MAX; n++) {
		memset(owner, 0xff, sizeof(owner));
		prev = 0;
		bmin = 65536;
		bmax = 0;
		for (i = 0; i < n; i++) {
			relay_keys(i, n, &lo, &hi);
			if (lo > hi || hi > 65535 ||
			    (hi + 1) % RELAY_BLOCK_KEYS != 0 ||
			    (i == 0 ? lo != 1 : lo % RELAY_BLOCK_KEYS != 0))
				notblock++;
			/* pptp.h: blocks i*16/n up to (i+1)*16/n */
			if ((i > 0 && lo != i * 16 / n * RELAY_BLOCK_KEYS) ||
			    hi != (i + 1) * 16 / n * RELAY_BLOCK_KEYS - 1)
				split++;
			if (lo != prev + 1)
				gap++;
			prev = hi;
			if (lo > hi || hi > 65535)
				continue;
			blocks = (hi + 1) / RELAY_BLOCK_KEYS -
			    (lo - lo % RELAY_BLOCK_KEYS) / RELAY_BLOCK_KEYS;
			if (blocks < bmin)
				bmin = blocks;
			if (blocks > bmax)
				bmax = blocks;
			for (k = lo; k <= hi; k++) {
				if (owner[k] != 0xff)
					twice++;
				owner[k] = (uint8_t)i;
			}
		}
		if (prev != 65535)
			gap++;
		if (bmax > bmin + 1 || bmin < 1)
			uneven++;
		if (owner[0] != 0xff)
			twice++;
		for (k = 1; k <= 65535; k++) {
			if (owner[k] == 0xff)
				miss++;
			else if (relay_of_key(k, n) != owner[k])
				wrongkey++;
		}
	}
	CHECK(notblock == 0, "n = 1..16: each range starts at a block (relay "
	    "0 at 1) and ends before one (%u not)", notblock);
	CHECK(split == 0, "n = 1..16: relay i has blocks i*16/n up to "
	    "(i+1)*16/n (%u not)", split);
	CHECK(gap == 0 && twice == 0 && miss == 0, "n = 1..16: the ranges "
	    "follow each other from 1 to 65535, no key in two, none in "
	    "none, 0 in none (%u gaps, %u twice, %u missed)", gap, twice, miss);
	CHECK(uneven == 0, "n = 1..16: the relays' block counts differ by 1 "
	    "at most (%u n not)", uneven);
	CHECK(wrongkey == 0, "n = 1..16, every key 1..65535: relay_of_key "
	    "is the relay whose range holds it (%u wrong)", wrongkey);
	relay_keys(0, 1, &lo, &hi);
	CHECK(lo == 1 && hi == 65535, "one relay: 1..65535");
	relay_keys(2, 3, &lo, &hi);
	k = lo == 40960 && hi == 65535;
	relay_keys(0, 3, &lo, &hi);
	k &= lo == 1 && hi == 20479;
	CHECK(k, "three relays: 1..20479, 20480..40959, 40960..65535");
}

/* Session numbers: relay i's are i+1, i+1+n, i+1+2n... */
static void
test_sess(void)
{
	unsigned int	n, i, bad = 0;
	uint64_t	k, id;

	for (n = 1; n <= RELAYS_MAX; n++)
		for (i = 0; i < n; i++)
			for (k = 0; k < 5000; k++) {
				id = i + 1 + k * n;
				if (relay_of_sess(id, n) != i)
					bad++;
				id = UINT64_MAX / n * n - (k + 1) * n + i + 1;
				if (relay_of_sess(id, n) != i)
					bad++;
			}
	CHECK(bad == 0, "n = 1..16: relay i's session numbers i+1, i+1+n, "
	    "i+1+2n... (and near 2^64) are relay i's (%u not)", bad);
	for (id = 1, bad = 0; id < 100000; id++)
		for (n = 2; n <= RELAYS_MAX; n++)
			if (relay_of_sess(id, n) != (id - 1) % n)
				bad++;
	CHECK(bad == 0, "relay_of_sess(id, n) is (id-1) mod n (%u not)", bad);
	CHECK(relay_of_sess(0, 4) == 0 && relay_of_sess(12345, 1) == 0,
	    "session 0, or one relay: relay 0");
}

/*
 * Draw every ID of a pool of lo..hi: each once, none outside, then
 * none; IDs outside put back ignored; all put back, all free.
 */
static void
draw_all(unsigned int lo, unsigned int hi, const char *what)
{
	uint16_t	id;
	uint32_t	n = hi - lo + 1, i, drawn = 0, dup = 0, out = 0;
	uint32_t	zero = 0, outfree = 0;
	unsigned int	k;
	static const unsigned int outside[] = { 0, 1, 4095, 4096, 16383,
	    16384, 32767, 32768, 65534, 65535 };

	callid_init_range(&pool, lo, hi);
	CHECK(callid_free(&pool) == n, "%s: a new pool of %u..%u has %u free "
	    "(%u)", what, lo, hi, n, callid_free(&pool));
	for (k = 0; k <= 65535; k++)
		if ((k < lo || k > hi) && callid_isfree(&pool, (uint16_t)k))
			outfree++;
	CHECK(outfree == 0 && callid_isfree(&pool, (uint16_t)lo) &&
	    callid_isfree(&pool, (uint16_t)hi), "%s: its ends are free, no "
	    "ID outside (%u)", what, outfree);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 65535 && callid_get(&pool, &id) == 0; i++) {
		drawn++;
		if (id == 0)
			zero++;
		if (id < lo || id > hi)
			out++;
		if (seen[id]++)
			dup++;
		got[i] = id;
	}
	CHECK(drawn == n && dup == 0 && out == 0 && zero == 0, "%s: drawn "
	    "till empty: %u IDs of %u, %u twice, %u outside, %u zero", what,
	    drawn, n, dup, out, zero);
	CHECK(callid_free(&pool) == 0 && callid_get(&pool, &id) == -1,
	    "%s: then empty", what);

	/* Empty: an ID outside the range put back must not go in. */
	for (k = 0; k < sizeof(outside) / sizeof(outside[0]); k++)
		if (outside[k] < lo || outside[k] > hi)
			callid_put(&pool, (uint16_t)outside[k]);
	if (lo > 1)
		callid_put(&pool, (uint16_t)(lo - 1));
	if (hi < 65535)
		callid_put(&pool, (uint16_t)(hi + 1));
	CHECK(callid_free(&pool) == 0 && callid_get(&pool, &id) == -1,
	    "%s: IDs outside the range put back are ignored (%u free)", what,
	    callid_free(&pool));

	/* Back, half of them twice: counted once each. */
	for (i = 0; i < n; i++) {
		callid_put(&pool, got[i]);
		if (i % 2 == 0)
			callid_put(&pool, got[i]);
	}
	CHECK(callid_free(&pool) == n, "%s: all put back (half twice): %u "
	    "free (%u)", what, n, callid_free(&pool));
	memset(seen, 0, sizeof(seen));
	for (i = drawn = dup = out = 0; i < 65535 &&
	    callid_get(&pool, &id) == 0; i++) {
		drawn++;
		if (id < lo || id > hi)
			out++;
		if (seen[id]++)
			dup++;
		got[i] = id;
	}
	CHECK(drawn == n && dup == 0 && out == 0, "%s: and drawn again: "
	    "every one once (%u, %u twice, %u outside)", what, drawn, dup, out);
	for (i = 0; i < n; i++)
		callid_put(&pool, got[i]);
}

static void
test_pools(void)
{
	unsigned int	n, i, lo, hi;
	char		what[64];

	for (n = 2; n <= 4; n++)
		for (i = 0; i < n; i++) {
			relay_keys(i, n, &lo, &hi);
			snprintf(what, sizeof(what), "relay %u of %u", i, n);
			draw_all(lo, hi, what);
		}
	relay_keys(15, 16, &lo, &hi);
	draw_all(lo, hi, "relay 15 of 16");
	draw_all(100, 100, "one ID");
	draw_all(4096, 4097, "two IDs");
}

/* In use and released within a range: the ring wraps at the range. */
static void
test_churn(void)
{
	static uint32_t	when[65536];
	uint16_t	id, a;
	uint32_t	i, k, first = 0, bad = 0, soon = 0, n;
	unsigned int	lo, hi;

	relay_keys(1, 4, &lo, &hi);
	n = hi - lo + 1;
	callid_init_range(&pool, lo, hi);
	callid_get(&pool, &a);
	callid_put(&pool, a);
	for (i = 1; i <= n; i++) {
		if (callid_get(&pool, &id) == -1)
			break;
		if (id == a && first == 0)
			first = i;
	}
	CHECK(first > n - 1024, "relay 1 of 4: a released ID comes back "
	    "only at draw %u of %u", first, n);

	/* 100 in use, 100000 replaced */
	callid_init_range(&pool, lo, hi);
	memset(seen, 0, sizeof(seen));
	memset(when, 0, sizeof(when));
	for (i = 0; i < 100; i++) {
		callid_get(&pool, &got[i]);
		seen[got[i]] = 1;
	}
	for (i = 1; i <= 100000; i++) {
		k = arc4random_uniform(100);
		seen[got[k]] = 0;
		callid_put(&pool, got[k]);
		when[got[k]] = i;
		if (callid_get(&pool, &id) == -1 || id < lo || id > hi ||
		    seen[id] || callid_isfree(&pool, id))
			bad++;
		if (when[id] != 0 && i - when[id] < n - 100 - 1024)
			soon++;
		seen[id] = 1;
		got[k] = id;
	}
	CHECK(bad == 0 && callid_free(&pool) == n - 100, "relay 1 of 4, 100 "
	    "in use, 100000 released and drawn: all in range, none twice, "
	    "count right (%u wrong)", bad);
	CHECK(soon == 0, "none drawn again within %u draws of its release",
	    n - 100 - 1024);
}

/* callid_init is the range 1..65535, as before. */
static void
test_full(void)
{
	static struct callid_pool	q;

	callid_init(&q);
	CHECK(q.lo == 1 && q.n == 65535 && callid_free(&q) == 65535 &&
	    !callid_isfree(&q, 0) && callid_isfree(&q, 1) &&
	    callid_isfree(&q, 65535), "callid_init: 1..65535, all free, 0 "
	    "never");
	draw_all(1, 65535, "callid_init_range(1, 65535)");
}

int
main(void)
{
	test_ranges();
	test_sess();
	test_pools();
	test_churn();
	test_full();
	CHECK_DONE();
}
