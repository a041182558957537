/*
 * The tunnel codec (src/tunnel.c): hello records built and read back,
 * every cut of a record, corrupt headers, record types and their
 * lengths, the UDP datagram header and its limits (by value: at the
 * limit and one past it).
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pptp.h"
#include "tunnel.h"
#include "check.h"

static void
test_hello(void)
{
	struct tun_hello h, g;
	uint8_t		 buf[64];
	const char	*err;
	size_t		 n, i, reclen;
	unsigned int	 type;

	memset(&h, 0, sizeof(h));
	h.version = TUN_VERSION;
	h.flags = TUN_F_TCP;
	h.udp_port = 4000;
	h.token = 0x0123456789abcdefULL;
	n = tun_build_hello(buf, sizeof(buf), &h);
	CHECK(n == TUN_HELLO_LEN, "hello is %zu bytes", n);
	CHECK(tun_build_hello(buf, TUN_HELLO_LEN - 1, &h) == 0,
	    "hello does not fit in 23 bytes");
	CHECK(tun_is_record(buf, n), "hello is a record");
	CHECK(pptp_get16(buf, n, 2) != PPTP_MSG_CONTROL &&
	    pptp_get16(buf, n, 2) != 2, "hello's Message Type is no PPTP one");
	err = NULL;
	CHECK(tun_parse_hello(buf, n, &g, &err) == 0 && g.token == h.token &&
	    g.udp_port == 4000 && g.flags == TUN_F_TCP, "hello reads back");
	/* a PPTP parser sees a bad message type, never a message */
	CHECK(pptp_frame(buf, n, &reclen, &err) == PPTP_BAD,
	    "pptp_frame refuses a hello");
	for (i = 0; i < n; i++) {
		err = NULL;
		CHECK(tun_rec_frame(buf, i, &reclen, &type, &err) == PPTP_NEED,
		    "hello cut at %zu: need more", i);
		CHECK(tun_parse_hello(buf, i, &g, &err) == -1,
		    "hello cut at %zu: refused", i);
	}
	CHECK(tun_rec_frame(buf, n, &reclen, &type, &err) == PPTP_WHOLE &&
	    reclen == n && type == TUN_REC_HELLO, "hello framed whole");
	buf[12] = 2;
	err = NULL;
	CHECK(tun_parse_hello(buf, n, &g, &err) == -1 && err != NULL,
	    "hello of version 2 refused (%s)", err ? err : "");
	buf[12] = TUN_VERSION;
	buf[7] ^= 1;
	err = NULL;
	CHECK(tun_rec_frame(buf, n, &reclen, &type, &err) == PPTP_BAD,
	    "bad magic cookie refused (%s)", err ? err : "");
	buf[7] ^= 1;
	/* a hello of the wrong length */
	pptp_put16(buf, sizeof(buf), 0, TUN_HELLO_LEN + 1);
	CHECK(tun_rec_frame(buf, sizeof(buf), &reclen, &type, &err) ==
	    PPTP_BAD, "hello of 25 bytes refused");
	pptp_put16(buf, sizeof(buf), 0, TUN_HELLO_LEN);
	pptp_put16(buf, sizeof(buf), 8, 9);
	CHECK(tun_rec_frame(buf, n, &reclen, &type, &err) == PPTP_BAD,
	    "record type 9 refused");
	/* a PPTP message is no record */
	pptp_put16(buf, sizeof(buf), 2, PPTP_MSG_CONTROL);
	CHECK(!tun_is_record(buf, n), "a PPTP header is no record");
	CHECK(tun_rec_frame(buf, n, &reclen, &type, &err) == PPTP_BAD,
	    "a PPTP header is refused as a record");
}

static void
test_records(void)
{
	static uint8_t	 buf[TUN_REC_MAX + 16];
	size_t		 reclen;
	unsigned int	 type;
	const char	*err;

	CHECK(tun_rec_hdr(buf, sizeof(buf), TUN_REC_DATA, TUN_GRE_MAX) ==
	    TUN_REC_HDR, "data record of the largest GRE packet");
	CHECK(tun_rec_frame(buf, TUN_REC_MAX, &reclen, &type, &err) ==
	    PPTP_WHOLE && reclen == TUN_REC_MAX && type == TUN_REC_DATA,
	    "it frames whole");
	CHECK(tun_rec_hdr(buf, sizeof(buf), TUN_REC_DATA, TUN_GRE_MAX + 1)
	    == 0, "one byte more is not built");
	pptp_put16(buf, sizeof(buf), 0, TUN_REC_MAX + 1);
	CHECK(tun_rec_frame(buf, 2, &reclen, &type, &err) == PPTP_BAD,
	    "a length one past the largest is refused from two bytes");
	tun_rec_hdr(buf, sizeof(buf), TUN_REC_DATA, GRE_HDR_MIN);
	CHECK(tun_rec_frame(buf, TUN_REC_HDR + GRE_HDR_MIN, &reclen, &type,
	    &err) == PPTP_WHOLE, "data record of a minimal GRE header");
	tun_rec_hdr(buf, sizeof(buf), TUN_REC_DATA, GRE_HDR_MIN - 1);
	CHECK(tun_rec_frame(buf, TUN_REC_HDR + GRE_HDR_MIN - 1, &reclen,
	    &type, &err) == PPTP_BAD, "one byte less is refused");
	pptp_put16(buf, sizeof(buf), 0, TUN_REC_HDR - 1);
	CHECK(tun_rec_frame(buf, sizeof(buf), &reclen, &type, &err) ==
	    PPTP_BAD, "a length below the header is refused");
	tun_rec_hdr(buf, sizeof(buf), TUN_REC_TCP, 0);
	CHECK(tun_rec_frame(buf, TUN_REC_HDR, &reclen, &type, &err) ==
	    PPTP_WHOLE && type == TUN_REC_TCP, "switch record");
	tun_rec_hdr(buf, sizeof(buf), TUN_REC_TCP, 1);
	CHECK(tun_rec_frame(buf, TUN_REC_HDR + 1, &reclen, &type, &err) ==
	    PPTP_BAD, "switch record with a payload refused");
}

static void
test_datagrams(void)
{
	static uint8_t	 buf[TUN_DG_HDR + TUN_GRE_MAX + 1];
	unsigned int	 type;
	uint32_t	 sess;
	uint64_t	 token;
	size_t		 i;

	tun_dg_hdr(buf, TUN_DG_KEEPALIVE, 7, 0xfeedfacecafebeefULL);
	CHECK(tun_dg_parse(buf, TUN_DG_HDR, &type, &sess, &token) == 0 &&
	    type == TUN_DG_KEEPALIVE && sess == 7 &&
	    token == 0xfeedfacecafebeefULL, "keepalive reads back");
	CHECK(tun_dg_parse(buf, TUN_DG_HDR + 1, &type, &sess, &token) == -1,
	    "keepalive one byte long refused");
	for (i = 0; i < TUN_DG_HDR; i++)
		CHECK(tun_dg_parse(buf, i, &type, &sess, &token) == -1,
		    "datagram of %zu bytes refused", i);
	tun_dg_hdr(buf, TUN_DG_DATA, 0, 1);
	CHECK(tun_dg_parse(buf, TUN_DG_HDR + TUN_GRE_MAX, &type, &sess,
	    &token) == 0, "data of the largest GRE packet");
	CHECK(tun_dg_parse(buf, TUN_DG_HDR + TUN_GRE_MAX + 1, &type, &sess,
	    &token) == -1, "one byte more refused");
	CHECK(tun_dg_parse(buf, TUN_DG_HDR + GRE_HDR_MIN - 1, &type, &sess,
	    &token) == -1, "data shorter than a GRE header refused");
	buf[0] ^= 0x80;
	CHECK(tun_dg_parse(buf, 64, &type, &sess, &token) == -1,
	    "bad magic refused");
	buf[0] ^= 0x80;
	buf[2] = 2;
	CHECK(tun_dg_parse(buf, 64, &type, &sess, &token) == -1,
	    "version 2 refused");
	buf[2] = TUN_VERSION;
	buf[3] = 9;
	CHECK(tun_dg_parse(buf, 64, &type, &sess, &token) == -1,
	    "type 9 refused");
}

int
main(void)
{
	test_hello();
	test_records();
	test_datagrams();
	CHECK_DONE();
}
