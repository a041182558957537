/*
 * pptpproxy.conf(5) grammar.  Errors are reported as "file:line: message"
 * and parsing goes on, so one run shows them all.
 */

%{
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxy.h"

#define MAX_INCLUDE	8
#define MAX_MACRO_DEPTH	16

struct file {
	FILE		*f;
	char		*name;
	int		 lineno;
	int		 errors;
};

static struct file	 files[MAX_INCLUDE];
static int		 nfiles;
static struct file	*file;
static int		 errors;

struct macro {
	TAILQ_ENTRY(macro)	 entry;
	char			*name;
	char			*value;
};
static TAILQ_HEAD(, macro)	 macros;

/* Characters pushed back (macro expansions, lookahead). */
static char		 pushback[8192];
static size_t		 npushback;
static int		 expanding;

static struct pptpproxy_conf	*conf;
static struct proxy_conf	*cur_proxy;	/* inside a proxy block */
static struct acl_table		*cur_table;

static int	 yyerror(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
static int	 yylex(void);
static int	 kw_cmp(const void *, const void *);
static int	 lookup(const char *);
static int	 lgetc(int);
static void	 lungetc(int);
static int	 pushfile(const char *, int);
static int	 popfile(void);
static int	 macro_set(const char *, const char *);
static const char *macro_get(const char *);
static void	 add_subnet(struct acl_subnets *, uint32_t, const char *);
static void	 add_table_ref(struct acl_subnets *, uint32_t, const char *);
static void	 add_cmd(struct acl_cmds *, uint32_t, const char *);
static int	 check_num(long long, long long, long long, const char *);

typedef struct {
	union {
		long long	 number;
		char		*string;
	} v;
	int	lineno;
} YYSTYPE;
#define YYSTYPE_IS_DECLARED 1

%}

%token	ALLOW CALLS CALLSETUP CHROOT COMMAND CONNECT CONNECTIONS FROM
%token	FIRSTMESSAGE IDLE INCLUDE LEVEL LIMIT LISTEN LOG ON PERADDRESS PORT
%token	PROXY SERVER TABLE TIMEOUT USER ACLCOMMAND ERROR
%token	<v.string>	STRING
%token	<v.number>	NUMBER
%type	<v.number>	port
%type	<v.string>	string

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar include '\n'
		| grammar varset '\n'
		| grammar main '\n'
		| grammar table '\n'
		| grammar proxy '\n'
		| grammar error '\n'		{ file->errors++; }
		;

string		: string STRING {
			if (asprintf(&$$, "%s %s", $1, $2) == -1)
				yyerror("out of memory");
			free($1);
			free($2);
		}
		| STRING
		;

include		: INCLUDE STRING {
			if (pushfile($2, 1) == -1)
				yyerror("cannot open include %s: %s", $2,
				    strerror(errno));
			free($2);
		}
		;

varset		: STRING '=' string {
			const char *p;

			for (p = $1; *p != '\0'; p++)
				if (!isalnum((unsigned char)*p) && *p != '_')
					break;
			if (*p != '\0' || isdigit((unsigned char)*$1))
				yyerror("bad macro name %s", $1);
			else if (macro_set($1, $3) == -1)
				yyerror("out of memory");
			free($1);
			free($3);
		}
		;

port		: /* empty */		{ $$ = PPTP_DEFAULT_PORT; }
		| PORT NUMBER		{
			if (check_num($2, 1, 65535, "port") == -1)
				$$ = PPTP_DEFAULT_PORT;
			else
				$$ = $2;
		}
		;

main		: USER STRING {
			if (strlcpy(conf->user, $2, sizeof(conf->user)) >=
			    sizeof(conf->user))
				yyerror("user name too long");
			free($2);
		}
		| CHROOT STRING {
			if ($2[0] != '/')
				yyerror("chroot must be an absolute path");
			else if (strlcpy(conf->chroot, $2,
			    sizeof(conf->chroot)) >= sizeof(conf->chroot))
				yyerror("chroot path too long");
			free($2);
		}
		| LOG LEVEL STRING {
			if (strcmp($3, "info") == 0)
				conf->log_level = LOG_LVL_INFO;
			else if (strcmp($3, "debug") == 0)
				conf->log_level = LOG_LVL_DEBUG;
			else if (strcmp($3, "extensive") == 0)
				conf->log_level = LOG_LVL_EXTENSIVE;
			else
				yyerror("unknown log level %s (info, debug, "
				    "extensive)", $3);
			free($3);
		}
		| ACLCOMMAND USER STRING {
			if (strlcpy(conf->acl_user, $3,
			    sizeof(conf->acl_user)) >= sizeof(conf->acl_user))
				yyerror("user name too long");
			free($3);
		}
		| ACLCOMMAND TIMEOUT NUMBER {
			if (check_num($3, 1, 3600, "acl-command timeout") == 0)
				conf->acl_timeout = (int)$3;
		}
		| LIMIT CONNECTIONS NUMBER {
			if (check_num($3, 1, 1000000, "limit connections") == 0)
				conf->max_conn = (unsigned int)$3;
		}
		| LIMIT CONNECTIONS PERADDRESS NUMBER {
			if (check_num($4, 1, 1000000,
			    "limit connections per-address") == 0)
				conf->max_conn_per_addr = (unsigned int)$4;
		}
		| LIMIT CALLS NUMBER {
			if (check_num($3, 1, 65535, "limit calls") == 0)
				conf->max_calls = (unsigned int)$3;
		}
		| TIMEOUT FIRSTMESSAGE NUMBER {
			if (check_num($3, 1, 86400, "timeout first-message")
			    == 0)
				conf->t_first = (int)$3;
		}
		| TIMEOUT CALLSETUP NUMBER {
			if (check_num($3, 1, 86400, "timeout call-setup") == 0)
				conf->t_setup = (int)$3;
		}
		| TIMEOUT CONNECT NUMBER {
			if (check_num($3, 1, 86400, "timeout connect") == 0)
				conf->t_connect = (int)$3;
		}
		| TIMEOUT IDLE NUMBER {
			if (check_num($3, 0, 86400, "timeout idle") == 0)
				conf->t_idle = (int)$3;
		}
		| allow
		;

allow		: ALLOW FROM STRING {
			if (cur_proxy != NULL)
				add_subnet(&cur_proxy->subnets, cur_proxy->id,
				    $3);
			else
				add_subnet(&conf->subnets, 0, $3);
			free($3);
		}
		| ALLOW FROM '<' STRING '>' {
			if (cur_proxy != NULL)
				add_table_ref(&cur_proxy->subnets,
				    cur_proxy->id, $4);
			else
				add_table_ref(&conf->subnets, 0, $4);
			free($4);
		}
		| ALLOW COMMAND STRING {
			if (cur_proxy != NULL)
				add_cmd(&cur_proxy->cmds, cur_proxy->id, $3);
			else
				add_cmd(&conf->cmds, 0, $3);
			free($3);
		}
		;

table		: TABLE '<' STRING '>' {
			struct acl_table *t;

			TAILQ_FOREACH(t, &conf->tables, entry)
				if (strcmp(t->name, $3) == 0)
					break;
			if (t != NULL)
				yyerror("table <%s> defined twice", $3);
			if ((cur_table = calloc(1, sizeof(*cur_table)))
			    == NULL)
				yyerror("out of memory");
			else {
				strlcpy(cur_table->name, $3,
				    sizeof(cur_table->name));
				TAILQ_INIT(&cur_table->subnets);
				TAILQ_INSERT_TAIL(&conf->tables, cur_table,
				    entry);
			}
			free($3);
		} '{' tablebody '}' {
			cur_table = NULL;
		}
		;

/* Subnets separated by commas, new lines or both. */
tablebody	: /* empty */
		| tablebody STRING {
			if (cur_table != NULL)
				add_subnet(&cur_table->subnets, 0, $2);
			free($2);
		}
		| tablebody ','
		| tablebody '\n'
		;

optnl		: /* empty */
		| optnl '\n'
		;

proxy		: PROXY proxyname '{' optnl proxyopts '}' {
			struct proxy_conf *pc;

			if (cur_proxy->server_host[0] == '\0')
				yyerror("proxy %s: no server", cur_proxy->name);
			conf_proxy_name(cur_proxy);
			TAILQ_FOREACH(pc, &conf->proxies, entry) {
				if (pc->listen.sin_addr.s_addr ==
				    cur_proxy->listen.sin_addr.s_addr &&
				    pc->listen.sin_port ==
				    cur_proxy->listen.sin_port)
					yyerror("proxy %s listens where proxy "
					    "%s does", cur_proxy->name,
					    pc->name);
				else if (strcmp(pc->name, cur_proxy->name) == 0)
					yyerror("proxy %s defined twice",
					    pc->name);
			}
			TAILQ_INSERT_TAIL(&conf->proxies, cur_proxy, entry);
			cur_proxy = NULL;
		}
		;

proxyname	: /* empty */ {
			if ((cur_proxy = conf_proxy_new(conf)) == NULL)
				fatal("proxy");
		}
		| STRING {
			if ((cur_proxy = conf_proxy_new(conf)) == NULL)
				fatal("proxy");
			if (strlcpy(cur_proxy->name, $1,
			    sizeof(cur_proxy->name)) >= sizeof(cur_proxy->name))
				yyerror("proxy name too long");
			free($1);
		}
		;

proxyopts	: /* empty */
		| proxyopts proxyopt '\n' optnl
		| proxyopts error '\n'	{ file->errors++; }
		;

proxyopt	: LISTEN ON STRING port {
			if (inet_pton(AF_INET, $3,
			    &cur_proxy->listen.sin_addr) != 1)
				yyerror("listen on %s: an IPv4 address is "
				    "needed", $3);
			cur_proxy->listen.sin_port = htons((in_port_t)$4);
			free($3);
		}
		| SERVER STRING port {
			if (strlcpy(cur_proxy->server_host, $2,
			    sizeof(cur_proxy->server_host)) >=
			    sizeof(cur_proxy->server_host))
				yyerror("server name too long");
			(void)inet_pton(AF_INET, $2,
			    &cur_proxy->server.sin_addr);
			cur_proxy->server.sin_port = htons((in_port_t)$3);
			free($2);
		}
		| allow
		;

%%

struct keyword {
	const char	*name;
	int		 token;
};

/* Set once the daemon runs: errors go to its log, not a terminal. */
int	parse_log_errors;

static int
yyerror(const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	errors++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (parse_log_errors)
		log_warnx("%s:%d: %s", file ? file->name : "?", yylval.lineno,
		    msg);
	else
		fprintf(stderr, "%s:%d: %s\n", file ? file->name : "?",
		    yylval.lineno, msg);
	return (0);
}

static int
kw_cmp(const void *k, const void *e)
{
	return (strcmp(k, ((const struct keyword *)e)->name));
}

static int
lookup(const char *s)
{
	/* sorted, for bsearch */
	static const struct keyword keywords[] = {
		{ "acl-command",	ACLCOMMAND },
		{ "allow",		ALLOW },
		{ "call-setup",		CALLSETUP },
		{ "calls",		CALLS },
		{ "chroot",		CHROOT },
		{ "command",		COMMAND },
		{ "connect",		CONNECT },
		{ "connections",	CONNECTIONS },
		{ "first-message",	FIRSTMESSAGE },
		{ "from",		FROM },
		{ "idle",		IDLE },
		{ "include",		INCLUDE },
		{ "level",		LEVEL },
		{ "limit",		LIMIT },
		{ "listen",		LISTEN },
		{ "log",		LOG },
		{ "on",			ON },
		{ "per-address",	PERADDRESS },
		{ "port",		PORT },
		{ "proxy",		PROXY },
		{ "server",		SERVER },
		{ "table",		TABLE },
		{ "timeout",		TIMEOUT },
		{ "user",		USER }
	};
	const struct keyword	*k;

	k = bsearch(s, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), kw_cmp);
	return (k != NULL ? k->token : STRING);
}

static int
lgetc(int quoted)
{
	int	c, next;

	if (npushback > 0)
		return ((unsigned char)pushback[--npushback]);
	if (npushback == 0)
		expanding = 0;
	for (;;) {
		c = getc(file->f);
		if (c == '\\') {
			next = getc(file->f);
			if (next == '\n') {
				/* a continued line */
				file->lineno++;
				continue;
			}
			ungetc(next, file->f);
		}
		break;
	}
	if (c == EOF && !quoted && popfile() == 0)
		return (lgetc(quoted));
	return (c);
}

static void
lungetc(int c)
{
	if (c == EOF)
		return;
	if (npushback < sizeof(pushback))
		pushback[npushback++] = (char)c;
}

/* Push a string back so the lexer reads it next. */
static int
lpush(const char *s)
{
	size_t	n = strlen(s);

	if (npushback + n >= sizeof(pushback))
		return (-1);
	while (n > 0)
		pushback[npushback++] = s[--n];
	return (0);
}

static int
allowed_in_word(int c)
{
	return (isalnum(c) || c == '.' || c == '/' || c == ':' ||
	    c == '-' || c == '_');
}

static int
yylex(void)
{
	char		 buf[8192], *p;
	const char	*val;
	int		 c, quote, token;
	long long	 n;
	char		*end;

 top:
	p = buf;
	while ((c = lgetc(0)) == ' ' || c == '\t')
		;
	yylval.lineno = file->lineno;
	if (c == '#')
		while ((c = lgetc(0)) != '\n' && c != EOF)
			;
	if (c == '$' && !expanding) {
		while ((c = lgetc(0)) != EOF && (isalnum(c) || c == '_')) {
			if (p + 1 >= buf + sizeof(buf) - 1) {
				yyerror("macro name too long");
				return (ERROR);
			}
			*p++ = (char)c;
		}
		*p = '\0';
		lungetc(c);
		if ((val = macro_get(buf)) == NULL) {
			yyerror("macro '%s' not defined", buf);
			return (ERROR);
		}
		if (lpush(val) == -1) {
			yyerror("macro '%s' too long", buf);
			return (ERROR);
		}
		expanding = 1;
		goto top;
	}
	switch (c) {
	case '\'':
	case '"':
		quote = c;
		for (;;) {
			if ((c = lgetc(1)) == EOF) {
				yyerror("unterminated quote");
				return (0);
			}
			if (c == '\n') {
				yyerror("newline inside quotes");
				file->lineno++;
				lungetc(c);
				return (ERROR);
			}
			if (c == '\\') {
				if ((c = lgetc(1)) == EOF)
					return (0);
				if (c != quote && c != '\\')
					*p++ = '\\';
			} else if (c == quote)
				break;
			if (p + 1 >= buf + sizeof(buf) - 1) {
				yyerror("string too long");
				return (ERROR);
			}
			*p++ = (char)c;
		}
		*p = '\0';
		if ((yylval.v.string = strdup(buf)) == NULL)
			fatal("strdup");
		return (STRING);
	case '\n':
		yylval.lineno = file->lineno;
		file->lineno++;
		return ('\n');
	case EOF:
		return (0);
	}

	if (allowed_in_word(c)) {
		do {
			if (p + 1 >= buf + sizeof(buf) - 1) {
				yyerror("word too long");
				return (ERROR);
			}
			*p++ = (char)c;
		} while ((c = lgetc(0)) != EOF && allowed_in_word(c));
		lungetc(c);
		*p = '\0';
		/* all digits: a number */
		for (p = buf; isdigit((unsigned char)*p); p++)
			;
		if (*p == '\0') {
			errno = 0;
			n = strtoll(buf, &end, 10);
			if (errno == 0 && *end == '\0') {
				yylval.v.number = n;
				return (NUMBER);
			}
		}
		if ((token = lookup(buf)) == STRING &&
		    (yylval.v.string = strdup(buf)) == NULL)
			fatal("strdup");
		return (token);
	}
	return (c);
}

static int
pushfile(const char *name, int must_exist)
{
	struct stat	 st;
	FILE		*f;

	if (nfiles >= MAX_INCLUDE) {
		errno = ELOOP;
		return (-1);
	}
	if ((f = fopen(name, "r")) == NULL) {
		if (!must_exist && errno == ENOENT)
			return (1);
		return (-1);
	}
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fclose(f);
		errno = EINVAL;
		return (-1);
	}
	file = &files[nfiles++];
	file->f = f;
	if ((file->name = strdup(name)) == NULL)
		fatal("strdup");
	file->lineno = 1;
	file->errors = 0;
	return (0);
}

/* Back to the including file: 0, or EOF of the top file: -1. */
static int
popfile(void)
{
	if (nfiles <= 1)
		return (-1);
	fclose(file->f);
	free(file->name);
	nfiles--;
	file = &files[nfiles - 1];
	return (0);
}

static int
macro_set(const char *name, const char *value)
{
	struct macro	*m;

	TAILQ_FOREACH(m, &macros, entry)
		if (strcmp(m->name, name) == 0)
			break;
	if (m == NULL) {
		if ((m = calloc(1, sizeof(*m))) == NULL ||
		    (m->name = strdup(name)) == NULL) {
			free(m);
			return (-1);
		}
		TAILQ_INSERT_TAIL(&macros, m, entry);
	} else
		free(m->value);
	if ((m->value = strdup(value)) == NULL)
		return (-1);
	return (0);
}

static const char *
macro_get(const char *name)
{
	struct macro	*m;

	TAILQ_FOREACH(m, &macros, entry)
		if (strcmp(m->name, name) == 0)
			return (m->value);
	return (NULL);
}

static void
add_subnet(struct acl_subnets *l, uint32_t id, const char *s)
{
	if (conf_add_subnet_arg(l, id, s) == -1)
		yyerror("bad subnet %s (address/prefix or address/mask, no "
		    "host bits set)", s);
}

static void
add_table_ref(struct acl_subnets *l, uint32_t id, const char *name)
{
	struct acl_table	*t;
	struct acl_subnet	*s, *n;

	TAILQ_FOREACH(t, &conf->tables, entry)
		if (strcmp(t->name, name) == 0)
			break;
	if (t == NULL) {
		yyerror("table <%s> not defined", name);
		return;
	}
	TAILQ_FOREACH(s, &t->subnets, entry) {
		if ((n = calloc(1, sizeof(*n))) == NULL)
			fatal("calloc");
		*n = *s;
		n->proxy_id = id;
		TAILQ_INSERT_TAIL(l, n, entry);
	}
}

static void
add_cmd(struct acl_cmds *l, uint32_t id, const char *s)
{
	struct acl_cmd	*c;
	char		 buf[PPTPPROXY_MAX_CMD], *argv[34];

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf) ||
	    acl_split_cmd(buf, argv, 32) <= 0) {
		yyerror("bad command \"%s\"", s);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("calloc");
	strlcpy(c->cmd, s, sizeof(c->cmd));
	c->proxy_id = id;
	TAILQ_INSERT_TAIL(l, c, entry);
}

static int
check_num(long long v, long long min, long long max, const char *what)
{
	if (v < min || v > max) {
		yyerror("%s %lld out of range (%lld..%lld)", what, v, min,
		    max);
		return (-1);
	}
	return (0);
}

/*
 * Parse path into a new configuration.  flags & 1: the file must exist.
 * NULL after reporting every error.
 */
struct pptpproxy_conf *
parse_config(const char *path, int flags)
{
	struct macro	*m;
	int		 r;

	if ((conf = conf_new()) == NULL)
		return (NULL);
	TAILQ_INIT(&macros);
	errors = 0;
	nfiles = 0;
	npushback = 0;
	expanding = 0;
	cur_proxy = NULL;
	cur_table = NULL;
	if ((r = pushfile(path, flags & 1)) == -1) {
		if (parse_log_errors)
			log_warn("%s", path);
		else
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
		conf_free(conf);
		return (NULL);
	}
	if (r == 1)		/* missing, and allowed to be */
		return (conf);
	yyparse();
	while (nfiles > 0) {
		fclose(file->f);
		free(file->name);
		nfiles--;
		file = nfiles > 0 ? &files[nfiles - 1] : NULL;
	}
	if (cur_proxy != NULL) {
		conf_free_proxy(cur_proxy);
		cur_proxy = NULL;
	}
	while ((m = TAILQ_FIRST(&macros)) != NULL) {
		TAILQ_REMOVE(&macros, m, entry);
		free(m->name);
		free(m->value);
		free(m);
	}
	if (errors) {
		conf_free(conf);
		return (NULL);
	}
	return (conf);
}
