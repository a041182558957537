/*
 * The GRE forwarders' raw sockets with relays N (os_gre_shard()): the
 * kernel's filter on each passes only PPTP GRE packets whose Call ID is
 * in its range, and with "rest" every packet that is not PPTP's GRE or
 * too short to carry a Call ID.  Real raw sockets in a network namespace
 * of the test's own (Linux, root): three sockets (0..16383 with the
 * rest, 16384..32767, 32768..65535), a packet sent on loopback for each
 * case, and which sockets it reached; IP options before the GRE header
 * too.  The filter is locked: taking it off fails.  Without root, or
 * where the system has no such filter, a counted skip.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os.h"
#include "check.h"
#include "netns.h"

#define NSOCK	3

static int	socks[NSOCK];
static int	out = -1;
static uint32_t	tag;

/*
 * Sends proto/key (a PPTP GRE header when proto is 0x880b) with len
 * bytes of GRE in all (at least 4), the first after the header a tag;
 * returns a mask of the sockets it reached, -1 on a send error.
 */
static int
reach(uint16_t proto, uint16_t key, size_t len)
{
	uint8_t			pkt[64], buf[256];
	struct sockaddr_in	to;
	struct pollfd		pfd[NSOCK];
	unsigned int		i;
	ssize_t			n;
	size_t			ihl;
	int			mask = 0, round;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x20;			/* K */
	pkt[1] = 0x01;			/* version 1 */
	pkt[2] = (uint8_t)(proto >> 8);
	pkt[3] = (uint8_t)proto;
	pkt[6] = (uint8_t)(key >> 8);
	pkt[7] = (uint8_t)key;
	tag++;
	if (len >= 12)
		memcpy(pkt + 8, &tag, sizeof(tag));
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sendto(out, pkt, len, 0, (struct sockaddr *)&to,
	    sizeof(to)) == -1)
		return (-1);
	/* Whatever came within 200 ms, each socket drained. */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < NSOCK; i++) {
			pfd[i].fd = socks[i];
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, NSOCK, round == 0 ? 200 : 50) <= 0)
			break;
		for (i = 0; i < NSOCK; i++)
			while ((n = recv(socks[i], buf, sizeof(buf), 0)) > 0) {
				ihl = (size_t)(buf[0] & 0x0f) * 4;
				if ((size_t)n != ihl + len ||
				    memcmp(buf + ihl, pkt, len) != 0)
					continue;	/* not this one */
				mask |= 1 << i;
			}
	}
	return (mask);
}

static const char *
names(int mask)
{
	static char	s[32];
	unsigned int	i;

	if (mask == -1)
		return ("(send failed)");
	s[0] = '\0';
	for (i = 0; i < NSOCK; i++)
		if (mask & (1 << i))
			snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%u",
			    s[0] != '\0' ? "," : "", i);
	return (s[0] != '\0' ? s : "none");
}

int
main(void)
{
	static const struct {
		uint16_t	 proto, key;
		size_t		 len;
		int		 want;
		const char	*what;
	} cases[] = {
		{ 0x880b, 5, 16, 1, "Call ID 5" },
		{ 0x880b, 0, 16, 1, "Call ID 0" },
		{ 0x880b, 16383, 16, 1, "Call ID 16383" },
		{ 0x880b, 16384, 16, 2, "Call ID 16384" },
		{ 0x880b, 32767, 16, 2, "Call ID 32767" },
		{ 0x880b, 32768, 16, 4, "Call ID 32768" },
		{ 0x880b, 65535, 16, 4, "Call ID 65535" },
		{ 0x880b, 20000, 8, 2, "Call ID 20000, the GRE header alone" },
		{ 0x0800, 20000, 16, 1, "IPv4 in GRE (not PPTP's)" },
		{ 0x880b, 40000, 6, 1, "6 bytes of GRE (no Call ID)" },
		{ 0x880b, 40000, 4, 1, "4 bytes of GRE" },
	};
	static const uint8_t	nops[4] = { 1, 1, 1, 0 };	/* NOP NOP NOP EOL */
	static const unsigned int lo[NSOCK] = { 0, 16384, 32768 };
	static const unsigned int hi[NSOCK] = { 16383, 32767, 65535 };
	unsigned int	i;
	int		m, off = 0;

	if (geteuid() != 0) {
		printf("skip - os_gre_shard: raw sockets and a network "
		    "namespace need root\n");
		CHECK_DONE();
	}
	if (netns_own() == -1) {
		printf("skip - os_gre_shard: no network namespace of its own: "
		    "%s\n", strerror(errno));
		CHECK_DONE();
	}
	for (i = 0; i < NSOCK; i++) {
		if ((socks[i] = os_gre_socket()) == -1) {
			printf("# raw socket: %s\n", strerror(errno));
			abort();
		}
		if (os_gre_shard(socks[i], lo[i], hi[i], i == 0) == -1) {
			printf("skip - os_gre_shard: %s\n", strerror(errno));
			CHECK_DONE();
		}
	}
	if ((out = socket(AF_INET, SOCK_RAW, IPPROTO_GRE)) == -1) {
		printf("# raw socket: %s\n", strerror(errno));
		abort();
	}
	CHECK(setsockopt(socks[1], SOL_SOCKET, SO_DETACH_FILTER, &off,
	    sizeof(off)) == -1 && errno == EPERM,
	    "the filter is locked: taking it off fails (EPERM)");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = reach(cases[i].proto, cases[i].key, cases[i].len);
		CHECK(m == cases[i].want, "%s: socket %s (reached %s)",
		    cases[i].what, names(cases[i].want), names(m));
	}
	/* Three words of IP options: the GRE header further on. */
	if (setsockopt(out, IPPROTO_IP, IP_OPTIONS, nops,
	    sizeof(nops)) == -1) {
		printf("skip - IP options: %s\n", strerror(errno));
	} else {
		m = reach(0x880b, 30000, 16);
		CHECK(m == 2, "Call ID 30000 after 4 bytes of IP options: "
		    "socket 1 (reached %s)", names(m));
		m = reach(0x0800, 30000, 16);
		CHECK(m == 1, "IPv4 in GRE after IP options: socket 0 "
		    "(reached %s)", names(m));
	}
	for (i = 0; i < NSOCK; i++)
		close(socks[i]);
	close(out);
	CHECK_DONE();
}
