/*
 * A process's timers on one timer descriptor: see tmr.h.
 *
 * The heap holds pointers to the pending timers, earliest first, each
 * timer knowing its slot; adding and removing are O(log n).  The array
 * grows by doubling and is never shrunk; tmr_room() makes room ahead (the
 * relay, for each session's two timers as it takes the session), so that
 * adding a timer allocates nothing.  The descriptor is armed, at an
 * absolute time, when a timer added goes first and is earlier than what
 * is armed (once the callbacks of that turn of the loop have run), or
 * when it has fired and timers remain; nothing else arms it.  Without a
 * descriptor one libevent timer stands in for it, armed by the same rules
 * for the time left.
 */

#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "os.h"
#include "tmr.h"

#define NS	1000000000ULL

static struct {
	struct event_base	 *base;
	int			  fd;		/* -1: tm.ev is a timer */
	struct event		  ev;
	struct event		  later;	/* arm() once the callbacks ran */
	struct tmr		**h;
	size_t			  n, cap;
	uint64_t		  armed;	/* valid when isarmed */
	int			  isarmed;
	unsigned long		  arms;
	int			  firing;	/* in tmr_fire(): due by now */
	uint64_t		  now;
} tm = { .fd = -1 };

static uint64_t
now_ns(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return ((uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec);
}

static void
heap_put(size_t i, struct tmr *t)
{
	tm.h[i] = t;
	t->slot = (unsigned int)i + 1;
}

static void
heap_up(size_t i, struct tmr *t)
{
	size_t	p;

	while (i > 0) {
		p = (i - 1) / 2;
		if (t->when >= tm.h[p]->when)
			break;
		heap_put(i, tm.h[p]);
		i = p;
	}
	heap_put(i, t);
}

static void
heap_down(size_t i, struct tmr *t)
{
	size_t	c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= tm.n)
			break;
		if (c + 1 < tm.n && tm.h[c + 1]->when < tm.h[c]->when)
			c++;
		if (tm.h[c]->when >= t->when)
			break;
		heap_put(i, tm.h[c]);
		i = c;
	}
	heap_put(i, t);
}

static void
heap_remove(struct tmr *t)
{
	size_t		 i = t->slot - 1;
	struct tmr	*last;

	t->slot = 0;
	last = tm.h[--tm.n];
	if (last == t)
		return;
	/* The last timer takes the hole, then finds its place. */
	if (i > 0 && last->when < tm.h[(i - 1) / 2]->when)
		heap_up(i, last);
	else
		heap_down(i, last);
}

/*
 * Room for n timers on the heap; -1: out of memory.  Slots are unsigned
 * ints.
 */
int
tmr_room(size_t n)
{
	struct tmr	**h;
	size_t		  cap;

	if (n <= tm.cap)
		return (0);
	for (cap = tm.cap == 0 ? 64 : tm.cap; cap < n; cap *= 2)
		if (cap >= UINT_MAX / 2) {
			errno = ENOMEM;
			return (-1);
		}
	if ((h = reallocarray(tm.h, cap, sizeof(*h))) == NULL)
		return (-1);
	tm.h = h;
	tm.cap = cap;
	return (0);
}

/* Whether the earliest timer is due before what is armed, if anything. */
static int
arm_needed(void)
{
	return (tm.n > 0 && (!tm.isarmed || tm.h[0]->when < tm.armed));
}

/* Arm the descriptor for the earliest timer, if it is not armed sooner. */
static void
arm(void)
{
	struct timespec	ts;
	struct timeval	tv;
	uint64_t	when, now, left;

	if (!arm_needed())
		return;
	when = tm.h[0]->when;
	if (tm.fd != -1) {
		ts.tv_sec = (time_t)(when / NS);
		ts.tv_nsec = (long)(when % NS);
		if (os_timer_arm(tm.fd, &ts) == -1)
			fatal("timer");
	} else {
		/* What is left, rounded up: never early by our clock. */
		now = now_ns();
		left = when > now ? (when - now + 999) / 1000 : 0;
		tv.tv_sec = (time_t)(left / 1000000);
		tv.tv_usec = (suseconds_t)(left % 1000000);
		if (evtimer_add(&tm.ev, &tv) == -1)
			fatalx("timer event");
	}
	tm.armed = when;
	tm.isarmed = 1;
	tm.arms++;
}

/*
 * A timer added in a callback: the descriptor is armed after the turn's
 * callbacks, as libevent arms its own, so that the system call does not
 * come before the messages the callback writes; and once for several.
 */
static void
arm_later(void)
{
	if (arm_needed())
		event_active(&tm.later, EV_TIMEOUT, 0);
}

static void
tmr_later(int fd, short ev, void *arg)
{
	arm();
}

/* The descriptor fired: run what is due, then arm for what is left. */
static void
tmr_fire(int fd, short ev, void *arg)
{
	struct tmr	*t;
	uint64_t	 n;

	/*
	 * Nothing to read: it was armed again, later, after the poller
	 * saw it fire; what was armed then is still to come.  The
	 * libevent timer that stands in for it fired as it was last armed.
	 */
	if (fd == -1)
		tm.isarmed = 0;
	else if (read(fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
		tm.isarmed = 0;
	else if (errno != EAGAIN && errno != EINTR)
		fatal("timer read");
	tm.now = now_ns();
	/* Only what was due then: a timer a callback adds waits (tmr_add). */
	tm.firing = 1;
	while (tm.n > 0 && tm.h[0]->when <= tm.now) {
		t = tm.h[0];
		heap_remove(t);
		t->cb(-1, EV_TIMEOUT, t->arg);
	}
	tm.firing = 0;
	arm();
}

/*
 * The timers are base's, on fd (-1: none, a libevent timer stands in).
 * Called again, it moves the heap to the new descriptor.
 */
void
tmr_init(struct event_base *base, int fd)
{
	if (tm.base != NULL) {
		event_del(&tm.ev);
		event_del(&tm.later);
	}
	tm.base = base;
	tm.fd = fd;
	tm.isarmed = 0;
	if (fd != -1) {
		event_assign(&tm.ev, base, fd, EV_READ | EV_PERSIST, tmr_fire,
		    NULL);
		if (event_add(&tm.ev, NULL) == -1)
			fatalx("timer event");
	} else
		evtimer_assign(&tm.ev, base, tmr_fire, NULL);
	event_assign(&tm.later, base, -1, 0, tmr_later, NULL);
	arm();
}

/* Like evtimer_assign(); t is not pending. */
void
tmr_set(struct tmr *t, struct event_base *base,
    void (*cb)(int, short, void *), void *arg)
{
	if (tm.base == NULL)
		tmr_init(base, -1);
	else if (base != tm.base)
		fatalx("a timer of another event base");
	t->cb = cb;
	t->arg = arg;
	t->slot = 0;
}

/* Like evtimer_add(): due tv from now, whether it was pending or not. */
void
tmr_add(struct tmr *t, const struct timeval *tv)
{
	int64_t	ns;

	if (t->slot == 0 && tmr_room(tm.n + 1) == -1)
		fatal("timers");
	ns = (int64_t)tv->tv_sec * (int64_t)NS + (int64_t)tv->tv_usec * 1000;
	t->when = now_ns() + (uint64_t)(ns > 0 ? ns : 0);
	/* Added by a callback: not in the same round, even if due. */
	if (tm.firing && t->when <= tm.now)
		t->when = tm.now + 1;
	if (t->slot != 0)
		heap_remove(t);
	heap_up(tm.n++, t);
	if (!tm.firing)
		arm_later();
}

void
tmr_del(struct tmr *t)
{
	if (t->slot != 0)
		heap_remove(t);
}

int
tmr_pending(const struct tmr *t)
{
	return (t->slot != 0);
}

unsigned long
tmr_arms(void)
{
	return (tm.arms);
}

size_t
tmr_count(void)
{
	return (tm.n);
}
