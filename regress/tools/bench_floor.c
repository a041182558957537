/*
 * bench_floor: the floor under a control relay's cost, a bare TCP relay.
 *
 *	bench_floor [-DLNS] [-a accepts] [-c bytes] [-w us] [-W us]
 *	    listen-address:port server-address:port
 *
 * One process, one epoll.  For each connection accepted on the listening
 * address it connects to the server and copies bytes both ways unchanged,
 * and closes both connections when either side closes or fails.  It parses
 * nothing and rewrites nothing: what terminating two TCP connections a call
 * setup costs in user space, to set beside pptpproxy's control relay
 * (regress/bench/setup_cost.sh -F).  bench_gen's setups work through it
 * because bench_refl answers with the client's own Call IDs.
 *
 * Made as lean as a minimal relay is made: accept4 nonblocking, TCP_NODELAY
 * on the listener (Linux's accepted sockets inherit it) and on each server
 * socket, the connect not waited for (over a virtual link the server has
 * answered before connect(2) returns; a write that finds it connecting is
 * queued like any short write), one read buffer for all connections,
 * nothing allocated per message (only the rest of a short write, which
 * setups do not see).  Sockets are edge-triggered (EPOLLET): each is
 * registered once, for reading, with no epoll_ctl per message; a read
 * shorter than the buffer has emptied the socket, and EPOLLRDHUP says when
 * the peer's FIN came with the data, so that it is read too.  A short write
 * registers the other socket for writing as well and leaves this one
 * unread until it is flushed.  The listener is level-triggered; one accept
 * a wake-up, as pptpproxy's relay.  close(2) takes a socket out of the
 * epoll set.
 *
 * -D	TCP_DEFER_ACCEPT on the listener (15 s, as pptpproxy's default), and
 *	the client's first bytes read at accept, before the server is
 *	connected, as pptpproxy's relay does
 * -L	level-triggered sockets (libevent's epoll back end, which pptpproxy
 *	uses): a socket whose bytes wait for the other side is taken out of
 *	the reading set until they are gone
 * -N	no TCP_NODELAY on either socket (Nagle's algorithm on, as in the
 *	original pptpproxy)
 * -S	poll(2) in place of epoll (implies -L): the set of descriptors
 *	handed to the kernel afresh at each wake-up, as in a select(2) loop
 *	such as the original pptpproxy's
 * -a n	accept up to n connections a wake-up (default 1)
 * -c n	close both connections once n bytes or more (whole reads) have gone
 *	from the server to the client, as pptpproxy closes at the
 *	Stop-Control-Connection-Reply (bench_gen's setup: SCCRP, OCRP, CDN,
 *	StopCCRP = 352 bytes)
 * -w us	spin (busy, reading the monotonic clock) for us microseconds
 *	before each write of bytes read: what that much work a message on
 *	a relay's way costs setups (regress/bench/README, "Where the
 *	relay's extra microseconds are")
 * -W us	the same after each write
 *
 * SIGTERM ends it.
 */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUFSZ		4096
#define DEFER_SECS	15

struct side {
	int		 peer;		/* the other socket; -1: free */
	uint8_t		 client;	/* the accepted one */
	uint8_t		 hup;		/* FIN or error seen */
	uint8_t		 out;		/* registered for writing */
	uint32_t	 poff, plen;	/* bytes waiting for the peer */
	uint8_t		*pend;
	uint64_t	 sent;		/* server side: bytes to the client */
};

static struct side	*sides;
static int		 nsides;
static int		 epfd, lfd;
static uint32_t		 et = EPOLLET;
static int		 defer, accepts = 1;
static int		 usepoll, maxfd, nodelay = 1;
static uint32_t		*want;		/* -S: the events each fd waits for */
static uint64_t		 closeat;
static long		 spin_before, spin_after;	/* -w, -W: ns */
static uint8_t		 buf[BUFSZ];
static struct sockaddr_in srv;

static void
reg(int fd, int op, uint32_t events)
{
	struct epoll_event	 ev;

	if (usepoll) {
		/* POLLIN, POLLOUT and POLLRDHUP have epoll's values. */
		want[fd] = events == 0 ? 0 : events | POLLRDHUP;
		if (fd > maxfd)
			maxfd = fd;
		return;
	}
	memset(&ev, 0, sizeof(ev));
	/* None: still edge-triggered, so that a hang-up is told once. */
	ev.events = events == 0 ? EPOLLET : events | EPOLLRDHUP | et;
	ev.data.fd = fd;
	if (epoll_ctl(epfd, op, fd, &ev) == -1)
		err(1, "epoll_ctl");
}

static void
side_free(int fd)
{
	struct side	*s = &sides[fd];

	free(s->pend);
	if (usepoll)
		want[fd] = 0;
	memset(s, 0, sizeof(*s));
	s->peer = -1;
	close(fd);
}

static void
pair_close(int fd)
{
	int	 peer = sides[fd].peer;

	side_free(fd);
	side_free(peer);
}

/* After n bytes of fd's went to its peer: -1 when the pair was closed. */
static int
sent(int fd, size_t n)
{
	struct side	*s = &sides[fd];

	if (s->client || closeat == 0)
		return (0);
	s->sent += n;
	if (s->sent < closeat || s->plen > 0)
		return (0);
	pair_close(fd);
	return (-1);
}

/* -w, -W: busy for ns nanoseconds by the monotonic clock. */
static void
spin(long ns)
{
	struct timespec	a, b;

	if (ns <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec < ns);
}

/* Send len bytes read from fd to its peer; -1 when the pair was closed. */
static int
pass(int fd, const uint8_t *p, size_t len)
{
	struct side	*s = &sides[fd];
	int		 dst = s->peer;
	ssize_t		 n;

	spin(spin_before);
	n = write(dst, p, len);
	spin(spin_after);
	if (n == (ssize_t)len)
		return (sent(fd, len));
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			pair_close(fd);
			return (-1);
		}
		n = 0;
	}
	s->plen = (uint32_t)(len - (size_t)n);
	s->poff = 0;
	if ((s->pend = malloc(s->plen)) == NULL)
		err(1, "malloc");
	memcpy(s->pend, p + n, s->plen);
	if (!sides[dst].out) {
		sides[dst].out = 1;
		reg(dst, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
	}
	if (!et)
		reg(fd, EPOLL_CTL_MOD, 0);
	return (sent(fd, (size_t)n));
}

static void
on_read(int fd)
{
	struct side	*s = &sides[fd];
	ssize_t		 n;

	while (s->plen == 0) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			pair_close(fd);
			return;
		}
		if (pass(fd, buf, (size_t)n) == -1)
			return;
		/* Level-triggered, or emptied: the next event says more. */
		if (!et || ((size_t)n < sizeof(buf) && !s->hup))
			return;
	}
}

/* fd is writable: flush what its peer read for it. */
static void
on_write(int fd)
{
	int		 src = sides[fd].peer;
	struct side	*s = &sides[src];
	ssize_t		 n;

	if (s->plen == 0)
		return;
	n = write(fd, s->pend + s->poff, s->plen);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			pair_close(fd);
		return;
	}
	s->poff += (uint32_t)n;
	s->plen -= (uint32_t)n;
	if (s->plen == 0) {
		free(s->pend);
		s->pend = NULL;
	}
	if (sent(src, (size_t)n) == -1 || s->plen > 0)
		return;
	if (!et) {
		sides[fd].out = 0;
		reg(fd, EPOLL_CTL_MOD, EPOLLIN);
		reg(src, EPOLL_CTL_MOD, EPOLLIN);
	}
	on_read(src);		/* edge-triggered: its events went unread */
}

static void
on_accept(void)
{
	ssize_t		 n;
	int		 i, cfd, sfd, one = 1;

	for (i = 0; i < accepts; i++) {
		cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != ECONNABORTED && errno != EINTR)
				warn("accept4");
			return;
		}
		n = 0;
		if (defer) {
			n = read(cfd, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EAGAIN)) {
				close(cfd);
				continue;
			}
			if (n < 0)
				n = 0;
		}
		sfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (sfd == -1 || cfd >= nsides || sfd >= nsides) {
			warnx("out of descriptors");
			if (sfd != -1)
				close(sfd);
			close(cfd);
			continue;
		}
		if (nodelay)
			(void)setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
		if (connect(sfd, (struct sockaddr *)&srv, sizeof(srv)) == -1 &&
		    errno != EINPROGRESS) {
			close(sfd);
			close(cfd);
			continue;
		}
		sides[cfd].peer = sfd;
		sides[cfd].client = 1;
		sides[sfd].peer = cfd;
		reg(sfd, EPOLL_CTL_ADD, EPOLLIN);
		reg(cfd, EPOLL_CTL_ADD, EPOLLIN);
		if (n > 0 && pass(cfd, buf, (size_t)n) == -1)
			continue;
		if (et && (size_t)n == sizeof(buf))
			on_read(cfd);
	}
}

static void
addr(const char *arg, struct sockaddr_in *sin)
{
	char		 host[64];
	const char	*colon;
	char		*end;
	long		 port;

	if ((colon = strrchr(arg, ':')) == NULL ||
	    (size_t)(colon - arg) >= sizeof(host))
		errx(2, "%s: want address:port", arg);
	memcpy(host, arg, (size_t)(colon - arg));
	host[colon - arg] = '\0';
	port = strtol(colon + 1, &end, 10);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (*end != '\0' || port < 1 || port > 65535 ||
	    inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		errx(2, "%s: want address:port", arg);
}

/* -S: one poll(2) over the listener and every fd that waits for events. */
static int
poll_wait(struct pollfd *pfds, struct epoll_event *evs, int max)
{
	nfds_t	 k = 0, j;
	int	 fd, n = 0;

	pfds[k].fd = lfd;
	pfds[k++].events = POLLIN;
	for (fd = 0; fd <= maxfd; fd++) {
		if (want[fd] == 0)
			continue;
		pfds[k].fd = fd;
		pfds[k++].events = (short)want[fd];
	}
	if (poll(pfds, k, -1) == -1)
		return (-1);
	for (j = 0; j < k && n < max; j++) {
		if (pfds[j].revents == 0)
			continue;
		evs[n].events = (uint32_t)(uint16_t)pfds[j].revents;
		evs[n++].data.fd = pfds[j].fd;
	}
	return (n);
}

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: bench_floor [-DLNS] [-a accepts] [-c bytes] "
	    "[-w us] [-W us] listen-address:port server-address:port\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 evs[256];
	struct sockaddr_in	 lsin;
	struct rlimit		 rl;
	struct side		*s;
	struct pollfd		*pfds = NULL;
	int			 ch, n, i, fd, one = 1, secs = DEFER_SECS;

	while ((ch = getopt(argc, argv, "a:c:DLNSw:W:")) != -1) {
		switch (ch) {
		case 'a':
			if ((accepts = atoi(optarg)) < 1)
				usage();
			break;
		case 'c':
			closeat = strtoull(optarg, NULL, 10);
			break;
		case 'D':
			defer = 1;
			break;
		case 'L':
			et = 0;
			break;
		case 'N':
			nodelay = 0;
			break;
		case 'S':
			et = 0;
			usepoll = 1;
			break;
		case 'w':
		case 'W':
			if ((n = atoi(optarg)) < 0 || n > 1000000)
				usage();
			if (ch == 'w')
				spin_before = n * 1000L;
			else
				spin_after = n * 1000L;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	addr(argv[optind], &lsin);
	addr(argv[optind + 1], &srv);

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	nsides = rl.rlim_cur > 1000000 ? 1000000 : (int)rl.rlim_cur;
	if ((sides = calloc((size_t)nsides, sizeof(*sides))) == NULL)
		err(1, "calloc");
	for (i = 0; i < nsides; i++)
		sides[i].peer = -1;
	if (usepoll && ((want = calloc((size_t)nsides, sizeof(*want))) ==
	    NULL || (pfds = calloc((size_t)nsides, sizeof(*pfds))) == NULL))
		err(1, "calloc");
	signal(SIGPIPE, SIG_IGN);

	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		err(1, "socket");
	(void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (nodelay)
		(void)setsockopt(lfd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if (defer && setsockopt(lfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
	    sizeof(secs)) == -1)
		err(1, "TCP_DEFER_ACCEPT");
	if (bind(lfd, (struct sockaddr *)&lsin, sizeof(lsin)) == -1)
		err(1, "bind");
	if (listen(lfd, 1024) == -1)
		err(1, "listen");
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	memset(evs, 0, sizeof(evs[0]));
	evs[0].events = EPOLLIN;
	evs[0].data.fd = lfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &evs[0]) == -1)
		err(1, "epoll_ctl");

	for (;;) {
		if (usepoll)
			n = poll_wait(pfds, evs, 256);
		else
			n = epoll_wait(epfd, evs, 256, -1);
		if (n == -1 && errno != EINTR)
			err(1, "epoll_wait");
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd == lfd) {
				on_accept();
				continue;
			}
			s = &sides[fd];
			if (s->peer == -1)
				continue;	/* closed with its peer */
			if (evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
				s->hup = 1;
			if (evs[i].events & EPOLLOUT) {
				on_write(fd);
				if (s->peer == -1)
					continue;
			}
			if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP |
			    EPOLLERR))
				on_read(fd);
		}
	}
	/* NOTREACHED */
}
