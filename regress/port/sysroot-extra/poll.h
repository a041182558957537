/*
 * STAND-IN, not OpenBSD's file: used by regress/port/openbsd.sh only when
 * the OpenBSD header sysroot it is given has no poll.h (the tier prints a
 * "stand-in" line then).  Written for this project from what poll(2)
 * documents on OpenBSD: only what pptpproxy uses, the interface POSIX
 * defines.
 *
 * On OpenBSD <poll.h> includes <sys/poll.h>, which has all of this: the
 * event bits (the values all BSDs share), nfds_t an unsigned int, and
 * poll().  ppoll() (BSD) and INFTIM are left out on purpose: nothing here
 * uses them, and code that starts to should be checked against the real
 * header.
 */

#ifndef _POLL_H_
#define _POLL_H_

#include <sys/cdefs.h>

struct pollfd {
	int	fd;		/* the descriptor to watch */
	short	events;		/* what to wait for */
	short	revents;	/* what happened */
};

typedef unsigned int	nfds_t;

#define POLLIN		0x0001
#define POLLPRI		0x0002
#define POLLOUT		0x0004
#define POLLERR		0x0008
#define POLLHUP		0x0010
#define POLLNVAL	0x0020
#define POLLRDNORM	0x0040
#define POLLRDBAND	0x0080
#define POLLWRBAND	0x0100
#define POLLWRNORM	POLLOUT

__BEGIN_DECLS
int	poll(struct pollfd *, nfds_t, int);
__END_DECLS

#endif /* _POLL_H_ */
