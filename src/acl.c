/*
 * Access control helpers: subnet matching and splitting an ACL command
 * line into words (no shell ever sees it).
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <netinet/in.h>

#include <string.h>

#include "pptpproxy.h"

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
 * Split cmd in place on blanks; "double quotes" keep blanks in a word.
 * Returns the number of words, -1 if empty, unbalanced or more than max.
 */
int
acl_split_cmd(char *cmd, char **argv, int max)
{
	char	*p = cmd, *w;
	int	 argc = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (argc >= max)
			return (-1);
		if (*p == '"') {
			w = ++p;
			if ((p = strchr(p, '"')) == NULL)
				return (-1);
		} else {
			w = p;
			p += strcspn(p, " \t");
		}
		argv[argc++] = w;
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	argv[argc] = NULL;
	return (argc > 0 ? argc : -1);
}
