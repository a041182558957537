/*
 * Several control relays on one address and port (os.c): SO_REUSEPORT
 * listening sockets, and the classic BPF program set on the group that
 * hands each new connection to a socket chosen by the client's address
 * alone.  os_relay_pick() is below its n, spreads addresses about evenly,
 * and is 0 for one relay.  With real sockets on loopback (2, 3 and 4
 * listeners; clients bound to 127.0.0.2..127.0.0.61): each connection
 * is accepted by the listener numbered os_relay_pick(client, n) in the
 * order they called listen() (whatever the order they were bound in), a
 * client's second connection by the same one, and every listener gets
 * some.  Where the system cannot steer (os_relays_max() is 1) the
 * kernel part is skipped, said so.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os.h"
#include "addr.h"
#include "check.h"

#define NSRC	60		/* 127.0.0.2 .. 127.0.0.61 */
#define NMAX	4

/* The pure function: bounds, n < 2, how even the spread is. */
static void
test_pick(void)
{
	static uint32_t	hits[16];
	uint32_t	a, i, n, out = 0, lo, hi, uneven = 0, one = 0;

	for (i = 0; i < 100000; i++) {
		a = arc4random();
		one |= os_relay_pick(a, 1) | os_relay_pick(a, 0);
	}
	CHECK(one == 0, "one relay (or none): every address picks 0");
	for (n = 2; n <= 16; n++) {
		memset(hits, 0, sizeof(hits));
		for (i = 0; i < 16000 * n; i++) {
			a = arc4random();
			if ((a = os_relay_pick(a, n)) >= n)
				out++;
			else
				hits[a]++;
		}
		lo = hi = hits[0];
		for (i = 1; i < n; i++) {
			if (hits[i] < lo)
				lo = hits[i];
			if (hits[i] > hi)
				hi = hits[i];
		}
		/* 16000 expected each: 5 standard deviations about 630 */
		if (lo < 15000 || hi > 17000)
			uneven++;
	}
	CHECK(out == 0, "n = 2..16: every pick below n (%u were not)", out);
	CHECK(uneven == 0, "n = 2..16, random addresses: each relay 1/n of "
	    "them, within 1/16 (%u n uneven)", uneven);
	for (a = 0; a < 256; a++)
		if (os_relay_pick(htonl(0x7f000000 | a), 4) !=
		    os_relay_pick(htonl(0x7f000000 | a), 4))
			out++;
	CHECK(out == 0, "the same address, the same pick");
}

/*
 * n listeners on 127.0.0.1 and one port, l[] in listen() order; its
 * port.  Bound in that order too, or (backwards) in the reverse.
 */
static int
listeners(int *l, unsigned int n, uint16_t *port, int backwards)
{
	struct sockaddr_in	sin;
	socklen_t		len;
	unsigned int		i, k;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = A("127.0.0.1");
	for (i = 0; i < n; i++) {
		k = backwards ? n - 1 - i : i;
		if ((l[k] = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    os_reuseport(l[k]) == -1 ||
		    bind(l[k], (struct sockaddr *)&sin, sizeof(sin)) == -1) {
			printf("# listener %u: %s\n", k, strerror(errno));
			return (-1);
		}
		if (i == 0) {
			len = sizeof(sin);
			if (getsockname(l[k], (struct sockaddr *)&sin,
			    &len) == -1)
				return (-1);
			*port = ntohs(sin.sin_port);
		}
		if (fcntl(l[k], F_SETFL, O_NONBLOCK) == -1)
			return (-1);
	}
	for (i = 0; i < n; i++)
		if (listen(l[i], 128) == -1) {
			printf("# listen %u: %s\n", i, strerror(errno));
			return (-1);
		}
	return (0);
}

/*
 * A connection from src to the port: the number of the listener that
 * accepts it, -1 if none does within a second, -2 if more than one
 * accepted something or the peer is not src.
 */
static int
which(const int *l, unsigned int n, uint16_t port, struct in_addr src)
{
	struct sockaddr_in	sin, peer;
	struct pollfd		pfd[NMAX];
	socklen_t		len;
	unsigned int		i;
	int			c, s, got = -1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = src;
	if ((c = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(c, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return (-1);
	sin.sin_addr = A("127.0.0.1");
	sin.sin_port = htons(port);
	if (connect(c, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(c);
		return (-1);
	}
	for (i = 0; i < n; i++) {
		pfd[i].fd = l[i];
		pfd[i].events = POLLIN;
	}
	if (poll(pfd, n, 1000) <= 0) {
		close(c);
		return (-1);
	}
	/* Each listener, so that a connection queued twice shows. */
	for (i = 0; i < n; i++) {
		len = sizeof(peer);
		while ((s = accept(l[i], (struct sockaddr *)&peer,
		    &len)) != -1) {
			got = got == -1 && peer.sin_addr.s_addr ==
			    src.s_addr ? (int)i : -2;
			close(s);
			len = sizeof(peer);
		}
	}
	close(c);
	return (got);
}

static void
test_steer(unsigned int n, int backwards)
{
	int		l[NMAX], first[NSRC], again[NSRC];
	unsigned int	i, per[NMAX], wrong = 0, moved = 0, lost = 0, empty = 0;
	uint16_t	port;
	struct in_addr	src;
	char		map[NSRC + 1], want[NSRC + 1], what[64];

	snprintf(what, sizeof(what), "n = %u%s", n, backwards ?
	    " (bound in the reverse order)" : "");
	for (i = 0; i < n; i++)
		l[i] = -1;
	if (listeners(l, n, &port, backwards) == -1) {
		CHECK(0, "%s: listeners with SO_REUSEPORT on one port", what);
		goto out;
	}
	errno = 0;
	i = os_reuseport_steer(l[0], n) == 0;
	CHECK(i, "%s: the steering program set on the first to listen%s%s",
	    what, i ? "" : ": ", i ? "" : strerror(errno));
	memset(per, 0, sizeof(per));
	for (i = 0; i < NSRC; i++) {
		src.s_addr = htonl(0x7f000002 + i);
		first[i] = which(l, n, port, src);
		again[i] = which(l, n, port, src);
		map[i] = first[i] >= 0 ? (char)('0' + first[i]) :
		    first[i] == -1 ? '-' : '?';
		want[i] = (char)('0' + os_relay_pick(src.s_addr, n));
		if (first[i] < 0 || again[i] < 0)
			lost++;
		else {
			per[first[i]]++;
			if ((unsigned int)first[i] !=
			    os_relay_pick(src.s_addr, n))
				wrong++;
			if (again[i] != first[i])
				moved++;
		}
	}
	map[NSRC] = want[NSRC] = '\0';
	for (i = 0; i < n; i++)
		if (per[i] == 0)
			empty++;
	/* Where each of 127.0.0.2.. went, and where it should have. */
	printf("# %s, 127.0.0.2 on:\n#   accepted by   %s\n"
	    "#   os_relay_pick %s\n", what, map, want);
	CHECK(lost == 0, "%s: each of %u connections accepted by one "
	    "listener, from its source (%u not)", what, 2 * NSRC, lost);
	CHECK(wrong == 0, "%s: each accepted by the listener numbered "
	    "os_relay_pick(source, n) in listen() order (%u of %u elsewhere)",
	    what, wrong, NSRC);
	CHECK(moved == 0, "%s: a source's second connection goes where its "
	    "first went (%u moved)", what, moved);
	CHECK(empty == 0, "%s: every listener gets some (%u %u %u %u)", what,
	    per[0], per[1], n > 2 ? per[2] : 0, n > 3 ? per[3] : 0);
out:
	for (i = 0; i < n; i++)
		if (l[i] != -1)
			close(l[i]);
}

int
main(void)
{
	int	fd;

	test_pick();
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		abort();
	CHECK(os_reuseport(fd) == 0, "SO_REUSEPORT can be set on a socket");
	close(fd);
	if (os_relays_max() == 1) {
		CHECK(os_relays_auto() == 1, "no steering: relays auto is 1");
		printf("skip - connections steered by client address: the "
		    "system cannot (os_relays_max() is 1)\n");
		CHECK_DONE();
	}
	CHECK(os_relays_max() == 16 && os_relays_auto() >= 1 &&
	    os_relays_auto() <= 16, "up to 16 relays; auto is 1..16 (%u)",
	    os_relays_auto());
	test_steer(2, 0);
	test_steer(3, 0);
	test_steer(4, 0);
	test_steer(3, 1);
	CHECK_DONE();
}
