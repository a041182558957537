/*
 * pptpproxy.conf(5) grammar.
 *
 * Errors are reported as "file:line: message" (on standard error, or to
 * the log once the daemon runs) and parsing goes on, so that one run
 * shows them all; parse_config() then returns NULL.
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
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"

#define MAX_INCLUDE	8	/* files open at once, the top one included */
#define MAX_LISTEN	16	/* listen addresses in one proxy block */
#define MAX_WORD	4096	/* a word or a quoted string */

/* Ranges of the settings; pptpproxy.conf(5) gives the reasons. */
#define MAX_CONN_LIMIT	65535
#define MAX_CALLS_LIMIT	65535
#define MAX_CALLS_PER_ADDR 32767	/* a call holds two of the 65535 IDs */
#define MAX_ACL_TIMEOUT	300
#define MAX_ACL_LIMIT	1024
#define MAX_ACL_CACHE	3600
#define MAX_TIMEOUT	86400

/* Markers in a file's pushback around the text of a macro. */
#define START_EXPAND	0x100
#define DONE_EXPAND	0x101

struct file {
	FILE		*f;
	char		*name;
	int		 lineno;
	int		*unget;		/* pushed back, read from the end */
	size_t		 nunget;
	size_t		 ungetsize;
};

struct macro {
	TAILQ_ENTRY(macro)	 entry;
	char			*name;
	char			*value;
};

/* A proxy block being read: it becomes one proxy per listen address. */
struct block {
	char			 name[PPTPPROXY_MAX_NAME];
	int			 lineno;
	struct sockaddr_in	 listen[MAX_LISTEN];
	int			 nlisten;
	int			 listen_given;	/* even a bad one */
	char			 server_host[256];
	struct sockaddr_in	 server;
	int			 has_server;
	struct acl_subnets	 subnets;
	struct acl_cmds		 cmds;
	struct acl_subnets	 tun_subnets;	/* tunnel accept from */
	uint16_t		 tun_port;	/* tunnel udp-port */
	uint16_t		 tun_server_port;
	uint8_t			 tunnel;	/* server ... tunnel */
};

static struct file		 files[MAX_INCLUDE];
static int			 nfiles;
static struct file		*file;
static int			 errors;
static int			 expanding;	/* reading a macro's text */
static int			 lasttoken;
static int			 lastline;	/* of lasttoken */
static char			 tokentext[40];	/* for "syntax error" */
static TAILQ_HEAD(, macro)	 macros;

static struct pptpproxy_conf	*conf;
static struct block		*blk;		/* inside a proxy block */
static struct acl_table		*cur_table;	/* inside a table */
static int			 nitems;	/* subnets in a { } list */
static int			 tun_acl;	/* reading tunnel accept from */
/* a restricted control socket's options, being read */
static struct {
	char			 group[PPTPPROXY_MAX_NAME];
	long long		 gid;
	unsigned int		 mode;
	int			 group_given, mode_given;
	int			 bad;		/* an option was refused */
} rs;

typedef struct {
	union {
		long long	 number;
		char		*string;
	} v;
	int	lineno;
} YYSTYPE;
#define YYSTYPE_IS_DECLARED 1

static int	 yyerror(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
static void	 errorat(int, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));
static void	 verror(int, const char *, va_list)
		    __attribute__((__format__(printf, 2, 0)));
static int	 yylex(void);
static int	 lex(void);
static int	 kw_cmp(const void *, const void *);
static int	 lookup(const char *);
static int	 lgetc(void);
static void	 lungetc(int);
static int	 allowed_in_word(int);
static int	 expand_macro(void);
static int	 pushfile(const char *, int);
static int	 popfile(void);
static void	 closefiles(void);
static int	 check_file(int);
static const char *file_problem(int);
static int	 include_file(const char *);
static int	 macro_set(const char *, const char *);
static const char *macro_get(const char *);
static void	 macros_free(void);
static int	 check_num(long long, long long, long long, const char *);
static int	 check_name(const char *);
static struct acl_subnets *acl_target(void);
static void	 add_subnet(const char *);
static void	 add_table_ref(const char *);
static void	 add_cmd(const char *);
static char	*cmd_word(const char *);
static void	 table_begin(const char *);
static void	 table_end(void);
static void	 table_free(void);
static void	 block_begin(const char *);
static void	 block_listen(const char *, long long);
static void	 block_server(const char *, long long);
static void	 block_end(void);
static void	 block_free(void);
%}

%token	ACLCOMMAND ALLOW CALLS CALLSETUP CHROOT COMMAND CONNECT CONNECTIONS
%token	CONTROL SOCKET RESTRICTED GROUP MODE
%token	FIRSTMESSAGE FROM GRE IDLE INCLUDE LEVEL LIMIT LISTEN LOG ON PERADDRESS
%token	OFFLOAD PORT PROXY SERVER STOP TABLE TIMEOUT USER
%token	FACILITY
%token	CACHE
%token	ACCEPT KEEPALIVE TUNNEL UDPPORT
%token	RELAYS
%token	ERROR
%token	<v.string>	STRING
%token	<v.number>	NUMBER
%type	<v.number>	port udpport
%type	<v.string>	string word cmdargs
/* strings thrown away while recovering from an error */
%destructor	{ free($$); }	<v.string>

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar include '\n'
		| grammar varset '\n'
		| grammar main '\n'
		| grammar table '\n'
		| grammar proxy '\n'
		| grammar error '\n' {
			/* a block or table the error cut short is over */
			block_free();
			table_free();
			tun_acl = 0;
			yyerrok;
		}
		;

/* Words and numbers, joined by single blanks. */
string		: word
		| string word {
			if (asprintf(&$$, "%s %s", $1, $2) == -1)
				fatal("asprintf");
			free($1);
			free($2);
		}
		;

word		: STRING
		| NUMBER {
			if (asprintf(&$$, "%lld", $1) == -1)
				fatal("asprintf");
		}
		;

include		: INCLUDE STRING {
			include_file($2);
			free($2);
		}
		;

varset		: STRING '=' string {
			if (check_name($1) == -1)
				yyerror("bad macro name %s (letters, digits "
				    "and _, not first a digit)", $1);
			else if (macro_set($1, $3) == -1)
				fatal("macro");
			free($1);
			free($3);
		}
		;

port		: /* empty */		{ $$ = PPTP_DEFAULT_PORT; }
		| PORT NUMBER {
			if (check_num($2, 1, 65535, "port") == -1)
				$$ = PPTP_DEFAULT_PORT;
			else
				$$ = $2;
		}
		;

main		: USER STRING {
			if ($2[0] == '\0' || strcmp($2, "root") == 0)
				yyerror("user \"%s\": an unprivileged user is "
				    "needed", $2);
			else if (strlcpy(conf->user, $2, sizeof(conf->user))
			    >= sizeof(conf->user))
				yyerror("user %s: name too long", $2);
			else
				conf->user_given = 1;
			free($2);
		}
		| CHROOT STRING {
			if ($2[0] != '/')
				yyerror("chroot %s: an absolute path is needed",
				    $2);
			else if ($2[strspn($2, "/")] == '\0')
				yyerror("chroot %s: the root directory hides "
				    "nothing", $2);
			else if (strlcpy(conf->chroot, $2,
			    sizeof(conf->chroot)) >= sizeof(conf->chroot))
				yyerror("chroot %s: path too long", $2);
			free($2);
		}
		| LOG FACILITY STRING {
			int	f;

			if ((f = log_facility_byname($3)) == -1)
				yyerror("unknown log facility %s (daemon, "
				    "local0 to local7, user, auth or "
				    "authpriv)", $3);
			else
				conf->log_facility = f;
			free($3);
		}
		| LOG LEVEL STRING {
			if (strcmp($3, "info") == 0)
				conf->log_level = LOG_LVL_INFO;
			else if (strcmp($3, "debug") == 0)
				conf->log_level = LOG_LVL_DEBUG;
			else if (strcmp($3, "extensive") == 0)
				conf->log_level = LOG_LVL_EXTENSIVE;
			else
				yyerror("unknown log level %s (info, debug or "
				    "extensive)", $3);
			free($3);
		}
		| ACLCOMMAND USER STRING {
			if ($3[0] == '\0')
				yyerror("acl-command user: a name is needed");
			else if (strlcpy(conf->acl_user, $3,
			    sizeof(conf->acl_user)) >= sizeof(conf->acl_user))
				yyerror("acl-command user %s: name too long",
				    $3);
			free($3);
		}
		| ACLCOMMAND TIMEOUT NUMBER {
			if (check_num($3, 1, MAX_ACL_TIMEOUT,
			    "acl-command timeout") == 0)
				conf->acl_timeout = (int)$3;
		}
		| ACLCOMMAND LIMIT NUMBER {
			if (check_num($3, 1, MAX_ACL_LIMIT,
			    "acl-command limit") == 0)
				conf->acl_limit = (unsigned int)$3;
		}
		| ACLCOMMAND LIMIT PERADDRESS NUMBER {
			if (check_num($4, 1, MAX_ACL_LIMIT,
			    "acl-command limit per-address") == 0)
				conf->acl_limit_per_addr = (unsigned int)$4;
		}
		| ACLCOMMAND CACHE NUMBER {
			if (check_num($3, 0, MAX_ACL_CACHE,
			    "acl-command cache") == 0)
				conf->acl_cache = (int)$3;
		}
		| LIMIT CONNECTIONS NUMBER {
			if (check_num($3, 1, MAX_CONN_LIMIT,
			    "limit connections") == 0)
				conf->max_conn = (unsigned int)$3;
		}
		| LIMIT CONNECTIONS PERADDRESS NUMBER {
			if (check_num($4, 1, MAX_CONN_LIMIT,
			    "limit connections per-address") == 0)
				conf->max_conn_per_addr = (unsigned int)$4;
		}
		| LIMIT CALLS NUMBER {
			if (check_num($3, 1, MAX_CALLS_LIMIT, "limit calls")
			    == 0)
				conf->max_calls = (unsigned int)$3;
		}
		| LIMIT CALLS PERADDRESS NUMBER {
			if (check_num($4, 1, MAX_CALLS_PER_ADDR,
			    "limit calls per-address") == 0)
				conf->max_calls_per_addr = (unsigned int)$4;
		}
		| TIMEOUT FIRSTMESSAGE NUMBER {
			if (check_num($3, 1, MAX_TIMEOUT,
			    "timeout first-message") == 0)
				conf->t_first = (int)$3;
		}
		| TIMEOUT CALLSETUP NUMBER {
			if (check_num($3, 1, MAX_TIMEOUT, "timeout call-setup")
			    == 0)
				conf->t_setup = (int)$3;
		}
		| TIMEOUT CONNECT NUMBER {
			if (check_num($3, 1, MAX_TIMEOUT, "timeout connect")
			    == 0)
				conf->t_connect = (int)$3;
		}
		| TIMEOUT IDLE NUMBER {
			if (check_num($3, 0, MAX_TIMEOUT, "timeout idle") == 0)
				conf->t_idle = (int)$3;
		}
		| TIMEOUT STOP NUMBER {
			if (check_num($3, 0, MAX_T_STOP, "timeout stop") == 0)
				conf->t_stop = (int)$3;
		}
		| CONTROL SOCKET STRING {
			if ($3[0] != '/')
				yyerror("control socket %s: an absolute path "
				    "is needed", $3);
			else if (strlcpy(conf->ctl_socket, $3,
			    sizeof(conf->ctl_socket)) >=
			    sizeof(conf->ctl_socket))
				yyerror("control socket %s: longer than %zu "
				    "bytes", $3, sizeof(conf->ctl_socket) - 1);
			free($3);
		}
		| CONTROL SOCKET STRING RESTRICTED rsockopts {
			if (rs.bad)
				;	/* said already */
			else if ($3[0] != '/')
				yyerror("control socket %s: an absolute path "
				    "is needed", $3);
			else if (conf->ctl_rsocket[0] != '\0')
				yyerror("control socket %s restricted: there "
				    "is one already (%s)", $3,
				    conf->ctl_rsocket);
			else if (strlcpy(conf->ctl_rsocket, $3,
			    sizeof(conf->ctl_rsocket)) >=
			    sizeof(conf->ctl_rsocket)) {
				yyerror("control socket %s: longer than %zu "
				    "bytes", $3, sizeof(conf->ctl_rsocket) - 1);
				conf->ctl_rsocket[0] = '\0';
			} else {
				strlcpy(conf->ctl_rgroup, rs.group,
				    sizeof(conf->ctl_rgroup));
				conf->ctl_rgid = rs.gid;
				conf->ctl_rmode = rs.mode;
			}
			free($3);
		}
		| RELAYS NUMBER {
			if (check_num($2, 1, RELAYS_MAX, "relays") == 0)
				conf->relays = (unsigned int)$2;
		}
		| RELAYS STRING {
			if (strcmp($2, "auto") == 0)
				conf->relays = 0;
			else
				yyerror("relays %s: a number or auto", $2);
			free($2);
		}
		| GRE OFFLOAD STRING {
			if (strcmp($3, "yes") == 0)
				conf->gre_offload = 1;
			else if (strcmp($3, "no") == 0)
				conf->gre_offload = 0;
			else
				yyerror("gre offload %s: yes or no", $3);
			free($3);
		}
		| allow
		| tunaccept
		| TUNNEL UDPPORT NUMBER {
			if (check_num($3, 1, 65535, "tunnel udp-port") == 0)
				conf->tun_port = (uint16_t)$3;
		}
		| TUNNEL KEEPALIVE NUMBER {
			if (check_num($3, 1, MAX_TUN_KEEPALIVE,
			    "tunnel keepalive") == 0)
				conf->tun_keepalive = (int)$3;
		}
		;

/* The restricted control socket's group and mode, each at most once. */
rsockopts	: /* empty */ {
			memset(&rs, 0, sizeof(rs));
			rs.gid = -1;
			rs.mode = DEFAULT_CTL_RMODE;
		}
		| rsockopts rsockopt
		;

rsockopt	: GROUP STRING {
			if (rs.group_given++) {
				yyerror("control socket restricted: group "
				    "given twice");
				rs.bad = 1;
			} else if ($2[0] == '\0') {
				yyerror("control socket restricted: group: a "
				    "name is needed");
				rs.bad = 1;
			} else if (strlcpy(rs.group, $2, sizeof(rs.group)) >=
			    sizeof(rs.group)) {
				yyerror("control socket restricted: group %s: "
				    "name too long", $2);
				rs.bad = 1;
			}
			free($2);
		}
		| GROUP NUMBER {
			if (rs.group_given++) {
				yyerror("control socket restricted: group "
				    "given twice");
				rs.bad = 1;
			} else if (check_num($2, 0, INT_MAX,
			    "control socket restricted: group") == 0)
				rs.gid = $2;
			else
				rs.bad = 1;
		}
		| MODE NUMBER {
			long long	d = $2, m = 0, f = 1;

			/* The digits, read as octal (0660, as chmod(1)). */
			for (; d > 0 && m <= 0777; d /= 10, f *= 8) {
				if (d % 10 > 7)
					break;
				m += d % 10 * f;
			}
			if (rs.mode_given++) {
				yyerror("control socket restricted: mode given "
				    "twice");
				rs.bad = 1;
			} else if ($2 < 0 || d > 0 || m > 0777) {
				yyerror("control socket restricted: mode %lld: "
				    "permission bits in octal, 0 to 0777", $2);
				rs.bad = 1;
			} else
				rs.mode = (unsigned int)m;
		}
		;

/* Peers (other pptpproxies) that may tunnel their calls' GRE to us. */
tunaccept	: TUNNEL ACCEPT FROM { tun_acl = 1; nitems = 0; } tunaddrs {
			struct acl_subnet	*s;

			TAILQ_FOREACH(s, acl_target(), entry)
				s->tunnel = 1;
			tun_acl = 0;
		}
		;

tunaddrs	: address
		| '{' addresses '}' {
			if (nitems == 0)
				yyerror("tunnel accept from { }: no subnet in "
				    "the list");
		}
		;

udpport		: /* empty */		{ $$ = DEFAULT_TUN_PORT; }
		| UDPPORT NUMBER {
			if (check_num($2, 1, 65535, "udp-port") == -1)
				$$ = DEFAULT_TUN_PORT;
			else
				$$ = $2;
		}
		;

allow		: ALLOW FROM address
		| ALLOW FROM '{' { nitems = 0; } addresses '}' {
			if (nitems == 0)
				yyerror("allow from { }: no subnet in the "
				    "list");
		}
		| ALLOW COMMAND STRING {
			add_cmd($3);
			free($3);
		}
		| ALLOW COMMAND STRING cmdargs {
			char	*w, *cmd;

			w = cmd_word($3);
			if (asprintf(&cmd, "%s %s", w, $4) == -1)
				fatal("asprintf");
			add_cmd(cmd);
			free(cmd);
			free(w);
			free($3);
			free($4);
		}
		;

/* Words after the first: each one argument, quoted as needed. */
cmdargs		: word {
			$$ = cmd_word($1);
			free($1);
		}
		| cmdargs word {
			char	*w;

			w = cmd_word($2);
			if (asprintf(&$$, "%s %s", $1, w) == -1)
				fatal("asprintf");
			free(w);
			free($1);
			free($2);
		}
		;

address		: STRING {
			add_subnet($1);
			free($1);
		}
		| '<' STRING '>' {
			add_table_ref($2);
			free($2);
		}
		;

/* Subnets and tables, separated by commas, blanks or new lines. */
addresses	: /* empty */
		| addresses address	{ nitems++; }
		| addresses ','
		| addresses '\n'
		| addresses error
		;

table		: TABLE '<' STRING '>' {
			table_begin($3);
			free($3);
			$3 = NULL;	/* still on the stack */
			nitems = 0;
		} '{' addresses '}' {
			table_end();
		}
		;

proxy		: PROXY proxyname '{' proxyopts '}' {
			block_end();
		}
		| PROXY proxyname '{' proxyopts proxyopt '}' {
			block_end();
		}
		;

proxyname	: /* empty */		{ block_begin(NULL); }
		| STRING {
			block_begin($1);
			free($1);
		}
		;

proxyopts	: /* empty */
		| proxyopts '\n'
		| proxyopts proxyopt '\n'
		| proxyopts error '\n'		{ tun_acl = 0; yyerrok; }
		;

proxyopt	: LISTEN ON STRING port {
			block_listen($3, $4);
			free($3);
		}
		| SERVER STRING port {
			block_server($2, $3);
			free($2);
		}
		| SERVER STRING port TUNNEL udpport {
			block_server($2, $3);
			blk->tunnel = 1;
			blk->tun_server_port = (uint16_t)$5;
			free($2);
		}
		| allow
		| tunaccept
		| TUNNEL UDPPORT NUMBER {
			if (check_num($3, 1, 65535, "tunnel udp-port") == 0)
				blk->tun_port = (uint16_t)$3;
		}
		;

%%

struct keyword {
	const char	*name;
	int		 token;
};

/* Set once the daemon runs: errors go to its log, not a terminal. */
int	parse_log_errors;

static void
verror(int lineno, const char *fmt, va_list ap)
{
	char	msg[512];

	errors++;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (parse_log_errors)
		log_warnx("%s:%d: %s", file != NULL ? file->name : "?",
		    lineno, msg);
	else
		fprintf(stderr, "%s:%d: %s\n", file != NULL ? file->name :
		    "?", lineno, msg);
}

/* An error on the line of the token read last. */
static int
yyerror(const char *fmt, ...)
{
	va_list	ap;

	if (strcmp(fmt, "syntax error") == 0) {
		/* the lexer has said what is wrong with this token */
		if (yychar == ERROR) {
			errors++;
			return (0);
		}
		if (yychar == '\n')
			errorat(yylval.lineno, "syntax error at the end of "
			    "the line");
		else if (yychar <= 0)
			errorat(yylval.lineno, "syntax error at the end of the file%s",
			    blk != NULL || cur_table != NULL ?
			    ": a } is missing" : "");
		else
			errorat(yylval.lineno, "syntax error at \"%s\"",
			    tokentext);
		return (0);
	}
	va_start(ap, fmt);
	verror(yylval.lineno, fmt, ap);
	va_end(ap);
	return (0);
}

/* An error on a given line of the current file. */
static void
errorat(int lineno, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	verror(lineno, fmt, ap);
	va_end(ap);
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
		{ "accept",		ACCEPT },
		{ "acl-command",	ACLCOMMAND },
		{ "allow",		ALLOW },
		{ "cache",		CACHE },
		{ "call-setup",		CALLSETUP },
		{ "calls",		CALLS },
		{ "chroot",		CHROOT },
		{ "command",		COMMAND },
		{ "connect",		CONNECT },
		{ "connections",	CONNECTIONS },
		{ "control",		CONTROL },
		{ "facility",		FACILITY },
		{ "first-message",	FIRSTMESSAGE },
		{ "from",		FROM },
		{ "gre",		GRE },
		{ "group",		GROUP },
		{ "idle",		IDLE },
		{ "include",		INCLUDE },
		{ "keepalive",		KEEPALIVE },
		{ "level",		LEVEL },
		{ "limit",		LIMIT },
		{ "listen",		LISTEN },
		{ "log",		LOG },
		{ "mode",		MODE },
		{ "offload",		OFFLOAD },
		{ "on",			ON },
		{ "per-address",	PERADDRESS },
		{ "port",		PORT },
		{ "proxy",		PROXY },
		{ "relays",		RELAYS },
		{ "restricted",		RESTRICTED },
		{ "server",		SERVER },
		{ "socket",		SOCKET },
		{ "stop",		STOP },
		{ "table",		TABLE },
		{ "timeout",		TIMEOUT },
		{ "tunnel",		TUNNEL },
		{ "udp-port",		UDPPORT },
		{ "user",		USER }
	};
	const struct keyword	*k;

	k = bsearch(s, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), kw_cmp);
	return (k != NULL ? k->token : STRING);
}

/*
 * The next character of the current file: what was pushed back first,
 * then the file.  A backslash before a new line joins the two lines.
 * EOF at the end of the file; the lexer moves on to the including one.
 */
static int
lgetc(void)
{
	int	c, next;

	for (;;) {
		if (file->nunget > 0)
			c = file->unget[--file->nunget];
		else
			c = getc(file->f);
		if (c == START_EXPAND) {
			expanding = 1;
			continue;
		}
		if (c == DONE_EXPAND) {
			expanding = 0;
			continue;
		}
		if (c != '\\')
			return (c);
		if (file->nunget > 0)
			next = file->unget[--file->nunget];
		else
			next = getc(file->f);
		if (next != '\n') {
			lungetc(next);
			return (c);
		}
		file->lineno++;
	}
}

static void
lungetc(int c)
{
	int	*u;

	if (c == EOF)
		return;
	if (file->nunget == file->ungetsize) {
		if ((u = reallocarray(file->unget, file->ungetsize + 64,
		    sizeof(*u))) == NULL)
			fatal("lungetc");
		file->unget = u;
		file->ungetsize += 64;
	}
	file->unget[file->nunget++] = c;
}

/* What a word is made of, besides macros. */
static int
allowed_in_word(int c)
{
	if (c == EOF || c == '\0')
		return (0);
	return (isalnum(c) || strchr("-._/:+@%~", c) != NULL);
}

/*
 * After a '$': read the macro's name and push its text back, so that the
 * lexer reads it next, as if written there.  The text of a macro is not
 * searched for macros again.  -1 if there is no such macro.
 */
static int
expand_macro(void)
{
	char		 name[PPTPPROXY_MAX_NAME];
	const char	*val;
	size_t		 n = 0, i;
	int		 c, braces;

	/* $name, or ${name} before letters or digits */
	if (!(braces = (c = lgetc()) == '{'))
		lungetc(c);
	while ((c = lgetc()) != EOF && (isalnum(c) || c == '_')) {
		if (n < sizeof(name) - 1)
			name[n++] = (char)c;
	}
	name[n] = '\0';
	if (braces && c != '}') {
		lungetc(c);
		yyerror("${%s without a closing }", name);
		return (-1);
	}
	if (!braces)
		lungetc(c);
	if (n == 0) {
		yyerror("$ without a macro name");
		return (-1);
	}
	if ((val = macro_get(name)) == NULL) {
		yyerror("macro %s not defined", name);
		return (-1);
	}
	lungetc(DONE_EXPAND);
	for (i = strlen(val); i > 0; i--)
		lungetc((unsigned char)val[i - 1]);
	lungetc(START_EXPAND);
	return (0);
}

static int
yylex(void)
{
	lasttoken = lex();
	lastline = yylval.lineno;
	return (lasttoken);
}

static int
lex(void)
{
	char		 buf[MAX_WORD];
	size_t		 n;
	long long	 num;
	char		*end;
	int		 c, next, quote, token, toolong, badmacro;

 top:
	n = 0;
	toolong = badmacro = 0;
	while ((c = lgetc()) == ' ' || c == '\t')
		;
	yylval.lineno = file->lineno;
	if (c == '#')
		while ((c = lgetc()) != '\n' && c != EOF)
			;
	if (c == '$' && !expanding) {
		if (expand_macro() == -1)
			return (ERROR);
		goto top;
	}

	switch (c) {
	case EOF:
		/* every file ends a line, even without a new line */
		if (lasttoken != '\n')
			return ('\n');
		if (popfile() == 0)
			goto top;
		/* the end of the file is on its last line */
		yylval.lineno = lastline;
		return (0);
	case '\n':
		file->lineno++;
		return ('\n');
	case ';':
		return ('\n');
	case '"':
	case '\'':
		quote = c;
		for (;;) {
			if ((c = lgetc()) == EOF || c == '\n') {
				lungetc(c);
				yyerror("unterminated quote");
				return (ERROR);
			}
			if (c == '\\') {
				next = lgetc();
				if (next == quote || next == '\\')
					c = next;
				else
					lungetc(next);
			} else if (c == quote)
				break;
			if (n < sizeof(buf) - 1)
				buf[n++] = (char)c;
			else
				toolong = 1;
		}
		buf[n] = '\0';
		strlcpy(tokentext, buf, sizeof(tokentext));
		if (toolong) {
			yyerror("string too long (at most %zu bytes)",
			    sizeof(buf) - 1);
			return (ERROR);
		}
		if ((yylval.v.string = strdup(buf)) == NULL)
			fatal("strdup");
		return (STRING);
	}

	if (!allowed_in_word(c)) {
		tokentext[0] = (char)c;
		tokentext[1] = '\0';
		return (c);
	}
	do {
		if (c == '$' && !expanding) {
			/* a macro inside a word: its text goes in */
			if (expand_macro() == -1)
				badmacro = 1;
			continue;
		}
		if (n < sizeof(buf) - 1)
			buf[n++] = (char)c;
		else
			toolong = 1;
	} while ((c = lgetc()) != EOF && (allowed_in_word(c) ||
	    (c == '$' && !expanding)));
	lungetc(c);
	buf[n] = '\0';
	strlcpy(tokentext, buf, sizeof(tokentext));
	if (badmacro)
		return (ERROR);
	if (toolong) {
		yyerror("word too long (at most %zu bytes)", sizeof(buf) - 1);
		return (ERROR);
	}

	/* [-]digits: a number */
	end = buf[0] == '-' ? buf + 1 : buf;
	if (isdigit((unsigned char)*end) && end[strspn(end, "0123456789")] ==
	    '\0') {
		errno = 0;
		num = strtoll(buf, &end, 10);
		if (errno == ERANGE) {
			yyerror("number %s too large", buf);
			return (ERROR);
		}
		yylval.v.number = num;
		return (NUMBER);
	}
	if ((token = lookup(buf)) == STRING &&
	    (yylval.v.string = strdup(buf)) == NULL)
		fatal("strdup");
	return (token);
}

/*
 * Files must be regular (a FIFO or a device could block the parent or
 * feed it without end), owned by root or by the user running us, and
 * writable by no one else, not even the file's group: the parent runs,
 * as root, the ACL commands they name.  file_why says why one was not.
 */
static const char	*file_why;

static int
check_file(int fd)
{
	struct stat	st;

	file_why = NULL;
	if (fstat(fd, &st) == -1)
		return (-1);
	if (!S_ISREG(st.st_mode))
		file_why = "not a regular file";
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		file_why = "owned by another user than root or the one "
		    "running pptpproxy";
	else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		file_why = "writable by group or others";
	if (file_why != NULL) {
		errno = EPERM;
		return (-1);
	}
	return (0);
}

/* What pushfile()'s errno means. */
static const char *
file_problem(int e)
{
	static char	buf[64];

	if (e == ELOOP) {
		snprintf(buf, sizeof(buf), "includes nested more than %d deep",
		    MAX_INCLUDE - 1);
		return (buf);
	}
	if (e == EPERM && file_why != NULL)
		return (file_why);
	return (strerror(e));
}

/*
 * Open name as the current file.  0: done; 1: it does not exist and may
 * not (only the top file); -1: errno says why.
 */
static int
pushfile(const char *name, int must_exist)
{
	struct file	*nf;
	FILE		*f;
	int		 fd, fl, e;

	if (nfiles >= MAX_INCLUDE) {
		errno = ELOOP;
		return (-1);
	}
	/*
	 * Not blocking in open(2) (a FIFO with no writer), and no
	 * controlling terminal from a tty: the type is checked first.
	 */
	file_why = NULL;
	fd = open(name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return (!must_exist && errno == ENOENT ? 1 : -1);
	if (check_file(fd) == -1 ||
	    (fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1 ||
	    (f = fdopen(fd, "r")) == NULL) {
		e = errno;
		close(fd);
		errno = e;
		return (-1);
	}
	nf = &files[nfiles];
	memset(nf, 0, sizeof(*nf));
	nf->f = f;
	if ((nf->name = strdup(name)) == NULL)
		fatal("strdup");
	/* an included file starts with the new line that ends "include" */
	nf->lineno = nfiles == 0 ? 1 : 0;
	nfiles++;
	file = nf;
	if (nfiles > 1)
		lungetc('\n');
	return (0);
}

/* Back to the including file: 0; the top file stays open: -1. */
static int
popfile(void)
{
	if (nfiles <= 1)
		return (-1);
	fclose(file->f);
	free(file->name);
	free(file->unget);
	nfiles--;
	file = &files[nfiles - 1];
	return (0);
}

static void
closefiles(void)
{
	while (popfile() == 0)
		;
	if (nfiles == 1) {
		fclose(file->f);
		free(file->name);
		free(file->unget);
		nfiles = 0;
	}
	file = NULL;
}

/* include "path": a relative path is taken from the including file's. */
static int
include_file(const char *name)
{
	char		 path[PATH_MAX];
	const char	*slash;
	int		 n;

	if (name[0] != '/' && (slash = strrchr(file->name, '/')) != NULL) {
		n = snprintf(path, sizeof(path), "%.*s/%s",
		    (int)(slash - file->name), file->name, name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			yyerror("include %s: path too long", name);
			return (-1);
		}
	} else if (strlcpy(path, name, sizeof(path)) >= sizeof(path)) {
		yyerror("include %s: path too long", name);
		return (-1);
	}
	if (pushfile(path, 1) == -1) {
		yyerror("include %s: %s", path, file_problem(errno));
		return (-1);
	}
	return (0);
}

/* Letters, digits and '_', not first a digit: macros and tables. */
static int
check_name(const char *s)
{
	const char	*p;

	if (*s == '\0' || isdigit((unsigned char)*s) ||
	    strlen(s) >= PPTPPROXY_MAX_NAME)
		return (-1);
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return (-1);
	return (0);
}

static int
macro_set(const char *name, const char *value)
{
	struct macro	*m;
	char		*v;

	if ((v = strdup(value)) == NULL)
		return (-1);
	TAILQ_FOREACH(m, &macros, entry)
		if (strcmp(m->name, name) == 0)
			break;
	if (m == NULL) {
		if ((m = calloc(1, sizeof(*m))) == NULL ||
		    (m->name = strdup(name)) == NULL) {
			free(m);
			free(v);
			return (-1);
		}
		TAILQ_INSERT_TAIL(&macros, m, entry);
	} else
		free(m->value);
	m->value = v;
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
macros_free(void)
{
	struct macro	*m;

	while ((m = TAILQ_FIRST(&macros)) != NULL) {
		TAILQ_REMOVE(&macros, m, entry);
		free(m->name);
		free(m->value);
		free(m);
	}
}

static int
check_num(long long v, long long min, long long max, const char *what)
{
	if (v < min || v > max) {
		yyerror("%s %lld out of range (%lld to %lld)", what, v, min,
		    max);
		return (-1);
	}
	return (0);
}

/* Where an allowed subnet goes: a table, a proxy block, or global. */
static struct acl_subnets *
acl_target(void)
{
	if (cur_table != NULL)
		return (&cur_table->subnets);
	if (blk != NULL)
		return (tun_acl ? &blk->tun_subnets : &blk->subnets);
	return (tun_acl ? &conf->tun_subnets : &conf->subnets);
}

static void
add_subnet(const char *s)
{
	struct in_addr	 a, z, m;
	char		 buf[64], mbuf[80], *slash;

	if (conf_add_subnet_arg(acl_target(), 0, s) == 0)
		return;
	/* say what is wrong, and what was perhaps meant */
	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf)) {
		yyerror("bad subnet %.40s...: too long", s);
		return;
	}
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1) {
		yyerror("bad subnet %s: %s is not an IPv4 address", s, buf);
		return;
	}
	/* the mask alone, after an address without host bits */
	snprintf(mbuf, sizeof(mbuf), "0.0.0.0/%s", slash != NULL ? slash :
	    "");
	if (slash == NULL || conf_parse_subnet(mbuf, &z, &m) == -1) {
		yyerror("bad subnet %s: the mask is neither a prefix length "
		    "(0 to 32) nor a contiguous dotted mask", s);
		return;
	}
	a.s_addr &= m.s_addr;
	yyerror("bad subnet %s: host bits set (%s/%s?)", s,
	    inet_ntop(AF_INET, &a, mbuf, sizeof(mbuf)), slash);
}

/* Copy a table's subnets where allow from <name> puts them. */
static void
add_table_ref(const char *name)
{
	struct acl_subnets	*l = acl_target();
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
		TAILQ_INSERT_TAIL(l, n, entry);
	}
}

static void
add_cmd(const char *s)
{
	struct acl_cmds	*l = blk != NULL ? &blk->cmds : &conf->cmds;
	struct acl_cmd	*c;
	char		 why[256];

	if (acl_check_cmd(s, why, sizeof(why)) == -1) {
		yyerror("allow command: %s", why);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("calloc");
	strlcpy(c->cmd, s, sizeof(c->cmd));
	TAILQ_INSERT_TAIL(l, c, entry);
}

/* One argument as acl_split_cmd() reads it back: quoted if need be. */
static char *
cmd_word(const char *w)
{
	char	*q, *p;

	if (*w != '\0' && strpbrk(w, " \t\"\\") == NULL) {
		if ((q = strdup(w)) == NULL)
			fatal("strdup");
		return (q);
	}
	if ((q = malloc(strlen(w) * 2 + 3)) == NULL)
		fatal("malloc");
	p = q;
	*p++ = '"';
	for (; *w != '\0'; w++) {
		if (*w == '"' || *w == '\\')
			*p++ = '\\';
		*p++ = *w;
	}
	*p++ = '"';
	*p = '\0';
	return (q);
}

static void
table_begin(const char *name)
{
	struct acl_table	*t;

	if (check_name(name) == -1)
		yyerror("bad table name <%s> (letters, digits and _, not "
		    "first a digit)", name);
	TAILQ_FOREACH(t, &conf->tables, entry)
		if (strcmp(t->name, name) == 0)
			yyerror("table <%s> defined twice", name);
	table_free();
	if ((cur_table = calloc(1, sizeof(*cur_table))) == NULL)
		fatal("calloc");
	strlcpy(cur_table->name, name, sizeof(cur_table->name));
	TAILQ_INIT(&cur_table->subnets);
}

static void
table_end(void)
{
	/* an empty table would allow from nowhere, and so everyone */
	if (nitems == 0)
		yyerror("table <%s> is empty", cur_table->name);
	TAILQ_INSERT_TAIL(&conf->tables, cur_table, entry);
	cur_table = NULL;
}

/* A table left unfinished by an error. */
static void
table_free(void)
{
	struct acl_subnet	*s;

	if (cur_table == NULL)
		return;
	while ((s = TAILQ_FIRST(&cur_table->subnets)) != NULL) {
		TAILQ_REMOVE(&cur_table->subnets, s, entry);
		free(s);
	}
	free(cur_table);
	cur_table = NULL;
}

static void
block_begin(const char *name)
{
	block_free();
	if ((blk = calloc(1, sizeof(*blk))) == NULL)
		fatal("calloc");
	TAILQ_INIT(&blk->subnets);
	TAILQ_INIT(&blk->cmds);
	TAILQ_INIT(&blk->tun_subnets);
	blk->lineno = yylval.lineno;
	if (name == NULL)
		return;
	if (name[0] == '\0')
		yyerror("proxy \"\": an empty name");
	else if (strlcpy(blk->name, name, sizeof(blk->name)) >=
	    sizeof(blk->name))
		yyerror("proxy %s: name longer than %d bytes", name,
		    PPTPPROXY_MAX_NAME - 1);
}

static void
block_listen(const char *addr, long long port)
{
	struct sockaddr_in	 sin;
	struct proxy_conf	*pc;
	int			 i;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((in_port_t)port);
	blk->listen_given = 1;
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		yyerror("listen on %s: not an IPv4 address", addr);
		return;
	}
	if ((pc = conf_listen_taken(conf, &sin)) != NULL) {
		yyerror("listen on %s port %lld: proxy %s listens there "
		    "already", addr, port, pc->name);
		return;
	}
	for (i = 0; i < blk->nlisten; i++)
		if (blk->listen[i].sin_port == sin.sin_port &&
		    (blk->listen[i].sin_addr.s_addr == sin.sin_addr.s_addr ||
		    blk->listen[i].sin_addr.s_addr == htonl(INADDR_ANY) ||
		    sin.sin_addr.s_addr == htonl(INADDR_ANY))) {
			yyerror("listen on %s port %lld: this proxy listens "
			    "there already", addr, port);
			return;
		}
	if (blk->nlisten == MAX_LISTEN) {
		yyerror("listen on %s: more than %d in one proxy", addr,
		    MAX_LISTEN);
		return;
	}
	blk->listen[blk->nlisten++] = sin;
}

static void
block_server(const char *host, long long port)
{
	if (blk->has_server) {
		yyerror("server %s: a proxy has one server, and has one "
		    "already", host);
		return;
	}
	blk->has_server = 1;
	if (conf_check_host(host) == -1) {
		yyerror("server %s: not an address or a host name", host);
		return;
	}
	strlcpy(blk->server_host, host, sizeof(blk->server_host));
	blk->server.sin_family = AF_INET;
	blk->server.sin_port = htons((in_port_t)port);
	/* an address is taken as is; names wait for conf_resolve() */
	(void)inet_pton(AF_INET, host, &blk->server.sin_addr);
}

/* One proxy for each listen address of the block, in order. */
static void
block_end(void)
{
	struct proxy_conf	*pc, *o;
	struct acl_subnet	*s, *ns;
	struct acl_cmd		*c, *nc;
	char			 a[INET_ADDRSTRLEN];
	int			 i, n, toolong = 0;

	if (!blk->has_server)
		errorat(blk->lineno, "proxy %s: no server", blk->name[0] ?
		    blk->name : "without a name");
	if (!blk->listen_given) {
		/* 0.0.0.0 port 1723 */
		blk->listen[0].sin_family = AF_INET;
		blk->listen[0].sin_port = htons(PPTP_DEFAULT_PORT);
		if ((o = conf_listen_taken(conf, &blk->listen[0])) != NULL)
			errorat(blk->lineno, "proxy %s: listens on 0.0.0.0 "
			    "port %d, where proxy %s does already",
			    blk->name[0] ? blk->name : "without a name",
			    PPTP_DEFAULT_PORT, o->name);
		else
			blk->nlisten = 1;
	}
	for (i = 0; i < blk->nlisten; i++) {
		if ((pc = conf_proxy_new(conf)) == NULL)
			fatal("proxy");
		pc->listen = blk->listen[i];
		strlcpy(pc->server_host, blk->server_host,
		    sizeof(pc->server_host));
		if (blk->has_server)
			pc->server = blk->server;
		if (blk->nlisten > 1 && blk->name[0] != '\0') {
			/* "name/address:port" for each */
			inet_ntop(AF_INET, &pc->listen.sin_addr, a, sizeof(a));
			n = snprintf(pc->name, sizeof(pc->name), "%s/%s:%u",
			    blk->name, a, ntohs(pc->listen.sin_port));
			if ((n < 0 || (size_t)n >= sizeof(pc->name)) &&
			    !toolong) {
				errorat(blk->lineno, "proxy %s: name too long "
				    "for %d listen addresses", blk->name,
				    blk->nlisten);
				toolong = 1;
			}
		} else
			strlcpy(pc->name, blk->name, sizeof(pc->name));
		conf_proxy_name(pc);
		TAILQ_FOREACH(o, &conf->proxies, entry)
			if (!toolong && strcmp(o->name, pc->name) == 0)
				errorat(blk->lineno, "proxy %s defined twice",
				    pc->name);
		TAILQ_FOREACH(s, &blk->subnets, entry) {
			if ((ns = calloc(1, sizeof(*ns))) == NULL)
				fatal("calloc");
			*ns = *s;
			ns->proxy_id = pc->id;
			TAILQ_INSERT_TAIL(&pc->subnets, ns, entry);
		}
		TAILQ_FOREACH(c, &blk->cmds, entry) {
			if ((nc = calloc(1, sizeof(*nc))) == NULL)
				fatal("calloc");
			*nc = *c;
			nc->proxy_id = pc->id;
			TAILQ_INSERT_TAIL(&pc->cmds, nc, entry);
		}
		TAILQ_FOREACH(s, &blk->tun_subnets, entry) {
			if ((ns = calloc(1, sizeof(*ns))) == NULL)
				fatal("calloc");
			*ns = *s;
			ns->proxy_id = pc->id;
			ns->tunnel = 1;
			TAILQ_INSERT_TAIL(&pc->tun_subnets, ns, entry);
		}
		pc->tunnel = blk->tunnel;
		pc->tun_server_port = blk->tun_server_port;
		pc->tun_port = blk->tun_port;
		TAILQ_INSERT_TAIL(&conf->proxies, pc, entry);
	}
	block_free();
}

static void
block_free(void)
{
	struct acl_subnet	*s;
	struct acl_cmd		*c;

	if (blk == NULL)
		return;
	while ((s = TAILQ_FIRST(&blk->subnets)) != NULL) {
		TAILQ_REMOVE(&blk->subnets, s, entry);
		free(s);
	}
	while ((c = TAILQ_FIRST(&blk->cmds)) != NULL) {
		TAILQ_REMOVE(&blk->cmds, c, entry);
		free(c);
	}
	while ((s = TAILQ_FIRST(&blk->tun_subnets)) != NULL) {
		TAILQ_REMOVE(&blk->tun_subnets, s, entry);
		free(s);
	}
	free(blk);
	blk = NULL;
}

/*
 * Parse path into a new configuration.  flags & 1: the file must exist;
 * without it a missing file gives the defaults and no proxy.  NULL after
 * reporting every error.
 */
struct pptpproxy_conf *
parse_config(const char *path, int flags)
{
	struct pptpproxy_conf	*c;
	int			 r;

	if ((conf = conf_new()) == NULL)
		return (NULL);
	TAILQ_INIT(&macros);
	errors = 0;
	nfiles = 0;
	file = NULL;
	expanding = 0;
	lasttoken = '\n';
	lastline = 1;
	blk = NULL;
	cur_table = NULL;
	if ((r = pushfile(path, flags & 1)) == -1) {
		if (parse_log_errors)
			log_warnx("%s: %s", path, file_problem(errno));
		else
			fprintf(stderr, "%s: %s\n", path, file_problem(errno));
		conf_free(conf);
		conf = NULL;
		return (NULL);
	}
	if (r == 1) {
		/* not there, and allowed not to be: the defaults */
		c = conf;
		conf = NULL;
		return (c);
	}
	yyparse();
	closefiles();
	block_free();
	table_free();
	macros_free();
	c = conf;
	conf = NULL;
	if (errors) {
		conf_free(c);
		return (NULL);
	}
	return (c);
}
