/*
 * imsg channels on the event loop (imsgev_* in proc.c), as the parent
 * uses them towards its children: a descriptor on a channel that does
 * not carry them is closed and reported as a violation; a channel whose
 * owner allows them gets them; at most maxmsgs messages are handled per
 * wake-up; a peer that does not read its answers is not read either
 * once more than outmax wait for it.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "check.h"

static struct event_base	*base;
static int			 handled, closed, bad, gotfd = -1;
static char			 badwhat[128];
static int			 reply;		/* answer each message */
static char			 big[8000];

static void
dispatch(struct imsgev *iev, struct imsg *imsg)
{
	int	fd;

	handled++;
	if ((fd = imsg_get_fd(imsg)) != -1) {
		if (gotfd != -1)
			close(gotfd);
		gotfd = fd;
	}
	if (reply)
		imsgev_compose(iev, 2, 0, -1, big, sizeof(big));
}

static void
on_closed(struct imsgev *iev)
{
	closed++;
}

static void
on_bad(struct imsgev *iev, const char *what)
{
	bad++;
	strlcpy(badwhat, what, sizeof(badwhat));
}

/* Send a message with a descriptor on fd, by hand (the wire format). */
static void
send_fd(struct imsgbuf *ib, int fd)
{
	if (imsg_compose(ib, 1, 0, 0, fd, "x", 1) == -1 ||
	    imsgbuf_flush(ib) == -1) {
		perror("imsg_compose");
		exit(2);
	}
}

static void
loop(int times)
{
	int	i;

	for (i = 0; i < times; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

static void
xsocketpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		perror("socketpair");
		exit(2);
	}
}

static int
pipe_eof(int rfd)
{
	char	c;

	return (read(rfd, &c, 1) == 0);
}

int
main(void)
{
	struct imsgev	 iev;
	struct imsgbuf	 peer;
	struct imsg	 m;
	int		 sv[2], pp[2], i, sz, n;

	log_init(1, LOG_LVL_INFO, NULL);
	if ((base = event_base_new()) == NULL)
		return (2);

	/* A channel that carries no descriptors (the parent's). */
	xsocketpair(sv);
	memset(&iev, 0, sizeof(iev));
	imsgev_init(&iev, base, sv[0], "child", dispatch, on_closed);
	iev.bad = on_bad;
	imsgbuf_init(&peer, sv[1]);
	imsgbuf_allow_fdpass(&peer);
	if (pipe(pp) == -1)
		return (2);
	fcntl(pp[0], F_SETFL, O_NONBLOCK);
	send_fd(&peer, pp[1]);		/* the message closes our copy */
	loop(3);
	CHECK(bad == 1 && closed == 0 && handled == 0, "a descriptor on a "
	    "channel without descriptors: a violation (%s), nothing handled",
	    badwhat);
	CHECK(pipe_eof(pp[0]), "and the descriptor is closed");
	close(pp[0]);
	event_del(&iev.ev);
	imsgbuf_clear(&iev.ibuf);
	imsgbuf_clear(&peer);
	close(sv[0]);
	close(sv[1]);

	/* A channel whose owner allows them (a child's, to the parent). */
	xsocketpair(sv);
	bad = handled = 0;
	memset(&iev, 0, sizeof(iev));
	imsgbuf_init(&iev.ibuf, sv[0]);
	imsgbuf_allow_fdpass(&iev.ibuf);
	imsgev_init(&iev, base, -1, "parent", dispatch, on_closed);
	imsgbuf_init(&peer, sv[1]);
	imsgbuf_allow_fdpass(&peer);
	if (pipe(pp) == -1)
		return (2);
	send_fd(&peer, pp[1]);
	loop(3);
	CHECK(bad == 0 && handled == 1 && gotfd != -1,
	    "allowed: the message comes with its descriptor");
	close(gotfd);
	gotfd = -1;
	close(pp[0]);
	event_del(&iev.ev);
	imsgbuf_clear(&iev.ibuf);
	imsgbuf_clear(&peer);
	close(sv[0]);
	close(sv[1]);

	/* At most maxmsgs per wake-up. */
	xsocketpair(sv);
	bad = handled = 0;
	memset(&iev, 0, sizeof(iev));
	imsgev_init(&iev, base, sv[0], "child", dispatch, on_closed);
	iev.bad = on_bad;
	iev.maxmsgs = 64;
	imsgbuf_init(&peer, sv[1]);
	for (i = 0; i < 200; i++)
		imsg_compose(&peer, 1, 0, 0, -1, NULL, 0);
	imsgbuf_flush(&peer);
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	CHECK(handled == 64, "200 messages waiting, maxmsgs 64: 64 handled "
	    "in one wake-up (%d)", handled);
	loop(10);
	CHECK(handled == 200, "and the rest in the next ones (%d)", handled);

	/*
	 * A peer that does not read its answers: with outmax 8, the
	 * channel stops reading once more than 8 wait (and what the
	 * socket holds); when the peer reads, it goes on.
	 */
	handled = 0;
	iev.maxmsgs = 0;
	iev.outmax = 8;
	reply = 1;
	sz = 16384;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	for (i = 0; i < 500; i++)
		imsg_compose(&peer, 1, 0, 0, -1, NULL, 0);
	imsgbuf_flush(&peer);
	loop(50);
	n = handled;
	CHECK(n > 8 && n < 100 && imsgbuf_queuelen(&iev.ibuf) == 9,
	    "500 requests, answers not read: %d handled, %u answers queued "
	    "(outmax 8 + 1)", n, imsgbuf_queuelen(&iev.ibuf));
	loop(50);
	CHECK(handled == n, "no more handled while the peer reads nothing "
	    "(%d)", handled);
	for (i = 0; i < 2000 && handled < 500; i++) {
		while (imsgbuf_read(&peer) == 1) {
			while (imsg_get(&peer, &m) > 0)
				imsg_free(&m);
			if (errno == EAGAIN)
				break;
		}
		loop(1);
	}
	CHECK(handled == 500, "the peer reads: all 500 handled (%d)",
	    handled);
	CHECK(bad == 0 && closed == 0, "no violation, not closed");
	event_del(&iev.ev);
	evtimer_del(&iev.more);
	imsgbuf_clear(&iev.ibuf);
	imsgbuf_clear(&peer);
	close(sv[0]);
	close(sv[1]);
	event_base_free(base);
	CHECK_DONE();
}
