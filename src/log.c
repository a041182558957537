/*
 * Logging: syslog (daemon facility, or the one "log facility" names) by
 * default, or lines with a time stamp on a descriptor (standard error, or
 * the -l file, reopened on SIGHUP).  When standard error is the systemd
 * journal's stream, each line starts with its priority ("<3>") instead of
 * a time stamp, so that the journal keeps it.
 *
 * The children send their lines to the parent (log_relay, logrelay.c),
 * which writes them where it writes its own: a child chrooted on Linux
 * could not reach /dev/log again after the syslog daemon restarted, and
 * would keep writing to a rotated file.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "pptpproxy.h"

static int		 log_to_fd;	/* 1: write to log_fd, 0: syslog */
static int		 log_fd = STDERR_FILENO;
static int		 log_journal;	/* log_fd is the journal: "<N>" */
static int		 log_level;
static int		 log_facility = LOG_DAEMON;
static char		*log_file;	/* -l, for log_reopen() */
static const char	*log_procname = "parent";
static pid_t		 log_pid;
static int		 (*log_sink)(int, const char *);
static int		 log_in_sink;
/*
 * The children's lines written in one go: between log_batch_begin() and
 * log_batch_end() (around the messages of one read from a channel: the
 * parent writes the many lines a child batched with one write(2), not
 * one each), and
 * at most PIPE_BUF bytes, which a pipe (the journal's stream) takes
 * whole.  log_flush() before a fork(2): a child must not write them too.
 */
static char		 log_buf[PIPE_BUF];
static size_t		 log_buflen;
static int		 log_batching;

static const struct {
	const char	*name;
	int		 facility;
} log_facilities[] = {
	{ "auth",	LOG_AUTH },
	{ "authpriv",	LOG_AUTHPRIV },
	{ "daemon",	LOG_DAEMON },
	{ "local0",	LOG_LOCAL0 },
	{ "local1",	LOG_LOCAL1 },
	{ "local2",	LOG_LOCAL2 },
	{ "local3",	LOG_LOCAL3 },
	{ "local4",	LOG_LOCAL4 },
	{ "local5",	LOG_LOCAL5 },
	{ "local6",	LOG_LOCAL6 },
	{ "local7",	LOG_LOCAL7 },
	{ "user",	LOG_USER }
};

static void	vlog(int, const char *, va_list)
		    __attribute__((__format__(printf, 2, 0)));
static void	logit(int, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));

/*
 * systemd gives a service's standard error to the journal and says so in
 * JOURNAL_STREAM ("device:inode" of that stream, see systemd.exec(5)); it
 * is the journal only while fd is that very stream.
 */
int
log_is_journal(int fd, const char *stream)
{
	struct stat		st;
	unsigned long long	dev, ino;
	char			end;

	if (stream == NULL || fstat(fd, &st) == -1)
		return (0);
	if (sscanf(stream, "%llu:%llu%c", &dev, &ino, &end) != 2)
		return (0);
	return ((unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino);
}

/*
 * foreground: log to standard error; file: log to this file (opened
 * here, in the parent; children get it as their standard error).
 */
void
log_init(int foreground, int level, const char *file)
{
	log_level = level;
	log_newpid();
	if (file != NULL) {
		int fd;

		fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0640);
		if (fd == -1) {
			fprintf(stderr, "pptpproxy: %s: %s\n", file,
			    strerror(errno));
			exit(1);
		}
		log_fd = fd;
		log_to_fd = 1;
		/* Absolute: daemon(3) moves to "/" before any SIGHUP. */
		free(log_file);
		if ((log_file = realpath(file, NULL)) == NULL &&
		    (log_file = strdup(file)) == NULL) {
			perror("pptpproxy");
			exit(1);
		}
	} else if (foreground) {
		log_fd = STDERR_FILENO;
		log_to_fd = 1;
		log_journal = log_is_journal(log_fd, getenv("JOURNAL_STREAM"));
	} else {
		log_to_fd = 0;
		openlog("pptpproxy", LOG_PID | LOG_NDELAY, log_facility);
	}
	tzset();
}

/* The facility's number for a name of "log facility", -1 if none. */
int
log_facility_byname(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(log_facilities) / sizeof(log_facilities[0]);
	    i++)
		if (strcmp(name, log_facilities[i].name) == 0)
			return (log_facilities[i].facility);
	return (-1);
}

/* Its name; 0 is the default, daemon. */
const char *
log_facility_name(int facility)
{
	size_t	i;

	if (facility == 0)
		facility = LOG_DAEMON;
	for (i = 0; i < sizeof(log_facilities) / sizeof(log_facilities[0]);
	    i++)
		if (log_facilities[i].facility == facility)
			return (log_facilities[i].name);
	return ("daemon");
}

/* At start and on reload: syslog's facility (0: daemon). */
void
log_setfacility(int facility)
{
	if (facility == 0)
		facility = LOG_DAEMON;
	if (facility == log_facility)
		return;
	log_facility = facility;
	if (!log_to_fd) {
		closelog();
		openlog("pptpproxy", LOG_PID | LOG_NDELAY, log_facility);
	}
}

/*
 * SIGHUP: open the -l file again by its name, so that a rotated file is
 * left alone.  The children's lines come through us, so they follow.
 */
void
log_reopen(void)
{
	int	fd;

	if (log_file == NULL || !log_to_fd)
		return;
	log_flush();
	fd = open(log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1) {
		log_warn("cannot reopen log file %s, still writing to the "
		    "old one", log_file);
		return;
	}
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = fd;
}

/* Whether lines go to the journal, with their priority. */
int
log_getjournal(void)
{
	return (log_to_fd && log_journal);
}

/* The -l file as reopened, NULL if none. */
const char *
log_getfile(void)
{
	return (log_file);
}

/*
 * A child: from now on, hand each line to sink (the parent, over imsg);
 * sink returns -1 when it cannot, and the line is written as before.
 */
void
log_setsink(int (*sink)(int, const char *))
{
	log_sink = sink;
}

/* After fork(2): the process id in log lines is read once, not per line. */
void
log_newpid(void)
{
	log_pid = getpid();
	log_batching = 0;
	log_buflen = 0;		/* the parent writes them */
}

/* Children: where the parent logs, they log (fd 2 or syslog). */
void
log_procinit(const char *name)
{
	log_procname = name;
	log_newpid();
	if (log_to_fd == 0)
		openlog("pptpproxy", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/*
 * A child, just before its sandbox (keep: at the debug level, where a
 * forbidden call's message is written to fd 2 as the child dies): from
 * here on the channel to the parent is its only way to the log, where
 * lines are limited in rate and cleaned.  fd 2 becomes /dev/null (fd 0
 * is that already) and the syslog socket is closed: a child taken over
 * cannot write to the log file, the journal's stream or syslog
 * directly.  Lines it would write there once its channel has broken are
 * lost, as the parent that wrote them is gone.
 */
void
log_seal(int keep)
{
	if (keep)
		return;
	if (log_to_fd) {
		if (dup2(STDIN_FILENO, log_fd) == -1)
			fatal("dup2");
	} else
		closelog();
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return (log_level);
}

/* The descriptor a child should get as fd 2, or -1 for syslog. */
int
log_getfd(void)
{
	return (log_to_fd ? log_fd : -1);
}

/*
 * One line, from this process or relayed from a child (name, pid); batch:
 * it may wait in log_buf (a child's; the parent's own lines, a fatal
 * error's among them, go at once, after those waiting).
 */
static void
log_emit(int pri, const char *name, pid_t pid, const char *msg, int batch)
{
	char		 line[1200], stamp[32];
	struct timespec	 ts;
	struct tm	 tm;
	int		 n;

	if (!log_to_fd) {
		syslog(pri, "%s: %s", name, msg);
		return;
	}
	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>%s: %s\n",
		    LOG_PRI(pri), name, msg);
	else {
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		n = snprintf(line, sizeof(line),
		    "%s.%03ld pptpproxy[%d]: %s: %s\n", stamp,
		    ts.tv_nsec / 1000000, (int)pid, name, msg);
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (batch && log_batching && (size_t)n <= sizeof(log_buf)) {
		if (log_buflen + (size_t)n > sizeof(log_buf))
			log_flush();
		memcpy(log_buf + log_buflen, line, n);
		log_buflen += (size_t)n;
		return;
	}
	log_flush();
	(void)write(log_fd, line, n);
}

void
log_flush(void)
{
	if (log_buflen > 0)
		(void)write(log_fd, log_buf, log_buflen);
	log_buflen = 0;
}

void
log_batch_begin(void)
{
	log_batching = 1;
}

void
log_batch_end(void)
{
	log_batching = 0;
	log_flush();
}

/* The parent: a line a child sent (logrelay.c checked it). */
void
log_relayed(int pri, const char *name, pid_t pid, const char *msg)
{
	int	saved_errno = errno;

	log_emit(LOG_PRI(pri), name, pid, msg, 1);
	errno = saved_errno;
}

static void
vlog(int pri, const char *fmt, va_list ap)
{
	char	msg[1024];
	int	saved_errno = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_sink != NULL && !log_in_sink) {
		int	r;

		/* A line the sink itself logs is written here. */
		log_in_sink = 1;
		r = log_sink(pri, msg);
		log_in_sink = 0;
		if (r == 0) {
			errno = saved_errno;
			return;
		}
	}
	log_emit(pri, log_procname, log_pid, msg, 0);
	errno = saved_errno;
}

static void
logit(int pri, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *emsg, ...)
{
	char	 buf[1024];
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, emsg);
	vsnprintf(buf, sizeof(buf), emsg, ap);
	va_end(ap);
	logit(LOG_ERR, "%s: %s", buf, strerror(saved_errno));
	errno = saved_errno;
}

void
log_warnx(const char *emsg, ...)
{
	va_list	ap;

	va_start(ap, emsg);
	vlog(LOG_ERR, emsg, ap);
	va_end(ap);
}

void
log_info(const char *emsg, ...)
{
	va_list	ap;

	va_start(ap, emsg);
	vlog(LOG_INFO, emsg, ap);
	va_end(ap);
}

void
log_debug(const char *emsg, ...)
{
	va_list	ap;

	if (log_level < LOG_LVL_DEBUG)
		return;
	va_start(ap, emsg);
	vlog(LOG_DEBUG, emsg, ap);
	va_end(ap);
}

void
log_extensive(const char *emsg, ...)
{
	va_list	ap;

	if (log_level < LOG_LVL_EXTENSIVE)
		return;
	va_start(ap, emsg);
	vlog(LOG_DEBUG, emsg, ap);
	va_end(ap);
}

/*
 * For lines an outsider can provoke: five a second at most, then one line
 * saying how many were held back.
 */
#define LOG_LIMIT_PER_SEC	5

/*
 * Whether a line of this kind may go now (then the caller logs it at
 * notice level); one held back is counted.  A caller that asks first
 * need not format a line that would be held back.
 */
int
log_limit_pass(struct log_limit *ll)
{
	time_t	now;

	now = time(NULL);
	if (now != ll->sec) {
		if (ll->suppressed > 0)
			logit(LOG_NOTICE, "%u similar messages suppressed",
			    ll->suppressed);
		ll->sec = now;
		ll->n = 0;
		ll->suppressed = 0;
	}
	if (ll->n >= LOG_LIMIT_PER_SEC) {
		ll->suppressed++;
		return (0);
	}
	ll->n++;
	return (1);
}

void
log_limited(struct log_limit *ll, const char *emsg, ...)
{
	va_list	ap;

	if (!log_limit_pass(ll))
		return;
	va_start(ap, emsg);
	vlog(LOG_NOTICE, emsg, ap);
	va_end(ap);
}

void
log_notice(const char *emsg, ...)
{
	va_list	ap;

	va_start(ap, emsg);
	vlog(LOG_NOTICE, emsg, ap);
	va_end(ap);
}

/* Say how many lines were held back, once their second is over. */
void
log_limit_flush(struct log_limit *ll)
{
	if (ll->suppressed > 0 && time(NULL) != ll->sec) {
		logit(LOG_NOTICE, "%u similar messages suppressed",
		    ll->suppressed);
		ll->suppressed = 0;
		ll->n = 0;
	}
}

void
fatal(const char *emsg, ...)
{
	char	 buf[1024];
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, emsg);
	vsnprintf(buf, sizeof(buf), emsg, ap);
	va_end(ap);
	logit(LOG_CRIT, "fatal: %s: %s", buf, strerror(saved_errno));
	exit(1);
}

void
fatalx(const char *emsg, ...)
{
	va_list	ap;
	char	buf[1024];

	va_start(ap, emsg);
	vsnprintf(buf, sizeof(buf), emsg, ap);
	va_end(ap);
	logit(LOG_CRIT, "fatal: %s", buf);
	exit(1);
}
