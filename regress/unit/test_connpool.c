/*
 * The relays' pooled limit connections (connpool.c).  The decision: a
 * relay takes a connection only while its count and the others' add up
 * to less than the limit, and at the limit refuses, whatever it holds
 * itself (no share of its own).  Another relay's count counts as at
 * most the limit: a lying relay (a huge count, or one meant to wrap the
 * sum) can make a relay refuse, never make room that is not there.
 *
 * The mapping, over the region of os_shm_create(): what a relay stores
 * in its slot the others read; a relay's store into another's slot, or
 * past the slots, kills it with SIGSEGV (tried in a child each); numbers
 * out of range are refused.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "check.h"
#include "child.h"
#include "connpool.h"
#include "os.h"

static void
test_admit(void)
{
	uint32_t	o[RELAYS_MAX];
	unsigned int	i;

	/* relays 2, limit 3. */
	o[0] = 0;
	CHECK(connpool_admit(0, o, 1, 3) == 1 &&
	    connpool_admit(1, o, 1, 3) == 1 && connpool_admit(2, o, 1, 3) == 1,
	    "the other idle: 0, 1 and 2 of 3 its own: taken");
	CHECK(connpool_admit(3, o, 1, 3) == 0, "3 of 3 its own: refused");
	o[0] = 3;
	CHECK(connpool_admit(0, o, 1, 3) == 0,
	    "none its own, the other holding the whole limit: refused");
	o[0] = 2;
	CHECK(connpool_admit(0, o, 1, 3) == 1 &&
	    connpool_admit(1, o, 1, 3) == 0,
	    "the other holding 2: 0 and 2 taken, 1 and 2 (the limit) refused");
	o[0] = 1;
	CHECK(connpool_admit(1, o, 1, 3) == 1 &&
	    connpool_admit(2, o, 1, 3) == 0,
	    "1 and 1 of 3: taken; 2 and 1 (at the limit, not past it): "
	    "refused");

	/* One relay: the limit alone. */
	CHECK(connpool_admit(4, NULL, 0, 5) == 1 &&
	    connpool_admit(5, NULL, 0, 5) == 0,
	    "one relay, limit 5: the fifth taken, the sixth refused");
	CHECK(connpool_admit(0, NULL, 0, 1) == 1 &&
	    connpool_admit(1, NULL, 0, 1) == 0,
	    "one relay, limit 1: the first taken, the second refused");

	/* relays 4, limit 8. */
	o[0] = 1; o[1] = 2; o[2] = 2;
	CHECK(connpool_admit(2, o, 3, 8) == 1,
	    "relays 4, limit 8: 2 + 1 + 2 + 2: taken");
	o[0] = 2;
	CHECK(connpool_admit(2, o, 3, 8) == 0, "2 + 2 + 2 + 2: refused");
	CHECK(connpool_admit(0, o, 3, 8) == 1 &&
	    connpool_admit(1, o, 3, 8) == 1,
	    "0 or 1 + 2 + 2 + 2: taken");
	o[0] = 0; o[1] = 0; o[2] = 8;
	CHECK(connpool_admit(0, o, 3, 8) == 0,
	    "one relay holding all 8: an idle relay refused");
	o[2] = 0;
	CHECK(connpool_admit(7, o, 3, 8) == 1 &&
	    connpool_admit(8, o, 3, 8) == 0,
	    "three idle relays: the fourth takes up to the limit, no more");

	/* Lying relays. */
	o[0] = UINT32_MAX;
	CHECK(connpool_admit(0, o, 1, 3) == 0,
	    "a relay claiming 2^32-1: the other refuses, even with none");
	o[0] = UINT32_MAX; o[1] = 2;
	CHECK(connpool_admit(1, o, 2, 3) == 0,
	    "2^32-1 and 2 (the sum wrapping to 2 unclamped): refused");
	o[0] = UINT32_MAX - 1;
	CHECK(connpool_admit(2, o, 1, 65535) == 0,
	    "own 2 and 2^32-2 (wrapping to 0), limit 65535: refused");
	for (i = 0; i < RELAYS_MAX - 1; i++)
		o[i] = UINT32_MAX;
	CHECK(connpool_admit(0, o, RELAYS_MAX - 1, 65535) == 0 &&
	    connpool_admit(65534, o, RELAYS_MAX - 1, 65535) == 0,
	    "%u relays claiming 2^32-1 each, limit 65535: refused",
	    RELAYS_MAX - 1);
	o[0] = 0x80000000U; o[1] = 0x80000000U;
	CHECK(connpool_admit(1, o, 2, 3) == 0,
	    "two relays claiming 2^31 each (wrapping to 0 unclamped): "
	    "refused");
	o[0] = 0; o[1] = 0;
	CHECK(connpool_admit(2, o, 2, 3) == 1 &&
	    connpool_admit(3, o, 2, 3) == 0,
	    "relays claiming 0 (maybe lying low): the relay still stops at "
	    "the limit of its own");
}

/* A store of 7 into slot i through cp, in a child: how it ended. */
struct store {
	const struct connpool	*cp;
	unsigned int		 i;
};

static void
store7(void *arg)
{
	const struct store	*st = arg;

	atomic_store((_Atomic uint32_t *)(void *)(st->cp->base +
	    (size_t)st->i * CP_SLOT_SIZE), 7);
}

static int
try_store(const struct connpool *cp, unsigned int i)
{
	struct store	st = { cp, i };

	return (in_child(store7, &st));
}

static void
test_map(void)
{
	struct connpool	r[3], x;
	unsigned int	i;
	int		rw, ro;

	if (os_shm_create("test-conns", CP_SIZE(3), &rw, &ro) == -1) {
		printf("# os_shm_create: %s\n", strerror(errno));
		abort();
	}
	for (i = 0; i < 3; i++)
		CHECK(connpool_map(&r[i], rw, ro, i, 3) == 0,
		    "relay %u of 3 maps the counts", i);
	connpool_set(&r[0], 1);
	connpool_set(&r[1], 1);
	connpool_set(&r[2], 0);
	CHECK(connpool_decide(&r[0], 1, 3) == 1,
	    "relay 0 holding 1, relay 1 holding 1: taken");
	connpool_set(&r[2], 1);
	CHECK(connpool_decide(&r[0], 1, 3) == 0 &&
	    connpool_decide(&r[1], 1, 3) == 0 &&
	    connpool_decide(&r[2], 1, 3) == 0,
	    "relay 2's 1 stored, 1 each of 3: all three refused");
	connpool_set(&r[0], 0);
	connpool_set(&r[1], 3);
	connpool_set(&r[2], 0);
	CHECK(connpool_decide(&r[0], 0, 3) == 0 &&
	    connpool_decide(&r[2], 0, 3) == 0,
	    "relay 1 holding all 3: relays 0 and 2, holding none, refused");
	connpool_set(&r[1], 0);
	CHECK(connpool_decide(&r[0], 2, 3) == 1 &&
	    connpool_decide(&r[0], 3, 3) == 0,
	    "relay 1 back to 0: relay 0 takes up to the limit, no more");

	CHECK(try_store(&r[1], 1) == 0, "relay 1 storing into its own slot "
	    "ends well");
	CHECK(try_store(&r[1], 0) == SIGSEGV && try_store(&r[1], 2) ==
	    SIGSEGV, "relay 1 storing into relay 0's or relay 2's slot: "
	    "SIGSEGV");
	CHECK(try_store(&r[0], 1) == SIGSEGV && try_store(&r[2], 0) ==
	    SIGSEGV, "relay 0 into relay 1's, relay 2 into relay 0's: "
	    "SIGSEGV");
	CHECK(try_store(&r[0], 0) == 0 && try_store(&r[2], 2) == 0,
	    "relays 0 and 2 into their own: ends well");
	CHECK(mprotect(r[1].base, CP_SLOT_SIZE, PROT_READ | PROT_WRITE) ==
	    -1, "relay 1 cannot make relay 0's slot writable (mprotect: %s)",
	    strerror(errno));

	errno = 0;
	CHECK(connpool_map(&x, rw, ro, 3, 3) == -1 && errno == EINVAL &&
	    connpool_map(&x, rw, ro, 0, 1) == -1 &&
	    connpool_map(&x, rw, ro, 0, RELAYS_MAX + 1) == -1,
	    "relay 3 of 3, one relay, %u relays: refused", RELAYS_MAX + 1);
	x.base = NULL;
	connpool_set(&x, 5);
	CHECK(connpool_decide(&x, 2, 3) == 1 &&
	    connpool_decide(&x, 3, 3) == 0,
	    "no pool (one relay): its limit, no more");
	close(rw);
	close(ro);
}

int
main(void)
{
	test_admit();
	test_map();
	CHECK_DONE();
}
