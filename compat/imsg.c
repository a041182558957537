/*
 * imsg for systems without one (see imsg.h).
 *
 * Output: a queue of whole messages; a message carrying a descriptor is
 * sent by a sendmsg(2) of its own that starts with its first byte, so the
 * receiver can tie the descriptor to it.  Input: a buffer of at least one
 * message of the largest size, and a queue of descriptors received and
 * not yet claimed by their message.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imsg.h"

#define IMSG_FLAG_FD	0x0001
#define IMSG_IOV_MAX	64

struct imsg_out {
	struct imsg_out	*next;
	size_t		 len;
	size_t		 off;		/* bytes already sent */
	int		 fd;		/* -1: none */
	uint8_t		 buf[];
};

int
imsgbuf_init(struct imsgbuf *ib, int fd)
{
	memset(ib, 0, sizeof(*ib));
	ib->fd = fd;
	ib->pid = getpid();
	ib->maxsize = MAX_IMSGSIZE;
	ib->out_tail = &ib->out_head;
	ib->rsize = MAX_IMSGSIZE;
	if ((ib->rbuf = malloc(ib->rsize)) == NULL)
		return (-1);
	return (0);
}

void
imsgbuf_allow_fdpass(struct imsgbuf *ib)
{
	ib->fdpass = 1;
}

int
imsgbuf_set_maxsize(struct imsgbuf *ib, uint32_t max)
{
	uint8_t	*n;

	if (max < IMSG_HEADER_SIZE || max > 0xffff) {
		errno = EINVAL;
		return (-1);
	}
	if (max > ib->rsize) {
		if ((n = realloc(ib->rbuf, max)) == NULL)
			return (-1);
		ib->rbuf = n;
		ib->rsize = max;
	}
	ib->maxsize = max;
	return (0);
}

uint32_t
imsgbuf_queuelen(struct imsgbuf *ib)
{
	return (ib->queued);
}

static void
close_rfds(struct imsgbuf *ib)
{
	int	i;

	for (i = 0; i < ib->nrfds; i++)
		close(ib->rfds[i]);
	ib->nrfds = 0;
}

void
imsgbuf_clear(struct imsgbuf *ib)
{
	struct imsg_out	*o;

	while ((o = ib->out_head) != NULL) {
		ib->out_head = o->next;
		if (o->fd != -1)
			close(o->fd);
		free(o);
	}
	ib->out_tail = &ib->out_head;
	ib->queued = 0;
	close_rfds(ib);
	free(ib->rbuf);
	ib->rbuf = NULL;
	ib->rlen = ib->rsize = 0;
}

/*
 * Read what is there.  1: read something (or nothing yet: EAGAIN, EINTR),
 * 0: end of file, -1: error.
 */
int
imsgbuf_read(struct imsgbuf *ib)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 8)];
	} cmsgbuf;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	ssize_t		 n;
	int		 i, nfd, *fds, bad = 0;

	if (ib->rlen >= ib->rsize) {
		errno = ENOBUFS;
		return (-1);
	}
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = ib->rbuf + ib->rlen;
	iov.iov_len = ib->rsize - ib->rlen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = &cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);

	if ((n = recvmsg(ib->fd, &msg, MSG_CMSG_CLOEXEC)) == -1) {
		if (errno == EAGAIN || errno == EINTR || errno == EWOULDBLOCK)
			return (1);
		return (-1);
	}
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
	    cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		fds = (int *)CMSG_DATA(cm);
		for (i = 0; i < nfd; i++) {
			int fd;

			memcpy(&fd, fds + i, sizeof(fd));
			if (!ib->fdpass || ib->nrfds >= IMSG_MAXFDS) {
				close(fd);
				bad = 1;
				continue;
			}
			ib->rfds[ib->nrfds++] = fd;
		}
	}
	if (msg.msg_flags & MSG_CTRUNC)
		bad = 1;
	if (bad) {
		errno = EBADMSG;
		return (-1);
	}
	if (n == 0)
		return (0);
	ib->rlen += (size_t)n;
	return (1);
}

/*
 * Take one whole message out of the input buffer.  >0: its length,
 * 0: none yet, -1: a bad header.
 */
ssize_t
imsg_get(struct imsgbuf *ib, struct imsg *imsg)
{
	struct imsg_hdr	 hdr;
	size_t		 datalen;
	int		 i;

	memset(imsg, 0, sizeof(*imsg));
	imsg->fd = -1;
	if (ib->rlen < IMSG_HEADER_SIZE)
		return (0);
	memcpy(&hdr, ib->rbuf, sizeof(hdr));
	if (hdr.len < IMSG_HEADER_SIZE || hdr.len > ib->maxsize ||
	    (hdr.flags & ~IMSG_FLAG_FD) != 0) {
		errno = ERANGE;
		return (-1);
	}
	if (ib->rlen < hdr.len)
		return (0);
	datalen = hdr.len - IMSG_HEADER_SIZE;
	if (datalen > 0) {
		if ((imsg->data = malloc(datalen)) == NULL)
			return (-1);
		memcpy(imsg->data, ib->rbuf + IMSG_HEADER_SIZE, datalen);
	}
	if (hdr.flags & IMSG_FLAG_FD) {
		if (ib->nrfds == 0) {
			free(imsg->data);
			imsg->data = NULL;
			errno = EBADMSG;
			return (-1);
		}
		imsg->fd = ib->rfds[0];
		for (i = 1; i < ib->nrfds; i++)
			ib->rfds[i - 1] = ib->rfds[i];
		ib->nrfds--;
	}
	imsg->hdr = hdr;
	memmove(ib->rbuf, ib->rbuf + hdr.len, ib->rlen - hdr.len);
	ib->rlen -= hdr.len;
	return ((ssize_t)hdr.len);
}

int
imsg_composev(struct imsgbuf *ib, uint32_t type, uint32_t id, pid_t pid,
    int fd, const struct iovec *iov, int iovcnt)
{
	struct imsg_out	*o;
	struct imsg_hdr	 hdr;
	size_t		 len = IMSG_HEADER_SIZE, off;
	int		 i;

	for (i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	if (len > ib->maxsize) {
		errno = ERANGE;
		goto fail;
	}
	if ((o = malloc(sizeof(*o) + len)) == NULL)
		goto fail;
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = (uint16_t)len;
	hdr.flags = fd != -1 ? IMSG_FLAG_FD : 0;
	hdr.peerid = id;
	hdr.pid = pid != 0 ? (uint32_t)pid : (uint32_t)ib->pid;
	memcpy(o->buf, &hdr, sizeof(hdr));
	off = sizeof(hdr);
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > 0)
			memcpy(o->buf + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	o->next = NULL;
	o->len = len;
	o->off = 0;
	o->fd = fd;
	*ib->out_tail = o;
	ib->out_tail = &o->next;
	ib->queued++;
	return (1);

 fail:
	/* As OpenBSD: the descriptor is the caller's no more. */
	if (fd != -1)
		close(fd);
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

int
imsg_forward(struct imsgbuf *ib, struct imsg *imsg)
{
	return (imsg_compose(ib, imsg->hdr.type, imsg->hdr.peerid,
	    (pid_t)imsg->hdr.pid, -1, imsg->data, imsg_get_len(imsg)));
}

/*
 * Send as much of the queue as the socket takes.  0: done or would
 * block, -1: error (EPIPE etc.).
 */
int
imsgbuf_write(struct imsgbuf *ib)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct iovec	 iov[IMSG_IOV_MAX];
	struct msghdr	 msg;
	struct cmsghdr	*cm;
	struct imsg_out	*o;
	ssize_t		 n;
	int		 i;

	while (ib->out_head != NULL) {
		memset(&msg, 0, sizeof(msg));
		o = ib->out_head;
		i = 0;
		if (o->fd != -1 && o->off == 0) {
			/* A descriptor goes with its message's first byte. */
			iov[i].iov_base = o->buf;
			iov[i++].iov_len = o->len;
			memset(&cmsgbuf, 0, sizeof(cmsgbuf));
			msg.msg_control = &cmsgbuf.buf;
			msg.msg_controllen = sizeof(cmsgbuf.buf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			memcpy(CMSG_DATA(cm), &o->fd, sizeof(int));
		} else {
			for (; o != NULL && i < IMSG_IOV_MAX; o = o->next) {
				if (o->fd != -1 && o->off == 0 && i > 0)
					break;
				iov[i].iov_base = o->buf + o->off;
				iov[i++].iov_len = o->len - o->off;
			}
		}
		msg.msg_iov = iov;
		msg.msg_iovlen = i;
		n = sendmsg(ib->fd, &msg, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == ENOBUFS)
				return (0);
			return (-1);
		}
		/* Drop what went out. */
		while (n > 0 && (o = ib->out_head) != NULL) {
			size_t left = o->len - o->off;

			if (o->fd != -1) {
				close(o->fd);
				o->fd = -1;
			}
			if ((size_t)n < left) {
				o->off += (size_t)n;
				break;
			}
			n -= (ssize_t)left;
			ib->out_head = o->next;
			if (ib->out_head == NULL)
				ib->out_tail = &ib->out_head;
			ib->queued--;
			free(o);
		}
	}
	return (0);
}

/* Write everything, waiting as long as it takes. */
int
imsgbuf_flush(struct imsgbuf *ib)
{
	while (ib->queued > 0) {
		if (imsgbuf_write(ib) == -1)
			return (-1);
		if (ib->queued > 0) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	return (0);
}

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

size_t
imsg_get_len(struct imsg *imsg)
{
	return (imsg->hdr.len - IMSG_HEADER_SIZE);
}

int
imsg_get_fd(struct imsg *imsg)
{
	int	fd = imsg->fd;

	imsg->fd = -1;
	return (fd);
}

/* Exactly len bytes of payload, or -1 with EBADMSG. */
int
imsg_get_data(struct imsg *imsg, void *data, size_t len)
{
	if (len == 0 || imsg_get_len(imsg) != len) {
		errno = EBADMSG;
		return (-1);
	}
	memcpy(data, imsg->data, len);
	return (0);
}

void
imsg_free(struct imsg *imsg)
{
	free(imsg->data);
	imsg->data = NULL;
	if (imsg->fd != -1)
		close(imsg->fd);
	imsg->fd = -1;
}
