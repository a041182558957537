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
 * A process without a timer descriptor (tmr_init() called with -1, as on
 * systems without timerfd, or not called: the first tmr_set() does it)
 * keeps the same heap behind one libevent timer, armed by the same rules.
 * A timer is 32 bytes, a quarter of a libevent event.  One event base a
 * process.  The callbacks are libevent's: (-1, EV_TIMEOUT, arg).
 */

#ifndef TMR_H
#define TMR_H

#include <stddef.h>
#include <stdint.h>
#include <event2/event.h>

struct tmr {
	void		(*cb)(int, short, void *);
	void		 *arg;
	uint64_t	  when;		/* on the heap: deadline, ns */
	unsigned int	  slot;		/* on the heap: index + 1; 0: not */
};

void	tmr_init(struct event_base *, int);
int	tmr_room(size_t);
void	tmr_set(struct tmr *, struct event_base *,
	    void (*)(int, short, void *), void *);
void	tmr_add(struct tmr *, const struct timeval *);
void	tmr_del(struct tmr *);
int	tmr_pending(const struct tmr *);

/* How often the descriptor was armed, and timers on the heap (tests). */
unsigned long	tmr_arms(void);
size_t		tmr_count(void);

#endif /* TMR_H */
