/*
 * Proxy ids across a reload (conf_keep_ids in src/config.c): a proxy keeps
 * the id of the old one with its name, or else with its listen address
 * and port; a new proxy gets an id never used before, even one a removed
 * proxy had; the ACL lists carry the ids.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "check.h"
#include "conftext.h"

static struct pptpproxy_conf *
parse(const char *text)
{
	struct pptpproxy_conf	*c;

	if ((c = conf_text(text)) == NULL)
		abort();
	return (c);
}

static struct proxy_conf *
byname(struct pptpproxy_conf *c, const char *name)
{
	struct proxy_conf	*pc;

	TAILQ_FOREACH(pc, &c->proxies, entry)
		if (strcmp(pc->name, name) == 0)
			return (pc);
	return (NULL);
}

static int
tagged(const struct proxy_conf *pc)
{
	const struct acl_subnet	*s;
	const struct acl_cmd	*c;

	TAILQ_FOREACH(s, &pc->subnets, entry)
		if (s->proxy_id != pc->id)
			return (0);
	TAILQ_FOREACH(c, &pc->cmds, entry)
		if (c->proxy_id != pc->id)
			return (0);
	return (1);
}

int
main(void)
{
	struct pptpproxy_conf	*c1, *c2, *c3;
	struct proxy_conf	*a, *c, *d, *e;
	uint32_t		 next = 3;

	c1 = parse("proxy \"b\" { listen on 192.0.2.2\n server 198.51.100.2 }\n"
	    "proxy \"a\" { listen on 192.0.2.1\n server 198.51.100.2\n"
	    " allow command /bin/true\n allow from 203.0.113.0/24 }\n");
	CHECK(byname(c1, "b")->id == 1 && byname(c1, "a")->id == 2,
	    "first file: ids in order, b 1, a 2");

	/* a moves to the front, b is renamed d on its address, c is new. */
	c2 = parse("proxy \"a\" { listen on 192.0.2.1\n server 198.51.100.2\n"
	    " allow command /bin/true\n allow from 203.0.113.0/24 }\n"
	    "proxy \"c\" { listen on 192.0.2.3\n server 198.51.100.2\n"
	    " allow command /bin/false }\n"
	    "proxy \"d\" { listen on 192.0.2.2\n server 198.51.100.2 }\n");
	CHECK(conf_keep_ids(c2, c1, &next) == 0, "reload: ids kept");
	a = byname(c2, "a");
	c = byname(c2, "c");
	d = byname(c2, "d");
	CHECK(a->id == 2, "a keeps 2 by its name, though now first (%u)",
	    a->id);
	CHECK(d->id == 1, "d keeps b's 1 by its listen address (%u)", d->id);
	CHECK(c->id == 3 && next == 4, "c is new: 3, never used (%u)", c->id);
	CHECK(tagged(a) && tagged(c) && tagged(d), "ACL lists carry the ids");
	CHECK(conf_proxy_by_id(c2, 2) == a && conf_proxy_by_id(c2, 1) == d,
	    "looked up by id");

	/* Everything replaced: nothing old comes back. */
	c3 = parse("proxy \"e\" { listen on 192.0.2.4\n server 198.51.100.2 }\n"
	    "proxy \"f\" { listen on 192.0.2.5\n server 198.51.100.2 }\n");
	CHECK(conf_keep_ids(c3, c2, &next) == 0, "second reload");
	e = byname(c3, "e");
	CHECK(e->id == 4 && byname(c3, "f")->id == 5 && next == 6,
	    "new proxies get 4 and 5, not the freed 1 to 3");
	CHECK(conf_proxy_by_id(c3, 1) == NULL && conf_proxy_by_id(c3, 2) ==
	    NULL, "an old id names no proxy");
	conf_free(c1);
	conf_free(c2);
	conf_free(c3);
	CHECK_DONE();
}
