/*
 * pptpproxyctl's grammar: a table of keywords per level, each leading to
 * the next table or to an action, as bgpctl does it.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxyctl.h"

enum token_type {
	T_END,			/* the end of a table */
	T_KEYWORD,
	T_ID			/* a session id */
};

struct token {
	enum token_type		 type;
	const char		*word;
	enum action		 action;	/* when the command may end here */
	const struct token	*next;
};

static const struct token t_session_id[] = {
	{ T_ID,		"",		A_NONE,		NULL },
	{ T_END,	NULL,		A_NONE,		NULL }
};
static const struct token t_show[] = {
	{ T_KEYWORD,	"summary",	A_SHOW_SUMMARY,	NULL },
	{ T_KEYWORD,	"sessions",	A_SHOW_SESSIONS, NULL },
	{ T_KEYWORD,	"session",	A_NONE,		t_session_id },
	{ T_KEYWORD,	"metrics",	A_SHOW_METRICS,	NULL },
	{ T_END,	NULL,		A_NONE,		NULL }
};
static const struct token t_kill[] = {
	{ T_KEYWORD,	"session",	A_NONE,		t_session_id },
	{ T_END,	NULL,		A_NONE,		NULL }
};
static const struct token t_log[] = {
	{ T_KEYWORD,	"verbose",	A_LOG_VERBOSE,	NULL },
	{ T_KEYWORD,	"brief",	A_LOG_BRIEF,	NULL },
	{ T_END,	NULL,		A_NONE,		NULL }
};
static const struct token t_main[] = {
	{ T_KEYWORD,	"show",		A_SHOW_SUMMARY,	t_show },
	{ T_KEYWORD,	"kill",		A_NONE,		t_kill },
	{ T_KEYWORD,	"reload",	A_RELOAD,	NULL },
	{ T_KEYWORD,	"log",		A_NONE,		t_log },
	{ T_END,	NULL,		A_NONE,		NULL }
};

/* A session id: decimal, 1 to 2^64 - 1, nothing else. */
static int
parse_id(const char *s, uint64_t *id)
{
	unsigned long long	 v;
	char			*end;

	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0)
		return (-1);
	*id = v;
	return (0);
}

/* What a table would have taken, for the error message. */
static void
expected(const struct token *t, char *buf, size_t len)
{
	size_t	i;

	buf[0] = '\0';
	for (i = 0; t[i].type != T_END; i++) {
		if (i > 0)
			strlcat(buf, t[i + 1].type == T_END ? " or " : ", ",
			    len);
		strlcat(buf, t[i].type == T_ID ? "a session id" : t[i].word,
		    len);
	}
}

int
parse(int argc, char *argv[], struct parse_result *res,
    char *err, size_t errlen)
{
	const struct token	*table = t_main, *match, *first = NULL;
	enum action		 action = A_NONE;
	char			 exp[128];
	size_t			 len;
	int			 i, j, n;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < argc; i++) {
		if (table == NULL) {
			snprintf(err, errlen, "%s: nothing more expected",
			    argv[i]);
			return (-1);
		}
		match = NULL;
		len = strlen(argv[i]);
		for (j = 0, n = 0; table[j].type != T_END; j++) {
			if (table[j].type == T_ID) {
				if (parse_id(argv[i], &res->id) == 0) {
					match = &table[j];
					n = 1;
				}
				break;
			}
			/* A keyword may be shortened while that is unique. */
			if (len > 0 && strncmp(table[j].word, argv[i], len) ==
			    0) {
				if (strlen(table[j].word) == len) {
					match = &table[j];
					n = 1;
					break;
				}
				match = &table[j];
				n++;
			}
		}
		if (n != 1) {
			expected(table, exp, sizeof(exp));
			snprintf(err, errlen, "%s: %s; expected %s", argv[i],
			    n > 1 ? "ambiguous" : "unknown", exp);
			return (-1);
		}
		if (i == 0)
			first = match;
		if (match->type == T_ID)
			action = first == &t_main[1] ? A_KILL_SESSION :
			    A_SHOW_SESSION;
		else
			action = match->action;
		table = match->next;
	}
	if (action == A_NONE) {
		expected(table != NULL ? table : t_main, exp, sizeof(exp));
		snprintf(err, errlen, "incomplete command: expected %s", exp);
		return (-1);
	}
	res->action = action;
	return (0);
}

void
parse_usage(FILE *f)
{
	fprintf(f, "commands:\n"
	    "\tshow [summary]\n"
	    "\tshow sessions\n"
	    "\tshow session ID\n"
	    "\tshow metrics\n"
	    "\tkill session ID\n"
	    "\treload\n"
	    "\tlog verbose | brief\n");
}
