/*
 * compat imsg: framing over a socket pair, split and coalesced reads,
 * descriptor passing, exact-length payloads, garbage, end of file, and a
 * large burst through non-blocking sockets.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <imsg.h>

static int	npass, nfail;

#define CHECK(cond, what) do {						\
	if (cond) {							\
		npass++;						\
		printf("ok %d - %s\n", npass + nfail, what);		\
	} else {							\
		nfail++;						\
		printf("not ok %d - %s (line %d)\n", npass + nfail,	\
		    what, __LINE__);					\
	}								\
} while (0)

static void
pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
}

int
main(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 im;
	uint32_t	 v, i, got;
	int		 sv[2], p[2], fd, ok;
	char		 c;
	uint8_t		 raw[64];

	/* several messages, one read */
	pair(sv);
	imsgbuf_init(&a, sv[0]);
	imsgbuf_init(&b, sv[1]);
	for (v = 1; v <= 3; v++)
		imsg_compose(&a, 10 + v, v, 0, -1, &v, sizeof(v));
	CHECK(imsgbuf_queuelen(&a) == 3, "three queued");
	CHECK(imsgbuf_write(&a) == 0 && imsgbuf_queuelen(&a) == 0,
	    "written at once");
	CHECK(imsgbuf_read(&b) == 1, "one read");
	ok = 1;
	for (v = 1; v <= 3; v++) {
		if (imsg_get(&b, &im) <= 0 || imsg_get_type(&im) != 10 + v ||
		    imsg_get_id(&im) != v || imsg_get_data(&im, &got,
		    sizeof(got)) == -1 || got != v)
			ok = 0;
		imsg_free(&im);
	}
	CHECK(ok, "three messages, in order, with their payloads");
	CHECK(imsg_get(&b, &im) == 0, "nothing more");

	/* split: one byte at a time */
	v = 0xdeadbeef;
	imsg_compose(&a, 7, 0, 0, -1, &v, sizeof(v));
	{
		/* take the bytes off a's queue by writing to a third pair */
		int s2[2];
		ssize_t n;

		pair(s2);
		a.fd = s2[0];
		imsgbuf_write(&a);
		n = read(s2[1], raw, sizeof(raw));
		close(s2[0]); close(s2[1]);
		a.fd = sv[0];
		ok = n > 0;
		for (i = 0; ok && i < (uint32_t)n; i++) {
			if (imsg_get(&b, &im) != 0)
				ok = 0;
			write(sv[0], raw + i, 1);
			imsgbuf_read(&b);
		}
		CHECK(ok, "no message before its last byte");
		CHECK(imsg_get(&b, &im) > 0 && imsg_get_data(&im, &got,
		    sizeof(got)) == 0 && got == v, "whole after the last byte");
		CHECK(imsg_get_data(&im, raw, 3) == -1 && errno == EBADMSG,
		    "a payload of another length is refused");
		imsg_free(&im);
	}

	/* descriptor passing */
	imsgbuf_allow_fdpass(&b);
	if (pipe(p) == -1)
		abort();
	imsg_compose(&a, 1, 0, 0, p[1], NULL, 0);
	if (pipe(sv) == -1)	/* a second, on the next message */
		abort();
	close(sv[0]);
	imsg_compose(&a, 2, 0, 0, sv[1], NULL, 0);
	imsgbuf_write(&a);
	imsgbuf_read(&b);
	imsgbuf_read(&b);
	fd = -1;
	if (imsg_get(&b, &im) > 0) {
		fd = imsg_get_fd(&im);
		CHECK(imsg_get_fd(&im) == -1, "a descriptor is taken once");
		imsg_free(&im);
	}
	CHECK(fd != -1 && write(fd, "x", 1) == 1 && read(p[0], &c, 1) == 1 &&
	    c == 'x', "a pipe passed over imsg works");
	if (fd != -1)
		close(fd);
	close(p[0]);
	CHECK(imsg_get(&b, &im) > 0 && im.fd != -1,
	    "the second message has its own descriptor");
	imsg_free(&im);

	/* garbage header */
	memset(raw, 0xff, sizeof(raw));
	write(a.fd, raw, 16);
	imsgbuf_read(&b);
	CHECK(imsg_get(&b, &im) == -1, "a garbage header is an error");
	imsgbuf_clear(&b);
	close(b.fd);

	imsgbuf_clear(&a);
	close(a.fd);

	/* end of file */
	pair(sv);
	imsgbuf_init(&b, sv[1]);
	close(sv[0]);
	CHECK(imsgbuf_read(&b) == 0, "end of file reads as 0");
	imsgbuf_clear(&b);
	close(sv[1]);

	/* burst through non-blocking sockets */
	pair(sv);
	imsgbuf_init(&a, sv[0]);
	imsgbuf_init(&b, sv[1]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	for (v = 0; v < 20000; v++)
		imsg_compose(&a, 5, v, 0, -1, raw, (v % 60) + 1);
	got = 0;
	ok = 1;
	while (got < 20000) {
		struct pollfd pf[2] = { { sv[0], POLLOUT, 0 },
		    { sv[1], POLLIN, 0 } };

		if (poll(pf, 2, 2000) <= 0)
			break;
		if (imsgbuf_queuelen(&a) > 0 && imsgbuf_write(&a) == -1)
			break;
		if (imsgbuf_read(&b) == -1)
			break;
		while (imsg_get(&b, &im) > 0) {
			if (imsg_get_id(&im) != got ||
			    imsg_get_len(&im) != (got % 60) + 1)
				ok = 0;
			got++;
			imsg_free(&im);
		}
	}
	CHECK(ok && got == 20000, "20000 messages through non-blocking "
	    "sockets, complete and in order");
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);

	/* descriptors to a receiver that does not take them */
	pair(sv);
	imsgbuf_init(&a, sv[0]);
	imsgbuf_init(&b, sv[1]);
	if (pipe(p) == -1)
		abort();
	imsg_compose(&a, 1, 0, 0, p[1], NULL, 0);
	imsgbuf_write(&a);
	CHECK(imsgbuf_read(&b) == -1, "an unexpected descriptor is an error");
	close(p[0]);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);

	printf("%d passed, %d failed\n", npass, nfail);
	return (nfail != 0);
}
