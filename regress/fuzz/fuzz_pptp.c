/*
 * libFuzzer target for the control path, as the relay drives it: two
 * control connections (sessions) sharing one Call-ID pool, each with a
 * client and a server byte stream framed by pptp_frame() and translated
 * by pptp_translate(); a violation clears the session.  Both sessions
 * count their calls against one share (as from one client address) of
 * SHARE_MAX calls; a refused call request must leave everything as it
 * was and come with the reply that refuses it.
 *
 * Input: chunks, each one header byte then its bytes.  Header bit 0: the
 * session, bit 1: the side (0 client, 1 server), bits 2-7: length - 1.
 *
 * Checked after every message: bytes other than the Call-ID fields the
 * translation names are as they came (all of them after a violation);
 * every ROUTE_ADD is for a route not there yet, every ROUTE_DEL for one
 * that is; the live calls' presented IDs are distinct, not free in the
 * pool, routed exactly where the calls say; pool and calls account for
 * all 65535 IDs (two for every live call: the replier's is taken with
 * the request); the share counts the live calls.  After each input every
 * ID is back in the pool and the share is empty.
 *
 * The pool's randomness comes from arc4random_uniform(), replaced here by
 * a generator reset for each input: an input always meets the same
 * presented IDs, so the fuzzer can learn them from the comparisons.
 *
 * Built with -DFUZZ_SEED_MAIN instead: a program writing the seed corpus
 * (real messages of every type, whole dialogs) into the directory named.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp.h"

#define NSESS		2
#define CHUNK_MAX	64
#define SHARE_MAX	9	/* less than the sessions' max_calls in all */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct conn {
	struct pptp_sess	 s;
	unsigned int		 max_calls;
	uint8_t			 buf[2][PPTP_MAX_MSG + CHUNK_MAX];
	size_t			 have[2];
	uint8_t			 route[2][65536 / 8];	/* [side][key] */
	unsigned int		 nroutes;
};

static struct callid_pool	 pool, pool0;
static int			 pool0_ready;
static struct conn		 conns[NSESS];
static struct callid_share	 share;
static uint8_t			 inuse[65536 / 8];
static uint32_t			 rng;
static unsigned int		 nclear;

#define BIT(map, id)	((map)[(id) >> 3] & (1 << ((id) & 7)))
#define SET(map, id)	((map)[(id) >> 3] |= (1 << ((id) & 7)))
#define CLR(map, id)	((map)[(id) >> 3] &= ~(1 << ((id) & 7)))

/* Deterministic for each input: see above. */
uint32_t
arc4random_uniform(uint32_t upper)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return (upper > 1 ? rng % upper : 0);
}

/* Apply events to the route table as the GRE forwarder would. */
static void
apply(struct conn *cn, const struct pptp_event *ev, int n)
{
	const struct pptp_call	*c;
	int			 i, side;

	for (i = 0; i < n; i++) {
		c = &ev[i].call;
		side = ev[i].side;
		switch (ev[i].type) {
		case PPTP_EV_ROUTE_ADD:
		case PPTP_EV_ROUTE_DEL:
			if (side != PPTP_CLIENT && side != PPTP_SERVER)
				abort();
			if (!c->have[side] || c->pres[side] == 0)
				abort();
			if (ev[i].type == PPTP_EV_ROUTE_ADD) {
				if (BIT(cn->route[side], c->pres[side]))
					abort();
				SET(cn->route[side], c->pres[side]);
				cn->nroutes++;
			} else {
				if (!BIT(cn->route[side], c->pres[side]))
					abort();
				CLR(cn->route[side], c->pres[side]);
				cn->nroutes--;
			}
			break;
		case PPTP_EV_CALL_FAILED:
			if (ev[i].result == 1)
				abort();
			break;
		case PPTP_EV_CALL_NEW:
		case PPTP_EV_CALL_UP:
		case PPTP_EV_CALL_END:
			break;
		default:
			abort();
		}
	}
}

/* The live calls of every session against the pool and the routes. */
static void
check(void)
{
	struct pptp_call	*c;
	unsigned int		 k, n, ids = 0, calls = 0;
	int			 side;

	for (k = 0; k < NSESS; k++) {
		n = 0;
		TAILQ_FOREACH(c, &conns[k].s.calls, entry) {
			n++;
			if (c->origin > 1 || !c->have[c->origin])
				abort();
			for (side = 0; side < 2; side++) {
				ids++;
				if (c->pres[side] == 0 ||
				    callid_isfree(&pool, c->pres[side]) ||
				    BIT(inuse, c->pres[side]))
					abort();
				SET(inuse, c->pres[side]);
				if (!c->have[side]) {
					if (c->routes & (1 << side))
						abort();
					continue;
				}
				if (!!(c->routes & (1 << side)) !=
				    !!BIT(conns[k].route[side], c->pres[side]))
					abort();
			}
			if (c->have[PPTP_OTHER(c->origin)] &&
			    c->state == CALL_REQUESTED)
				abort();
		}
		if (n != conns[k].s.ncalls || n > conns[k].max_calls)
			abort();
		calls += n;
	}
	if (ids + callid_free(&pool) != 65535 || calls != share.calls ||
	    calls > SHARE_MAX)
		abort();
	for (k = 0; k < NSESS; k++)
		TAILQ_FOREACH(c, &conns[k].s.calls, entry)
			for (side = 0; side < 2; side++)
				CLR(inuse, c->pres[side]);
}

static void
clear(struct conn *cn)
{
	struct pptp_event	ev[PPTP_MAX_EVENTS];
	int			n, max;

	/* every batch size, in turn */
	max = 1 + nclear++ % PPTP_MAX_EVENTS;
	while ((n = pptp_sess_clear(&cn->s, ev, max)) > 0) {
		if (n > max)
			abort();
		apply(cn, ev, n);
	}
	if (cn->nroutes != 0 || cn->s.ncalls != 0 ||
	    !TAILQ_EMPTY(&cn->s.calls))
		abort();
	pptp_sess_init(&cn->s, &pool, cn->max_calls);
	pptp_sess_share(&cn->s, &share, SHARE_MAX);
	cn->have[0] = cn->have[1] = 0;
}

/*
 * Does call c account for a field at off rewritten from `before` to
 * `after` in a message of `type` from side `from`?  The sender's own ID
 * goes real -> presented, the receiver's presented -> real; a failed
 * reply shows 0 for the replier's ID.
 */
static int
explains(const struct pptp_call *c, unsigned int type, int from,
    uint16_t off, uint16_t before, uint16_t after, int failed)
{
	int	o = PPTP_OTHER(from), own;

	switch (type) {
	case PPTP_OCRQ:
	case PPTP_ICRQ:
		if (c->origin != from || c->kind != type)
			return (0);
		own = off == 12 ? 1 : -1;
		break;
	case PPTP_OCRP:
	case PPTP_ICRP:
		if (c->origin != o || c->kind != type - 1)
			return (0);
		own = off == 12 ? 1 : off == 14 ? 0 : -1;
		if (own == 1 && failed)
			return (after == 0 && !c->have[from]);
		break;
	case PPTP_CCRQ:
	case PPTP_CDN:
		own = off == 12 ? 1 : -1;
		break;
	case PPTP_ICCN:
	case PPTP_WEN:
	case PPTP_SLI:
		own = off == 12 ? 0 : -1;
		break;
	default:
		return (0);
	}
	if (own == 1)
		return (c->have[from] && c->real[from] == before &&
		    c->pres[from] == after);
	if (own == 0)
		return (c->have[o] && c->pres[o] == before &&
		    c->real[o] == after);
	return (0);
}

/*
 * Every Call-ID field rewritten must be explained by one call: a live
 * one of the session, or the copy an event carries of a call it ended.
 * Types with Call IDs must rewrite them all: 12 and 14 in replies, 12 in
 * the rest.
 */
static void
oracle(struct conn *cn, int from, const struct pptp_xlate *x)
{
	const struct pptp_call	*c, *hit;
	unsigned int		 type = x->type;
	int			 i, k, failed = 0, want;

	for (i = 0; i < x->nev; i++)
		if (x->ev[i].type == PPTP_EV_CALL_FAILED)
			failed = 1;
	want = type < PPTP_OCRQ ? 0 :
	    type == PPTP_OCRP || type == PPTP_ICRP ? 2 : 1;
	if (x->nids != want)
		abort();
	hit = NULL;
	TAILQ_FOREACH(c, &cn->s.calls, entry) {
		for (k = 0; k < x->nids; k++)
			if (!explains(c, type, from, x->off[k], x->before[k],
			    x->after[k], failed))
				break;
		if (k == x->nids) {
			hit = c;
			break;
		}
	}
	for (i = 0; hit == NULL && i < x->nev; i++) {
		if (x->ev[i].type != PPTP_EV_CALL_END &&
		    x->ev[i].type != PPTP_EV_CALL_FAILED)
			continue;
		c = &x->ev[i].call;
		for (k = 0; k < x->nids; k++)
			if (!explains(c, type, from, x->off[k], x->before[k],
			    x->after[k], failed))
				break;
		if (k == x->nids)
			hit = c;
	}
	if (want > 0 && hit == NULL)
		abort();
	/* a call ends (and only then) with 13 or a failed reply */
	if ((type == PPTP_CDN || failed) !=
	    (x->nev > 0 && (x->ev[x->nev - 1].type == PPTP_EV_CALL_END ||
	    x->ev[x->nev - 1].type == PPTP_EV_CALL_FAILED)))
		abort();
	if (failed && type != PPTP_OCRP && type != PPTP_ICRP)
		abort();
}

/* One whole message: translate, check what changed. */
static int
message(struct conn *cn, int side, uint8_t *msg, size_t len, time_t now)
{
	struct pptp_xlate	 x;
	uint8_t			 orig[PPTP_MAX_MSG];
	char			 line[256], tiny[24];
	const char		*err = NULL;
	size_t			 i, rlen;
	unsigned int		 t;
	int			 r, k, isid;

	memcpy(orig, msg, len);
	r = pptp_translate(&cn->s, side, msg, len, now, &x, &err);
	if (r == -1) {
		if (err == NULL || memcmp(msg, orig, len) != 0)
			abort();
#ifdef FUZZ_SEED_MAIN
		fprintf(stderr, "%s\n", err);
#endif
		return (-1);
	}
	if (r == PPTP_REFUSED) {
		/* Nothing changed; the reply names the request's Call ID. */
		t = pptp_get16(msg, len, 8);
		if (err == NULL || memcmp(msg, orig, len) != 0 ||
		    x.nev != 0 || x.nids != 0 ||
		    (t != PPTP_OCRQ && t != PPTP_ICRQ) ||
		    pptp_frame(x.reply, x.replylen, &rlen, NULL) !=
		    PPTP_WHOLE || rlen != x.replylen ||
		    pptp_get16(x.reply, rlen, 8) != t + 1 ||
		    pptp_get16(x.reply, rlen, 14) !=
		    pptp_get16(msg, len, 12) || x.reply[16] == 1)
			abort();
		return (0);
	}
	if (r != 0 || x.nids < 0 || x.nids > PPTP_MAX_IDS || x.nev < 0 ||
	    x.nev > PPTP_MAX_EVENTS || x.type != pptp_get16(msg, len, 8))
		abort();
	for (i = 0; i < len; i++) {
		isid = 0;
		for (k = 0; k < x.nids; k++)
			if (i == x.off[k] || i == x.off[k] + 1u)
				isid = 1;
		if (!isid && msg[i] != orig[i])
			abort();
	}
	for (k = 0; k < x.nids; k++)
		if (x.off[k] + 2u > len ||
		    pptp_get16(orig, len, x.off[k]) != x.before[k] ||
		    pptp_get16(msg, len, x.off[k]) != x.after[k])
			abort();
	oracle(cn, side, &x);
	apply(cn, x.ev, x.nev);
	if ((size_t)pptp_describe(msg, len, &x, line, sizeof(line)) !=
	    strlen(line) ||
	    pptp_describe(msg, len, NULL, tiny, sizeof(tiny)) < 0 ||
	    strlen(tiny) >= sizeof(tiny))
		abort();
	(void)pptp_sess_overdue(&cn->s, now);
	return (0);
}

static void
setup(void)
{
	unsigned int	k;

	/* The same pool for every input; copying it is faster. */
	if (!pool0_ready) {
		rng = 0x2545f491;
		callid_init(&pool0);
		pool0_ready = 1;
	}
	memcpy(&pool, &pool0, sizeof(pool));
	rng = 0x9e3779b9;
	share.calls = 0;
	for (k = 0; k < NSESS; k++) {
		conns[k].max_calls = k == 0 ? 8 : 3;
		pptp_sess_init(&conns[k].s, &pool, conns[k].max_calls);
		pptp_sess_share(&conns[k].s, &share, SHARE_MAX);
		conns[k].have[0] = conns[k].have[1] = 0;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conn	*cn;
	uint8_t		 msg[PPTP_MAX_MSG];
	const char	*err;
	size_t		 i = 0, n, len, *have;
	uint8_t		*buf;
	int		 side, r;
	unsigned int	 k;

	setup();
	while (i < size) {
		cn = &conns[data[i] & 1];
		side = (data[i] >> 1) & 1;
		n = (size_t)(data[i] >> 2) + 1;
		i++;
		if (n > size - i)
			n = size - i;
		buf = cn->buf[side];
		have = &cn->have[side];
		memcpy(buf + *have, data + i, n);
		*have += n;
		i += n;
		for (;;) {
			err = NULL;
			r = pptp_frame(buf, *have, &len, &err);
			if (r == PPTP_NEED) {
				if (*have >= PPTP_MAX_MSG)
					abort();
				break;
			}
			if (r == PPTP_BAD) {
				if (err == NULL)
					abort();
				clear(cn);
				break;
			}
			if (len < PPTP_HDR_LEN || len > *have ||
			    len != pptp_msg_size(pptp_get16(buf, len, 8)))
				abort();
			memcpy(msg, buf, len);
			memmove(buf, buf + len, *have - len);
			*have -= len;
			if (message(cn, side, msg, len, (time_t)i) == -1) {
				clear(cn);
				break;
			}
			check();
		}
	}
	for (k = 0; k < NSESS; k++)
		clear(&conns[k]);
	if (callid_free(&pool) != 65535 || share.calls != 0)
		abort();
	return (0);
}

#ifdef FUZZ_SEED_MAIN
/*
 * Seeds.  The writer keeps its own sessions in step with what the target
 * will do with the input (same pool state, same messages in the same
 * order), so it knows the presented IDs replies must name.
 */
static uint8_t	 seed[16384];
static size_t	 seedlen;
static int	 chunkmode;	/* 0: whole chunks, 1: small, 2: mixed */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A message as real peers send it. */
static size_t
build(uint8_t *m, unsigned int t, uint16_t a, uint16_t b, uint8_t result)
{
	size_t	n = pptp_msg_size(t);

	memset(m, 0, n);
	put16(m, (uint16_t)n);
	put16(m + 2, PPTP_MSG_CONTROL);
	put16(m + 4, 0x1a2b);
	put16(m + 6, 0x3c4d);
	put16(m + 8, (uint16_t)t);
	switch (t) {
	case PPTP_SCCRQ:
	case PPTP_SCCRP:
		put16(m + 12, PPTP_VERSION);
		if (t == PPTP_SCCRP)
			m[14] = 1;		/* result: OK */
		m[19] = 3;			/* framing: async + sync */
		m[23] = 3;			/* bearer: analog + digital */
		put16(m + 24, 16);		/* max channels */
		put16(m + 26, 0x0100);		/* firmware */
		memcpy(m + 28, "vpn.example", 11);
		memcpy(m + 92, "seed", 4);
		break;
	case PPTP_STOPCCRQ:
		m[12] = 1;			/* reason: general */
		break;
	case PPTP_STOPCCRP:
		m[12] = 1;
		break;
	case PPTP_ECHORQ:
	case PPTP_ECHORP:
		put16(m + 12, 0x0102);
		put16(m + 14, 0x0304);
		if (t == PPTP_ECHORP)
			m[16] = 1;
		break;
	case PPTP_OCRQ:
		put16(m + 12, a);
		put16(m + 14, b);		/* serial */
		m[19] = 0x64;			/* min bps */
		put16(m + 22, 0x9680);		/* max bps */
		m[27] = 3;
		m[31] = 3;
		put16(m + 32, 64);		/* window */
		break;
	case PPTP_OCRP:
	case PPTP_ICRP:
		put16(m + 12, a);
		put16(m + 14, b);
		m[16] = result;
		if (t == PPTP_OCRP) {
			put16(m + 20, 0x9680);	/* connect speed */
			put16(m + 24, 64);
		} else
			put16(m + 18, 64);
		break;
	case PPTP_ICRQ:
		put16(m + 12, a);
		put16(m + 14, b);
		m[19] = 1;			/* bearer */
		break;
	case PPTP_ICCN:
		put16(m + 12, a);
		put16(m + 16, 0x9680);
		put16(m + 20, 64);
		m[27] = 1;
		break;
	case PPTP_CCRQ:
		put16(m + 12, a);
		break;
	case PPTP_CDN:
		put16(m + 12, a);
		m[14] = 3;			/* result: admin shutdown */
		break;
	case PPTP_WEN:
	case PPTP_SLI:
		put16(m + 12, a);
		if (t == PPTP_SLI)
			put16(m + 18, 0xffff);	/* ACCM */
		break;
	}
	return (n);
}

/* Append a message from `side` of session k to the seed, in chunks. */
static void
emit(unsigned int k, int side, const uint8_t *m, size_t n)
{
	size_t	off = 0, c;

	while (off < n) {
		c = chunkmode == 0 ? CHUNK_MAX : chunkmode == 1 ? 7 :
		    (off * 13 + n) % CHUNK_MAX + 1;
		if (c > n - off)
			c = n - off;
		seed[seedlen++] = (uint8_t)(k | side << 1 | (c - 1) << 2);
		memcpy(seed + seedlen, m + off, c);
		seedlen += c;
		off += c;
	}
}

/* Append a message and translate it as the target will; the result. */
static const uint8_t *
say(unsigned int k, int side, unsigned int t, uint16_t a, uint16_t b,
    uint8_t result)
{
	static uint8_t	 m[PPTP_MAX_MSG];
	size_t		 n;

	n = build(m, t, a, b, result);
	emit(k, side, m, n);
	if (message(&conns[k], side, m, n, (time_t)seedlen) == -1) {
		fprintf(stderr, "seed %zu: %s refused\n", seedlen,
		    pptp_msg_name(t));
		exit(1);
	}
	check();
	return (m);
}

/* Append a message the target must refuse; its session is cleared. */
static void
refuse(unsigned int k, int side, unsigned int t, uint16_t a, uint16_t b,
    uint8_t result)
{
	uint8_t	 m[PPTP_MAX_MSG];
	size_t	 n;

	n = build(m, t, a, b, result);
	emit(k, side, m, n);
	if (message(&conns[k], side, m, n, (time_t)seedlen) != -1) {
		fprintf(stderr, "seed %zu: %s accepted\n", seedlen,
		    pptp_msg_name(t));
		exit(1);
	}
	clear(&conns[k]);
	check();
}

static uint16_t
get(const uint8_t *m, size_t off)
{
	return ((uint16_t)(m[off] << 8 | m[off + 1]));
}

static void
begin(int mode)
{
	setup();
	seedlen = 0;
	chunkmode = mode;
}

static void
finish(const char *dir, const char *name)
{
	char	 path[1024];
	FILE	*f;
	unsigned int	k;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(seed, 1, seedlen, f) != seedlen || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	for (k = 0; k < NSESS; k++)
		clear(&conns[k]);
}

static void
start(unsigned int k)
{
	say(k, PPTP_CLIENT, PPTP_SCCRQ, 0, 0, 0);
	say(k, PPTP_SERVER, PPTP_SCCRP, 0, 0, 0);
}

int
main(int argc, char *argv[])
{
	const uint8_t	*m;
	uint16_t	 P, Q, P2, Q2;
	char		 name[64];
	unsigned int	 t;
	int		 side, mode;

	if (argc != 2) {
		fprintf(stderr, "usage: %s corpus-dir\n", argv[0]);
		return (1);
	}
	/* every type alone, from either side */
	for (t = 1; t <= PPTP_CTRL_MAX; t++)
		for (side = 0; side < 2; side++) {
			uint8_t	 mm[PPTP_MAX_MSG];

			begin(0);
			emit(0, side, mm, build(mm, t, 1, 1, 1));
			snprintf(name, sizeof(name), "type%02u_%s", t,
			    side ? "server" : "client");
			finish(argv[1], name);
		}

	for (mode = 0; mode < 3; mode++) {
		/* outgoing call: 1, 2, 5, 6, 7, 8, 15, 15, 14, 12, 13, 3, 4 */
		begin(mode);
		start(0);
		say(0, PPTP_CLIENT, PPTP_ECHORQ, 0, 0, 0);
		say(0, PPTP_SERVER, PPTP_ECHORP, 0, 0, 0);
		m = say(0, PPTP_CLIENT, PPTP_OCRQ, 0, 1, 0);
		P = get(m, 12);
		m = say(0, PPTP_SERVER, PPTP_OCRP, 0x4000, P, 1);
		Q = get(m, 12);
		say(0, PPTP_CLIENT, PPTP_SLI, Q, 0, 0);
		say(0, PPTP_SERVER, PPTP_SLI, P, 0, 0);
		say(0, PPTP_SERVER, PPTP_WEN, P, 0, 0);
		say(0, PPTP_CLIENT, PPTP_CCRQ, 0, 0, 0);
		say(0, PPTP_SERVER, PPTP_CDN, 0x4000, 0, 0);
		say(0, PPTP_CLIENT, PPTP_STOPCCRQ, 0, 0, 0);
		say(0, PPTP_SERVER, PPTP_STOPCCRP, 0, 0, 0);
		snprintf(name, sizeof(name), "outgoing%d", mode);
		finish(argv[1], name);

		/* incoming call: 1, 2, 9, 10, 11, 15, 13 */
		begin(mode);
		start(1);
		m = say(1, PPTP_SERVER, PPTP_ICRQ, 0x77, 1, 0);
		P = get(m, 12);
		m = say(1, PPTP_CLIENT, PPTP_ICRP, 5, P, 1);
		Q = get(m, 12);
		say(1, PPTP_SERVER, PPTP_ICCN, Q, 0, 0);
		say(1, PPTP_CLIENT, PPTP_SLI, P, 0, 0);
		say(1, PPTP_SERVER, PPTP_CDN, 0x77, 0, 0);
		snprintf(name, sizeof(name), "incoming%d", mode);
		finish(argv[1], name);
	}

	/* two sessions, both clients Call ID 0; a failed call; a clear */
	begin(2);
	start(0);
	start(1);
	m = say(0, PPTP_CLIENT, PPTP_OCRQ, 0, 1, 0);
	P = get(m, 12);
	m = say(1, PPTP_CLIENT, PPTP_OCRQ, 0, 1, 0);
	P2 = get(m, 12);
	m = say(0, PPTP_SERVER, PPTP_OCRP, 0x100, P, 1);
	Q = get(m, 12);
	m = say(1, PPTP_SERVER, PPTP_OCRP, 0x100, P2, 1);
	Q2 = get(m, 12);
	say(0, PPTP_CLIENT, PPTP_SLI, Q, 0, 0);
	say(1, PPTP_CLIENT, PPTP_SLI, Q2, 0, 0);
	m = say(0, PPTP_CLIENT, PPTP_OCRQ, 1, 2, 0);
	P = get(m, 12);
	say(0, PPTP_SERVER, PPTP_OCRP, 0x101, P, 7);
	say(1, PPTP_SERVER, PPTP_CDN, 0x100, 0, 0);
	finish(argv[1], "twosessions");

	/* several calls of both kinds on one connection */
	begin(0);
	start(0);
	m = say(0, PPTP_CLIENT, PPTP_OCRQ, 10, 1, 0);
	P = get(m, 12);
	m = say(0, PPTP_SERVER, PPTP_ICRQ, 20, 2, 0);
	P2 = get(m, 12);
	m = say(0, PPTP_SERVER, PPTP_OCRP, 30, P, 1);
	Q = get(m, 12);
	m = say(0, PPTP_CLIENT, PPTP_ICRP, 40, P2, 1);
	Q2 = get(m, 12);
	say(0, PPTP_SERVER, PPTP_ICCN, Q2, 0, 0);
	say(0, PPTP_CLIENT, PPTP_SLI, Q, 0, 0);
	say(0, PPTP_CLIENT, PPTP_SLI, P2, 0, 0);
	say(0, PPTP_SERVER, PPTP_CCRQ, 20, 0, 0);
	say(0, PPTP_CLIENT, PPTP_CDN, 40, 0, 0);
	say(0, PPTP_CLIENT, PPTP_CCRQ, 10, 0, 0);
	finish(argv[1], "severalcalls");

	/* refused at the end: a reply of the wrong kind, a reused ID */
	begin(0);
	start(0);
	m = say(0, PPTP_CLIENT, PPTP_OCRQ, 10, 1, 0);
	P = get(m, 12);
	refuse(0, PPTP_SERVER, PPTP_ICRP, 30, P, 1);
	finish(argv[1], "badkind");
	begin(0);
	start(0);
	m = say(0, PPTP_CLIENT, PPTP_OCRQ, 10, 1, 0);
	P = get(m, 12);
	m = say(0, PPTP_CLIENT, PPTP_OCRQ, 11, 2, 0);
	P2 = get(m, 12);
	say(0, PPTP_SERVER, PPTP_OCRP, 30, P, 1);
	refuse(0, PPTP_SERVER, PPTP_OCRP, 30, P2, 1);
	finish(argv[1], "reusedreply");
	return (0);
}
#endif /* FUZZ_SEED_MAIN */
