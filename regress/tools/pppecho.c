/*
 * pppecho - stand-in for pppd that pptpd starts for each call
 *
 * pptpd.conf:	ppp /path/to/pppecho
 *
 * pptpd gives the program a pty as standard input and output and pppd-like
 * arguments, which are ignored.  pptpctrl starts reading GRE only after the
 * PPP side has written something, so pppecho first writes one LCP
 * Configure-Request in async-HDLC framing (RFC 1662), then copies every
 * byte it reads back unchanged, until end of file, an error (the pty hung
 * up), SIGHUP or SIGTERM.  The whole path thus becomes a loop:
 * client -> proxy -> pptpd -> pppecho -> back.
 *
 * It keeps reading while its echo waits for room in the pty (up to 1 MiB
 * held): pptpctrl writes to the pty with blocking writes and reads it only
 * between them, so an echo that stopped reading until its own write went
 * through would, with a few large frames in flight each way, leave both
 * blocked in write for good.
 *
 * With PPPECHO_LOG=FILE in the environment it appends to FILE one line when
 * it starts and one when it ends:
 *	pppecho PID start
 *	pppecho PID end bytes N frames F badfcs B marked M (WHY)
 * frames counts the HDLC frames seen (FCS checked), marked those whose
 * decoded contents hold the string in PPPECHO_MARK (default "STRAY"): a test
 * that injects marked packets can tell whether any reached the server.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hdlc.h"

#define FRAME_MAX	8192
#define PEND_MAX	(1 << 20)	/* echo held while the pty is full */
#define READ_MIN	16384		/* room a read needs */

static volatile sig_atomic_t stop_sig;

static unsigned long long nbytes, nframes, nbadfcs, nmarked;
static unsigned char frame[FRAME_MAX];
static struct hdlc_rx rx = { frame, sizeof(frame), 0, 0, 0 };
static const char *mark = "STRAY";
static size_t marklen;
static unsigned char pend[PEND_MAX];
static size_t poff, plen;

static void
on_signal(int sig)
{
	stop_sig = sig;
}

static int
contains(const unsigned char *p, size_t n, const char *s, size_t sl)
{
	size_t i;

	if (sl == 0 || n < sl)
		return 0;
	for (i = 0; i + sl <= n; i++)
		if (p[i] == (unsigned char)s[0] && memcmp(p + i, s, sl) == 0)
			return 1;
	return 0;
}

/* Account for the bytes read: decode HDLC frames to count them. */
static void
account(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!hdlc_take(&rx, p[i]))
			continue;
		if (rx.len > 0 || rx.over) {
			nframes++;
			if (rx.over || rx.len < 3 ||
			    fcs16(0xffff, frame, rx.len) != HDLC_FCS_GOOD)
				nbadfcs++;
			else if (contains(frame, rx.len, mark, marklen))
				nmarked++;
		}
		hdlc_rx_reset(&rx);
	}
}

/* Write all of it; 0 on success, -1 when the pty is gone or a signal came. */
static int
writeall(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR && !stop_sig)
				continue;
			if (errno == EAGAIN) {
				usleep(1000);
				continue;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
logline(const char *fmt, ...)
{
	const char *path = getenv("PPPECHO_LOG");
	char buf[512];
	va_list ap;
	int fd, n;

	if (path == NULL || *path == '\0')
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	/* One write with O_APPEND: lines of concurrent calls do not mix. */
	(void)write(fd, buf, (size_t)n);
	close(fd);
}

int
main(int argc, char *argv[])
{
	/* LCP Configure-Request, identifier 1, no options. */
	static const unsigned char lcp[] = {
		0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04
	};
	unsigned char out[2 * (sizeof(lcp) + 2) + 2];
	struct sigaction sa;
	struct termios t;
	const char *why = "end of file";
	const char *m;
	size_t o;

	(void)argc;
	(void)argv;
	if ((m = getenv("PPPECHO_MARK")) != NULL)
		mark = m;
	marklen = strlen(mark);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;		/* no SA_RESTART: read() returns */
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (tcgetattr(0, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
	}
	logline("pppecho %ld start\n", (long)getpid());

	/* The first frame, async-HDLC framed with its FCS. */
	o = hdlc_frame(out, lcp, sizeof(lcp));
	if (writeall(1, out, o) == -1)
		why = "cannot write the first frame";
	else {
		(void)fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
		(void)fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
		for (;;) {
			struct pollfd pfd[2];
			ssize_t n;

			if (stop_sig)
				break;
			if (poff > 0 && PEND_MAX - poff - plen < READ_MIN) {
				memmove(pend, pend + poff, plen);
				poff = 0;
			}
			pfd[0].fd = 0;
			pfd[0].events = PEND_MAX - poff - plen >= READ_MIN ?
			    POLLIN : 0;
			pfd[1].fd = 1;
			pfd[1].events = plen > 0 ? POLLOUT : 0;
			pfd[0].revents = pfd[1].revents = 0;
			if (poll(pfd, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				why = "poll error";
				break;
			}
			if (pfd[0].revents && poff + plen < PEND_MAX) {
				n = read(0, pend + poff + plen,
				    PEND_MAX - poff - plen);
				if (n == 0)
					break;
				if (n < 0 && errno != EINTR &&
				    errno != EAGAIN) {
					why = errno == EIO ? "hung up" :
					    "read error";
					break;
				}
				if (n > 0) {
					nbytes += (unsigned long long)n;
					account(pend + poff + plen, (size_t)n);
					plen += (size_t)n;
				}
			}
			if (plen > 0) {
				n = write(1, pend + poff, plen);
				if (n < 0 && errno != EINTR &&
				    errno != EAGAIN) {
					why = "write error";
					break;
				}
				if (n > 0) {
					poff += (size_t)n;
					plen -= (size_t)n;
					if (plen == 0)
						poff = 0;
				}
			}
		}
	}
	if (stop_sig)
		why = stop_sig == SIGHUP ? "SIGHUP" :
		    stop_sig == SIGTERM ? "SIGTERM" : "SIGINT";
	logline("pppecho %ld end bytes %llu frames %llu badfcs %llu "
	    "marked %llu (%s)\n", (long)getpid(), nbytes, nframes, nbadfcs,
	    nmarked, why);
	return 0;
}
