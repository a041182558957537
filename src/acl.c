/*
 * Access control helpers: subnet matching, and splitting an ACL command
 * line into words for execve (no shell ever sees it).
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "pptpproxy.h"

/* 1 if a is inside one of the subnets of list. */
int
acl_subnet_match(const struct acl_subnets *list, struct in_addr a)
{
	const struct acl_subnet	*s;

	TAILQ_FOREACH(s, list, entry)
		if ((a.s_addr & s->mask.s_addr) == s->net.s_addr)
			return (1);
	return (0);
}

/*
 * Split cmd in place into words separated by blanks (spaces and tabs).
 * Double quotes keep blanks inside a word and may cover part of it
 * (--opt="a b" is the one word --opt=a b); "" is an empty word.  A
 * backslash makes the next character ordinary, so \" and \\ stand for
 * a quote and a backslash; before any other character it stays.
 * argv gets the words and a NULL, so it needs max + 1 entries.
 * Returns the number of words, or -1 if there is none, more than max, or
 * a quote is not closed.
 */
int
acl_split_cmd(char *cmd, char **argv, int max)
{
	char	*r = cmd, *w = cmd;
	int	 argc = 0, quoted;

	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (*r == '\0')
			break;
		if (argc >= max)
			return (-1);
		argv[argc++] = w;
		quoted = 0;
		while (*r != '\0' && (quoted || (*r != ' ' && *r != '\t'))) {
			if (*r == '"') {
				quoted = !quoted;
				r++;
				continue;
			}
			if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
				r++;
			*w++ = *r++;
		}
		if (quoted)
			return (-1);
		/* r is past w, or at the end: the terminator clobbers nothing */
		if (*r != '\0')
			r++;
		*w++ = '\0';
	}
	argv[argc] = NULL;
	return (argc > 0 ? argc : -1);
}

/*
 * A command line as the parent will run it, from the file or from -x:
 * 0, or -1 with the reason in why.  The command must be an absolute
 * path: it is run with execve(2), never looked up in a PATH.
 */
int
acl_check_cmd(const char *cmd, char *why, size_t len)
{
	char	 buf[PPTPPROXY_MAX_CMD];
	char	*argv[PPTPPROXY_MAX_CMD / 2 + 1];
	int	 n;

	if (strlcpy(buf, cmd, sizeof(buf)) >= sizeof(buf)) {
		snprintf(why, len, "longer than %zu bytes", sizeof(buf) - 1);
		return (-1);
	}
	/* at most one word in two bytes: this many cannot be too many */
	n = acl_split_cmd(buf, argv, PPTPPROXY_MAX_CMD / 2);
	if (n == -1 && cmd[strspn(cmd, " \t")] == '\0') {
		snprintf(why, len, "empty");
		return (-1);
	}
	if (n == -1) {
		snprintf(why, len, "a double quote is not closed");
		return (-1);
	}
	if (n > ACL_MAX_WORDS) {
		snprintf(why, len, "%d words, more than %d", n, ACL_MAX_WORDS);
		return (-1);
	}
	if (argv[0][0] != '/') {
		snprintf(why, len, "%.100s is not an absolute path (commands "
		    "are not looked up in a PATH)", argv[0]);
		return (-1);
	}
	return (0);
}
