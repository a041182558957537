/*
 * Call-ID pool: the free IDs 1..65535 in a ring.  An ID is drawn at random
 * among the first few free ones and goes back at the tail when released,
 * so it is not handed out again until most other free IDs have been.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>

#include "pptp.h"

#define CALLID_N	65535
#define CALLID_DRAW	1024	/* how far into the ring a draw reaches */

void
callid_init(struct callid_pool *p)
{
	uint32_t	i, j;
	uint16_t	t;

	for (i = 0; i < CALLID_N; i++)
		p->ring[i] = (uint16_t)(i + 1);
	/* Fisher-Yates */
	for (i = CALLID_N - 1; i > 0; i--) {
		j = arc4random_uniform(i + 1);
		t = p->ring[i];
		p->ring[i] = p->ring[j];
		p->ring[j] = t;
	}
	p->head = 0;
	p->count = CALLID_N;
}

int
callid_get(struct callid_pool *p, uint16_t *id)
{
	uint32_t	reach, j;
	uint16_t	t;

	if (p->count == 0)
		return (-1);
	reach = p->count < CALLID_DRAW ? p->count : CALLID_DRAW;
	j = (p->head + arc4random_uniform(reach)) % CALLID_N;
	t = p->ring[j];
	p->ring[j] = p->ring[p->head];
	p->ring[p->head] = t;
	*id = t;
	p->head = (p->head + 1) % CALLID_N;
	p->count--;
	return (0);
}

void
callid_put(struct callid_pool *p, uint16_t id)
{
	if (id == 0 || p->count >= CALLID_N)
		return;
	p->ring[(p->head + p->count) % CALLID_N] = id;
	p->count++;
}

uint32_t
callid_free(const struct callid_pool *p)
{
	return (p->count);
}
