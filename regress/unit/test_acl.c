/*
 * Access control and the command line: subnet parsing (dotted masks,
 * prefix lengths, bad ones), matching, -p pairs in every form, ACL
 * command splitting, and the proxy ids a parsed file hands out.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "check.h"
#include "conftext.h"


static uint32_t
addr(const char *s)
{
	struct in_addr	a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return (a.s_addr);
}

static void
test_subnet_parse(void)
{
	static const struct {
		const char	*in;
		const char	*net;
		const char	*mask;
	} good[] = {
		{ "192.0.2.0/24",		"192.0.2.0",	"255.255.255.0" },
		{ "192.0.2.0/255.255.255.0",	"192.0.2.0",	"255.255.255.0" },
		{ "192.0.2.128/25",		"192.0.2.128",	"255.255.255.128" },
		{ "192.0.2.128/255.255.255.128", "192.0.2.128",
		    "255.255.255.128" },
		{ "10.0.0.0/8",			"10.0.0.0",	"255.0.0.0" },
		{ "10.0.0.0/255.0.0.0",		"10.0.0.0",	"255.0.0.0" },
		{ "172.16.0.0/12",		"172.16.0.0",	"255.240.0.0" },
		{ "198.51.100.7/32",		"198.51.100.7",	"255.255.255.255" },
		{ "198.51.100.7/255.255.255.255", "198.51.100.7",
		    "255.255.255.255" },
		{ "198.51.100.7",		"198.51.100.7",	"255.255.255.255" },
		{ "0.0.0.0/0",			"0.0.0.0",	"0.0.0.0" },
		{ "0.0.0.0/0.0.0.0",		"0.0.0.0",	"0.0.0.0" },
		{ "128.0.0.0/1",		"128.0.0.0",	"128.0.0.0" },
		{ "203.0.0.0/09",		"203.0.0.0",	"255.128.0.0" },
	};
	static const char *bad[] = {
		"192.0.2.1/24",			/* host bits set */
		"192.0.3.0/23",			/* host bits set */
		"198.51.100.7/0",		/* host bits set */
		"192.0.2.0/255.0.255.0",	/* not contiguous */
		"192.0.2.0/255.255.255.1",	/* not contiguous */
		"0.0.0.0/0.255.255.255",	/* not contiguous */
		"192.0.2.0/33",
		"192.0.2.0/100",
		"192.0.2.0/",
		"192.0.2.0/-1",
		"192.0.2.0/+8",
		"192.0.2.0/ 8",
		"192.0.2.0/24x",
		"192.0.2.0/24/1",
		"192.0.2.0/255.255.255",
		"192.0.2/24",
		"300.0.0.0/8",
		"192.0.2.0 ",
		" 192.0.2.0",
		"vpn.example.com",
		"",
		"/24",
	};
	struct in_addr	 net, mask;
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		net.s_addr = mask.s_addr = 0x5a5a5a5a;
		CHECK(conf_parse_subnet(good[i].in, &net, &mask) == 0 &&
		    net.s_addr == addr(good[i].net) &&
		    mask.s_addr == addr(good[i].mask),
		    "subnet %s is %s mask %s", good[i].in, good[i].net,
		    good[i].mask);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		net.s_addr = mask.s_addr = 0x5a5a5a5a;
		CHECK(conf_parse_subnet(bad[i], &net, &mask) == -1 &&
		    net.s_addr == 0x5a5a5a5a && mask.s_addr == 0x5a5a5a5a,
		    "subnet \"%s\" refused, nothing written", bad[i]);
	}
}

static void
test_subnet_match(void)
{
	struct acl_subnets	 l, all, none;
	struct acl_subnet	*s;
	struct in_addr		 a;

	TAILQ_INIT(&l);
	TAILQ_INIT(&all);
	TAILQ_INIT(&none);
	CHECK(conf_add_subnet_arg(&l, 3, "192.0.2.0/24") == 0 &&
	    conf_add_subnet_arg(&l, 3, "198.51.100.7") == 0 &&
	    conf_add_subnet_arg(&l, 3, "203.0.113.0/255.255.255.128") == 0,
	    "three subnets added");
	CHECK(conf_add_subnet_arg(&l, 3, "192.0.2.1/24") == -1,
	    "a bad subnet is not added");
	s = TAILQ_FIRST(&l);
	CHECK(s != NULL && s->proxy_id == 3 &&
	    TAILQ_NEXT(TAILQ_NEXT(s, entry), entry) != NULL &&
	    TAILQ_NEXT(TAILQ_NEXT(TAILQ_NEXT(s, entry), entry), entry) ==
	    NULL, "list holds three, tagged with their proxy");

#define IN(list, ip, want) do {						\
	a.s_addr = addr(ip);						\
	CHECK(acl_subnet_match(list, a) == (want), "%s %s", ip,	\
	    (want) ? "matches" : "does not match");			\
} while (0)
	IN(&l, "192.0.2.0", 1);
	IN(&l, "192.0.2.1", 1);
	IN(&l, "192.0.2.255", 1);
	IN(&l, "192.0.1.255", 0);
	IN(&l, "192.0.3.0", 0);
	IN(&l, "198.51.100.7", 1);
	IN(&l, "198.51.100.6", 0);
	IN(&l, "198.51.100.8", 0);
	IN(&l, "203.0.113.127", 1);
	IN(&l, "203.0.113.128", 0);
	IN(&l, "0.0.0.0", 0);
	IN(&l, "255.255.255.255", 0);
	IN(&none, "192.0.2.1", 0);
	conf_add_subnet_arg(&all, 0, "0.0.0.0/0");
	IN(&all, "0.0.0.0", 1);
	IN(&all, "203.0.113.200", 1);
	IN(&all, "255.255.255.255", 1);
#undef IN

	while ((s = TAILQ_FIRST(&l)) != NULL) {
		TAILQ_REMOVE(&l, s, entry);
		free(s);
	}
	while ((s = TAILQ_FIRST(&all)) != NULL) {
		TAILQ_REMOVE(&all, s, entry);
		free(s);
	}
}

/* One -p argument into a fresh configuration; its only proxy, or NULL. */
static struct proxy_conf *
pair(struct pptpproxy_conf **c, const char *arg, int *rv)
{
	const char	*err;

	conf_free(*c);
	if ((*c = conf_new()) == NULL)
		abort();
	*rv = conf_add_proxy_arg(*c, arg, &err);
	if (*rv == -1 && err == NULL)
		*rv = -2;	/* an error must say why */
	return (TAILQ_FIRST(&(*c)->proxies));
}

static int
is_sin(const struct sockaddr_in *sin, const char *ip, unsigned int port)
{
	return (sin->sin_family == AF_INET &&
	    sin->sin_addr.s_addr == addr(ip) && ntohs(sin->sin_port) == port);
}

static void
test_proxy_arg(void)
{
	static const struct {
		const char	*arg;
		const char	*listen;
		unsigned int	 lport;
		const char	*host;
		const char	*server;	/* address filled, or 0.0.0.0 */
		unsigned int	 sport;
	} good[] = {
		{ "198.51.100.2", "0.0.0.0", 1723, "198.51.100.2",
		    "198.51.100.2", 1723 },
		{ "198.51.100.2:1724", "0.0.0.0", 1723, "198.51.100.2",
		    "198.51.100.2", 1724 },
		{ "192.0.2.1,198.51.100.2", "192.0.2.1", 1723, "198.51.100.2",
		    "198.51.100.2", 1723 },
		{ "192.0.2.1:11723,198.51.100.2:99", "192.0.2.1", 11723,
		    "198.51.100.2", "198.51.100.2", 99 },
		{ "192.0.2.1:1,198.51.100.2", "192.0.2.1", 1, "198.51.100.2",
		    "198.51.100.2", 1723 },
		{ "192.0.2.1,198.51.100.2:65535", "192.0.2.1", 1723,
		    "198.51.100.2", "198.51.100.2", 65535 },
		{ "vpn.example.com", "0.0.0.0", 1723, "vpn.example.com",
		    "0.0.0.0", 1723 },
		{ "vpn.example.com:1723", "0.0.0.0", 1723, "vpn.example.com",
		    "0.0.0.0", 1723 },
		{ "192.0.2.1,vpn.example.com", "192.0.2.1", 1723,
		    "vpn.example.com", "0.0.0.0", 1723 },
		{ "192.0.2.1:1723,vpn-1.example.com:2000", "192.0.2.1", 1723,
		    "vpn-1.example.com", "0.0.0.0", 2000 },
		{ "0.0.0.0:1723,localhost", "0.0.0.0", 1723, "localhost",
		    "0.0.0.0", 1723 },
	};
	static const char *bad[] = {
		"",
		",",
		"192.0.2.1,",
		",198.51.100.2",
		":1723",
		"198.51.100.2:",
		"198.51.100.2:0",
		"198.51.100.2:65536",
		"198.51.100.2:99999999999",
		"198.51.100.2:abc",
		"198.51.100.2:+80",
		"198.51.100.2: 80",
		"192.0.2.1:0,198.51.100.2",
		"192.0.2.1:,198.51.100.2",
		"192.0.2:1723,198.51.100.2",
		"fw.example.com,198.51.100.2",
		"192.0.2.1:1723:1,198.51.100.2",
		"192.0.2.1,198.51.100.2,203.0.113.1",
		"vpn example.com",
		"vpn\"example.com",
	};
	struct pptpproxy_conf	*c = NULL;
	struct proxy_conf	*pc;
	const char		*err;
	char			 name[64];
	size_t			 i;
	int			 rv;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		pc = pair(&c, good[i].arg, &rv);
		snprintf(name, sizeof(name), "%s:%u", good[i].listen,
		    good[i].lport);
		CHECK(rv == 0 && pc != NULL && pc->id == 1 &&
		    pc->from_cmdline && pc->fd == -1 &&
		    is_sin(&pc->listen, good[i].listen, good[i].lport) &&
		    strcmp(pc->server_host, good[i].host) == 0 &&
		    is_sin(&pc->server, good[i].server, good[i].sport) &&
		    strcmp(pc->name, name) == 0 &&
		    TAILQ_EMPTY(&pc->subnets) && TAILQ_EMPTY(&pc->cmds),
		    "-p %s: %s:%u to %s port %u", good[i].arg,
		    good[i].listen, good[i].lport, good[i].host,
		    good[i].sport);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pc = pair(&c, bad[i], &rv);
		CHECK(rv == -1 && pc == NULL, "-p \"%s\" refused with a reason",
		    bad[i]);
	}

	/* ids in order; a taken listen address:port is left out */
	conf_free(c);
	if ((c = conf_new()) == NULL)
		abort();
	CHECK(conf_add_proxy_arg(c, "192.0.2.1,198.51.100.2", &err) == 0 &&
	    conf_add_proxy_arg(c, "192.0.2.1:1724,198.51.100.3", &err) == 0 &&
	    conf_add_proxy_arg(c, "192.0.2.2,198.51.100.4", &err) == 0,
	    "three pairs on distinct addresses and ports");
	CHECK(conf_add_proxy_arg(c, "192.0.2.1:1723,203.0.113.9", &err) == 1 &&
	    err != NULL, "a pair on a taken address and port is ignored");
	CHECK(conf_add_proxy_arg(c, "203.0.113.9", &err) == 1,
	    "0.0.0.0:1723 overlaps 192.0.2.1:1723: ignored");
	CHECK(conf_add_proxy_arg(c, "0.0.0.0:1725,203.0.113.9", &err) == 0,
	    "0.0.0.0 on a free port is added");
	CHECK(conf_add_proxy_arg(c, "192.0.2.7:1725,203.0.113.9", &err) == 1,
	    "an address on a port 0.0.0.0 has is ignored");
	rv = 0;
	i = 1;
	TAILQ_FOREACH(pc, &c->proxies, entry)
		if (pc->id != i++)
			rv = 1;
	CHECK(rv == 0 && i == 5, "four proxies, ids 1 to 4 in order");
	pc = conf_proxy_by_id(c, 3);
	CHECK(pc != NULL && strcmp(pc->server_host, "198.51.100.4") == 0,
	    "conf_proxy_by_id finds proxy 3");
	CHECK(conf_proxy_by_id(c, 0) == NULL && conf_proxy_by_id(c, 5) ==
	    NULL, "conf_proxy_by_id: no proxy 0 or 5");

	/* resolution: an address, and a name known without DNS */
	conf_free(c);
	if ((c = conf_new()) == NULL)
		abort();
	conf_add_proxy_arg(c, "192.0.2.1,198.51.100.2:99", &err);
	conf_add_proxy_arg(c, "192.0.2.2,localhost", &err);
	CHECK(conf_resolve(c) == 0, "conf_resolve succeeds");
	pc = conf_proxy_by_id(c, 1);
	CHECK(pc != NULL && is_sin(&pc->server, "198.51.100.2", 99),
	    "an address stays itself, its port too");
	pc = conf_proxy_by_id(c, 2);
	CHECK(pc != NULL && is_sin(&pc->server, "127.0.0.1", 1723),
	    "localhost resolves to 127.0.0.1");
	conf_free(c);
}

static void
test_split(void)
{
	static const struct {
		const char	*cmd;
		int		 argc;
		const char	*argv[6];
	} tests[] = {
		{ "/bin/true", 1, { "/bin/true" } },
		{ "  /usr/bin/check\t --strict  -q  ", 3,
		    { "/usr/bin/check", "--strict", "-q" } },
		{ "/bin/sh -c \"exit 0\"", 3, { "/bin/sh", "-c", "exit 0" } },
		{ "\"/opt/my tools/check\" x", 2, { "/opt/my tools/check", "x" } },
		{ "cmd --opt=\"a b\"c", 2, { "cmd", "--opt=a bc" } },
		{ "cmd \"\" x", 3, { "cmd", "", "x" } },
		{ "cmd \\\"quoted\\\"", 2, { "cmd", "\"quoted\"" } },
		{ "cmd \"a \\\" b\"", 2, { "cmd", "a \" b" } },
		{ "cmd a\\\\b", 2, { "cmd", "a\\b" } },
		{ "cmd a\\b", 2, { "cmd", "a\\b" } },
		{ "cmd 'single quotes' stay", 4,
		    { "cmd", "'single", "quotes'", "stay" } },
		{ "a b c d e", 5, { "a", "b", "c", "d", "e" } },
		{ "", -1, { NULL } },
		{ " \t ", -1, { NULL } },
		{ "cmd \"not closed", -1, { NULL } },
		{ "\"", -1, { NULL } },
		{ "a b c d e f", -1, { NULL } },	/* more than 5 */
	};
	char	 buf[256], *argv[6];
	size_t	 i;
	int	 j, n, same;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		strlcpy(buf, tests[i].cmd, sizeof(buf));
		memset(argv, 0x5a, sizeof(argv));
		n = acl_split_cmd(buf, argv, 5);
		same = n == tests[i].argc;
		for (j = 0; same && j < n; j++)
			if (strcmp(argv[j], tests[i].argv[j]) != 0)
				same = 0;
		if (same && n > 0 && argv[n] != NULL)
			same = 0;
		if (tests[i].argc < 0)
			CHECK(same, "split '%s': refused", tests[i].cmd);
		else
			CHECK(same, "split '%s': %d word(s)", tests[i].cmd,
			    tests[i].argc);
	}
}

/* A file's proxies get ids 1.. in order; ACL lists carry them. */
static void
test_parse_ids(void)
{
	static const char text[] =
	    "allow from 192.0.2.0/24\n"
	    "allow command \"/bin/true\"\n"
	    "proxy \"a\" {\n"
	    "\tlisten on 192.0.2.1\n"
	    "\tserver 198.51.100.2 port 99\n"
	    "\tallow from 203.0.113.0/25\n"
	    "}\n"
	    "proxy \"b\" {\n"
	    "\tlisten on 192.0.2.2\n"
	    "\tlisten on 192.0.2.3 port 1724\n"
	    "\tserver vpn.example.com\n"
	    "\tallow from 198.51.100.0/28\n"
	    "\tallow command \"/bin/false -x\"\n"
	    "}\n";
	struct pptpproxy_conf	*c;
	struct proxy_conf	*pc;
	struct acl_subnet	*s;
	struct acl_cmd		*cmd;
	int			 ok;
	uint32_t		 id;

	c = conf_text(text);
	CHECK(c != NULL, "the file parses");
	if (c == NULL)
		return;

	s = TAILQ_FIRST(&c->subnets);
	cmd = TAILQ_FIRST(&c->cmds);
	CHECK(s != NULL && s->proxy_id == 0 && cmd != NULL &&
	    cmd->proxy_id == 0, "global ACLs have proxy_id 0");
	ok = 1;
	id = 0;
	TAILQ_FOREACH(pc, &c->proxies, entry) {
		if (pc->id != ++id || pc->from_cmdline || pc->fd != -1)
			ok = 0;
		TAILQ_FOREACH(s, &pc->subnets, entry)
			if (s->proxy_id != pc->id)
				ok = 0;
		TAILQ_FOREACH(cmd, &pc->cmds, entry)
			if (cmd->proxy_id != pc->id)
				ok = 0;
	}
	CHECK(ok && id == 3, "three proxies, ids 1 to 3, lists tagged");
	pc = conf_proxy_by_id(c, 1);
	CHECK(pc != NULL && strcmp(pc->name, "a") == 0 &&
	    is_sin(&pc->listen, "192.0.2.1", 1723) &&
	    is_sin(&pc->server, "198.51.100.2", 99),
	    "proxy a: an address server is filled in at once");
	pc = conf_proxy_by_id(c, 3);
	CHECK(pc != NULL && strcmp(pc->name, "b/192.0.2.3:1724") == 0 &&
	    is_sin(&pc->listen, "192.0.2.3", 1724) &&
	    strcmp(pc->server_host, "vpn.example.com") == 0 &&
	    pc->server.sin_addr.s_addr == 0 &&
	    TAILQ_FIRST(&pc->cmds) != NULL &&
	    strcmp(TAILQ_FIRST(&pc->cmds)->cmd, "/bin/false -x") == 0,
	    "proxy b's second listen address: a proxy of its own, "
	    "host name not resolved");
	conf_free(c);

	c = parse_config("/nonexistent/pptpproxy.conf", 0);
	CHECK(c != NULL && TAILQ_EMPTY(&c->proxies) &&
	    c->max_conn == DEFAULT_MAX_CONN && c->t_idle == DEFAULT_T_IDLE,
	    "a missing file that may be missing: the defaults");
	conf_free(c);
	CHECK(parse_config("/nonexistent/pptpproxy.conf", 1) == NULL,
	    "a missing file that must exist: NULL");
}

int
main(void)
{
	log_init(1, LOG_LVL_INFO, NULL);
	test_subnet_parse();
	test_subnet_match();
	test_proxy_arg();
	test_split();
	test_parse_ids();
	CHECK_DONE();
}
