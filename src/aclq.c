/*
 * The parent's bookkeeping of ACL checks (aclq.h).  Every list here is
 * bounded by the limits: at most `limit` checks run, and at most
 * ACLQ_WAIT_FACTOR times as many requests again wait, so the scans are
 * short; the verdict cache has a hash and ACLQ_CACHE_MAX entries.
 *
 * Several relays share the queue, and a compromised one can ask for any
 * client address: each relay may hold only its share of the requests not
 * answered yet (the bound in all divided among the relays, rounded up),
 * and an address's bound counts the requests of the relay asking only,
 * so that one relay's requests never get another's refused.  Every
 * request records its relay; the counts go down wherever a request goes:
 * answered (aclq_take()), cancelled, or freed with its check.
 *
 * The running slots go to the relays in turn, so that a relay that fills
 * its share with slow commands does not make the others' clients wait
 * for all of them: a slot that frees goes to the oldest check that may
 * start of the next relay after the one that had the last slot, among
 * the relays that have one (aclq_next()).  An honest relay's check thus
 * starts after at most one check of each other relay; with one relay,
 * checks start in the order they were asked for.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "pptpproxy.h"
#include "aclq.h"

static struct aclq_bucket *
bucket(struct aclq *q, uint32_t proxy_id, struct in_addr a)
{
	uint32_t	h;

	h = (a.s_addr ^ (proxy_id * 0x9e3779b1U)) * 0x85ebca6bU;
	return (&q->buckets[(h >> 16) % ACLQ_BUCKETS]);
}

void
aclq_init(struct aclq *q, unsigned int nrelays)
{
	int	i;

	memset(q, 0, sizeof(*q));
	TAILQ_INIT(&q->running);
	TAILQ_INIT(&q->queued);
	TAILQ_INIT(&q->ages);
	for (i = 0; i < ACLQ_BUCKETS; i++)
		LIST_INIT(&q->buckets[i]);
	q->nrelays = nrelays < 1 ? 1 : nrelays > RELAYS_MAX ? RELAYS_MAX :
	    nrelays;
	q->last = q->nrelays - 1;	/* relay 0 has the first turn */
	q->limit = 1;
	q->per_addr = 1;
	q->share = 1 + ACLQ_WAIT_FACTOR;
	q->cache_max = ACLQ_CACHE_MAX;
}

/* New limits (start, reload): the cache is emptied, the commands may
 * have changed, and new requests do not join a check already running.
 * Checks running beyond a lower limit end on their own, and a relay
 * holding more than its new share gets nothing new until it is under. */
void
aclq_set(struct aclq *q, unsigned int limit, unsigned int per_addr,
    int cache_secs)
{
	struct aclq_check	*c;

	TAILQ_FOREACH(c, &q->running, entry)
		c->sealed = 1;
	q->limit = limit > 0 ? limit : 1;
	q->per_addr = per_addr > 0 ? per_addr : 1;
	q->cache_secs = cache_secs > 0 ? cache_secs : 0;
	q->share = (q->limit * (1 + ACLQ_WAIT_FACTOR) + q->nrelays - 1) /
	    q->nrelays;
	aclq_cache_flush(q);
}

/* Checks running for one client address. */
unsigned int
aclq_running_for(const struct aclq *q, struct in_addr a)
{
	const struct aclq_check	*c;
	unsigned int		 n = 0;

	TAILQ_FOREACH(c, &q->running, entry)
		if (c->client.s_addr == a.s_addr)
			n++;
	return (n);
}

/* Requests not answered yet that no running check serves. */
unsigned int
aclq_waiting(const struct aclq *q)
{
	const struct aclq_check	*c;
	unsigned int		 n = 0;

	TAILQ_FOREACH(c, &q->queued, entry)
		n += c->nreq;
	return (n);
}

/* Requests not answered yet of one relay for one address. */
static unsigned int
requests_for(const struct aclq *q, struct in_addr a, unsigned int relay)
{
	const struct aclq_checks	*lists[2] = { &q->running, &q->queued };
	const struct aclq_check		*c;
	const struct aclq_req		*r;
	unsigned int			 n = 0;
	int				 i;

	for (i = 0; i < 2; i++)
		TAILQ_FOREACH(c, lists[i], entry) {
			if (c->client.s_addr != a.s_addr)
				continue;
			TAILQ_FOREACH(r, &c->reqs, entry)
				if (r->relay == relay)
					n++;
		}
	return (n);
}

static struct aclq_check *
check_find(struct aclq_checks *l, uint32_t proxy_id, struct in_addr a)
{
	struct aclq_check	*c;

	TAILQ_FOREACH(c, l, entry)
		if (c->proxy_id == proxy_id && c->client.s_addr == a.s_addr &&
		    !c->sealed)
			return (c);
	return (NULL);
}

/*
 * A request of relay `relay`: joins a check of the same proxy and client
 * when verdicts are cached (one command answers them all), else waits for
 * a check of its own.  Refused when more than the limits, and
 * ACLQ_WAIT_FACTOR times them again, are not answered yet, in all or of
 * that relay for that address, or when its relay holds its share.
 */
int
aclq_add(struct aclq *q, uint64_t reqid, unsigned int relay,
    uint32_t proxy_id, struct in_addr client, const char **why)
{
	struct aclq_check	*c = NULL;
	struct aclq_req		*r;

	*why = NULL;
	if (relay >= q->nrelays)	/* not from relay_of_sess() */
		relay = 0;
	if (q->nreq >= q->limit * (1 + ACLQ_WAIT_FACTOR)) {
		*why = "too many acl checks waiting";
		return (ACLQ_FULL);
	}
	if (q->byrelay[relay] >= q->share) {
		*why = "too many acl checks waiting for this relay";
		return (ACLQ_SHARE);
	}
	if (requests_for(q, client, relay) >=
	    q->per_addr * (1 + ACLQ_WAIT_FACTOR)) {
		*why = "too many acl checks waiting for that address";
		return (ACLQ_FULL);
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		*why = "out of memory";
		return (ACLQ_NOMEM);
	}
	r->reqid = reqid;
	r->relay = relay;
	if (q->cache_secs > 0 &&
	    ((c = check_find(&q->running, proxy_id, client)) != NULL ||
	    (c = check_find(&q->queued, proxy_id, client)) != NULL)) {
		TAILQ_INSERT_TAIL(&c->reqs, r, entry);
		c->nreq++;
		q->nreq++;
		q->byrelay[relay]++;
		return (ACLQ_JOINED);
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		free(r);
		*why = "out of memory";
		return (ACLQ_NOMEM);
	}
	c->proxy_id = proxy_id;
	c->client = client;
	c->relay = relay;
	TAILQ_INIT(&c->reqs);
	TAILQ_INSERT_TAIL(&c->reqs, r, entry);
	c->nreq = 1;
	q->nreq++;
	q->byrelay[relay]++;
	TAILQ_INSERT_TAIL(&q->queued, c, entry);
	return (ACLQ_QUEUED);
}

/*
 * The check to start now (under the limit in all and for its address),
 * counted as running; NULL if none may.  It is the oldest that may start
 * of the first relay, after the one given the last slot and in turn,
 * that has one: one pass over the queue, each check scored by how far
 * its relay comes after that one.  A check's relay is that of the
 * request it began for, for as long as it waits and that relay has a
 * request in it: requests of other relays that joined it (the cache on)
 * start with it, on its turn; once that relay's are cancelled, it waits
 * on the turn of the first request left (req_cancel()).
 * A check's address is counted only when the check would beat the best
 * so far: a pass over the queue costs at most one count a check.
 */
struct aclq_check *
aclq_next(struct aclq *q)
{
	struct aclq_check	*c, *best = NULL;
	unsigned int		 d, bestd = 0;

	if (q->nrunning >= q->limit)
		return (NULL);
	TAILQ_FOREACH(c, &q->queued, entry) {
		/* 0: the relay after the last, nrelays - 1: the last */
		d = (c->relay + q->nrelays - q->last - 1) % q->nrelays;
		if (best != NULL && d >= bestd)
			continue;	/* an older one of a relay as near */
		if (aclq_running_for(q, c->client) >= q->per_addr)
			continue;
		best = c;
		bestd = d;
		if (d == 0)
			break;
	}
	if ((c = best) == NULL)
		return (NULL);
	TAILQ_REMOVE(&q->queued, c, entry);
	TAILQ_INSERT_TAIL(&q->running, c, entry);
	c->running = 1;
	q->nrunning++;
	q->last = c->relay;
	return (c);
}

/* Request r leaves check c, answered or not: no longer counted. */
static void
req_remove(struct aclq *q, struct aclq_check *c, struct aclq_req *r)
{
	TAILQ_REMOVE(&c->reqs, r, entry);
	c->nreq--;
	q->nreq--;
	q->byrelay[r->relay]--;
}

static void
check_free(struct aclq *q, struct aclq_check *c)
{
	struct aclq_req	*r;

	while ((r = TAILQ_FIRST(&c->reqs)) != NULL) {
		req_remove(q, c, r);
		free(r);
	}
	free(c);
}

/*
 * Request r of check c is cancelled.  A queued check left with no
 * request is dropped; a running one is handed back (*orphan) for the
 * runner to kill; it still counts as running until aclq_done().
 */
static int
req_cancel(struct aclq *q, struct aclq_check *c, struct aclq_req *r,
    struct aclq_check **orphan)
{
	struct aclq_req	*left;

	req_remove(q, c, r);
	free(r);
	if (c->nreq > 0) {
		/*
		 * Waiting for other relays' requests only: the turn is that
		 * of the first of them, no longer of the relay it began for.
		 */
		TAILQ_FOREACH(left, &c->reqs, entry)
			if (left->relay == c->relay)
				break;
		if (left == NULL && !c->running)
			c->relay = TAILQ_FIRST(&c->reqs)->relay;
		return (ACLQ_DROPPED);
	}
	if (!c->running) {
		TAILQ_REMOVE(&q->queued, c, entry);
		check_free(q, c);
		return (ACLQ_DROPPED);
	}
	c->orphan = c->sealed = 1;
	*orphan = c;
	return (ACLQ_ORPHAN);
}

static int
req_is(const struct aclq_req *r, const uint64_t *reqid, int relay)
{
	return ((reqid == NULL || r->reqid == *reqid) &&
	    (relay < 0 || r->relay == (unsigned int)relay));
}

/*
 * The first request with session number *reqid (NULL: any) of relay
 * `relay` (-1: any) is cancelled, as req_cancel().
 */
static int
cancel_first(struct aclq *q, const uint64_t *reqid, int relay,
    struct aclq_check **orphan)
{
	struct aclq_checks	*lists[2] = { &q->running, &q->queued };
	struct aclq_check	*c;
	struct aclq_req		*r;
	int			 i;

	*orphan = NULL;
	for (i = 0; i < 2; i++) {
		TAILQ_FOREACH(c, lists[i], entry) {
			TAILQ_FOREACH(r, &c->reqs, entry)
				if (req_is(r, reqid, relay))
					break;
			if (r != NULL)
				return (req_cancel(q, c, r, orphan));
		}
	}
	return (ACLQ_UNKNOWN);
}

/* The session of request reqid has gone (req_cancel()). */
int
aclq_cancel(struct aclq *q, uint64_t reqid, struct aclq_check **orphan)
{
	return (cancel_first(q, &reqid, -1, orphan));
}

/*
 * A relay has gone: one of its requests is cancelled (req_cancel());
 * ACLQ_UNKNOWN once it has none left.
 */
int
aclq_cancel_relay(struct aclq *q, unsigned int relay,
    struct aclq_check **orphan)
{
	*orphan = NULL;
	if (relay >= q->nrelays)
		return (ACLQ_UNKNOWN);
	return (cancel_first(q, NULL, (int)relay, orphan));
}

/* The next request a verdict answers (the caller frees it), or NULL. */
struct aclq_req *
aclq_take(struct aclq *q, struct aclq_check *c)
{
	struct aclq_req	*r;

	if ((r = TAILQ_FIRST(&c->reqs)) == NULL)
		return (NULL);
	req_remove(q, c, r);
	return (r);
}

/* A running check is over: its command has ended (been reaped). */
void
aclq_done(struct aclq *q, struct aclq_check *c)
{
	if (c->running) {
		TAILQ_REMOVE(&q->running, c, entry);
		q->nrunning--;
	} else
		TAILQ_REMOVE(&q->queued, c, entry);
	check_free(q, c);
}

/*
 * Verdicts kept for cache_secs, at most cache_max, the oldest going
 * first.  All have the same lifetime, so the oldest is also the first to
 * expire: expired entries are taken off the front.
 */
static void
cent_free(struct aclq *q, struct aclq_cent *e)
{
	LIST_REMOVE(e, hash);
	TAILQ_REMOVE(&q->ages, e, age);
	q->ncache--;
	free(e);
}

static void
cache_expire(struct aclq *q, time_t now)
{
	struct aclq_cent	*e;

	while ((e = TAILQ_FIRST(&q->ages)) != NULL && e->expires <= now)
		cent_free(q, e);
}

int
aclq_cache_get(struct aclq *q, uint32_t proxy_id, struct in_addr client,
    time_t now, int *allow, char *why, size_t len)
{
	struct aclq_cent	*e;

	if (q->cache_secs == 0)
		return (0);
	cache_expire(q, now);
	LIST_FOREACH(e, bucket(q, proxy_id, client), hash)
		if (e->proxy_id == proxy_id &&
		    e->client.s_addr == client.s_addr) {
			*allow = e->allow;
			strlcpy(why, e->why, len);
			return (1);
		}
	return (0);
}

void
aclq_cache_put(struct aclq *q, uint32_t proxy_id, struct in_addr client,
    time_t now, int allow, const char *why)
{
	struct aclq_bucket	*b;
	struct aclq_cent	*e;

	if (q->cache_secs == 0 || q->cache_max == 0)
		return;
	cache_expire(q, now);
	b = bucket(q, proxy_id, client);
	LIST_FOREACH(e, b, hash)
		if (e->proxy_id == proxy_id &&
		    e->client.s_addr == client.s_addr) {
			cent_free(q, e);
			break;
		}
	while (q->ncache >= q->cache_max)
		cent_free(q, TAILQ_FIRST(&q->ages));
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return;
	e->proxy_id = proxy_id;
	e->client = client;
	e->expires = now + q->cache_secs;
	e->allow = allow;
	strlcpy(e->why, why, sizeof(e->why));
	LIST_INSERT_HEAD(b, e, hash);
	TAILQ_INSERT_TAIL(&q->ages, e, age);
	q->ncache++;
}

void
aclq_cache_flush(struct aclq *q)
{
	struct aclq_cent	*e;

	while ((e = TAILQ_FIRST(&q->ages)) != NULL)
		cent_free(q, e);
}
