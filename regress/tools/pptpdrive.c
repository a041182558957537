/*
 * pptpdrive - drive a real PPTP client (pptp-linux) and check the echo
 *
 * usage: pptpdrive [-q] [-n frames] [-t timeout] [-w window] [-g tag]
 *		    [-k seconds] [-r rate] [-s size] [-H seconds | -P file]
 *		    SERVER [pptp options ...]
 *
 * Starts "pptp SERVER --nolaunchpppd [pptp options]" on a pty in raw mode
 * (pptp then takes the pty as its PPP link), writes PPP frames to it in
 * async-HDLC framing (RFC 1662: 0x7E flags, 0x7D escapes of 0x7E, 0x7D and
 * bytes below 0x20, FF 03 address and control, FCS-16) and reads what comes
 * back.  The server side is expected to echo every frame (pppecho), so
 * every frame must come back intact and in order.
 *
 * A test frame is FF 03, a protocol number made from the tag (0x4001 +
 * 2 * (tag % 8192): never LCP, IPCP or IP) and 1 to 1400 bytes of
 * contents derived from the tag and the sequence number; when there is room
 * the contents start with the sequence number and the tag, so a frame out
 * of order is told from a damaged one.  Frames of another protocol (the LCP
 * Configure-Request of pppecho) or another tag (other clients) are ignored.
 * Until the first echo, frame 0 is resent every half second: the call takes
 * a moment to come up.
 *
 *   -n N	frames to echo (default 200)
 *   -t S	seconds allowed for them (default 30)
 *   -w N	frames in flight (default 8)
 *   -g TAG	tag (default: the process id)
 *   -k S	keep echoing for S seconds (at least N frames), checking each:
 *		for tests that disturb the daemon during a session
 *   -r N	at most N frames a second (default: no limit, 200 with -k)
 *   -s N	largest frame contents (default 1400, at most 4000): sizes
 *		cycle through 1..N, every tenth frame is N bytes
 *   -H S	once all frames came back, hold the call S seconds more,
 *		sending nothing, after a line "HOLD: W written, G echoed,
 *		O other": the frames written to pptp (the probes included)
 *		and read from it, for tests that count a call's packets
 *   -P FILE	once all frames came back, pause after a line "PAUSE: W
 *		written, G echoed, O other", sending nothing (what comes back
 *		meanwhile is still checked) until FILE exists, then echo as
 *		many frames again (-n, -k, -r, -t as before): for tests that
 *		do something to the call in between and check that it still
 *		works
 *   -q		quiet: the summary line only on failure
 *
 * One summary line on standard output; when all came back, it says how
 * long the echoes took (from queueing a frame to reading it back; the
 * first frame, probed for, left out).  Exit 0: all echoed; 1: a frame lost,
 * damaged or out of order; 2: setup failure (pptp did not start, or the
 * tunnel never carried a frame).  pptp and the processes it starts (its
 * call manager) are ended and reaped on every exit: first pptp alone with
 * SIGTERM, so that its call manager clears the call and closes the control
 * connection as a normal client would, then what is left of its process
 * group.
 */

#include <sys/ioctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hdlc.h"

#define MAXSIZE		1400		/* largest frame contents, default */
#define FRAME_MAX	(4096 + 64)
#define OUTBUF		(1 << 16)

static volatile sig_atomic_t got_signal;

static pid_t child = -1;		/* pptp, leader of its own group */
static pid_t pgrp = -1;			/* its process group */
static int reaped;
static int master = -1;
static int quiet;
static unsigned long tag;
static size_t maxsize = MAXSIZE;
static unsigned int proto;
static const char *server;

/* Output waiting for room in the pty. */
static unsigned char outbuf[OUTBUF];
static size_t outlen;

/* Input frame being assembled. */
static unsigned char in[FRAME_MAX + 8];
static struct hdlc_rx rx = { in, sizeof(in), 0, 0, 0 };

/* Counters. */
static unsigned long sent, got, other, dups, written;
static double t_start, t_first = -1, last_probe = -1;
/* When each frame in flight was queued; round trips of those echoed. */
#define SENT_RING	1024		/* more than the largest window */
static double sent_at[SENT_RING], rtt_max, rtt_sum;
static unsigned long rtt_n;

/* Limits: frames in flight, frames a second (0: none). */
static unsigned long window = 8;
static double rate = -1;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Size of the contents of frame seq: 1..1400, the largest every tenth. */
static size_t
frame_size(unsigned long seq)
{
	if (seq == 0)
		return 64;
	if (seq % 10 == 9)
		return maxsize;
	return 1 + (seq * 337) % maxsize;
}

/* The contents of frame seq (its size is frame_size(seq)). */
static size_t
frame_contents(unsigned long seq, unsigned char *p)
{
	size_t n = frame_size(seq), i = 0;
	uint32_t x = (uint32_t)(seq * 2654435761u) ^ (uint32_t)tag ^
	    0x9e3779b9u;

	if (n >= 4) {
		p[0] = seq >> 24; p[1] = seq >> 16;
		p[2] = seq >> 8; p[3] = seq;
		i = 4;
	}
	if (n >= 8) {
		p[4] = tag >> 24; p[5] = tag >> 16;
		p[6] = tag >> 8; p[7] = tag;
		i = 8;
	}
	for (; i < n; i++) {
		/* xorshift32: every byte value turns up, flags and escapes too */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)(x >> 11);
	}
	return n;
}

static void
summary(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
summary(const char *fmt, ...)
{
	va_list ap;

	printf("pptpdrive %s tag %lu: ", server, tag);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Flush what waits for the pty; -1 when pptp is gone. */
static int
flush_out(void)
{
	while (outlen > 0) {
		ssize_t w = write(master, outbuf, outlen);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -1;
		}
		memmove(outbuf, outbuf + w, outlen - (size_t)w);
		outlen -= (size_t)w;
	}
	return 0;
}

/* Queue frame seq, HDLC framed; 0 when there was no room. */
static int
queue_frame(unsigned long seq)
{
	unsigned char f[FRAME_MAX];
	size_t n;

	if (outlen + 2 * FRAME_MAX + 4 > sizeof(outbuf))
		return 0;
	f[0] = 0xff;
	f[1] = 0x03;
	f[2] = proto >> 8;
	f[3] = proto & 0xff;
	n = 4 + frame_contents(seq, f + 4);
	outlen += hdlc_frame(outbuf + outlen, f, n);
	written++;
	return 1;
}

/*
 * Check one received frame (FCS included).  Returns 0 to go on, 1 for a
 * failure (already reported).
 */
static int
check_frame(const unsigned char *f, size_t n)
{
	unsigned char want[FRAME_MAX];
	const unsigned char *c;
	size_t cn, wn;
	unsigned long s;

	if (n < 4)
		return 0;		/* runt between flags: ignore */
	if (fcs16(0xffff, f, n) != HDLC_FCS_GOOD) {
		summary("FAIL: a frame of %zu bytes with a bad FCS after %lu "
		    "good frames", n, got);
		return 1;
	}
	n -= 2;
	if (n < 4 || f[0] != 0xff || f[1] != 0x03 ||
	    (unsigned int)(f[2] << 8 | f[3]) != proto) {
		other++;		/* LCP of pppecho, another client */
		return 0;
	}
	c = f + 4;
	cn = n - 4;
	if (cn >= 4) {
		s = (unsigned long)c[0] << 24 | (unsigned long)c[1] << 16 |
		    (unsigned long)c[2] << 8 | c[3];
		if (s == 0 && got > 0 && cn == frame_size(0)) {
			dups++;		/* a resent first frame */
			return 0;
		}
		if (s != got && s < sent) {
			summary("FAIL: frame %lu came back when %lu was "
			    "expected (%s)", s, got,
			    s < got ? "duplicate" : "out of order or lost");
			return 1;
		}
	}
	wn = frame_contents(got, want);
	if (cn != wn || memcmp(c, want, wn) != 0) {
		summary("FAIL: frame %lu damaged: %zu bytes back, %zu sent%s",
		    got, cn, wn, cn == wn ? ", contents differ" : "");
		return 1;
	}
	if (got == 0)
		t_first = now();
	else {
		double rtt = now() - sent_at[got % SENT_RING];

		if (rtt > rtt_max)
			rtt_max = rtt;
		rtt_sum += rtt;
		rtt_n++;
	}
	got++;
	return 0;
}

/* Feed bytes read from the pty; 1 on a failure. */
static int
feed(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!hdlc_take(&rx, p[i]))
			continue;
		if (!rx.over && rx.len > 0 && check_frame(in, rx.len))
			return 1;
		hdlc_rx_reset(&rx);
	}
	return 0;
}

static int
group_alive(pid_t pg)
{
	return kill(-pg, 0) == 0 || errno == EPERM;
}

/* Wait up to secs for pid to exit (reaping it); 1 if it did. */
static int
reap(pid_t pid, double secs)
{
	double end = now() + secs;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid || (r == -1 && errno == ECHILD))
			return 1;
		if (now() > end)
			return 0;
		usleep(10000);
	}
}

/*
 * End pptp as a user would (SIGTERM: it closes its call, the call manager
 * clears the call and stops the control connection), then whatever is left
 * of its process group, harder and harder.
 */
static void
cleanup(void)
{
	double end;

	if (pgrp <= 0)
		return;
	if (!reaped) {
		kill(child, SIGTERM);
		reaped = reap(child, 1);
	}
	/*
	 * pptp leaves at once on SIGTERM, or never: its handler longjmps
	 * to a shutdown that closes its call manager socket and calls
	 * exit(), and the call manager, seeing that socket close, sends it
	 * SIGTERM too; landing inside exit(), that one re-enters exit()
	 * from the handler, which then waits forever for glibc's exit lock
	 * (__exit_funcs_lock).  Its call manager is not held up by that
	 * (the socket is closed): end pptp now, and wait for the call
	 * manager below.
	 */
	if (!reaped) {
		kill(child, SIGKILL);
		reaped = reap(child, 2);
	}
	/*
	 * The call manager writes its Call-Clear-Request and goes with
	 * pptp (the hangup of pptp's terminal), within milliseconds; 8 s
	 * at most, in case it has a Stop exchange of its own to finish.
	 */
	end = now() + 8;
	while (group_alive(pgrp) && now() < end)
		usleep(20000);
	if (master >= 0) {
		close(master);
		master = -1;
	}
	if (group_alive(pgrp)) {
		kill(-pgrp, SIGTERM);
		end = now() + 1;
		while (group_alive(pgrp) && now() < end)
			usleep(20000);
	}
	if (group_alive(pgrp))
		kill(-pgrp, SIGKILL);
	if (!reaped) {
		kill(child, SIGKILL);
		reap(child, 2);
	}
	pgrp = -1;
}

/*
 * Echo nframes frames (or for keep seconds, at least nframes) after the
 * sent0 sent so far, at most window in flight and rate a second (0: no
 * limit), within timeout (plus keep) seconds of p_start.  0: all came
 * back, 1: a failure, 2: a setup failure (both reported).
 */
static int
echo_run(unsigned long nframes, double keep, double timeout, double p_start)
{
	unsigned long sent0 = sent, total;
	double t, deadline;
	int rc = 2, stopping = 0;

	deadline = p_start + timeout + keep;
	total = sent0 + nframes;
	for (;;) {
		struct pollfd pfd;
		unsigned char buf[16384];
		double wait_s;
		ssize_t n;

		t = now();
		if (got_signal) {
			summary("FAIL: signal %d after %lu/%lu frames",
			    (int)got_signal, got, total);
			rc = got > 0 ? 1 : 2;
			break;
		}
		if (!stopping && (keep > 0 ? (t - p_start >= keep &&
		    sent - sent0 >= nframes) : sent - sent0 >= nframes)) {
			stopping = 1;
			total = sent;
		}
		if (keep > 0 && !stopping)
			total = sent;
		if (stopping && got >= total && got > 0) {
			rc = 0;
			break;
		}
		if (t > deadline) {
			if (got == 0) {
				summary("SETUP: no frame came back within "
				    "%.0f s: no tunnel", timeout + keep);
				rc = 2;
			} else {
				summary("FAIL: %lu/%lu frames came back "
				    "within %.0f s (frame %lu lost)", got,
				    total, timeout + keep, got);
				rc = 1;
			}
			break;
		}

		/* What to send: the probe until the tunnel works, then more. */
		if (got == 0) {
			if (last_probe < 0 || t - last_probe >= 0.5) {
				if (queue_frame(0)) {
					last_probe = t;
					if (sent == 0)
						sent = 1;
				}
			}
		} else {
			while (!stopping && sent - got < window &&
			    (rate == 0 || sent - sent0 < rate * (t - (sent0 > 0 ?
			    p_start : t_first)) + 1) &&
			    (keep > 0 || sent - sent0 < nframes) &&
			    queue_frame(sent))
				sent_at[sent++ % SENT_RING] = now();
		}
		if (flush_out() == -1) {
			summary("%s: pptp went away after %lu/%lu frames",
			    got ? "FAIL" : "SETUP", got, total);
			rc = got ? 1 : 2;
			break;
		}

		wait_s = deadline - t;
		if (got == 0 && wait_s > 0.1)
			wait_s = 0.1;
		if (rate > 0 && wait_s > 1.0 / rate)
			wait_s = 1.0 / rate;
		if (wait_s > 0.5)
			wait_s = 0.5;
		if (wait_s < 0.001)
			wait_s = 0.001;
		pfd.fd = master;
		pfd.events = POLLIN | (outlen ? POLLOUT : 0);
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)(wait_s * 1000)) < 0 && errno != EINTR) {
			summary("SETUP: poll: %s", strerror(errno));
			break;
		}
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(master, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			int st = 0;

			if (waitpid(child, &st, WNOHANG) == child)
				reaped = 1;	/* its group may live on */
			summary("%s: pptp exited after %lu/%lu frames%s",
			    got ? "FAIL" : "SETUP", got, total,
			    got ? "" : " (no tunnel: server refused or "
			    "unreachable?)");
			rc = got ? 1 : 2;
			break;
		}
		if (feed(buf, (size_t)n)) {
			rc = 1;
			break;
		}
	}
	return rc;
}

/*
 * Send nothing until file exists, at most secs seconds, checking what
 * still comes back: 0, or 1 on a failure (reported).
 */
static int
pause_until(const char *file, double secs)
{
	double end = now() + secs;
	struct pollfd pfd;
	unsigned char buf[16384];
	ssize_t n;

	while (access(file, F_OK) == -1) {
		if (got_signal) {
			summary("FAIL: signal %d while paused after %lu frames",
			    (int)got_signal, got);
			return 1;
		}
		if (now() > end) {
			summary("FAIL: paused %.0f s after %lu frames, no %s",
			    secs, got, file);
			return 1;
		}
		pfd.fd = master;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 100) <= 0 ||
		    !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(master, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			summary("FAIL: pptp exited while paused after %lu "
			    "frames", got);
			return 1;
		}
		if (feed(buf, (size_t)n))
			return 1;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pptpdrive [-q] [-n frames] [-t timeout] "
	    "[-w window] [-g tag] [-k seconds] [-r rate] [-s size] "
	    "[-H seconds | -P file] SERVER [pptp options ...]\n");
	exit(2);
}

static double
number(const char *s, double min, double max)
{
	char *e;
	double v = strtod(s, &e);

	if (e == s || *e != '\0' || v < min || v > max)
		usage();
	return v;
}

int
main(int argc, char *argv[])
{
	unsigned long nframes = 200;
	double timeout = 30, keep = 0, t;
	double hold = 0;
	const char *pause_file = NULL;
	struct sigaction sa;
	struct termios raw;
	char **av;
	int c, i, ac, rc;

	tag = (unsigned long)getpid();
	/* "+": options end at SERVER; what follows is for pptp. */
	while ((c = getopt(argc, argv, "+g:H:k:n:P:qr:s:t:w:")) != -1) {
		switch (c) {
		case 'P': pause_file = optarg; break;
		case 'H': hold = number(optarg, 0, 86400); break;
		case 'g': tag = (unsigned long)number(optarg, 0, 4294967295.0);
			break;
		case 'k': keep = number(optarg, 0, 86400); break;
		case 'n': nframes = (unsigned long)number(optarg, 1, 1e9);
			break;
		case 'q': quiet = 1; break;
		case 'r': rate = number(optarg, 0, 1e9); break;
		case 's': maxsize = (size_t)number(optarg, 1, 4000); break;
		case 't': timeout = number(optarg, 0.1, 86400); break;
		case 'w': window = (unsigned long)number(optarg, 1, 1000);
			break;
		default: usage();
		}
	}
	if (optind >= argc || (pause_file != NULL && hold > 0))
		usage();
	server = argv[optind];
	proto = 0x4001 + 2 * (unsigned int)(tag % 8192);
	if (rate < 0)
		rate = keep > 0 ? 200 : 0;

	ac = argc - optind;
	av = calloc((size_t)ac + 3, sizeof(*av));
	if (av == NULL)
		return 2;
	av[0] = "pptp";
	av[1] = argv[optind];
	av[2] = "--nolaunchpppd";
	for (i = 1; i < ac; i++)
		av[2 + i] = argv[optind + i];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&raw, 0, sizeof(raw));
	cfmakeraw(&raw);
	cfsetispeed(&raw, B38400);
	cfsetospeed(&raw, B38400);
	t_start = now();
	child = forkpty(&master, NULL, &raw, NULL);
	if (child == -1) {
		summary("SETUP: forkpty: %s", strerror(errno));
		return 2;
	}
	if (child == 0) {
		execvp(av[0], av);
		fprintf(stderr, "pptpdrive: exec pptp: %s\n", strerror(errno));
		_exit(127);
	}
	pgrp = child;		/* forkpty: the child leads a new session */
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

	rc = echo_run(nframes, keep, timeout, t_start);
	if (rc == 0 && pause_file != NULL) {
		summary("PAUSE: %lu written, %lu echoed, %lu other", written,
		    got, other);
		rc = pause_until(pause_file, timeout + keep);
		if (rc == 0)
			rc = echo_run(nframes, keep, timeout, now());
	}
	if (rc == 0 && hold > 0) {
		summary("HOLD: %lu written, %lu echoed, %lu other", written,
		    got, other);
		for (t = now(); now() - t < hold && !got_signal; ) {
			struct pollfd pfd;
			unsigned char buf[16384];

			pfd.fd = master;
			pfd.events = POLLIN;
			pfd.revents = 0;
			if (poll(&pfd, 1, 100) <= 0)
				continue;
			if (read(master, buf, sizeof(buf)) <= 0)
				break;
		}
	}
	if (rc == 0 && !quiet)
		summary("ok: %lu/%lu frames of 1..%zu bytes echoed intact and "
		    "in order in %.2f s (tunnel up after %.2f s, %lu other "
		    "frames ignored; echoes after %.0f ms at most, %.0f ms "
		    "on average)", got, sent, maxsize, now() - t_start,
		    t_first - t_start, other, rtt_max * 1000,
		    rtt_n ? rtt_sum / rtt_n * 1000 : 0.0);
	cleanup();
	return rc;
}
