/*
 * gre offload's netlink bytes: the batch that adds or deletes a call's
 * set elements (read back here with a walker of the test's own), and the
 * parser of the kernel's replies, with good, cut and corrupted input.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#ifdef __linux__
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxy.h"
#include "check.h"
#include "offload.h"

#ifndef __linux__
/* gre offload is Linux's nf_tables: nothing to test elsewhere. */
int
main(void)
{
	printf("# gre offload is Linux only\n");
	CHECK_DONE();
}
#else


#define MSG(sub, t)	((uint16_t)((sub) << 8 | (t)))

/* What the walker found in one set-element message. */
struct elem_msg {
	uint16_t	type, flags;
	uint32_t	seq;
	uint8_t		family;
	uint16_t	resid;
	char		table[32], set[32];
	uint8_t		key[16], data[16];
	size_t		klen, dlen;
	int		nelem;
};

static uint16_t
get16(const uint8_t *p)
{
	uint16_t	v;

	memcpy(&v, p, 2);
	return (v);
}

/* The value inside a NFTA_SET_ELEM_KEY or _DATA nest. */
static int
value(const uint8_t *p, size_t len, uint8_t *out, size_t *olen)
{
	uint16_t	alen = get16(p), atype = get16(p + 2);

	if (len < 4 || alen < 4 || alen > len ||
	    (atype & NLA_TYPE_MASK) != NFTA_DATA_VALUE || alen - 4 > 16)
		return (-1);
	memcpy(out, p + 4, alen - 4);
	*olen = alen - 4;
	return (0);
}

/* Walk a buffer of netlink messages; returns how many, or -1. */
static int
walk(const uint8_t *b, size_t len, struct elem_msg *m, int max)
{
	struct nlmsghdr	 h;
	struct nfgenmsg	 g;
	const uint8_t	*a, *end, *e, *eend, *x;
	uint16_t	 alen, atype, xlen, xtype;
	int		 n = 0;

	while (len > 0) {
		if (len < sizeof(h) + sizeof(g) || n == max)
			return (-1);
		memcpy(&h, b, sizeof(h));
		if (h.nlmsg_len > len || h.nlmsg_len < sizeof(h) + sizeof(g) ||
		    h.nlmsg_len % 4 != 0)
			return (-1);
		memcpy(&g, b + sizeof(h), sizeof(g));
		memset(&m[n], 0, sizeof(m[n]));
		m[n].type = h.nlmsg_type;
		m[n].flags = h.nlmsg_flags;
		m[n].seq = h.nlmsg_seq;
		m[n].family = g.nfgen_family;
		m[n].resid = ntohs(g.res_id);
		a = b + sizeof(h) + sizeof(g);
		end = b + h.nlmsg_len;
		while (a < end) {
			alen = get16(a);
			atype = get16(a + 2) & NLA_TYPE_MASK;
			if (alen < 4 || a + alen > end)
				return (-1);
			if (atype == NFTA_SET_ELEM_LIST_TABLE && alen - 4 < 32)
				memcpy(m[n].table, a + 4, alen - 4);
			else if (atype == NFTA_SET_ELEM_LIST_SET &&
			    alen - 4 < 32)
				memcpy(m[n].set, a + 4, alen - 4);
			else if (atype == NFTA_SET_ELEM_LIST_ELEMENTS) {
				e = a + 4;
				eend = a + alen;
				while (e < eend) {
					m[n].nelem++;
					/* one NFTA_LIST_ELEM: walk its nests */
					x = e + 4;
					while (x < e + get16(e)) {
						xlen = get16(x);
						xtype = get16(x + 2) &
						    NLA_TYPE_MASK;
						if (xlen < 4)
							return (-1);
						if (xtype == NFTA_SET_ELEM_KEY &&
						    value(x + 4, xlen - 4,
						    m[n].key, &m[n].klen) == -1)
							return (-1);
						if (xtype == NFTA_SET_ELEM_DATA &&
						    value(x + 4, xlen - 4,
						    m[n].data, &m[n].dlen) == -1)
							return (-1);
						x += (xlen + 3) & ~3;
					}
					if (get16(e) < 4)
						return (-1);
					e += (get16(e) + 3) & ~3;
				}
			}
			a += (alen + 3) & ~3;
		}
		n++;
		b += h.nlmsg_len;
		len -= h.nlmsg_len;
	}
	return (n);
}

static void
route(struct gre_route *r)
{
	memset(r, 0, sizeof(*r));
	r->sess = 7;
	r->call = 1;
	r->key = 0x1234;
	r->newkey = 0xabcd;
	inet_pton(AF_INET, "192.0.2.10", &r->from);
	inet_pton(AF_INET, "198.51.100.2", &r->to);
	inet_pton(AF_INET, "198.51.100.1", &r->src);
	inet_pton(AF_INET, "192.0.2.1", &r->dst);
}

static void
test_batches(void)
{
	struct gre_route	r;
	struct elem_msg		m[8];
	uint8_t			buf[2048];
	const uint8_t		ks[12] = { 192, 0, 2, 10, 198, 51, 100, 2,
				    0xab, 0xcd, 0, 0 };
	const uint8_t		kp[12] = { 192, 0, 2, 10, 192, 0, 2, 1,
				    0x12, 0x34, 0, 0 };
	const uint8_t		kc[2] = { 0x12, 0x34 }, kn[2] = { 0xab, 0xcd };
	const char		*order[4] = { "tosrc", "todst", "tokey",
				    "peers" };
	size_t			len;
	int			n, i, ok;

	route(&r);
	len = offload_msg_route(buf, sizeof(buf), 100, &r, 0);
	n = walk(buf, len, m, 8);
	CHECK(len > 0 && n == 6, "add: a batch of six messages");
	if (n != 6)
		return;
	CHECK(m[0].type == NFNL_MSG_BATCH_BEGIN &&
	    m[0].resid == NFNL_SUBSYS_NFTABLES &&
	    m[5].type == NFNL_MSG_BATCH_END &&
	    m[5].resid == NFNL_SUBSYS_NFTABLES,
	    "add: batch begin and end for nf_tables");
	ok = 1;
	for (i = 0; i < 6; i++)
		if (m[i].seq != 100 + (uint32_t)i)
			ok = 0;
	CHECK(ok, "add: sequence numbers 100..105");
	ok = 1;
	for (i = 1; i <= 4; i++)
		if (m[i].type != MSG(NFNL_SUBSYS_NFTABLES,
		    NFT_MSG_NEWSETELEM) || m[i].family != NFPROTO_IPV4 ||
		    m[i].flags != (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
		    NLM_F_EXCL) || strcmp(m[i].table, OFFLOAD_TABLE) != 0 ||
		    strcmp(m[i].set, order[i - 1]) != 0 || m[i].nelem != 1)
			ok = 0;
	CHECK(ok, "add: new elements, exclusive and acknowledged, in "
	    "tosrc, todst, tokey, peers (the matching set last)");
	CHECK(m[1].klen == 12 && memcmp(m[1].key, ks, 12) == 0 &&
	    m[1].dlen == 4 && memcmp(m[1].data, &r.src, 4) == 0,
	    "tosrc: peer . receiver . receiver's Call ID -> our address");
	CHECK(m[2].klen == 2 && memcmp(m[2].key, kc, 2) == 0 &&
	    m[2].dlen == 4 && memcmp(m[2].data, &r.to, 4) == 0,
	    "todst: presented Call ID -> receiver");
	CHECK(m[3].klen == 2 && memcmp(m[3].key, kc, 2) == 0 &&
	    m[3].dlen == 2 && memcmp(m[3].data, kn, 2) == 0,
	    "tokey: presented Call ID -> receiver's Call ID");
	CHECK(m[4].klen == 12 && memcmp(m[4].key, kp, 12) == 0 &&
	    m[4].dlen == 0, "peers: peer . our address it sends to . "
	    "presented Call ID, no data");

	len = offload_msg_route(buf, sizeof(buf), 200, &r, 1);
	n = walk(buf, len, m, 8);
	CHECK(n == 6, "delete: a batch of six messages");
	ok = n == 6;
	for (i = 1; ok && i <= 4; i++)
		if (m[i].type != MSG(NFNL_SUBSYS_NFTABLES,
		    NFT_MSG_DELSETELEM) || m[i].flags != (NLM_F_REQUEST |
		    NLM_F_ACK) || m[i].dlen != 0 ||
		    strcmp(m[i].set, order[i - 1]) != 0)
			ok = 0;
	CHECK(ok, "delete: the same four keys, no data, nothing created");
	CHECK(ok && m[1].klen == 12 && memcmp(m[1].key, ks, 12) == 0 &&
	    m[4].klen == 12 && memcmp(m[4].key, kp, 12) == 0,
	    "delete: keys as added");

	ok = 1;
	for (i = 0; i < (int)len; i++)
		if (offload_msg_route(buf, (size_t)i, 1, &r, 0) != 0)
			ok = 0;
	CHECK(ok, "a buffer too small for the batch: 0, at every size");
}

/*
 * Replies, built by hand.
 */
struct rb {
	uint8_t	b[4096];
	size_t	len;
};

static size_t
rb_put(struct rb *r, const void *p, size_t len)
{
	size_t	off = r->len;

	memset(r->b + off, 0, (len + 3) & ~3U);
	if (p != NULL)
		memcpy(r->b + off, p, len);
	r->len += (len + 3) & ~3U;
	return (off);
}

static size_t
rb_attr(struct rb *r, uint16_t type, const void *p, size_t len)
{
	uint16_t	h[2] = { (uint16_t)(4 + len), type };
	size_t		off = rb_put(r, h, 4);

	rb_put(r, p, len);
	return (off);
}

static void
rb_end(struct rb *r, size_t off)
{
	uint16_t	l = (uint16_t)(r->len - off);

	memcpy(r->b + off, &l, 2);
}

static size_t
rb_msg(struct rb *r, uint16_t type)
{
	struct nlmsghdr	h;
	struct nfgenmsg	g;
	size_t		off;

	memset(&h, 0, sizeof(h));
	h.nlmsg_type = type;
	off = rb_put(r, &h, sizeof(h));
	memset(&g, 0, sizeof(g));
	g.nfgen_family = NFPROTO_IPV4;
	rb_put(r, &g, sizeof(g));
	return (off);
}

static void
rb_msg_end(struct rb *r, size_t off)
{
	uint32_t	l = (uint32_t)(r->len - off);

	memcpy(r->b + off, &l, 4);
}

static void
be64(uint8_t *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

/* A counter expression's name and data inside an open nest. */
static void
rb_counter(struct rb *r, uint64_t pk, uint64_t by)
{
	uint8_t	v[8];
	size_t	d;

	rb_attr(r, NFTA_EXPR_NAME, "counter", 8);
	d = rb_attr(r, NFTA_EXPR_DATA | NLA_F_NESTED, NULL, 0);
	be64(v, by);
	rb_attr(r, NFTA_COUNTER_BYTES, v, 8);
	be64(v, pk);
	rb_attr(r, NFTA_COUNTER_PACKETS, v, 8);
	rb_end(r, d);
}

/* A NEWSETELEM message with one peers element per key. */
static void
rb_elems(struct rb *r, int nkeys, int listform)
{
	uint8_t	key[12] = { 192, 0, 2, 10, 192, 0, 2, 1, 0, 0, 0, 0 };
	size_t	m, l, e, k, x, y;
	int	i;

	m = rb_msg(r, MSG(NFNL_SUBSYS_NFTABLES, NFT_MSG_NEWSETELEM));
	rb_attr(r, NFTA_SET_ELEM_LIST_TABLE, OFFLOAD_TABLE,
	    sizeof(OFFLOAD_TABLE));
	rb_attr(r, NFTA_SET_ELEM_LIST_SET, "peers", 6);
	l = rb_attr(r, NFTA_SET_ELEM_LIST_ELEMENTS | NLA_F_NESTED, NULL, 0);
	for (i = 0; i < nkeys; i++) {
		e = rb_attr(r, NFTA_LIST_ELEM | NLA_F_NESTED, NULL, 0);
		key[8] = 0x10;
		key[9] = (uint8_t)i;
		k = rb_attr(r, NFTA_SET_ELEM_KEY | NLA_F_NESTED, NULL, 0);
		rb_attr(r, NFTA_DATA_VALUE, key, 12);
		rb_end(r, k);
		if (listform) {
			x = rb_attr(r, NFTA_SET_ELEM_EXPRESSIONS |
			    NLA_F_NESTED, NULL, 0);
			y = rb_attr(r, NFTA_LIST_ELEM | NLA_F_NESTED, NULL, 0);
			rb_counter(r, 1000 + i, 5000000000ULL + i);
			rb_end(r, y);
			rb_end(r, x);
		} else {
			x = rb_attr(r, NFTA_SET_ELEM_EXPR | NLA_F_NESTED,
			    NULL, 0);
			rb_counter(r, 1000 + i, 5000000000ULL + i);
			rb_end(r, x);
		}
		rb_end(r, e);
	}
	rb_end(r, l);
	rb_msg_end(r, m);
}

static void
rb_done(struct rb *r, uint16_t type, int32_t code)
{
	struct nlmsghdr	h;
	size_t		off;

	memset(&h, 0, sizeof(h));
	h.nlmsg_type = type;
	off = rb_put(r, &h, sizeof(h));
	if (type == NLMSG_ERROR) {
		rb_put(r, &code, 4);
		rb_put(r, &h, sizeof(h));	/* the request's header */
	} else
		rb_put(r, &code, 4);
	rb_msg_end(r, off);
}

struct seen {
	int		n;
	int		bad;
	uint16_t	keys[64];
	uint64_t	pk[64], by[64];
};

static void
seen_cb(const uint8_t *key, size_t klen, uint64_t pk, uint64_t by,
    void *arg)
{
	struct seen	*s = arg;
	size_t		 i;
	uint8_t		 sum = 0;

	/* Touch every byte: the sanitizers catch a key outside the reply. */
	for (i = 0; i < klen; i++)
		sum ^= key[i];
	(void)sum;
	if (klen != 12) {
		s->bad++;
		return;
	}
	if (s->n < 64) {
		s->keys[s->n] = (uint16_t)(key[8] << 8 | key[9]);
		s->pk[s->n] = pk;
		s->by[s->n] = by;
	}
	s->n++;
}

static void
test_replies(void)
{
	struct rb	r;
	struct seen	s;
	uint8_t		cut[4096];
	int		err, acks, ret, i, ok, crashless;
	unsigned int	seed = 1;
	size_t		full, j;

	memset(&r, 0, sizeof(r));
	rb_elems(&r, 3, 0);
	rb_done(&r, NLMSG_DONE, 0);
	memset(&s, 0, sizeof(s));
	ret = offload_parse(r.b, r.len, seen_cb, &s, &err, &acks);
	CHECK(ret == 1 && err == 0, "a dump ending in NLMSG_DONE: complete");
	CHECK(s.n == 3 && s.keys[0] == 0x1000 && s.keys[2] == 0x1002 &&
	    s.pk[1] == 1001 && s.by[2] == 5000000002ULL && s.bad == 0,
	    "each element's key, packets and 64-bit bytes");

	memset(&r, 0, sizeof(r));
	rb_elems(&r, 2, 1);
	memset(&s, 0, sizeof(s));
	ret = offload_parse(r.b, r.len, seen_cb, &s, &err, &acks);
	CHECK(ret == 0 && s.n == 2 && s.pk[0] == 1000 &&
	    s.by[1] == 5000000001ULL,
	    "the expression-list form; no NLMSG_DONE yet: more to come");

	memset(&r, 0, sizeof(r));
	rb_done(&r, NLMSG_ERROR, 0);
	ret = offload_parse(r.b, r.len, seen_cb, &s, &err, &acks);
	CHECK(ret == 0 && err == 0 && acks == 1, "an acknowledgement: no "
	    "error, one ack counted for the caller");

	memset(&r, 0, sizeof(r));
	rb_done(&r, NLMSG_ERROR, 0);
	rb_done(&r, NLMSG_ERROR, -17);
	ret = offload_parse(r.b, r.len, seen_cb, &s, &err, &acks);
	CHECK(ret == 1 && err == -17, "an error after an ack: the error "
	    "(EEXIST) is reported and ends the reply");

	memset(&r, 0, sizeof(r));
	rb_elems(&r, 3, 0);
	rb_done(&r, NLMSG_DONE, 0);
	full = r.len;
	ok = 1;
	for (j = 1; j < full; j++) {
		memset(&s, 0, sizeof(s));
		memcpy(cut, r.b, j);
		ret = offload_parse(cut, j, seen_cb, &s, &err, &acks);
		/* Cut right before NLMSG_DONE: whole so far, not done. */
		if (s.bad != 0 || (j == full - 20 ? ret != 0 : ret != -1))
			ok = 0;
	}
	CHECK(ok, "the reply cut at every length: malformed (whole but "
	    "not done at the message boundary), never a key of the wrong "
	    "size");

	/* A length field pointing past the end, at every position. */
	ok = 1;
	for (j = 0; j + 2 <= full; j += 2) {
		memcpy(cut, r.b, full);
		cut[j] = 0xff;
		cut[j + 1] = 0x7f;
		memset(&s, 0, sizeof(s));
		ret = offload_parse(cut, full, seen_cb, &s, &err, &acks);
		if (s.bad != 0)
			ok = 0;
	}
	CHECK(ok, "a huge length at every offset: no key of the wrong size");

	/* Random corruption: the sanitizer build checks the reads. */
	crashless = 1;
	for (i = 0; i < 20000; i++) {
		memcpy(cut, r.b, full);
		for (j = 0; j < 4; j++) {
			seed = seed * 1103515245 + 12345;
			cut[(seed >> 8) % full] = (uint8_t)(seed >> 20);
		}
		memset(&s, 0, sizeof(s));
		ret = offload_parse(cut, full, seen_cb, &s, &err, &acks);
		if (ret < -1 || ret > 1)
			crashless = 0;
	}
	CHECK(crashless, "20,000 corrupted replies: parsed or refused");

	ret = offload_parse(r.b, 0, seen_cb, &s, &err, &acks);
	CHECK(ret == 0, "nothing to read: not complete");
}

static void
test_ruleset(void)
{
	const char	*rs = offload_ruleset();

	CHECK(strstr(rs, "delete table ip " OFFLOAD_TABLE) != NULL &&
	    strstr(rs, "table ip " OFFLOAD_TABLE " {") != NULL,
	    "the rule set replaces a table left by an earlier run");
	CHECK(strstr(rs, "ip frag-off & 0x3fff == 0") != NULL,
	    "fragments stay with user space (reassembled there)");
	CHECK(strstr(rs, "@th,0,32 & 0xff7fffff == 0x3001880b ip saddr") !=
	    NULL,
	    "with S: only GRE version 1 with a key, A allowed, protocol PPP "
	    "(as gre_check)");
	CHECK(strstr(rs, "@th,0,32 & 0xff7fffff == 0x2001880b "
	    "@th,32,16 == 0 ip saddr") != NULL,
	    "without S: the same, and a payload length of 0 (as gre_check)");
	CHECK(strstr(rs, "ip saddr . ip daddr . @th,48,16 @peers") != NULL,
	    "only from the call's peer, to our address it talks to, with "
	    "the key it was shown");
}

int
main(void)
{
	/* A full IMSG_OFFLOAD_COUNTS (64-bit session numbers) fits an imsg. */
	CHECK(IMSG_HEADER_SIZE + OFFLOAD_COUNTS_MAX *
	    sizeof(struct offload_count) <= MAX_IMSGSIZE,
	    "%d counts of %zu bytes fit an imsg of at most %d bytes",
	    OFFLOAD_COUNTS_MAX, sizeof(struct offload_count), MAX_IMSGSIZE);
	test_batches();
	test_replies();
	test_ruleset();
	CHECK_DONE();
}
#endif /* __linux__ */
