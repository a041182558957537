/*
 * PPTP control messages (RFC 2637): framing, validation and Call-ID
 * translation; enhanced GRE header validation.  No I/O: the relay feeds
 * bytes in and applies the events that come back (see pptp.h).
 *
 * Every call across the proxy has a Call ID chosen by each side (real[])
 * and one pptpproxy shows the other side in its place (pres[]).  A field
 * carrying the sender's own ID is rewritten real -> pres; a field carrying
 * the receiver's ID (as the sender knows it) is rewritten pres -> real.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp.h"
#include "slab.h"

/* Offsets inside control messages. */
#define OFF_LENGTH	0
#define OFF_MSGTYPE	2
#define OFF_MAGIC	4
#define OFF_CTRLTYPE	8
#define OFF_CALLID	12	/* the one Call-ID field of most types */
#define OFF_PEERID	14	/* replies: the requester's Call ID */
#define OFF_RESULT	16	/* replies: result code (one byte) */
#define OFF_ERROR	17	/* replies: error code (one byte) */

#define RESULT_OK	PPTP_RESULT_OK

static const struct {
	const char	*name;
	uint16_t	 size;
} msgtab[PPTP_CTRL_MAX + 1] = {
	{ NULL,					0 },
	{ "Start-Control-Connection-Request",	156 },
	{ "Start-Control-Connection-Reply",	156 },
	{ "Stop-Control-Connection-Request",	16 },
	{ "Stop-Control-Connection-Reply",	16 },
	{ "Echo-Request",			16 },
	{ "Echo-Reply",				20 },
	{ "Outgoing-Call-Request",		168 },
	{ "Outgoing-Call-Reply",		32 },
	{ "Incoming-Call-Request",		220 },
	{ "Incoming-Call-Reply",		24 },
	{ "Incoming-Call-Connected",		28 },
	{ "Call-Clear-Request",			16 },
	{ "Call-Disconnect-Notify",		148 },
	{ "WAN-Error-Notify",			40 },
	{ "Set-Link-Info",			24 }
};

/* Why the last message was refused; one message at a time per process. */
static char	errbuf[128];

static int	 fail(const char **, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
static int	 refuse(struct pptp_xlate *, unsigned int, uint16_t, int,
		    const char **, const char *, ...)
		    __attribute__((__format__(__printf__, 6, 7)));
static struct pptp_call *call_by_real(struct pptp_sess *, int, uint16_t);
static struct pptp_call *call_by_pres(struct pptp_sess *, int, uint16_t);
static int	 call_new(struct pptp_sess *, int, unsigned int, uint8_t *,
		    size_t, time_t, struct pptp_xlate *, const char **);
static int	 call_reply(struct pptp_sess *, int, unsigned int, uint8_t *,
		    size_t, time_t, struct pptp_xlate *, const char **);
static void	 call_free(struct pptp_sess *, struct pptp_call *);
static void	 ev_set(struct pptp_event *, int, int,
		    const struct pptp_call *, uint16_t);
static void	 event(struct pptp_xlate *, int, int,
		    const struct pptp_call *, uint16_t);
static void	 rewrite(struct pptp_xlate *, uint8_t *, size_t, uint16_t,
		    uint16_t);

static int
fail(const char **err, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	if (err != NULL)
		*err = errbuf;
	return (-1);
}

const char *
pptp_msg_name(unsigned int type)
{
	if (type == 0 || type > PPTP_CTRL_MAX)
		return ("unknown message");
	return (msgtab[type].name);
}

size_t
pptp_msg_size(unsigned int type)
{
	if (type == 0 || type > PPTP_CTRL_MAX)
		return (0);
	return (msgtab[type].size);
}

uint16_t
pptp_get16(const uint8_t *p, size_t len, size_t off)
{
	if (off > len || len - off < 2)
		return (0);
	return ((uint16_t)(p[off] << 8 | p[off + 1]));
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
	p[off] = (uint8_t)(v >> 8);
	p[off + 1] = (uint8_t)v;
}

/*
 * The Length field alone rules out most garbage: it is judged as soon as
 * its two bytes are there.  The rest of the header once all 12 are.
 */
int
pptp_frame(const uint8_t *buf, size_t avail, size_t *msglen,
    const char **err)
{
	unsigned int	 len, ptype, ctype;
	uint32_t	 magic;

	if (avail < 2)
		return (PPTP_NEED);
	len = pptp_get16(buf, avail, OFF_LENGTH);
	if (len < PPTP_HDR_LEN)
		return (fail(err, "Length %u shorter than the header (%u)",
		    len, PPTP_HDR_LEN));
	if (len > PPTP_MAX_MSG)
		return (fail(err, "Length %u longer than any message (%u)",
		    len, PPTP_MAX_MSG));
	if (avail < PPTP_HDR_LEN)
		return (PPTP_NEED);
	ptype = pptp_get16(buf, avail, OFF_MSGTYPE);
	if (ptype != PPTP_MSG_CONTROL)
		return (fail(err, "PPTP message type %u, not control (1)",
		    ptype));
	magic = pptp_get32(buf, avail, OFF_MAGIC);
	if (magic != PPTP_MAGIC)
		return (fail(err, "bad magic cookie 0x%08x", magic));
	ctype = pptp_get16(buf, avail, OFF_CTRLTYPE);
	if (ctype == 0 || ctype > PPTP_CTRL_MAX)
		return (fail(err, "unknown control message type %u", ctype));
	if (len != msgtab[ctype].size)
		return (fail(err, "Length %u does not match %s (%u)", len,
		    msgtab[ctype].name, msgtab[ctype].size));
	/* Reserved0 is not checked: some implementations put junk there. */
	if (avail < len)
		return (PPTP_NEED);
	if (msglen != NULL)
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

void
pptp_sess_share(struct pptp_sess *s, struct callid_share *share,
    unsigned int max)
{
	s->share = share;
	s->share_max = max;
}

/* The call for which side `side` chose Call ID id. */
static struct pptp_call *
call_by_real(struct pptp_sess *s, int side, uint16_t id)
{
	struct pptp_call	*c;

	TAILQ_FOREACH(c, &s->calls, entry)
		if (c->have[side] && c->real[side] == id)
			return (c);
	return (NULL);
}

/* The call whose Call ID of side `side` is shown to the other as id. */
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
event(struct pptp_xlate *x, int type, int side, const struct pptp_call *c,
    uint16_t result)
{
	if (x->nev >= PPTP_MAX_EVENTS)
		abort();	/* no message makes more */
	ev_set(&x->ev[x->nev++], type, side, c, result);
}

static void
ev_set(struct pptp_event *ev, int type, int side, const struct pptp_call *c,
    uint16_t result)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->side = side;
	ev->result = result;
	ev->call = *c;
	memset(&ev->call.entry, 0, sizeof(ev->call.entry));
}

/* Write a Call-ID field and note it for the caller. */
static void
rewrite(struct pptp_xlate *x, uint8_t *msg, size_t len, uint16_t off,
    uint16_t to)
{
	if (x->nids >= PPTP_MAX_IDS)
		abort();	/* no message has more */
	x->off[x->nids] = off;
	x->before[x->nids] = pptp_get16(msg, len, off);
	x->after[x->nids] = to;
	x->nids++;
	pptp_put16(msg, len, off, to);
}

/* The routes of a call are withdrawn: one ROUTE_DEL per side routed. */
static void
route_dels(struct pptp_xlate *x, struct pptp_call *c)
{
	int	side;

	for (side = 0; side < 2; side++)
		if (c->routes & (1 << side)) {
			event(x, PPTP_EV_ROUTE_DEL, side, c, 0);
			c->routes &= ~(1 << side);
		}
}

/* Calls, kept apart from the heap (slab.h). */
static struct slab	call_slab;

static void
call_free(struct pptp_sess *s, struct pptp_call *c)
{
	/* Both IDs were taken with the request. */
	callid_give(s->pool, s->share, c->pres);
	TAILQ_REMOVE(&s->calls, c, entry);
	s->ncalls--;
	slab_put(&call_slab, c);
}

/*
 * A call request that does not fit: the reply that refuses it, for the
 * sender.  `limit`: refused by a limit (busy, do not accept), not for
 * want of resources (general error).
 */
static int
refuse(struct pptp_xlate *x, unsigned int type, uint16_t id, int limit,
    const char **err, const char *fmt, ...)
{
	va_list	ap;

	if (type == PPTP_OCRQ)
		x->replylen = pptp_build_ocrp(x->reply, sizeof(x->reply), id,
		    limit ? PPTP_RESULT_BUSY : PPTP_RESULT_ERROR,
		    limit ? PPTP_ERROR_NONE : PPTP_ERROR_NORESOURCE);
	else
		x->replylen = pptp_build_icrp(x->reply, sizeof(x->reply), id,
		    limit ? PPTP_RESULT_NOACCEPT : PPTP_RESULT_ERROR,
		    limit ? PPTP_ERROR_NONE : PPTP_ERROR_NORESOURCE);
	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	if (err != NULL)
		*err = errbuf;
	return (PPTP_REFUSED);
}

/*
 * Outgoing- or Incoming-Call-Request: the sender's own new Call ID at 12
 * (14 is a serial number, left alone).  The call takes both its IDs now,
 * so that the reply never waits for one.
 */
static int
call_new(struct pptp_sess *s, int from, unsigned int type, uint8_t *msg,
    size_t len, time_t now, struct pptp_xlate *x, const char **err)
{
	struct pptp_call	*c;
	uint16_t		 id, ids[2];
	int			 r;

	id = pptp_get16(msg, len, OFF_CALLID);
	if (call_by_real(s, from, id) != NULL)
		return (fail(err, "%s: Call ID %u reused while still up",
		    msgtab[type].name, id));
	if (s->ncalls >= s->max_calls)
		return (refuse(x, type, id, 1, err, "%s refused: %u calls on "
		    "this connection already (limit calls)",
		    msgtab[type].name, s->ncalls));
	if (call_slab.slot == 0)
		slab_init(&call_slab, sizeof(*c));
	if ((c = slab_get(&call_slab)) == NULL)
		return (refuse(x, type, id, 0, err, "%s refused: out of "
		    "memory", msgtab[type].name));
	if ((r = callid_take(s->pool, s->share, s->share_max, ids)) !=
	    CALLID_TAKEN) {
		slab_put(&call_slab, c);
		if (r == CALLID_BUSY)
			return (refuse(x, type, id, 1, err, "%s refused: %u "
			    "calls from the client's address already (limit "
			    "calls per-address)", msgtab[type].name,
			    s->share->calls));
		return (refuse(x, type, id, 0, err, "%s refused: no free "
		    "Call ID", msgtab[type].name));
	}
	c->real[from] = id;
	c->pres[from] = ids[0];
	c->pres[PPTP_OTHER(from)] = ids[1];	/* the replier's, reserved */
	c->have[from] = 1;
	c->origin = (uint8_t)from;
	c->state = CALL_REQUESTED;
	c->kind = (uint8_t)type;
	c->since = now;
	c->serial = s->next_serial++;
	TAILQ_INSERT_TAIL(&s->calls, c, entry);
	s->ncalls++;

	rewrite(x, msg, len, OFF_CALLID, ids[0]);
	event(x, PPTP_EV_CALL_NEW, from, c, 0);
	/* The receiver may send GRE as soon as it has seen the reply. */
	c->routes |= 1 << from;
	event(x, PPTP_EV_ROUTE_ADD, from, c, 0);
	return (0);
}

/*
 * Outgoing- or Incoming-Call-Reply: the replier's own Call ID at 12, the
 * requester's (as shown to the replier) at 14, result code at 16.
 */
static int
call_reply(struct pptp_sess *s, int from, unsigned int type, uint8_t *msg,
    size_t len, time_t now, struct pptp_xlate *x, const char **err)
{
	struct pptp_call	*c;
	unsigned int		 rqtype, result;
	uint16_t		 id, peer;
	int			 o = PPTP_OTHER(from);

	rqtype = type == PPTP_OCRP ? PPTP_OCRQ : PPTP_ICRQ;
	id = pptp_get16(msg, len, OFF_CALLID);
	peer = pptp_get16(msg, len, OFF_PEERID);
	result = pptp_get16(msg, len, OFF_RESULT) >> 8;

	/*
	 * The call the other side requested; not yet answered.  It may
	 * have been cleared by its requester meanwhile: the reply crossed
	 * the Call-Clear-Request.
	 */
	if ((c = call_by_pres(s, o, peer)) == NULL || c->origin != o)
		return (fail(err, "%s for Call ID %u: reply for a call that "
		    "does not exist", msgtab[type].name, peer));
	if (c->have[from])
		return (fail(err, "%s for Call ID %u: call already answered",
		    msgtab[type].name, peer));
	if (c->kind != rqtype)
		return (fail(err, "%s for Call ID %u: reply to an %s",
		    msgtab[type].name, peer, msgtab[c->kind].name));

	if (result != RESULT_OK) {
		rewrite(x, msg, len, OFF_CALLID, 0);
		rewrite(x, msg, len, OFF_PEERID, c->real[o]);
		route_dels(x, c);
		event(x, PPTP_EV_CALL_FAILED, from, c, (uint16_t)result);
		call_free(s, c);
		return (0);
	}

	if (call_by_real(s, from, id) != NULL)
		return (fail(err, "%s: Call ID %u reused while still up",
		    msgtab[type].name, id));
	/* pres[from] was taken with the request. */
	c->real[from] = id;
	c->have[from] = 1;
	if (c->state == CALL_REQUESTED)
		c->state = CALL_UP;
	c->since = now;

	rewrite(x, msg, len, OFF_CALLID, c->pres[from]);
	rewrite(x, msg, len, OFF_PEERID, c->real[o]);
	c->routes |= 1 << from;
	event(x, PPTP_EV_ROUTE_ADD, from, c, 0);
	event(x, PPTP_EV_CALL_UP, from, c, 0);
	return (0);
}

int
pptp_translate(struct pptp_sess *s, int from, uint8_t *msg, size_t len,
    time_t now, struct pptp_xlate *x, const char **err)
{
	struct pptp_call	*c;
	size_t			 mlen;
	unsigned int		 type;
	uint16_t		 id;
	int			 o = PPTP_OTHER(from), r;

	memset(x, 0, sizeof(*x));
	if (from != PPTP_CLIENT && from != PPTP_SERVER)
		return (fail(err, "no side %d", from));
	r = pptp_frame(msg, len, &mlen, err);
	if (r == PPTP_BAD)
		return (-1);
	if (r == PPTP_NEED || mlen != len)
		return (fail(err, "message of %zu bytes, Length %u", len,
		    pptp_get16(msg, len, OFF_LENGTH)));
	type = pptp_get16(msg, len, OFF_CTRLTYPE);
	x->type = (uint16_t)type;

	if (from == PPTP_CLIENT && !(s->started & PPTP_START_CL)) {
		if (type != PPTP_SCCRQ)
			return (fail(err, "%s as the client's first message",
			    msgtab[type].name));
		s->started |= PPTP_START_CL;
	}
	if (type >= PPTP_OCRQ && (s->started & PPTP_STARTED) != PPTP_STARTED)
		return (fail(err, "%s before Start-Control-Connection",
		    msgtab[type].name));

	switch (type) {
	case PPTP_SCCRQ:
		if (!(s->started & PPTP_START_RQ)) {
			s->started |= PPTP_START_RQ;
			if (from == PPTP_SERVER)
				s->started |= PPTP_START_RQSRV;
		}
		return (0);
	case PPTP_SCCRP:
		/* Counts only as the answer of the other side. */
		if ((s->started & PPTP_START_RQ) &&
		    !!(s->started & PPTP_START_RQSRV) == (from == PPTP_CLIENT))
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
		return (call_new(s, from, type, msg, len, now, x, err));
	case PPTP_OCRP:
	case PPTP_ICRP:
		return (call_reply(s, from, type, msg, len, now, x, err));
	case PPTP_CCRQ:
	case PPTP_CDN:
		/* The sender's own Call ID. */
		id = pptp_get16(msg, len, OFF_CALLID);
		if ((c = call_by_real(s, from, id)) == NULL)
			return (fail(err, "%s for unknown Call ID %u",
			    msgtab[type].name, id));
		rewrite(x, msg, len, OFF_CALLID, c->pres[from]);
		if (type == PPTP_CCRQ) {
			c->state = CALL_CLEARING;
			return (0);
		}
		route_dels(x, c);
		event(x, PPTP_EV_CALL_END, from, c, 0);
		call_free(s, c);
		return (0);
	case PPTP_ICCN:
	case PPTP_WEN:
	case PPTP_SLI:
		/* The receiver's Call ID, as shown to the sender. */
		id = pptp_get16(msg, len, OFF_CALLID);
		if ((c = call_by_pres(s, o, id)) == NULL)
			return (fail(err, "%s for unknown Call ID %u",
			    msgtab[type].name, id));
		if (type == PPTP_ICCN && (c->kind != PPTP_ICRQ ||
		    c->origin != from || !c->have[o]))
			return (fail(err, "%s for Call ID %u: not an "
			    "answered incoming call of the sender",
			    msgtab[type].name, id));
		rewrite(x, msg, len, OFF_CALLID, c->real[o]);
		return (0);
	}
	return (fail(err, "unknown control message type %u", type));
}

/*
 * Each call takes up to three events (two ROUTE_DEL, CALL_END); a call
 * that does not fit is carried over, its withdrawn routes remembered, so
 * any max >= 1 makes progress.
 */
int
pptp_sess_clear(struct pptp_sess *s, struct pptp_event *ev, int max)
{
	struct pptp_call	*c;
	int			 n = 0, side;

	while (n < max && (c = TAILQ_FIRST(&s->calls)) != NULL) {
		for (side = 0; side < 2 && n < max; side++)
			if (c->routes & (1 << side)) {
				c->routes &= ~(1 << side);
				ev_set(&ev[n++], PPTP_EV_ROUTE_DEL, side, c, 0);
			}
		if (n == max)
			break;
		ev_set(&ev[n++], PPTP_EV_CALL_END, c->origin, c, 0);
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

/* A control message header of the given type, the rest zero. */
static size_t
build_hdr(uint8_t *buf, size_t len, unsigned int type)
{
	size_t	size = pptp_msg_size(type);

	if (size == 0 || len < size)
		return (0);
	memset(buf, 0, size);
	pptp_put16(buf, len, OFF_LENGTH, (uint16_t)size);
	pptp_put16(buf, len, OFF_MSGTYPE, PPTP_MSG_CONTROL);
	pptp_put16(buf, len, OFF_MAGIC, PPTP_MAGIC >> 16);
	pptp_put16(buf, len, OFF_MAGIC + 2, PPTP_MAGIC & 0xffff);
	pptp_put16(buf, len, OFF_CTRLTYPE, (uint16_t)type);
	return (size);
}

size_t
pptp_build_stop(uint8_t *buf, size_t len, uint8_t reason)
{
	size_t	size;

	if ((size = build_hdr(buf, len, PPTP_STOPCCRQ)) == 0)
		return (0);
	buf[12] = reason;	/* Reason, then Reserved1 and Reserved2 */
	return (size);
}

/* A reply refusing a call request; see pptp.h. */
static size_t
build_reply(uint8_t *buf, size_t size, unsigned int type, uint16_t peer,
    uint8_t result, uint8_t error)
{
	size_t	len;

	if ((len = build_hdr(buf, size, type)) == 0)
		return (0);
	pptp_put16(buf, len, OFF_PEERID, peer);
	buf[OFF_RESULT] = result;
	buf[OFF_ERROR] = error;
	return (len);
}

size_t
pptp_build_ocrp(uint8_t *buf, size_t size, uint16_t peer, uint8_t result,
    uint8_t error)
{
	return (build_reply(buf, size, PPTP_OCRP, peer, result, error));
}

size_t
pptp_build_icrp(uint8_t *buf, size_t size, uint16_t peer, uint8_t result,
    uint8_t error)
{
	return (build_reply(buf, size, PPTP_ICRP, peer, result, error));
}

/* Name of the Call-ID field at off in a message of this type. */
static const char *
id_name(unsigned int type, unsigned int off)
{
	switch (type) {
	case PPTP_ICCN:
	case PPTP_WEN:
	case PPTP_SLI:
		return ("peer-call-id");
	default:
		return (off == OFF_PEERID ? "peer-call-id" : "call-id");
	}
}

/* Appends to buf like snprintf; keeps the total even when truncated. */
static void
append(char *buf, size_t size, size_t *used, const char *fmt, ...)
    __attribute__((__format__(__printf__, 4, 5)));

static void
append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = vsnprintf(*used < size ? buf + *used : NULL,
	    *used < size ? size - *used : 0, fmt, ap);
	va_end(ap);
	if (r > 0)
		*used += (size_t)r;
}

/*
 * One line for -e dumps: name, length, each Call-ID field before and
 * after translation, the result code of replies.  Returns the length of
 * the whole line, as snprintf does.
 */
int
pptp_describe(const uint8_t *msg, size_t len, const struct pptp_xlate *x,
    char *buf, size_t size)
{
	unsigned int	 type;
	size_t		 used = 0;
	int		 i;

	if (size > 0)
		buf[0] = '\0';
	type = pptp_get16(msg, len, OFF_CTRLTYPE);
	if (type == 0 || type > PPTP_CTRL_MAX) {
		append(buf, size, &used, "control message type %u len %zu",
		    type, len);
		return ((int)used);
	}
	append(buf, size, &used, "%s len %zu", msgtab[type].name, len);
	if (x != NULL && x->type == type) {
		for (i = 0; i < x->nids && i < PPTP_MAX_IDS; i++)
			append(buf, size, &used, " %s %u->%u",
			    id_name(type, x->off[i]), x->before[i],
			    x->after[i]);
	} else if (type >= PPTP_OCRQ) {
		append(buf, size, &used, " %s %u",
		    id_name(type, OFF_CALLID),
		    pptp_get16(msg, len, OFF_CALLID));
		if (type == PPTP_OCRP || type == PPTP_ICRP)
			append(buf, size, &used, " %s %u",
			    id_name(type, OFF_PEERID),
			    pptp_get16(msg, len, OFF_PEERID));
	}
	switch (type) {
	case PPTP_SCCRQ:
		append(buf, size, &used, " version 0x%04x",
		    pptp_get16(msg, len, 12));
		break;
	case PPTP_SCCRP:
		append(buf, size, &used, " version 0x%04x result %u",
		    pptp_get16(msg, len, 12), pptp_get16(msg, len, 14) >> 8);
		break;
	case PPTP_STOPCCRQ:
		append(buf, size, &used, " reason %u",
		    pptp_get16(msg, len, 12) >> 8);
		break;
	case PPTP_STOPCCRP:
		append(buf, size, &used, " result %u",
		    pptp_get16(msg, len, 12) >> 8);
		break;
	case PPTP_ECHORQ:
		append(buf, size, &used, " id 0x%08x",
		    pptp_get32(msg, len, 12));
		break;
	case PPTP_ECHORP:
		append(buf, size, &used, " id 0x%08x result %u",
		    pptp_get32(msg, len, 12), pptp_get16(msg, len, 16) >> 8);
		break;
	case PPTP_OCRP:
	case PPTP_ICRP:
		append(buf, size, &used, " result %u",
		    pptp_get16(msg, len, OFF_RESULT) >> 8);
		break;
	case PPTP_CDN:
		append(buf, size, &used, " result %u",
		    pptp_get16(msg, len, 14) >> 8);
		break;
	default:
		break;
	}
	return ((int)used);
}

/*
 * Enhanced GRE (RFC 2637 4.1): C, R, s, recursion and flags clear, K set,
 * version 1; S and A optional; protocol PPP; the header inside the
 * packet, the payload length inside what follows it and zero without S.
 */
int
gre_check(const uint8_t *pkt, size_t len, size_t *keyoff, size_t *hlen)
{
	uint16_t	 flags, plen;
	size_t		 h = GRE_HDR_MIN;

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
	if (plen > len - h)
		return (-1);
	if (!(flags & GRE_FLAG_S) && plen != 0)
		return (-1);
	*keyoff = 6;
	*hlen = h;
	return (0);
}
