/*
 * libFuzzer target for the tunnel codec (src/tunnel.c): the input is
 * read as a control-connection stream of tunnel records (as the relay
 * frames them) and as one UDP datagram.
 *
 * Checked: a whole record is at least a header long and never longer
 * than what was there; a hello that parses builds back to the same bytes;
 * a datagram that parses has a length its type allows; nothing reads
 * past the input (ASan).
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pptp.h"
#include "tunnel.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tun_hello	 h;
	uint8_t			 again[TUN_HELLO_LEN];
	const char		*err;
	size_t			 off = 0, len;
	unsigned int		 type;
	uint32_t		 sess;
	uint64_t		 token;
	uint8_t			*copy;
	int			 r;

	/* A private copy: ASan catches a read one past its end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return (0);
	memcpy(copy, data, size);
	while (off < size) {
		err = NULL;
		r = tun_rec_frame(copy + off, size - off, &len, &type, &err);
		if (r != PPTP_WHOLE) {
			if (r == PPTP_BAD && err == NULL)
				abort();
			break;
		}
		if (len < TUN_REC_HDR || len > size - off)
			abort();
		if (type == TUN_REC_HELLO &&
		    tun_parse_hello(copy + off, len, &h, &err) == 0) {
			if (tun_build_hello(again, sizeof(again), &h) !=
			    TUN_HELLO_LEN)
				abort();
			/* All but the reserved field come back. */
			if (memcmp(again, copy + off, 10) != 0 ||
			    memcmp(again + 12, copy + off + 12, 12) != 0)
				abort();
		}
		off += len;
	}
	if (tun_dg_parse(copy, size, &type, &sess, &token) == 0) {
		if (size < TUN_DG_HDR || size > TUN_DG_HDR + TUN_GRE_MAX)
			abort();
		if (type != TUN_DG_DATA && size != TUN_DG_HDR)
			abort();
	}
	free(copy);
	return (0);
}
