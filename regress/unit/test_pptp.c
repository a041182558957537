/*
 * The control-message codec: framing, validation, and the Call-ID rules
 * for every message type in both directions.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp.h"

static int	npass, nfail;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		npass++;						\
		printf("ok %d - ", npass + nfail);			\
	} else {							\
		nfail++;						\
		printf("not ok %d - (line %d) ", npass + nfail,	\
		    __LINE__);						\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

static const uint16_t sizes[16] = { 0, 156, 156, 16, 16, 16, 20, 168, 32,
    220, 24, 28, 16, 148, 40, 24 };

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t
get16(const uint8_t *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

/* A message of type t with a recognisable filler in every other byte. */
static size_t
mk(uint8_t *m, unsigned int t)
{
	size_t	i, n = sizes[t];

	for (i = 0; i < n; i++)
		m[i] = (uint8_t)(0xa0 + i);
	put16(m, (uint16_t)n);
	put16(m + 2, 1);
	m[4] = 0x1a; m[5] = 0x2b; m[6] = 0x3c; m[7] = 0x4d;
	put16(m + 8, (uint16_t)t);
	put16(m + 10, 0);
	return (n);
}

static size_t
mk_id(uint8_t *m, unsigned int t, uint16_t a, uint16_t b, uint8_t result)
{
	size_t	n = mk(m, t);

	put16(m + 12, a);
	if (t == PPTP_OCRP || t == PPTP_ICRP) {
		put16(m + 14, b);
		m[16] = result;
	}
	return (n);
}

static struct callid_pool	pool;

static int
xl(struct pptp_sess *s, int from, uint8_t *m, size_t n, struct pptp_xlate *x)
{
	const char	*err = NULL;
	int		 r;

	r = pptp_translate(s, from, m, n, 100, x, &err);
	if (r == -1 && getenv("TEST_VERBOSE"))
		printf("# %s\n", err);
	return (r);
}

/* Sessions set up by start(), cleared before reuse and at the end. */
static struct pptp_sess	*live[8];

static void
finish(struct pptp_sess *s)
{
	struct pptp_event	ev[PPTP_MAX_EVENTS];

	while (pptp_sess_clear(s, ev, PPTP_MAX_EVENTS) > 0)
		;
}

static void
start(struct pptp_sess *s)
{
	struct pptp_xlate	x;
	uint8_t			m[PPTP_MAX_MSG];
	int			i;

	for (i = 0; i < 8; i++)
		if (live[i] == s)
			break;
	if (i < 8)
		finish(s);
	else
		for (i = 0; i < 8; i++)
			if (live[i] == NULL) {
				live[i] = s;
				break;
			}
	pptp_sess_init(s, &pool, 4);
	xl(s, PPTP_CLIENT, m, mk(m, PPTP_SCCRQ), &x);
	xl(s, PPTP_SERVER, m, mk(m, PPTP_SCCRP), &x);
}

/* Clear every session start() set up: they live on a caller's stack. */
static void
forget(void)
{
	int	i;

	for (i = 0; i < 8; i++)
		if (live[i] != NULL) {
			finish(live[i]);
			live[i] = NULL;
		}
}

static int
has_event(const struct pptp_xlate *x, int type, int side)
{
	int	i;

	for (i = 0; i < x->nev; i++)
		if (x->ev[i].type == type && (side < 0 || x->ev[i].side == side))
			return (1);
	return (0);
}

/* Every byte but those at off (2 bytes each) is unchanged. */
static int
same_but(const uint8_t *a, const uint8_t *b, size_t n, int o1, int o2)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if ((int)i == o1 || (int)i == o1 + 1 || (int)i == o2 ||
		    (int)i == o2 + 1)
			continue;
		if (a[i] != b[i])
			return (0);
	}
	return (1);
}

static void
test_framing(void)
{
	uint8_t		 m[1024], bad[PPTP_MAX_MSG];
	size_t		 n, len, i, off;
	const char	*err;
	unsigned int	 t;
	int		 r, ok;

	for (t = 1; t <= PPTP_CTRL_MAX; t++) {
		n = mk(m, t);
		ok = 1;
		for (i = 0; i < n; i++) {
			err = NULL;
			if (pptp_frame(m, i, &len, &err) != PPTP_NEED)
				ok = 0;
		}
		r = pptp_frame(m, n, &len, &err);
		CHECK(ok && r == PPTP_WHOLE && len == n,
		    "%s (%zu bytes) fed byte by byte: NEED until whole",
		    pptp_msg_name(t), n);
	}
	/* coalesced: three messages in one buffer, framed one by one */
	off = 0;
	off += mk(m + off, PPTP_SCCRQ);
	off += mk(m + off, PPTP_ECHORQ);
	off += mk(m + off, PPTP_SLI);
	i = 0;
	ok = 1;
	for (t = 0; t < 3; t++) {
		if (pptp_frame(m + i, off - i, &len, &err) != PPTP_WHOLE)
			ok = 0;
		i += len;
	}
	CHECK(ok && i == off, "three coalesced messages framed one by one");

#define BAD(desc, mutate) do {						\
	mk(bad, PPTP_ECHORQ);						\
	mutate;								\
	err = NULL;							\
	r = pptp_frame(bad, sizeof(bad), &len, &err);			\
	CHECK(r == PPTP_BAD && err != NULL, "%s: %s", desc,		\
	    err ? err : "(accepted)");					\
} while (0)
	BAD("wrong magic cookie", bad[7] = 0x4e);
	BAD("PPTP message type 2", put16(bad + 2, 2));
	BAD("control message type 0", put16(bad + 8, 0));
	BAD("control message type 16", put16(bad + 8, 16));
	BAD("Length 0", put16(bad, 0));
	BAD("Length 11", put16(bad, 11));
	BAD("Length 221", put16(bad, 221));
	BAD("Length 65535", put16(bad, 65535));
	BAD("Length 20 for Echo-Request (16)", put16(bad, 20));
	BAD("Length 12 for Echo-Request (16)", put16(bad, 12));
	BAD("Length 16 for Echo-Reply (20)", put16(bad + 8, 6));
#undef BAD
	put16(bad, 0);
	CHECK(pptp_frame(bad, 2, &len, &err) == PPTP_BAD,
	    "a bad Length is caught from its two bytes alone");
	mk(bad, PPTP_OCRQ);
	CHECK(pptp_frame(bad, 100, &len, &err) == PPTP_NEED,
	    "a truncated message is never whole");
}

static void
test_outgoing(void)
{
	struct pptp_sess	 s;
	struct pptp_xlate	 x;
	uint8_t			 m[PPTP_MAX_MSG], o[PPTP_MAX_MSG];
	uint16_t		 ps, pc;
	size_t			 n;
	unsigned int		 t;
	int			 r;
	uint32_t		 before;

	pptp_sess_init(&s, &pool, 4);
	before = callid_free(&pool);
	for (t = PPTP_SCCRQ; t <= PPTP_ECHORP; t++) {
		int from = (t % 2) ? PPTP_CLIENT : PPTP_SERVER;

		n = mk(m, t);
		memcpy(o, m, n);
		r = xl(&s, from, m, n, &x);
		CHECK(r == 0 && memcmp(m, o, n) == 0 && x.nids == 0,
		    "%s passes byte for byte", pptp_msg_name(t));
	}
	pptp_sess_init(&s, &pool, 4);
	start(&s);

	/* 7: client's Call ID 0 -> a presented one */
	n = mk_id(m, PPTP_OCRQ, 0, 0, 0);
	memcpy(o, m, n);
	r = xl(&s, PPTP_CLIENT, m, n, &x);
	ps = get16(m + 12);
	CHECK(r == 0 && ps != 0 && x.nids == 1 && x.before[0] == 0 &&
	    x.after[0] == ps && same_but(m, o, n, 12, -1),
	    "Outgoing-Call-Request: client's Call ID 0 shown as %u, rest kept",
	    ps);
	CHECK(has_event(&x, PPTP_EV_CALL_NEW, PPTP_CLIENT) &&
	    has_event(&x, PPTP_EV_ROUTE_ADD, PPTP_CLIENT),
	    "... a new call and a GRE route towards the client");

	/* 8: server's own 4711 -> presented; peer ps -> 0 */
	n = mk_id(m, PPTP_OCRP, 4711, ps, 1);
	memcpy(o, m, n);
	r = xl(&s, PPTP_SERVER, m, n, &x);
	pc = get16(m + 12);
	CHECK(r == 0 && pc != 0 && pc != ps && get16(m + 14) == 0 &&
	    same_but(m, o, n, 12, 14),
	    "Outgoing-Call-Reply: server's 4711 shown as %u, peer %u back to 0",
	    pc, ps);
	CHECK(has_event(&x, PPTP_EV_ROUTE_ADD, PPTP_SERVER) &&
	    has_event(&x, PPTP_EV_CALL_UP, -1), "... call up, route to server");

	/* 15 both ways: receiver's ID */
	n = mk_id(m, PPTP_SLI, pc, 0, 0);
	r = xl(&s, PPTP_CLIENT, m, n, &x);
	CHECK(r == 0 && get16(m + 12) == 4711,
	    "Set-Link-Info from the client: %u -> server's 4711", pc);
	n = mk_id(m, PPTP_SLI, ps, 0, 0);
	r = xl(&s, PPTP_SERVER, m, n, &x);
	CHECK(r == 0 && get16(m + 12) == 0,
	    "Set-Link-Info from the server: %u -> client's 0", ps);
	/* 14 from server */
	n = mk_id(m, PPTP_WEN, ps, 0, 0);
	memcpy(o, m, n);
	r = xl(&s, PPTP_SERVER, m, n, &x);
	CHECK(r == 0 && get16(m + 12) == 0 && same_but(m, o, n, 12, -1),
	    "WAN-Error-Notify: %u -> client's 0, rest kept", ps);
	/* 12 from client: own ID */
	n = mk_id(m, PPTP_CCRQ, 0, 0, 0);
	r = xl(&s, PPTP_CLIENT, m, n, &x);
	CHECK(r == 0 && get16(m + 12) == ps && s.ncalls == 1,
	    "Call-Clear-Request: client's 0 -> %u, call kept", ps);
	/* 13 from server: own ID, ends the call */
	n = mk_id(m, PPTP_CDN, 4711, 0, 0);
	memcpy(o, m, n);
	r = xl(&s, PPTP_SERVER, m, n, &x);
	CHECK(r == 0 && get16(m + 12) == pc && same_but(m, o, n, 12, -1) &&
	    s.ncalls == 0 && has_event(&x, PPTP_EV_ROUTE_DEL, PPTP_CLIENT) &&
	    has_event(&x, PPTP_EV_ROUTE_DEL, PPTP_SERVER) &&
	    has_event(&x, PPTP_EV_CALL_END, -1),
	    "Call-Disconnect-Notify: 4711 -> %u, both routes deleted, call "
	    "ended", pc);
	CHECK(callid_free(&pool) == before, "both Call IDs back in the pool");
	n = mk(m, PPTP_STOPCCRQ);
	CHECK(xl(&s, PPTP_CLIENT, m, n, &x) == 0 && s.stopping,
	    "Stop-Control-Connection-Request passes");
	forget();
}

static void
test_incoming(void)
{
	struct pptp_sess	 s;
	struct pptp_xlate	 x;
	uint8_t			 m[PPTP_MAX_MSG];
	uint16_t		 pp, pn;
	int			 r;

	start(&s);
	r = xl(&s, PPTP_SERVER, m, mk_id(m, PPTP_ICRQ, 900, 0, 0), &x);
	pp = get16(m + 12);
	CHECK(r == 0 && pp != 900 && has_event(&x, PPTP_EV_ROUTE_ADD,
	    PPTP_SERVER), "Incoming-Call-Request: server's 900 -> %u", pp);
	r = xl(&s, PPTP_CLIENT, m, mk_id(m, PPTP_ICRP, 5, pp, 1), &x);
	pn = get16(m + 12);
	CHECK(r == 0 && get16(m + 14) == 900 && pn != 5,
	    "Incoming-Call-Reply: client's 5 -> %u, peer %u -> 900", pn, pp);
	r = xl(&s, PPTP_SERVER, m, mk_id(m, PPTP_ICCN, pn, 0, 0), &x);
	CHECK(r == 0 && get16(m + 12) == 5,
	    "Incoming-Call-Connected: %u -> client's 5", pn);
	r = xl(&s, PPTP_CLIENT, m, mk_id(m, PPTP_ICCN, pp, 0, 0), &x);
	CHECK(r == -1, "Incoming-Call-Connected from the wrong side refused");
	start(&s);
	xl(&s, PPTP_SERVER, m, mk_id(m, PPTP_ICRQ, 900, 0, 0), &x);
	pp = get16(m + 12);
	r = xl(&s, PPTP_CLIENT, m, mk_id(m, PPTP_ICRP, 5, pp, 3), &x);
	CHECK(r == 0 && get16(m + 12) == 0 && s.ncalls == 0 &&
	    has_event(&x, PPTP_EV_CALL_FAILED, -1) &&
	    has_event(&x, PPTP_EV_ROUTE_DEL, PPTP_SERVER),
	    "a refused incoming call is freed, its route deleted");
	forget();
}

static void
test_same_ids(void)
{
	struct pptp_sess	 a, b;
	struct pptp_xlate	 x;
	uint8_t			 m[PPTP_MAX_MSG];
	uint16_t		 pa, pb, ca, cb;

	start(&a);
	start(&b);
	xl(&a, PPTP_CLIENT, m, mk_id(m, PPTP_OCRQ, 0, 0, 0), &x);
	pa = get16(m + 12);
	xl(&b, PPTP_CLIENT, m, mk_id(m, PPTP_OCRQ, 0, 0, 0), &x);
	pb = get16(m + 12);
	CHECK(pa != pb, "two clients with Call ID 0: shown as %u and %u",
	    pa, pb);
	xl(&a, PPTP_SERVER, m, mk_id(m, PPTP_OCRP, 1, pa, 1), &x);
	ca = get16(m + 12);
	xl(&b, PPTP_SERVER, m, mk_id(m, PPTP_OCRP, 1, pb, 1), &x);
	cb = get16(m + 12);
	CHECK(ca != cb && ca != pa && ca != pb && cb != pa && cb != pb,
	    "their servers' identical Call IDs shown as %u and %u", ca, cb);
	CHECK(xl(&a, PPTP_SERVER, m, mk_id(m, PPTP_OCRP, 1, pb, 1), &x) == -1,
	    "one session cannot answer the other's call");
	forget();
}

static void
test_violations(void)
{
	struct pptp_sess	 s;
	struct pptp_xlate	 x;
	uint8_t			 m[PPTP_MAX_MSG];
	uint16_t		 p;
	int			 i, r;
	unsigned int		 t;

	pptp_sess_init(&s, &pool, 4);
	CHECK(xl(&s, PPTP_CLIENT, m, mk(m, PPTP_ECHORQ), &x) == -1,
	    "a first client message other than Start-Control-Connection");
	pptp_sess_init(&s, &pool, 4);
	xl(&s, PPTP_CLIENT, m, mk(m, PPTP_SCCRQ), &x);
	CHECK(xl(&s, PPTP_CLIENT, m, mk_id(m, PPTP_OCRQ, 1, 0, 0), &x) == -1,
	    "Outgoing-Call-Request before the Start-Control-Connection-Reply");
	start(&s);
	CHECK(xl(&s, PPTP_SERVER, m, mk_id(m, PPTP_OCRP, 1, 999, 1), &x) == -1,
	    "a reply for a call that does not exist");
	xl(&s, PPTP_CLIENT, m, mk_id(m, PPTP_OCRQ, 7, 0, 0), &x);
	p = get16(m + 12);
	CHECK(xl(&s, PPTP_CLIENT, m, mk_id(m, PPTP_OCRP, 1, p, 1), &x) == -1,
	    "a reply from the side that asked");
	CHECK(xl(&s, PPTP_SERVER, m, mk_id(m, PPTP_ICRP, 1, p, 1), &x) == -1,
	    "an Incoming-Call-Reply to an Outgoing-Call-Request");
	CHECK(xl(&s, PPTP_CLIENT, m, mk_id(m, PPTP_OCRQ, 7, 0, 0), &x) == -1,
	    "a Call ID reused while still up");
	for (t = PPTP_ICCN; t <= PPTP_SLI; t++) {
		start(&s);
		r = xl(&s, t == PPTP_CCRQ ? PPTP_CLIENT : PPTP_SERVER, m,
		    mk_id(m, t, 4242, 0, 0), &x);
		CHECK(r == -1, "%s for an unknown Call ID", pptp_msg_name(t));
	}
	start(&s);
	for (i = 0, r = 0; i < 5 && r == 0; i++)
		r = xl(&s, PPTP_CLIENT, m, mk_id(m, PPTP_OCRQ, (uint16_t)i, 0,
		    0), &x);
	CHECK(r == -1 && i == 5 && s.ncalls == 4,
	    "the fifth call beyond limit calls 4 refused");
	{
		struct pptp_event	ev[PPTP_MAX_EVENTS];
		int			n, ends = 0, dels = 0, j;
		uint32_t		before = callid_free(&pool);

		while ((n = pptp_sess_clear(&s, ev, PPTP_MAX_EVENTS)) > 0)
			for (j = 0; j < n; j++) {
				ends += ev[j].type == PPTP_EV_CALL_END;
				dels += ev[j].type == PPTP_EV_ROUTE_DEL;
			}
		CHECK(ends == 4 && dels == 4 && s.ncalls == 0 &&
		    callid_free(&pool) == before + 4,
		    "clearing a session ends its four calls and frees their IDs");
	}
	start(&s);
	xl(&s, PPTP_CLIENT, m, mk_id(m, PPTP_OCRQ, 1, 0, 0), &x);
	CHECK(pptp_sess_overdue(&s, 101) != NULL &&
	    pptp_sess_overdue(&s, 100) == NULL,
	    "a call waiting for its reply is overdue after its deadline");
	forget();
}

static void
test_describe(void)
{
	struct pptp_sess	 s;
	struct pptp_xlate	 x;
	uint8_t			 m[PPTP_MAX_MSG];
	char			 buf[256], want[256];

	start(&s);
	xl(&s, PPTP_CLIENT, m, mk_id(m, PPTP_OCRQ, 9, 0, 0), &x);
	pptp_describe(m, 168, &x, buf, sizeof(buf));
	snprintf(want, sizeof(want), "Outgoing-Call-Request len 168 call-id "
	    "9->%u", x.after[0]);
	CHECK(strcmp(buf, want) == 0, "describe: %s", buf);
	forget();
}

static void
test_gre_check(void)
{
	uint8_t	p[64];
	size_t	k, h;

	memset(p, 0, sizeof(p));
	put16(p, 0x3081); put16(p + 2, 0x880b); put16(p + 4, 10);
	CHECK(gre_check(p, 26, &k, &h) == 0 && k == 6 && h == 16,
	    "GRE data+ack: header 16, key at 6");
	CHECK(gre_check(p, 25, &k, &h) == -1, "payload one byte short");
	put16(p, 0x2001); put16(p + 4, 0);
	CHECK(gre_check(p, 8, &k, &h) == 0 && h == 8, "GRE without S or A");
	put16(p + 4, 1);
	CHECK(gre_check(p, 9, &k, &h) == -1, "payload without S refused");
	put16(p, 0x2081);
	CHECK(gre_check(p, 11, &k, &h) == -1, "ack cut short refused");
}

int
main(void)
{
	callid_init(&pool);
	test_framing();
	test_outgoing();
	test_incoming();
	test_same_ids();
	test_violations();
	test_describe();
	test_gre_check();
	printf("%d passed, %d failed\n", npass, nfail);
	return (nfail != 0);
}
