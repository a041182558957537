/*
 * The route table as the daemon maps it (rtable_map(), over the region
 * of os_shm_create()), with several control relays: a relay's mapping
 * writes the routes of its own keys (relay_keys()) and the forwarder's
 * mapping reads them back; the same relay's counts come back from the
 * forwarder.  Everything else of the relay's mapping is read-only: a
 * write there, to the sequence word or to the route of a key of another
 * relay or to a count, kills the process with SIGSEGV (tried in a child
 * each), as does a route written through the forwarder's mapping.  A
 * range that is not whole blocks of keys is refused.  With a forwarder a
 * relay, forwarder 1's mapping writes the counts of relay 1's keys only
 * (relay 1 reads them), the rest of its counts and every route being
 * read-only; forwarder 0's takes key 0 with its relay's keys.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "addr.h"
#include "check.h"
#include "child.h"
#include "os.h"
#include "pptp.h"
#include "rtable.h"

static struct gre_route
route(uint16_t key)
{
	struct gre_route	gr;

	memset(&gr, 0, sizeof(gr));
	gr.sess = 1000 + key;
	gr.token = 0x0102030405060708ULL ^ key;
	gr.call = 3;
	gr.key = key;
	gr.newkey = (uint16_t)(key ^ 0x5555);
	gr.from = A("192.0.2.10");
	gr.to = A("198.51.100.2");
	gr.src = A("198.51.100.1");
	gr.dst = A("192.0.2.1");
	gr.toside = PPTP_SERVER;
	gr.proxy_id = 1;
	return (gr);
}

static int
same(const struct gre_route *a, const struct gre_route *b)
{
	return (a->sess == b->sess && a->token == b->token &&
	    a->call == b->call && a->key == b->key &&
	    a->newkey == b->newkey && a->from.s_addr == b->from.s_addr &&
	    a->to.s_addr == b->to.s_addr && a->src.s_addr == b->src.s_addr &&
	    a->dst.s_addr == b->dst.s_addr && a->toside == b->toside &&
	    a->proxy_id == b->proxy_id);
}

/* What a write kills a child with: a write through t, of kind what. */
enum { PUT, SEQ, ROUTE, COUNT };

struct write {
	struct rtable	*t;
	int		 what;
	unsigned int	 key;
};

static void
write7(void *arg)
{
	struct write		*w = arg;
	struct rtable		*t = w->t;
	unsigned int		 key = w->key;
	struct gre_route	 gr;

	switch (w->what) {
	case PUT:
		gr = route((uint16_t)key);
		(void)rtable_put(t, &gr);
		break;
	case SEQ:
		atomic_store(&t->seq[key], 7);
		break;
	case ROUTE:
		atomic_store(&t->route[key].sess, 7);
		break;
	case COUNT:
		atomic_store(&t->count[key].packets, 7);
		break;
	}
}

static int
try_write(struct rtable *t, int what, unsigned int key)
{
	struct write	w = { t, what, key };

	return (in_child(write7, &w));
}

/* The write of what to key through t: killed by SIGSEGV? */
static int
segv(struct rtable *t, int what, unsigned int key)
{
	return (try_write(t, what, key) == SIGSEGV);
}

/* The same write goes through (the child ends well). */
static int
writes(struct rtable *t, int what, unsigned int key)
{
	return (try_write(t, what, key) == 0);
}

int
main(void)
{
	struct rtable		relay, relay0, fwd, x, fwd1, fwd0;
	struct gre_route	gr, out;
	struct gre_stats	st;
	unsigned int		lo, hi, lo0, hi0, i, bad;
	uint32_t		gen, g;
	int			rw, ro;
	static const unsigned int keys[] = { 0, 1, 2 };

	log_init(1, LOG_LVL_INFO, NULL);
	if (os_shm_create("test-routes", RT_SIZE, &rw, &ro) == -1) {
		printf("# os_shm_create: %s\n", strerror(errno));
		abort();
	}
	relay_keys(1, 4, &lo, &hi);
	relay_keys(0, 4, &lo0, &hi0);
	CHECK(lo == 16384 && hi == 32767, "relay 1 of 4: keys %u..%u", lo, hi);
	CHECK(rtable_map(&relay, rw, ro, RT_WRITE_ROUTES, lo, hi) == 0,
	    "relay 1 of 4 maps its routes writable");
	CHECK(rtable_map(&relay0, rw, ro, RT_WRITE_ROUTES, lo0, hi0) == 0,
	    "relay 0 of 4 maps its routes writable (%u..%u)", lo0, hi0);
	CHECK(rtable_map(&fwd, rw, ro, RT_WRITE_COUNTS, 0, 0) == 0,
	    "the forwarder maps its counts writable");

	/* The relay's own keys: written, read back by the forwarder. */
	bad = 0;
	for (i = lo; i <= hi; i += 1 + i % 509) {
		gr = route((uint16_t)i);
		gen = rtable_put(&relay, &gr);
		if (gen == 0 || rtable_get(&fwd, i, &out, &g) != RT_LIVE ||
		    g != gen || !same(&gr, &out))
			bad++;
	}
	gr = route((uint16_t)hi);
	gen = rtable_put(&relay, &gr);
	if (rtable_get(&fwd, hi, &out, &g) != RT_LIVE || !same(&gr, &out))
		bad++;
	CHECK(bad == 0, "routes the relay writes in %u..%u: the forwarder "
	    "reads them back whole (%u not)", lo, hi, bad);
	CHECK(rtable_get(&fwd, lo - 1, &out, &g) == RT_NONE &&
	    rtable_get(&fwd, hi + 1, &out, &g) == RT_NONE,
	    "the keys either side: nothing written");
	rtable_count_start(&fwd, hi, gen);
	rtable_count_set(&fwd, hi, 3, 300, 1);
	CHECK(rtable_withdraw(&relay, hi) == gen &&
	    rtable_counts(&relay, hi, gen, &st) == 0 && st.packets == 3 &&
	    st.bytes == 300 && st.dropped == 1, "the forwarder's counts of "
	    "it reach the relay, the route withdrawn");
	CHECK(rtable_get(&fwd, hi, &out, &g) == RT_NONE,
	    "and the forwarder sees it gone");
	gr = route(1);
	gen = rtable_put(&relay0, &gr);
	CHECK(rtable_get(&fwd, 1, &out, &g) == RT_LIVE && same(&gr, &out) &&
	    rtable_get(&relay, 1, &out, &g) == RT_LIVE,
	    "relay 0 writes key 1; the forwarder and relay 1 read it");

	/* Writes where the relay must not: each kills a child. */
	CHECK(writes(&relay, PUT, lo) && writes(&relay, PUT, hi) &&
	    writes(&relay, SEQ, lo + 5) && writes(&relay, ROUTE, hi - 5),
	    "a child writing routes of the relay's own keys ends well");
	CHECK(segv(&relay, PUT, lo - 1), "relay 1 writing the route of key "
	    "%u (relay 0's): SIGSEGV", lo - 1);
	CHECK(segv(&relay, PUT, hi + 1), "relay 1 writing the route of key "
	    "%u (relay 2's): SIGSEGV", hi + 1);
	for (i = 0, bad = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!segv(&relay, PUT, keys[i]))
			bad++;
	CHECK(bad == 0 && segv(&relay, PUT, 65535), "relay 1 writing keys "
	    "0, 1, 2, 65535: SIGSEGV each");
	CHECK(segv(&relay, SEQ, lo - 1) && segv(&relay, SEQ, hi + 1),
	    "relay 1 storing the sequence word of keys %u, %u: SIGSEGV",
	    lo - 1, hi + 1);
	CHECK(segv(&relay, ROUTE, lo - 1) && segv(&relay, ROUTE, hi + 1) &&
	    segv(&relay, ROUTE, 60000), "relay 1 storing into the route "
	    "entry of keys %u, %u, 60000 (sequence word aside): SIGSEGV",
	    lo - 1, hi + 1);
	CHECK(segv(&relay0, PUT, hi0 + 1) && segv(&relay0, ROUTE, hi0 + 1),
	    "relay 0 writing key %u: SIGSEGV", hi0 + 1);
	CHECK(segv(&relay, COUNT, lo) && segv(&relay, COUNT, 7),
	    "relay 1 storing a count, of its own key or another: SIGSEGV");
	CHECK(segv(&fwd, PUT, lo) && segv(&fwd, ROUTE, lo) &&
	    segv(&fwd, SEQ, 7), "the forwarder writing a route: SIGSEGV");
	CHECK(writes(&fwd, COUNT, lo), "the forwarder storing a count ends "
	    "well");
	CHECK(rtable_get(&fwd, lo - 1, &out, &g) == RT_NONE &&
	    rtable_get(&fwd, hi + 1, &out, &g) == RT_NONE &&
	    rtable_get(&fwd, 60000, &out, &g) == RT_NONE, "after them, "
	    "nothing written outside the range");

	/* Forwarders 0 and 1 of 4: each its relay's counts writable. */
	CHECK(rtable_map(&fwd1, rw, ro, RT_WRITE_COUNTS, lo, hi) == 0,
	    "forwarder 1 of 4 maps the counts of %u..%u writable", lo, hi);
	CHECK(rtable_map(&fwd0, rw, ro, RT_WRITE_COUNTS, 0, hi0) == 0,
	    "forwarder 0 of 4 maps the counts of 0..%u writable", hi0);
	gr = route((uint16_t)(lo + 9));
	gen = rtable_put(&relay, &gr);
	CHECK(rtable_get(&fwd1, lo + 9, &out, &g) == RT_LIVE && g == gen &&
	    same(&gr, &out), "forwarder 1 reads relay 1's route");
	rtable_count_start(&fwd1, lo + 9, gen);
	rtable_count_set(&fwd1, lo + 9, 5, 500, 2);
	CHECK(rtable_withdraw(&relay, lo + 9) == gen &&
	    rtable_counts(&relay, lo + 9, gen, &st) == 0 && st.packets == 5 &&
	    st.bytes == 500 && st.dropped == 2, "its counts reach relay 1");
	CHECK(writes(&fwd1, COUNT, lo) && writes(&fwd1, COUNT, hi) &&
	    writes(&fwd0, COUNT, 0) && writes(&fwd0, COUNT, hi0),
	    "each storing counts of its own keys ends well");
	CHECK(segv(&fwd1, COUNT, lo - 1) && segv(&fwd1, COUNT, hi + 1) &&
	    segv(&fwd1, COUNT, 0) && segv(&fwd1, COUNT, 65535),
	    "forwarder 1 storing a count of key %u, %u, 0 or 65535: SIGSEGV",
	    lo - 1, hi + 1);
	CHECK(segv(&fwd0, COUNT, hi0 + 1) && segv(&fwd0, COUNT, 60000),
	    "forwarder 0 storing a count of key %u or 60000: SIGSEGV", hi0 + 1);
	CHECK(segv(&fwd1, PUT, lo) && segv(&fwd1, SEQ, lo) &&
	    segv(&fwd1, ROUTE, hi), "forwarder 1 writing a route of its "
	    "own keys: SIGSEGV");
	CHECK(rtable_map(&x, rw, ro, RT_WRITE_COUNTS, 16384, 32766) == -1 &&
	    errno == EINVAL && rtable_map(&x, rw, ro, RT_WRITE_COUNTS, 100,
	    4095) == -1, "a forwarder's counts not whole blocks: refused");

	/* Ranges that are not whole blocks: refused. */
	errno = 0;
	CHECK(rtable_map(&x, rw, ro, RT_WRITE_ROUTES, 16384, 32766) == -1 &&
	    errno == EINVAL, "keys 16384..32766 (the last block short): "
	    "refused, EINVAL");
	CHECK(rtable_map(&x, rw, ro, RT_WRITE_ROUTES, 16384, 16384) == -1 &&
	    rtable_map(&x, rw, ro, RT_WRITE_ROUTES, 16384, 24576) == -1 &&
	    rtable_map(&x, rw, ro, RT_WRITE_ROUTES, 1, 4094) == -1 &&
	    rtable_map(&x, rw, ro, RT_WRITE_ROUTES, 0, 65534) == -1,
	    "keys 16384..16384, 16384..24576, 1..4094, 0..65534: refused");
	CHECK(rtable_map(&x, rw, ro, RT_WRITE_ROUTES, 32767, 16384) == -1 &&
	    rtable_map(&x, rw, ro, RT_WRITE_ROUTES, 16384, 65536 + 4095) ==
	    -1, "hi below lo, or past 65535: refused");
	i = rtable_map(&x, rw, ro, RT_WRITE_ROUTES, 4096, 8191) == 0;
	CHECK(i, "one whole block (4096..8191): mapped");
	if (i)
		(void)munmap(x.seq, RT_SIZE);
	i = rtable_map(&x, rw, ro, RT_WRITE_ROUTES, 1, 65535) == 0;
	CHECK(i, "every key (1..65535, one relay): mapped");
	if (i) {
		gr = route(65535);
		(void)rtable_put(&x, &gr);
		CHECK(rtable_get(&fwd, 65535, &out, &g) == RT_LIVE &&
		    same(&gr, &out), "and key 65535 written through it");
		(void)munmap(x.seq, RT_SIZE);
	}
	close(rw);
	close(ro);
	CHECK_DONE();
}
