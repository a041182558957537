/*
 * pptpproxyctl's output: text tables for people, JSON (-j) for programs,
 * and the Prometheus text exposition format for show metrics.  Rows come
 * one at a time, in the order the daemon sends them: a session, then its
 * calls; the proxies, the control relays, then the forwarder's totals.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxyctl.h"

#define U(x)	((unsigned long long)(x))

static const char *
addr(const struct sockaddr_in *sin, char *buf, size_t len)
{
	char	a[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) == NULL)
		strlcpy(a, "?", sizeof(a));
	snprintf(buf, len, "%s:%u", a, ntohs(sin->sin_port));
	return (buf);
}

/*
 * The length of the UTF-8 sequence at p, of at most left bytes: 2 to 4,
 * or 0 when it is not one (a stray or missing continuation byte, an
 * overlong form, a surrogate, above U+10FFFF).
 */
static size_t
utf8_len(const unsigned char *p, size_t left)
{
	unsigned int	c;
	size_t		n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else
		return (0);
	if (left < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return (0);
	return (n);
}

/*
 * A JSON string: quotes, backslashes and control characters escaped
 * (C1 ones too, U+0080 to U+009F).  JSON is UTF-8: a byte that is not
 * part of a UTF-8 character becomes U+FFFD, so that what a relay taken
 * over sends cannot make the output one that a reader refuses whole.
 * The daemon's names are ASCII (pptpproxy.conf(5)); any other byte came
 * from a process that misbehaves.
 */
void
json_string(FILE *f, const char *s)
{
	const unsigned char	*p;
	size_t			 left, n;

	fputc('"', f);
	left = strlen(s);
	for (p = (const unsigned char *)s; left > 0; p += n, left -= n) {
		n = 1;
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else if (*p < 0x80)
				fputc(*p, f);
			else if ((n = utf8_len(p, left)) == 0) {
				fputs("\\ufffd", f);
				n = 1;
			} else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
				fprintf(f, "\\u%04x", p[1]);
			else
				fwrite(p, 1, n, f);
		}
	}
	fputc('"', f);
}

/*
 * A Prometheus label value: backslash, double quote and newline have their
 * escapes in the exposition format, and no other byte has one.  Any other
 * byte below 0x20, 0x7f and every byte from 0x80 up is written as the
 * text_vis() escape, its backslash escaped: the scraper reads a backslash
 * and three octal digits, what the text output shows.  Those bytes must
 * not pass as they are: a control byte would reach the terminal of whoever
 * reads the metrics there, and a byte that is not UTF-8 makes a scraper
 * refuse the whole file.  (A name's own backslash before three digits
 * reads the same; only escaping every backslash twice would tell them
 * apart, and would change every name with one.)
 */
void
prom_label(FILE *f, const char *s)
{
	const unsigned char	*p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '"')
			fputs("\\\"", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p > 0x7e)
			fprintf(f, "\\\\%03o", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/*
 * Text for a terminal, from a string the daemon sent.  Such strings come
 * through the control relay, which parses bytes from the network: a relay
 * taken over could put terminal escapes, carriage returns or backspaces
 * in a name to rewrite root's screen or forge lines.  So only printable
 * ASCII (0x20 to 0x7e) is copied; any other byte is shown as a backslash
 * and three octal digits, as vis(3) does, and a backslash as two, so that
 * no name can pass for an escape.  Bytes from 0x80 up are escaped as well:
 * what a terminal does with them depends on its encoding (0x9b alone is
 * CSI to an 8-bit terminal, and the same byte is part of ordinary
 * characters in UTF-8), and only escaping them all is safe on every
 * terminal; -j gives UTF-8 characters as they are (json_string()).
 * Octal rather than a '?': what was there can still be read.  dst gets
 * as much of src as fits in len bytes, in whole escapes, and a NUL;
 * TEXT_VIS_SIZE(n) bytes take all of a string of n bytes.  Returns dst.
 */
char *
text_vis(char *dst, size_t len, const char *src)
{
	const unsigned char	*p;
	char			 e[5];
	size_t			 n, o = 0;

	if (len == 0)
		return (dst);
	for (p = (const unsigned char *)src; *p != '\0'; p++) {
		if (*p == '\\')
			n = strlcpy(e, "\\\\", sizeof(e));
		else if (*p < 0x20 || *p > 0x7e)
			n = (size_t)snprintf(e, sizeof(e), "\\%03o", *p);
		else {
			e[0] = (char)*p;
			e[1] = '\0';
			n = 1;
		}
		if (o + n >= len)
			break;
		memcpy(dst + o, e, n);
		o += n;
	}
	dst[o] = '\0';
	return (dst);
}

static void
json_addr(FILE *f, const char *key, const struct sockaddr_in *sin)
{
	char	a[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) == NULL)
		strlcpy(a, "?", sizeof(a));
	fprintf(f, "\"%s\":{\"address\":\"%s\",\"port\":%u}", key, a,
	    ntohs(sin->sin_port));
}

void
out_init(struct out *o, FILE *f, enum out_mode mode, enum action action)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->mode = mode;
	o->action = action;
}

void
out_free(struct out *o)
{
	free(o->proxies);
	o->proxies = NULL;
	o->nproxies = 0;
}

/*
 * show summary: one block per proxy.
 */
static void
text_proxy(FILE *f, const struct ctl_proxy *p)
{
	char	a[64], b[64], v[TEXT_VIS_SIZE(CTL_NAME_MAX)];

	fprintf(f, "proxy %s: ", text_vis(v, sizeof(v), p->name));
	fprintf(f, "%s -> %s", addr(&p->listen, a, sizeof(a)),
	    addr(&p->server, b, sizeof(b)));
	if (p->server_host[0] != '\0' && strncmp(p->server_host, b,
	    strlen(p->server_host)) != 0)
		fprintf(f, " (%s)", text_vis(v, sizeof(v), p->server_host));
	fprintf(f, "%s\n", p->listening ? "" : " (no longer configured)");
	fprintf(f, "  sessions up %llu, calls up %llu, calls set up %llu\n",
	    U(p->sessions), U(p->calls), U(p->calls_total));
	fprintf(f, "  connections accepted %llu, refused by acl %llu, by "
	    "limit %llu, failed to the server %llu\n", U(p->accepted),
	    U(p->refused_acl), U(p->refused_limit), U(p->server_failed));
	fprintf(f, "  GRE to clients %llu packets %llu bytes, to the server "
	    "%llu packets %llu bytes, wrong source %llu\n",
	    U(p->packets[CTL_TO_CLIENT]), U(p->bytes[CTL_TO_CLIENT]),
	    U(p->packets[CTL_TO_SERVER]), U(p->bytes[CTL_TO_SERVER]),
	    U(p->spoofed));
	if (p->tun_dropped[CTL_TO_CLIENT] > 0 ||
	    p->tun_dropped[CTL_TO_SERVER] > 0)
		fprintf(f, "  tunnels over TCP dropped GRE (not keeping up): "
		    "%llu packets to clients, %llu to the server\n",
		    U(p->tun_dropped[CTL_TO_CLIENT]),
		    U(p->tun_dropped[CTL_TO_SERVER]));
}

static void
json_proxy(FILE *f, const struct ctl_proxy *p, int first)
{
	fprintf(f, "%s{\"name\":", first ? "" : ",");
	json_string(f, p->name);
	fputc(',', f);
	json_addr(f, "listen", &p->listen);
	fputc(',', f);
	json_addr(f, "server", &p->server);
	fprintf(f, ",\"server_host\":");
	json_string(f, p->server_host);
	fprintf(f, ",\"listening\":%s,\"sessions\":%llu,\"calls\":%llu,"
	    "\"calls_total\":%llu,\"accepted\":%llu,\"refused_acl\":%llu,"
	    "\"refused_limit\":%llu,\"server_failed\":%llu,"
	    "\"gre\":{\"to_client\":{\"packets\":%llu,\"bytes\":%llu},"
	    "\"to_server\":{\"packets\":%llu,\"bytes\":%llu},"
	    "\"wrong_source\":%llu,\"tunnel_dropped\":{\"to_client\":%llu,"
	    "\"to_server\":%llu}}}", p->listening ? "true" : "false",
	    U(p->sessions), U(p->calls), U(p->calls_total), U(p->accepted),
	    U(p->refused_acl), U(p->refused_limit), U(p->server_failed),
	    U(p->packets[CTL_TO_CLIENT]), U(p->bytes[CTL_TO_CLIENT]),
	    U(p->packets[CTL_TO_SERVER]), U(p->bytes[CTL_TO_SERVER]),
	    U(p->spoofed), U(p->tun_dropped[CTL_TO_CLIENT]),
	    U(p->tun_dropped[CTL_TO_SERVER]));
}

int
out_proxy(struct out *o, const struct ctl_proxy *p)
{
	struct ctl_proxy	*np;

	switch (o->mode) {
	case OUT_TEXT:
		if (o->rows > 0)
			fputc('\n', o->f);
		text_proxy(o->f, p);
		break;
	case OUT_JSON:
		if (o->rows == 0)
			fprintf(o->f, "{\"proxies\":[");
		json_proxy(o->f, p, o->rows == 0);
		break;
	case OUT_METRICS:
		/* Kept until the end: as many as a daemon could have. */
		if (o->nproxies >= OUT_PROXIES_MAX) {
			errno = E2BIG;
			return (-1);
		}
		if ((o->nproxies & (o->nproxies - 1)) == 0) {
			/* Room doubled at each power of two. */
			np = reallocarray(o->proxies, o->nproxies == 0 ? 1 :
			    (size_t)o->nproxies * 2, sizeof(*np));
			if (np == NULL)
				return (-1);
			o->proxies = np;
		}
		o->proxies[o->nproxies++] = *p;
		break;
	}
	o->rows++;
	return (0);
}

/*
 * A control relay's row.  Kept until the forwarder's totals (or the end):
 * the text shows them only when there are several.  The daemon's word is
 * not taken for how many: at most RELAYS_MAX rows, each of a relay that
 * can be, once, and only where a summary has them.
 */
const char *
out_relay(struct out *o, const struct ctl_relay *r)
{
	unsigned int	i;

	if (o->action != A_SHOW_SUMMARY && o->action != A_SHOW_METRICS)
		return ("a relay row in an answer that has none");
	if (o->have_gre || o->relays_shown)
		return ("a relay row after the forwarder's totals");
	if (o->nrelays >= RELAYS_MAX)
		return ("more relay rows than there can be relays");
	if (r->index >= RELAYS_MAX)
		return ("a relay row of a relay that cannot be");
	for (i = 0; i < o->nrelays; i++)
		if (o->relays[i].index == r->index)
			return ("a relay row twice");
	o->relays[o->nrelays++] = *r;
	return (NULL);
}

/* The relays' lines, or array: before the forwarder's totals. */
static void
out_relays(struct out *o)
{
	const struct ctl_relay	*r;
	unsigned int		 i;

	if (o->relays_shown)
		return;
	o->relays_shown = 1;
	switch (o->mode) {
	case OUT_TEXT:
		/* One relay (relays 1) is the proxies' lines again. */
		if (o->nrelays < 2)
			break;
		if (o->rows > 0)
			fputc('\n', o->f);
		for (i = 0; i < o->nrelays; i++) {
			r = &o->relays[i];
			fprintf(o->f, "relay %u (pid %u): sessions up %llu, "
			    "calls up %llu, calls set up %llu, connections "
			    "accepted %llu\n", r->index, r->pid,
			    U(r->sessions), U(r->calls), U(r->calls_total),
			    U(r->accepted));
		}
		o->rows++;
		break;
	case OUT_JSON:
		fprintf(o->f, "%s],\"relays\":[", o->rows == 0 ?
		    "{\"proxies\":[" : "");
		for (i = 0; i < o->nrelays; i++) {
			r = &o->relays[i];
			fprintf(o->f, "%s{\"index\":%u,\"pid\":%u,"
			    "\"sessions\":%llu,\"calls\":%llu,"
			    "\"calls_total\":%llu,\"accepted\":%llu}",
			    i == 0 ? "" : ",", r->index, r->pid,
			    U(r->sessions), U(r->calls), U(r->calls_total),
			    U(r->accepted));
		}
		fputc(']', o->f);
		o->rows = -1;	/* the proxies' array is closed */
		break;
	case OUT_METRICS:
		break;
	}
}

void
out_gre(struct out *o, const struct ctl_gre *g)
{
	o->gre = *g;
	o->have_gre = 1;
	out_relays(o);
	switch (o->mode) {
	case OUT_TEXT:
		fprintf(o->f, "%sGRE forwarder: %llu Call IDs routed (%llu by "
		    "the kernel), %llu packets %llu bytes forwarded in user "
		    "space\n", o->rows > 0 ? "\n" : "", U(g->routes),
		    U(g->offloaded), U(g->forwarded), U(g->bytes));
		fprintf(o->f, "  dropped: %llu malformed, %llu unknown Call "
		    "ID, %llu wrong source; errors: %llu receiving, %llu "
		    "sending\n", U(g->drop_bad), U(g->drop_unknown),
		    U(g->drop_spoofed), U(g->recv_errors), U(g->send_errors));
		break;
	case OUT_JSON:
		fprintf(o->f, ",\"gre\":{\"routes\":%llu,\"offloaded\":%llu,"
		    "\"forwarded\":{\"packets\":%llu,\"bytes\":%llu},"
		    "\"dropped\":{\"malformed\":%llu,\"unknown_call_id\":%llu,"
		    "\"wrong_source\":%llu},\"errors\":{\"receive\":%llu,"
		    "\"send\":%llu}}", U(g->routes), U(g->offloaded), U(g->forwarded),
		    U(g->bytes), U(g->drop_bad), U(g->drop_unknown),
		    U(g->drop_spoofed), U(g->recv_errors), U(g->send_errors));
		break;
	case OUT_METRICS:
		break;
	}
}

/* A tunnel's transport; a number with no name here is "unknown". */
static const char *
tun_name(uint32_t t, int upper)
{
	switch (t) {
	case CTL_TUN_UDP:
		return (upper ? "UDP" : "udp");
	case CTL_TUN_TCP:
		return (upper ? "TCP" : "tcp");
	}
	return ("unknown");
}

/*
 * show sessions: a line per session, a line per call under it.
 * show session ID: the same in more words.
 */
static void
text_session_head(FILE *f)
{
	fprintf(f, "%-6s %-21s %-15s %-21s %-10s %7s %7s %5s %17s %17s\n",
	    "ID", "CLIENT", "PROXY", "SERVER", "STATE", "AGE", "IDLE",
	    "CALLS", "TO-CLIENT PKT/B", "TO-SERVER PKT/B");
}

static void
text_session(FILE *f, const struct ctl_session *s)
{
	char	a[64], b[64], pc[64], ps[64], v[16];

	snprintf(pc, sizeof(pc), "%llu/%llu", U(s->packets[CTL_TO_CLIENT]),
	    U(s->bytes[CTL_TO_CLIENT]));
	snprintf(ps, sizeof(ps), "%llu/%llu", U(s->packets[CTL_TO_SERVER]),
	    U(s->bytes[CTL_TO_SERVER]));
	/* The proxy's column: 15 bytes at most, in whole escapes. */
	fprintf(f, "%-6llu %-21s %-15s %-21s %-10s %6llds %6llds %5u "
	    "%17s %17s", U(s->id), addr(&s->client, a, sizeof(a)),
	    text_vis(v, sizeof(v), s->proxy), addr(&s->server, b, sizeof(b)),
	    ctl_state_name(s->state), (long long)s->age, (long long)s->idle,
	    s->ncalls, pc, ps);
	/* A tunnelled session: over what, and the peer, at the end. */
	if (s->tunnel != CTL_TUN_NONE)
		fprintf(f, " tunnel %s %s", tun_name(s->tunnel, 0),
		    s->tun_peer.sin_port == 0 ? "-" :
		    addr(&s->tun_peer, a, sizeof(a)));
	fputc('\n', f);
}

static void
text_session_long(FILE *f, const struct ctl_session *s)
{
	char	a[64], b[64], v[TEXT_VIS_SIZE(CTL_NAME_MAX)];

	fprintf(f, "session %llu\n", U(s->id));
	fprintf(f, "  proxy          %s\n", text_vis(v, sizeof(v), s->proxy));
	fprintf(f, "  client         %s", addr(&s->client, a, sizeof(a)));
	fprintf(f, " (to %s)\n", addr(&s->client_local, b, sizeof(b)));
	fprintf(f, "  server         %s", addr(&s->server, a, sizeof(a)));
	fprintf(f, " (from %s)\n", addr(&s->server_local, b, sizeof(b)));
	fprintf(f, "  state          %s\n", ctl_state_name(s->state));
	fprintf(f, "  age            %llds\n", (long long)s->age);
	fprintf(f, "  last message   %llds ago (from the client)\n",
	    (long long)s->idle);
	fprintf(f, "  control msgs   %llu to the client, %llu to the server\n",
	    U(s->msgs[CTL_TO_CLIENT]), U(s->msgs[CTL_TO_SERVER]));
	fprintf(f, "  GRE            to the client %llu packets %llu bytes, "
	    "to the server %llu packets %llu bytes\n",
	    U(s->packets[CTL_TO_CLIENT]), U(s->bytes[CTL_TO_CLIENT]),
	    U(s->packets[CTL_TO_SERVER]), U(s->bytes[CTL_TO_SERVER]));
	fprintf(f, "  calls          %u up, %llu set up in all\n", s->ncalls,
	    U(s->calls_total));
	if (s->tunnel == CTL_TUN_NONE)
		return;
	fprintf(f, "  tunnel         over %s, peer %s\n",
	    tun_name(s->tunnel, 1),
	    s->tun_peer.sin_port == 0 ? "not known yet" :
	    addr(&s->tun_peer, a, sizeof(a)));
	fprintf(f, "  tunnel queue   %llu bytes for the peer; GRE dropped (TCP "
	    "not keeping up): %llu to the client, %llu to the server\n",
	    U(s->tun_queued), U(s->tun_dropped[CTL_TO_CLIENT]),
	    U(s->tun_dropped[CTL_TO_SERVER]));
}

static void
text_call(FILE *f, const struct ctl_call *c, int lng)
{
	fprintf(f, "%s call %u %s %llds: client Call ID %u (shown to the "
	    "server as %u), server Call ID %u (shown to the client as %u); "
	    "GRE to client %llu/%llu, to server %llu/%llu\n",
	    lng ? "  " : "      ", c->serial, ctl_call_state_name(c->state),
	    (long long)c->age, c->client_id, c->client_shown, c->server_id,
	    c->server_shown, U(c->packets[CTL_TO_CLIENT]),
	    U(c->bytes[CTL_TO_CLIENT]), U(c->packets[CTL_TO_SERVER]),
	    U(c->bytes[CTL_TO_SERVER]));
}

static void
json_session(FILE *f, const struct ctl_session *s)
{
	fprintf(f, "{\"id\":%llu,\"proxy\":", U(s->id));
	json_string(f, s->proxy);
	fputc(',', f);
	json_addr(f, "client", &s->client);
	fputc(',', f);
	json_addr(f, "client_local", &s->client_local);
	fputc(',', f);
	json_addr(f, "server", &s->server);
	fputc(',', f);
	json_addr(f, "server_local", &s->server_local);
	if (s->tunnel != CTL_TUN_NONE) {
		fprintf(f, ",\"tunnel\":{\"over\":\"%s\",",
		    tun_name(s->tunnel, 0));
		json_addr(f, "peer", &s->tun_peer);
		fprintf(f, ",\"queued\":%llu,\"dropped\":{\"to_client\":%llu,"
		    "\"to_server\":%llu}}", U(s->tun_queued),
		    U(s->tun_dropped[CTL_TO_CLIENT]),
		    U(s->tun_dropped[CTL_TO_SERVER]));
	}
	fprintf(f, ",\"state\":\"%s\",\"age\":%lld,\"idle\":%lld,"
	    "\"calls_up\":%u,\"calls_total\":%llu,"
	    "\"messages\":{\"to_client\":%llu,\"to_server\":%llu},"
	    "\"gre\":{\"to_client\":{\"packets\":%llu,\"bytes\":%llu},"
	    "\"to_server\":{\"packets\":%llu,\"bytes\":%llu}},\"calls\":[",
	    ctl_state_name(s->state), (long long)s->age, (long long)s->idle,
	    s->ncalls, U(s->calls_total), U(s->msgs[CTL_TO_CLIENT]),
	    U(s->msgs[CTL_TO_SERVER]), U(s->packets[CTL_TO_CLIENT]),
	    U(s->bytes[CTL_TO_CLIENT]), U(s->packets[CTL_TO_SERVER]),
	    U(s->bytes[CTL_TO_SERVER]));
}

static void
json_call(FILE *f, const struct ctl_call *c, int first)
{
	fprintf(f, "%s{\"serial\":%u,\"state\":\"%s\",\"age\":%lld,"
	    "\"client_call_id\":%u,\"client_call_id_shown\":%u,"
	    "\"server_call_id\":%u,\"server_call_id_shown\":%u,"
	    "\"gre\":{\"to_client\":{\"packets\":%llu,\"bytes\":%llu},"
	    "\"to_server\":{\"packets\":%llu,\"bytes\":%llu}}}",
	    first ? "" : ",", c->serial, ctl_call_state_name(c->state),
	    (long long)c->age, c->client_id, c->client_shown, c->server_id,
	    c->server_shown, U(c->packets[CTL_TO_CLIENT]),
	    U(c->bytes[CTL_TO_CLIENT]), U(c->packets[CTL_TO_SERVER]),
	    U(c->bytes[CTL_TO_SERVER]));
}

void
out_session(struct out *o, const struct ctl_session *s)
{
	int	one = o->action == A_SHOW_SESSION;

	switch (o->mode) {
	case OUT_TEXT:
		if (one)
			text_session_long(o->f, s);
		else {
			if (o->rows == 0)
				text_session_head(o->f);
			text_session(o->f, s);
		}
		break;
	case OUT_JSON:
		if (o->rows == 0)
			fprintf(o->f, one ? "{\"session\":" : "{\"sessions\":[");
		else
			fprintf(o->f, "]},");
		json_session(o->f, s);
		break;
	case OUT_METRICS:
		break;
	}
	o->rows++;
	o->calls = 0;
}

void
out_call(struct out *o, const struct ctl_call *c)
{
	switch (o->mode) {
	case OUT_TEXT:
		text_call(o->f, c, o->action == A_SHOW_SESSION);
		break;
	case OUT_JSON:
		json_call(o->f, c, o->calls == 0);
		break;
	case OUT_METRICS:
		break;
	}
	o->calls++;
}

/*
 * show metrics: a family at a time, # HELP and # TYPE first.
 */
static void
prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
prom_proxy(FILE *f, const char *name, const struct ctl_proxy *p,
    const char *extra, unsigned long long v)
{
	fprintf(f, "%s{proxy=", name);
	prom_label(f, p->name);
	fprintf(f, "%s} %llu\n", extra, v);
}

static void
prom_gre(FILE *f, const char *name, const char *labels, unsigned long long v)
{
	fprintf(f, "%s%s %llu\n", name, labels, v);
}

static void
out_metrics(struct out *o)
{
	static const struct {
		const char	*name, *type, *help;
		size_t		 off;
	} per[] = {
#define F(n, t, h, m)	{ n, t, h, offsetof(struct ctl_proxy, m) }
		F("pptpproxy_sessions", "gauge",
		    "Control connections relayed now.", sessions),
		F("pptpproxy_calls", "gauge", "Calls up now.", calls),
		F("pptpproxy_calls_established_total", "counter",
		    "Calls set up.", calls_total),
		F("pptpproxy_connections_accepted_total", "counter",
		    "Control connections accepted.", accepted),
		F("pptpproxy_server_connect_failures_total", "counter",
		    "Control connections the server did not take.",
		    server_failed),
#undef F
	}, rel[] = {
#define F(n, t, h, m)	{ n, t, h, offsetof(struct ctl_relay, m) }
		F("pptpproxy_relay_sessions", "gauge",
		    "Control connections a control relay holds now.",
		    sessions),
		F("pptpproxy_relay_calls", "gauge",
		    "Calls up now, by control relay.", calls),
		F("pptpproxy_relay_calls_established_total", "counter",
		    "Calls set up, by control relay.", calls_total),
		F("pptpproxy_relay_connections_accepted_total", "counter",
		    "Control connections accepted, by control relay.",
		    accepted),
#undef F
	};
	FILE			*f = o->f;
	const struct ctl_proxy	*p;
	const struct ctl_gre	*g = &o->gre;
	char			 a[64], b[64];
	unsigned int		 i, k;
	int			 d;

	prom_family(f, "pptpproxy_proxy_info", "gauge",
	    "A configured proxy: its listening address and its server.");
	for (i = 0; i < o->nproxies; i++) {
		p = &o->proxies[i];
		fprintf(f, "pptpproxy_proxy_info{proxy=");
		prom_label(f, p->name);
		fprintf(f, ",listen=");
		prom_label(f, addr(&p->listen, a, sizeof(a)));
		fprintf(f, ",server=");
		prom_label(f, addr(&p->server, b, sizeof(b)));
		fprintf(f, "} %d\n", p->listening ? 1 : 0);
	}
	for (k = 0; k < sizeof(per) / sizeof(per[0]); k++) {
		prom_family(f, per[k].name, per[k].type, per[k].help);
		for (i = 0; i < o->nproxies; i++)
			prom_proxy(f, per[k].name, &o->proxies[i], "",
			    U(*(const uint64_t *)(const void *)
			    ((const char *)&o->proxies[i] + per[k].off)));
	}
	prom_family(f, "pptpproxy_connections_refused_total", "counter",
	    "Control connections refused, by reason.");
	for (i = 0; i < o->nproxies; i++) {
		prom_proxy(f, "pptpproxy_connections_refused_total",
		    &o->proxies[i], ",reason=\"acl\"",
		    U(o->proxies[i].refused_acl));
		prom_proxy(f, "pptpproxy_connections_refused_total",
		    &o->proxies[i], ",reason=\"limit\"",
		    U(o->proxies[i].refused_limit));
	}
	prom_family(f, "pptpproxy_gre_packets_total", "counter",
	    "GRE packets forwarded, by direction.");
	for (i = 0; i < o->nproxies; i++)
		for (d = 0; d < 2; d++)
			prom_proxy(f, "pptpproxy_gre_packets_total",
			    &o->proxies[i], d == CTL_TO_CLIENT ?
			    ",direction=\"to_client\"" :
			    ",direction=\"to_server\"",
			    U(o->proxies[i].packets[d]));
	prom_family(f, "pptpproxy_gre_bytes_total", "counter",
	    "GRE bytes (IP packets as received) forwarded, by direction.");
	for (i = 0; i < o->nproxies; i++)
		for (d = 0; d < 2; d++)
			prom_proxy(f, "pptpproxy_gre_bytes_total",
			    &o->proxies[i], d == CTL_TO_CLIENT ?
			    ",direction=\"to_client\"" :
			    ",direction=\"to_server\"",
			    U(o->proxies[i].bytes[d]));
	prom_family(f, "pptpproxy_gre_wrong_source_total", "counter",
	    "GRE packets with a proxy's Call ID from the wrong source.");
	for (i = 0; i < o->nproxies; i++)
		prom_proxy(f, "pptpproxy_gre_wrong_source_total",
		    &o->proxies[i], "", U(o->proxies[i].spoofed));
	prom_family(f, "pptpproxy_tunnel_gre_dropped_total", "counter",
	    "GRE packets a tunnel over TCP dropped, not keeping up, by "
	    "direction.");
	for (i = 0; i < o->nproxies; i++)
		for (d = 0; d < 2; d++)
			prom_proxy(f, "pptpproxy_tunnel_gre_dropped_total",
			    &o->proxies[i], d == CTL_TO_CLIENT ?
			    ",direction=\"to_client\"" :
			    ",direction=\"to_server\"",
			    U(o->proxies[i].tun_dropped[d]));
	for (k = 0; k < sizeof(rel) / sizeof(rel[0]); k++) {
		prom_family(f, rel[k].name, rel[k].type, rel[k].help);
		for (i = 0; i < o->nrelays; i++)
			fprintf(f, "%s{relay=\"%u\"} %llu\n", rel[k].name,
			    o->relays[i].index, U(*(const uint64_t *)
			    (const void *)((const char *)&o->relays[i] +
			    rel[k].off)));
	}
	if (!o->have_gre)
		return;
	prom_family(f, "pptpproxy_gre_routes", "gauge",
	    "Call IDs the GRE forwarder routes now.");
	prom_gre(f, "pptpproxy_gre_routes", "", U(g->routes));
	prom_family(f, "pptpproxy_gre_routes_offloaded", "gauge",
	    "Of those, the ones the kernel forwards (gre offload).");
	prom_gre(f, "pptpproxy_gre_routes_offloaded", "", U(g->offloaded));
	prom_family(f, "pptpproxy_gre_dropped_total", "counter",
	    "GRE packets the forwarder dropped, by reason.");
	prom_gre(f, "pptpproxy_gre_dropped_total", "{reason=\"malformed\"}",
	    U(g->drop_bad));
	prom_gre(f, "pptpproxy_gre_dropped_total",
	    "{reason=\"unknown_call_id\"}", U(g->drop_unknown));
	prom_gre(f, "pptpproxy_gre_dropped_total",
	    "{reason=\"wrong_source\"}", U(g->drop_spoofed));
	prom_family(f, "pptpproxy_gre_errors_total", "counter",
	    "Errors of the GRE forwarder's socket, by operation.");
	prom_gre(f, "pptpproxy_gre_errors_total", "{op=\"receive\"}",
	    U(g->recv_errors));
	prom_gre(f, "pptpproxy_gre_errors_total", "{op=\"send\"}",
	    U(g->send_errors));
}

void
out_end(struct out *o)
{
	switch (o->mode) {
	case OUT_TEXT:
		if (o->rows == 0 && (o->action == A_SHOW_SESSIONS))
			text_session_head(o->f);
		if (o->action == A_SHOW_SUMMARY)
			out_relays(o);
		break;
	case OUT_JSON:
		if (o->action == A_SHOW_SESSIONS || o->action ==
		    A_SHOW_SESSION) {
			if (o->rows == 0)
				fprintf(o->f, o->action == A_SHOW_SESSION ?
				    "{\"session\":null}\n" :
				    "{\"sessions\":[]}\n");
			else
				fprintf(o->f, "]}%s}\n", o->action ==
				    A_SHOW_SESSION ? "" : "]");
		} else {
			/* No totals came: the relays close the proxies. */
			out_relays(o);
			fprintf(o->f, "}\n");
		}
		break;
	case OUT_METRICS:
		out_metrics(o);
		break;
	}
	fflush(o->f);
}

/*
 * The answer to kill, reload and log: the message on standard output when
 * done, on err when refused or failed.  In JSON on standard output either
 * way, and on err as text when refused.  Returns the exit status.
 */
int
out_result(FILE *f, FILE *err, int json, const struct ctl_result *r)
{
	char	v[TEXT_VIS_SIZE(sizeof(r->msg))];

	if (json) {
		fprintf(f, "{\"ok\":%s,\"message\":", r->ok ? "true" : "false");
		json_string(f, r->msg);
		fprintf(f, "}\n");
	}
	text_vis(v, sizeof(v), r->msg);
	if (!r->ok) {
		fprintf(err, "pptpproxyctl: %s\n", v);
		return (1);
	}
	if (!json)
		fprintf(f, "%s\n", v);
	return (0);
}
