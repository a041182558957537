/*
 * imsg for systems without one; see imsg.h.
 *
 * On the wire a message is its header and then its payload, in host byte
 * order: both ends run on the same machine.  A message that carries a
 * descriptor has IMSG_FD_MARK set in the len of its header on the wire
 * (the receiver clears it again), and the descriptor travels as
 * SCM_RIGHTS with the sendmsg(2) that starts with that message's first
 * byte, one descriptor per sendmsg(2).  As with OpenBSD's imsg, only an
 * imsgbuf that imsgbuf_allow_fdpass() was called on passes descriptors,
 * either way: one composed elsewhere is closed and its message goes
 * without it, and one that arrives elsewhere is closed and the read fails.
 *
 * The kernel hands a descriptor to the receiver in the recvmsg(2) that
 * returns the first byte it was sent with, and Linux ends a recvmsg(2)
 * with the bytes that brought descriptors.  So a received descriptor
 * belongs to the marked message, if any, that starts within the bytes of
 * its recvmsg(2); one that no message claims (a peer sent it with bytes
 * of an unmarked message) is closed once the messages past those bytes
 * are taken.  At most IMSG_RECV_QUEUED wait at a time: a peer that sends
 * more makes the read fail.
 *
 * A received descriptor closed here (refused, unclaimed, left at
 * imsgbuf_clear or imsg_free) may be a peer's TCP socket with SO_LINGER
 * set and a full send queue: on Linux its last close(2) would then wait
 * up to the linger time, even non-blocking.  rfd_close() turns lingering
 * off first, so that a peer cannot stall the receiver that way.
 *
 * Output is a queue of whole messages with no limit but memory; one
 * sendmsg(2) carries as many of them as fit.  Input is one buffer that
 * holds at least one message of the largest size (it grows when the size
 * limit is raised), and a queue of received descriptors.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

static void	rfd_close(int);

#define IMSG_FD_MARK		0x80000000U	/* in hdr.len on the wire */
#define IMSG_ALLOW_FDPASS	0x01
#define IMSG_READ_SIZE		65536	/* first size of the input buffer */
#define IMSG_WRITE_IOV		128	/* messages per sendmsg(2) at most */
#define IMSG_RECV_FDS		16	/* room per recvmsg(2), see below */
#define IMSG_RECV_QUEUED	64	/* received, waiting for a message */

#ifdef MSG_CMSG_CLOEXEC
#define IMSG_RECV_FLAGS		MSG_CMSG_CLOEXEC
#else
#define IMSG_RECV_FLAGS		0
#endif

struct ibuf {
	struct ibuf	*next;
	unsigned char	*buf;
	size_t		 size;		/* allocated */
	size_t		 max;		/* the message may grow to this */
	size_t		 len;		/* bytes of the message in buf */
	size_t		 sent;		/* bytes of it written out */
	int		 fd;		/* goes with the first byte; -1: none */
};

static struct ibuf	*ibuf_new(size_t, size_t);
static int		 ibuf_append(struct ibuf *, const void *, size_t);
static void		 ibuf_release(struct ibuf *);
static void		 wq_drop(struct imsgbuf *, size_t);
static int		 rbuf_room(struct imsgbuf *);
static int		 rfd_push(struct imsgbuf *, int, uint64_t, uint64_t);
static int		 rfd_pop(struct imsgbuf *);

/*
 * Set-up and tear-down.
 */

int
imsgbuf_init(struct imsgbuf *ib, int fd)
{
	memset(ib, 0, sizeof(*ib));
	ib->fd = fd;
	ib->pid = getpid();
	ib->maxsize = MAX_IMSGSIZE;
	if ((ib->r_buf = malloc(IMSG_READ_SIZE)) == NULL)
		return (-1);
	ib->r_size = IMSG_READ_SIZE;
	return (0);
}

void
imsgbuf_allow_fdpass(struct imsgbuf *ib)
{
	ib->flags |= IMSG_ALLOW_FDPASS;
}

/*
 * The largest message, header included, that may be sent or received.
 * The input buffer grows to it when a message that large arrives.
 */
int
imsgbuf_set_maxsize(struct imsgbuf *ib, uint32_t maxsize)
{
	if (maxsize < IMSG_HEADER_SIZE || (maxsize & IMSG_FD_MARK) != 0) {
		errno = EINVAL;
		return (-1);
	}
	ib->maxsize = maxsize;
	return (0);
}

/*
 * Drop everything queued either way: unsent messages and their
 * descriptors, unread input and descriptors nobody claimed.  The socket
 * is left alone.  The imsgbuf may be used again afterwards.
 */
void
imsgbuf_clear(struct imsgbuf *ib)
{
	struct ibuf	*b;
	int		 fd;

	while ((b = ib->w_head) != NULL) {
		ib->w_head = b->next;
		ibuf_release(b);
	}
	ib->w_tail = NULL;
	ib->w_queued = 0;

	while ((fd = rfd_pop(ib)) != -1)
		rfd_close(fd);
	free(ib->r_fds);
	ib->r_fds = NULL;
	ib->r_fdsize = ib->r_fdfirst = ib->r_fdend = 0;

	free(ib->r_buf);
	ib->r_buf = NULL;
	ib->r_size = ib->r_pos = ib->r_end = 0;
}

uint32_t
imsgbuf_queuelen(struct imsgbuf *ib)
{
	return (ib->w_queued);
}

/*
 * Output.
 */

static struct ibuf *
ibuf_new(size_t size, size_t max)
{
	struct ibuf	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return (NULL);
	if ((b->buf = malloc(size)) == NULL) {
		free(b);
		return (NULL);
	}
	b->size = size;
	b->max = max;
	b->fd = -1;
	return (b);
}

static int
ibuf_append(struct ibuf *b, const void *data, size_t len)
{
	unsigned char	*n;
	size_t		 need, size;

	if (len == 0)
		return (0);
	if (data == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if (len > b->max - b->len) {
		errno = ERANGE;
		return (-1);
	}
	need = b->len + len;
	if (need > b->size) {
		size = b->size > b->max / 2 ? b->max : b->size * 2;
		if (size < need)
			size = need;
		if ((n = realloc(b->buf, size)) == NULL)
			return (-1);
		b->buf = n;
		b->size = size;
	}
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	return (0);
}

static void
ibuf_release(struct ibuf *b)
{
	int	saved = errno;

	if (b == NULL)
		return;
	if (b->fd != -1)
		close(b->fd);
	free(b->buf);
	free(b);
	errno = saved;
}

/* A message with room for datalen bytes of payload, header written. */
struct ibuf *
imsg_create(struct imsgbuf *ib, uint32_t type, uint32_t id, pid_t pid,
    size_t datalen)
{
	struct imsg_hdr	 hdr;
	struct ibuf	*b;

	if (datalen > ib->maxsize - IMSG_HEADER_SIZE) {
		errno = ERANGE;
		return (NULL);
	}
	if ((b = ibuf_new(IMSG_HEADER_SIZE + datalen, ib->maxsize)) == NULL)
		return (NULL);
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = 0;			/* imsg_close() */
	hdr.peerid = id;
	hdr.pid = pid != 0 ? (uint32_t)pid : (uint32_t)ib->pid;
	if (ibuf_append(b, &hdr, sizeof(hdr)) == -1) {
		ibuf_release(b);
		return (NULL);
	}
	return (b);
}

/* Append to a message; on failure the message is freed. */
int
imsg_add(struct ibuf *b, const void *data, size_t datalen)
{
	if (b == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if (ibuf_append(b, data, datalen) == -1) {
		ibuf_release(b);
		return (-1);
	}
	return ((int)datalen);
}

/* Finish a message and queue it for imsgbuf_write(). */
void
imsg_close(struct imsgbuf *ib, struct ibuf *b)
{
	uint32_t	len;

	if (b == NULL)
		return;
	len = (uint32_t)b->len;
	if (b->fd != -1)
		len |= IMSG_FD_MARK;
	memcpy(b->buf + offsetof(struct imsg_hdr, len), &len, sizeof(len));
	b->next = NULL;
	b->sent = 0;
	if (ib->w_tail != NULL)
		ib->w_tail->next = b;
	else
		ib->w_head = b;
	ib->w_tail = b;
	ib->w_queued++;
}

/*
 * Queue a message whose payload is the iovecs' bytes in order.  fd, if
 * not -1, is the imsgbuf's from now on: sent and closed, or closed at
 * once when the message cannot be queued.  1: queued, -1: not.
 */
int
imsg_composev(struct imsgbuf *ib, uint32_t type, uint32_t id, pid_t pid,
    int fd, const struct iovec *iov, int iovcnt)
{
	struct ibuf	*b;
	size_t		 datalen = 0;
	int		 i, saved;

	if (iovcnt < 0 || (iovcnt > 0 && iov == NULL)) {
		errno = EINVAL;
		goto fail;
	}
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > SIZE_MAX - datalen) {
			errno = ERANGE;
			goto fail;
		}
		datalen += iov[i].iov_len;
	}
	if ((b = imsg_create(ib, type, id, pid, datalen)) == NULL)
		goto fail;
	for (i = 0; i < iovcnt; i++)
		if (imsg_add(b, iov[i].iov_base, iov[i].iov_len) == -1)
			goto fail;	/* b is gone */
	/* No descriptors on this channel: the message goes without. */
	if (fd != -1 && (ib->flags & IMSG_ALLOW_FDPASS) == 0) {
		close(fd);
		fd = -1;
	}
	b->fd = fd;
	imsg_close(ib, b);
	return (1);

 fail:
	if (fd != -1) {
		saved = errno;
		close(fd);
		errno = saved;
	}
	return (-1);
}

int
imsg_compose(struct imsgbuf *ib, uint32_t type, uint32_t id, pid_t pid,
    int fd, const void *data, size_t datalen)
{
	struct iovec	iov;

	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = datalen;
	return (imsg_composev(ib, type, id, pid, fd, &iov,
	    datalen > 0 ? 1 : 0));
}

/* Queue a copy of a received message; its descriptor is not passed on. */
int
imsg_forward(struct imsgbuf *ib, struct imsg *msg)
{
	struct iovec	iov;
	size_t		len = imsg_get_len(msg);

	iov.iov_base = msg->data;
	iov.iov_len = len;
	return (imsg_composev(ib, msg->hdr.type, msg->hdr.peerid,
	    (pid_t)msg->hdr.pid, -1, &iov, len > 0 && msg->data != NULL));
}

/* n bytes of the queue went out: drop the messages they finish. */
static void
wq_drop(struct imsgbuf *ib, size_t n)
{
	struct ibuf	*b;
	size_t		 left;

	while (n > 0 && (b = ib->w_head) != NULL) {
		left = b->len - b->sent;
		if (n < left) {
			b->sent += n;
			return;
		}
		n -= left;
		if ((ib->w_head = b->next) == NULL)
			ib->w_tail = NULL;
		ib->w_queued--;
		ibuf_release(b);
	}
}

/*
 * Send as much of the queue as the socket takes.  0: all sent, or the
 * socket is full (EAGAIN), try again when it is writable; -1: error, errno
 * set (EPIPE when the peer is gone; no SIGPIPE is raised).
 */
int
imsgbuf_write(struct imsgbuf *ib)
{
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct iovec	 iov[IMSG_WRITE_IOV];
	struct msghdr	 msg;
	struct cmsghdr	*cm;
	struct ibuf	*b, *withfd;
	ssize_t		 n;
	int		 i;

	while (ib->w_head != NULL) {
		/*
		 * Messages in order; one with a descriptor not yet sent
		 * starts a sendmsg(2) of its own, so the descriptor goes
		 * with its first byte and alone.
		 */
		withfd = NULL;
		for (i = 0, b = ib->w_head; b != NULL && i < IMSG_WRITE_IOV;
		    b = b->next, i++) {
			if (b->fd != -1) {
				if (i > 0)
					break;
				withfd = b;
			}
			iov[i].iov_base = b->buf + b->sent;
			iov[i].iov_len = b->len - b->sent;
		}

		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)i;
		if (withfd != NULL) {
			memset(&cmsgbuf, 0, sizeof(cmsgbuf));
			msg.msg_control = cmsgbuf.buf;
			msg.msg_controllen = sizeof(cmsgbuf.buf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &withfd->fd, sizeof(int));
		}

		if ((n = sendmsg(ib->fd, &msg, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == ENOBUFS)
				return (0);
			return (-1);
		}
		if (withfd != NULL && n > 0) {
			/* The peer has its own copy now. */
			close(withfd->fd);
			withfd->fd = -1;
		}
		wq_drop(ib, (size_t)n);
	}
	return (0);
}

/* Write the whole queue, waiting for the socket as long as it takes. */
int
imsgbuf_flush(struct imsgbuf *ib)
{
	struct pollfd	pfd;

	while (ib->w_head != NULL) {
		if (imsgbuf_write(ib) == -1)
			return (-1);
		if (ib->w_head == NULL)
			break;
		pfd.fd = ib->fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return (-1);
	}
	return (0);
}

/*
 * Input.
 */

/* Unread bytes to the front, and free space after them. */
static int
rbuf_room(struct imsgbuf *ib)
{
	unsigned char	*n;
	size_t		 size;

	if (ib->r_pos > 0) {
		memmove(ib->r_buf, ib->r_buf + ib->r_pos,
		    ib->r_end - ib->r_pos);
		ib->r_end -= ib->r_pos;
		ib->r_pos = 0;
	}
	if (ib->r_buf != NULL && ib->r_end < ib->r_size)
		return (0);
	if (ib->r_buf == NULL)
		size = IMSG_READ_SIZE;
	else if (ib->r_size <= SIZE_MAX / 2)
		size = ib->r_size * 2;
	else {
		errno = ENOMEM;
		return (-1);
	}
	if ((n = realloc(ib->r_buf, size)) == NULL)
		return (-1);
	ib->r_buf = n;
	ib->r_size = size;
	return (0);
}

static int
rfd_push(struct imsgbuf *ib, int fd, uint64_t start, uint64_t end)
{
	struct imsg_rfd	*n;
	size_t		 size;

	if (ib->r_fdend - ib->r_fdfirst >= IMSG_RECV_QUEUED) {
		errno = EBADMSG;
		return (-1);
	}
	if (ib->r_fdend == ib->r_fdsize) {
		if (ib->r_fdfirst > 0) {
			memmove(ib->r_fds, ib->r_fds + ib->r_fdfirst,
			    (ib->r_fdend - ib->r_fdfirst) * sizeof(*n));
			ib->r_fdend -= ib->r_fdfirst;
			ib->r_fdfirst = 0;
		} else {
			size = ib->r_fdsize == 0 ? 8 : ib->r_fdsize * 2;
			if ((n = reallocarray(ib->r_fds, size, sizeof(*n))) ==
			    NULL)
				return (-1);
			ib->r_fds = n;
			ib->r_fdsize = size;
		}
	}
	ib->r_fds[ib->r_fdend].fd = fd;
	ib->r_fds[ib->r_fdend].start = start;
	ib->r_fds[ib->r_fdend].end = end;
	ib->r_fdend++;
	return (0);
}

static int
rfd_pop(struct imsgbuf *ib)
{
	int	fd;

	if (ib->r_fdfirst == ib->r_fdend)
		return (-1);
	fd = ib->r_fds[ib->r_fdfirst++].fd;
	if (ib->r_fdfirst == ib->r_fdend)
		ib->r_fdfirst = ib->r_fdend = 0;
	return (fd);
}

/*
 * Read what the socket has.  1: read something, or nothing yet (EAGAIN,
 * EINTR); 0: end of file; -1: error, errno set.  Descriptors arriving
 * when imsgbuf_allow_fdpass() was not called are closed and make it fail
 * with EBADMSG, as do descriptors the kernel had to drop (MSG_CTRUNC) and
 * more than IMSG_RECV_QUEUED waiting for their messages.
 */
int
imsgbuf_read(struct imsgbuf *ib)
{
	/*
	 * The sender passes one descriptor per sendmsg(2) and Linux gives
	 * at most one sendmsg(2)'s descriptors per recvmsg(2); the room
	 * for more is for other senders, whose excess is truncated.
	 */
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[CMSG_SPACE(IMSG_RECV_FDS * sizeof(int))];
	} cmsgbuf;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	unsigned char	*p;
	ssize_t		 n;
	size_t		 i, nfd;
	int		 fd, bad = 0;

	if (rbuf_room(ib) == -1)
		return (-1);

	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = ib->r_buf + ib->r_end;
	iov.iov_len = ib->r_size - ib->r_end;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);

	if ((n = recvmsg(ib->fd, &msg, IMSG_RECV_FLAGS)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return (1);
		return (-1);
	}

	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len < CMSG_LEN(0))
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		p = CMSG_DATA(cm);
		for (i = 0; i < nfd; i++) {
			memcpy(&fd, p + i * sizeof(int), sizeof(int));
			if ((ib->flags & IMSG_ALLOW_FDPASS) == 0 ||
			    rfd_push(ib, fd, ib->r_got, ib->r_got +
			    (uint64_t)n) == -1) {
				rfd_close(fd);
				bad = 1;
			}
		}
	}
	if (msg.msg_flags & MSG_CTRUNC)
		bad = 1;

	ib->r_end += (size_t)n;
	ib->r_got += (uint64_t)n;
	if (bad) {
		errno = EBADMSG;
		return (-1);
	}
	return (n == 0 ? 0 : 1);
}

/*
 * Take the next whole message.  >0: one, its length header included;
 * 0: none whole yet; -1: the input is bad (ERANGE: a length out of
 * bounds; EBADMSG: a descriptor announced and none received), or out of
 * memory.  Nothing is consumed on error: the channel is of no more use.
 */
ssize_t
imsg_get(struct imsgbuf *ib, struct imsg *imsg)
{
	struct imsg_hdr	 hdr;
	size_t		 avail, datalen;
	uint32_t	 len;
	int		 withfd;

	memset(imsg, 0, sizeof(*imsg));
	imsg->imsg_fd = -1;
	if (ib->r_buf == NULL)
		return (0);
	avail = ib->r_end - ib->r_pos;
	if (avail < IMSG_HEADER_SIZE)
		return (0);
	memcpy(&hdr, ib->r_buf + ib->r_pos, sizeof(hdr));
	withfd = (hdr.len & IMSG_FD_MARK) != 0;
	len = hdr.len & ~IMSG_FD_MARK;
	if (len < IMSG_HEADER_SIZE || len > ib->maxsize) {
		errno = ERANGE;
		return (-1);
	}
	if (avail < len)
		return (0);
	/* Descriptors that came with bytes before this message: unclaimed. */
	while (ib->r_fdfirst < ib->r_fdend &&
	    ib->r_fds[ib->r_fdfirst].end <= ib->r_taken)
		rfd_close(rfd_pop(ib));
	/* A marked message's came with its first byte. */
	if (withfd && (ib->r_fdfirst == ib->r_fdend ||
	    ib->r_fds[ib->r_fdfirst].start > ib->r_taken)) {
		errno = EBADMSG;
		return (-1);
	}
	datalen = len - IMSG_HEADER_SIZE;
	if (datalen > 0) {
		if ((imsg->data = malloc(datalen)) == NULL)
			return (-1);
		memcpy(imsg->data, ib->r_buf + ib->r_pos + IMSG_HEADER_SIZE,
		    datalen);
	}
	if (withfd)
		imsg->imsg_fd = rfd_pop(ib);
	hdr.len = len;
	imsg->hdr = hdr;

	ib->r_pos += len;
	ib->r_taken += len;
	if (ib->r_pos == ib->r_end)
		ib->r_pos = ib->r_end = 0;
	return ((ssize_t)len);
}

/*
 * A received message.
 */

uint32_t
imsg_get_type(struct imsg *imsg)
{
	return (imsg->hdr.type);
}

uint32_t
imsg_get_id(struct imsg *imsg)
{
	return (imsg->hdr.peerid);
}

pid_t
imsg_get_pid(struct imsg *imsg)
{
	return ((pid_t)imsg->hdr.pid);
}

/* Bytes of payload. */
size_t
imsg_get_len(struct imsg *imsg)
{
	if (imsg->hdr.len < IMSG_HEADER_SIZE)
		return (0);
	return (imsg->hdr.len - IMSG_HEADER_SIZE);
}

/* The descriptor, the caller's from now on; -1: none, or taken already. */
int
imsg_get_fd(struct imsg *imsg)
{
	int	fd = imsg->imsg_fd;

	imsg->imsg_fd = -1;
	return (fd);
}

/*
 * Copy the payload, which must be exactly len bytes long: -1 with EBADMSG
 * when it is not, EINVAL when len is 0.
 */
int
imsg_get_data(struct imsg *imsg, void *data, size_t len)
{
	if (len == 0) {
		errno = EINVAL;
		return (-1);
	}
	if (imsg_get_len(imsg) != len || imsg->data == NULL) {
		errno = EBADMSG;
		return (-1);
	}
	memcpy(data, imsg->data, len);
	return (0);
}

/* Free the payload; close the descriptor unless it was taken. */
void
imsg_free(struct imsg *imsg)
{
	int	saved = errno;

	free(imsg->data);
	imsg->data = NULL;
	if (imsg->imsg_fd != -1)
		rfd_close(imsg->imsg_fd);
	imsg->imsg_fd = -1;
	errno = saved;
}

/*
 * A received descriptor nobody keeps: lingering off (it fails but for
 * sockets that have it), then closed.
 */
static void
rfd_close(int fd)
{
	struct linger	lg;

	if (fd == -1)
		return;
	memset(&lg, 0, sizeof(lg));
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}
