/*
 * PPTP control messages: framing, validation and the Call-ID translation
 * rules; enhanced GRE header validation.  No I/O: see pptp.h.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp.h"

struct msg_info {
	const char	*name;
	uint16_t	 size;
};

static const struct msg_info msgs[PPTP_CTRL_MAX + 1] = {
	{ NULL, 0 },
	{ "Start-Control-Connection-Request", 156 },
	{ "Start-Control-Connection-Reply", 156 },
	{ "Stop-Control-Connection-Request", 16 },
	{ "Stop-Control-Connection-Reply", 16 },
	{ "Echo-Request", 16 },
	{ "Echo-Reply", 20 },
	{ "Outgoing-Call-Request", 168 },
	{ "Outgoing-Call-Reply", 32 },
	{ "Incoming-Call-Request", 220 },
	{ "Incoming-Call-Reply", 24 },
	{ "Incoming-Call-Connected", 28 },
	{ "Call-Clear-Request", 16 },
	{ "Call-Disconnect-Notify", 148 },
	{ "WAN-Error-Notify", 40 },
	{ "Set-Link-Info", 24 }
};

/* Error text for the caller: one process, one message at a time. */
static char	errbuf[160];

#define FAIL(...) do {							\
	snprintf(errbuf, sizeof(errbuf), __VA_ARGS__);			\
	*err = errbuf;							\
	return (-1);							\
} while (0)

const char *
pptp_msg_name(unsigned int type)
{
	if (type == 0 || type > PPTP_CTRL_MAX)
		return ("unknown message");
	return (msgs[type].name);
}

size_t
pptp_msg_size(unsigned int type)
{
	if (type == 0 || type > PPTP_CTRL_MAX)
		return (0);
	return (msgs[type].size);
}

uint16_t
pptp_get16(const uint8_t *p, size_t len, size_t off)
{
	if (off > len || len - off < 2)
		return (0);
	return ((uint16_t)((p[off] << 8) | p[off + 1]));
}

uint32_t
pptp_get32(const uint8_t *p, size_t len, size_t off)
{
	if (off > len || len - off < 4)
		return (0);
	return ((uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 |
	    (uint32_t)p[off + 2] << 8 | (uint32_t)p[off + 3]);
}

void
pptp_put16(uint8_t *p, size_t len, size_t off, uint16_t v)
{
	if (off > len || len - off < 2)
		return;
	p[off] = v >> 8;
	p[off + 1] = v & 0xff;
}

int
pptp_frame(const uint8_t *buf, size_t avail, size_t *msglen,
    const char **err)
{
	unsigned int	len, ptype, ctype;
	uint32_t	magic;

	if (avail < 2)
		return (PPTP_NEED);
	len = pptp_get16(buf, avail, 0);
	if (len < PPTP_HDR_LEN || len > PPTP_MAX_MSG) {
		snprintf(errbuf, sizeof(errbuf), "Length %u out of range "
		    "(%u..%u)", len, PPTP_HDR_LEN, PPTP_MAX_MSG);
		*err = errbuf;
		return (PPTP_BAD);
	}
	if (avail >= 4 && (ptype = pptp_get16(buf, avail, 2)) !=
	    PPTP_MSG_CONTROL) {
		snprintf(errbuf, sizeof(errbuf), "PPTP message type %u, not "
		    "a control message", ptype);
		*err = errbuf;
		return (PPTP_BAD);
	}
	if (avail >= 8 && (magic = pptp_get32(buf, avail, 4)) != PPTP_MAGIC) {
		snprintf(errbuf, sizeof(errbuf), "bad magic cookie 0x%08x",
		    magic);
		*err = errbuf;
		return (PPTP_BAD);
	}
	if (avail < 10)
		return (PPTP_NEED);
	ctype = pptp_get16(buf, avail, 8);
	if (ctype == 0 || ctype > PPTP_CTRL_MAX) {
		snprintf(errbuf, sizeof(errbuf), "unknown control message "
		    "type %u", ctype);
		*err = errbuf;
		return (PPTP_BAD);
	}
	if (len != msgs[ctype].size) {
		snprintf(errbuf, sizeof(errbuf), "Length %u does not match "
		    "%s (%u)", len, msgs[ctype].name, msgs[ctype].size);
		*err = errbuf;
		return (PPTP_BAD);
	}
	if (avail < len)
		return (PPTP_NEED);
	*msglen = len;
	return (PPTP_WHOLE);
}

void
pptp_sess_init(struct pptp_sess *s, struct callid_pool *pool,
    unsigned int max_calls)
{
	memset(s, 0, sizeof(*s));
	TAILQ_INIT(&s->calls);
	s->pool = pool;
	s->max_calls = max_calls;
	s->next_serial = 1;
}

/* The live call whose side s chose Call ID id. */
static struct pptp_call *
call_by_real(struct pptp_sess *s, int side, uint16_t id)
{
	struct pptp_call	*c;

	TAILQ_FOREACH(c, &s->calls, entry)
		if (c->have[side] && c->real[side] == id)
			return (c);
	return (NULL);
}

/* The live call whose Call ID of side `side` we show as id. */
static struct pptp_call *
call_by_pres(struct pptp_sess *s, int side, uint16_t id)
{
	struct pptp_call	*c;

	TAILQ_FOREACH(c, &s->calls, entry)
		if (c->have[side] && c->pres[side] == id)
			return (c);
	return (NULL);
}

static void
add_event(struct pptp_xlate *x, int type, int side,
    const struct pptp_call *c, uint16_t result)
{
	struct pptp_event	*ev;

	if (x->nev >= PPTP_MAX_EVENTS)
		abort();
	ev = &x->ev[x->nev++];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->side = side;
	ev->result = result;
	ev->call = *c;
}

static void
note_id(struct pptp_xlate *x, uint16_t off, uint16_t before, uint16_t after)
{
	if (x->nids >= PPTP_MAX_IDS)
		return;
	x->off[x->nids] = off;
	x->before[x->nids] = before;
	x->after[x->nids] = after;
	x->nids++;
}

/* Remove a call, its presented IDs back to the pool. */
static void
call_free(struct pptp_sess *s, struct pptp_call *c)
{
	int	i;

	for (i = 0; i < 2; i++)
		if (c->have[i])
			callid_put(s->pool, c->pres[i]);
	TAILQ_REMOVE(&s->calls, c, entry);
	s->ncalls--;
	free(c);
}

/* Events that end a call: a route delete per side routed, then END. */
static void
call_end_events(struct pptp_xlate *x, const struct pptp_call *c, int type,
    uint16_t result)
{
	int	i;

	for (i = 0; i < 2; i++)
		if (c->have[i])
			add_event(x, PPTP_EV_ROUTE_DEL, i, c, 0);
	add_event(x, type, 0, c, result);
}

int
pptp_translate(struct pptp_sess *s, int from, uint8_t *msg, size_t len,
    time_t now, struct pptp_xlate *x, const char **err)
{
	struct pptp_call	*c;
	size_t			 mlen;
	unsigned int		 type;
	uint16_t		 id, peer, result;
	int			 o = PPTP_OTHER(from);

	memset(x, 0, sizeof(*x));
	if (pptp_frame(msg, len, &mlen, err) != PPTP_WHOLE || mlen != len) {
		if (*err == NULL)
			*err = "truncated message";
		return (-1);
	}
	type = pptp_get16(msg, len, 8);
	x->type = (uint16_t)type;

	if (from == PPTP_CLIENT && !(s->started & PPTP_START_RQ) &&
	    type != PPTP_SCCRQ)
		FAIL("%s as the client's first message, not "
		    "Start-Control-Connection-Request", pptp_msg_name(type));
	if (type >= PPTP_OCRQ &&
	    (s->started & (PPTP_START_RQ | PPTP_START_RP)) !=
	    (PPTP_START_RQ | PPTP_START_RP))
		FAIL("%s before Start-Control-Connection", pptp_msg_name(type));

	switch (type) {
	case PPTP_SCCRQ:
		s->started |= PPTP_START_RQ;
		return (0);
	case PPTP_SCCRP:
		s->started |= PPTP_START_RP;
		return (0);
	case PPTP_STOPCCRQ:
	case PPTP_STOPCCRP:
		s->stopping = 1;
		return (0);
	case PPTP_ECHORQ:
	case PPTP_ECHORP:
		return (0);

	case PPTP_OCRQ:
	case PPTP_ICRQ:
		/* A new call: the sender's own ID at 12. */
		id = pptp_get16(msg, len, 12);
		if (call_by_real(s, from, id) != NULL)
			FAIL("%s: Call ID %u reused while still up",
			    pptp_msg_name(type), id);
		if (s->ncalls >= s->max_calls)
			FAIL("%s: more than %u calls on one connection",
			    pptp_msg_name(type), s->max_calls);
		if ((c = calloc(1, sizeof(*c))) == NULL)
			FAIL("out of memory");
		if (callid_get(s->pool, &c->pres[from]) == -1) {
			free(c);
			FAIL("no free Call ID");
		}
		c->real[from] = id;
		c->have[from] = 1;
		c->origin = (uint8_t)from;
		c->state = CALL_REQUESTED;
		c->kind = (uint8_t)type;
		c->since = now;
		c->serial = s->next_serial++;
		TAILQ_INSERT_TAIL(&s->calls, c, entry);
		s->ncalls++;
		pptp_put16(msg, len, 12, c->pres[from]);
		note_id(x, 12, id, c->pres[from]);
		add_event(x, PPTP_EV_CALL_NEW, from, c, 0);
		add_event(x, PPTP_EV_ROUTE_ADD, from, c, 0);
		return (0);

	case PPTP_OCRP:
	case PPTP_ICRP:
		/* A reply: own ID at 12, the requester's (as shown) at 14. */
		id = pptp_get16(msg, len, 12);
		peer = pptp_get16(msg, len, 14);
		result = msg[16];
		c = call_by_pres(s, o, peer);
		if (c == NULL || c->origin != o || c->state != CALL_REQUESTED ||
		    c->kind != (type == PPTP_OCRP ? PPTP_OCRQ : PPTP_ICRQ))
			FAIL("%s for call %u: a reply for a call that does not "
			    "exist", pptp_msg_name(type), peer);
		pptp_put16(msg, len, 14, c->real[o]);
		if (result != 1) {
			pptp_put16(msg, len, 12, 0);
			note_id(x, 12, id, 0);
			note_id(x, 14, peer, c->real[o]);
			call_end_events(x, c, PPTP_EV_CALL_FAILED, result);
			call_free(s, c);
			return (0);
		}
		if (call_by_real(s, from, id) != NULL)
			FAIL("%s: Call ID %u reused while still up",
			    pptp_msg_name(type), id);
		if (callid_get(s->pool, &c->pres[from]) == -1)
			FAIL("no free Call ID");
		c->real[from] = id;
		c->have[from] = 1;
		c->state = CALL_UP;
		c->since = now;
		pptp_put16(msg, len, 12, c->pres[from]);
		note_id(x, 12, id, c->pres[from]);
		note_id(x, 14, peer, c->real[o]);
		add_event(x, PPTP_EV_ROUTE_ADD, from, c, 0);
		add_event(x, PPTP_EV_CALL_UP, from, c, 0);
		return (0);

	case PPTP_CCRQ:
	case PPTP_CDN:
		/* The sender's own ID at 12. */
		id = pptp_get16(msg, len, 12);
		if ((c = call_by_real(s, from, id)) == NULL)
			FAIL("%s for unknown Call ID %u", pptp_msg_name(type),
			    id);
		pptp_put16(msg, len, 12, c->pres[from]);
		note_id(x, 12, id, c->pres[from]);
		if (type == PPTP_CCRQ) {
			c->state = CALL_CLEARING;
			return (0);
		}
		call_end_events(x, c, PPTP_EV_CALL_END, 0);
		call_free(s, c);
		return (0);

	case PPTP_ICCN:
	case PPTP_WEN:
	case PPTP_SLI:
		/* The receiver's ID (as shown to the sender) at 12. */
		peer = pptp_get16(msg, len, 12);
		if ((c = call_by_pres(s, o, peer)) == NULL)
			FAIL("%s for unknown Call ID %u", pptp_msg_name(type),
			    peer);
		if (type == PPTP_ICCN && (c->kind != PPTP_ICRQ ||
		    c->origin != from))
			FAIL("%s for call %u that is not an incoming call of "
			    "the sender", pptp_msg_name(type), peer);
		pptp_put16(msg, len, 12, c->real[o]);
		note_id(x, 12, peer, c->real[o]);
		return (0);
	}
	FAIL("unknown control message type %u", type);
}

int
pptp_sess_clear(struct pptp_sess *s, struct pptp_event *ev, int max)
{
	struct pptp_xlate	 x;
	struct pptp_call	*c;
	int			 n = 0, i;

	while ((c = TAILQ_FIRST(&s->calls)) != NULL && max - n >= 3) {
		memset(&x, 0, sizeof(x));
		call_end_events(&x, c, PPTP_EV_CALL_END, 0);
		for (i = 0; i < x.nev; i++)
			ev[n++] = x.ev[i];
		call_free(s, c);
	}
	return (n);
}

struct pptp_call *
pptp_sess_overdue(struct pptp_sess *s, time_t deadline)
{
	struct pptp_call	*c;

	TAILQ_FOREACH(c, &s->calls, entry)
		if (c->state == CALL_REQUESTED && c->since < deadline)
			return (c);
	return (NULL);
}

static const char *
field_name(unsigned int type, uint16_t off)
{
	switch (type) {
	case PPTP_OCRP:
	case PPTP_ICRP:
		return (off == 12 ? "call-id" : "peer-call-id");
	case PPTP_ICCN:
	case PPTP_WEN:
	case PPTP_SLI:
		return ("peer-call-id");
	default:
		return ("call-id");
	}
}

int
pptp_describe(const uint8_t *msg, size_t len, const struct pptp_xlate *x,
    char *buf, size_t size)
{
	unsigned int	type = pptp_get16(msg, len, 8);
	size_t		n;
	int		i, r;

	r = snprintf(buf, size, "%s len %zu", pptp_msg_name(type), len);
	if (r < 0)
		return (-1);
	for (i = 0; x != NULL && i < x->nids; i++) {
		n = strlen(buf);
		snprintf(buf + n, size - n, " %s %u->%u",
		    field_name(type, x->off[i]), x->before[i], x->after[i]);
	}
	n = strlen(buf);
	switch (type) {
	case PPTP_SCCRP:		/* result code after the version */
		snprintf(buf + n, size - n, " result %u", msg[14]);
		break;
	case PPTP_STOPCCRP:
		snprintf(buf + n, size - n, " result %u", msg[12]);
		break;
	case PPTP_ECHORP:
	case PPTP_OCRP:
	case PPTP_ICRP:
		snprintf(buf + n, size - n, " result %u", msg[16]);
		break;
	case PPTP_ECHORQ:
		snprintf(buf + n, size - n, " id 0x%08x",
		    pptp_get32(msg, len, 12));
		break;
	default:
		break;
	}
	return (0);
}

/*
 * Enhanced GRE: C, R, s, recursion and flags zero, K set, version 1;
 * S and A optional; protocol PPP; the payload inside the packet.
 */
int
gre_check(const uint8_t *pkt, size_t len, size_t *keyoff, size_t *hlen)
{
	uint16_t	flags, plen;
	size_t		h = GRE_HDR_MIN;

	if (len < GRE_HDR_MIN)
		return (-1);
	flags = pptp_get16(pkt, len, 0);
	if ((flags & ~(GRE_FLAG_S | GRE_FLAG_A)) != (GRE_FLAG_K | GRE_VERSION))
		return (-1);
	if (pptp_get16(pkt, len, 2) != GRE_PROTO_PPP)
		return (-1);
	if (flags & GRE_FLAG_S)
		h += 4;
	if (flags & GRE_FLAG_A)
		h += 4;
	if (len < h)
		return (-1);
	plen = pptp_get16(pkt, len, 4);
	if (plen > len - h || (!(flags & GRE_FLAG_S) && plen != 0))
		return (-1);
	*keyoff = 6;
	*hlen = h;
	return (0);
}
