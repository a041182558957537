/*
 * sa_str(), the relay's "a.b.c.d:port" of every session line, written by
 * hand: the same bytes as inet_ntop(3) and snprintf(3) "%s:%u" give, cut
 * the same way in a short buffer, on the edge values and on a million
 * random addresses, ports and buffer lengths.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxy.h"
#include "check.h"

/* What the stdio way writes. */
static void
ref(const struct sockaddr_in *sin, char *buf, size_t len)
{
	char	a[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) == NULL)
		strlcpy(a, "?", sizeof(a));
	snprintf(buf, len, "%s:%u", a, ntohs(sin->sin_port));
}

static int
same(uint32_t addr, uint16_t port, size_t len)
{
	struct sockaddr_in	sin;
	char			got[32], want[32];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	memset(got, 'x', sizeof(got));
	memset(want, 'x', sizeof(want));
	ref(&sin, want, len);
	if (sa_str(&sin, got, len) != got)
		return (0);
	return (memcmp(got, want, sizeof(got)) == 0);
}

int
main(void)
{
	static const uint32_t	addrs[] = { 0, 0xffffffff, 0xc0000201,
				    0x0a000001, 0x7f000001, 0xc6336402,
				    0x01020304, 0x64646464, 0x09090909 };
	static const uint16_t	ports[] = { 0, 1, 9, 10, 99, 100, 1723,
				    9999, 10000, 65535 };
	struct sockaddr_in	sin;
	char			buf[32];
	size_t			a, p, len;
	long			i, bad = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_addr.s_addr = htonl(0xc0000201);
	sin.sin_port = htons(1723);
	CHECK(strcmp(sa_str(&sin, buf, sizeof(buf)), "192.0.2.1:1723") == 0,
	    "192.0.2.1:1723: \"%s\"", buf);
	sin.sin_addr.s_addr = htonl(0xffffffff);
	sin.sin_port = htons(65535);
	CHECK(strcmp(sa_str(&sin, buf, sizeof(buf)),
	    "255.255.255.255:65535") == 0, "the longest: \"%s\"", buf);
	sin.sin_addr.s_addr = 0;
	sin.sin_port = 0;
	CHECK(strcmp(sa_str(&sin, buf, sizeof(buf)), "0.0.0.0:0") == 0,
	    "the shortest: \"%s\"", buf);

	for (a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++)
		for (p = 0; p < sizeof(ports) / sizeof(ports[0]); p++)
			for (len = 0; len <= 24; len++)
				if (!same(addrs[a], ports[p], len))
					bad++;
	CHECK(bad == 0, "edge addresses and ports, buffers of 0 to 24 "
	    "bytes: as inet_ntop and snprintf (%ld differ)", bad);

	srandom(1723);
	bad = 0;
	for (i = 0; i < 1000000; i++)
		if (!same((uint32_t)random() ^ ((uint32_t)random() << 16),
		    (uint16_t)random(), (size_t)(random() % 25)))
			bad++;
	CHECK(bad == 0, "a million random addresses, ports and buffer "
	    "lengths: as inet_ntop and snprintf (%ld differ)", bad);
	CHECK_DONE();
}
