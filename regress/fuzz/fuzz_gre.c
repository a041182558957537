/*
 * libFuzzer target for gre_check(): the input is a GRE packet (IP header
 * removed).  The verdict must agree with the rules of RFC 2637 4.1 as
 * written out again below, and an accepted header must lie inside the
 * packet.  The packet is copied to a buffer of exactly its size, so a
 * read past it is caught by AddressSanitizer.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pptp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The same rules, bit by bit. */
static int
expect(const uint8_t *p, size_t len, size_t *hlen)
{
	size_t	h = 8;

	if (len < 8)
		return (-1);
	if (p[0] & 0x80 || p[0] & 0x40 || !(p[0] & 0x20) || p[0] & 0x08 ||
	    p[0] & 0x07)		/* C, R, K, s, recursion */
		return (-1);
	if (p[1] & 0x78 || (p[1] & 0x07) != 1)	/* flags, version */
		return (-1);
	if (p[2] != 0x88 || p[3] != 0x0b)
		return (-1);
	if (p[0] & 0x10)		/* S: sequence number */
		h += 4;
	if (p[1] & 0x80)		/* A: acknowledgment number */
		h += 4;
	if (len < h)
		return (-1);
	if ((size_t)(p[4] << 8 | p[5]) > len - h)
		return (-1);
	if (!(p[0] & 0x10) && (p[4] | p[5]) != 0)
		return (-1);
	*hlen = h;
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	*pkt;
	size_t	 keyoff = 0, hlen = 0, want = 0;
	int	 r;

	if ((pkt = malloc(size ? size : 1)) == NULL)
		return (0);
	memcpy(pkt, data, size);
	r = gre_check(pkt, size, &keyoff, &hlen);
	if (r != expect(pkt, size, &want))
		abort();
	if (r == 0 && (keyoff != 6 || hlen != want || hlen > size ||
	    keyoff + 2 > hlen))
		abort();
	if (memcmp(pkt, data, size) != 0)
		abort();
	free(pkt);
	return (0);
}
