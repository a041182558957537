/*
 * The GRE forwarder's per-packet rule (gre_translate) and its table:
 * what is forwarded, rewritten how, and what is dropped with which
 * counter.
 */

#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxy.h"
#include "check.h"
#include "pptp.h"
#include "gre.h"


static uint8_t	pkt[65536];

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/*
 * An IPv4 header (20 bytes) from src, then GRE with the given first word,
 * protocol, key, optional sequence/ack, payload of plen bytes.
 */
static size_t
mkpkt(const char *src, uint16_t flags, uint16_t proto, uint16_t keylen,
    uint16_t callid, size_t plen)
{
	struct in_addr	a;
	size_t		off = 20, gstart = 20;

	memset(pkt, 0, 64);
	pkt[0] = 0x45;
	pkt[9] = IPPROTO_GRE;
	inet_pton(AF_INET, src, &a);
	memcpy(pkt + 12, &a, 4);
	inet_pton(AF_INET, "192.0.2.1", &a);
	memcpy(pkt + 16, &a, 4);
	put16(pkt + off, flags);
	put16(pkt + off + 2, proto);
	put16(pkt + off + 4, keylen);
	put16(pkt + off + 6, callid);
	off += 8;
	if (flags & GRE_FLAG_S) {
		put32(pkt + off, 0x01020304);
		off += 4;
	}
	if (flags & GRE_FLAG_A) {
		put32(pkt + off, 0x0a0b0c0d);
		off += 4;
	}
	memset(pkt + off, 0x5a, plen);
	off += plen;
	put16(pkt + 2, (uint16_t)off);
	(void)gstart;
	return (off);
}

static void
route(struct gre_table *t, uint64_t sess, uint16_t key, uint16_t newkey,
    const char *from, const char *to, const char *src)
{
	struct gre_route	gr;

	memset(&gr, 0, sizeof(gr));
	gr.sess = sess;
	gr.key = key;
	gr.newkey = newkey;
	inet_pton(AF_INET, from, &gr.from);
	inet_pton(AF_INET, to, &gr.to);
	inet_pton(AF_INET, src, &gr.src);
	inet_pton(AF_INET, "192.0.2.1", &gr.dst);	/* mkpkt()'s */
	gr.toside = PPTP_SERVER;
	if (gre_table_add(t, &gr) == -1)
		abort();
}

int
main(void)
{
	struct gre_table	 t;
	struct gre_route_ent	*r;
	uint8_t			*g, copy[2048];
	size_t			 len, glen;
	uint64_t		 before, pk;

	memset(&t, 0, sizeof(t));
	if ((t.routes = calloc(65536, sizeof(*t.routes))) == NULL)
		return (1);
	route(&t, 1, 4711, 0, "192.0.2.10", "198.51.100.2", "198.51.100.1");
	route(&t, 2, 4712, 0, "192.0.2.10", "198.51.100.2", "198.51.100.1");
	route(&t, 3, 65535, 9, "192.0.2.11", "198.51.100.3", "198.51.100.1");

	/* Data with sequence and ack: key rewritten, nothing else. */
	len = mkpkt("192.0.2.10", 0x3081, GRE_PROTO_PPP, 100, 4711, 100);
	memcpy(copy, pkt, len);
	r = gre_translate(&t, pkt, len, &g, &glen);
	CHECK(r != NULL, "data+ack packet for a known Call ID is forwarded");
	CHECK(r != NULL && r->to.s_addr == htonl(0xc6336402),
	    "sent to the route's receiver");
	CHECK(g == pkt + 20 && glen == len - 20,
	    "the GRE part starts after the IP header");
	CHECK(pkt[26] == 0 && pkt[27] == 0, "key rewritten to the real ID 0");
	CHECK(memcmp(pkt, copy, 26) == 0 &&
	    memcmp(pkt + 28, copy + 28, len - 28) == 0,
	    "sequence, ack, payload and header untouched");
	CHECK(r != NULL && r->packets == 1 && r->bytes == 20 + 16 + 100,
	    "packet counted, bytes as the IP packet's (as the kernel's "
	    "counters count offloaded packets)");

	/* Two clients with the same real Call ID stay apart by key. */
	len = mkpkt("192.0.2.10", 0x3001, GRE_PROTO_PPP, 10, 4712, 10);
	r = gre_translate(&t, pkt, len, &g, &glen);
	CHECK(r != NULL && r->sess == 2, "second session's key routes there");

	/* Ack only: no sequence number, no payload. */
	len = mkpkt("192.0.2.11", 0x2081, GRE_PROTO_PPP, 0, 65535, 0);
	r = gre_translate(&t, pkt, len, &g, &glen);
	CHECK(r != NULL && glen == 12 && pkt[26] == 0 && pkt[27] == 9,
	    "ack-only packet forwarded with the key rewritten");

	/* The largest IP packet. */
	len = mkpkt("192.0.2.10", 0x3001, GRE_PROTO_PPP, 65535 - 32, 4711,
	    65535 - 32);
	r = gre_translate(&t, pkt, len, &g, &glen);
	CHECK(r != NULL && glen == 65535 - 20, "a 65535-byte packet passes");

	/* Spoofing: right key, wrong source. */
	before = t.drop_spoofed;
	len = mkpkt("192.0.2.99", 0x3001, GRE_PROTO_PPP, 10, 4711, 10);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL &&
	    t.drop_spoofed == before + 1 && t.routes[4711].dropped == 1,
	    "valid Call ID from the wrong address is dropped and counted");

	/*
	 * Right key and source, sent to another address of ours (or to
	 * broadcast): dropped, as the kernel path does not forward it.
	 */
	before = t.drop_dst;
	pk = t.routes[4711].packets;
	len = mkpkt("192.0.2.10", 0x3001, GRE_PROTO_PPP, 10, 4711, 10);
	inet_pton(AF_INET, "198.51.100.1", pkt + 16);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL &&
	    t.drop_dst == before + 1 && t.routes[4711].packets == pk &&
	    pkt[26] == 0x12 && pkt[27] == 0x67,
	    "sent to another address of ours: dropped and counted");
	len = mkpkt("192.0.2.10", 0x3001, GRE_PROTO_PPP, 10, 4711, 10);
	inet_pton(AF_INET, "192.0.2.255", pkt + 16);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL &&
	    t.drop_dst == before + 2, "sent to broadcast: dropped");
	len = mkpkt("192.0.2.10", 0x3001, GRE_PROTO_PPP, 10, 4711, 10);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) != NULL &&
	    t.drop_dst == before + 2 && t.routes[4711].packets == pk + 1,
	    "sent to the route's address: forwarded");

	/* Unknown key. */
	before = t.drop_unknown;
	len = mkpkt("192.0.2.10", 0x3001, GRE_PROTO_PPP, 10, 1234, 10);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL &&
	    t.drop_unknown == before + 1, "unknown Call ID dropped");

	/* Malformed headers. */
	before = t.drop_bad;
	len = mkpkt("192.0.2.10", 0x3000, GRE_PROTO_PPP, 10, 4711, 10);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL,
	    "version 0 (plain GRE) dropped");
	len = mkpkt("192.0.2.10", 0x3001, 0x0800, 10, 4711, 10);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL,
	    "protocol other than PPP dropped");
	len = mkpkt("192.0.2.10", 0xb001, GRE_PROTO_PPP, 10, 4711, 10);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL,
	    "checksum bit set dropped");
	len = mkpkt("192.0.2.10", 0x1001, GRE_PROTO_PPP, 10, 4711, 10);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL,
	    "key bit clear dropped");
	len = mkpkt("192.0.2.10", 0x3009, GRE_PROTO_PPP, 10, 4711, 10);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL,
	    "reserved flag bits dropped");
	len = mkpkt("192.0.2.10", 0x3101, GRE_PROTO_PPP, 10, 4711, 10);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL,
	    "recursion count dropped");
	len = mkpkt("192.0.2.10", 0x3001, GRE_PROTO_PPP, 50, 4711, 10);
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL,
	    "payload length beyond the packet dropped");
	len = mkpkt("192.0.2.10", 0x3081, GRE_PROTO_PPP, 10, 4711, 10);
	CHECK(gre_translate(&t, pkt, 20 + 14, &g, &glen) == NULL,
	    "header cut before the ack number dropped");
	CHECK(gre_translate(&t, pkt, 20 + 5, &g, &glen) == NULL,
	    "header cut inside the key dropped");
	CHECK(gre_translate(&t, pkt, 19, &g, &glen) == NULL,
	    "IP header cut short dropped");
	pkt[0] = 0x4f;
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL,
	    "IP header length beyond the GRE header dropped");
	pkt[0] = 0x65;
	CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL,
	    "IP version 6 in an IPv4 socket dropped");
	CHECK(t.drop_bad == before + 12, "each malformed packet counted");

	/* Table: a key routed for one session is not taken by another. */
	{
		struct gre_route gr;

		memset(&gr, 0, sizeof(gr));
		gr.sess = 9;
		gr.key = 4711;
		CHECK(gre_table_add(&t, &gr) == -1,
		    "a key in use by another session is refused");
		CHECK(gre_table_del(&t, 9, 4711) == NULL,
		    "another session cannot delete it");
		CHECK(gre_table_del(&t, 1, 4711) != NULL,
		    "its own session deletes it");
		len = mkpkt("192.0.2.10", 0x3001, GRE_PROTO_PPP, 10, 4711, 10);
		CHECK(gre_translate(&t, pkt, len, &g, &glen) == NULL,
		    "a deleted key is no longer forwarded");
	}

	/*
	 * gre offload: a route is queued for the kernel once, when it has
	 * carried offload_after packets; wrong-source packets do not count.
	 */
	{
		uint16_t	q[4];
		int		i, queued_early = 0;

		t.offq = q;
		t.offq_max = 4;
		t.noffq = 0;
		t.offload_after = 3;
		route(&t, 5, 1000, 77, "192.0.2.20", "198.51.100.2",
		    "198.51.100.1");
		for (i = 0; i < 5; i++) {
			len = mkpkt("192.0.2.99", 0x3001, GRE_PROTO_PPP, 10,
			    1000, 10);
			(void)gre_translate(&t, pkt, len, &g, &glen);
		}
		CHECK(t.noffq == 0, "packets from a wrong source do not "
		    "count towards offload");
		for (i = 0; i < 6; i++) {
			len = mkpkt("192.0.2.20", 0x3001, GRE_PROTO_PPP, 10,
			    1000, 10);
			(void)gre_translate(&t, pkt, len, &g, &glen);
			if (i < 2 && t.noffq != 0)
				queued_early = 1;
		}
		CHECK(!queued_early && t.noffq == 1 && q[0] == 1000 &&
		    t.noffloaded == 1 && t.routes[1000].offload == 1,
		    "queued at the third packet, and only once");
		CHECK(gre_table_del(&t, 5, 1000) != NULL && t.noffloaded == 0,
		    "deleting an offloaded route counts it out");

		t.noffq = 0;
		t.offload_after = 0;
		route(&t, 6, 1001, 78, "192.0.2.21", "198.51.100.2",
		    "198.51.100.1");
		for (i = 0; i < 100; i++) {
			len = mkpkt("192.0.2.21", 0x3001, GRE_PROTO_PPP, 10,
			    1001, 10);
			(void)gre_translate(&t, pkt, len, &g, &glen);
		}
		CHECK(t.noffq == 0 && t.routes[1001].offload == 0,
		    "offload_after 0: never queued");

		/* A full queue leaves the route to be queued later. */
		t.offload_after = 1;
		t.offq_max = 0;
		len = mkpkt("192.0.2.21", 0x3001, GRE_PROTO_PPP, 10, 1001, 10);
		(void)gre_translate(&t, pkt, len, &g, &glen);
		CHECK(t.routes[1001].offload == 0, "full queue: not marked");
		t.offq_max = 4;
		len = mkpkt("192.0.2.21", 0x3001, GRE_PROTO_PPP, 10, 1001, 10);
		(void)gre_translate(&t, pkt, len, &g, &glen);
		CHECK(t.noffq == 1 && t.routes[1001].offload == 1,
		    "room again: queued at the next packet");
	}

	free(t.routes);
	CHECK_DONE();
}
