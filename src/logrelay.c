/*
 * The children's log lines go to the parent over their imsg channel
 * (IMSG_LOG: the priority as the message id, the text as data), and the
 * parent writes them where it writes its own: to syslog, which it can
 * always reach again (a chrooted child on Linux cannot reopen /dev/log
 * once the syslog daemon restarted: its lines were lost without a word),
 * to the -l file, which the parent reopens on SIGHUP, or to standard
 * error.
 *
 * A child sends warnings and errors at once (a child about to die of a
 * forbidden call still gets its last line out), every line at debug
 * level too; informational lines (a call up or down, a session's end)
 * wait up to IMSGEV_LAZY_MS, or until IMSGEV_LAZY_MAX are queued, so
 * that the parent is woken once for many of them.  At exit a child
 * waits until every queued line is written.  While the parent does not
 * read, at most LOG_RELAY_QUEUE lines wait; the next ones are counted, and the count
 * is logged once lines flow again.  When the channel is gone, lines are written
 * where they were before (syslog or standard error).
 *
 * A child may have been taken over: the parent writes at most
 * LOG_RELAY_BURST of its lines at once and LOG_RELAY_RATE a second, and
 * of their text at most LOG_RELAY_BYTES_BURST bytes at once and
 * LOG_RELAY_BYTES_RATE a second (counting the lines beyond either, and
 * saying how many at most every LOG_RELAY_NOTE_SECS), none above
 * LOG_RELAY_TOP, each bounded and with its control characters replaced.
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "pptpproxy.h"

static struct imsgev	*relay_iev;
static int		 relay_broken;
static unsigned int	 relay_dropped;

static int
relay_send(int pri, const char *msg)
{
	struct imsgbuf	*ibuf;
	char		 note[80];
	size_t		 len;
	int		 n;

	if (relay_iev == NULL || relay_broken)
		return (-1);
	ibuf = &relay_iev->ibuf;
	/* A parent that does not read: lines are counted, not queued. */
	if (imsgbuf_queuelen(ibuf) >= LOG_RELAY_QUEUE) {
		relay_dropped++;
		return (0);
	}
	if (relay_dropped > 0) {
		n = snprintf(note, sizeof(note), "%u log lines dropped: the "
		    "parent did not take them", relay_dropped);
		if (n > 0 && (size_t)n < sizeof(note) && imsg_compose(ibuf,
		    IMSG_LOG, LOG_WARNING, 0, -1, note, n) == -1) {
			relay_broken = 1;
			return (-1);
		}
		relay_dropped = 0;
	}
	if ((len = strlen(msg)) > LOG_RELAY_MAX)
		len = LOG_RELAY_MAX;
	if (imsg_compose(ibuf, IMSG_LOG, LOG_PRI(pri), 0, -1, msg, len)
	    == -1) {
		relay_broken = 1;
		return (-1);
	}
	/*
	 * Accounting lines (info) wait a little, so that the parent is
	 * woken once for many; warnings, and every line at debug level,
	 * go now, with those that waited before them.
	 */
	if (LOG_PRI(pri) > LOG_WARNING && log_getlevel() < LOG_LVL_DEBUG &&
	    relay_iev->peer != NULL) {
		imsgev_lazy(relay_iev);
		return (0);
	}
	if (imsgbuf_write(ibuf) == -1 && errno != EAGAIN &&
	    errno != EWOULDBLOCK && errno != EINTR) {
		relay_broken = 1;
		imsgbuf_clear(ibuf);
		return (-1);
	}
	/* What did not fit goes when the channel can take it. */
	if (imsgbuf_queuelen(ibuf) > 0 && relay_iev->peer != NULL)
		imsgev_update(relay_iev);
	return (0);
}

/* At exit: whatever is queued, the last lines included, goes out. */
static void
relay_flush(void)
{
	int	fd, fl;

	if (relay_iev == NULL || relay_broken)
		return;
	relay_broken = 1;	/* lines from here on: written directly */
	fd = relay_iev->ibuf.fd;
	if ((fl = fcntl(fd, F_GETFL)) != -1 && (fl & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	(void)imsgbuf_flush(&relay_iev->ibuf);
}

/*
 * A child, once its channel to the parent is set up (iev->ibuf ready;
 * the event need not be yet).
 */
void
log_relay_start(struct imsgev *iev)
{
	relay_iev = iev;
	relay_broken = 0;
	if (atexit(relay_flush) != 0)
		return;
	log_setsink(relay_send);
}

/* The parent's clock for the buckets: monotonic milliseconds. */
uint64_t
log_relay_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return (0);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/*
 * A bucket of tokens (thousandths of a unit) after ms milliseconds
 * without use: rate units a second (that many thousandths a ms) more,
 * at most burst units.
 */
static uint64_t
bucket_fill(uint64_t tokens, uint64_t ms, uint64_t burst, uint64_t rate)
{
	const uint64_t	full = burst * 1000;

	if (ms >= full / rate)
		return (full);
	tokens += ms * rate;
	return (tokens > full ? full : tokens);
}

/*
 * One line of len bytes at now (ms): 1 if it may be written, 0 if it is
 * dropped (and counted).  Both buckets start full; the lines' gains
 * LOG_RELAY_RATE a second up to LOG_RELAY_BURST, the bytes'
 * LOG_RELAY_BYTES_RATE up to LOG_RELAY_BYTES_BURST.  A line goes out
 * if there is a line and len bytes left, and takes them; a line dropped
 * takes nothing.
 */
int
log_bucket_take(struct log_bucket *lb, uint64_t now, size_t len)
{
	const uint64_t	cost = (uint64_t)len * 1000;

	if (!lb->started) {
		lb->started = 1;
		lb->tokens = (uint64_t)LOG_RELAY_BURST * 1000;
		lb->btokens = (uint64_t)LOG_RELAY_BYTES_BURST * 1000;
		lb->last_ms = now;
	} else if (now > lb->last_ms) {
		lb->tokens = bucket_fill(lb->tokens, now - lb->last_ms,
		    LOG_RELAY_BURST, LOG_RELAY_RATE);
		lb->btokens = bucket_fill(lb->btokens, now - lb->last_ms,
		    LOG_RELAY_BYTES_BURST, LOG_RELAY_BYTES_RATE);
		lb->last_ms = now;
	}
	if (lb->tokens < 1000 || lb->btokens < cost) {
		lb->dropped++;
		return (0);
	}
	lb->tokens -= 1000;
	lb->btokens -= cost;
	return (1);
}

/*
 * The parent: how many lines of a child were dropped, if any, and when
 * it may say so next.
 */
void
log_relay_note(struct log_bucket *lb, const char *name, pid_t pid)
{
	if (lb->dropped == 0)
		return;
	log_warnx("child %s (pid %ld): %llu log lines dropped, beyond %u "
	    "lines or %u bytes a second", name, (long)pid,
	    (unsigned long long)lb->dropped, LOG_RELAY_RATE,
	    LOG_RELAY_BYTES_RATE);
	lb->dropped = 0;
	lb->noted_ms = log_relay_now();
	if (lb->noted_ms == 0)
		lb->noted_ms = 1;
}

/* Milliseconds until the next note may go out (at least one second). */
unsigned int
log_relay_note_in(const struct log_bucket *lb)
{
	uint64_t	now = log_relay_now(), next;

	if (lb->noted_ms == 0)
		return (1000);
	next = lb->noted_ms + LOG_RELAY_NOTE_SECS * 1000;
	if (next <= now + 1000)
		return (1000);
	return ((unsigned int)(next - now));
}

/*
 * The parent: one line from the child called name, if its buckets lb
 * have room for it (1: dropped).  The child may have been taken over:
 * the text is bounded, bytes that could forge a line or a terminal
 * control sequence are replaced, and no priority above LOG_RELAY_TOP is
 * taken.
 */
int
log_relay_recv(struct imsg *imsg, const char *name, pid_t pid,
    struct log_bucket *lb)
{
	char	msg[LOG_RELAY_MAX + 1];
	size_t	len, i;
	int	pri;

	len = imsg_get_len(imsg);
	if (!log_bucket_take(lb, log_relay_now(), len))
		return (1);
	if (len > LOG_RELAY_MAX || imsg_get_data(imsg, msg, len) == -1) {
		log_warnx("bad log message from %s (%zu bytes)", name, len);
		return (0);
	}
	msg[len] = '\0';
	for (i = 0; i < len; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	pri = imsg_get_id(imsg) & LOG_PRIMASK;
	if (pri < LOG_RELAY_TOP)
		pri = LOG_RELAY_TOP;
	log_relayed(pri, name, pid, msg);
	return (0);
}

/*
 * The parent, while it stops: the log lines its children sent that the
 * event loop will no longer read (within their buckets lb); other
 * messages are dropped.
 */
void
log_relay_drain(struct imsgev *iev, const char *name, pid_t pid,
    struct log_bucket *lb)
{
	struct imsg	imsg;
	ssize_t		n;
	int		i, got;

	if (iev->peer == NULL)
		return;
	/* imsgbuf_read() says 1 for "nothing there" too. */
	for (i = 0; i < 64; i++) {
		n = imsgbuf_read(&iev->ibuf);
		for (got = 0; imsg_get(&iev->ibuf, &imsg) > 0; got++) {
			if (imsg_get_type(&imsg) == IMSG_LOG)
				(void)log_relay_recv(&imsg, name, pid, lb);
			imsg_free(&imsg);
		}
		if (n <= 0 || got == 0)
			break;
	}
	log_relay_note(lb, name, pid);
}
