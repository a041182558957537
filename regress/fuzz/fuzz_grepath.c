/*
 * libFuzzer target for the GRE forwarder's per-packet path: an IPv4
 * packet as the raw socket delivers it, through gre_translate() with a
 * table holding a few routes.  A forwarded packet must stay inside the
 * input and carry the route's real Call ID.
 */

#include <sys/types.h>

#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxy.h"
#include "pptp.h"
#include "gre.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct gre_table	t;
static uint8_t		pkt[65536];

static void
setup(void)
{
	struct gre_route	gr;
	unsigned int		i;

	if ((t.routes = calloc(65536, sizeof(*t.routes))) == NULL)
		abort();
	for (i = 0; i < 4; i++) {
		memset(&gr, 0, sizeof(gr));
		gr.sess = i + 1;
		gr.key = (uint16_t)(i * 16384 + 1);	/* 1, 16385, ... */
		gr.newkey = (uint16_t)i;
		gr.from.s_addr = htonl(0xc000020a);	/* 192.0.2.10 */
		gr.to.s_addr = htonl(0xc6336402);
		gr.dst.s_addr = htonl(0xc0000201);	/* 192.0.2.1 */
		if (gre_table_add(&t, &gr) == -1)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gre_route_ent	*r;
	uint8_t			*g;
	size_t			 glen;

	if (t.routes == NULL)
		setup();
	if (size > sizeof(pkt))
		return (0);
	memcpy(pkt, data, size);
	r = gre_translate(&t, pkt, size, &g, &glen);
	if (r != NULL) {
		if (g < pkt || g + glen > pkt + size || glen < GRE_HDR_MIN)
			abort();
		if (((g[6] << 8) | g[7]) != r->newkey)
			abort();
	}
	return (0);
}
