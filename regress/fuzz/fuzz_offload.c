/*
 * libFuzzer target for offload_parse(): the input is what a netlink
 * socket could hand the parent after a gre offload request (set element
 * dumps, acknowledgements, errors, NLMSG_DONE).  Every key handed to the
 * callback must lie inside the input, which is copied to a buffer of
 * exactly its size so that AddressSanitizer catches a read past it.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxy.h"
#include "offload.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct span {
	const uint8_t	*lo, *hi;
};

static void
elem(const uint8_t *key, size_t klen, uint64_t pk, uint64_t by, void *arg)
{
	struct span	*s = arg;
	volatile uint8_t x = 0;
	size_t		 i;

	if (key < s->lo || key > s->hi || klen > (size_t)(s->hi - key))
		abort();
	for (i = 0; i < klen; i++)
		x ^= key[i];
	(void)x;
	(void)pk;
	(void)by;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct span	 s;
	uint8_t		*b;
	int		 err, acks, r;

	if ((b = malloc(len ? len : 1)) == NULL)
		return (0);
	memcpy(b, data, len);
	s.lo = b;
	s.hi = b + len;
	r = offload_parse(b, len, elem, &s, &err, &acks);
	if (r < -1 || r > 1 || acks < 0)
		abort();
	free(b);
	return (0);
}
