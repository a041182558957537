/*
 * PPTP control messages for the benchmark tools that write and read them
 * by hand: the magic cookie, the message types in their order (RFC 2637)
 * and the common header.  The caller sees to the room.
 */

#ifndef PPTPMSG_H
#define PPTPMSG_H

#include <stdint.h>
#include <string.h>

#include "bytes.h"

#define PPTP_MAGIC	0x1A2B3C4DU

enum {
	SCCRQ = 1, SCCRP, STOPCCRQ, STOPCCRP, ECHORQ, ECHORP, OCRQ, OCRP,
	ICRQ, ICRP, ICCN, CCRQ, CDN, WEN, SLI
};

/* LEN bytes at M zeroed, then a control message header of TYPE. */
static inline void
ctl_header(uint8_t *m, uint16_t len, uint16_t type)
{
	memset(m, 0, len);
	put16(m, len);
	put16(m + 2, 1);
	put32(m + 4, PPTP_MAGIC);
	put16(m + 8, type);
}

#endif
