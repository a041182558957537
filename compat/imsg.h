/*
 * imsg for systems whose C library has none (Linux: neither glibc nor
 * libbsd provide it).  Same names, argument order and return conventions
 * as the imsg(3) interface of OpenBSD 7.7, so code written against this
 * header compiles unchanged against OpenBSD's <imsg.h>.  Written from the
 * manual page's description for pptpproxy; it only has to talk to itself.
 *
 * Use only the functions below: the members of the structures other than
 * imsgbuf.fd, imsg.hdr and imsg.data are this implementation's own.
 */

#ifndef PPTPPROXY_COMPAT_IMSG_H
#define PPTPPROXY_COMPAT_IMSG_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

#define IMSG_HEADER_SIZE	sizeof(struct imsg_hdr)
#define MAX_IMSGSIZE		16384

struct imsg_hdr {
	uint32_t	 type;
	uint32_t	 len;		/* header included */
	uint32_t	 peerid;
	uint32_t	 pid;
};

/* A message being built or waiting in the output queue (see imsg.c). */
struct ibuf;

struct imsgbuf {
	int		  fd;		/* the socket */
	pid_t		  pid;		/* sent when a caller passes pid 0 */
	uint32_t	  maxsize;	/* largest message, header included */
	int		  flags;

	/* Output: whole messages, oldest first. */
	struct ibuf	 *w_head;
	struct ibuf	 *w_tail;
	uint32_t	  w_queued;

	/* Input: bytes [r_pos, r_end) of r_buf are unread. */
	unsigned char	 *r_buf;
	size_t		  r_size;
	size_t		  r_pos;
	size_t		  r_end;

	/* Descriptors received and not yet given to their message. */
	struct imsg_rfd	 *r_fds;
	size_t		  r_fdsize;
	size_t		  r_fdfirst;
	size_t		  r_fdend;
	uint64_t	  r_got;	/* bytes received in all */
	uint64_t	  r_taken;	/* bytes of whole messages taken */
};

/* A received descriptor and the bytes [start, end) it came with. */
struct imsg_rfd {
	int		  fd;
	uint64_t	  start;
	uint64_t	  end;
};

struct imsg {
	struct imsg_hdr	 hdr;
	void		*data;		/* payload, NULL when there is none */
	int		 imsg_fd;	/* use imsg_get_fd() */
};

int		 imsgbuf_init(struct imsgbuf *, int);
void		 imsgbuf_allow_fdpass(struct imsgbuf *);
int		 imsgbuf_set_maxsize(struct imsgbuf *, uint32_t);
int		 imsgbuf_read(struct imsgbuf *);
int		 imsgbuf_write(struct imsgbuf *);
int		 imsgbuf_flush(struct imsgbuf *);
void		 imsgbuf_clear(struct imsgbuf *);
uint32_t	 imsgbuf_queuelen(struct imsgbuf *);

ssize_t		 imsg_get(struct imsgbuf *, struct imsg *);
int		 imsg_compose(struct imsgbuf *, uint32_t, uint32_t, pid_t, int,
		    const void *, size_t);
int		 imsg_composev(struct imsgbuf *, uint32_t, uint32_t, pid_t, int,
		    const struct iovec *, int);
int		 imsg_forward(struct imsgbuf *, struct imsg *);
struct ibuf	*imsg_create(struct imsgbuf *, uint32_t, uint32_t, pid_t,
		    size_t);
int		 imsg_add(struct ibuf *, const void *, size_t);
void		 imsg_close(struct imsgbuf *, struct ibuf *);

uint32_t	 imsg_get_type(struct imsg *);
uint32_t	 imsg_get_id(struct imsg *);
pid_t		 imsg_get_pid(struct imsg *);
size_t		 imsg_get_len(struct imsg *);
int		 imsg_get_fd(struct imsg *);
int		 imsg_get_data(struct imsg *, void *, size_t);
void		 imsg_free(struct imsg *);

#endif /* PPTPPROXY_COMPAT_IMSG_H */
