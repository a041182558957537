/*
 * imsg: framed messages with optional descriptor passing over a Unix
 * socket, with the interface of OpenBSD's imsg_init(3) (7.7 names), for
 * systems whose libc and libbsd have none.  Written for pptpproxy.
 */

#ifndef COMPAT_IMSG_H
#define COMPAT_IMSG_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

#define IMSG_HEADER_SIZE	sizeof(struct imsg_hdr)
#define MAX_IMSGSIZE		16384
#define IMSG_MAXFDS		64	/* received, not yet claimed */

struct imsg_hdr {
	uint32_t	type;
	uint16_t	len;		/* header included */
	uint16_t	flags;
	uint32_t	peerid;
	uint32_t	pid;
};

struct imsg_out;

struct imsgbuf {
	int		 fd;
	pid_t		 pid;
	uint32_t	 maxsize;
	int		 fdpass;	/* descriptors may arrive */
	/* output queue */
	struct imsg_out	*out_head;
	struct imsg_out	**out_tail;
	uint32_t	 queued;
	/* input */
	uint8_t		*rbuf;
	size_t		 rlen;		/* bytes in rbuf */
	size_t		 rsize;
	int		 rfds[IMSG_MAXFDS];
	int		 nrfds;
};

struct imsg {
	struct imsg_hdr	 hdr;
	void		*data;
	int		 fd;
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
uint32_t	 imsg_get_type(struct imsg *);
uint32_t	 imsg_get_id(struct imsg *);
pid_t		 imsg_get_pid(struct imsg *);
size_t		 imsg_get_len(struct imsg *);
int		 imsg_get_fd(struct imsg *);
int		 imsg_get_data(struct imsg *, void *, size_t);
void		 imsg_free(struct imsg *);

#endif /* COMPAT_IMSG_H */
