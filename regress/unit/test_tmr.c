/*
 * The timers on a timer descriptor (src/tmr.c): they fire in the order
 * of their deadlines, never before them, once each; one removed never
 * fires; one added again moves; the descriptor is armed only when the
 * earliest deadline comes nearer, and once more after each firing that
 * leaves timers; a callback's own timer due at once waits for the next
 * round.  A thousand timers with random deadlines, a third of them
 * removed, keep the heap in order.  All of it again behind libevent's
 * timer, as in a process without a descriptor.  Room made beforehand
 * (tmr_room(), as the relay makes it for a session's timers when it
 * takes the session) means adding allocates nothing; room that cannot
 * be made is an error that leaves the pending timers as they were.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "os.h"
#include "check.h"

#define MANY	1000

static struct event_base	*base;
static int			 fired[MANY], nfired;
static uint64_t			 due[MANY], at[MANY];
static int			 rounds;

/*
 * The heap's allocator, in place of the C library's for this program:
 * counted, and failing on demand.
 */
static int	reallocs, realloc_fails;

void *
reallocarray(void *p, size_t n, size_t size)
{
	reallocs++;
	if (realloc_fails || (size != 0 && n > SIZE_MAX / size)) {
		errno = ENOMEM;
		return (NULL);
	}
	return (realloc(p, n * size));
}

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

static void
on_fire(int fd, short ev, void *arg)
{
	int	i = (int)(intptr_t)arg;

	if (nfired < MANY) {
		at[nfired] = now_us();
		fired[nfired++] = i;
	}
}

static void
add_ms(struct tmr *t, int i, unsigned int us)
{
	struct timeval	tv = { us / 1000000, us % 1000000 };

	tmr_add(t, &tv);
	/* Its deadline as the heap has it. */
	due[i] = t->when / 1000;
}

static void
on_watch(int fd, short ev, void *arg)
{
}

/*
 * Run the loop until n have fired or 2 s have gone (a libevent timer
 * every 50 ms wakes it, should the descriptor never fire).
 */
static void
run_until(int n)
{
	uint64_t	end = now_us() + 2000000;

	while (nfired < n && now_us() < end) {
		event_base_loop(base, EVLOOP_ONCE);
		rounds++;
	}
}

static int	again;
static struct tmr	 self;

/* Adds itself again, due at once, twice. */
static void
on_self(int fd, short ev, void *arg)
{
	struct timeval	tv = { 0, 0 };

	nfired++;
	if (again-- > 0)
		tmr_add(&self, &tv);
}

/*
 * tmr_room(): more room than the heap has, refused while the allocator
 * fails (the pending timer t untouched, and it fires), then made; the
 * timers it was made for are added without an allocation.
 */
#define ROOM	(4 * MANY)
static void
room(struct tmr *t)
{
	static struct tmr	 r[ROOM];
	size_t			 n0;
	int			 i, ok;

	nfired = 0;
	add_ms(t, 0, 20000);
	n0 = tmr_count();
	reallocs = 0;
	CHECK(tmr_room(n0 + 1) == 0 && reallocs == 0, "room for one more "
	    "timer: there already, no allocation");
	realloc_fails = 1;
	errno = 0;
	CHECK(tmr_room(n0 + ROOM) == -1 && errno == ENOMEM && reallocs == 1,
	    "room the allocator cannot give: -1, ENOMEM");
	realloc_fails = 0;
	CHECK(tmr_count() == n0 && tmr_pending(t), "and the pending timer is "
	    "still on the heap");
	run_until(1);
	CHECK(nfired == 1 && at[0] >= due[0], "and fires, not early");
	reallocs = 0;
	CHECK(tmr_room(tmr_count() + ROOM) == 0 && reallocs == 1,
	    "room for 4000 timers: one allocation");
	reallocs = 0;
	for (i = 0; i < ROOM; i++) {
		tmr_set(&r[i], base, on_fire, (void *)(intptr_t)0);
		add_ms(&r[i], 0, 10000000 + (unsigned int)i);
	}
	CHECK(reallocs == 0 && tmr_count() == n0 - 1 + ROOM,
	    "4000 timers added in that room: no allocation");
	for (i = 0, ok = 1; i < ROOM; i++) {
		tmr_del(&r[i]);
		ok &= !tmr_pending(&r[i]);
	}
	CHECK(ok && tmr_count() == n0 - 1, "and removed again");
}

/*
 * The same timers on a descriptor (exact: the arming is counted) and
 * behind libevent's timer (whose clock, coarse on Linux, may fire it a
 * little early: then nothing is due and it is armed again, so only the
 * least arming is checked).
 */
static void
suite(const char *how, int exact)
{
	static struct tmr	 t[MANY];
	unsigned long		 a0;
	int			 i, ok, n, gone[MANY];
	uint64_t		 start;

	/* Three timers: armed for the first, then the nearer, not the later. */
	for (i = 0; i < 3; i++)
		tmr_set(&t[i], base, on_fire, (void *)(intptr_t)i);
	nfired = 0;
	a0 = tmr_arms();
	add_ms(&t[0], 0, 30000);
	CHECK(tmr_arms() == a0, "%s: not armed inside the callback that adds",
	    how);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(tmr_arms() == a0 + 1, "%s: armed for the first timer after it",
	    how);
	add_ms(&t[1], 1, 10000);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(tmr_arms() == a0 + 2, "%s: armed again for a nearer one", how);
	add_ms(&t[2], 2, 20000);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(tmr_arms() == a0 + 2 && tmr_count() == 3,
	    "%s: not armed for a later one (%lu arms, %zu timers)", how,
	    tmr_arms() - a0, tmr_count());
	CHECK(tmr_pending(&t[0]) && tmr_pending(&t[1]), "%s: pending", how);
	run_until(3);
	CHECK(nfired == 3 && fired[0] == 1 && fired[1] == 2 && fired[2] == 0,
	    "%s: fired in the order of the deadlines (%d: %d %d %d)", how,
	    nfired, fired[0], fired[1], fired[2]);
	ok = 1;
	for (i = 0; i < nfired; i++)
		if (at[i] < due[fired[i]])
			ok = 0;
	CHECK(ok, "%s: none before its deadline", how);
	CHECK((exact ? tmr_arms() == a0 + 4 : tmr_arms() >= a0 + 4) &&
	    tmr_count() == 0 && !tmr_pending(&t[0]),
	    "%s: armed once after each firing that left timers (%lu arms)",
	    how, tmr_arms() - a0);

	/* A removed timer never fires; the next one still does, in time. */
	nfired = 0;
	a0 = tmr_arms();
	add_ms(&t[1], 1, 60000);
	add_ms(&t[0], 0, 10000);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(tmr_arms() == a0 + 1, "%s: two added in one turn: armed once "
	    "(%lu)", how, tmr_arms() - a0);
	tmr_del(&t[0]);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(tmr_arms() == a0 + 1 && !tmr_pending(&t[0]) && tmr_count() == 1,
	    "%s: removing arms nothing", how);
	run_until(1);
	CHECK(nfired == 1 && fired[0] == 1 && at[0] >= due[1],
	    "%s: the removed one did not fire, the other did, not early", how);
	CHECK(exact ? tmr_arms() == a0 + 2 : tmr_arms() >= a0 + 2,
	    "%s: armed once for it after the removed one's time (%lu)", how,
	    tmr_arms() - a0 - 1);

	/* Added again: moved, fires once. */
	nfired = 0;
	add_ms(&t[2], 2, 5000);
	add_ms(&t[2], 2, 40000);
	CHECK(tmr_count() == 1, "%s: added again: still one timer", how);
	run_until(1);
	start = now_us();
	while (now_us() < start + 50000)
		event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(nfired == 1 && at[0] >= due[2], "%s: moved to its new deadline, "
	    "fired once (%d)", how, nfired);

	/* A callback's timer due at once: the next round, not this one. */
	nfired = 0;
	again = 2;
	tmr_set(&self, base, on_self, NULL);
	tmr_add(&self, &(struct timeval){ 0, 0 });
	rounds = 0;
	run_until(3);
	CHECK(nfired == 3 && rounds >= 3, "%s: due at once from its own "
	    "callback: once a round (%d in %d rounds)", how, nfired, rounds);

	/* Many, a third removed: in order, once each, none of the removed. */
	nfired = 0;
	srandom(1);
	for (i = 0; i < MANY; i++) {
		tmr_set(&t[i], base, on_fire, (void *)(intptr_t)i);
		add_ms(&t[i], i, 1000 + (unsigned int)(random() % 50000));
		gone[i] = 0;
	}
	n = MANY;
	for (i = 0; i < MANY; i++)
		if (random() % 3 == 0) {
			tmr_del(&t[i]);
			gone[i] = 1;
			n--;
		}
	CHECK(tmr_count() == (size_t)n, "%s: %d timers on the heap", how, n);
	run_until(n);
	ok = nfired == n;
	for (i = 0; ok && i < nfired; i++)
		if (gone[fired[i]] || at[i] < due[fired[i]] ||
		    (i > 0 && due[fired[i]] < due[fired[i - 1]]))
			ok = 0;
	CHECK(ok, "%s: %d of %d fired, each once, in order, none removed, "
	    "none early", how, nfired, n);
}

int
main(void)
{
	struct tmr		 t;
	struct event		*watch;
	int			 fd;

	log_init(1, LOG_LVL_DEBUG, NULL);
	if ((base = event_base_new()) == NULL)
		return (1);
	if ((watch = event_new(base, -1, EV_PERSIST, on_watch, NULL)) == NULL ||
	    event_add(watch, &(struct timeval){ 0, 50000 }) == -1)
		return (1);

	/* A process that calls no tmr_init(): its first timer makes it. */
	nfired = 0;
	tmr_set(&t, base, on_fire, (void *)(intptr_t)0);
	add_ms(&t, 0, 1000);
	CHECK(tmr_count() == 1 && tmr_pending(&t), "without tmr_init(): on the "
	    "heap, pending");
	run_until(1);
	CHECK(nfired == 1 && at[0] >= due[0], "and it fires, not early");

	fd = os_timer_open();
#ifdef __linux__
	CHECK(fd != -1, "a timer descriptor (Linux timerfd)");
#endif
	if (fd != -1) {
		tmr_init(base, fd);
		suite("timerfd", 1);
	}
	/* A pending timer goes with the heap to libevent's timer. */
	nfired = 0;
	add_ms(&t, 0, 20000);
	event_base_loop(base, EVLOOP_NONBLOCK);
	tmr_init(base, -1);
	run_until(1);
	CHECK(nfired == 1 && at[0] >= due[0], "the timer pending when the "
	    "descriptor went fired behind libevent's timer, not early");
	suite("no descriptor", 0);
	room(&t);
	CHECK_DONE();
}
