/*
 * Async-HDLC framing (RFC 1662) for the tools that play PPP on a pty:
 * the FCS-16, a frame written out with its FCS and escapes, and the
 * frames of a byte stream taken apart again.
 */

#include <stddef.h>

#define HDLC_FLAG	0x7e
#define HDLC_ESC	0x7d
#define HDLC_FCS_GOOD	0xf0b8		/* fcs16 over a frame and its FCS */

/* FCS-16 of RFC 1662, bitwise (speed does not matter here). */
static inline unsigned int
fcs16(unsigned int fcs, const unsigned char *p, size_t n)
{
	int i;

	while (n-- > 0) {
		fcs ^= *p++;
		for (i = 0; i < 8; i++)
			fcs = (fcs & 1) ? (fcs >> 1) ^ 0x8408 : fcs >> 1;
	}
	return fcs & 0xffff;
}

/*
 * The n bytes at f as one frame into out, which has room for
 * 2 * (n + 2) + 2 bytes: a flag, f and its FCS with every control
 * character, flag and escape escaped, a flag.  Returns the bytes written.
 */
static inline size_t
hdlc_frame(unsigned char *out, const unsigned char *f, size_t n)
{
	unsigned int fcs = fcs16(0xffff, f, n) ^ 0xffff;
	size_t i, o = 0;

	out[o++] = HDLC_FLAG;
	for (i = 0; i < n + 2; i++) {
		unsigned char c = i < n ? f[i] :
		    i == n ? (fcs & 0xff) : (fcs >> 8);

		if (c < 0x20 || c == HDLC_FLAG || c == HDLC_ESC) {
			out[o++] = HDLC_ESC;
			out[o++] = c ^ 0x20;
		} else
			out[o++] = c;
	}
	out[o++] = HDLC_FLAG;
	return o;
}

/* A frame being taken out of a byte stream (hdlc_take). */
struct hdlc_rx {
	unsigned char	*buf;	/* its bytes, escapes undone */
	size_t		 size;	/* the room at buf */
	size_t		 len;
	int		 esc;	/* the last byte was an escape */
	int		 over;	/* more than size bytes came: some are lost */
};

/*
 * Take byte c of the stream.  Returns 1 when it is a flag: what came
 * since the last one is in rx (len bytes at buf; over if they did not
 * all fit), for the caller to look at before hdlc_rx_reset; else 0.
 */
static inline int
hdlc_take(struct hdlc_rx *rx, unsigned char c)
{
	if (c == HDLC_FLAG)
		return 1;
	if (c == HDLC_ESC) {
		rx->esc = 1;
		return 0;
	}
	if (rx->esc) {
		c ^= 0x20;
		rx->esc = 0;
	}
	if (rx->len < rx->size)
		rx->buf[rx->len++] = c;
	else
		rx->over = 1;
	return 0;
}

/* Start on the next frame. */
static inline void
hdlc_rx_reset(struct hdlc_rx *rx)
{
	rx->len = 0;
	rx->esc = rx->over = 0;
}
