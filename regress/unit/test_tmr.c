/*
 * The timers on a timer descriptor (src/tmr.c): they fire in the order
 * of their deadlines, never before them, once each; one removed never
 * fires; one added again moves; the descriptor is armed only when the
 * earliest deadline comes nearer, and once more after each firing that
 * leaves timers; a callback's own timer due at once waits for the next
 * round; timers of another event base, and all timers of a process
 * without a descriptor, are libevent's.  A thousand timers with random
 * deadlines, a third of them removed, keep the heap in order.
 */

#include <sys/types.h>

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
	/* Its deadline as the heap has it (libevent's timers: from now). */
	if (t->slot != 0)
		due[i] = (uint64_t)t->when.tv_sec * 1000000 +
		    (uint64_t)t->when.tv_nsec / 1000;
	else
		due[i] = now_us() + us;
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

/* No descriptor: every timer is libevent's. */
static void
no_descriptor(struct tmr *t)
{
	tmr_init(base, -1);
	nfired = 0;
	tmr_set(t, base, on_fire, (void *)(intptr_t)0);
	add_ms(t, 0, 1000);
	CHECK(tmr_count() == 0 && tmr_pending(t),
	    "without a descriptor: libevent's timer");
	run_until(1);
	CHECK(nfired == 1, "and it fires");
}

int
main(void)
{
	static struct tmr	 t[MANY];
	struct event_base	*other;
	struct event		*watch;
	unsigned long		 a0;
	int			 fd, i, ok, n, gone[MANY];
	uint64_t		 start;

	log_init(1, LOG_LVL_DEBUG, NULL);
	if ((base = event_base_new()) == NULL || (other =
	    event_base_new()) == NULL)
		return (1);
	if ((watch = event_new(base, -1, EV_PERSIST, on_watch, NULL)) == NULL ||
	    event_add(watch, &(struct timeval){ 0, 50000 }) == -1)
		return (1);
	fd = os_timer_open();
#ifdef __linux__
	CHECK(fd != -1, "a timer descriptor (Linux timerfd)");
#endif
	if (fd == -1) {
		no_descriptor(&t[0]);
		CHECK_DONE();
	}
	tmr_init(base, fd);

	/* Three timers: armed for the first, then the nearer, not the later. */
	for (i = 0; i < 3; i++)
		tmr_set(&t[i], base, on_fire, (void *)(intptr_t)i);
	a0 = tmr_arms();
	add_ms(&t[0], 0, 30000);
	CHECK(tmr_arms() == a0, "not armed inside the callback that adds");
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(tmr_arms() == a0 + 1, "armed for the first timer after it");
	add_ms(&t[1], 1, 10000);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(tmr_arms() == a0 + 2, "armed again for a nearer one");
	add_ms(&t[2], 2, 20000);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(tmr_arms() == a0 + 2 && tmr_count() == 3,
	    "not armed for a later one (%lu arms, %zu timers)",
	    tmr_arms() - a0, tmr_count());
	CHECK(tmr_pending(&t[0]) && tmr_pending(&t[1]), "pending");
	run_until(3);
	CHECK(nfired == 3 && fired[0] == 1 && fired[1] == 2 && fired[2] == 0,
	    "fired in the order of the deadlines (%d: %d %d %d)", nfired,
	    fired[0], fired[1], fired[2]);
	ok = 1;
	for (i = 0; i < nfired; i++)
		if (at[i] < due[fired[i]])
			ok = 0;
	CHECK(ok, "none before its deadline");
	CHECK(tmr_arms() == a0 + 4 && tmr_count() == 0 && !tmr_pending(&t[0]),
	    "armed once after each firing that left timers (%lu arms)",
	    tmr_arms() - a0);

	/* A removed timer never fires; the next one still does, in time. */
	nfired = 0;
	a0 = tmr_arms();
	add_ms(&t[1], 1, 60000);
	add_ms(&t[0], 0, 10000);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(tmr_arms() == a0 + 1, "two added in one turn: armed once (%lu)",
	    tmr_arms() - a0);
	tmr_del(&t[0]);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(tmr_arms() == a0 + 1 && !tmr_pending(&t[0]) && tmr_count() == 1,
	    "removing arms nothing");
	run_until(1);
	CHECK(nfired == 1 && fired[0] == 1 && at[0] >= due[1],
	    "the removed one did not fire, the other did, not early");
	CHECK(tmr_arms() == a0 + 2, "armed once for it after the removed one's"
	    " time (%lu)", tmr_arms() - a0 - 1);

	/* Added again: moved, fires once. */
	nfired = 0;
	add_ms(&t[2], 2, 5000);
	add_ms(&t[2], 2, 40000);
	CHECK(tmr_count() == 1, "added again: still one timer");
	run_until(1);
	start = now_us();
	while (now_us() < start + 50000)
		event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(nfired == 1 && at[0] >= due[2], "moved to its new deadline, "
	    "fired once (%d)", nfired);

	/* A callback's timer due at once: the next round, not this one. */
	nfired = 0;
	again = 2;
	tmr_set(&self, base, on_self, NULL);
	tmr_add(&self, &(struct timeval){ 0, 0 });
	rounds = 0;
	run_until(3);
	CHECK(nfired == 3 && rounds >= 3, "due at once from its own callback:"
	    " once a round (%d in %d rounds)", nfired, rounds);

	/* Another base's timer is libevent's. */
	nfired = 0;
	tmr_set(&t[3], other, on_fire, (void *)(intptr_t)3);
	add_ms(&t[3], 3, 1000);
	CHECK(tmr_count() == 0 && tmr_pending(&t[3]),
	    "another base's timer: not on the heap, pending");
	usleep(2000);
	event_base_loop(other, EVLOOP_ONCE);
	CHECK(nfired == 1 && fired[0] == 3, "fired by its own base");
	event_base_free(other);

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
	CHECK(tmr_count() == (size_t)n, "%d timers on the heap", n);
	run_until(n);
	ok = nfired == n;
	for (i = 0; ok && i < nfired; i++)
		if (gone[fired[i]] || at[i] < due[fired[i]] ||
		    (i > 0 && due[fired[i]] < due[fired[i - 1]]))
			ok = 0;
	CHECK(ok, "%d of %d fired, each once, in order, none removed, none "
	    "early", nfired, n);

	no_descriptor(&t[0]);
	CHECK_DONE();
}
