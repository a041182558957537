/*
 * Tunnels between two pptpproxies: records on the control connection
 * and the UDP datagram header.  Pure: bytes in, bytes out, every read
 * bounds-checked.
 */

#include <sys/types.h>

#include <string.h>

#include "pptp.h"
#include "tunnel.h"

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t
get64(const uint8_t *p, size_t len, size_t off)
{
	return ((uint64_t)pptp_get32(p, len, off) << 32 |
	    pptp_get32(p, len, off + 4));
}

int
tun_is_record(const uint8_t *buf, size_t avail)
{
	return (avail >= 4 && pptp_get16(buf, avail, 2) == TUN_MSGTYPE);
}

int
tun_rec_frame(const uint8_t *buf, size_t avail, size_t *reclen,
    unsigned int *type, const char **err)
{
	size_t	len;

	if (avail < 2)
		return (PPTP_NEED);
	len = pptp_get16(buf, avail, 0);
	if (len < TUN_REC_HDR || len > TUN_REC_MAX) {
		if (err != NULL)
			*err = "tunnel record of a bad length";
		return (PPTP_BAD);
	}
	if (avail >= 4 && pptp_get16(buf, avail, 2) != TUN_MSGTYPE) {
		if (err != NULL)
			*err = "not a tunnel record";
		return (PPTP_BAD);
	}
	if (avail >= 8 && pptp_get32(buf, avail, 4) != PPTP_MAGIC) {
		if (err != NULL)
			*err = "tunnel record with a bad magic cookie";
		return (PPTP_BAD);
	}
	if (avail < len)
		return (PPTP_NEED);
	*type = pptp_get16(buf, len, 8);
	switch (*type) {
	case TUN_REC_HELLO:
		if (len != TUN_HELLO_LEN)
			goto badlen;
		break;
	case TUN_REC_DATA:
		if (len < TUN_REC_HDR + GRE_HDR_MIN)
			goto badlen;
		break;
	case TUN_REC_TCP:
		if (len != TUN_REC_HDR)
			goto badlen;
		break;
	default:
		if (err != NULL)
			*err = "unknown tunnel record type";
		return (PPTP_BAD);
	}
	*reclen = len;
	return (PPTP_WHOLE);
 badlen:
	if (err != NULL)
		*err = "tunnel record of a bad length for its type";
	return (PPTP_BAD);
}

size_t
tun_rec_hdr(uint8_t *buf, size_t len, unsigned int type, size_t payload)
{
	if (len < TUN_REC_HDR || payload > TUN_REC_MAX - TUN_REC_HDR)
		return (0);
	memset(buf, 0, TUN_REC_HDR);
	pptp_put16(buf, len, 0, (uint16_t)(TUN_REC_HDR + payload));
	pptp_put16(buf, len, 2, TUN_MSGTYPE);
	put32(buf + 4, PPTP_MAGIC);
	pptp_put16(buf, len, 8, (uint16_t)type);
	return (TUN_REC_HDR);
}

size_t
tun_build_hello(uint8_t *buf, size_t len, const struct tun_hello *h)
{
	if (len < TUN_HELLO_LEN ||
	    tun_rec_hdr(buf, len, TUN_REC_HELLO,
	    TUN_HELLO_LEN - TUN_REC_HDR) == 0)
		return (0);
	buf[12] = h->version;
	buf[13] = h->flags;
	pptp_put16(buf, len, 14, h->udp_port);
	put64(buf + 16, h->token);
	return (TUN_HELLO_LEN);
}

int
tun_parse_hello(const uint8_t *buf, size_t len, struct tun_hello *h,
    const char **err)
{
	size_t		reclen;
	unsigned int	type;

	if (tun_rec_frame(buf, len, &reclen, &type, err) != PPTP_WHOLE)
		goto bad;
	if (type != TUN_REC_HELLO || reclen != len) {
		if (err != NULL)
			*err = "not a tunnel hello";
		return (-1);
	}
	memset(h, 0, sizeof(*h));
	h->version = buf[12];
	h->flags = buf[13];
	h->udp_port = pptp_get16(buf, len, 14);
	h->token = get64(buf, len, 16);
	if (h->version != TUN_VERSION) {
		if (err != NULL)
			*err = "tunnel hello of another version";
		return (-1);
	}
	return (0);
 bad:
	if (err != NULL && *err == NULL)
		*err = "a cut tunnel hello";
	return (-1);
}

void
tun_dg_hdr(uint8_t *buf, unsigned int type, uint32_t sess, uint64_t token)
{
	buf[0] = TUN_DG_MAGIC >> 8;
	buf[1] = TUN_DG_MAGIC & 0xff;
	buf[2] = TUN_VERSION;
	buf[3] = (uint8_t)type;
	put32(buf + 4, sess);
	put64(buf + 8, token);
}

int
tun_dg_parse(const uint8_t *buf, size_t len, unsigned int *type,
    uint32_t *sess, uint64_t *token)
{
	if (len < TUN_DG_HDR || pptp_get16(buf, len, 0) != TUN_DG_MAGIC ||
	    buf[2] != TUN_VERSION)
		return (-1);
	*type = buf[3];
	switch (*type) {
	case TUN_DG_DATA:
		if (len < TUN_DG_HDR + GRE_HDR_MIN ||
		    len > TUN_DG_HDR + TUN_GRE_MAX)
			return (-1);
		break;
	case TUN_DG_KEEPALIVE:
	case TUN_DG_ANSWER:
		if (len != TUN_DG_HDR)
			return (-1);
		break;
	default:
		return (-1);
	}
	*sess = pptp_get32(buf, len, 4);
	*token = get64(buf, len, 8);
	return (0);
}
