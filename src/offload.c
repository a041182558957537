/*
 * GRE offload through nf_tables (Linux).
 *
 * At start the parent loads one table with nft(8): a prerouting chain
 * that, for a PPTP GRE packet addressed to this host whose source and
 * key are a known peer's, rewrites the destination and the key, and a
 * postrouting chain that rewrites the source of what the first chain
 * sent on.  The kernel then forwards those packets like any routed
 * packet: no copy to user space, no wake-up of the GRE forwarder.
 *
 * Per call the parent adds four set elements, in one netlink batch so
 * that either all are in or none:
 *	peers	{ from . dst . key }		counted per element
 *	todst	{ key : to }
 *	tokey	{ key : newkey }
 *	tosrc	{ from . to . newkey : src }
 * Keys the relay presents are unique in the process, so the first three
 * need nothing else.  The source is rewritten after routing, when the key
 * is already the receiver's: two calls that would share a tosrc key are
 * ambiguous there, the kernel refuses the second batch (EEXIST) and that
 * call's GRE stays with the user-space forwarder.
 *
 * The parent keeps what it added, so that a deletion removes exactly
 * those elements, and reads a call's counter just before deleting it.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "offload.h"
#include "os.h"

/*
 * Packets the user-space forwarder would take: GRE version 1 with a key,
 * nothing but the S and A flags besides, protocol PPP (gre_check() in
 * pptp.c), and without S (an acknowledgement alone) a payload length of
 * 0; not a fragment; from a call's peer to the address of ours that
 * peer talks to, with the key we showed it.  One rule with S, one
 * without: the key a rule rewrites leaves the flags, so no packet meets
 * both.  What nft cannot compare, a payload length against the packet's
 * size, gre_check() alone checks (pptpproxy.8, CAVEATS).
 */
#define OFFLOAD_PEER							\
    "ip saddr . ip daddr . @th,48,16 @peers notrack "			\
    "ip daddr set @th,48,16 map @todst "				\
    "@th,48,16 set @th,48,16 map @tokey\n"

static const char ruleset[] =
    "table ip " OFFLOAD_TABLE "\n"
    "delete table ip " OFFLOAD_TABLE "\n"
    "table ip " OFFLOAD_TABLE " {\n"
    "\tset peers {\n"
    "\t\ttypeof ip saddr . ip daddr . @th,48,16\n"
    "\t\tcounter\n"
    "\t}\n"
    "\tmap todst {\n"
    "\t\ttypeof @th,48,16 : ip daddr\n"
    "\t}\n"
    "\tmap tokey {\n"
    "\t\ttypeof @th,48,16 : @th,48,16\n"
    "\t}\n"
    "\tmap tosrc {\n"
    "\t\ttypeof ip saddr . ip daddr . @th,48,16 : ip saddr\n"
    "\t}\n"
    "\tchain prerouting {\n"
    "\t\ttype filter hook prerouting priority raw; policy accept;\n"
    "\t\tip protocol gre ip frag-off & 0x3fff == 0 "
    "@th,0,32 & 0xff7fffff == 0x3001880b "
    OFFLOAD_PEER
    "\t\tip protocol gre ip frag-off & 0x3fff == 0 "
    "@th,0,32 & 0xff7fffff == 0x2001880b @th,32,16 == 0 "
    OFFLOAD_PEER
    "\t}\n"
    "\tchain postrouting {\n"
    "\t\ttype filter hook postrouting priority srcnat; policy accept;\n"
    "\t\tip protocol gre @th,0,32 & 0xef7fffff == 0x2001880b "
    "ip saddr set ip saddr . ip daddr . @th,48,16 map @tosrc\n"
    "\t}\n"
    "}\n";

const char *
offload_ruleset(void)
{
	return (ruleset);
}

#ifdef __linux__

#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#define NL_BUFSZ	65536

/*
 * Building messages: an output buffer, with every write checked against
 * its size; a write that does not fit marks the buffer bad.
 */
struct nlb {
	uint8_t		*b;
	size_t		 len;
	size_t		 cap;
	int		 bad;
};

static size_t
nlb_put(struct nlb *n, const void *p, size_t len)
{
	size_t	off = n->len, alen = NLA_ALIGN(len);

	if (n->bad || alen > n->cap - n->len) {
		n->bad = 1;
		return (off);
	}
	memset(n->b + off, 0, alen);
	if (p != NULL)
		memcpy(n->b + off, p, len);
	n->len += alen;
	return (off);
}

static size_t
nlb_attr(struct nlb *n, uint16_t type, const void *p, size_t len)
{
	struct nlattr	a;
	size_t		off;

	a.nla_len = (uint16_t)(NLA_HDRLEN + len);
	a.nla_type = type;
	off = nlb_put(n, &a, sizeof(a));
	nlb_put(n, p, len);
	return (off);
}

static size_t
nlb_nest(struct nlb *n, uint16_t type)
{
	return (nlb_attr(n, type | NLA_F_NESTED, NULL, 0));
}

/* Close a nested attribute or a message: its length is what follows. */
static void
nlb_close(struct nlb *n, size_t off, int msg)
{
	uint32_t	l32;
	uint16_t	l16;

	if (n->bad)
		return;
	if (msg) {
		l32 = (uint32_t)(n->len - off);
		memcpy(n->b + off, &l32, sizeof(l32));
	} else {
		l16 = (uint16_t)(n->len - off);
		memcpy(n->b + off, &l16, sizeof(l16));
	}
}

static size_t
nlb_msg(struct nlb *n, uint16_t type, uint16_t flags, uint32_t seq,
    uint8_t family, uint16_t resid)
{
	struct nlmsghdr	h;
	struct nfgenmsg	g;
	size_t		off;

	memset(&h, 0, sizeof(h));
	h.nlmsg_type = type;
	h.nlmsg_flags = flags;
	h.nlmsg_seq = seq;
	off = nlb_put(n, &h, sizeof(h));
	memset(&g, 0, sizeof(g));
	g.nfgen_family = family;
	g.version = NFNETLINK_V0;
	g.res_id = htons(resid);
	nlb_put(n, &g, sizeof(g));
	return (off);
}

static void
nlb_str(struct nlb *n, uint16_t type, const char *s)
{
	nlb_attr(n, type, s, strlen(s) + 1);
}

/* One element of a set: its key and, for a map, its data. */
static void
nlb_elem(struct nlb *n, uint16_t msgtype, uint16_t flags, uint32_t seq,
    const char *set, const void *key, size_t klen, const void *data,
    size_t dlen)
{
	size_t	m, list, el, k;

	m = nlb_msg(n, (NFNL_SUBSYS_NFTABLES << 8) | msgtype, flags, seq,
	    NFPROTO_IPV4, 0);
	nlb_str(n, NFTA_SET_ELEM_LIST_TABLE, OFFLOAD_TABLE);
	nlb_str(n, NFTA_SET_ELEM_LIST_SET, set);
	list = nlb_nest(n, NFTA_SET_ELEM_LIST_ELEMENTS);
	el = nlb_nest(n, NFTA_LIST_ELEM);
	k = nlb_nest(n, NFTA_SET_ELEM_KEY);
	nlb_attr(n, NFTA_DATA_VALUE, key, klen);
	nlb_close(n, k, 0);
	if (data != NULL) {
		k = nlb_nest(n, NFTA_SET_ELEM_DATA);
		nlb_attr(n, NFTA_DATA_VALUE, data, dlen);
		nlb_close(n, k, 0);
	}
	nlb_close(n, el, 0);
	nlb_close(n, list, 0);
	nlb_close(n, m, 1);
}

/*
 * Set keys as the kernel's registers hold them: each field of a
 * concatenation takes a multiple of four bytes, in network byte order.
 */
/* peers { from . dst . key } and tosrc { from . to . newkey } */
static void
key_addrs(uint8_t k[12], struct in_addr a, struct in_addr b, uint16_t key)
{
	memset(k, 0, 12);
	memcpy(k, &a, 4);
	memcpy(k + 4, &b, 4);
	k[8] = key >> 8;
	k[9] = key & 0xff;
}

static void
key_call(uint8_t k[2], uint16_t key)
{
	k[0] = key >> 8;
	k[1] = key & 0xff;
}

/*
 * A batch adding or deleting one route's four elements; seq numbers the
 * batch's messages from seq on.  Returns the length, 0 if it did not fit.
 */
size_t
offload_msg_route(uint8_t *buf, size_t cap, uint32_t seq,
    const struct gre_route *r, int del)
{
	struct nlb	n = { buf, 0, cap, 0 };
	uint8_t		kp[12], kc[2], kn[2], ks[12];
	uint16_t	type, flags;
	size_t		m;

	key_addrs(kp, r->from, r->dst, r->key);
	key_call(kc, r->key);
	key_call(kn, r->newkey);
	key_addrs(ks, r->from, r->to, r->newkey);
	type = del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM;
	flags = NLM_F_REQUEST | NLM_F_ACK;
	if (!del)
		flags |= NLM_F_CREATE | NLM_F_EXCL;

	m = nlb_msg(&n, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq++,
	    AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
	nlb_close(&n, m, 1);
	nlb_elem(&n, type, flags, seq++, "tosrc", ks, sizeof(ks),
	    del ? NULL : &r->src, 4);
	nlb_elem(&n, type, flags, seq++, "todst", kc, sizeof(kc),
	    del ? NULL : &r->to, 4);
	nlb_elem(&n, type, flags, seq++, "tokey", kc, sizeof(kc),
	    del ? NULL : kn, sizeof(kn));
	/* Last: until this one is in, no packet matches. */
	nlb_elem(&n, type, flags, seq++, "peers", kp, sizeof(kp), NULL, 0);
	m = nlb_msg(&n, NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq,
	    AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
	nlb_close(&n, m, 1);
	return (n.bad ? 0 : n.len);
}

/*
 * Reading replies.  Every length is checked against what is left before
 * anything is read through it.
 */
static const struct nlattr *
nla_next(const uint8_t **p, size_t *left)
{
	const struct nlattr	*a;
	size_t			 l;

	if (*left < NLA_HDRLEN)
		return (NULL);
	a = (const struct nlattr *)(const void *)*p;
	l = a->nla_len;
	if (l < NLA_HDRLEN || l > *left)
		return (NULL);
	l = NLA_ALIGN(l);
	if (l > *left)
		l = *left;
	*p += l;
	*left -= l;
	return (a);
}

#define NLA_DATA(a)	((const uint8_t *)(a) + NLA_HDRLEN)
#define NLA_PLEN(a)	((size_t)(a)->nla_len - NLA_HDRLEN)
#define NLA_TYPE(a)	((a)->nla_type & NLA_TYPE_MASK)

static uint64_t
be64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (v);
}

/* A counter expression: name "counter", data with bytes and packets. */
static int
parse_expr(const uint8_t *p, size_t left, uint64_t *pk, uint64_t *by)
{
	const struct nlattr	*a, *c;
	const uint8_t		*dp;
	size_t			 dl;
	int			 counter = 0;

	while ((a = nla_next(&p, &left)) != NULL) {
		if (NLA_TYPE(a) == NFTA_EXPR_NAME)
			counter = NLA_PLEN(a) >= 8 &&
			    memcmp(NLA_DATA(a), "counter", 8) == 0;
		else if (NLA_TYPE(a) == NFTA_EXPR_DATA && counter) {
			dp = NLA_DATA(a);
			dl = NLA_PLEN(a);
			while ((c = nla_next(&dp, &dl)) != NULL) {
				if (NLA_PLEN(c) != 8)
					continue;
				if (NLA_TYPE(c) == NFTA_COUNTER_BYTES)
					*by = be64(NLA_DATA(c));
				else if (NLA_TYPE(c) == NFTA_COUNTER_PACKETS)
					*pk = be64(NLA_DATA(c));
			}
		}
	}
	return (left == 0 ? 0 : -1);
}

/* One NFTA_LIST_ELEM of a set element list. */
static int
parse_elem(const uint8_t *p, size_t left,
    void (*cb)(const uint8_t *, size_t, uint64_t, uint64_t, void *),
    void *arg)
{
	const struct nlattr	*a, *v, *e;
	const uint8_t		*key = NULL, *q;
	size_t			 klen = 0, ql;
	uint64_t		 pk = 0, by = 0;

	while ((a = nla_next(&p, &left)) != NULL) {
		q = NLA_DATA(a);
		ql = NLA_PLEN(a);
		switch (NLA_TYPE(a)) {
		case NFTA_SET_ELEM_KEY:
			while ((v = nla_next(&q, &ql)) != NULL)
				if (NLA_TYPE(v) == NFTA_DATA_VALUE) {
					key = NLA_DATA(v);
					klen = NLA_PLEN(v);
				}
			break;
		case NFTA_SET_ELEM_EXPR:
			if (parse_expr(q, ql, &pk, &by) == -1)
				return (-1);
			break;
		case NFTA_SET_ELEM_EXPRESSIONS:
			while ((e = nla_next(&q, &ql)) != NULL)
				if (NLA_TYPE(e) == NFTA_LIST_ELEM &&
				    parse_expr(NLA_DATA(e), NLA_PLEN(e), &pk,
				    &by) == -1)
					return (-1);
			break;
		}
	}
	if (left != 0 || key == NULL)
		return (-1);
	cb(key, klen, pk, by, arg);
	return (0);
}

int
offload_parse(const uint8_t *buf, size_t len,
    void (*cb)(const uint8_t *, size_t, uint64_t, uint64_t, void *),
    void *arg, int *err, int *acks)
{
	struct nlmsghdr		 h;
	const struct nlattr	*a, *e;
	const uint8_t		*p, *q;
	size_t			 left, ql, hl = NLMSG_HDRLEN;
	int32_t			 code;
	int			 done = 0;

	*err = 0;
	*acks = 0;
	while (len > 0) {
		if (len < hl)
			return (-1);
		memcpy(&h, buf, sizeof(h));
		if (h.nlmsg_len < hl || h.nlmsg_len > len)
			return (-1);
		p = buf + hl;
		left = h.nlmsg_len - hl;
		if (h.nlmsg_type == NLMSG_DONE)
			done = 1;
		else if (h.nlmsg_type == NLMSG_ERROR) {
			if (left < sizeof(code))
				return (-1);
			memcpy(&code, p, sizeof(code));
			if (code == 0)
				(*acks)++;
			else {
				/* The first error ends the reply. */
				if (*err == 0)
					*err = code;
				done = 1;
			}
		} else if (h.nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) |
		    NFT_MSG_NEWSETELEM)) {
			if (left < sizeof(struct nfgenmsg))
				return (-1);
			p += sizeof(struct nfgenmsg);
			left -= sizeof(struct nfgenmsg);
			while ((a = nla_next(&p, &left)) != NULL) {
				if (NLA_TYPE(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
					continue;
				q = NLA_DATA(a);
				ql = NLA_PLEN(a);
				while ((e = nla_next(&q, &ql)) != NULL)
					if (NLA_TYPE(e) == NFTA_LIST_ELEM &&
					    parse_elem(NLA_DATA(e),
					    NLA_PLEN(e), cb, arg) == -1)
						return (-1);
				if (ql != 0)
					return (-1);
			}
			if (left != 0)
				return (-1);
		}
		hl = NLMSG_ALIGN(h.nlmsg_len);
		if (hl > len)
			hl = len;
		buf += hl;
		len -= hl;
		hl = NLMSG_HDRLEN;
	}
	return (done);
}

/*
 * The parent's side: one netlink socket, the routes it put in the
 * kernel, indexed by the presented key like the forwarder's table.
 */
struct off_route {
	struct gre_route	 r;
	uint8_t			 used;
};

static int			 nl_fd = -1;
static uint32_t			 nl_seq;
static struct off_route		*routes;
static unsigned int		 nroutes;
static uint8_t			*nlbuf;

/*
 * Run nft -f - with the rule set on its input; its words in err.  nft is
 * looked for in NFT_PATH only, never in the daemon's own PATH (whoever
 * started the daemon does not choose what root runs), and run with
 * execve(2) and that PATH as its whole environment.
 */
#define NFT_PATH	"/usr/sbin:/sbin:/usr/bin:/bin"

static int
run_nft(const char *text, char *err, size_t errlen)
{
	char		 nft[PATH_MAX];
	char		*argv[] = { nft, "-f", "-", NULL };
	char		*envp[] = { "PATH=" NFT_PATH, NULL };
	int		 in[2], out[2], status;
	size_t		 got = 0, len = strlen(text);
	ssize_t		 n;
	pid_t		 pid;

	err[0] = '\0';
	if (os_path_search("nft", NFT_PATH, nft) == NULL) {
		snprintf(err, errlen, "nft not found in %s", NFT_PATH);
		return (-1);
	}
	if (pipe(in) == -1)
		return (-1);
	if (pipe(out) == -1) {
		close(in[0]);
		close(in[1]);
		return (-1);
	}
	log_flush();	/* lines waiting are the parent's to write */
	switch ((pid = fork())) {
	case -1:
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return (-1);
	case 0:
		if (dup2(in[0], 0) == -1 || dup2(out[1], 1) == -1 ||
		    dup2(out[1], 2) == -1)
			_exit(127);
		closefrom(3);
		execve(nft, argv, envp);
		dprintf(2, "cannot run %s: %s", nft, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	/* The rule set is far smaller than a pipe's buffer. */
	if (write(in[1], text, len) != (ssize_t)len)
		snprintf(err, errlen, "writing to nft: %s", strerror(errno));
	close(in[1]);
	while (got + 1 < errlen &&
	    (n = read(out[0], err + got, errlen - got - 1)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(out[0]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return (-1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "nft failed");
		err[strcspn(err, "\n")] = '\0';
		return (-1);
	}
	return (0);
}

/* Send a request, read until it is answered; 0 or -1 with errno set. */
static int
nl_talk(const uint8_t *msg, size_t len, int acks,
    void (*cb)(const uint8_t *, size_t, uint64_t, uint64_t, void *),
    void *arg)
{
	struct sockaddr_nl	 sa;
	ssize_t			 n;
	int			 r, err, got, dump = acks == 0;

	/*
	 * Whatever is still queued answers an earlier request that timed
	 * out: it must not be taken for this one's answer.
	 */
	while (recv(nl_fd, nlbuf, NL_BUFSZ, MSG_DONTWAIT) > 0)
		;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(nl_fd, msg, len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) != (ssize_t)len)
		return (-1);
	for (;;) {
		if ((n = recv(nl_fd, nlbuf, NL_BUFSZ, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if ((r = offload_parse(nlbuf, (size_t)n, cb, arg, &err,
		    &got)) == -1) {
			errno = EPROTO;
			return (-1);
		}
		if (err != 0) {
			/* Drain the rest of this batch's answers. */
			while (recv(nl_fd, nlbuf, NL_BUFSZ, MSG_DONTWAIT) > 0)
				;
			errno = -err;
			return (-1);
		}
		if (dump) {
			if (r == 1)
				return (0);
			continue;
		}
		if ((acks -= got) <= 0)
			return (0);
	}
}

/*
 * Packets the prerouting chain rewrote are no longer addressed to us:
 * without forwarding the kernel would drop them, not hand them to the
 * user-space forwarder.
 */
static int
forwarding_on(void)
{
	char	c = '0';
	int	fd;

	if ((fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY)) == -1)
		return (0);
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return (c == '1');
}

int
offload_start(char *err, size_t errlen)
{
	struct sockaddr_nl	sa;
	struct timeval		tmo = { 2, 0 };
	int			one = 1, fd;

	if (!forwarding_on()) {
		snprintf(err, errlen, "IP forwarding is off "
		    "(net.ipv4.ip_forward)");
		return (-1);
	}
	/* All that can fail comes before the table: none is left behind. */
	if ((routes = calloc(65536, sizeof(*routes))) == NULL ||
	    (nlbuf = malloc(NL_BUFSZ)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_NETFILTER)) == -1) {
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		goto fail;
	}
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		snprintf(err, errlen, "netlink bind: %s", strerror(errno));
		goto failfd;
	}
	/*
	 * The kernel answers within the send; should it not, the parent
	 * must not hang on it (every session's end waits for it).
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo,
	    sizeof(tmo)) == -1) {
		snprintf(err, errlen, "netlink timeout: %s", strerror(errno));
		goto failfd;
	}
	/* Errors name the message, not echo it whole. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
	    sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
	    sizeof(one));
	if (run_nft(ruleset, err, errlen) == -1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "running nft: %s",
			    strerror(errno));
		goto failfd;
	}
	nl_fd = fd;
	return (0);
 failfd:
	close(fd);
 fail:
	offload_stop();
	return (-1);
}

int
offload_active(void)
{
	return (nl_fd != -1);
}

unsigned int
offload_count(void)
{
	return (nroutes);
}

/* Remove the table and with it every element: the kernel forgets us. */
void
offload_stop(void)
{
	uint8_t		buf[256];
	struct nlb	n = { buf, 0, sizeof(buf), 0 };
	size_t		m, t;

	if (nl_fd != -1) {
		m = nlb_msg(&n, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, ++nl_seq,
		    AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
		nlb_close(&n, m, 1);
		t = nlb_msg(&n, (NFNL_SUBSYS_NFTABLES << 8) |
		    NFT_MSG_DELTABLE, NLM_F_REQUEST | NLM_F_ACK, ++nl_seq,
		    NFPROTO_IPV4, 0);
		nlb_str(&n, NFTA_TABLE_NAME, OFFLOAD_TABLE);
		nlb_close(&n, t, 1);
		m = nlb_msg(&n, NFNL_MSG_BATCH_END, NLM_F_REQUEST, ++nl_seq,
		    AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
		nlb_close(&n, m, 1);
		if (n.bad || nl_talk(buf, n.len, 1, NULL, NULL) == -1)
			log_warn("gre offload: removing table ip %s",
			    OFFLOAD_TABLE);
		close(nl_fd);
		nl_fd = -1;
	}
	free(routes);
	routes = NULL;
	nroutes = 0;
	free(nlbuf);
	nlbuf = NULL;
}

/* A route's batch: begin, its four elements (each acknowledged), end. */
#define ROUTE_BATCH_MSGS	6
#define ROUTE_BATCH_ACKS	4

static int
route_batch(const struct gre_route *r, int del)
{
	uint8_t	buf[1024];
	size_t	len;

	if ((len = offload_msg_route(buf, sizeof(buf), nl_seq + 1, r,
	    del)) == 0) {
		errno = EMSGSIZE;
		return (-1);
	}
	nl_seq += ROUTE_BATCH_MSGS;
	return (nl_talk(buf, len, ROUTE_BATCH_ACKS, NULL, NULL));
}

int
offload_add(const struct gre_route *r)
{
	struct off_route	*o;

	if (nl_fd == -1) {
		errno = ENOTCONN;
		return (-1);
	}
	o = &routes[r->key];
	if (o->used) {
		errno = EBUSY;
		return (-1);
	}
	if (route_batch(r, 0) == -1)
		return (-1);
	o->r = *r;
	o->used = 1;
	nroutes++;
	return (0);
}

struct count_one {
	uint64_t	packets;
	uint64_t	bytes;
};

static void
count_one_cb(const uint8_t *key, size_t klen, uint64_t pk, uint64_t by,
    void *arg)
{
	struct count_one	*c = arg;

	c->packets = pk;
	c->bytes = by;
}

/*
 * Take a route out of the kernel, saying what the kernel forwarded for
 * it.  Packets between reading the counter and the deletion (a few
 * microseconds) are forwarded but not counted.
 */
void
offload_del(uint64_t sess, uint16_t key, uint64_t *packets, uint64_t *bytes)
{
	struct off_route	*o;
	struct count_one	 c;
	uint8_t			 buf[1024], kp[12];
	struct nlb		 n = { buf, 0, sizeof(buf), 0 };

	*packets = *bytes = 0;
	if (nl_fd == -1)
		return;
	o = &routes[key];
	if (!o->used || o->r.sess != sess)
		return;

	memset(&c, 0, sizeof(c));
	key_addrs(kp, o->r.from, o->r.dst, key);
	nlb_elem(&n, NFT_MSG_GETSETELEM, NLM_F_REQUEST | NLM_F_ACK, ++nl_seq,
	    "peers", kp, sizeof(kp), NULL, 0);
	if (n.bad || nl_talk(buf, n.len, 1, count_one_cb, &c) == -1)
		log_warn("gre offload: session %llu Call ID %u: reading the "
		    "counter", (unsigned long long)sess, key);
	*packets = c.packets;
	*bytes = c.bytes;

	if (route_batch(&o->r, 1) == -1)
		log_warn("gre offload: session %llu Call ID %u: deleting the "
		    "elements", (unsigned long long)sess, key);
	o->used = 0;
	nroutes--;
}

struct poll_arg {
	struct offload_count	 c[OFFLOAD_COUNTS_MAX];
	unsigned int		 n;
	void			(*flush)(const struct offload_count *,
				    unsigned int, int, void *);
	void			*arg;
};

static void
poll_cb(const uint8_t *key, size_t klen, uint64_t pk, uint64_t by,
    void *arg)
{
	struct poll_arg		*pa = arg;
	struct offload_count	*c;
	struct off_route	*o;
	uint16_t		 k;

	if (klen != 12)
		return;
	k = (uint16_t)(key[8] << 8 | key[9]);
	o = &routes[k];
	if (!o->used || memcmp(key, &o->r.from, 4) != 0 ||
	    memcmp(key + 4, &o->r.dst, 4) != 0)
		return;
	c = &pa->c[pa->n++];
	c->sess = o->r.sess;
	c->key = k;
	c->packets = pk;
	c->bytes = by;
	if (pa->n == OFFLOAD_COUNTS_MAX) {
		pa->flush(pa->c, pa->n, 0, pa->arg);
		pa->n = 0;
	}
}

/*
 * Every offloaded call's counter, handed to flush() in arrays of at most
 * OFFLOAD_COUNTS_MAX; the last call says so (and may hand none).
 */
int
offload_poll(void (*flush)(const struct offload_count *, unsigned int, int,
    void *), void *arg)
{
	static struct poll_arg	 pa;
	uint8_t			 buf[256];
	struct nlb		 n = { buf, 0, sizeof(buf), 0 };
	size_t			 m;
	int			 r = 0;

	memset(&pa, 0, sizeof(pa));
	pa.flush = flush;
	pa.arg = arg;
	if (nl_fd != -1 && nroutes > 0) {
		m = nlb_msg(&n, (NFNL_SUBSYS_NFTABLES << 8) |
		    NFT_MSG_GETSETELEM, NLM_F_REQUEST | NLM_F_DUMP, ++nl_seq,
		    NFPROTO_IPV4, 0);
		nlb_str(&n, NFTA_SET_ELEM_LIST_TABLE, OFFLOAD_TABLE);
		nlb_str(&n, NFTA_SET_ELEM_LIST_SET, "peers");
		nlb_close(&n, m, 1);
		if (n.bad || nl_talk(buf, n.len, 0, poll_cb, &pa) == -1) {
			log_warn("gre offload: reading the counters");
			r = -1;
		}
	}
	flush(pa.c, pa.n, 1, arg);
	return (r);
}

#else /* !__linux__ */

int
offload_start(char *err, size_t errlen)
{
	snprintf(err, errlen, "not available on this system");
	return (-1);
}

int
offload_active(void)
{
	return (0);
}

unsigned int
offload_count(void)
{
	return (0);
}

void
offload_stop(void)
{
}

int
offload_add(const struct gre_route *r)
{
	errno = EOPNOTSUPP;
	return (-1);
}

void
offload_del(uint64_t sess, uint16_t key, uint64_t *packets, uint64_t *bytes)
{
	*packets = *bytes = 0;
}

int
offload_poll(void (*flush)(const struct offload_count *, unsigned int, int,
    void *), void *arg)
{
	flush(NULL, 0, 1, arg);
	return (0);
}

size_t
offload_msg_route(uint8_t *buf, size_t cap, uint32_t seq,
    const struct gre_route *r, int del)
{
	return (0);
}

int
offload_parse(const uint8_t *buf, size_t len,
    void (*cb)(const uint8_t *, size_t, uint64_t, uint64_t, void *),
    void *arg, int *err, int *acks)
{
	*err = *acks = 0;
	return (-1);
}

#endif /* __linux__ */
