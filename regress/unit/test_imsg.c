/*
 * compat imsg over socket pairs: several messages in one read, a message
 * split over many reads, descriptors passed one per message and queued,
 * exact-length payloads, bad headers, end of file, a long burst through
 * non-blocking sockets that fill up, and descriptors sent to a receiver
 * that does not take them.  Only the interface of imsg(3) is used, and
 * struct imsg_hdr's named fields to write messages by hand, so the test
 * holds for any implementation of it.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <imsg.h>

static int	npass, nfail;

static void	check(int, int, const char *, ...)
		    __attribute__((__format__(__printf__, 3, 4)));
#define CHECK(cond, ...) do {						\
	int	ok_ = (cond) ? 1 : 0;					\
	check(ok_, __LINE__, __VA_ARGS__);				\
} while (0)

static void
check(int ok, int line, const char *fmt, ...)
{
	va_list	ap;

	if (ok) {
		npass++;
		printf("ok %d - ", npass + nfail);
	} else {
		nfail++;
		printf("not ok %d - (line %d) ", npass + nfail, line);
	}
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static struct imsgbuf	a, b;	/* a writes, b reads */
static int		sv[2];

static void
open_pair(void)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    imsgbuf_init(&a, sv[0]) == -1 || imsgbuf_init(&b, sv[1]) == -1) {
		perror("socketpair");
		exit(1);
	}
}

static void
close_pair(void)
{
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sv[0]);
	close(sv[1]);
}

/* Descriptors the process has open. */
static int
nfds(void)
{
	DIR	*d;
	int	 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return (-1);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return (n);
}

static int
isopen(int fd)
{
	return (fcntl(fd, F_GETFD) != -1);
}

/* Nothing left to read on fd right now. */
static int
drained(int fd)
{
	char	c;

	return (recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) == -1 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK));
}

/* The bytes of one message, as the wire has them. */
static size_t
raw_msg(uint8_t *buf, uint32_t type, uint32_t id, const void *data,
    size_t len)
{
	struct imsg_hdr	hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = IMSG_HEADER_SIZE + len;
	hdr.peerid = id;
	hdr.pid = 4242;
	memcpy(buf, &hdr, sizeof(hdr));
	if (len > 0)
		memcpy(buf + sizeof(hdr), data, len);
	return (IMSG_HEADER_SIZE + len);
}

/* A header only, claiming a total length of len. */
static size_t
raw_hdr(uint8_t *buf, uint32_t len)
{
	struct imsg_hdr	hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = 1;
	hdr.len = len;
	memcpy(buf, &hdr, sizeof(hdr));
	return (sizeof(hdr));
}

static void
fill(uint8_t *p, size_t len, uint32_t seed)
{
	size_t	i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7);
}

static int
filled(const uint8_t *p, size_t len, uint32_t seed)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seed * 31 + i * 7))
			return (0);
	return (1);
}

static void
test_coalesced(void)
{
	struct imsg	 im;
	struct iovec	 iov[3];
	uint8_t		 big[1000], got[1000];
	uint32_t	 v = 0x01020304, w = 0;
	int		 ok, i;

	open_pair();
	fill(big, sizeof(big), 9);
	CHECK(imsg_compose(&a, 10, 1, 0, -1, &v, sizeof(v)) == 1 &&
	    imsg_compose(&a, 11, 2, 77, -1, NULL, 0) == 1 &&
	    imsg_compose(&a, 12, 3, 0, -1, big, sizeof(big)) == 1,
	    "compose: three messages queued");
	iov[0].iov_base = big;
	iov[0].iov_len = 10;
	iov[1].iov_base = NULL;
	iov[1].iov_len = 0;
	iov[2].iov_base = big + 10;
	iov[2].iov_len = 20;
	CHECK(imsg_composev(&a, 13, 4, 0, -1, iov, 3) == 1 &&
	    imsgbuf_queuelen(&a) == 4, "composev: a fourth of three parts");
	CHECK(imsgbuf_write(&a) == 0 && imsgbuf_queuelen(&a) == 0,
	    "written in one go");
	CHECK(imsgbuf_read(&b) == 1 && drained(sv[1]),
	    "one read takes all four");

	ok = imsg_get(&b, &im) == (ssize_t)(IMSG_HEADER_SIZE + 4) &&
	    imsg_get_type(&im) == 10 && imsg_get_id(&im) == 1 &&
	    imsg_get_pid(&im) == getpid() && imsg_get_len(&im) == 4 &&
	    imsg_get_fd(&im) == -1 &&
	    imsg_get_data(&im, &w, sizeof(w)) == 0 && w == v;
	imsg_free(&im);
	CHECK(ok, "first: type, id, our pid, 4 bytes of payload");
	ok = imsg_get(&b, &im) == (ssize_t)IMSG_HEADER_SIZE &&
	    imsg_get_type(&im) == 11 && imsg_get_pid(&im) == 77 &&
	    imsg_get_len(&im) == 0;
	imsg_free(&im);
	CHECK(ok, "second: no payload, the pid given");
	ok = imsg_get(&b, &im) > 0 && imsg_get_type(&im) == 12 &&
	    imsg_get_data(&im, got, sizeof(got)) == 0 &&
	    memcmp(got, big, sizeof(big)) == 0;
	imsg_free(&im);
	CHECK(ok, "third: 1000 bytes of payload intact");
	ok = imsg_get(&b, &im) > 0 && imsg_get_type(&im) == 13 &&
	    imsg_get_data(&im, got, 30) == 0 && memcmp(got, big, 30) == 0;
	imsg_free(&im);
	CHECK(ok, "fourth: the parts joined");
	CHECK(imsg_get(&b, &im) == 0, "then nothing");

	/* imsg_forward: the same message again */
	imsg_compose(&a, 20, 5, 0, -1, &v, sizeof(v));
	imsgbuf_write(&a);
	imsgbuf_read(&b);
	ok = imsg_get(&b, &im) > 0 && imsg_forward(&a, &im) == 1;
	imsg_free(&im);
	imsgbuf_write(&a);
	imsgbuf_read(&b);
	ok &= imsg_get(&b, &im) > 0 && imsg_get_type(&im) == 20 &&
	    imsg_get_id(&im) == 5 && imsg_get_data(&im, &w, 4) == 0 &&
	    w == v;
	imsg_free(&im);
	CHECK(ok, "imsg_forward sends it on unchanged");

	/* one read, many messages: more than fit in one recvmsg */
	for (i = 0; i < 600; i++)
		imsg_compose(&a, 30, (uint32_t)i, 0, -1, big, 50);
	ok = imsgbuf_flush(&a) == 0;
	for (i = 0; i < 600 && ok; ) {
		ssize_t	n;

		if (imsgbuf_read(&b) != 1)
			ok = 0;
		while ((n = imsg_get(&b, &im)) > 0) {
			if (imsg_get_id(&im) != (uint32_t)i++)
				ok = 0;
			imsg_free(&im);
		}
		if (n == -1)
			ok = 0;
	}
	CHECK(ok && i == 600, "600 messages (40 KB) flushed, read in a few "
	    "reads, in order");
	close_pair();
}

static void
test_split(void)
{
	struct imsg	 im;
	uint8_t		 wire[256], data[40];
	size_t		 n, m, i, k;
	uint32_t	 id;
	int		 ok, early;

	open_pair();
	fill(data, sizeof(data), 1);
	n = raw_msg(wire, 7, 4711, data, sizeof(data));
	early = 0;
	ok = 1;
	for (i = 0; i < n; i++) {
		if (write(sv[0], wire + i, 1) != 1 || imsgbuf_read(&b) != 1)
			ok = 0;
		if (i + 1 < n && imsg_get(&b, &im) != 0)
			early = 1;
	}
	CHECK(ok && !early, "%zu bytes written one at a time, one read each: "
	    "no message before the last", n);
	ok = imsg_get(&b, &im) == (ssize_t)n && imsg_get_type(&im) == 7 &&
	    imsg_get_id(&im) == 4711 && imsg_get_pid(&im) == 4242 &&
	    imsg_get_len(&im) == sizeof(data);
	CHECK(ok, "whole after the last byte: type, id, pid as written");
	memset(wire, 0, sizeof(wire));
	ok = imsg_get_data(&im, wire, sizeof(data)) == 0 &&
	    filled(wire, sizeof(data), 1);
	CHECK(ok, "payload as written");
	errno = 0;
	CHECK(imsg_get_data(&im, wire, sizeof(data) - 1) == -1 &&
	    errno == EBADMSG, "imsg_get_data one byte short: -1, EBADMSG");
	errno = 0;
	CHECK(imsg_get_data(&im, wire, sizeof(data) + 1) == -1 &&
	    errno == EBADMSG, "imsg_get_data one byte long: -1, EBADMSG");
	errno = 0;
	CHECK(imsg_get_data(&im, wire, 0) == -1 && errno != 0,
	    "imsg_get_data of 0 bytes: -1");
	imsg_free(&im);
	CHECK(imsg_get(&b, &im) == 0, "nothing more");

	/* Header-only message: imsg_get_data refuses any length. */
	n = raw_msg(wire, 8, 1, NULL, 0);
	write(sv[0], wire, n);
	imsgbuf_read(&b);
	ok = imsg_get(&b, &im) == (ssize_t)n && imsg_get_len(&im) == 0;
	errno = 0;
	ok &= imsg_get_data(&im, data, 4) == -1 && errno == EBADMSG;
	imsg_free(&im);
	CHECK(ok, "a message without payload: imsg_get_data(4) -1, "
	    "EBADMSG");

	/* Five messages written in chunks of 7 bytes across boundaries. */
	n = 0;
	for (id = 0; id < 5; id++)
		n += raw_msg(wire + n, 9, id, data, id * 3);
	ok = 1;
	id = 0;
	for (i = 0; i < n; i += m) {
		m = n - i < 7 ? n - i : 7;
		if (write(sv[0], wire + i, m) != (ssize_t)m ||
		    imsgbuf_read(&b) != 1)
			ok = 0;
		while (imsg_get(&b, &im) > 0) {
			k = imsg_get_len(&im);
			if (imsg_get_id(&im) != id || k != id * 3 ||
			    (k > 0 && memcmp(im.data, data, k) != 0))
				ok = 0;
			id++;
			imsg_free(&im);
		}
	}
	CHECK(ok && id == 5, "five messages in 7-byte writes: each whole "
	    "once its last byte is in, in order");
	close_pair();
}

/* A message with the write end of a new pipe; its read end in *rd. */
static int
compose_pipe(uint32_t type, uint32_t id, int *rd, int *wr)
{
	int	p[2];

	if (pipe(p) == -1)
		return (-1);
	*rd = p[0];
	if (wr != NULL)
		*wr = p[1];
	return (imsg_compose(&a, type, id, 0, p[1], &id, sizeof(id)));
}

/* Write c through fd, read it back from rd. */
static int
through(int fd, int rd, char c)
{
	char	got = 0;

	return (write(fd, &c, 1) == 1 && read(rd, &got, 1) == 1 && got == c);
}

/* Read until n messages are there; put them in im[]. */
static int
get_n(struct imsg *im, int n)
{
	int	got = 0, tries = 0;
	ssize_t	r = 0;

	while (got < n && tries++ < 100) {
		while (got < n && (r = imsg_get(&b, &im[got])) > 0)
			got++;
		if (r == -1)
			return (-1);
		if (got < n && imsgbuf_read(&b) != 1)
			return (-1);
	}
	return (got);
}

static void
test_fdpass(void)
{
	struct imsg	 im[8];
	int		 rd[4], wr[4], fd, i, ok, before;
	char		 c;

	before = nfds();
	open_pair();
	imsgbuf_allow_fdpass(&b);

	/* one descriptor */
	CHECK(compose_pipe(1, 100, &rd[0], &wr[0]) == 1 &&
	    imsgbuf_queuelen(&a) == 1, "a message with a pipe's write end "
	    "queued");
	CHECK(isopen(wr[0]), "the sender's descriptor stays open until sent");
	CHECK(imsgbuf_write(&a) == 0 && imsgbuf_queuelen(&a) == 0 &&
	    !isopen(wr[0]), "written; the sender's copy closed");
	CHECK(get_n(im, 1) == 1 && imsg_get_type(&im[0]) == 1 &&
	    imsg_get_len(&im[0]) == 4, "received");
	fd = imsg_get_fd(&im[0]);
	CHECK(fd != -1 && imsg_get_fd(&im[0]) == -1,
	    "its descriptor is there, and taken only once");
	CHECK(fd != -1 && through(fd, rd[0], 'x'),
	    "written through the passed descriptor, read from the pipe");
	imsg_free(&im[0]);
	close(fd);
	CHECK(read(rd[0], &c, 1) == 0, "closed: the pipe sees end of file");
	close(rd[0]);

	/* three descriptors on consecutive messages, one plain among them */
	ok = compose_pipe(2, 0, &rd[0], &wr[0]) == 1 &&
	    compose_pipe(2, 1, &rd[1], &wr[1]) == 1 &&
	    imsg_compose(&a, 3, 9, 0, -1, NULL, 0) == 1 &&
	    compose_pipe(2, 2, &rd[2], &wr[2]) == 1;
	CHECK(ok && imsgbuf_flush(&a) == 0 && !isopen(wr[0]) &&
	    !isopen(wr[1]) && !isopen(wr[2]),
	    "three pipes and a plain message sent; the sender's copies closed");
	ok = get_n(im, 4) == 4;
	for (i = 0; ok && i < 4; i++) {
		if (i == 2) {
			ok &= imsg_get_type(&im[i]) == 3 &&
			    imsg_get_fd(&im[i]) == -1;
			continue;
		}
		fd = imsg_get_fd(&im[i]);
		ok &= fd != -1 && imsg_get_type(&im[i]) == 2 &&
		    through(fd, rd[i < 2 ? i : 2], (char)('a' + i));
		close(fd);
	}
	CHECK(ok, "each descriptor arrives with its own message, in order; "
	    "the plain one has none");
	for (i = 0; i < 4; i++)
		imsg_free(&im[i]);
	for (i = 0; i < 3; i++)
		close(rd[i]);

	/* a descriptor not claimed is closed by imsg_free */
	compose_pipe(4, 0, &rd[0], NULL);
	imsgbuf_write(&a);
	ok = get_n(im, 1) == 1 && im[0].fd != -1;
	imsg_free(&im[0]);
	CHECK(ok && im[0].fd == -1 && read(rd[0], &c, 1) == 0,
	    "a descriptor not taken is closed by imsg_free");
	close(rd[0]);

	/* descriptors received, not yet claimed, closed by imsgbuf_clear */
	compose_pipe(5, 0, &rd[0], NULL);
	compose_pipe(5, 1, &rd[1], NULL);
	imsgbuf_flush(&a);
	if (fcntl(sv[1], F_SETFL, O_NONBLOCK) == -1)
		abort();
	for (i = 0; i < 10; i++)
		imsgbuf_read(&b);
	CHECK(drained(sv[1]), "two messages with descriptors read, not taken");
	close_pair();
	CHECK(read(rd[0], &c, 1) == 0 && read(rd[1], &c, 1) == 0,
	    "imsgbuf_clear closes them");
	close(rd[0]);
	close(rd[1]);

	/* queued, never sent: closed by imsgbuf_clear */
	open_pair();
	compose_pipe(6, 0, &rd[0], &wr[0]);
	close_pair();
	CHECK(!isopen(wr[0]) && read(rd[0], &c, 1) == 0,
	    "a descriptor queued and never sent is closed by imsgbuf_clear");
	close(rd[0]);

	/* too big a message: refused, its descriptor closed */
	open_pair();
	{
		static uint8_t	huge[MAX_IMSGSIZE];

		if (pipe(rd) == -1)
			abort();
		errno = 0;
		ok = imsg_compose(&a, 7, 0, 0, rd[1], huge, sizeof(huge)) ==
		    -1 && errno == ERANGE && imsgbuf_queuelen(&a) == 0;
		CHECK(ok && !isopen(rd[1]) && read(rd[0], &c, 1) == 0,
		    "a message over the size limit: -1, ERANGE, descriptor "
		    "closed");
		close(rd[0]);
		CHECK(imsg_compose(&a, 7, 0, 0, -1, huge, sizeof(huge) -
		    IMSG_HEADER_SIZE) == 1, "one at the limit is taken");
	}
	close_pair();
	CHECK(nfds() == before, "no descriptor left open (%d before, %d "
	    "after)", before, nfds());
}

static void
test_bad(void)
{
	struct imsg	 im;
	uint8_t		 wire[64], junk[64];
	size_t		 n;
	int		 p[2], before = nfds();
	char		 c;

	/* garbage */
	open_pair();
	memset(junk, 0xff, sizeof(junk));
	write(sv[0], junk, sizeof(junk));
	CHECK(imsgbuf_read(&b) == 1 && imsg_get(&b, &im) == -1,
	    "64 bytes of 0xff: imsg_get -1");
	CHECK(imsg_get(&b, &im) == -1, "and again -1, no crash");
	close_pair();

	/* random garbage, many times */
	{
		int	i, j;

		for (i = 0; i < 200; i++) {
			open_pair();
			arc4random_buf(junk, sizeof(junk));
			write(sv[0], junk, 1 + arc4random_uniform(64));
			imsgbuf_read(&b);
			for (j = 0; j < 10; j++) {
				ssize_t r = imsg_get(&b, &im);

				if (r > 0)
					imsg_free(&im);
				else
					break;
			}
			close_pair();
		}
		CHECK(1, "200 random headers: no crash");
	}

	/* lengths out of range */
	{
		static const uint32_t	 lens[] = { 0, 4, IMSG_HEADER_SIZE - 1,
		    MAX_IMSGSIZE + 1, 65535 };
		size_t			 i;

		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			open_pair();
			n = raw_hdr(wire, lens[i]);
			memset(wire + n, 0, sizeof(wire) - n);
			write(sv[0], wire, sizeof(wire));
			imsgbuf_read(&b);
			CHECK(imsg_get(&b, &im) == -1, "a header with Length "
			    "%u: imsg_get -1", lens[i]);
			close_pair();
		}
	}

	/*
	 * A message marked as carrying a descriptor that never came: the
	 * bytes of a real one, its descriptor lost on the way (a plain
	 * read() drops it).  An error, or the message without one.
	 */
	open_pair();
	imsgbuf_allow_fdpass(&b);
	if (pipe(p) == -1)
		abort();
	imsg_compose(&a, 1, 0, 0, p[1], "abcd", 4);
	imsgbuf_flush(&a);
	n = (size_t)read(sv[1], wire, sizeof(wire));
	CHECK(n == IMSG_HEADER_SIZE + 4 && read(p[0], &c, 1) == 0,
	    "a message with a descriptor read as plain bytes: the "
	    "descriptor is gone");
	close(p[0]);
	write(sv[0], wire, n);
	imsgbuf_read(&b);
	{
		ssize_t	r = imsg_get(&b, &im);

		CHECK(r == -1 || (r > 0 && imsg_get_fd(&im) == -1),
		    "delivered again without it: %s", r == -1 ?
		    "imsg_get -1" : "no descriptor");
		if (r > 0)
			imsg_free(&im);
	}
	close_pair();

	/* end of file */
	open_pair();
	close(sv[0]);
	sv[0] = -1;
	CHECK(imsgbuf_read(&b) == 0, "the other end closed: imsgbuf_read 0");
	close_pair();
	open_pair();
	n = raw_msg(wire, 1, 0, "abcd", 4);
	write(sv[0], wire, n - 1);
	close(sv[0]);
	sv[0] = -1;
	CHECK(imsgbuf_read(&b) == 1 && imsg_get(&b, &im) == 0 &&
	    imsgbuf_read(&b) == 0, "end of file with half a message: the "
	    "part read, no message, then 0");
	close_pair();

	/* a write to a closed peer */
	open_pair();
	close(sv[1]);
	sv[1] = -1;
	imsg_compose(&a, 1, 0, 0, -1, "x", 1);
	CHECK(imsgbuf_write(&a) == -1 && errno == EPIPE,
	    "writing to a closed peer: -1, EPIPE, no SIGPIPE");
	close_pair();

	/* descriptors sent to a receiver that does not take them */
	open_pair();
	if (pipe(p) == -1)
		abort();
	imsg_compose(&a, 1, 0, 0, p[1], "abcd", 4);
	imsg_compose(&a, 2, 0, 0, -1, "efgh", 4);
	CHECK(imsgbuf_flush(&a) == 0 && !isopen(p[1]), "a descriptor sent");
	errno = 0;
	CHECK(imsgbuf_read(&b) == -1 && errno == EBADMSG,
	    "without imsgbuf_allow_fdpass: imsgbuf_read -1, EBADMSG");
	CHECK(read(p[0], &c, 1) == 0,
	    "the descriptor was closed: the pipe sees end of file");
	close(p[0]);
	close_pair();
	CHECK(nfds() == before, "no descriptor left open");
}

/* A burst through small non-blocking socket buffers. */
static void
test_burst(void)
{
	struct imsg	 im;
	struct pollfd	 pfd[2];
	uint8_t		 data[1024];
	uint32_t	 sent = 0, got = 0, total = 20000, blocked = 0;
	int		 sz = 4096, ok = 1, rounds = 0;
	size_t		 len;
	ssize_t		 r;

	open_pair();
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(sv[1], F_SETFL, O_NONBLOCK) == -1)
		abort();
	while (got < total && rounds++ < 1000000) {
		/* keep a few hundred queued */
		while (sent < total && imsgbuf_queuelen(&a) < 500) {
			len = sent % 997;
			fill(data, len, sent);
			if (imsg_compose(&a, 5, sent, 0, -1, data, len) != 1)
				ok = 0;
			sent++;
		}
		pfd[0].fd = sv[0];
		pfd[0].events = imsgbuf_queuelen(&a) > 0 ? POLLOUT : 0;
		pfd[1].fd = sv[1];
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, 5000) <= 0) {
			ok = 0;
			break;
		}
		if (pfd[0].revents & POLLOUT) {
			if (imsgbuf_write(&a) == -1) {
				ok = 0;
				break;
			}
			if (imsgbuf_queuelen(&a) > 0)
				blocked++;	/* it stopped on EAGAIN */
		}
		if (pfd[1].revents & POLLIN) {
			if (imsgbuf_read(&b) != 1) {
				ok = 0;
				break;
			}
			while ((r = imsg_get(&b, &im)) > 0) {
				len = got % 997;
				if (imsg_get_type(&im) != 5 ||
				    imsg_get_id(&im) != got ||
				    imsg_get_len(&im) != len ||
				    (len > 0 && !filled(im.data, len, got)))
					ok = 0;
				got++;
				imsg_free(&im);
			}
			if (r == -1)
				ok = 0;
		}
	}
	CHECK(blocked > 0, "the sender's socket filled up %u times (EAGAIN)",
	    blocked);
	CHECK(ok && got == total && sent == total &&
	    imsgbuf_queuelen(&a) == 0, "%u messages of 0 to 996 bytes through "
	    "non-blocking sockets: %u arrived, whole and in order", total,
	    got);
	close_pair();
}

static void
test_maxsize(void)
{
	struct imsg	 im;
	static uint8_t	 data[60000];
	int		 ok;

	open_pair();
	fill(data, sizeof(data), 3);
	errno = 0;
	CHECK(imsg_compose(&a, 1, 0, 0, -1, data, sizeof(data)) == -1 &&
	    errno == ERANGE, "60000 bytes over the default limit: ERANGE");
	CHECK(imsgbuf_set_maxsize(&a, 4) == -1,
	    "a limit below the header size refused");
	ok = imsgbuf_set_maxsize(&a, 65535) == 0 &&
	    imsgbuf_set_maxsize(&b, 65535) == 0 &&
	    imsg_compose(&a, 1, 0, 0, -1, data, sizeof(data)) == 1 &&
	    imsgbuf_flush(&a) == 0;
	CHECK(ok, "limit 65535: 60000 bytes sent");
	ok = 0;
	while (imsgbuf_read(&b) == 1) {
		ssize_t r = imsg_get(&b, &im);

		if (r == 0)
			continue;
		ok = r > 0 && imsg_get_len(&im) == sizeof(data) &&
		    filled(im.data, sizeof(data), 3);
		imsg_free(&im);
		break;
	}
	CHECK(ok, "and received whole");
	close_pair();
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_coalesced();
	test_split();
	test_fdpass();
	test_bad();
	test_burst();
	test_maxsize();
	printf("%d passed, %d failed\n", npass, nfail);
	return (nfail != 0);
}
