/*
 * PPTP control messages (RFC 2637) and enhanced GRE: framing, validation
 * and Call-ID translation.  No I/O, no processes: the relay feeds bytes
 * in and applies what comes back, so every rule can be tested alone.
 */

#ifndef PPTP_H
#define PPTP_H

#include <sys/types.h>
#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PPTP_PORT		1723
#define PPTP_MAGIC		0x1a2b3c4dU
#define PPTP_MSG_CONTROL	1
#define PPTP_HDR_LEN		12	/* length .. reserved0 */
#define PPTP_MAX_MSG		220	/* Incoming-Call-Request */
#define PPTP_VERSION		0x0100

enum pptp_ctrl_type {
	PPTP_SCCRQ = 1,		/* Start-Control-Connection-Request */
	PPTP_SCCRP = 2,		/* Start-Control-Connection-Reply */
	PPTP_STOPCCRQ = 3,	/* Stop-Control-Connection-Request */
	PPTP_STOPCCRP = 4,	/* Stop-Control-Connection-Reply */
	PPTP_ECHORQ = 5,	/* Echo-Request */
	PPTP_ECHORP = 6,	/* Echo-Reply */
	PPTP_OCRQ = 7,		/* Outgoing-Call-Request */
	PPTP_OCRP = 8,		/* Outgoing-Call-Reply */
	PPTP_ICRQ = 9,		/* Incoming-Call-Request */
	PPTP_ICRP = 10,		/* Incoming-Call-Reply */
	PPTP_ICCN = 11,		/* Incoming-Call-Connected */
	PPTP_CCRQ = 12,		/* Call-Clear-Request */
	PPTP_CDN = 13,		/* Call-Disconnect-Notify */
	PPTP_WEN = 14,		/* WAN-Error-Notify */
	PPTP_SLI = 15,		/* Set-Link-Info */
	PPTP_CTRL_MAX = 15
};

/* Sides of a relayed control connection. */
#define PPTP_CLIENT	0	/* the connection pptpproxy accepted */
#define PPTP_SERVER	1	/* the connection pptpproxy opened */
#define PPTP_OTHER(s)	((s) ^ 1)

/* Result and error codes of call replies (RFC 2637 2.8, 2.10, 2.16). */
#define PPTP_RESULT_OK		1	/* connected, connect */
#define PPTP_RESULT_ERROR	2	/* general error, error code says */
#define PPTP_RESULT_NOACCEPT	3	/* Incoming-Call-Reply: do not accept */
#define PPTP_RESULT_BUSY	4	/* Outgoing-Call-Reply: busy */
#define PPTP_ERROR_NONE		0
#define PPTP_ERROR_NORESOURCE	4	/* insufficient resources */

/* Return values of pptp_frame(). */
#define PPTP_NEED	0	/* not a whole message yet */
#define PPTP_WHOLE	1	/* a whole message of *msglen bytes */
#define PPTP_BAD	(-1)	/* malformed: *err says why */

const char	*pptp_msg_name(unsigned int);
size_t		 pptp_msg_size(unsigned int);	/* 0 if unknown type */

/*
 * Look at the first avail bytes of a stream.  Judges the header as far as
 * it is there (a bad Length is caught from its two bytes alone), never
 * reads past avail.
 */
int		 pptp_frame(const uint8_t *, size_t, size_t *, const char **);

/* Bounds-checked big-endian access; off + 2 (4) must be <= len. */
uint16_t	 pptp_get16(const uint8_t *, size_t, size_t);
uint32_t	 pptp_get32(const uint8_t *, size_t, size_t);
void		 pptp_put16(uint8_t *, size_t, size_t, uint16_t);

/*
 * Call-ID pool shared by every connection of the process: a ring of the
 * free IDs (1..65535, or the range of one relay of several) in random
 * order; IDs come off the head (drawn among
 * the first 1024 at random) and go back at the tail, so an ID is not seen
 * again until most others have been used.  isfree mirrors the ring: an ID
 * put back twice goes in once, and callid_isfree() is O(1).  The draws'
 * random numbers come from rnd, which one arc4random_buf() fills
 * (libbsd's arc4random calls getpid each time, to notice a fork: one
 * system call per CALLID_RND numbers, not per number).
 */
#define CALLID_RND	64
struct callid_pool {
	uint16_t	ring[65535];
	uint32_t	lo, n;		/* IDs lo..lo+n-1 */
	uint32_t	head;
	uint32_t	count;		/* free IDs */
	uint8_t		isfree[65536 / 8];	/* bit per ID: in the ring */
	uint32_t	rnd[CALLID_RND];	/* unused random numbers */
	uint32_t	nrnd;			/* how many of them are left */
	uint64_t	refills;		/* arc4random_buf() calls */
};
void		 callid_init(struct callid_pool *);
/* The same with IDs lo..hi only (1 <= lo <= hi <= 65535). */
void		 callid_init_range(struct callid_pool *, unsigned int,
		    unsigned int);
int		 callid_get(struct callid_pool *, uint16_t *);	/* -1 if none */
void		 callid_put(struct callid_pool *, uint16_t);
uint32_t	 callid_free(const struct callid_pool *);
int		 callid_isfree(const struct callid_pool *, uint16_t);
/* Uniform in [0, bound), bound > 0, from the pool's random numbers. */
uint32_t	 callid_uniform(struct callid_pool *, uint32_t);

/*
 * Several control relays (relays N): relay i of n presents the Call IDs
 * lo..hi of relay_keys(), whole blocks of RELAY_BLOCK_KEYS, so that the
 * route table's pages it writes are its own (rtable.c); relay_of_key()
 * is the relay of a Call ID.  Session numbers: relay i's are i+1, i+1+n,
 * i+1+2n..., so that relay_of_sess() tells whose a session is.
 */
#define RELAYS_MAX		16
#define RELAY_BLOCK_KEYS	4096	/* 65536 / RELAYS_MAX */
void		 relay_keys(unsigned int, unsigned int, unsigned int *,
		    unsigned int *);
unsigned int	 relay_of_key(unsigned int, unsigned int);
unsigned int	 relay_of_sess(uint64_t, unsigned int);

/*
 * The calls one client address holds, against its share (limit calls
 * per-address).  callid_take() gives a call both its IDs at once, the
 * one shown to each side, or none: CALLID_BUSY when the share already
 * holds max calls, CALLID_EMPTY when the pool has fewer than two IDs
 * left.  A NULL share is not counted.  callid_give() returns both.
 */
struct callid_share {
	unsigned int	calls;
};
#define CALLID_TAKEN	0
#define CALLID_BUSY	1
#define CALLID_EMPTY	2
int		 callid_take(struct callid_pool *, struct callid_share *,
		    unsigned int, uint16_t [2]);
void		 callid_give(struct callid_pool *, struct callid_share *,
		    const uint16_t [2]);

/*
 * One call across the proxy.  real[s] is the Call ID side s chose;
 * pres[s] is the ID pptpproxy shows the other side in its place.
 */
enum pptp_call_state {
	CALL_REQUESTED,		/* 7 or 9 relayed, reply awaited */
	CALL_UP,		/* reply with success relayed */
	CALL_CLEARING		/* Call-Clear-Request relayed */
};

struct pptp_call {
	TAILQ_ENTRY(pptp_call)	 entry;
	uint16_t		 real[2];
	uint16_t		 pres[2];
	uint8_t			 have[2];	/* real[s]/pres[s] are set */
	uint8_t			 routes;	/* 1 << side: ROUTE_ADD sent */
	uint8_t			 origin;	/* side that sent 7 or 9 */
	uint8_t			 state;		/* enum pptp_call_state */
	uint8_t			 kind;		/* PPTP_OCRQ or PPTP_ICRQ */
	time_t			 since;		/* request or setup time */
	uint32_t		 serial;	/* log number of the call */
};
TAILQ_HEAD(pptp_calls, pptp_call);

/* Per control connection translation state. */
struct pptp_sess {
	struct pptp_calls	 calls;
	struct callid_pool	*pool;
	unsigned int		 ncalls;
	unsigned int		 max_calls;
	uint32_t		 next_serial;
	uint8_t			 started;	/* PPTP_START_* bits */
	uint8_t			 stopping;
	struct callid_share	*share;		/* the client address's */
	unsigned int		 share_max;	/* calls it may hold */
};
#define PPTP_START_RQ	0x01	/* Start-Control-Connection-Request seen */
#define PPTP_START_RP	0x02	/* Start-Control-Connection-Reply seen */
#define PPTP_START_RQSRV 0x04	/* the request came from the server side */
#define PPTP_START_CL	0x08	/* the client side has sent a message */
#define PPTP_STARTED	(PPTP_START_RQ | PPTP_START_RP)

/*
 * What a translated message means for the relay, in the order to apply.
 * ROUTE_ADD: GRE carrying key pres[side] may now flow to side `side`
 * (rewrite to real[side]).  ROUTE_DEL: it no longer may.  CALL_UP,
 * CALL_FAILED, CALL_END are for logging; call fields are a copy.
 */
enum pptp_ev_type {
	PPTP_EV_ROUTE_ADD = 1,
	PPTP_EV_ROUTE_DEL,
	PPTP_EV_CALL_NEW,
	PPTP_EV_CALL_UP,
	PPTP_EV_CALL_FAILED,
	PPTP_EV_CALL_END
};

struct pptp_event {
	int			 type;
	int			 side;		/* ROUTE_*: the receiving side */
	uint16_t		 result;	/* CALL_FAILED: result code */
	struct pptp_call	 call;		/* copy, entry not valid */
};

#define PPTP_MAX_EVENTS	6
#define PPTP_REPLY_MAX	32	/* Outgoing-Call-Reply */
#define PPTP_MAX_IDS	2

struct pptp_xlate {
	uint16_t		 type;		/* control message type */
	int			 nids;
	uint16_t		 off[PPTP_MAX_IDS];	/* Call-ID fields */
	uint16_t		 before[PPTP_MAX_IDS];
	uint16_t		 after[PPTP_MAX_IDS];
	int			 nev;
	struct pptp_event	 ev[PPTP_MAX_EVENTS];
	size_t			 replylen;	/* PPTP_REFUSED: the answer */
	uint8_t			 reply[PPTP_REPLY_MAX];
};

void		 pptp_sess_init(struct pptp_sess *, struct callid_pool *,
		    unsigned int);
/*
 * Count the session's calls against a share (a client address's) that
 * may hold max calls; without it (NULL) only the pool and max_calls limit.
 */
void		 pptp_sess_share(struct pptp_sess *, struct callid_share *,
		    unsigned int);
/*
 * Tear down every call: fills ev with ROUTE_DEL and CALL_END events (at
 * most max, any max >= 1 makes progress), frees the calls and returns
 * their IDs to the pool.  Call until it returns 0.
 */
int		 pptp_sess_clear(struct pptp_sess *, struct pptp_event *, int);
/*
 * Validate and translate one whole message (as framed by pptp_frame) sent
 * by side `from`, in place.  Returns 0: forward it; -1: protocol violation,
 * *err says why (static, valid until the next call), the message is left
 * as it was; close the connection (call pptp_sess_clear).
 * PPTP_REFUSED: a call request that does not fit (more than max_calls on
 * the session, the share used up, no Call IDs or memory left): forward
 * nothing, send the sender x->reply (x->replylen bytes), the reply that
 * refuses it; *err says why; the session goes on as if it had not come.
 */
#define PPTP_REFUSED	1
int		 pptp_translate(struct pptp_sess *, int, uint8_t *, size_t,
		    time_t, struct pptp_xlate *, const char **);
/*
 * The answers that refuse a call request, made by the proxy: an
 * Outgoing-Call-Reply (for the client) or Incoming-Call-Reply (for the
 * server) with Call ID 0, Peer's Call ID `peer` (the requester's, as it
 * sent it), the result and error codes, every other field 0.  Returns
 * the length written, 0 if size is too small.
 */
size_t		 pptp_build_ocrp(uint8_t *, size_t, uint16_t, uint8_t, uint8_t);
size_t		 pptp_build_icrp(uint8_t *, size_t, uint16_t, uint8_t, uint8_t);
/* A call waiting for its reply since before `deadline`, or NULL. */
struct pptp_call *pptp_sess_overdue(struct pptp_sess *, time_t);

/*
 * The message pptpproxy itself sends when it ends a session (RFC 2637
 * 2.3): written whole into buf, its length returned, or 0 when the len
 * bytes of buf cannot hold it.
 */
#define PPTP_STOP_NONE		1	/* Stop-Control-Connection-Request */
#define PPTP_STOP_PROTOCOL	2	/*   Reason codes */
#define PPTP_STOP_LOCAL		3	/*   Stop-Local-Shutdown */
size_t		 pptp_build_stop(uint8_t *, size_t, uint8_t);

/*
 * Describe a message for -e dumps: "Outgoing-Call-Reply len 32 call-id
 * 4711->23301 peer-call-id 9->0 result 1".  With x NULL (or for another
 * type) the Call-ID fields are shown as they are.  Returns the length of
 * the whole line, as snprintf does; buf is always terminated.
 */
int		 pptp_describe(const uint8_t *, size_t, const struct pptp_xlate *,
		    char *, size_t);

/*
 * Enhanced GRE (RFC 2637 section 4.1).
 */
#define GRE_PROTO_PPP	0x880b
#define GRE_FLAG_K	0x2000
#define GRE_FLAG_S	0x1000
#define GRE_FLAG_A	0x0080
#define GRE_VERSION	0x0001
#define GRE_HDR_MIN	8

/*
 * Validate the enhanced GRE header at pkt (len bytes, IP header removed).
 * On success returns 0 with the offset of the Call ID in *keyoff and the
 * header length in *hlen; -1 otherwise.
 */
int		 gre_check(const uint8_t *, size_t, size_t *, size_t *);

#endif /* PPTP_H */
