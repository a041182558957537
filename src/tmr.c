/*
 * A process's timers on one timer descriptor: see tmr.h.
 *
 * The heap holds pointers to the pending timers, earliest first, each
 * timer knowing its slot; adding and removing are O(log n), and the
 * array grows by doubling (it is never shrunk: it holds two timers a
 * session at most).  The descriptor is armed, at an absolute time, when
 * a timer added goes first and is earlier than what is armed (once the
 * callbacks of that turn of the loop have run), or when it has fired and
 * timers remain; nothing else arms it.
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

static struct {
	struct event_base	 *base;
	int			  fd;
	int			  live;		/* fd is one: tmr_init() */
	struct event		  ev;
	struct event		  later;	/* arm() once the callbacks ran */
	struct tmr		**h;
	size_t			  n, cap;
	struct timespec		  armed;	/* valid when isarmed */
	int			  isarmed;
	unsigned long		  arms;
	int			  firing;	/* in tmr_fire(): due by now */
	struct timespec		  now;
} tm;

static int
ts_before(const struct timespec *a, const struct timespec *b)
{
	return (a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec));
}

static void
ts_now(struct timespec *ts)
{
	if (clock_gettime(CLOCK_MONOTONIC, ts) == -1)
		fatal("clock_gettime");
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
		if (!ts_before(&t->when, &tm.h[p]->when))
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
		if (c + 1 < tm.n && ts_before(&tm.h[c + 1]->when,
		    &tm.h[c]->when))
			c++;
		if (!ts_before(&tm.h[c]->when, &t->when))
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
	if (i > 0 && ts_before(&last->when, &tm.h[(i - 1) / 2]->when))
		heap_up(i, last);
	else
		heap_down(i, last);
}

/* Room for one more; 0 when there is none (the timer falls back). */
static int
heap_room(void)
{
	struct tmr	**h;
	size_t		  cap;

	if (tm.n < tm.cap)
		return (1);
	if (tm.cap >= UINT_MAX / 2)	/* slots are unsigned ints */
		return (0);
	cap = tm.cap == 0 ? 64 : tm.cap * 2;
	if ((h = reallocarray(tm.h, cap, sizeof(*h))) == NULL) {
		log_warn("timers");
		return (0);
	}
	tm.h = h;
	tm.cap = cap;
	return (1);
}

/* Whether the earliest timer is due before what is armed, if anything. */
static int
arm_needed(void)
{
	return (tm.n > 0 && (!tm.isarmed || ts_before(&tm.h[0]->when,
	    &tm.armed)));
}

/* Arm the descriptor for the earliest timer, if it is not armed sooner. */
static void
arm(void)
{
	if (!arm_needed())
		return;
	if (os_timer_arm(tm.fd, &tm.h[0]->when) == -1)
		fatal("timer");
	tm.armed = tm.h[0]->when;
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
	void		(*cb)(int, short, void *);

	/*
	 * Nothing to read: it was armed again, later, after the poller
	 * saw it fire; what was armed then is still to come.
	 */
	if (read(fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
		tm.isarmed = 0;
	else if (errno != EAGAIN && errno != EINTR)
		fatal("timer read");
	ts_now(&tm.now);
	/* Only what was due then: a timer a callback adds waits (tmr_add). */
	tm.firing = 1;
	while (tm.n > 0 && !ts_before(&tm.now, &tm.h[0]->when)) {
		t = tm.h[0];
		heap_remove(t);
		cb = event_get_callback(&t->ev);
		cb(-1, EV_TIMEOUT, event_get_callback_arg(&t->ev));
	}
	tm.firing = 0;
	arm();
}

/* The timers of base go on the heap, fd (-1: none, all are libevent's). */
void
tmr_init(struct event_base *base, int fd)
{
	tm.base = base;
	tm.fd = fd;
	tm.live = fd != -1;
	if (!tm.live)
		return;
	event_assign(&tm.ev, base, fd, EV_READ | EV_PERSIST, tmr_fire, NULL);
	event_assign(&tm.later, base, -1, 0, tmr_later, NULL);
	if (event_add(&tm.ev, NULL) == -1)
		fatalx("timer event");
}

/* Like evtimer_assign(); t is not pending. */
void
tmr_set(struct tmr *t, struct event_base *base,
    void (*cb)(int, short, void *), void *arg)
{
	t->slot = 0;
	t->heap = tm.live && base == tm.base;
	/* The callback is kept in the event, used on the heap or not. */
	evtimer_assign(&t->ev, base, cb, arg);
}

/* Like evtimer_add(): due tv from now, whether it was pending or not. */
void
tmr_add(struct tmr *t, const struct timeval *tv)
{
	struct timespec	 now;

	if (t->heap && (t->slot != 0 || heap_room())) {
		ts_now(&now);
		t->when.tv_sec = now.tv_sec + tv->tv_sec;
		t->when.tv_nsec = now.tv_nsec + (long)tv->tv_usec * 1000;
		if (t->when.tv_nsec >= 1000000000L) {
			t->when.tv_sec++;
			t->when.tv_nsec -= 1000000000L;
		}
		/* Added by a callback: not in the same round, even if due. */
		if (tm.firing && !ts_before(&tm.now, &t->when)) {
			t->when = tm.now;
			if (++t->when.tv_nsec == 1000000000L) {
				t->when.tv_sec++;
				t->when.tv_nsec = 0;
			}
		}
		if (t->slot != 0)
			heap_remove(t);
		else if (evtimer_pending(&t->ev, NULL))
			evtimer_del(&t->ev);	/* it fell back once */
		heap_up(tm.n++, t);
		if (!tm.firing)
			arm_later();
		return;
	}
	evtimer_add(&t->ev, tv);
}

void
tmr_del(struct tmr *t)
{
	if (t->slot != 0)
		heap_remove(t);
	evtimer_del(&t->ev);
}

int
tmr_pending(const struct tmr *t)
{
	return (t->slot != 0 || evtimer_pending(&t->ev, NULL));
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
