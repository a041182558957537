/*
 * The configuration: defaults, what the command line adds, name
 * resolution, and printing it back in the file's own syntax.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxy.h"

static void	 free_subnets(struct acl_subnets *);
static void	 free_cmds(struct acl_cmds *);
static int	 parse_port(const char *, in_port_t *);
static int	 split_hostport(const char *, size_t, char *, size_t,
		    in_port_t *);
static int	 mask_bits(struct in_addr);
static void	 print_string(FILE *, const char *);
static void	 print_subnets(FILE *, const char *, const char *,
		    const struct acl_subnets *);
static void	 print_cmds(FILE *, const char *, const struct acl_cmds *);

void
conf_defaults(struct pptpproxy_conf *c)
{
	strlcpy(c->user, PPTPPROXY_USER, sizeof(c->user));
	strlcpy(c->chroot, PPTPPROXY_CHROOT, sizeof(c->chroot));
	c->acl_user[0] = '\0';
	c->acl_timeout = DEFAULT_ACL_TIMEOUT;
	c->acl_limit = DEFAULT_ACL_LIMIT;
	c->acl_limit_per_addr = DEFAULT_ACL_LIMIT_PER_ADDR;
	c->acl_cache = DEFAULT_ACL_CACHE;
	c->log_level = LOG_LVL_INFO;
	c->max_conn = DEFAULT_MAX_CONN;
	c->max_conn_per_addr = DEFAULT_MAX_CONN_PER_ADDR;
	c->max_calls = DEFAULT_MAX_CALLS;
	c->max_calls_per_addr = DEFAULT_MAX_CALLS_PER_ADDR;
	c->t_first = DEFAULT_T_FIRST;
	c->t_setup = DEFAULT_T_SETUP;
	c->t_connect = DEFAULT_T_CONNECT;
	c->t_idle = DEFAULT_T_IDLE;
	c->t_stop = DEFAULT_T_STOP;
	strlcpy(c->ctl_socket, PPTPPROXY_SOCKET, sizeof(c->ctl_socket));
	c->ctl_rgid = -1;
	c->ctl_rmode = DEFAULT_CTL_RMODE;
	c->tun_port = DEFAULT_TUN_PORT;
	c->tun_keepalive = DEFAULT_TUN_KEEPALIVE;
	c->relays = 1;
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
	TAILQ_INIT(&c->tun_subnets);
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
	free_subnets(&pc->tun_subnets);
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
	free_subnets(&c->tun_subnets);
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
 * "a.b.c.d/mask" with the mask dotted (255.255.255.0) or a prefix length
 * (24); a bare address is a /32.  A mask that is not contiguous and an
 * address with host bits set are errors, not normalised: either is most
 * often a typo that would let in other clients than meant.
 */
int
conf_parse_subnet(const char *str, struct in_addr *net, struct in_addr *mask)
{
	char		 buf[INET_ADDRSTRLEN * 2 + 1], *slash, *p;
	struct in_addr	 a, m;
	uint32_t	 bits, hm;

	if (strlcpy(buf, str, sizeof(buf)) >= sizeof(buf))
		return (-1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return (-1);
	if (slash == NULL)
		hm = 0xffffffffU;
	else if (strchr(slash, '.') != NULL) {
		if (inet_pton(AF_INET, slash, &m) != 1)
			return (-1);
		hm = ntohl(m.s_addr);
		/* contiguous: the host part plus one is a power of two */
		if (((~hm + 1) & ~hm) != 0)
			return (-1);
	} else {
		/* one or two digits, nothing else: "/+8" and "/ 8" are not */
		if (*slash == '\0' || strlen(slash) > 2)
			return (-1);
		bits = 0;
		for (p = slash; *p != '\0'; p++) {
			if (!isdigit((unsigned char)*p))
				return (-1);
			bits = bits * 10 + (uint32_t)(*p - '0');
		}
		if (bits > 32)
			return (-1);
		hm = bits == 0 ? 0 : 0xffffffffU << (32 - bits);
	}
	m.s_addr = htonl(hm);
	if ((a.s_addr & ~m.s_addr) != 0)
		return (-1);
	*net = a;
	*mask = m;
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

/* A port: 1 to 65535, decimal digits only. */
static int
parse_port(const char *s, in_port_t *port)
{
	unsigned long	 p = 0;

	if (*s == '\0' || strlen(s) > 5)
		return (-1);
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return (-1);
		p = p * 10 + (unsigned long)(*s - '0');
	}
	if (p == 0 || p > 65535)
		return (-1);
	*port = htons((in_port_t)p);
	return (0);
}

/* The first len bytes of str, "host[:port]", into host and port. */
static int
split_hostport(const char *str, size_t len, char *host, size_t hlen,
    in_port_t *port)
{
	char	 buf[300], *colon;

	if (len >= sizeof(buf))
		return (-1);
	memcpy(buf, str, len);
	buf[len] = '\0';
	*port = htons(PPTP_DEFAULT_PORT);
	if ((colon = strrchr(buf, ':')) != NULL) {
		*colon++ = '\0';
		if (parse_port(colon, port) == -1)
			return (-1);
	}
	if (buf[0] == '\0' || strlcpy(host, buf, hlen) >= hlen)
		return (-1);
	return (0);
}

/*
 * A server name as the daemon will resolve it: letters, digits, dots,
 * hyphens and underscores (or an address), at most 255 bytes.
 */
int
conf_check_host(const char *h)
{
	const char	*p;

	if (*h == '\0' || strlen(h) >= sizeof(((struct proxy_conf *)0)->
	    server_host))
		return (-1);
	for (p = h; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != '_')
			return (-1);
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
	TAILQ_INIT(&pc->tun_subnets);
	return (pc);
}

static void
proxy_set_id(struct proxy_conf *pc, uint32_t id)
{
	struct acl_subnet	*s;
	struct acl_cmd		*c;

	pc->id = id;
	TAILQ_FOREACH(s, &pc->subnets, entry)
		s->proxy_id = id;
	TAILQ_FOREACH(c, &pc->cmds, entry)
		c->proxy_id = id;
}

/*
 * On reload: a proxy of the new configuration nc keeps the id of the old
 * proxy (of oc) with the same name, or else with the same listen address
 * and port; the others get ids never used before, from *next on.  So a
 * request in flight across a reload names the proxy that made it, or
 * one that no longer exists, never another.  0, or -1 out of memory.
 */
int
conf_keep_ids(struct pptpproxy_conf *nc, const struct pptpproxy_conf *oc,
    uint32_t *next)
{
	const struct proxy_conf	*opc;
	struct proxy_conf	*pc;
	uint32_t		*ids;
	uint8_t			*taken;
	size_t			 n = 0, on = 0, i, j;
	int			 pass;

	TAILQ_FOREACH(pc, &nc->proxies, entry)
		n++;
	TAILQ_FOREACH(opc, &oc->proxies, entry)
		on++;
	if ((ids = calloc(n + 1, sizeof(*ids))) == NULL)
		return (-1);
	if ((taken = calloc(on + 1, 1)) == NULL) {
		free(ids);
		return (-1);
	}
	for (pass = 0; pass < 2; pass++) {
		i = 0;
		TAILQ_FOREACH(pc, &nc->proxies, entry) {
			if (ids[i] != 0) {
				i++;
				continue;
			}
			j = 0;
			TAILQ_FOREACH(opc, &oc->proxies, entry) {
				if (!taken[j] && (pass == 0 ?
				    strcmp(opc->name, pc->name) == 0 :
				    (opc->listen.sin_addr.s_addr ==
				    pc->listen.sin_addr.s_addr &&
				    opc->listen.sin_port ==
				    pc->listen.sin_port))) {
					ids[i] = opc->id;
					taken[j] = 1;
					break;
				}
				j++;
			}
			i++;
		}
	}
	i = 0;
	TAILQ_FOREACH(pc, &nc->proxies, entry) {
		proxy_set_id(pc, ids[i] != 0 ? ids[i] : (*next)++);
		i++;
	}
	free(taken);
	free(ids);
	return (0);
}

/* Name a proxy after its listen address when it has no name. */
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

/*
 * The proxy that already listens where sin would, or NULL.  0.0.0.0
 * covers every address of its port: a socket on it and one on a single
 * address of the same port cannot both be bound everywhere.
 */
struct proxy_conf *
conf_listen_taken(struct pptpproxy_conf *c, const struct sockaddr_in *sin)
{
	struct proxy_conf	*pc;

	TAILQ_FOREACH(pc, &c->proxies, entry) {
		if (pc->listen.sin_port != sin->sin_port)
			continue;
		if (pc->listen.sin_addr.s_addr == sin->sin_addr.s_addr ||
		    pc->listen.sin_addr.s_addr == htonl(INADDR_ANY) ||
		    sin->sin_addr.s_addr == htonl(INADDR_ANY))
			return (pc);
	}
	return (NULL);
}

/*
 * -p [listenAddress[:port],]peerAddress[:port]: the listen address is an
 * IPv4 address (default 0.0.0.0), the peer an address or a host name,
 * both ports 1723 unless given.  0: added; -1: a bad argument, *err says
 * why; 1: its listen address and port are taken by a proxy already in c,
 * so it is left out with a warning, as pptpproxy always did.
 */
int
conf_add_proxy_arg(struct pptpproxy_conf *c, const char *arg,
    const char **err)
{
	struct proxy_conf	*pc, *taken;
	const char		*comma, *peer = arg;
	char			 host[INET_ADDRSTRLEN];
	in_port_t		 port;

	*err = NULL;
	if ((pc = conf_proxy_new(c)) == NULL) {
		*err = "out of memory";
		return (-1);
	}
	if ((comma = strchr(arg, ',')) != NULL) {
		if (split_hostport(arg, (size_t)(comma - arg), host,
		    sizeof(host), &port) == -1 ||
		    inet_pton(AF_INET, host, &pc->listen.sin_addr) != 1) {
			*err = "bad listen address or port (an IPv4 address, "
			    "a port from 1 to 65535)";
			goto bad;
		}
		pc->listen.sin_port = port;
		peer = comma + 1;
	}
	if (split_hostport(peer, strlen(peer), pc->server_host,
	    sizeof(pc->server_host), &port) == -1 ||
	    conf_check_host(pc->server_host) == -1) {
		*err = "bad peer address or port (an address or a host name, "
		    "a port from 1 to 65535)";
		goto bad;
	}
	pc->server.sin_port = port;
	if (inet_pton(AF_INET, pc->server_host, &pc->server.sin_addr) != 1)
		pc->server.sin_addr.s_addr = htonl(INADDR_ANY);
	pc->from_cmdline = 1;
	conf_proxy_name(pc);
	if ((taken = conf_listen_taken(c, &pc->listen)) != NULL) {
		*err = "listen address and port already taken, ignored";
		log_warnx("-p %s: %s is taken by proxy %s; pair ignored", arg,
		    pc->name, taken->name);
		conf_free_proxy(pc);
		return (1);
	}
	TAILQ_INSERT_TAIL(&c->proxies, pc, entry);
	return (0);

 bad:
	conf_free_proxy(pc);
	return (-1);
}

/*
 * Resolve every proxy's server (the parent, before any chroot, at start
 * and on reload).  The first IPv4 address is used.
 */
static int
resolve_one(struct proxy_conf *pc)
{
	struct addrinfo		 hints, *res;
	int			 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(pc->server_host, NULL, &hints, &res)) != 0)
		return (e);
	pc->server.sin_family = AF_INET;
	pc->server.sin_addr =
	    ((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	return (0);
}

int
conf_resolve(struct pptpproxy_conf *c)
{
	struct proxy_conf	*pc;
	int			 e, bad = 0;

	TAILQ_FOREACH(pc, &c->proxies, entry) {
		if ((e = resolve_one(pc)) != 0) {
			log_warnx("proxy %s: cannot resolve server %s: %s",
			    pc->name, pc->server_host, gai_strerror(e));
			bad = 1;
		}
	}
	return (bad ? -1 : 0);
}

/*
 * On reload, a name server that does not answer must not take down what
 * works: a server name that does not resolve keeps the address the
 * running configuration has for it.  A proxy whose server name never
 * resolved is left out of the new configuration.  Returns how many were.
 */
int
conf_resolve_reload(struct pptpproxy_conf *c, const struct pptpproxy_conf *old)
{
	struct proxy_conf	*pc, *next, *opc;
	char			 a[INET_ADDRSTRLEN];
	int			 e, dropped = 0;

	TAILQ_FOREACH_SAFE(pc, &c->proxies, entry, next) {
		if ((e = resolve_one(pc)) == 0)
			continue;
		TAILQ_FOREACH(opc, &old->proxies, entry)
			if (strcmp(opc->server_host, pc->server_host) == 0)
				break;
		if (opc != NULL) {
			pc->server.sin_family = AF_INET;
			pc->server.sin_addr = opc->server.sin_addr;
			inet_ntop(AF_INET, &pc->server.sin_addr, a, sizeof(a));
			log_warnx("proxy %s: cannot resolve server %s: %s; "
			    "keeping its address %s", pc->name,
			    pc->server_host, gai_strerror(e), a);
			continue;
		}
		log_warnx("proxy %s: cannot resolve server %s: %s; proxy "
		    "left out", pc->name, pc->server_host, gai_strerror(e));
		TAILQ_REMOVE(&c->proxies, pc, entry);
		conf_free_proxy(pc);
		dropped++;
	}
	return (dropped);
}

/* A contiguous mask's prefix length. */
static int
mask_bits(struct in_addr mask)
{
	uint32_t	m = ntohl(mask.s_addr);
	int		bits = 0;

	while (bits < 32 && (m & (0x80000000U >> bits)) != 0)
		bits++;
	return (bits);
}

/* A string in double quotes, as the lexer reads it back. */
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

/* Each subnet of l as "INDENT WHAT NET/BITS"; WHAT "allow from" or
 * "tunnel accept from" (tunnel settings are printed only where used, so
 * old files print as before). */
static void
print_subnets(FILE *f, const char *indent, const char *what,
    const struct acl_subnets *l)
{
	const struct acl_subnet	*s;
	char			 a[INET_ADDRSTRLEN];

	TAILQ_FOREACH(s, l, entry) {
		inet_ntop(AF_INET, &s->net, a, sizeof(a));
		fprintf(f, "%s%s %s/%d\n", indent, what, a,
		    mask_bits(s->mask));
	}
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

/*
 * The whole configuration in the file's syntax: every setting, defaults
 * included, one per line in a fixed order; macros expanded, tables
 * expanded into the allow lines that used them, subnets as prefixes,
 * strings quoted; each proxy a block of its own.  Reading the output
 * back prints it again unchanged.
 */
void
conf_print(FILE *f, const struct pptpproxy_conf *c)
{
	static const char	*levels[] = { "info", "debug", "extensive" };
	const struct proxy_conf	*pc;
	char			 a[INET_ADDRSTRLEN];
	int			 level;

	level = c->log_level;
	if (level < LOG_LVL_INFO)
		level = LOG_LVL_INFO;
	if (level > LOG_LVL_EXTENSIVE)
		level = LOG_LVL_EXTENSIVE;

	fprintf(f, "user ");
	print_string(f, c->user);
	fprintf(f, "\nchroot ");
	print_string(f, c->chroot);
	fprintf(f, "\nlog level %s\n", levels[level]);
	fprintf(f, "log facility %s\n", log_facility_name(c->log_facility));
	if (c->acl_user[0] != '\0') {
		fprintf(f, "acl-command user ");
		print_string(f, c->acl_user);
		fputc('\n', f);
	} else
		fprintf(f, "# acl-command user: none, commands run as root\n");
	fprintf(f, "acl-command timeout %d\n", c->acl_timeout);
	fprintf(f, "acl-command limit %u\n", c->acl_limit);
	fprintf(f, "acl-command limit per-address %u\n",
	    c->acl_limit_per_addr);
	fprintf(f, "acl-command cache %d\n", c->acl_cache);
	fprintf(f, "limit connections %u\n", c->max_conn);
	fprintf(f, "limit connections per-address %u\n", c->max_conn_per_addr);
	fprintf(f, "limit calls %u\n", c->max_calls);
	fprintf(f, "limit calls per-address %u\n", c->max_calls_per_addr);
	fprintf(f, "timeout first-message %d\n", c->t_first);
	fprintf(f, "timeout call-setup %d\n", c->t_setup);
	fprintf(f, "timeout connect %d\n", c->t_connect);
	fprintf(f, "timeout idle %d\n", c->t_idle);
	fprintf(f, "timeout stop %d\n", c->t_stop);
	fprintf(f, "gre offload %s\n", c->gre_offload ? "yes" : "no");
	if (c->relays == 0)
		fprintf(f, "relays auto\n");
	else
		fprintf(f, "relays %u\n", c->relays);
	if (strcmp(c->ctl_socket, PPTPPROXY_SOCKET) != 0) {
		fprintf(f, "control socket ");
		print_string(f, c->ctl_socket);
		fputc('\n', f);
	}
	if (c->ctl_rsocket[0] != '\0') {
		fprintf(f, "control socket ");
		print_string(f, c->ctl_rsocket);
		fprintf(f, " restricted group ");
		if (c->ctl_rgroup[0] != '\0')
			print_string(f, c->ctl_rgroup);
		else
			fprintf(f, "%lld", c->ctl_rgid < 0 ? 0 : c->ctl_rgid);
		fprintf(f, " mode 0%03o\n", c->ctl_rmode);
	}
	print_subnets(f, "", "allow from", &c->subnets);
	print_cmds(f, "", &c->cmds);
	if (c->tun_port != DEFAULT_TUN_PORT)
		fprintf(f, "tunnel udp-port %u\n", c->tun_port);
	if (c->tun_keepalive != DEFAULT_TUN_KEEPALIVE)
		fprintf(f, "tunnel keepalive %d\n", c->tun_keepalive);
	print_subnets(f, "", "tunnel accept from", &c->tun_subnets);
	TAILQ_FOREACH(pc, &c->proxies, entry) {
		fprintf(f, "\nproxy ");
		print_string(f, pc->name);
		inet_ntop(AF_INET, &pc->listen.sin_addr, a, sizeof(a));
		fprintf(f, " {\n\tlisten on %s port %u\n\tserver ", a,
		    ntohs(pc->listen.sin_port));
		print_string(f, pc->server_host);
		fprintf(f, " port %u", ntohs(pc->server.sin_port));
		if (pc->tunnel)
			fprintf(f, " tunnel udp-port %u", pc->tun_server_port);
		fputc('\n', f);
		print_subnets(f, "\t", "allow from", &pc->subnets);
		print_cmds(f, "\t", &pc->cmds);
		if (pc->tun_port != 0)
			fprintf(f, "\ttunnel udp-port %u\n", pc->tun_port);
		print_subnets(f, "\t", "tunnel accept from", &pc->tun_subnets);
		fprintf(f, "}\n");
	}
}
