/*
 * Logging: syslog (daemon facility) by default, or lines with a time stamp
 * on a descriptor (standard error, or the -l file the parent opened and
 * handed its children as their standard error).
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
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
static int		 log_level;
static const char	*log_procname = "parent";
static pid_t		 log_pid;

static void	vlog(int, const char *, va_list)
		    __attribute__((__format__(printf, 2, 0)));
static void	logit(int, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));

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
	} else if (foreground) {
		log_fd = STDERR_FILENO;
		log_to_fd = 1;
	} else {
		log_to_fd = 0;
		openlog("pptpproxy", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	tzset();
}

/* After fork(2): the process id in log lines is read once, not per line. */
void
log_newpid(void)
{
	log_pid = getpid();
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

static void
vlog(int pri, const char *fmt, va_list ap)
{
	char		 msg[1024], line[1200], stamp[32];
	struct timespec	 ts;
	struct tm	 tm;
	int		 n, saved_errno = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!log_to_fd) {
		syslog(pri, "%s: %s", log_procname, msg);
		errno = saved_errno;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ld pptpproxy[%d]: %s: %s\n",
	    stamp, ts.tv_nsec / 1000000, (int)log_pid, log_procname, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	(void)write(log_fd, line, n);
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

void
log_limited(struct log_limit *ll, const char *emsg, ...)
{
	va_list	ap;
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
		return;
	}
	ll->n++;
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
