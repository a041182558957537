/*
 * logrelay.c: a child's log lines go to the parent as IMSG_LOG, with
 * their priority, and are not written locally; while the parent does not
 * read, LOG_RELAY_QUEUE lines wait (the one that reaches the limit is
 * kept, the next is counted, not queued); once lines flow again, the
 * count comes first.  The parent's side bounds and cleans what it gets.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "check.h"

static struct imsgev	child;		/* the child's end */
static struct imsgbuf	parent;		/* the parent's end */

/* The parent reads what is there; the child writes what it queued. */
static void
pump(void)
{
	int	i;

	for (i = 0; i < 100000 && imsgbuf_queuelen(&child.ibuf) > 0; i++) {
		(void)imsgbuf_write(&child.ibuf);
		(void)imsgbuf_read(&parent);
	}
	(void)imsgbuf_read(&parent);
}

/* The next IMSG_LOG's text and priority; 0 if none. */
static int
next_line(char *buf, size_t len, int *pri)
{
	struct imsg	imsg;
	size_t		n;

	if (imsg_get(&parent, &imsg) <= 0) {
		(void)imsgbuf_read(&parent);
		if (imsg_get(&parent, &imsg) <= 0)
			return (0);
	}
	n = imsg_get_len(&imsg);
	if (imsg_get_type(&imsg) != IMSG_LOG || n >= len ||
	    imsg_get_data(&imsg, buf, n) == -1) {
		imsg_free(&imsg);
		return (0);
	}
	buf[n] = '\0';
	*pri = imsg_get_id(&imsg);
	imsg_free(&imsg);
	return (1);
}

int
main(void)
{
	char		 line[2048], want[64];
	unsigned int	 queued = 0, dropped = 0, got = 0, i;
	int		 sp[2], pri, out[2], ok, found;

	signal(SIGPIPE, SIG_IGN);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1 ||
	    fcntl(sp[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(sp[1], F_SETFL, O_NONBLOCK) == -1 ||
	    imsgbuf_init(&child.ibuf, sp[0]) == -1 ||
	    imsgbuf_init(&parent, sp[1]) == -1 || pipe(out) == -1)
		return (2);
	/* What is written locally would land in the pipe. */
	if (dup2(out[1], STDERR_FILENO) == -1 ||
	    fcntl(out[0], F_SETFL, O_NONBLOCK) == -1)
		return (2);
	log_init(1, LOG_LVL_DEBUG, NULL);
	log_relay_start(&child);

	log_warnx("one %d", 1);
	log_debug("two");
	pump();
	ok = next_line(line, sizeof(line), &pri) &&
	    strcmp(line, "one 1") == 0 && pri == LOG_ERR;
	CHECK(ok, "a warning goes to the parent with priority 3 (%.100s, %d)",
	    line, pri);
	ok = next_line(line, sizeof(line), &pri) &&
	    strcmp(line, "two") == 0 && pri == LOG_DEBUG;
	CHECK(ok, "a debug line with priority 7");
	CHECK(read(out[0], line, sizeof(line)) <= 0, "nothing written "
	    "locally");

	/* A long line is cut to LOG_RELAY_MAX bytes. */
	memset(line, 'x', sizeof(line));
	line[1500] = '\0';
	log_info("%s", line);
	pump();
	ok = next_line(line, sizeof(line), &pri);
	CHECK(ok && strlen(line) <= LOG_RELAY_MAX && strlen(line) >= 1000,
	    "a long line is cut, not refused (%zu bytes)",
	    ok ? strlen(line) : 0);

	/* The parent stops reading: the socket fills, then the queue. */
	for (i = 0; i < 1000000 &&
	    imsgbuf_queuelen(&child.ibuf) < LOG_RELAY_QUEUE; i++) {
		log_info("line %u", i);
		queued++;
	}
	CHECK(imsgbuf_queuelen(&child.ibuf) == LOG_RELAY_QUEUE,
	    "the queue reaches %u lines (%u)", LOG_RELAY_QUEUE,
	    imsgbuf_queuelen(&child.ibuf));
	for (i = 0; i < 5; i++) {
		log_info("dropped %u", i);
		dropped++;
	}
	CHECK(imsgbuf_queuelen(&child.ibuf) == LOG_RELAY_QUEUE,
	    "one above: not queued (%u)", imsgbuf_queuelen(&child.ibuf));
	CHECK(read(out[0], line, sizeof(line)) <= 0, "nor written locally");

	/* It reads again: every queued line, then the count, then more. */
	pump();
	for (i = 0; i < queued; i++) {
		if (!next_line(line, sizeof(line), &pri))
			break;
		snprintf(want, sizeof(want), "line %u", i);
		if (strcmp(line, want) == 0)
			got++;
	}
	CHECK(got == queued, "every queued line arrives in order (%u of %u)",
	    got, queued);
	log_info("after");
	pump();
	snprintf(want, sizeof(want), "%u log lines dropped: the parent did "
	    "not take them", dropped);
	ok = next_line(line, sizeof(line), &pri) && strcmp(line, want) == 0 &&
	    pri == LOG_WARNING;
	CHECK(ok, "then the count of dropped lines, a warning (%.100s)", line);
	found = next_line(line, sizeof(line), &pri) &&
	    strcmp(line, "after") == 0;
	CHECK(found, "then the new line");
	CHECK(!next_line(line, sizeof(line), &pri), "and nothing else");
	CHECK_DONE();
}
