/*
 * libFuzzer target for the control path: the input is a byte stream cut
 * into chunks, each chunk from a side chosen by its first byte, framed
 * and translated by two sessions sharing one Call-ID pool, as the relay
 * does.  Checks that the pool and the live calls stay consistent.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pptp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct callid_pool	pool;
static int			inited;

static void
check(struct pptp_sess *s)
{
	struct pptp_call	*c;
	int			 i;

	TAILQ_FOREACH(c, &s->calls, entry)
		for (i = 0; i < 2; i++)
			if (c->have[i] && c->pres[i] == 0)
				abort();
}

static void
clear(struct pptp_sess *s)
{
	struct pptp_event	ev[PPTP_MAX_EVENTS];

	while (pptp_sess_clear(s, ev, PPTP_MAX_EVENTS) > 0)
		;
	pptp_sess_init(s, &pool, 8);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pptp_sess	 sess[2];
	struct pptp_xlate	 x;
	uint8_t			 buf[2][512], msg[PPTP_MAX_MSG];
	size_t			 have[2] = { 0, 0 }, len, chunk, i = 0;
	const char		*err;
	int			 side, k, r;

	if (!inited) {
		callid_init(&pool);
		inited = 1;
	}
	pptp_sess_init(&sess[0], &pool, 8);
	pptp_sess_init(&sess[1], &pool, 8);
	while (i + 2 <= size) {
		k = data[i] & 1;		/* which session */
		side = (data[i] >> 1) & 1;
		chunk = (size_t)data[i + 1] % 64 + 1;
		i += 2;
		if (chunk > size - i)
			chunk = size - i;
		if (have[side] + chunk > sizeof(buf[side]))
			have[side] = 0;
		memcpy(buf[side] + have[side], data + i, chunk);
		have[side] += chunk;
		i += chunk;
		for (;;) {
			err = NULL;
			r = pptp_frame(buf[side], have[side], &len, &err);
			if (r == PPTP_BAD) {
				clear(&sess[k]);
				have[side] = 0;
				break;
			}
			if (r == PPTP_NEED)
				break;
			memcpy(msg, buf[side], len);
			memmove(buf[side], buf[side] + len, have[side] - len);
			have[side] -= len;
			if (pptp_translate(&sess[k], side, msg, len, 1, &x,
			    &err) == -1) {
				if (err == NULL)
					abort();
				clear(&sess[k]);
			}
			check(&sess[k]);
		}
	}
	clear(&sess[0]);
	clear(&sess[1]);
	if (callid_free(&pool) != 65535)
		abort();
	return (0);
}
