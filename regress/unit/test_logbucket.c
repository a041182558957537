/*
 * logrelay.c, the parent's side: a child's lines pass two token buckets
 * (LOG_RELAY_BURST lines at once, LOG_RELAY_RATE a second after that;
 * LOG_RELAY_BYTES_BURST bytes at once, LOG_RELAY_BYTES_RATE a second);
 * the rest are counted and the count logged in one line; no line is
 * written above LOG_RELAY_TOP, whatever priority the child gives it.
 * Also: the burstiest lines honest children send fit in the buckets.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "check.h"

static struct imsgbuf	child;		/* the child's end */
static struct imsgbuf	parent;		/* the parent's end */
static int		out[2];		/* what the parent writes */

/* A line as a child sends it, taken by the parent as it would be. */
static int
relay(struct log_bucket *lb, int pri, const char *text)
{
	struct imsg	imsg;
	int		r;

	if (imsg_compose(&child, IMSG_LOG, (uint32_t)pri, 0, -1, text,
	    strlen(text)) == -1 || imsgbuf_flush(&child) == -1 ||
	    imsgbuf_read(&parent) == -1 || imsg_get(&parent, &imsg) <= 0)
		return (-1);
	r = log_relay_recv(&imsg, "control", 1234, lb);
	imsg_free(&imsg);
	return (r);
}

/* What the parent wrote since the last call, into buf. */
static size_t
written(char *buf, size_t len)
{
	ssize_t	n;
	size_t	got = 0;

	while (got + 1 < len &&
	    (n = read(out[0], buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return (got);
}

/* buf on one line, for a test's text. */
static const char *
flat(const char *buf)
{
	static char	f[256];
	size_t		i;

	for (i = 0; i + 1 < sizeof(f) && buf[i] != '\0'; i++)
		f[i] = buf[i] == '\n' ? '|' : buf[i];
	f[i] = '\0';
	return (f);
}

/* Lines of buf. */
static unsigned int
lines(const char *buf)
{
	unsigned int	n = 0;

	for (; *buf != '\0'; buf++)
		if (*buf == '\n')
			n++;
	return (n);
}

int
main(void)
{
	static char		 buf[1 << 20];
	static char		 long_line[1001];
	struct log_bucket	 lb;
	struct stat		 st;
	uint64_t		 t, passed, i;
	unsigned int		 n;
	int			 sp[2], ok;

	signal(SIGPIPE, SIG_IGN);

	/* A full bucket: LOG_RELAY_BURST lines at once, not one more. */
	memset(&lb, 0, sizeof(lb));
	t = 1000000;
	for (passed = 0, i = 0; i < LOG_RELAY_BURST + 500; i++)
		passed += (uint64_t)log_bucket_take(&lb, t, 100);
	CHECK(passed == LOG_RELAY_BURST && lb.dropped == 500,
	    "a burst of %d passes, the rest is counted (%llu, %llu)",
	    LOG_RELAY_BURST, (unsigned long long)passed,
	    (unsigned long long)lb.dropped);
	/* Then LOG_RELAY_RATE a second: one each 1/RATE s. */
	for (passed = 0, i = 0; i < 10000; i++)
		passed += (uint64_t)log_bucket_take(&lb, t + 100, 100);
	CHECK(passed == LOG_RELAY_RATE / 10,
	    "100 ms later, %d more pass (%llu)", LOG_RELAY_RATE / 10,
	    (unsigned long long)passed);
	/* Sustained: a line each ms at a rate above it, over 10 s. */
	for (passed = 0, i = 0; i < 10000; i++) {
		unsigned int	k;

		for (k = 0; k < 2 * LOG_RELAY_RATE / 1000; k++)
			passed += (uint64_t)log_bucket_take(&lb,
			    t + 101 + i, 100);
	}
	CHECK(passed >= 10 * LOG_RELAY_RATE - LOG_RELAY_RATE / 100 &&
	    passed <= 10 * LOG_RELAY_RATE,
	    "twice the rate for 10 s: the rate passes (%llu)",
	    (unsigned long long)passed);
	/* Refilled in full after a quiet while, never beyond. */
	for (passed = 0, i = 0; i < 3 * LOG_RELAY_BURST; i++)
		passed += (uint64_t)log_bucket_take(&lb, t + 3600000, 100);
	CHECK(passed == LOG_RELAY_BURST, "an hour later: a full burst, no "
	    "more (%llu)", (unsigned long long)passed);
	/* A clock that goes back takes nothing away and gives nothing. */
	passed = (uint64_t)log_bucket_take(&lb, t, 100);
	CHECK(passed == 0, "the clock going back adds nothing");

	/*
	 * Honest bursts: the SIGUSR1 list (20 lines each 100 ms, up to
	 * 2000 sessions of 16 calls, the overshoot of a tick included;
	 * LOG_RELAY_MAX bytes each, as if they were that long) with call
	 * setups at debug level (6 lines each, 3,300 a second measured on
	 * a 2-vCPU machine, ~20,000 lines a second; 140 bytes each, more
	 * than the longest of 41,000 lines measured at 2,300 setups a
	 * second, 104 on average) on top, for 60 s: nothing dropped.
	 */
	memset(&lb, 0, sizeof(lb));
	for (passed = 0, i = 0; i < 60000; i++) {
		unsigned int	k;

		for (k = 0; k < 20; k++)
			passed += (uint64_t)log_bucket_take(&lb, t + i,
			    140);
		for (k = 0; i % 100 == 0 && k < 20 + 16; k++)
			passed += (uint64_t)log_bucket_take(&lb, t + i,
			    LOG_RELAY_MAX);
	}
	CHECK(lb.dropped == 0, "SIGUSR1 list and setups at debug level for "
	    "a minute: none dropped (%llu passed, %llu dropped)",
	    (unsigned long long)passed, (unsigned long long)lb.dropped);
	/*
	 * Lines of an honest length (140 bytes) at the full line rate
	 * (-e logs each control message: 37,000 lines a second measured,
	 * 94 bytes on average) for 60 s: the bytes drop none of them.
	 */
	memset(&lb, 0, sizeof(lb));
	for (passed = 0, i = 0; i < 60000; i++) {
		unsigned int	k;

		for (k = 0; k < LOG_RELAY_RATE / 1000; k++)
			passed += (uint64_t)log_bucket_take(&lb, t + i,
			    140);
	}
	CHECK(lb.dropped == 0, "140-byte lines at %d a second for a minute: "
	    "none dropped (%llu passed, %llu dropped)", LOG_RELAY_RATE,
	    (unsigned long long)passed, (unsigned long long)lb.dropped);

	/*
	 * Long lines: the bytes bound them, well below the line rate.  At
	 * once, LOG_RELAY_BYTES_BURST bytes' worth of 1000-byte lines and
	 * not one more.
	 */
	memset(&lb, 0, sizeof(lb));
	for (passed = 0, i = 0; i < LOG_RELAY_BYTES_BURST / 1000 + 500; i++)
		passed += (uint64_t)log_bucket_take(&lb, t, 1000);
	CHECK(passed == LOG_RELAY_BYTES_BURST / 1000 && lb.dropped == 500,
	    "a burst of %d bytes in 1000-byte lines passes, the rest is "
	    "counted (%llu, %llu)", LOG_RELAY_BYTES_BURST,
	    (unsigned long long)passed, (unsigned long long)lb.dropped);
	/* A shorter line that fits what is left still passes. */
	passed = (uint64_t)log_bucket_take(&lb, t, 1000);
	passed += (uint64_t)log_bucket_take(&lb,
	    t, LOG_RELAY_BYTES_BURST % 1000);
	CHECK(passed == 1 && lb.dropped == 501, "then a line of the %d bytes "
	    "left passes, one of 1000 does not", LOG_RELAY_BYTES_BURST % 1000);
	/* 100 ms later, a tenth of LOG_RELAY_BYTES_RATE. */
	for (passed = 0, i = 0; i < 10000; i++)
		passed += (uint64_t)log_bucket_take(&lb, t + 100, 1000);
	CHECK(passed == (uint64_t)LOG_RELAY_BYTES_RATE / 10 / 1000,
	    "100 ms later, %d more 1000-byte lines pass (%llu)",
	    LOG_RELAY_BYTES_RATE / 10 / 1000, (unsigned long long)passed);
	/*
	 * Sustained: 1000-byte lines at the line rate, over 10 s: the
	 * bytes' rate passes (within a line), the line rate does not.
	 */
	for (passed = 0, i = 0; i < 10000; i++) {
		unsigned int	k;

		for (k = 0; k < LOG_RELAY_RATE / 1000; k++)
			passed += (uint64_t)log_bucket_take(&lb,
			    t + 101 + i, 1000);
	}
	CHECK(passed * 1000 >= (uint64_t)10 * LOG_RELAY_BYTES_RATE - 2000 &&
	    passed * 1000 <= (uint64_t)10 * LOG_RELAY_BYTES_RATE + 1000,
	    "1000-byte lines at %d a second for 10 s: %d bytes a second "
	    "pass (%llu lines)", LOG_RELAY_RATE, LOG_RELAY_BYTES_RATE,
	    (unsigned long long)passed);
	/*
	 * A line dropped for one bucket takes nothing from the other:
	 * past the bytes, empty lines still have every line left; past
	 * the lines, long ones 1 ms later have every byte.
	 */
	memset(&lb, 0, sizeof(lb));
	for (i = 0; i < LOG_RELAY_BYTES_BURST / 1000 + LOG_RELAY_BURST; i++)
		(void)log_bucket_take(&lb, t, 1000);
	for (passed = 0, i = 0; i < LOG_RELAY_BURST; i++)
		passed += (uint64_t)log_bucket_take(&lb, t, 0);
	CHECK(passed == LOG_RELAY_BURST - LOG_RELAY_BYTES_BURST / 1000,
	    "lines dropped for their bytes took no line (%llu empty lines "
	    "passed)", (unsigned long long)passed);
	memset(&lb, 0, sizeof(lb));
	for (i = 0; i < 2 * LOG_RELAY_BURST; i++)
		(void)log_bucket_take(&lb, t, i < LOG_RELAY_BURST ? 0 : 1000);
	for (passed = 0, i = 0; i < LOG_RELAY_BURST; i++)
		passed += (uint64_t)log_bucket_take(&lb, t + 1, 1000);
	CHECK(passed == LOG_RELAY_RATE / 1000, "lines dropped for the line "
	    "rate took no bytes (%llu of 1000 bytes passed 1 ms later)",
	    (unsigned long long)passed);

	/* The parent's side of IMSG_LOG. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1 ||
	    imsgbuf_init(&child, sp[0]) == -1 ||
	    imsgbuf_init(&parent, sp[1]) == -1 || pipe(out) == -1 ||
	    fcntl(out[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(out[1], F_SETFL, O_NONBLOCK) == -1 ||
	    dup2(out[1], STDERR_FILENO) == -1 || fstat(out[1], &st) == -1)
		return (2);
	/* As the journal's stream: each line starts with its priority. */
	snprintf(buf, sizeof(buf), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", buf, 1);
	log_init(1, LOG_LVL_DEBUG, NULL);
	memset(&lb, 0, sizeof(lb));

	ok = relay(&lb, LOG_EMERG, "the sky falls") == 0;
	written(buf, sizeof(buf));
	CHECK(ok && strcmp(buf, "<2>control: the sky falls\n") == 0,
	    "a line at LOG_EMERG is written at LOG_CRIT (%.100s)", flat(buf));
	for (n = 0; n < 3; n++)
		ok = relay(&lb, (int)n, "high") == 0;
	written(buf, sizeof(buf));
	CHECK(ok && lines(buf) == 3 && strstr(buf, "<0>") == NULL &&
	    strstr(buf, "<1>") == NULL && strstr(buf, "<2>control: high") !=
	    NULL, "EMERG, ALERT, CRIT: all written at CRIT (%.200s)", flat(buf));
	ok = relay(&lb, LOG_WARNING | LOG_LOCAL7, "warn") == 0 &&
	    relay(&lb, LOG_DEBUG, "dbg") == 0;
	written(buf, sizeof(buf));
	CHECK(ok && strstr(buf, "<4>control: warn") != NULL &&
	    strstr(buf, "<7>control: dbg") != NULL,
	    "lower priorities as they are, facility bits ignored (%.200s)",
	    flat(buf));

	/*
	 * A flood, faster than the bucket fills: its burst is written,
	 * then lines are dropped and counted.
	 */
	for (i = 0, n = 0; i < 20 * LOG_RELAY_BURST && n < 1000; i++) {
		if (relay(&lb, LOG_INFO, "flood") == 1)
			n++;
		if (i % 1000 == 0)
			written(buf, sizeof(buf));
	}
	written(buf, sizeof(buf));
	CHECK(n >= 1000 && lb.dropped == n, "past the burst, lines are "
	    "dropped and counted (%u, %llu)", n,
	    (unsigned long long)lb.dropped);
	CHECK(log_relay_note_in(&lb) == 1000, "the first count may go out "
	    "in a second");
	log_relay_note(&lb, "control", 1234);
	written(buf, sizeof(buf));
	snprintf(buf + sizeof(buf) / 2, 200, "<3>parent: child control (pid "
	    "1234): %u log lines dropped, beyond %d lines or %d bytes a "
	    "second", n, LOG_RELAY_RATE, LOG_RELAY_BYTES_RATE);
	CHECK(strstr(buf, buf + sizeof(buf) / 2) != NULL && lines(buf) == 1,
	    "one line says how many (%.200s)", flat(buf));
	CHECK(lb.dropped == 0, "and the count starts again");
	n = log_relay_note_in(&lb);
	CHECK(n > LOG_RELAY_NOTE_SECS * 1000 - 1000 &&
	    n <= LOG_RELAY_NOTE_SECS * 1000,
	    "the next count waits %d s (%u ms)", LOG_RELAY_NOTE_SECS, n);
	log_relay_note(&lb, "control", 1234);
	CHECK(written(buf, sizeof(buf)) == 0, "nothing dropped: no line");

	/*
	 * A flood of long lines (1000 bytes): the bytes' burst is written
	 * (and what they gained meanwhile), far fewer lines than the
	 * line bucket holds; then lines are dropped and counted, in the
	 * same line.
	 */
	memset(&lb, 0, sizeof(lb));
	memset(long_line, 'y', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	t = log_relay_now();
	for (passed = 0, i = 0, n = 0; i < LOG_RELAY_BURST && n < 1000; i++) {
		if ((ok = relay(&lb, LOG_INFO, long_line)) == 1)
			n++;
		else if (ok == 0)
			passed++;
		else
			break;
		if (i % 32 == 0)
			written(buf, sizeof(buf));
	}
	t = log_relay_now() - t;
	written(buf, sizeof(buf));
	CHECK(n == 1000 && lb.dropped == n && passed >=
	    LOG_RELAY_BYTES_BURST / 1000 && passed * 1000 <=
	    LOG_RELAY_BYTES_BURST + (t + 1) * LOG_RELAY_BYTES_RATE / 1000,
	    "1000-byte lines: %llu written in %llu ms, at most %d bytes and "
	    "%d a second; the rest dropped and counted (%u, %llu)",
	    (unsigned long long)passed, (unsigned long long)t,
	    LOG_RELAY_BYTES_BURST, LOG_RELAY_BYTES_RATE, n,
	    (unsigned long long)lb.dropped);
	log_relay_note(&lb, "control", 1234);
	written(buf, sizeof(buf));
	snprintf(buf + sizeof(buf) / 2, 200, "<3>parent: child control (pid "
	    "1234): %u log lines dropped, beyond %d lines or %d bytes a "
	    "second", n, LOG_RELAY_RATE, LOG_RELAY_BYTES_RATE);
	CHECK(strstr(buf, buf + sizeof(buf) / 2) != NULL && lines(buf) == 1,
	    "one line says how many (%.200s)", flat(buf));
	CHECK_DONE();
}
