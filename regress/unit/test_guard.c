/*
 * What the parent accepts from the GRE forwarder (guard.c): a route is
 * handed to the kernel only between addresses this host has, with the
 * configured server of its proxy at one end and a client that proxy
 * could accept at the other; rules of earlier configurations still count
 * for the sessions started under them.
 */

#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "addr.h"
#include "check.h"
#include "pptp.h"
#include "guard.h"

static struct proxy_conf *
proxy(struct pptpproxy_conf *c, const char *server)
{
	struct proxy_conf	*pc;

	if ((pc = conf_proxy_new(c)) == NULL)
		abort();
	pc->server.sin_addr = A(server);
	TAILQ_INSERT_TAIL(&c->proxies, pc, entry);
	return (pc);
}

/*
 * Proxy 1: server 198.51.100.2, clients 192.0.2.0/24 (its own) and
 * 203.0.113.0/28 (global).  Proxy 2: server 198.51.100.3, an ACL
 * command: any client.
 */
static struct pptpproxy_conf *
conf_two(const char *server1)
{
	struct pptpproxy_conf	*c;
	struct proxy_conf	*pc;
	struct acl_cmd		*cmd;

	if ((c = conf_new()) == NULL)
		abort();
	pc = proxy(c, server1);
	if (conf_add_subnet_arg(&pc->subnets, pc->id, "192.0.2.0/24") == -1 ||
	    conf_add_subnet_arg(&c->subnets, 0, "203.0.113.0/28") == -1)
		abort();
	pc = proxy(c, "198.51.100.3");
	if ((cmd = calloc(1, sizeof(*cmd))) == NULL)
		abort();
	strlcpy(cmd->cmd, "/bin/true", sizeof(cmd->cmd));
	TAILQ_INSERT_TAIL(&pc->cmds, cmd, entry);
	return (c);
}

/* A route to the server of proxy id from client, ours 127.0.0.1. */
static struct gre_route
route(uint32_t id, const char *client, const char *server, int toside)
{
	struct gre_route	r;

	memset(&r, 0, sizeof(r));
	r.sess = 7;
	r.call = 1;
	r.key = 4242;
	r.newkey = 0;		/* the peer's choice: 0 is allowed */
	r.toside = toside;
	r.proxy_id = id;
	if (toside == PPTP_SERVER) {
		r.from = A(client);
		r.to = A(server);
	} else {
		r.from = A(server);
		r.to = A(client);
	}
	r.src = A("127.0.0.1");
	r.dst = A("127.0.0.1");
	return (r);
}

static int
verdict(struct gre_route r, char *why, size_t len)
{
	return (guard_route(&r, why, len));
}

int
main(void)
{
	struct pptpproxy_conf	*c, *c2;
	struct gre_route	 r;
	char			 why[160], srv[32];
	int			 i, v;

	log_init(1, LOG_LVL_INFO, NULL);
	c = conf_two("198.51.100.2");
	guard_conf(c);

	CHECK(guard_local(A("127.0.0.1")) == 1, "127.0.0.1 is the host's");
	CHECK(guard_local(A("192.0.2.77")) == -1,
	    "an address not there within a second of reading them: "
	    "not known now");
	guard_forget_addrs();
	CHECK(guard_local(A("192.0.2.77")) == 0,
	    "after a fresh read: 192.0.2.77 is not the host's");

	v = verdict(route(1, "192.0.2.10", "198.51.100.2", PPTP_SERVER), why,
	    sizeof(why));
	CHECK(v == GUARD_OK, "client 192.0.2.10 to server 198.51.100.2 of "
	    "proxy 1: ok (%s)", why);
	v = verdict(route(1, "192.0.2.10", "198.51.100.2", PPTP_CLIENT), why,
	    sizeof(why));
	CHECK(v == GUARD_OK, "and the other way: ok (%s)", why);
	v = verdict(route(1, "203.0.113.15", "198.51.100.2", PPTP_SERVER),
	    why, sizeof(why));
	CHECK(v == GUARD_OK, "a client in the global subnets: ok (%s)", why);
	v = verdict(route(1, "203.0.113.16", "198.51.100.2", PPTP_SERVER),
	    why, sizeof(why));
	CHECK(v == GUARD_BAD && strstr(why, "203.0.113.16") != NULL,
	    "one address past them: refused (%s)", why);
	v = verdict(route(1, "198.51.100.77", "198.51.100.2", PPTP_CLIENT),
	    why, sizeof(why));
	CHECK(v == GUARD_BAD, "to a client outside the subnets: refused (%s)",
	    why);
	v = verdict(route(2, "198.51.100.77", "198.51.100.3", PPTP_CLIENT),
	    why, sizeof(why));
	CHECK(v == GUARD_OK, "proxy 2 has an ACL command: any client (%s)",
	    why);
	v = verdict(route(2, "192.0.2.10", "198.51.100.2", PPTP_SERVER), why,
	    sizeof(why));
	CHECK(v == GUARD_BAD && strstr(why, "not the server") != NULL,
	    "proxy 1's server named for proxy 2: refused (%s)", why);
	v = verdict(route(1, "192.0.2.10", "198.51.100.9", PPTP_SERVER), why,
	    sizeof(why));
	CHECK(v == GUARD_BAD, "a server not configured: refused (%s)", why);
	v = verdict(route(3, "192.0.2.10", "198.51.100.2", PPTP_SERVER), why,
	    sizeof(why));
	CHECK(v == GUARD_BAD && strstr(why, "proxy 3") != NULL,
	    "a proxy not configured: refused (%s)", why);
	v = verdict(route(2, "224.0.0.1", "198.51.100.3", PPTP_CLIENT), why,
	    sizeof(why));
	CHECK(v == GUARD_BAD, "a multicast client, even where any client "
	    "goes: refused (%s)", why);
	v = verdict(route(2, "0.0.0.0", "198.51.100.3", PPTP_CLIENT), why,
	    sizeof(why));
	CHECK(v == GUARD_BAD, "client 0.0.0.0: refused (%s)", why);

	r = route(1, "192.0.2.10", "198.51.100.2", PPTP_SERVER);
	r.key = 0;
	v = verdict(r, why, sizeof(why));
	CHECK(v == GUARD_BAD && strstr(why, "Call ID 0") != NULL,
	    "Call ID 0: refused (%s)", why);
	r.key = 1;
	v = verdict(r, why, sizeof(why));
	CHECK(v == GUARD_OK, "Call ID 1: ok");
	r.key = 65535;
	v = verdict(r, why, sizeof(why));
	CHECK(v == GUARD_OK, "Call ID 65535: ok");
	r.toside = 2;
	v = verdict(r, why, sizeof(why));
	CHECK(v == GUARD_BAD && strstr(why, "side") != NULL,
	    "side 2: refused (%s)", why);

	guard_forget_addrs();
	r = route(1, "192.0.2.10", "198.51.100.2", PPTP_SERVER);
	r.src = A("192.0.2.77");
	v = verdict(r, why, sizeof(why));
	CHECK(v == GUARD_BAD && strstr(why, "source address 192.0.2.77") !=
	    NULL, "a source address the host does not have: refused (%s)",
	    why);
	r = route(1, "192.0.2.10", "198.51.100.2", PPTP_SERVER);
	r.dst = A("192.0.2.78");
	v = verdict(r, why, sizeof(why));
	CHECK(v == GUARD_UNSURE, "another one within a second of reading "
	    "the addresses: refused, not called a lie (%s)", why);
	r.dst = A("0.0.0.0");
	v = verdict(r, why, sizeof(why));
	CHECK(v == GUARD_UNSURE, "destination 0.0.0.0 (the relay could not "
	    "tell which of ours): refused, not called a lie (%s)", why);
	r.dst = A("192.0.2.78");
	sleep(1);
	v = verdict(r, why, sizeof(why));
	CHECK(v == GUARD_BAD && strstr(why, "destination") != NULL,
	    "a second later, read again: refused (%s)", why);

	/* A reload moves proxy 1's server: old sessions keep theirs. */
	c2 = conf_two("198.51.100.5");
	guard_conf(c2);
	v = verdict(route(1, "192.0.2.10", "198.51.100.2", PPTP_SERVER), why,
	    sizeof(why));
	CHECK(v == GUARD_OK, "after a reload, a session on the old server "
	    "still passes (%s)", why);
	v = verdict(route(1, "192.0.2.10", "198.51.100.5", PPTP_SERVER), why,
	    sizeof(why));
	CHECK(v == GUARD_OK, "and one on the new server (%s)", why);
	v = verdict(route(1, "192.0.2.10", "198.51.100.6", PPTP_SERVER), why,
	    sizeof(why));
	CHECK(v == GUARD_BAD, "a server neither had: refused (%s)", why);
	for (i = 0; i < 5; i++)
		guard_conf(c2);
	v = verdict(route(1, "192.0.2.10", "198.51.100.6", PPTP_SERVER), why,
	    sizeof(why));
	CHECK(v == GUARD_BAD, "the same configuration again and again is "
	    "remembered once: still refused (%s)", why);
	conf_free(c2);

	/* More distinct configurations than are remembered. */
	for (i = 0; i < GUARD_POLICIES; i++) {
		snprintf(srv, sizeof(srv), "198.51.%d.%d", 101 + i / 250,
		    1 + i % 250);
		c2 = conf_two(srv);
		guard_conf(c2);
		conf_free(c2);
	}
	v = verdict(route(1, "192.0.2.10", "198.51.100.6", PPTP_SERVER), why,
	    sizeof(why));
	CHECK(v == GUARD_UNSURE, "once some were forgotten, a mismatch is "
	    "refused but not called a lie (%s)", why);
	v = verdict(route(1, "192.0.2.10", srv, PPTP_SERVER), why,
	    sizeof(why));
	CHECK(v == GUARD_OK, "the last one still counts (%s)", why);
	guard_clear();
	v = verdict(route(1, "192.0.2.10", srv, PPTP_SERVER), why,
	    sizeof(why));
	CHECK(v == GUARD_BAD, "cleared: nothing counts (%s)", why);

	conf_free(c);
	CHECK_DONE();
}
