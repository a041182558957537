/*
 * A process's timers on one timer descriptor (src/tmr.c).
 *
 * libevent hands the poller the time to its next timer at every turn of
 * the loop: as epoll_wait(2)'s timeout, or, with its precise timer, as a
 * timerfd it re-arms once a turn.  The control relay always has timers
 * pending (the log lines' batch, the tick, every session's), so either
 * way each message relayed paid for them.  Here the timers are kept in a
 * heap of their own, and the descriptor is armed only when the earliest
 * deadline comes nearer; a timer that is removed is left to fire, and the
 * descriptor is then armed for the next one.  The loop sleeps with no
 * timeout, and a setup makes no timer system call at all, most of the
 * time.
 *
 * A process that has no timer descriptor (tmr_init() not called, or
 * called with -1: systems without timerfd), a timer of another event
 * base, and a timer the heap had no room for are libevent timers, as
 * before.  The callbacks are libevent's: (-1, EV_TIMEOUT, arg).
 */

#ifndef TMR_H
#define TMR_H

#include <time.h>
#include <event2/event.h>
#include <event2/event_struct.h>

struct tmr {
	struct event	  ev;		/* the callback; the fallback timer */
	struct timespec	  when;		/* on the heap: its deadline */
	unsigned int	  slot;		/* on the heap: index + 1; 0: not */
	int		  heap;		/* may go on the heap */
};

void	tmr_init(struct event_base *, int);
void	tmr_set(struct tmr *, struct event_base *,
	    void (*)(int, short, void *), void *);
void	tmr_add(struct tmr *, const struct timeval *);
void	tmr_del(struct tmr *);
int	tmr_pending(const struct tmr *);

/* How often the descriptor was armed, and timers on the heap (tests). */
unsigned long	tmr_arms(void);
size_t		tmr_count(void);

#endif /* TMR_H */
