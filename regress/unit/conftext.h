/*
 * A configuration written in a test as text, parsed as a file is (it
 * goes through a temporary file, removed at once): NULL where the parser
 * refuses it.
 */

#ifndef CONFTEXT_H
#define CONFTEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pptpproxy.h"

static inline struct pptpproxy_conf *
conf_text(const char *text)
{
	struct pptpproxy_conf	*c;
	char			 path[] = "/tmp/pptpproxy-test.XXXXXX";
	FILE			*f;
	int			 fd;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	c = parse_config(path, 1);
	unlink(path);
	return (c);
}

#endif
