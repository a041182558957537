/*
 * The configuration: defaults, what the command line adds, name
 * resolution, and printing it back in the file's own syntax.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxy.h"

void
conf_defaults(struct pptpproxy_conf *c)
{
	strlcpy(c->user, PPTPPROXY_USER, sizeof(c->user));
	strlcpy(c->chroot, PPTPPROXY_CHROOT, sizeof(c->chroot));
	c->acl_user[0] = '\0';
	c->acl_timeout = DEFAULT_ACL_TIMEOUT;
	c->log_level = LOG_LVL_INFO;
	c->max_conn = DEFAULT_MAX_CONN;
	c->max_conn_per_addr = DEFAULT_MAX_CONN_PER_ADDR;
	c->max_calls = DEFAULT_MAX_CALLS;
	c->t_first = DEFAULT_T_FIRST;
	c->t_setup = DEFAULT_T_SETUP;
	c->t_connect = DEFAULT_T_CONNECT;
	c->t_idle = DEFAULT_T_IDLE;
}

struct pptpproxy_conf *
conf_new(void)
{
	struct pptpproxy_conf	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	TAILQ_INIT(&c->proxies);
	TAILQ_INIT(&c->subnets);
	TAILQ_INIT(&c->cmds);
	TAILQ_INIT(&c->tables);
	conf_defaults(c);
	return (c);
}

static void
free_subnets(struct acl_subnets *l)
{
	struct acl_subnet	*s;

	while ((s = TAILQ_FIRST(l)) != NULL) {
		TAILQ_REMOVE(l, s, entry);
		free(s);
	}
}

static void
free_cmds(struct acl_cmds *l)
{
	struct acl_cmd	*c;

	while ((c = TAILQ_FIRST(l)) != NULL) {
		TAILQ_REMOVE(l, c, entry);
		free(c);
	}
}

/* Frees a proxy taken off its list; its socket is the caller's. */
void
conf_free_proxy(struct proxy_conf *pc)
{
	free_subnets(&pc->subnets);
	free_cmds(&pc->cmds);
	free(pc);
}

void
conf_free(struct pptpproxy_conf *c)
{
	struct proxy_conf	*pc;
	struct acl_table	*t;

	if (c == NULL)
		return;
	while ((pc = TAILQ_FIRST(&c->proxies)) != NULL) {
		TAILQ_REMOVE(&c->proxies, pc, entry);
		conf_free_proxy(pc);
	}
	while ((t = TAILQ_FIRST(&c->tables)) != NULL) {
		TAILQ_REMOVE(&c->tables, t, entry);
		free_subnets(&t->subnets);
		free(t);
	}
	free_subnets(&c->subnets);
	free_cmds(&c->cmds);
	free(c);
}

struct proxy_conf *
conf_proxy_by_id(struct pptpproxy_conf *c, uint32_t id)
{
	struct proxy_conf	*pc;

	TAILQ_FOREACH(pc, &c->proxies, entry)
		if (pc->id == id)
			return (pc);
	return (NULL);
}

/*
 * "a.b.c.d/mask" with the mask dotted or a prefix length; a bare address
 * is a /32.  Host bits set is an error: it is most often a typo.
 */
int
conf_parse_subnet(const char *str, struct in_addr *net, struct in_addr *mask)
{
	char		 buf[64], *slash, *end;
	unsigned long	 bits;
	uint32_t	 m;

	if (strlcpy(buf, str, sizeof(buf)) >= sizeof(buf))
		return (-1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, net) != 1)
		return (-1);
	if (slash == NULL)
		m = 0xffffffffU;
	else if (strchr(slash, '.') != NULL) {
		if (inet_pton(AF_INET, slash, mask) != 1)
			return (-1);
		m = ntohl(mask->s_addr);
		/* contiguous: the inverted mask plus one is a power of two */
		if (((~m + 1) & ~m) != 0)
			return (-1);
	} else {
		if (*slash == '\0')
			return (-1);
		errno = 0;
		bits = strtoul(slash, &end, 10);
		if (*end != '\0' || errno != 0 || bits > 32)
			return (-1);
		m = bits == 0 ? 0 : 0xffffffffU << (32 - bits);
	}
	mask->s_addr = htonl(m);
	if ((net->s_addr & ~mask->s_addr) != 0)
		return (-1);
	return (0);
}

int
conf_add_subnet_arg(struct acl_subnets *list, uint32_t proxy_id,
    const char *str)
{
	struct acl_subnet	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (-1);
	if (conf_parse_subnet(str, &s->net, &s->mask) == -1) {
		free(s);
		return (-1);
	}
	s->proxy_id = proxy_id;
	TAILQ_INSERT_TAIL(list, s, entry);
	return (0);
}

/* "host[:port]" into host and port (default 1723). */
static int
split_hostport(const char *str, char *host, size_t hlen, in_port_t *port)
{
	const char	*colon;
	char		*end;
	unsigned long	 p = PPTP_DEFAULT_PORT;
	size_t		 n;

	if ((colon = strrchr(str, ':')) != NULL) {
		errno = 0;
		p = strtoul(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || errno != 0 || p == 0 ||
		    p > 65535)
			return (-1);
		n = (size_t)(colon - str);
	} else
		n = strlen(str);
	if (n == 0 || n >= hlen)
		return (-1);
	memcpy(host, str, n);
	host[n] = '\0';
	*port = htons((in_port_t)p);
	return (0);
}

struct proxy_conf *
conf_proxy_new(struct pptpproxy_conf *c)
{
	struct proxy_conf	*pc, *last;
	uint32_t		 id = 0;

	TAILQ_FOREACH(last, &c->proxies, entry)
		if (last->id > id)
			id = last->id;
	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return (NULL);
	pc->id = id + 1;
	pc->fd = -1;
	pc->listen.sin_family = AF_INET;
	pc->listen.sin_port = htons(PPTP_DEFAULT_PORT);
	pc->server.sin_family = AF_INET;
	pc->server.sin_port = htons(PPTP_DEFAULT_PORT);
	TAILQ_INIT(&pc->subnets);
	TAILQ_INIT(&pc->cmds);
	return (pc);
}

/* Name a proxy after its listen address when the file gave none. */
void
conf_proxy_name(struct proxy_conf *pc)
{
	char	a[INET_ADDRSTRLEN];

	if (pc->name[0] != '\0')
		return;
	inet_ntop(AF_INET, &pc->listen.sin_addr, a, sizeof(a));
	snprintf(pc->name, sizeof(pc->name), "%s:%u", a,
	    ntohs(pc->listen.sin_port));
}

/* -p [listenAddress[:port],]peerAddress[:port] */
int
conf_add_proxy_arg(struct pptpproxy_conf *c, const char *arg,
    const char **err)
{
	struct proxy_conf	*pc;
	const char		*comma, *peer = arg;
	char			 host[256];
	in_port_t		 port;

	if ((pc = conf_proxy_new(c)) == NULL) {
		*err = "out of memory";
		return (-1);
	}
	if ((comma = strchr(arg, ',')) != NULL) {
		char	 l[256];
		size_t	 n = (size_t)(comma - arg);

		if (n >= sizeof(l))
			goto badlisten;
		memcpy(l, arg, n);
		l[n] = '\0';
		if (split_hostport(l, host, sizeof(host), &port) == -1 ||
		    inet_pton(AF_INET, host, &pc->listen.sin_addr) != 1)
			goto badlisten;
		pc->listen.sin_port = port;
		peer = comma + 1;
	}
	if (split_hostport(peer, pc->server_host, sizeof(pc->server_host),
	    &port) == -1) {
		*err = "bad peer address or port";
		conf_free_proxy(pc);
		return (-1);
	}
	pc->server.sin_port = port;
	(void)inet_pton(AF_INET, pc->server_host, &pc->server.sin_addr);
	pc->from_cmdline = 1;
	conf_proxy_name(pc);
	TAILQ_INSERT_TAIL(&c->proxies, pc, entry);
	return (0);

 badlisten:
	*err = "bad listen address or port (an IPv4 address is needed)";
	conf_free_proxy(pc);
	return (-1);
}

/* Resolve every server name (as root, before any chroot). */
int
conf_resolve(struct pptpproxy_conf *c)
{
	struct proxy_conf	*pc;
	struct addrinfo		 hints, *res;
	int			 e, bad = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	TAILQ_FOREACH(pc, &c->proxies, entry) {
		if ((e = getaddrinfo(pc->server_host, NULL, &hints, &res))
		    != 0) {
			log_warnx("proxy %s: cannot resolve server %s: %s",
			    pc->name, pc->server_host, gai_strerror(e));
			bad = 1;
			continue;
		}
		pc->server.sin_addr =
		    ((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr;
		freeaddrinfo(res);
	}
	return (bad ? -1 : 0);
}

static void
print_subnets(FILE *f, const char *indent, const struct acl_subnets *l)
{
	const struct acl_subnet	*s;
	char			 a[INET_ADDRSTRLEN];
	uint32_t		 m;
	int			 bits = 0;

	TAILQ_FOREACH(s, l, entry) {
		m = ntohl(s->mask.s_addr);
		for (bits = 0; bits < 32 && (m & (0x80000000U >> bits)); bits++)
			;
		inet_ntop(AF_INET, &s->net, a, sizeof(a));
		fprintf(f, "%sallow from %s/%d\n", indent, a, bits);
	}
}

static void
print_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
print_cmds(FILE *f, const char *indent, const struct acl_cmds *l)
{
	const struct acl_cmd	*c;

	TAILQ_FOREACH(c, l, entry) {
		fprintf(f, "%sallow command ", indent);
		print_string(f, c->cmd);
		fputc('\n', f);
	}
}

/* The whole configuration in the file's syntax, defaults included. */
void
conf_print(FILE *f, const struct pptpproxy_conf *c)
{
	const struct proxy_conf	*pc;
	static const char	*levels[] = { "info", "debug", "extensive" };
	char			 a[INET_ADDRSTRLEN];

	fprintf(f, "user ");
	print_string(f, c->user);
	fprintf(f, "\nchroot ");
	print_string(f, c->chroot);
	fprintf(f, "\nlog level %s\n", levels[c->log_level < 0 ? 0 :
	    c->log_level > 2 ? 2 : c->log_level]);
	if (c->acl_user[0] != '\0') {
		fprintf(f, "acl-command user ");
		print_string(f, c->acl_user);
		fputc('\n', f);
	}
	fprintf(f, "acl-command timeout %d\n", c->acl_timeout);
	fprintf(f, "limit connections %u\n", c->max_conn);
	fprintf(f, "limit connections per-address %u\n", c->max_conn_per_addr);
	fprintf(f, "limit calls %u\n", c->max_calls);
	fprintf(f, "timeout first-message %d\n", c->t_first);
	fprintf(f, "timeout call-setup %d\n", c->t_setup);
	fprintf(f, "timeout connect %d\n", c->t_connect);
	fprintf(f, "timeout idle %d\n", c->t_idle);
	print_subnets(f, "", &c->subnets);
	print_cmds(f, "", &c->cmds);
	TAILQ_FOREACH(pc, &c->proxies, entry) {
		fprintf(f, "\nproxy ");
		print_string(f, pc->name);
		inet_ntop(AF_INET, &pc->listen.sin_addr, a, sizeof(a));
		fprintf(f, " {\n\tlisten on %s port %u\n\tserver ", a,
		    ntohs(pc->listen.sin_port));
		print_string(f, pc->server_host);
		fprintf(f, " port %u\n", ntohs(pc->server.sin_port));
		print_subnets(f, "\t", &pc->subnets);
		print_cmds(f, "\t", &pc->cmds);
		fprintf(f, "}\n");
	}
}
