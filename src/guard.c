/*
 * What the parent accepts from its children.
 *
 * The parent trusts a child no further than its own configuration: the
 * GRE forwarder (and through it the control relay) may only have the
 * kernel forward GRE that one of the configured proxies could carry.  A
 * route it asks for is checked here before any nftables element is
 * added:
 *	- the key the proxy presents is not 0 (the pool never hands out 0),
 *	  the side it goes to is the client or the server;
 *	- our two addresses (the source towards the receiver, and the
 *	  address the sender sends to) are addresses this host has;
 *	- the server end is the configured server of the route's proxy;
 *	- the client end is a unicast address that proxy could have
 *	  accepted: inside its subnets or the global ones; any address when
 *	  it has ACL commands (a command may allow anyone) or no ACL rule
 *	  at all.
 * Sessions outlive a reload, so the rules of every configuration put in
 * force since the start are remembered (each distinct one once, the last
 * GUARD_POLICIES of them); a route passes if any of them allows it.
 *
 * The host's addresses are read (os_host_addrs()) and kept; an address
 * not among them makes the parent read them again, at most once a
 * second.  An address missing within a second of the last read is
 * "not known now", and 0.0.0.0 is what the relay keeps when it could not
 * learn its address: such routes are refused, but they may be honest.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/queue.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pptpproxy.h"
#include "pptp.h"
#include "guard.h"
#include "os.h"

struct guard_net {
	struct in_addr		 net;
	struct in_addr		 mask;
};

struct guard_policy {
	TAILQ_ENTRY(guard_policy) entry;
	uint32_t		 proxy_id;
	struct in_addr		 server;
	int			 anyclient;
	unsigned int		 nnets;
	struct guard_net	*nets;
};
TAILQ_HEAD(guard_policies, guard_policy);

static struct guard_policies	 policies =
				    TAILQ_HEAD_INITIALIZER(policies);
static unsigned int		 npolicies;
static int			 trimmed;	/* some were forgotten */

static struct in_addr		*laddrs;
static size_t			 nladdrs;
static time_t			 lread;		/* monotonic; 0: never */

static time_t
guard_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return (0);
	return (ts.tv_sec + 1);		/* never 0 */
}

static void
policy_free(struct guard_policy *p)
{
	free(p->nets);
	free(p);
}

static int
policy_same(const struct guard_policy *a, const struct guard_policy *b)
{
	return (a->proxy_id == b->proxy_id &&
	    a->server.s_addr == b->server.s_addr &&
	    a->anyclient == b->anyclient && a->nnets == b->nnets &&
	    (a->nnets == 0 ||
	    memcmp(a->nets, b->nets, a->nnets * sizeof(a->nets[0])) == 0));
}

static unsigned int
nets_count(const struct acl_subnets *l)
{
	const struct acl_subnet	*s;
	unsigned int		 n = 0;

	TAILQ_FOREACH(s, l, entry)
		n++;
	return (n);
}

static struct guard_policy *
policy_new(const struct pptpproxy_conf *conf, const struct proxy_conf *pc)
{
	const struct acl_subnets	*lists[2];
	const struct acl_subnet		*s;
	struct guard_policy		*p;
	unsigned int			 i, n;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (NULL);
	p->proxy_id = pc->id;
	p->server = pc->server.sin_addr;
	lists[0] = &pc->subnets;
	lists[1] = &conf->subnets;
	n = nets_count(lists[0]) + nets_count(lists[1]);
	p->anyclient = n == 0 || !TAILQ_EMPTY(&pc->cmds) ||
	    !TAILQ_EMPTY(&conf->cmds);
	if (p->anyclient || n == 0)
		return (p);
	if ((p->nets = calloc(n, sizeof(*p->nets))) == NULL) {
		free(p);
		return (NULL);
	}
	for (i = 0; i < 2; i++)
		TAILQ_FOREACH(s, lists[i], entry) {
			p->nets[p->nnets].net = s->net;
			p->nets[p->nnets].mask = s->mask;
			p->nnets++;
		}
	return (p);
}

/*
 * A configuration is in force: remember its proxies' rules (a rule seen
 * before moves to the front), forget the oldest beyond GUARD_POLICIES,
 * and read the host's addresses afresh when next asked.
 */
void
guard_conf(const struct pptpproxy_conf *conf)
{
	const struct proxy_conf	*pc;
	struct guard_policy	*p, *q;

	TAILQ_FOREACH(pc, &conf->proxies, entry) {
		if ((p = policy_new(conf, pc)) == NULL) {
			/* Unknown rules: nothing can be called a lie now. */
			log_warn("%s", __func__);
			trimmed = 1;
			continue;
		}
		TAILQ_FOREACH(q, &policies, entry)
			if (policy_same(p, q))
				break;
		if (q != NULL) {
			TAILQ_REMOVE(&policies, q, entry);
			TAILQ_INSERT_HEAD(&policies, q, entry);
			policy_free(p);
			continue;
		}
		TAILQ_INSERT_HEAD(&policies, p, entry);
		npolicies++;
	}
	while (npolicies > GUARD_POLICIES) {
		p = TAILQ_LAST(&policies, guard_policies);
		TAILQ_REMOVE(&policies, p, entry);
		policy_free(p);
		npolicies--;
		trimmed = 1;
	}
	guard_forget_addrs();
}

void
guard_clear(void)
{
	struct guard_policy	*p;

	while ((p = TAILQ_FIRST(&policies)) != NULL) {
		TAILQ_REMOVE(&policies, p, entry);
		policy_free(p);
	}
	npolicies = 0;
	trimmed = 0;
	guard_forget_addrs();
}

/*
 * The host's addresses.
 */
void
guard_forget_addrs(void)
{
	free(laddrs);
	laddrs = NULL;
	nladdrs = 0;
	lread = 0;
}

static void
addrs_read(time_t now)
{
	struct in_addr	*a;
	size_t		 n;

	lread = now;
	if (os_host_addrs(&a, &n) == -1) {
		log_warn("reading the host's addresses");
		return;
	}
	free(laddrs);
	laddrs = a;
	nladdrs = n;
}

static int
addrs_have(struct in_addr a)
{
	size_t	i;

	for (i = 0; i < nladdrs; i++)
		if (laddrs[i].s_addr == a.s_addr)
			return (1);
	return (0);
}

int
guard_local(struct in_addr a)
{
	time_t	now;

	if (lread != 0 && addrs_have(a))
		return (1);
	now = guard_now();
	if (lread != 0 && now - lread < 1)
		return (-1);
	addrs_read(now);
	return (addrs_have(a));
}

/*
 * Routes.
 */
static int
unicast(struct in_addr a)
{
	uint32_t	h = ntohl(a.s_addr);

	return (h != INADDR_ANY && h != INADDR_BROADCAST &&
	    !IN_MULTICAST(h));
}

static int
nets_match(const struct guard_policy *p, struct in_addr a)
{
	unsigned int	i;

	for (i = 0; i < p->nnets; i++)
		if ((a.s_addr & p->nets[i].mask.s_addr) ==
		    p->nets[i].net.s_addr)
			return (1);
	return (0);
}

/* What any route must be: a side, a key. */
static int
route_basic(const struct gre_route *r, char *why, size_t len)
{
	why[0] = '\0';
	if (r->toside != PPTP_CLIENT && r->toside != PPTP_SERVER) {
		snprintf(why, len, "the side it goes to is %u", r->toside);
		return (GUARD_BAD);
	}
	if (r->key == 0) {
		snprintf(why, len, "Call ID 0, which the proxy never shows");
		return (GUARD_BAD);
	}
	return (GUARD_OK);
}

/* Its ends: the configured server, a client the proxy accepts. */
static int
route_policy(const struct gre_route *r, char *why, size_t len)
{
	const struct guard_policy	*p;
	struct in_addr			 server, client;
	char				 a[INET_ADDRSTRLEN];
	int				 known = 0, servers = 0;

	if (r->toside == PPTP_SERVER) {
		server = r->to;
		client = r->from;
	} else {
		server = r->from;
		client = r->to;
	}
	if (!unicast(client) || !unicast(server)) {
		snprintf(why, len, "an end is not a unicast address");
		return (GUARD_BAD);
	}
	TAILQ_FOREACH(p, &policies, entry) {
		if (p->proxy_id != r->proxy_id)
			continue;
		known = 1;
		if (p->server.s_addr != server.s_addr)
			continue;
		servers = 1;
		if (p->anyclient || nets_match(p, client))
			return (GUARD_OK);
	}
	if (!known)
		snprintf(why, len, "proxy %u is not configured", r->proxy_id);
	else if (!servers) {
		inet_ntop(AF_INET, &server, a, sizeof(a));
		snprintf(why, len, "%s is not the server of proxy %u", a,
		    r->proxy_id);
	} else {
		inet_ntop(AF_INET, &client, a, sizeof(a));
		snprintf(why, len, "client %s is not one proxy %u accepts",
		    a, r->proxy_id);
	}
	return (trimmed ? GUARD_UNSURE : GUARD_BAD);
}

/*
 * GUARD_OK, or GUARD_BAD / GUARD_UNSURE with what is wrong in why.
 */
int
guard_route(const struct gre_route *r, char *why, size_t len)
{
	struct in_addr			 ours[2];
	char				 a[INET_ADDRSTRLEN];
	int				 i, l, rc;
	const char			*what[2] = { "source", "destination" };

	if ((rc = route_basic(r, why, len)) != GUARD_OK)
		return (rc);
	ours[0] = r->src;
	ours[1] = r->dst;
	for (i = 0; i < 2; i++) {
		/* The relay's fallback when getsockname(2) failed. */
		if (ours[i].s_addr == htonl(INADDR_ANY)) {
			snprintf(why, len, "no %s address", what[i]);
			return (GUARD_UNSURE);
		}
		if ((l = guard_local(ours[i])) == 1)
			continue;
		inet_ntop(AF_INET, &ours[i], a, sizeof(a));
		snprintf(why, len, "%s address %s is not this host's%s",
		    what[i], a, l == -1 ? " (not yet, at least)" : "");
		return (l == -1 ? GUARD_UNSURE : GUARD_BAD);
	}
	return (route_policy(r, why, len));
}

/*
 * The GRE forwarder's check of a route the relay wrote: the same but
 * for our own addresses, which it cannot read in its sandbox (the
 * kernel refuses to send from an address the host does not have).
 */
int
guard_route_ends(const struct gre_route *r, char *why, size_t len)
{
	int	rc;

	if ((rc = route_basic(r, why, len)) != GUARD_OK)
		return (rc);
	return (route_policy(r, why, len));
}
