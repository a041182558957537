/*
 * log.c: when standard error is the journal's stream (JOURNAL_STREAM
 * "device:inode" of that very descriptor), lines get "<N>" priorities and
 * no time stamp; "log facility" names; a line handed to a sink (a child's
 * relay to the parent) is not written locally, unless the sink refuses.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "check.h"

static char	sunk[256];
static int	sunk_pri = -1, sink_ok;

static int
sink(int pri, const char *msg)
{
	sunk_pri = pri;
	strlcpy(sunk, msg, sizeof(sunk));
	return (sink_ok ? 0 : -1);
}

static size_t
slurp(int fd, char *buf, size_t len)
{
	ssize_t	n;

	if (lseek(fd, 0, SEEK_SET) == -1 || (n = read(fd, buf, len - 1)) < 0)
		n = 0;
	buf[n] = '\0';
	return ((size_t)n);
}

int
main(void)
{
	char		 tmpl[] = "/tmp/test_log.XXXXXX", other[] =
			    "/tmp/test_log2.XXXXXX", js[64], buf[4096];
	struct stat	 st;
	int		 fd, fd2, saved;

	if ((fd = mkstemp(tmpl)) == -1 || (fd2 = mkstemp(other)) == -1 ||
	    fstat(fd, &st) == -1)
		return (2);
	unlink(tmpl);
	unlink(other);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);

	CHECK(log_is_journal(fd, js), "JOURNAL_STREAM %s names the "
	    "descriptor", js);
	CHECK(!log_is_journal(fd2, js), "another file is not the journal");
	CHECK(!log_is_journal(fd, NULL), "no JOURNAL_STREAM: not the journal");
	CHECK(!log_is_journal(fd, "1:2:3"), "a malformed value: not the "
	    "journal");
	CHECK(!log_is_journal(fd, ""), "an empty value: not the journal");

	/* Standard error is that file, JOURNAL_STREAM says so. */
	saved = dup(STDERR_FILENO);
	if (dup2(fd, STDERR_FILENO) == -1)
		return (2);
	setenv("JOURNAL_STREAM", js, 1);
	log_init(1, LOG_LVL_DEBUG, NULL);
	log_info("hello %d", 1);
	log_warnx("careful");
	log_debug("detail");
	slurp(fd, buf, sizeof(buf));
	CHECK(strcmp(buf, "<6>parent: hello 1\n<3>parent: careful\n"
	    "<7>parent: detail\n") == 0, "journal: priorities, no time "
	    "stamps (%.150s)", buf);
	CHECK(log_getjournal(), "log_getjournal() says so");

	/* Another stream: time stamps, no priority. */
	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1)
		return (2);
	setenv("JOURNAL_STREAM", "1:1", 1);
	log_init(1, LOG_LVL_INFO, NULL);
	log_info("plain");
	slurp(fd, buf, sizeof(buf));
	CHECK(buf[0] == '2' && strstr(buf, " pptpproxy[") != NULL &&
	    strstr(buf, "]: parent: plain\n") != NULL && !log_getjournal(),
	    "not the journal: a time stamp, no priority (%.150s)", buf);

	/* A sink that takes the line: nothing written here. */
	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1)
		return (2);
	sink_ok = 1;
	log_setsink(sink);
	log_warnx("to the parent");
	slurp(fd, buf, sizeof(buf));
	CHECK(buf[0] == '\0' && sunk_pri == LOG_ERR &&
	    strcmp(sunk, "to the parent") == 0, "a line the sink takes is "
	    "not written locally");
	sink_ok = 0;
	log_info("sink refuses");
	slurp(fd, buf, sizeof(buf));
	CHECK(strstr(buf, "parent: sink refuses\n") != NULL &&
	    sunk_pri == LOG_INFO, "a line the sink refuses is written "
	    "locally (%.150s)", buf);
	log_setsink(NULL);

	/*
	 * The parent's batches: a child's lines wait until the batch ends,
	 * the parent's own go at once after them, at most PIPE_BUF bytes
	 * wait, and a child forked meanwhile does not write them again.
	 */
	setenv("JOURNAL_STREAM", js, 1);
	log_init(1, LOG_LVL_INFO, NULL);
	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1)
		return (2);
	log_batch_begin();
	log_relayed(LOG_INFO, "control", 42, "one");
	log_relayed(LOG_INFO, "control", 42, "two");
	slurp(fd, buf, sizeof(buf));
	CHECK(buf[0] == '\0', "a child's lines wait in a batch (%.150s)", buf);
	log_warnx("own");
	slurp(fd, buf, sizeof(buf));
	CHECK(strcmp(buf, "<6>control: one\n<6>control: two\n<3>parent: "
	    "own\n") == 0, "the parent's own line goes at once, after them "
	    "(%.150s)", buf);
	log_relayed(LOG_WARNING, "gre", 43, "three");
	switch (fork()) {
	case -1:
		return (2);
	case 0:
		log_newpid();
		log_flush();
		_exit(0);
	default:
		(void)wait(NULL);
	}
	slurp(fd, buf, sizeof(buf));
	CHECK(strstr(buf, "three") == NULL, "neither the batch nor a child "
	    "forked meanwhile wrote it yet (%.150s)", buf);
	log_batch_end();
	slurp(fd, buf, sizeof(buf));
	CHECK(strcmp(buf, "<6>control: one\n<6>control: two\n<3>parent: "
	    "own\n<4>gre: three\n") == 0, "the batch's end writes it, "
	    "once (%.150s)", buf);
	{
		static char	 big[65536];
		char		 line[128];
		size_t		 n, want = 0;
		int		 i, inorder = 1;

		if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1)
			return (2);
		log_batch_begin();
		for (i = 0; i < 200; i++) {
			snprintf(line, sizeof(line), "line %03d %80s", i, "x");
			log_relayed(LOG_INFO, "control", 42, line);
			want += strlen(line) + strlen("<6>control: \n");
		}
		n = slurp(fd, big, sizeof(big));
		CHECK(n + PIPE_BUF >= want && n < want, "200 lines in a "
		    "batch: at most PIPE_BUF bytes wait (%zu of %zu written)",
		    n, want);
		log_batch_end();
		n = slurp(fd, big, sizeof(big));
		for (i = 0; i < 200; i++) {
			snprintf(line, sizeof(line), "<6>control: line %03d ",
			    i);
			if (strncmp(big + i * (want / 200), line,
			    strlen(line)) != 0)
				inorder = 0;
		}
		CHECK(n == want && inorder, "then all of them, in order (%zu "
		    "of %zu)", n, want);
	}
	dup2(saved, STDERR_FILENO);

	/* Facilities. */
	CHECK(log_facility_byname("daemon") == LOG_DAEMON, "daemon");
	CHECK(log_facility_byname("local0") == LOG_LOCAL0, "local0");
	CHECK(log_facility_byname("local7") == LOG_LOCAL7, "local7");
	CHECK(log_facility_byname("authpriv") == LOG_AUTHPRIV, "authpriv");
	CHECK(log_facility_byname("local8") == -1, "local8 is no facility");
	CHECK(log_facility_byname("kern") == -1, "kern is not ours to use");
	CHECK(log_facility_byname("") == -1, "an empty name");
	CHECK(strcmp(log_facility_name(0), "daemon") == 0, "0 is daemon");
	CHECK(strcmp(log_facility_name(LOG_LOCAL3), "local3") == 0,
	    "local3 by number");
	CHECK_DONE();
}
