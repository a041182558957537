/*
 * The parent's ACL check bookkeeping (src/aclq.c): at most `limit` checks
 * run, at most `per-address` of them for one client address, by value at
 * the limit and one above; the rest wait in order, a bounded number, the
 * next refused; with the cache on, requests for a proxy and client join
 * the check already there (but not one running on the commands of
 * before a reload); a cancelled request is forgotten, a queued check
 * left with none is dropped, a running one handed back to be killed and
 * not joined again; verdicts kept for cache seconds, at most
 * ACLQ_CACHE_MAX of them, the oldest evicted, none once flushed.
 * Several relays: each holds at most its share of the requests not
 * answered yet (the bound in all divided among them, rounded up), by
 * value at the share and one above, while another relay is still served;
 * an address's bound counts one relay's requests only; the counts of each
 * relay go back to zero as requests are answered, cancelled, joined from
 * two relays, dropped with a relay that has gone; with one relay nothing
 * changes.  The running slots go to the relays in turn: a relay's check
 * asked for after another relay's three starts when the running one
 * ends; with three relays, in the order of the relays, not of the
 * requests; relays with nothing that may start passed over; a check
 * whose address is at its limit skipped for its relay's next; a check
 * joined by another relay's request keeps its own relay's turn, and
 * takes the turn of the requests left once its own relay's are
 * cancelled; one relay: in the order asked.
 */

#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxy.h"
#include "aclq.h"
#include "check.h"

static struct in_addr
addr(uint32_t host)
{
	struct in_addr	a;

	a.s_addr = htonl(0xc0000200U + host);	/* 192.0.2.host */
	return (a);
}

/* Start all that may start; how many did. */
static int
start_all(struct aclq *q, struct aclq_check **got, int max)
{
	struct aclq_check	*c;
	int			 n = 0;

	while ((c = aclq_next(q)) != NULL)
		if (n < max)
			got[n++] = c;
	return (n);
}

static void
test_limits(void)
{
	struct aclq		 q;
	struct aclq_check	*got[64], *c, *orphan;
	struct aclq_req		*r;
	const char		*why;
	unsigned int		 i;
	int			 n, rc;

	aclq_init(&q, 1);
	aclq_set(&q, 4, 2, 0);

	/* 5 addresses, one request each: 4 run, the 5th waits. */
	for (i = 1; i <= 5; i++)
		CHECK(aclq_add(&q, i, 0, 1, addr(i), &why) == ACLQ_QUEUED,
		    "request %u queued", i);
	n = start_all(&q, got, 64);
	CHECK(n == 4 && q.nrunning == 4, "limit 4: 4 start, not 5 (%d)", n);
	CHECK(aclq_waiting(&q) == 1, "the 5th waits");
	aclq_done(&q, got[0]);
	n = start_all(&q, got, 64);
	CHECK(n == 1 && q.nrunning == 4 &&
	    got[0]->client.s_addr == addr(5).s_addr,
	    "one ends: the 5th starts, 4 run again");
	while ((c = TAILQ_FIRST(&q.running)) != NULL)
		aclq_done(&q, c);
	CHECK(q.nrunning == 0 && q.nreq == 0, "all done, nothing counted");

	/* One address: at most 2 at once (cache off: no joining). */
	for (i = 10; i < 13; i++)
		(void)aclq_add(&q, i, 0, 1, addr(7), &why);
	n = start_all(&q, got, 64);
	CHECK(n == 2 && aclq_running_for(&q, addr(7)) == 2,
	    "per-address 2: 2 of 3 start for one address (%d)", n);
	/* Another address is not held up behind it. */
	(void)aclq_add(&q, 20, 0, 1, addr(8), &why);
	n = start_all(&q, got, 64);
	CHECK(n == 1 && got[0]->client.s_addr == addr(8).s_addr,
	    "another address passes the one at its limit");
	aclq_done(&q, TAILQ_FIRST(&q.running));
	n = start_all(&q, got, 64);
	CHECK(n == 1 && got[0]->client.s_addr == addr(7).s_addr &&
	    aclq_running_for(&q, addr(7)) == 2,
	    "one of that address ends: its third starts");
	while ((c = TAILQ_FIRST(&q.running)) != NULL)
		aclq_done(&q, c);

	/* Waiting: per address at most 5 x 2 in all, then refused. */
	for (i = 0; i < 10; i++)
		CHECK(aclq_add(&q, 100 + i, 0, 1, addr(9), &why) == ACLQ_QUEUED,
		    "request %u of one address taken", i + 1);
	rc = aclq_add(&q, 110, 0, 1, addr(9), &why);
	CHECK(rc == ACLQ_FULL && why != NULL &&
	    strcmp(why, "too many acl checks waiting for that address") == 0,
	    "the 11th of one address refused (%s)", why ? why : "-");
	/* In all: 5 x 4 = 20; 10 more from 10 addresses fill it. */
	for (i = 0; i < 10; i++)
		CHECK(aclq_add(&q, 200 + i, 0, 1, addr(20 + i), &why) ==
		    ACLQ_QUEUED, "request from address %u taken", 20 + i);
	rc = aclq_add(&q, 300, 0, 1, addr(40), &why);
	CHECK(rc == ACLQ_FULL && why != NULL &&
	    strcmp(why, "too many acl checks waiting") == 0,
	    "the 21st in all refused (%s)", why ? why : "-");
	n = start_all(&q, got, 64);
	CHECK(n == 4 && q.nrunning == 4, "still only 4 run (%d)", n);

	/* Cancel: a queued one is dropped, a running one is an orphan. */
	CHECK(aclq_cancel(&q, 209, &orphan) == ACLQ_DROPPED &&
	    orphan == NULL, "a queued request cancelled: dropped");
	CHECK(aclq_cancel(&q, 209, &orphan) == ACLQ_UNKNOWN,
	    "cancelled twice: unknown");
	c = TAILQ_FIRST(&q.running);
	r = TAILQ_FIRST(&c->reqs);
	CHECK(aclq_cancel(&q, r->reqid, &orphan) == ACLQ_ORPHAN &&
	    orphan == c && c->orphan,
	    "the request of a running check cancelled: killed");
	CHECK(q.nrunning == 4 && start_all(&q, got, 64) == 0,
	    "an orphan still counts until it is reaped");
	aclq_done(&q, c);
	CHECK(start_all(&q, got, 64) == 1, "reaped: the next starts");
	while ((c = TAILQ_FIRST(&q.running)) != NULL)
		aclq_done(&q, c);
	while ((c = TAILQ_FIRST(&q.queued)) != NULL)
		aclq_done(&q, c);
	CHECK(q.nreq == 0 && q.nrunning == 0, "emptied");
}

static void
test_join(void)
{
	struct aclq		 q;
	struct aclq_check	*got[8], *orphan, *c;
	struct aclq_req		*r;
	const char		*why;
	int			 n, i, rc;

	aclq_init(&q, 1);
	aclq_set(&q, 16, 2, 10);
	CHECK(aclq_add(&q, 1, 0, 1, addr(5), &why) == ACLQ_QUEUED,
	    "cache on: the first request queued");
	CHECK(aclq_add(&q, 2, 0, 1, addr(5), &why) == ACLQ_JOINED,
	    "the second for that proxy and client joins it");
	CHECK(aclq_add(&q, 3, 0, 2, addr(5), &why) == ACLQ_QUEUED,
	    "another proxy's: a check of its own");
	n = start_all(&q, got, 8);
	CHECK(n == 2, "two checks run, not three (%d)", n);
	CHECK(aclq_add(&q, 4, 0, 1, addr(5), &why) == ACLQ_JOINED &&
	    got[0]->nreq == 3, "joins a running check too");
	for (i = 0; (r = aclq_take(&q, got[0])) != NULL; i++)
		free(r);
	CHECK(i == 3, "its verdict answers all 3 (%d)", i);
	aclq_done(&q, got[0]);
	/* An orphan is not joined: its command is being killed. */
	r = TAILQ_FIRST(&got[1]->reqs);
	(void)aclq_cancel(&q, r->reqid, &orphan);
	CHECK(orphan == got[1], "orphaned");
	rc = aclq_add(&q, 5, 0, 2, addr(5), &why);
	CHECK(rc == ACLQ_QUEUED, "a new request does not join the orphan");
	aclq_done(&q, got[1]);
	if (rc != ACLQ_QUEUED)
		return;
	n = start_all(&q, got, 8);
	CHECK(n == 1, "it starts once the orphan is reaped");
	/* A reload: a check running on the old commands is joined by none. */
	aclq_set(&q, 16, 2, 10);
	rc = aclq_add(&q, 6, 0, 2, addr(5), &why);
	CHECK(rc == ACLQ_QUEUED && got[0]->nreq == 1,
	    "after a reload a request does not join a running check");
	aclq_done(&q, got[0]);
	c = TAILQ_FIRST(&q.queued);
	CHECK(c != NULL && aclq_add(&q, 7, 0, 2, addr(5), &why) == ACLQ_JOINED,
	    "but joins one queued since");
	while ((c = TAILQ_FIRST(&q.queued)) != NULL)
		aclq_done(&q, c);
	CHECK(q.nreq == 0, "emptied");
}

/* Relay i of n asks for session i + 1 + k n (relay_of_sess()). */
static uint64_t
sess(unsigned int relay, unsigned int n, unsigned int k)
{
	return (relay + 1 + (uint64_t)k * n);
}

/* Every request answered or cancelled: nothing left counted. */
static void
drain(struct aclq *q)
{
	struct aclq_check	*c;
	struct aclq_req		*r;

	while (aclq_next(q) != NULL)
		;
	while ((c = TAILQ_FIRST(&q->running)) != NULL) {
		while ((r = aclq_take(q, c)) != NULL)
			free(r);
		aclq_done(q, c);
	}
	while ((c = TAILQ_FIRST(&q->queued)) != NULL)
		aclq_done(q, c);
}

/* The running check for address a (the first), or NULL. */
static struct aclq_check *
running_of(struct aclq *q, struct in_addr a)
{
	struct aclq_check	*c;

	TAILQ_FOREACH(c, &q->running, entry)
		if (c->client.s_addr == a.s_addr)
			return (c);
	return (NULL);
}

/* The check for 192.0.2.host ends: its requests answered, it is done. */
static void
end(struct aclq *q, uint32_t host)
{
	struct aclq_check	*c;
	struct aclq_req		*r;

	if ((c = running_of(q, addr(host))) == NULL)
		return;
	while ((r = aclq_take(q, c)) != NULL)
		free(r);
	aclq_done(q, c);
}

/*
 * Start what may start, as the parent does after every request and every
 * command's end; the hosts of the checks started, in order, in buf
 * ("50 70", "-" for none).
 */
static const char *
started(struct aclq *q, char *buf, size_t len)
{
	struct aclq_check	*c;
	char			 one[16];

	buf[0] = '\0';
	while ((c = aclq_next(q)) != NULL) {
		snprintf(one, sizeof(one), "%s%u", buf[0] != '\0' ? " " : "",
		    (unsigned int)(ntohl(c->client.s_addr) & 0xff));
		strlcat(buf, one, len);
	}
	if (buf[0] == '\0')
		strlcpy(buf, "-", len);
	return (buf);
}

/* Relay `relay` of q->nrelays asks, for 192.0.2.host, session k. */
static int
ask(struct aclq *q, unsigned int relay, unsigned int k, uint32_t host)
{
	const char	*why;

	return (aclq_add(q, sess(relay, q->nrelays, k), relay, 1, addr(host),
	    &why));
}

static void
test_share(void)
{
	struct aclq		 q;
	struct aclq_check	*got[64], *orphan;
	struct aclq_req		*r;
	const char		*why;
	unsigned int		 i, n;
	int			 rc;

	/* relays 2, limit 1: 5 in all, 3 for each relay (5 / 2 up). */
	aclq_init(&q, 2);
	aclq_set(&q, 1, 1, 0);
	CHECK(q.share == 3, "relays 2, limit 1: share 3 (%u)", q.share);
	for (i = 0; i < 3; i++)
		CHECK(aclq_add(&q, sess(1, 2, i), 1, 1, addr(50 + i), &why) ==
		    ACLQ_QUEUED, "relay 1: request %u of its share taken",
		    i + 1);
	CHECK(q.byrelay[1] == 3 && q.byrelay[0] == 0,
	    "relay 1 holds 3, relay 0 none (%u, %u)", q.byrelay[1],
	    q.byrelay[0]);
	rc = aclq_add(&q, sess(1, 2, 3), 1, 1, addr(60), &why);
	CHECK(rc == ACLQ_SHARE && why != NULL &&
	    strcmp(why, "too many acl checks waiting for this relay") == 0,
	    "relay 1: one above its share refused (%s)", why ? why : "-");
	CHECK(q.nreq == 3 && q.byrelay[1] == 3,
	    "the refused request is not counted");
	n = start_all(&q, got, 64);
	CHECK(n == 1 && got[0]->client.s_addr == addr(50).s_addr,
	    "limit 1: relay 1's first runs (%u)", n);
	/* Relay 0 is still served, up to the bound in all. */
	for (i = 0; i < 2; i++)
		CHECK(aclq_add(&q, sess(0, 2, i), 0, 1, addr(70 + i), &why) ==
		    ACLQ_QUEUED, "relay 0: request %u taken beside relay 1's",
		    i + 1);
	rc = aclq_add(&q, sess(0, 2, 2), 0, 1, addr(72), &why);
	CHECK(rc == ACLQ_FULL && why != NULL &&
	    strcmp(why, "too many acl checks waiting") == 0,
	    "relay 0: the 6th in all refused by the bound in all (%s)",
	    why ? why : "-");
	/* One of relay 1's answered: it may ask once more, no more. */
	r = aclq_take(&q, got[0]);
	CHECK(r != NULL && r->relay == 1, "its request is relay 1's");
	free(r);
	aclq_done(&q, got[0]);
	CHECK(q.byrelay[1] == 2 && q.nreq == 4,
	    "answered: relay 1 holds 2 (%u)", q.byrelay[1]);
	CHECK(aclq_add(&q, sess(1, 2, 4), 1, 1, addr(61), &why) ==
	    ACLQ_QUEUED, "relay 1 asks again: at its share again");
	CHECK(aclq_add(&q, sess(1, 2, 5), 1, 1, addr(62), &why) == ACLQ_FULL,
	    "and the bound in all is reached");
	/* Cancelled: the counts go down, relay by relay. */
	CHECK(aclq_cancel(&q, sess(1, 2, 4), &orphan) == ACLQ_DROPPED &&
	    q.byrelay[1] == 2 && q.byrelay[0] == 2,
	    "relay 1's request cancelled: relay 1 holds 2, relay 0 still 2");
	CHECK(aclq_cancel(&q, sess(0, 2, 0), &orphan) == ACLQ_DROPPED &&
	    q.byrelay[0] == 1 && q.byrelay[1] == 2,
	    "relay 0's cancelled: relay 0 holds 1, relay 1 still 2");
	drain(&q);
	CHECK(q.nreq == 0 && q.byrelay[0] == 0 && q.byrelay[1] == 0 &&
	    q.nrunning == 0, "all answered: nothing counted");

	/* An address's bound counts the requests of one relay only. */
	aclq_set(&q, 4, 1, 0);
	CHECK(q.share == 10, "relays 2, limit 4: share 10 (%u)", q.share);
	for (i = 0; i < 5; i++)
		(void)aclq_add(&q, sess(1, 2, i), 1, 1, addr(9), &why);
	rc = aclq_add(&q, sess(1, 2, 5), 1, 1, addr(9), &why);
	CHECK(rc == ACLQ_FULL && why != NULL &&
	    strcmp(why, "too many acl checks waiting for that address") == 0,
	    "relay 1: the 6th for one address refused (%s)", why ? why : "-");
	CHECK(aclq_add(&q, sess(0, 2, 0), 0, 1, addr(9), &why) ==
	    ACLQ_QUEUED, "relay 0's for that address still taken");
	drain(&q);
	CHECK(q.nreq == 0 && q.byrelay[0] == 0 && q.byrelay[1] == 0,
	    "emptied");

	/* Joined from two relays: each request counts for its own. */
	aclq_set(&q, 4, 1, 10);
	CHECK(aclq_add(&q, sess(1, 2, 0), 1, 1, addr(5), &why) ==
	    ACLQ_QUEUED && aclq_add(&q, sess(0, 2, 0), 0, 1, addr(5), &why) ==
	    ACLQ_JOINED, "relay 0's request joins relay 1's check");
	CHECK(q.byrelay[0] == 1 && q.byrelay[1] == 1, "one each");
	n = start_all(&q, got, 64);
	CHECK(aclq_cancel(&q, sess(1, 2, 0), &orphan) == ACLQ_DROPPED &&
	    orphan == NULL && q.byrelay[1] == 0 && q.byrelay[0] == 1,
	    "relay 1's cancelled: the check goes on for relay 0's");
	CHECK(n == 1 && (r = aclq_take(&q, got[0])) != NULL &&
	    r->reqid == sess(0, 2, 0) && q.byrelay[0] == 0,
	    "the verdict answers relay 0's");
	free(r);
	aclq_done(&q, got[0]);

	/* A relay that has gone: its requests only, wherever they are. */
	(void)aclq_add(&q, sess(1, 2, 1), 1, 1, addr(20), &why);
	(void)aclq_add(&q, sess(1, 2, 2), 1, 1, addr(21), &why);
	(void)aclq_add(&q, sess(0, 2, 1), 0, 1, addr(21), &why);
	(void)aclq_add(&q, sess(0, 2, 2), 0, 1, addr(22), &why);
	n = start_all(&q, got, 64);
	(void)aclq_add(&q, sess(1, 2, 3), 1, 1, addr(23), &why);
	CHECK(n == 3 && q.byrelay[1] == 3 && q.byrelay[0] == 2,
	    "3 checks run, relay 1 holds 3, relay 0 2");
	/* The order they started in is the turns' (test_turns()). */
	got[0] = running_of(&q, addr(20));
	got[1] = running_of(&q, addr(21));
	got[2] = running_of(&q, addr(22));
	i = 0;
	while ((rc = aclq_cancel_relay(&q, 1, &orphan)) != ACLQ_UNKNOWN)
		if (rc == ACLQ_ORPHAN) {
			CHECK(orphan == got[0] && orphan != NULL,
			    "the check of relay 1 alone is handed back to be "
			    "killed");
			i++;
		}
	CHECK(i == 1 && q.byrelay[1] == 0 && q.byrelay[0] == 2 &&
	    got[1] != NULL && got[1]->nreq == 1 && got[2] != NULL &&
	    got[2]->nreq == 1,
	    "relay 1 gone: its 3 forgotten, relay 0's 2 kept (%u orphans)",
	    i);
	CHECK(aclq_cancel_relay(&q, 2, &orphan) == ACLQ_UNKNOWN &&
	    orphan == NULL, "no relay 2 of 2: nothing");
	if (got[0] != NULL)
		aclq_done(&q, got[0]);
	drain(&q);
	CHECK(q.nreq == 0 && q.byrelay[0] == 0 && q.byrelay[1] == 0 &&
	    q.nrunning == 0, "all answered: nothing counted");

	/* A reload to a lower limit: a relay over its new share waits. */
	aclq_set(&q, 2, 1, 0);
	for (i = 0; i < 5; i++)
		(void)aclq_add(&q, sess(1, 2, i), 1, 1, addr(30 + i), &why);
	aclq_set(&q, 1, 1, 0);
	CHECK(aclq_add(&q, sess(1, 2, 5), 1, 1, addr(40), &why) ==
	    ACLQ_FULL && q.byrelay[1] == 5,
	    "limit 2 to 1: relay 1 holding 5 gets nothing more");
	for (i = 0; i < 2; i++)
		(void)aclq_cancel(&q, sess(1, 2, i), &orphan);
	CHECK(aclq_add(&q, sess(1, 2, 6), 1, 1, addr(41), &why) == ACLQ_SHARE,
	    "at 3 of its share of 3: still refused");
	(void)aclq_cancel(&q, sess(1, 2, 2), &orphan);
	CHECK(aclq_add(&q, sess(1, 2, 7), 1, 1, addr(42), &why) ==
	    ACLQ_QUEUED, "under its share: taken");
	drain(&q);
	CHECK(q.nreq == 0 && q.byrelay[1] == 0, "emptied");

	/* More relays: the share rounds up. */
	aclq_init(&q, 3);
	aclq_set(&q, 2, 1, 0);
	CHECK(q.share == 4, "relays 3, limit 2: share 4 (%u)", q.share);
	aclq_init(&q, RELAYS_MAX);
	aclq_set(&q, 1, 1, 0);
	CHECK(q.share == 1, "relays %d, limit 1: share 1 (%u)", RELAYS_MAX,
	    q.share);
	CHECK(aclq_add(&q, sess(3, RELAYS_MAX, 0), 3, 1, addr(1), &why) ==
	    ACLQ_QUEUED && aclq_add(&q, sess(3, RELAYS_MAX, 1), 3, 1, addr(2),
	    &why) == ACLQ_SHARE, "one each, the second refused");
	drain(&q);

	/* One relay: its share is the bound in all; nothing changes. */
	aclq_init(&q, 1);
	aclq_set(&q, 4, 4, 0);
	CHECK(q.share == 20, "one relay, limit 4: share 20 (%u)", q.share);
	for (i = 0; i < 20; i++)
		CHECK(aclq_add(&q, i + 1, 0, 1, addr(i), &why) == ACLQ_QUEUED,
		    "one relay: request %u taken", i + 1);
	rc = aclq_add(&q, 21, 0, 1, addr(30), &why);
	CHECK(rc == ACLQ_FULL && why != NULL &&
	    strcmp(why, "too many acl checks waiting") == 0,
	    "one relay: the 21st refused as before (%s)", why ? why : "-");
	drain(&q);
	CHECK(q.nreq == 0 && q.byrelay[0] == 0, "emptied");
}

/*
 * The running slots go to the relays in turn: a free slot to the oldest
 * check that may start of the next relay after the one that had the
 * last slot; relays with none that may start are passed over.
 */
static void
test_turns(void)
{
	struct aclq		 q;
	struct aclq_check	*c, *orphan;
	char			 b[128];
	unsigned int		 i;

	/* relays 2, limit 1: relay 1 fills its share of 3, relay 0 asks. */
	aclq_init(&q, 2);
	aclq_set(&q, 1, 1, 0);
	CHECK(ask(&q, 1, 0, 50) == ACLQ_QUEUED &&
	    strcmp(started(&q, b, sizeof(b)), "50") == 0,
	    "relay 1's first runs at once (%s)", b);
	CHECK(ask(&q, 1, 1, 51) == ACLQ_QUEUED && ask(&q, 1, 2, 52) ==
	    ACLQ_QUEUED && strcmp(started(&q, b, sizeof(b)), "-") == 0,
	    "relay 1's second and third wait (%s)", b);
	CHECK(ask(&q, 0, 0, 70) == ACLQ_QUEUED &&
	    strcmp(started(&q, b, sizeof(b)), "-") == 0 && q.nreq == 4,
	    "relay 0's waits behind them (%s)", b);
	end(&q, 50);
	CHECK(strcmp(started(&q, b, sizeof(b)), "70") == 0,
	    "the slot frees: relay 0's starts, not relay 1's second (%s)", b);
	end(&q, 70);
	CHECK(strcmp(started(&q, b, sizeof(b)), "51") == 0,
	    "relay 0 has none left: relay 1's second (%s)", b);
	CHECK(ask(&q, 0, 1, 71) == ACLQ_QUEUED &&
	    strcmp(started(&q, b, sizeof(b)), "-") == 0,
	    "relay 0 asks again while it runs (%s)", b);
	end(&q, 51);
	CHECK(strcmp(started(&q, b, sizeof(b)), "71") == 0,
	    "relay 0's again before relay 1's third (%s)", b);
	end(&q, 71);
	CHECK(strcmp(started(&q, b, sizeof(b)), "52") == 0,
	    "then relay 1's third (%s)", b);
	end(&q, 52);
	CHECK(strcmp(started(&q, b, sizeof(b)), "-") == 0 && q.nreq == 0 &&
	    q.nrunning == 0 && q.byrelay[0] == 0 && q.byrelay[1] == 0,
	    "all answered: nothing counted");

	/* relays 3, limit 1 (share 2): in turn, not in the order asked. */
	aclq_init(&q, 3);
	aclq_set(&q, 1, 1, 0);
	CHECK(ask(&q, 0, 0, 1) == ACLQ_QUEUED &&
	    strcmp(started(&q, b, sizeof(b)), "1") == 0,
	    "relays 3: relay 0's runs (%s)", b);
	CHECK(ask(&q, 2, 0, 20) == ACLQ_QUEUED &&
	    ask(&q, 1, 0, 10) == ACLQ_QUEUED &&
	    ask(&q, 0, 1, 2) == ACLQ_QUEUED &&
	    ask(&q, 2, 1, 21) == ACLQ_QUEUED && q.nreq == 5,
	    "relays 2, 1, 0 and 2 again ask, 5 in all");
	b[0] = '\0';
	for (i = 0; i < 5; i++) {
		if ((c = TAILQ_FIRST(&q.running)) == NULL)
			break;
		end(&q, ntohl(c->client.s_addr) & 0xff);
		strlcat(b, " ", sizeof(b));
		started(&q, b + strlen(b), sizeof(b) - strlen(b));
	}
	CHECK(strcmp(b, " 10 20 2 21 -") == 0,
	    "each ends: relay 1's, 2's, 0's, 2's second (%s)", b);
	CHECK(q.nreq == 0 && q.nrunning == 0 && q.byrelay[0] == 0 &&
	    q.byrelay[1] == 0 && q.byrelay[2] == 0, "nothing counted");

	/* relays 3, limit 2: a relay with nothing waiting is passed over. */
	aclq_set(&q, 2, 1, 0);
	CHECK(ask(&q, 1, 0, 10) == ACLQ_QUEUED &&
	    ask(&q, 1, 1, 11) == ACLQ_QUEUED &&
	    strcmp(started(&q, b, sizeof(b)), "10 11") == 0,
	    "limit 2: relay 1's two run, the slots would idle else (%s)", b);
	CHECK(ask(&q, 1, 2, 12) == ACLQ_QUEUED &&
	    ask(&q, 0, 0, 1) == ACLQ_QUEUED &&
	    ask(&q, 1, 3, 13) == ACLQ_QUEUED &&
	    strcmp(started(&q, b, sizeof(b)), "-") == 0,
	    "relay 1's third and fourth, relay 0's wait (%s)", b);
	end(&q, 10);
	CHECK(strcmp(started(&q, b, sizeof(b)), "1") == 0,
	    "relay 2 has none: relay 0's (%s)", b);
	end(&q, 11);
	CHECK(strcmp(started(&q, b, sizeof(b)), "12") == 0,
	    "relay 1's third (%s)", b);
	end(&q, 1);
	CHECK(strcmp(started(&q, b, sizeof(b)), "13") == 0,
	    "relay 1's fourth (%s)", b);
	end(&q, 12);
	end(&q, 13);
	CHECK(q.nreq == 0 && q.nrunning == 0 && q.byrelay[1] == 0,
	    "nothing counted");

	/* One relay: in the order asked. */
	aclq_init(&q, 1);
	aclq_set(&q, 1, 1, 0);
	for (i = 0; i < 5; i++)
		(void)ask(&q, 0, i, 30 - i);
	b[0] = '\0';
	for (i = 0; i < 6; i++) {
		started(&q, b + strlen(b), sizeof(b) - strlen(b));
		strlcat(b, " ", sizeof(b));
		if ((c = TAILQ_FIRST(&q.running)) != NULL)
			end(&q, ntohl(c->client.s_addr) & 0xff);
	}
	CHECK(strcmp(b, "30 29 28 27 26 - ") == 0,
	    "one relay: one by one, in the order asked (%s)", b);
	CHECK(q.nreq == 0 && q.nrunning == 0, "nothing counted");

	/*
	 * relays 2, limit 2, per-address 1: a relay's oldest check whose
	 * address is at its limit is skipped for its next one; a relay
	 * with none that may start is passed over.
	 */
	aclq_init(&q, 2);
	aclq_set(&q, 2, 1, 0);
	CHECK(ask(&q, 0, 0, 5) == ACLQ_QUEUED &&
	    ask(&q, 1, 0, 60) == ACLQ_QUEUED &&
	    strcmp(started(&q, b, sizeof(b)), "5 60") == 0,
	    "relay 0's for .5 and relay 1's run (%s)", b);
	CHECK(ask(&q, 0, 1, 5) == ACLQ_QUEUED &&
	    ask(&q, 1, 1, 61) == ACLQ_QUEUED &&
	    ask(&q, 0, 2, 6) == ACLQ_QUEUED &&
	    strcmp(started(&q, b, sizeof(b)), "-") == 0,
	    "relay 0 asks for .5 again, relay 1, relay 0 for .6 (%s)", b);
	end(&q, 60);
	CHECK(strcmp(started(&q, b, sizeof(b)), "6") == 0 &&
	    aclq_running_for(&q, addr(5)) == 1,
	    "relay 0's turn: .5 at its limit, its .6 starts (%s)", b);
	end(&q, 6);
	CHECK(strcmp(started(&q, b, sizeof(b)), "61") == 0,
	    "relay 1's turn (%s)", b);
	CHECK(ask(&q, 1, 2, 62) == ACLQ_QUEUED, "relay 1 asks again");
	end(&q, 61);
	CHECK(strcmp(started(&q, b, sizeof(b)), "62") == 0,
	    "relay 0's only one is at its address's limit: relay 1's (%s)", b);
	end(&q, 5);
	CHECK(strcmp(started(&q, b, sizeof(b)), "5") == 0,
	    ".5's first ends: its second starts (%s)", b);
	end(&q, 5);
	end(&q, 62);
	CHECK(q.nreq == 0 && q.nrunning == 0 && q.byrelay[0] == 0 &&
	    q.byrelay[1] == 0 && TAILQ_EMPTY(&q.queued), "nothing counted");

	/* Joined (cache on): a check has the turn of the relay it began for. */
	aclq_set(&q, 1, 1, 10);
	CHECK(ask(&q, 0, 0, 1) == ACLQ_QUEUED &&
	    strcmp(started(&q, b, sizeof(b)), "1") == 0, "relay 0's runs");
	CHECK(ask(&q, 1, 0, 7) == ACLQ_QUEUED && ask(&q, 0, 1, 8) ==
	    ACLQ_QUEUED && ask(&q, 0, 2, 7) == ACLQ_JOINED,
	    "relay 1 asks for .7, relay 0 for .8, then .7: joins");
	end(&q, 1);
	started(&q, b, sizeof(b));
	c = running_of(&q, addr(7));
	CHECK(strcmp(b, "7") == 0 && c != NULL && c->relay == 1 &&
	    c->nreq == 2,
	    "relay 1's turn: .7 starts, relay 0's request with it (%s)", b);
	end(&q, 7);
	CHECK(strcmp(started(&q, b, sizeof(b)), "8") == 0, "then .8 (%s)", b);
	end(&q, 8);
	CHECK(q.nreq == 0 && q.nrunning == 0 && q.byrelay[0] == 0 &&
	    q.byrelay[1] == 0, "all answered: nothing counted");

	/*
	 * The request it began for cancelled, a check waits on the turn of
	 * the requests left in it: relay 1 asks for .7 and .9, relay 0 joins
	 * .7, relay 1's .7 goes; after relay 0's .1, relay 1's turn is .9.
	 */
	CHECK(ask(&q, 0, 3, 1) == ACLQ_QUEUED &&
	    strcmp(started(&q, b, sizeof(b)), "1") == 0, "relay 0's .1 runs");
	CHECK(ask(&q, 1, 1, 7) == ACLQ_QUEUED && ask(&q, 0, 4, 7) ==
	    ACLQ_JOINED && ask(&q, 1, 2, 9) == ACLQ_QUEUED,
	    "relay 1 asks for .7, relay 0 joins it, relay 1 asks for .9");
	CHECK(aclq_cancel(&q, sess(1, q.nrelays, 1), &orphan) ==
	    ACLQ_DROPPED && orphan == NULL, "relay 1's .7 is cancelled");
	end(&q, 1);
	CHECK(strcmp(started(&q, b, sizeof(b)), "9") == 0,
	    "relay 1's turn: its .9, not .7, now relay 0's (%s)", b);
	end(&q, 9);
	started(&q, b, sizeof(b));
	c = running_of(&q, addr(7));
	CHECK(strcmp(b, "7") == 0 && c != NULL && c->relay == 0 &&
	    c->nreq == 1, "then .7, on relay 0's turn (%s)", b);
	end(&q, 7);
	CHECK(q.nreq == 0 && q.nrunning == 0 && q.byrelay[0] == 0 &&
	    q.byrelay[1] == 0, "all answered or cancelled: nothing counted");
	aclq_cache_flush(&q);
}

static void
test_cache(void)
{
	struct aclq	q;
	char		why[128];
	int		allow = -1;
	unsigned int	i;

	aclq_init(&q, 1);
	aclq_set(&q, 16, 2, 10);
	aclq_cache_put(&q, 1, addr(1), 100, 0, "x exited 1");
	CHECK(aclq_cache_get(&q, 1, addr(1), 100, &allow, why, sizeof(why))
	    && allow == 0 && strcmp(why, "x exited 1") == 0,
	    "a verdict is kept, with its reason");
	CHECK(!aclq_cache_get(&q, 2, addr(1), 100, &allow, why, sizeof(why)),
	    "not for another proxy");
	CHECK(!aclq_cache_get(&q, 1, addr(2), 100, &allow, why, sizeof(why)),
	    "not for another address");
	CHECK(aclq_cache_get(&q, 1, addr(1), 109, &allow, why, sizeof(why)),
	    "still there after 9 s of 10");
	CHECK(!aclq_cache_get(&q, 1, addr(1), 110, &allow, why, sizeof(why))
	    && q.ncache == 0, "gone after 10 s");
	aclq_cache_put(&q, 1, addr(1), 200, 0, "deny");
	aclq_cache_put(&q, 1, addr(1), 201, 1, "allow");
	CHECK(q.ncache == 1 && aclq_cache_get(&q, 1, addr(1), 202, &allow,
	    why, sizeof(why)) && allow == 1, "a new verdict replaces the old");
	aclq_cache_flush(&q);
	CHECK(q.ncache == 0 && !aclq_cache_get(&q, 1, addr(1), 202, &allow,
	    why, sizeof(why)), "flushed: none");

	/* Bounded: ACLQ_CACHE_MAX, then the oldest goes. */
	for (i = 0; i < ACLQ_CACHE_MAX; i++)
		aclq_cache_put(&q, 1, addr(i), 300, 0, "d");
	CHECK(q.ncache == ACLQ_CACHE_MAX, "%d kept", ACLQ_CACHE_MAX);
	aclq_cache_put(&q, 1, addr(ACLQ_CACHE_MAX), 300, 0, "d");
	CHECK(q.ncache == ACLQ_CACHE_MAX, "one more: still %d",
	    ACLQ_CACHE_MAX);
	CHECK(!aclq_cache_get(&q, 1, addr(0), 300, &allow, why, sizeof(why))
	    && aclq_cache_get(&q, 1, addr(1), 300, &allow, why, sizeof(why))
	    && aclq_cache_get(&q, 1, addr(ACLQ_CACHE_MAX), 300, &allow, why,
	    sizeof(why)), "the oldest evicted, the rest and the newest kept");
	aclq_set(&q, 16, 2, 10);
	CHECK(q.ncache == 0, "new limits (a reload): the cache is emptied");

	aclq_set(&q, 16, 2, 0);
	aclq_cache_put(&q, 1, addr(1), 400, 0, "d");
	CHECK(q.ncache == 0 && !aclq_cache_get(&q, 1, addr(1), 400, &allow,
	    why, sizeof(why)), "cache 0: nothing kept");
}

int
main(void)
{
	test_limits();
	test_join();
	test_share();
	test_turns();
	test_cache();
	CHECK_DONE();
}
