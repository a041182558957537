/*
 * Unit test of the imsg compatibility library (compat/imsg.c) over
 * socket pairs: several messages in one read, a message split over many
 * reads, descriptors passed and queued, exact-length payloads, bad
 * headers and random bytes, end of file, a long burst through full
 * non-blocking sockets, descriptors refused, size limits, forwarding,
 * the ibuf calls, a vanished peer, and no descriptor leaked.
 *
 * Build and run on its own (the Makefile builds it as build/unit/test_imsg):
 *
 *	cc -I compat -o test_imsg regress/unit/test_imsg.c compat/imsg.c
 *	./test_imsg
 *
 * With sanitizers or valgrind:
 *
 *	cc -g -fsanitize=address,undefined -I compat -o test_imsg \
 *	    regress/unit/test_imsg.c compat/imsg.c
 *	valgrind --leak-check=full --track-fds=yes ./test_imsg
 *
 * Prints "ok N - what" or "not ok N - what" per check, then
 * "N passed, M failed"; exits 1 when anything failed.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <imsg.h>

#include "check.h"
#include "netns.h"

#define MAXPAYLOAD	(MAX_IMSGSIZE - IMSG_HEADER_SIZE)

/* a writes on sv[0], b reads on sv[1]; both non-blocking. */
struct pair {
	int		sv[2];
	struct imsgbuf	a, b;
};

static void
nonblock(int fd)
{
	int	fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		perror("fcntl");
		exit(2);
	}
}

static void
pair_open(struct pair *p, int fdpass)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, p->sv) == -1) {
		perror("socketpair");
		exit(2);
	}
	nonblock(p->sv[0]);
	nonblock(p->sv[1]);
	if (imsgbuf_init(&p->a, p->sv[0]) == -1 ||
	    imsgbuf_init(&p->b, p->sv[1]) == -1) {
		perror("imsgbuf_init");
		exit(2);
	}
	/* Descriptors go only between imsgbufs that both allow them. */
	if (fdpass) {
		imsgbuf_allow_fdpass(&p->a);
		imsgbuf_allow_fdpass(&p->b);
	}
}

static void
pair_close(struct pair *p)
{
	imsgbuf_clear(&p->a);
	imsgbuf_clear(&p->b);
	if (p->sv[0] != -1)
		close(p->sv[0]);
	if (p->sv[1] != -1)
		close(p->sv[1]);
	p->sv[0] = p->sv[1] = -1;
}

/* A pipe whose read end does not block. */
static void
xpipe(int p[2])
{
	if (pipe(p) == -1) {
		perror("pipe");
		exit(2);
	}
	nonblock(p[0]);
}

/* 1: the pipe's read end sees end of file (no writer left anywhere). */
static int
pipe_eof(int rfd)
{
	char	c;

	return (read(rfd, &c, 1) == 0);
}

static int
isopen(int fd)
{
	return (fcntl(fd, F_GETFD) != -1);
}

/* Descriptors the process has open. */
static int
nfds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return (n - 1);		/* the directory's own */
}

static void
fill(unsigned char *p, size_t len, uint32_t seed)
{
	size_t	i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 8));
}

static int
filled(const unsigned char *p, size_t len, uint32_t seed)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(seed * 131 + i * 7 + (i >> 8)))
			return (0);
	return (1);
}

static uint32_t	rnd_state = 12345;

static uint32_t
rnd(void)
{
	rnd_state = rnd_state * 1103515245 + 12345;
	return (rnd_state >> 8);
}

/*
 * Move the writer's queue to the reader until one message is whole.
 * >0: its length; 0: none (end of file or 2 s of silence); -1: imsg_get
 * or imsgbuf_read failed; -2: imsgbuf_write failed.
 */
static ssize_t
pump(struct pair *p, struct imsg *m)
{
	struct pollfd	pfd;
	ssize_t		n;
	int		i, r;

	for (i = 0; i < 1000000; i++) {
		if (imsgbuf_queuelen(&p->a) > 0 &&
		    imsgbuf_write(&p->a) == -1)
			return (-2);
		if ((n = imsg_get(&p->b, m)) != 0)
			return (n);
		if (imsgbuf_queuelen(&p->a) == 0) {
			pfd.fd = p->sv[1];
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 2000) == 0)
				return (0);
		}
		if ((r = imsgbuf_read(&p->b)) == -1)
			return (-1);
		if (r == 0)
			return (imsg_get(&p->b, m));
	}
	return (0);
}

/* Nothing more to read on fd now. */
static int
drained(int fd)
{
	char	c;

	return (recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == -1 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK));
}

/*
 * The tests.
 */

static void
t_several_in_one_read(void)
{
	struct pair	 p;
	struct imsg	 m;
	struct iovec	 iov[3];
	static unsigned char big[MAXPAYLOAD], got[MAXPAYLOAD];
	unsigned char	 mid[100];
	ssize_t		 n[6];
	int		 ok, i, r;

	pair_open(&p, 0);
	fill(mid, sizeof(mid), 3);
	fill(big, sizeof(big), 4);
	iov[0].iov_base = (void *)"ab";
	iov[0].iov_len = 2;
	iov[1].iov_base = NULL;
	iov[1].iov_len = 0;
	iov[2].iov_base = (void *)"cde";
	iov[2].iov_len = 3;
	ok = imsg_compose(&p.a, 1, 10, 0, -1, NULL, 0) == 1 &&
	    imsg_compose(&p.a, 2, 20, 1234, -1, "x", 1) == 1 &&
	    imsg_compose(&p.a, 3, 30, 0, -1, mid, sizeof(mid)) == 1 &&
	    imsg_compose(&p.a, 4, 40, 0, -1, big, sizeof(big)) == 1 &&
	    imsg_composev(&p.a, 5, 50, 0, -1, iov, 3) == 1;
	CHECK(ok, "compose five messages (empty, 1 byte, 100, largest, "
	    "iovecs)");
	CHECK(imsgbuf_queuelen(&p.a) == 5, "queuelen 5 before writing");
	CHECK(imsgbuf_flush(&p.a) == 0 && imsgbuf_queuelen(&p.a) == 0,
	    "flush empties the queue");

	r = imsgbuf_read(&p.b);
	CHECK(r == 1 && drained(p.sv[1]), "one read takes all five");
	for (i = 0; i < 6; i++) {
		n[i] = imsg_get(&p.b, &m);
		switch (i) {
		case 0:
			ok = n[i] == (ssize_t)IMSG_HEADER_SIZE &&
			    imsg_get_type(&m) == 1 && imsg_get_id(&m) == 10 &&
			    imsg_get_pid(&m) == getpid() &&
			    imsg_get_len(&m) == 0 && m.data == NULL;
			CHECK(ok, "empty message: type, id, own pid for 0, "
			    "length");
			break;
		case 1:
			ok = n[i] == (ssize_t)IMSG_HEADER_SIZE + 1 &&
			    imsg_get_type(&m) == 2 && imsg_get_id(&m) == 20 &&
			    imsg_get_pid(&m) == 1234 &&
			    imsg_get_len(&m) == 1 &&
			    ((char *)m.data)[0] == 'x';
			CHECK(ok, "1-byte message, pid as given");
			break;
		case 2:
			ok = n[i] == (ssize_t)(IMSG_HEADER_SIZE + sizeof(mid)) &&
			    imsg_get_type(&m) == 3 &&
			    imsg_get_len(&m) == sizeof(mid) &&
			    filled(m.data, sizeof(mid), 3);
			CHECK(ok, "100-byte message");
			break;
		case 3:
			memset(got, 0, sizeof(got));
			ok = n[i] == MAX_IMSGSIZE &&
			    imsg_get_type(&m) == 4 &&
			    imsg_get_data(&m, got, sizeof(got)) == 0 &&
			    filled(got, sizeof(got), 4);
			CHECK(ok, "message of MAX_IMSGSIZE");
			break;
		case 4:
			ok = n[i] == (ssize_t)IMSG_HEADER_SIZE + 5 &&
			    imsg_get_type(&m) == 5 && imsg_get_len(&m) == 5 &&
			    memcmp(m.data, "abcde", 5) == 0;
			CHECK(ok, "imsg_composev joins its iovecs");
			break;
		case 5:
			CHECK(n[i] == 0, "then imsg_get returns 0");
			break;
		}
		if (i < 5)
			CHECK(imsg_get_fd(&m) == -1, "message %d has no "
			    "descriptor", i + 1);
		imsg_free(&m);
	}
	CHECK(imsgbuf_read(&p.b) == 1 && imsg_get(&p.b, &m) == 0,
	    "read with nothing there (EAGAIN) returns 1, nothing new");
	pair_close(&p);
}

static void
t_split(void)
{
	struct pair	 w, r;
	struct imsg	 m;
	static unsigned char wire[8192];
	unsigned char	 data[3000];
	size_t		 sizes[3] = { 0, 50, sizeof(data) };
	size_t		 ends[3], total = 0, k;
	ssize_t		 n, got;
	int		 i, next = 0, early = 0, late = 0, bad = 0, rerr = 0;

	/* The bytes of three messages as they are on the wire. */
	pair_open(&w, 0);
	for (i = 0; i < 3; i++) {
		fill(data, sizes[i], 10 + i);
		imsg_compose(&w.a, 100 + i, i, 0, -1, data, sizes[i]);
		total += IMSG_HEADER_SIZE + sizes[i];
		ends[i] = total;
	}
	imsgbuf_flush(&w.a);
	got = read(w.sv[1], wire, sizeof(wire));
	CHECK(got == (ssize_t)total, "wire bytes of three messages (%zu)",
	    total);
	pair_close(&w);

	/* Fed to the reader one byte at a time. */
	pair_open(&r, 0);
	for (k = 0; k < total; k++) {
		if (write(r.sv[0], wire + k, 1) != 1)
			break;
		if (imsgbuf_read(&r.b) != 1)
			rerr++;
		n = imsg_get(&r.b, &m);
		if (n == 0) {
			if (next < 3 && k + 1 == ends[next])
				late++;
			continue;
		}
		if (n < 0 || next >= 3 || k + 1 != ends[next]) {
			early++;
			imsg_free(&m);
			continue;
		}
		if (imsg_get_type(&m) != (uint32_t)(100 + next) ||
		    imsg_get_id(&m) != (uint32_t)next ||
		    imsg_get_len(&m) != sizes[next] ||
		    (sizes[next] > 0 && !filled(m.data, sizes[next], 10 + next)))
			bad++;
		imsg_free(&m);
		next++;
	}
	CHECK(rerr == 0, "every 1-byte read returns 1");
	CHECK(early == 0 && late == 0,
	    "each message appears exactly with its last byte");
	CHECK(next == 3 && bad == 0, "all three whole and intact");
	CHECK(imsg_get(&r.b, &m) == 0, "nothing left over");
	pair_close(&r);
}

static void
t_fdpass(void)
{
	struct pair	 p;
	struct imsg	 m;
	int		 pp[2], fd, closed;
	char		 buf[16];
	ssize_t		 n;

	pair_open(&p, 1);
	xpipe(pp);
	CHECK(imsg_compose(&p.a, 7, 1, 0, pp[1], "fd", 2) == 1,
	    "compose with a pipe's write end");
	CHECK(imsgbuf_flush(&p.a) == 0, "flush it");
	closed = !isopen(pp[1]);
	CHECK(closed, "sender closed its copy once sent");
	n = pump(&p, &m);
	CHECK(n == (ssize_t)IMSG_HEADER_SIZE + 2 && imsg_get_type(&m) == 7 &&
	    memcmp(m.data, "fd", 2) == 0, "message with descriptor received");
	fd = imsg_get_fd(&m);
	CHECK(fd >= 0 && isopen(fd), "imsg_get_fd gives the descriptor");
	CHECK(imsg_get_fd(&m) == -1, "imsg_get_fd gives it once, -1 after");
	CHECK(fd >= 0 && write(fd, "hello", 5) == 5 &&
	    read(pp[0], buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0,
	    "written through it, read at the pipe's other end");
	imsg_free(&m);
	CHECK(fd >= 0 && isopen(fd), "imsg_free leaves a taken descriptor");
	if (fd >= 0)
		close(fd);
	CHECK(pipe_eof(pp[0]), "no other copy of the write end is left");
	close(pp[0]);
	pair_close(&p);
}

static void
t_fdqueue(void)
{
	struct pair	 p;
	struct imsg	 m;
	/* messages 1, 2 and 4 carry the write ends of pipes 0, 1, 2 */
	int		 carries[6] = { -1, 0, 1, -1, 2, -1 };
	int		 pp[3][2], i, j, fd, rounds, okfd = 0, okorder = 0;
	char		 c;

	pair_open(&p, 1);
	for (j = 0; j < 3; j++)
		xpipe(pp[j]);
	for (i = 0; i < 6; i++)
		imsg_compose(&p.a, 200 + i, i, 0,
		    carries[i] == -1 ? -1 : pp[carries[i]][1], &i, sizeof(i));
	CHECK(imsgbuf_queuelen(&p.a) == 6 && imsgbuf_flush(&p.a) == 0,
	    "six messages, three with descriptors, in one flush");

	/* Read everything first: the descriptors wait in the queue. */
	for (rounds = 0; rounds < 100 && !drained(p.sv[1]); rounds++)
		if (imsgbuf_read(&p.b) != 1)
			break;
	CHECK(drained(p.sv[1]), "all read before any imsg_get (%d reads)",
	    rounds);

	for (i = 0; i < 6; i++) {
		if (imsg_get(&p.b, &m) <= 0)
			break;
		if (imsg_get_type(&m) == (uint32_t)(200 + i) &&
		    imsg_get_id(&m) == (uint32_t)i)
			okorder++;
		fd = imsg_get_fd(&m);
		if (carries[i] == -1) {
			if (fd == -1)
				okfd++;
		} else if (fd != -1) {
			/* The right pipe: its read end gets the byte. */
			c = (char)('A' + i);
			if (write(fd, &c, 1) == 1 &&
			    read(pp[carries[i]][0], &c, 1) == 1 &&
			    c == 'A' + i)
				okfd++;
			close(fd);
		}
		imsg_free(&m);
	}
	CHECK(okorder == 6, "six messages in order");
	CHECK(okfd == 6, "each descriptor attached to its own message, "
	    "none to the others");
	for (j = 0, i = 0; j < 3; j++) {
		i += pipe_eof(pp[j][0]);
		close(pp[j][0]);
	}
	CHECK(i == 3, "no copies of the three write ends left");
	pair_close(&p);
}

static void
t_unclaimed(void)
{
	struct pair	 p;
	struct imsg	 m;
	int		 pp[2];

	/* Received, not taken: imsg_free closes it. */
	pair_open(&p, 1);
	xpipe(pp);
	imsg_compose(&p.a, 1, 0, 0, pp[1], NULL, 0);
	CHECK(pump(&p, &m) > 0 && !pipe_eof(pp[0]),
	    "message with descriptor received, descriptor open");
	imsg_free(&m);
	CHECK(pipe_eof(pp[0]), "imsg_free closes a descriptor not taken");
	close(pp[0]);
	pair_close(&p);

	/* Queued, never sent: imsgbuf_clear closes it. */
	pair_open(&p, 1);
	xpipe(pp);
	imsg_compose(&p.a, 1, 0, 0, pp[1], NULL, 0);
	imsgbuf_clear(&p.a);
	CHECK(imsgbuf_queuelen(&p.a) == 0 && pipe_eof(pp[0]),
	    "imsgbuf_clear closes the descriptors of unsent messages");
	close(pp[0]);
	pair_close(&p);

	/* Received, message never taken: imsgbuf_clear closes it. */
	pair_open(&p, 1);
	xpipe(pp);
	imsg_compose(&p.a, 1, 0, 0, pp[1], NULL, 0);
	imsgbuf_flush(&p.a);
	CHECK(imsgbuf_read(&p.b) == 1 && !pipe_eof(pp[0]),
	    "descriptor read into the input queue");
	imsgbuf_clear(&p.b);
	CHECK(pipe_eof(pp[0]),
	    "imsgbuf_clear closes received descriptors nobody claimed");
	close(pp[0]);

	/* The imsgbuf works again after imsgbuf_clear. */
	imsg_compose(&p.a, 77, 0, 0, -1, "again", 5);
	CHECK(pump(&p, &m) > 0 && imsg_get_type(&m) == 77 &&
	    memcmp(m.data, "again", 5) == 0, "usable again after clear");
	imsg_free(&m);
	pair_close(&p);
}

static void
t_get_data(void)
{
	struct pair	 p;
	struct imsg	 m;
	uint64_t	 v = 0x0123456789abcdefULL, got = 0;
	uint32_t	 small;
	unsigned char	 large[16];
	int		 r;

	pair_open(&p, 0);
	imsg_compose(&p.a, 1, 0, 0, -1, &v, sizeof(v));
	imsg_compose(&p.a, 2, 0, 0, -1, NULL, 0);
	CHECK(pump(&p, &m) > 0 && imsg_get_len(&m) == sizeof(v),
	    "8-byte payload: imsg_get_len 8");
	CHECK(imsg_get_data(&m, &got, sizeof(got)) == 0 && got == v,
	    "imsg_get_data with the exact length copies it");
	errno = 0;
	r = imsg_get_data(&m, &small, sizeof(small));
	CHECK(r == -1 && errno == EBADMSG, "shorter length: -1, EBADMSG");
	errno = 0;
	r = imsg_get_data(&m, large, sizeof(large));
	CHECK(r == -1 && errno == EBADMSG, "longer length: -1, EBADMSG");
	imsg_free(&m);

	CHECK(pump(&p, &m) > 0 && imsg_get_len(&m) == 0 && m.data == NULL,
	    "empty payload: length 0, data NULL");
	errno = 0;
	r = imsg_get_data(&m, &small, sizeof(small));
	CHECK(r == -1 && errno == EBADMSG, "empty payload, 4 asked: EBADMSG");
	CHECK(imsg_get_data(&m, &small, 0) == -1, "length 0 asked: -1");
	imsg_free(&m);
	imsg_free(&m);		/* twice is harmless */
	pair_close(&p);
}

/* A raw header on the wire, then extra bytes. */
static void
raw_header(int fd, uint32_t type, uint32_t len, size_t extra)
{
	struct imsg_hdr	hdr;
	unsigned char	buf[256];

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = len;
	hdr.pid = 1;
	memcpy(buf, &hdr, sizeof(hdr));
	memset(buf + sizeof(hdr), 0xa5, extra);
	if (write(fd, buf, sizeof(hdr) + extra) !=
	    (ssize_t)(sizeof(hdr) + extra)) {
		perror("write");
		exit(2);
	}
}

static void
t_garbage(void)
{
	struct pair	 p;
	struct imsg	 m;
	uint32_t	 bad[] = { 0, 1, IMSG_HEADER_SIZE - 1, MAX_IMSGSIZE + 1,
			    0x7fffffff, 0xffffffff };
	unsigned char	 junk[400];
	size_t		 i, len;
	ssize_t		 n;
	int		 round, weird = 0, errs = 0, msgs = 0;

	memset(junk, 0, sizeof(junk));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pair_open(&p, 1);
		raw_header(p.sv[0], 9, bad[i], 40);
		CHECK(imsgbuf_read(&p.b) == 1, "header with len %u read",
		    bad[i]);
		errno = 0;
		n = imsg_get(&p.b, &m);
		CHECK(n == -1 && errno == ERANGE, "len %u: imsg_get -1, "
		    "ERANGE", bad[i]);
		CHECK(imsg_get(&p.b, &m) == -1, "len %u: and again", bad[i]);
		pair_close(&p);
	}

	/* A header announcing more than ever comes. */
	pair_open(&p, 0);
	raw_header(p.sv[0], 9, 200, 20);
	close(p.sv[0]);
	p.sv[0] = -1;
	CHECK(imsgbuf_read(&p.b) == 1 && imsg_get(&p.b, &m) == 0,
	    "truncated message: imsg_get returns 0");
	CHECK(imsgbuf_read(&p.b) == 0 && imsg_get(&p.b, &m) == 0,
	    "then end of file, still nothing");
	pair_close(&p);

	/* Larger than the receiver's limit. */
	pair_open(&p, 0);
	CHECK(imsgbuf_set_maxsize(&p.b, 64) == 0, "receiver limit 64");
	imsg_compose(&p.a, 1, 0, 0, -1, junk, 100);
	errno = 0;
	CHECK(pump(&p, &m) == -1 && errno == ERANGE,
	    "116-byte message over the limit: -1, ERANGE");
	pair_close(&p);

	/* Random bytes, some with a plausible length. */
	for (round = 0; round < 300; round++) {
		pair_open(&p, round % 2);
		len = 1 + rnd() % sizeof(junk);
		for (i = 0; i < len; i++)
			junk[i] = (unsigned char)rnd();
		if (round % 3 == 0 && len >= IMSG_HEADER_SIZE) {
			uint32_t l = rnd() % 64;

			if (round % 2)
				l |= 0x80000000U;
			memcpy(junk + offsetof(struct imsg_hdr, len), &l,
			    sizeof(l));
		}
		if (write(p.sv[0], junk, len) != (ssize_t)len)
			exit(2);
		if (imsgbuf_read(&p.b) != 1)
			weird++;
		while ((n = imsg_get(&p.b, &m)) > 0) {
			if (n < (ssize_t)IMSG_HEADER_SIZE ||
			    imsg_get_len(&m) != (size_t)n - IMSG_HEADER_SIZE)
				weird++;
			msgs++;
			imsg_free(&m);
		}
		if (n == -1)
			errs++;
		pair_close(&p);
	}
	CHECK(weird == 0, "300 rounds of random bytes: no crash, sane "
	    "results (%d messages, %d errors)", msgs, errs);
}

static void
t_eof(void)
{
	struct pair	 p;
	struct imsg	 m;
	int		 r1, r2, n1, n2;

	pair_open(&p, 0);
	close(p.sv[0]);
	p.sv[0] = -1;
	CHECK(imsgbuf_read(&p.b) == 0, "peer closed: imsgbuf_read returns 0");
	pair_close(&p);

	pair_open(&p, 0);
	imsg_compose(&p.a, 1, 0, 0, -1, "one", 3);
	imsg_compose(&p.a, 2, 0, 0, -1, "two", 3);
	imsgbuf_flush(&p.a);
	close(p.sv[0]);
	p.sv[0] = -1;
	r1 = imsgbuf_read(&p.b);
	r2 = imsgbuf_read(&p.b);
	CHECK(r1 == 1 && r2 == 0, "data then end of file: 1, then 0");
	n1 = imsg_get(&p.b, &m) > 0 && imsg_get_type(&m) == 1;
	imsg_free(&m);
	n2 = imsg_get(&p.b, &m) > 0 && imsg_get_type(&m) == 2;
	imsg_free(&m);
	CHECK(n1 && n2 && imsg_get(&p.b, &m) == 0,
	    "messages read before end of file are all there");
	pair_close(&p);
}

#define BURST		5000
#define BURST_FDEVERY	250

static size_t
burst_len(int i)
{
	if (i % 7 == 0)
		return (6000 + (size_t)(i % 1000) * 10);
	return ((size_t)(i % 300));
}

static void
t_burst(void)
{
	struct pair	 p;
	struct imsg	 m;
	static unsigned char buf[MAXPAYLOAD];
	int		 pp[2], i, next = 0, bad = 0, badfd = 0, werr = 0;
	int		 rerr = 0, full = 0, loops, sz = 4096, fd;
	ssize_t		 n;
	size_t		 len;
	struct stat	 st;

	pair_open(&p, 1);
	setsockopt(p.sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(p.sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	xpipe(pp);

	for (i = 0; i < BURST; i++) {
		len = burst_len(i);
		fill(buf, len, (uint32_t)i);
		fd = i % BURST_FDEVERY == 0 ? dup(pp[1]) : -1;
		if (imsg_compose(&p.a, (uint32_t)(i % 1000), (uint32_t)i,
		    0, fd, buf, len) != 1)
			bad++;
	}
	close(pp[1]);
	CHECK(bad == 0 && imsgbuf_queuelen(&p.a) == BURST,
	    "%d messages queued at once, %d with descriptors", BURST,
	    BURST / BURST_FDEVERY);

	for (loops = 0; next < BURST && loops < 10000000; loops++) {
		if (imsgbuf_queuelen(&p.a) > 0) {
			if (imsgbuf_write(&p.a) == -1) {
				werr++;
				break;
			}
			if (imsgbuf_queuelen(&p.a) > 0)
				full++;
		}
		if (imsgbuf_read(&p.b) != 1) {
			rerr++;
			break;
		}
		while ((n = imsg_get(&p.b, &m)) > 0) {
			len = burst_len(next);
			if (imsg_get_id(&m) != (uint32_t)next ||
			    imsg_get_type(&m) != (uint32_t)(next % 1000) ||
			    imsg_get_len(&m) != len ||
			    (len > 0 && !filled(m.data, len, (uint32_t)next)))
				bad++;
			fd = imsg_get_fd(&m);
			if ((next % BURST_FDEVERY == 0) != (fd != -1))
				badfd++;
			if (fd != -1) {
				if (fstat(fd, &st) == -1 || !S_ISFIFO(st.st_mode))
					badfd++;
				close(fd);
			}
			imsg_free(&m);
			next++;
		}
		if (n == -1) {
			rerr++;
			break;
		}
	}
	CHECK(werr == 0 && rerr == 0,
	    "imsgbuf_write returns 0 on a full socket, never -1; reads fine");
	CHECK(full > 0, "the socket filled up and the writer waited "
	    "(%d times)", full);
	CHECK(next == BURST, "all %d messages arrived (%d)", BURST, next);
	CHECK(bad == 0, "in order and intact");
	CHECK(badfd == 0, "descriptors on exactly the right messages");
	CHECK(imsgbuf_queuelen(&p.a) == 0, "writer's queue empty");
	CHECK(pipe_eof(pp[0]), "every passed descriptor closed on both sides");
	close(pp[0]);
	pair_close(&p);
}

static void
t_no_fdpass(void)
{
	struct pair	 p;
	int		 pp[2], r;

	pair_open(&p, 0);
	imsgbuf_allow_fdpass(&p.a);
	xpipe(pp);
	imsg_compose(&p.a, 1, 0, 0, pp[1], "x", 1);
	imsgbuf_flush(&p.a);
	errno = 0;
	r = imsgbuf_read(&p.b);
	CHECK(r == -1 && errno == EBADMSG, "descriptor to a receiver "
	    "without imsgbuf_allow_fdpass: read fails, EBADMSG");
	CHECK(pipe_eof(pp[0]), "and the descriptor is closed");
	close(pp[0]);
	pair_close(&p);
}


/* sendmsg(2) of len bytes from buf with nfd descriptors, by hand. */
static ssize_t
raw_send(int sock, const void *buf, size_t len, const int *fds, int nfd)
{
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[CMSG_SPACE(64 * sizeof(int))];
	} cm;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*c;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfd > 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfd * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfd * sizeof(int));
	}
	return (sendmsg(sock, &msg, 0));
}

/*
 * As OpenBSD's imsg: a sender without imsgbuf_allow_fdpass passes no
 * descriptor (it closes it, and the message goes without); a receiver
 * that allows them closes one that no message claims, and does not
 * keep more than a few waiting.
 */
static void
t_fdpass_rules(void)
{
	struct pair	 p;
	struct imsg	 m;
	struct imsg_hdr	 h;
	int		 pp[2], i, fd, fds[8], n0, got, r;

	/* The sender does not allow them. */
	pair_open(&p, 0);
	imsgbuf_allow_fdpass(&p.b);
	xpipe(pp);
	CHECK(imsg_compose(&p.a, 5, 0, 0, pp[1], "y", 1) == 1,
	    "a descriptor composed on an imsgbuf without fdpass: queued");
	CHECK(pipe_eof(pp[0]), "but the descriptor is closed at once");
	CHECK(pump(&p, &m) > 0 && imsg_get_type(&m) == 5 &&
	    imsg_get_fd(&m) == -1, "the message arrives, without it");
	imsg_free(&m);
	close(pp[0]);
	pair_close(&p);

	/* A descriptor sent with an unmarked message. */
	n0 = nfds();
	pair_open(&p, 1);
	xpipe(pp);
	memset(&h, 0, sizeof(h));
	h.type = 6;
	h.len = sizeof(h);
	CHECK(raw_send(p.sv[0], &h, sizeof(h), &pp[1], 1) ==
	    (ssize_t)sizeof(h), "by hand: an unmarked message with a "
	    "descriptor");
	close(pp[1]);
	imsg_compose(&p.a, 7, 0, 0, -1, NULL, 0);
	imsgbuf_flush(&p.a);
	got = 0;
	for (i = 0; i < 2; i++) {
		if (pump(&p, &m) <= 0)
			break;
		if (imsg_get_fd(&m) == -1)
			got++;
		imsg_free(&m);
	}
	CHECK(got == 2, "both messages arrive, neither with a descriptor");
	CHECK(pipe_eof(pp[0]), "and the descriptor is closed once the next "
	    "message is taken");
	close(pp[0]);
	pair_close(&p);
	CHECK(nfds() == n0, "no descriptor left open (%d, %d before)",
	    nfds(), n0);

	/* A marked message whose descriptor comes with a later byte. */
	pair_open(&p, 1);
	xpipe(pp);
	h.type = 8;
	h.len = (sizeof(h) + 1) | 0x80000000U;
	raw_send(p.sv[0], &h, sizeof(h), NULL, 0);
	(void)imsgbuf_read(&p.b);	/* the header alone */
	raw_send(p.sv[0], "z", 1, &pp[1], 1);
	close(pp[1]);
	for (i = 0; i < 4; i++)
		(void)imsgbuf_read(&p.b);
	errno = 0;
	CHECK(imsg_get(&p.b, &m) == -1 && errno == EBADMSG,
	    "a marked message whose descriptor did not come with its first "
	    "byte: EBADMSG");
	pair_close(&p);
	CHECK(pipe_eof(pp[0]), "and imsgbuf_clear closes the descriptor");
	close(pp[0]);

	/* Descriptors with bytes of no whole message, one by one. */
	n0 = nfds();
	pair_open(&p, 1);
	if ((fd = open("/dev/null", O_RDONLY)) == -1)
		return;
	for (i = 0; i < 8; i++)
		fds[i] = fd;
	h.type = 9;
	h.len = 60000;		/* never whole */
	raw_send(p.sv[0], &h, sizeof(h), NULL, 0);
	r = 0;
	for (i = 0; i < 70 && r != -1; i++) {
		raw_send(p.sv[0], "w", 1, fds, 1);
		r = imsgbuf_read(&p.b);
	}
	CHECK(r == -1 && errno == EBADMSG && i == 65, "descriptors waiting "
	    "for a message: 64 kept, the 65th makes the read fail (after "
	    "%d)", i);
	raw_send(p.sv[0], "w", 1, fds, 8);
	close(fd);
	pair_close(&p);
	CHECK(nfds() == n0, "all closed after imsgbuf_clear (%d open, %d "
	    "before)", nfds(), n0);
}

/*
 * A lingering socket: a TCP connection on loopback whose peer never
 * reads, its send queue full, SO_LINGER on for 3 s, and no other copy
 * of it left but the one in flight.  Its last close(2) on Linux would
 * wait the 3 s; -1 where there is no network namespace to make it in.
 */
static int
lingering(int *lfd)
{
	struct sockaddr_in	sin;
	struct linger		lg;
	socklen_t		slen = sizeof(sin);
	char			buf[65536];
	int			c, i;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((*lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(*lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(*lfd, 1) == -1 ||
	    getsockname(*lfd, (struct sockaddr *)&sin, &slen) == -1 ||
	    (c = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(c, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("lingering");
		exit(2);
	}
	nonblock(c);
	memset(buf, 'l', sizeof(buf));
	for (i = 0; i < 1000 && write(c, buf, sizeof(buf)) > 0; i++)
		;
	lg.l_onoff = 1;
	lg.l_linger = 3;
	if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == -1) {
		perror("SO_LINGER");
		exit(2);
	}
	return (c);
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/*
 * A peer's lingering TCP socket does not stall the receiver when it is
 * closed there: refused (no fdpass), unclaimed (an unmarked message), or
 * received but not taken (imsg_free).  Each is a close(2) that would
 * wait 3 s with lingering left on.  In a child, in a network namespace
 * of its own.
 */
static void
t_linger_child(void)
{
	struct pair	 p;
	struct imsg	 m;
	struct imsg_hdr	 h;
	double		 t, took[3];
	int		 l, c, i;

	if (netns_own() == -1)
		exit(3);
	for (i = 0; i < 3; i++) {
		pair_open(&p, i != 0);
		c = lingering(&l);
		memset(&h, 0, sizeof(h));
		h.type = 10 + i;
		h.len = sizeof(h) | (i == 2 ? 0x80000000U : 0);
		if (raw_send(p.sv[0], &h, sizeof(h), &c, 1) !=
		    (ssize_t)sizeof(h))
			exit(2);
		close(c);
		t = now_s();
		if (imsgbuf_read(&p.b) == 1 && imsg_get(&p.b, &m) > 0)
			imsg_free(&m);
		took[i] = now_s() - t;
		pair_close(&p);
		close(l);
	}
	for (i = 0; i < 3; i++)
		printf("# lingering socket %d: %.3f s\n", i, took[i]);
	exit(took[0] < 1 && took[1] < 1 && took[2] < 1 ? 0 : 1);
}

static void
t_linger(void)
{
	pid_t	pid;
	int	st, rc;

	fflush(stdout);
	if ((pid = fork()) == -1) {
		perror("fork");
		exit(2);
	}
	if (pid == 0)
		t_linger_child();
	rc = waitpid(pid, &st, 0) == pid && WIFEXITED(st) ?
	    WEXITSTATUS(st) : -1;
	if (rc == 3) {
		printf("skip - lingering sockets from a peer: no network "
		    "namespace of its own\n");
		return;
	}
	CHECK(rc == 0, "a peer's lingering TCP socket is closed at once when "
	    "refused, unclaimed or not taken (each within 1 s, not 3)");
}

static void
t_sizes(void)
{
	struct pair	 p;
	struct imsg	 m;
	static unsigned char big[150000];
	int		 pp[2], r;

	pair_open(&p, 0);
	errno = 0;
	r = imsg_compose(&p.a, 1, 0, 0, -1, big, MAXPAYLOAD + 1);
	CHECK(r == -1 && errno == ERANGE && imsgbuf_queuelen(&p.a) == 0,
	    "payload over the limit: -1, ERANGE, nothing queued");
	xpipe(pp);
	r = imsg_compose(&p.a, 1, 0, 0, pp[1], big, MAXPAYLOAD + 1);
	CHECK(r == -1 && pipe_eof(pp[0]),
	    "and a descriptor given with it is closed");
	close(pp[0]);
	errno = 0;
	CHECK(imsgbuf_set_maxsize(&p.a, IMSG_HEADER_SIZE - 1) == -1 &&
	    errno == EINVAL, "limit below the header size refused");
	CHECK(imsgbuf_set_maxsize(&p.a, 0x80000000U) == -1,
	    "limit of 2^31 refused");
	CHECK(imsgbuf_set_maxsize(&p.a, 200000) == 0 &&
	    imsgbuf_set_maxsize(&p.b, 200000) == 0, "limits raised to 200000");
	fill(big, sizeof(big), 77);
	CHECK(imsg_compose(&p.a, 5, 0, 0, -1, big, sizeof(big)) == 1,
	    "150000-byte payload composed");
	CHECK(pump(&p, &m) == (ssize_t)(IMSG_HEADER_SIZE + sizeof(big)) &&
	    imsg_get_len(&m) == sizeof(big) &&
	    filled(m.data, sizeof(big), 77),
	    "and received whole (input buffer grew)");
	imsg_free(&m);
	pair_close(&p);
}

static void
t_forward_create(void)
{
	struct pair	 p, q;
	struct imsg	 m, f;
	struct ibuf	*b;
	int		 pp[2], r;
	static unsigned char big[MAXPAYLOAD];

	pair_open(&p, 1);
	pair_open(&q, 1);
	xpipe(pp);
	imsg_compose(&p.a, 33, 44, 555, pp[1], "forward me", 10);
	CHECK(pump(&p, &m) > 0, "message to forward received");
	CHECK(imsg_forward(&q.a, &m) == 1, "imsg_forward queues it");
	CHECK(pump(&q, &f) > 0 && imsg_get_type(&f) == 33 &&
	    imsg_get_id(&f) == 44 && imsg_get_pid(&f) == 555 &&
	    imsg_get_len(&f) == 10 && memcmp(f.data, "forward me", 10) == 0,
	    "forwarded: same type, id, pid and payload");
	CHECK(imsg_get_fd(&f) == -1, "forwarded without the descriptor");
	imsg_free(&f);
	imsg_free(&m);
	CHECK(pipe_eof(pp[0]), "original descriptor closed by imsg_free");
	close(pp[0]);

	b = imsg_create(&p.a, 8, 9, 0, 4);
	CHECK(b != NULL && imsg_add(b, "abcd", 4) == 4 &&
	    imsg_add(b, "efgh", 4) == 4, "imsg_create, imsg_add twice");
	imsg_close(&p.a, b);
	CHECK(pump(&p, &m) == (ssize_t)IMSG_HEADER_SIZE + 8 &&
	    imsg_get_type(&m) == 8 && imsg_get_id(&m) == 9 &&
	    memcmp(m.data, "abcdefgh", 8) == 0,
	    "imsg_close: message grown past its first size arrives");
	imsg_free(&m);
	errno = 0;
	CHECK(imsg_create(&p.a, 1, 0, 0, MAXPAYLOAD + 1) == NULL &&
	    errno == ERANGE, "imsg_create over the limit: NULL, ERANGE");
	b = imsg_create(&p.a, 1, 0, 0, 0);
	r = b == NULL ? 0 : imsg_add(b, big, MAXPAYLOAD + 1);
	CHECK(r == -1, "imsg_add past the limit fails (and frees)");
	CHECK(imsgbuf_queuelen(&p.a) == 0, "nothing queued by failures");
	pair_close(&p);
	pair_close(&q);
}

static void
t_epipe(void)
{
	struct pair	 p;
	int		 r;

	pair_open(&p, 0);
	close(p.sv[1]);
	p.sv[1] = -1;
	imsg_compose(&p.a, 1, 0, 0, -1, "lost", 4);
	errno = 0;
	r = imsgbuf_write(&p.a);
	CHECK(r == -1 && errno == EPIPE,
	    "peer gone: imsgbuf_write -1, EPIPE, no SIGPIPE");
	CHECK(imsgbuf_flush(&p.a) == -1, "imsgbuf_flush -1 too");
	pair_close(&p);
}

int
main(void)
{
	int	before, after;

	before = nfds();
	t_several_in_one_read();
	t_split();
	t_fdpass();
	t_fdqueue();
	t_unclaimed();
	t_get_data();
	t_garbage();
	t_eof();
	t_burst();
	t_no_fdpass();
	t_fdpass_rules();
	t_linger();
	t_sizes();
	t_forward_create();
	t_epipe();
	after = nfds();
	CHECK(before == after, "no descriptor leaked (%d open before, "
	    "%d after)", before, after);

	CHECK_DONE();
}
