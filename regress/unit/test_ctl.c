/*
 * pptpproxyctl: the command grammar, and the output formats by value
 * (JSON and Prometheus escaping, the documents rows make).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptpproxyctl.h"
#include "check.h"

static int
p(const char *line, struct parse_result *res, char *err, size_t errlen)
{
	char	 buf[256], *argv[16], *w;
	int	 argc = 0;

	strlcpy(buf, line, sizeof(buf));
	for (w = strtok(buf, " "); w != NULL && argc < 16; w = strtok(NULL, " "))
		argv[argc++] = w;
	err[0] = '\0';
	return (parse(argc, argv, res, err, errlen));
}

static void
test_parser(void)
{
	static const struct {
		const char	*line;
		enum action	 action;
		uint64_t	 id;
	} good[] = {
		{ "show", A_SHOW_SUMMARY, 0 },
		{ "show summary", A_SHOW_SUMMARY, 0 },
		{ "sh sum", A_SHOW_SUMMARY, 0 },
		{ "show sessions", A_SHOW_SESSIONS, 0 },
		{ "show session 1", A_SHOW_SESSION, 1 },
		{ "show session 18446744073709551615", A_SHOW_SESSION,
		    UINT64_MAX },
		{ "show metrics", A_SHOW_METRICS, 0 },
		{ "show m", A_SHOW_METRICS, 0 },
		{ "kill session 42", A_KILL_SESSION, 42 },
		{ "k se 7", A_KILL_SESSION, 7 },
		{ "reload", A_RELOAD, 0 },
		{ "log verbose", A_LOG_VERBOSE, 0 },
		{ "log brief", A_LOG_BRIEF, 0 },
		{ "l b", A_LOG_BRIEF, 0 },
	};
	static const struct {
		const char	*line;
		const char	*err;
	} bad[] = {
		{ "", "incomplete command" },
		{ "shoe", "shoe: unknown; expected show, kill, reload or log" },
		{ "show s", "s: ambiguous" },
		{ "show sess", "sess: ambiguous" },
		{ "show session", "incomplete command: expected a session id" },
		{ "show session 0", "0: unknown" },
		{ "show session 18446744073709551616", "unknown" },
		{ "show session -1", "unknown" },
		{ "show session 12a", "unknown" },
		{ "show session 1 2", "2: nothing more expected" },
		{ "kill", "incomplete command: expected session" },
		{ "kill session", "incomplete command" },
		{ "kill sessions 1", "sessions: unknown" },
		{ "log", "incomplete command: expected verbose or brief" },
		{ "log loud", "loud: unknown" },
		{ "reload now", "now: nothing more expected" },
		{ "show summary x", "x: nothing more expected" },
	};
	struct parse_result	res;
	char			err[256];
	size_t			i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK(p(good[i].line, &res, err, sizeof(err)) == 0 &&
		    res.action == good[i].action && res.id == good[i].id,
		    "\"%s\" parses (%.100s)", good[i].line, err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(p(bad[i].line, &res, err, sizeof(err)) == -1 &&
		    strstr(err, bad[i].err) != NULL,
		    "\"%s\" refused: %.100s", bad[i].line, err);
	}
}

/* What a formatter wrote, as a string (freed by the caller). */
struct mem {
	char	*buf;
	size_t	 len;
	FILE	*f;
};

static FILE *
mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return (m->f);
}

static char *
mem_close(struct mem *m)
{
	fclose(m->f);
	return (m->buf);
}

static void
test_escapes(void)
{
	struct mem	 m;
	char		*s;

	json_string(mem_open(&m), "a\"b\\c\nd\te\r\001\037\177 \xc3\xa9/");
	s = mem_close(&m);
	CHECK(strcmp(s, "\"a\\\"b\\\\c\\nd\\te\\r\\u0001\\u001f\\u007f "
	    "\xc3\xa9/\"") == 0, "JSON string escapes: %s", s);
	free(s);
	json_string(mem_open(&m), "");
	s = mem_close(&m);
	CHECK(strcmp(s, "\"\"") == 0, "JSON empty string: %s", s);
	free(s);
	/*
	 * JSON is UTF-8: characters pass, C1 controls are escaped, any
	 * byte outside a character is U+FFFD (stray continuation, overlong,
	 * surrogate, above U+10FFFF, cut short at the end).
	 */
	json_string(mem_open(&m), "\xf0\x9f\x98\x80|\xc2\xa0|\xc2\x85|"
	    "\xc2\x9b|\xdf\xbf|\xef\xbf\xbf|\xf4\x8f\xbf\xbf");
	s = mem_close(&m);
	CHECK(strcmp(s, "\"\xf0\x9f\x98\x80|\xc2\xa0|\\u0085|\\u009b|"
	    "\xdf\xbf|\xef\xbf\xbf|\xf4\x8f\xbf\xbf\"") == 0,
	    "JSON UTF-8 characters: %s", s);
	free(s);
	json_string(mem_open(&m), "\x80|\xc0\x80|\xc1\xbf|\xe0\x9f\xbf|"
	    "\xed\xa0\x80|\xf0\x8f\xbf\xbf|\xf4\x90\x80\x80|\xf5\x80|"
	    "\xff|\xe2\x82x|\xe2\x82");
	s = mem_close(&m);
	CHECK(strcmp(s, "\"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd|"
	    "\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
	    "\\ufffd\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\\ufffd|"
	    "\\ufffd\\ufffd|\\ufffd|\\ufffd\\ufffdx|\\ufffd\\ufffd\"") == 0,
	    "JSON bytes outside UTF-8: %s", s);
	free(s);
	prom_label(mem_open(&m), "a\"b\\c\nd\te{},=");
	s = mem_close(&m);
	CHECK(strcmp(s, "\"a\\\"b\\\\c\\nd\\\\011e{},=\"") == 0,
	    "Prometheus label escapes: %s", s);
	free(s);
	/* No other control byte, and no byte from 0x80 up, passes. */
	prom_label(mem_open(&m), "\033[2J\r\b\177\x9b\xc3\xa9 x");
	s = mem_close(&m);
	CHECK(strcmp(s, "\"\\\\033[2J\\\\015\\\\010\\\\177\\\\233"
	    "\\\\303\\\\251 x\"") == 0, "Prometheus label, control and "
	    "high bytes: %s", s);
	free(s);
}

/* Text for the terminal: printable ASCII as it is, the rest in octal. */
static void
test_vis(void)
{
	static const char	 ordinary[] = "office-1 vpn.example.com "
	    "!\"#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~";
	char			 v[TEXT_VIS_SIZE(CTL_NAME_MAX)], small[7];
	char			 name[CTL_NAME_MAX];

	CHECK(strcmp(text_vis(v, sizeof(v), ordinary), ordinary) == 0,
	    "text_vis: printable ASCII as it is: %s", v);
	CHECK(strcmp(text_vis(v, sizeof(v), ""), "") == 0,
	    "text_vis: empty");
	text_vis(v, sizeof(v), "a\033[2J\rb\bc\177d\x9b\x80\xff\\f\t\n"
	    "\001\037\xc3\xa9");
	CHECK(strcmp(v, "a\\033[2J\\015b\\010c\\177d\\233\\200\\377"
	    "\\\\f\\011\\012\\001\\037\\303\\251") == 0,
	    "text_vis: ESC, CR, backspace, DEL, C1, high bytes, backslash, "
	    "tab, newline: %s", v);
	/* Whole escapes only, and always a NUL. */
	CHECK(strcmp(text_vis(small, 6, "ab\033cd"), "ab") == 0,
	    "text_vis: an escape that does not fit is left out: %s", small);
	CHECK(strcmp(text_vis(small, 7, "ab\033cd"), "ab\\033") == 0,
	    "text_vis: one that fits is in: %s", small);
	CHECK(strcmp(text_vis(small, sizeof(small), "abcdefgh"), "abcdef")
	    == 0, "text_vis: cut like strlcpy: %s", small);
	/* A name the daemon filled with escapes is shown whole. */
	memset(name, 0x9b, sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CHECK(strlen(text_vis(v, sizeof(v), name)) == 4 * (sizeof(name) - 1) &&
	    strncmp(v + 4 * (sizeof(name) - 2), "\\233", 5) == 0,
	    "text_vis: TEXT_VIS_SIZE holds the worst case: %zu", strlen(v));
}

/* How many times w is in t. */
static int
count(const char *t, const char *w)
{
	int	n = 0;

	while ((t = strstr(t, w)) != NULL) {
		n++;
		t++;
	}
	return (n);
}

static void
sin_set(struct sockaddr_in *sin, const char *a, unsigned int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, a, &sin->sin_addr);
	sin->sin_port = htons(port);
}

static void
rows(struct ctl_session *s, struct ctl_call *c, uint64_t id)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
	strlcpy(s->proxy, "off\"ice", sizeof(s->proxy));
	sin_set(&s->client, "192.0.2.10", 40000);
	sin_set(&s->client_local, "192.0.2.1", 1723);
	sin_set(&s->server, "198.51.100.2", 1723);
	sin_set(&s->server_local, "198.51.100.1", 50000);
	s->state = CTL_S_RELAY;
	s->ncalls = 1;
	s->calls_total = 2;
	s->age = 12;
	s->idle = 3;
	s->msgs[CTL_TO_CLIENT] = 4;
	s->msgs[CTL_TO_SERVER] = 5;
	s->packets[CTL_TO_CLIENT] = 100;
	s->bytes[CTL_TO_CLIENT] = 1000;
	s->packets[CTL_TO_SERVER] = 200;
	s->bytes[CTL_TO_SERVER] = 2000;
	memset(c, 0, sizeof(*c));
	c->sess = id;
	c->serial = 1;
	c->state = CTL_C_UP;
	c->client_id = 11;
	c->client_shown = 12;
	c->server_id = 13;
	c->server_shown = 14;
	c->age = 10;
	c->packets[CTL_TO_CLIENT] = 60;
	c->bytes[CTL_TO_CLIENT] = 600;
	c->packets[CTL_TO_SERVER] = 70;
	c->bytes[CTL_TO_SERVER] = 700;
}

#define SESSION_JSON(id) "{\"id\":" id ",\"proxy\":\"off\\\"ice\","	\
	"\"client\":{\"address\":\"192.0.2.10\",\"port\":40000},"	\
	"\"client_local\":{\"address\":\"192.0.2.1\",\"port\":1723},"	\
	"\"server\":{\"address\":\"198.51.100.2\",\"port\":1723},"	\
	"\"server_local\":{\"address\":\"198.51.100.1\",\"port\":50000},"\
	"\"state\":\"relaying\",\"age\":12,\"idle\":3,\"calls_up\":1,"	\
	"\"calls_total\":2,\"messages\":{\"to_client\":4,\"to_server\":5},"\
	"\"gre\":{\"to_client\":{\"packets\":100,\"bytes\":1000},"	\
	"\"to_server\":{\"packets\":200,\"bytes\":2000}},\"calls\":["
#define CALL_JSON "{\"serial\":1,\"state\":\"up\",\"age\":10,"		\
	"\"client_call_id\":11,\"client_call_id_shown\":12,"		\
	"\"server_call_id\":13,\"server_call_id_shown\":14,"		\
	"\"gre\":{\"to_client\":{\"packets\":60,\"bytes\":600},"	\
	"\"to_server\":{\"packets\":70,\"bytes\":700}}}"

static void
test_sessions(void)
{
	struct ctl_session	 s;
	struct ctl_call		 c;
	struct out		 o;
	struct mem		 m;
	char			*t;

	/* Two sessions, the first with two calls, the second with none. */
	out_init(&o, mem_open(&m), OUT_JSON, A_SHOW_SESSIONS);
	rows(&s, &c, 1);
	out_session(&o, &s);
	out_call(&o, &c);
	out_call(&o, &c);
	rows(&s, &c, 2);
	out_session(&o, &s);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strcmp(t, "{\"sessions\":[" SESSION_JSON("1") CALL_JSON ","
	    CALL_JSON "]}," SESSION_JSON("2") "]}]}\n") == 0,
	    "show sessions -j, two sessions: %.60s", t);
	free(t);

	out_init(&o, mem_open(&m), OUT_JSON, A_SHOW_SESSIONS);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strcmp(t, "{\"sessions\":[]}\n") == 0, "no sessions -j: %s", t);
	free(t);

	out_init(&o, mem_open(&m), OUT_JSON, A_SHOW_SESSION);
	rows(&s, &c, 9);
	out_session(&o, &s);
	out_call(&o, &c);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strcmp(t, "{\"session\":" SESSION_JSON("9") CALL_JSON "]}}\n")
	    == 0, "show session -j: %.60s", t);
	free(t);

	/* Text: the columns by value, the call under its session. */
	out_init(&o, mem_open(&m), OUT_TEXT, A_SHOW_SESSIONS);
	rows(&s, &c, 3);
	out_session(&o, &s);
	out_call(&o, &c);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strstr(t, "\n3      192.0.2.10:40000      off\"ice         "
	    "198.51.100.2:1723     relaying       12s      3s     1"
	    "          100/1000          200/2000\n") != NULL,
	    "show sessions, a row");
	CHECK(strstr(t, "call 1 up 10s: client Call ID 11 (shown to the "
	    "server as 12), server Call ID 13 (shown to the client as 14); "
	    "GRE to client 60/600, to server 70/700\n") != NULL,
	    "show sessions, a call");
	free(t);

	/* A tunnel over TCP: what waits for the peer, what it dropped. */
	rows(&s, &c, 4);
	s.tunnel = CTL_TUN_TCP;
	sin_set(&s.tun_peer, "203.0.113.66", 1723);
	s.tun_queued = 65536;
	s.tun_dropped[CTL_TO_CLIENT] = 7;
	s.tun_dropped[CTL_TO_SERVER] = 8000;
	out_init(&o, mem_open(&m), OUT_JSON, A_SHOW_SESSION);
	out_session(&o, &s);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strstr(t, "\"server_local\":{\"address\":\"198.51.100.1\","
	    "\"port\":50000},\"tunnel\":{\"over\":\"tcp\",\"peer\":{"
	    "\"address\":\"203.0.113.66\",\"port\":1723},\"queued\":65536,"
	    "\"dropped\":{\"to_client\":7,\"to_server\":8000}},\"state\":")
	    != NULL, "show session -j, a tunnel over TCP: %.60s", t);
	free(t);
	out_init(&o, mem_open(&m), OUT_TEXT, A_SHOW_SESSION);
	out_session(&o, &s);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strstr(t, "\n  tunnel         over TCP, peer 203.0.113.66:1723\n"
	    "  tunnel queue   65536 bytes for the peer; GRE dropped (TCP not "
	    "keeping up): 7 to the client, 8000 to the server\n") != NULL,
	    "show session, a tunnel over TCP");
	free(t);

	/*
	 * What a control relay taken over could send: terminal escapes and
	 * a carriage return in the proxy's name, numbers no state has.  The
	 * column keeps its 15 bytes, in whole escapes.
	 */
	rows(&s, &c, 5);
	strlcpy(s.proxy, "\033[2Jpwned\r", sizeof(s.proxy));
	s.state = CTL_S_MAX;
	s.tunnel = 7;
	c.state = CTL_C_MAX;
	out_init(&o, mem_open(&m), OUT_TEXT, A_SHOW_SESSIONS);
	out_session(&o, &s);
	out_call(&o, &c);
	s.state = UINT32_MAX;
	c.state = UINT32_MAX;
	out_session(&o, &s);
	out_call(&o, &c);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strstr(t, "\n5      192.0.2.10:40000      \\033[2Jpwned    "
	    "198.51.100.2:1723     unknown        12s      3s     1"
	    "          100/1000          200/2000 tunnel unknown -\n       "
	    "call 1 unknown 10s: ") != NULL && strchr(t, '\033') == NULL &&
	    strchr(t, '\r') == NULL, "show sessions, a hostile row: %s", t);
	CHECK(count(t, " unknown        12s      3s ") == 2 &&
	    count(t, "\n       call 1 unknown 10s: client Call ID 11 (shown "
	    "to the server as 12), server Call ID 13 (shown to the client as "
	    "14); GRE to client 60/600, to server 70/700\n") == 2,
	    "show sessions, states out of range (the last, UINT32_MAX)");
	free(t);
	out_init(&o, mem_open(&m), OUT_TEXT, A_SHOW_SESSION);
	out_session(&o, &s);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strncmp(t, "session 5\n  proxy          \\033[2Jpwned\\015\n"
	    "  client         192.0.2.10:40000 (to 192.0.2.1:1723)\n", 91)
	    == 0 && strstr(t, "\n  state          unknown\n") != NULL &&
	    strstr(t, "\n  tunnel         over unknown, peer not known yet\n")
	    != NULL, "show session, a hostile row: %s", t);
	free(t);
	out_init(&o, mem_open(&m), OUT_JSON, A_SHOW_SESSION);
	out_session(&o, &s);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strncmp(t, "{\"session\":{\"id\":5,\"proxy\":\"\\u001b[2Jpwned"
	    "\\r\",", 45) == 0 && strstr(t, ",\"tunnel\":{\"over\":\"unknown\","
	    "\"peer\":") != NULL && strstr(t, ",\"state\":\"unknown\",") !=
	    NULL, "show session -j, a hostile row: %s", t);
	free(t);
}

static void
proxy_row(struct ctl_proxy *pr, const char *name)
{
	memset(pr, 0, sizeof(*pr));
	strlcpy(pr->name, name, sizeof(pr->name));
	strlcpy(pr->server_host, "vpn.example.com", sizeof(pr->server_host));
	sin_set(&pr->listen, "192.0.2.1", 1723);
	sin_set(&pr->server, "198.51.100.2", 1723);
	pr->listening = 1;
	pr->sessions = 3;
	pr->calls = 2;
	pr->calls_total = 9;
	pr->accepted = 5;
	pr->refused_acl = 7;
	pr->refused_limit = 8;
	pr->server_failed = 6;
	pr->packets[CTL_TO_CLIENT] = 11;
	pr->bytes[CTL_TO_CLIENT] = 1100;
	pr->packets[CTL_TO_SERVER] = 22;
	pr->bytes[CTL_TO_SERVER] = 2200;
	pr->spoofed = 4;
	pr->tun_dropped[CTL_TO_CLIENT] = 15;
	pr->tun_dropped[CTL_TO_SERVER] = 16;
}

static void
gre_row(struct ctl_gre *g)
{
	memset(g, 0, sizeof(*g));
	g->routes = 4;
	g->offloaded = 1;
	g->forwarded = 33;
	g->bytes = 3300;
	g->drop_bad = 2;
	g->drop_unknown = 3;
	g->drop_spoofed = 5;
	g->recv_errors = 0;
	g->send_errors = 1;
}

static void
relay_row(struct ctl_relay *r, uint32_t index)
{
	memset(r, 0, sizeof(*r));
	r->index = index;
	r->pid = 1000 + index;
	r->sessions = 10 * index + 1;
	r->calls = 10 * index + 2;
	r->calls_total = 10 * index + 3;
	r->accepted = 10 * index + 4;
}

static void
test_summary(void)
{
	struct ctl_proxy	 pr;
	struct ctl_relay	 rl;
	struct ctl_gre		 g;
	struct out		 o;
	struct mem		 m;
	char			*t;

	out_init(&o, mem_open(&m), OUT_JSON, A_SHOW_SUMMARY);
	proxy_row(&pr, "office");
	out_proxy(&o, &pr);
	relay_row(&rl, 0);
	CHECK(out_relay(&o, &rl) == NULL, "a relay row taken");
	gre_row(&g);
	out_gre(&o, &g);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strcmp(t, "{\"proxies\":[{\"name\":\"office\","
	    "\"listen\":{\"address\":\"192.0.2.1\",\"port\":1723},"
	    "\"server\":{\"address\":\"198.51.100.2\",\"port\":1723},"
	    "\"server_host\":\"vpn.example.com\",\"listening\":true,"
	    "\"sessions\":3,\"calls\":2,\"calls_total\":9,\"accepted\":5,"
	    "\"refused_acl\":7,\"refused_limit\":8,\"server_failed\":6,"
	    "\"gre\":{\"to_client\":{\"packets\":11,\"bytes\":1100},"
	    "\"to_server\":{\"packets\":22,\"bytes\":2200},"
	    "\"wrong_source\":4,\"tunnel_dropped\":{\"to_client\":15,"
	    "\"to_server\":16}}}],\"relays\":[{\"index\":0,\"pid\":1000,"
	    "\"sessions\":1,\"calls\":2,\"calls_total\":3,\"accepted\":4}],"
	    "\"gre\":{\"routes\":4,\"offloaded\":1,"
	    "\"forwarded\":{\"packets\":33,\"bytes\":3300},"
	    "\"dropped\":{\"malformed\":2,\"unknown_call_id\":3,"
	    "\"wrong_source\":5},\"errors\":{\"receive\":0,\"send\":1}}}\n")
	    == 0, "show summary -j: %s", t);
	free(t);

	/* No proxy, two relays, no totals: the arrays all the same. */
	out_init(&o, mem_open(&m), OUT_JSON, A_SHOW_SUMMARY);
	relay_row(&rl, 0);
	(void)out_relay(&o, &rl);
	relay_row(&rl, 1);
	(void)out_relay(&o, &rl);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strcmp(t, "{\"proxies\":[],\"relays\":[{\"index\":0,"
	    "\"pid\":1000,\"sessions\":1,\"calls\":2,\"calls_total\":3,"
	    "\"accepted\":4},{\"index\":1,\"pid\":1001,\"sessions\":11,"
	    "\"calls\":12,\"calls_total\":13,\"accepted\":14}]}\n") == 0,
	    "show summary -j, two relays, no proxy: %s", t);
	free(t);
	out_init(&o, mem_open(&m), OUT_JSON, A_SHOW_SUMMARY);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strcmp(t, "{\"proxies\":[],\"relays\":[]}\n") == 0,
	    "show summary -j, nothing: %s", t);
	free(t);

	/* Text: an ordinary proxy, then one with escapes in its names. */
#define PROXY_COUNTS							\
	    "  sessions up 3, calls up 2, calls set up 9\n"		\
	    "  connections accepted 5, refused by acl 7, by limit 8, "	\
	    "failed to the server 6\n"					\
	    "  GRE to clients 11 packets 1100 bytes, to the server 22 "	\
	    "packets 2200 bytes, wrong source 4\n"			\
	    "  tunnels over TCP dropped GRE (not keeping up): 15 "	\
	    "packets to clients, 16 to the server\n"
	out_init(&o, mem_open(&m), OUT_TEXT, A_SHOW_SUMMARY);
	proxy_row(&pr, "office");
	out_proxy(&o, &pr);
	relay_row(&rl, 0);
	(void)out_relay(&o, &rl);
	proxy_row(&pr, "\033[2J\033[Hroot\r");
	strlcpy(pr.server_host, "vpn\b\b\bevil\x9b", sizeof(pr.server_host));
	pr.listening = 0;
	out_proxy(&o, &pr);
	out_gre(&o, &g);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strcmp(t, "proxy office: 192.0.2.1:1723 -> 198.51.100.2:1723 "
	    "(vpn.example.com)\n"
	    PROXY_COUNTS
	    "\n"
	    "proxy \\033[2J\\033[Hroot\\015: 192.0.2.1:1723 -> "
	    "198.51.100.2:1723 (vpn\\010\\010\\010evil\\233) (no longer "
	    "configured)\n"
	    PROXY_COUNTS
	    "\n"
	    "GRE forwarder: 4 Call IDs routed (1 by the kernel), 33 packets "
	    "3300 bytes forwarded in user space\n"
	    "  dropped: 2 malformed, 3 unknown Call ID, 5 wrong source; "
	    "errors: 0 receiving, 1 sending\n") == 0,
	    "show summary, ordinary and hostile names: %s", t);
	free(t);

	/* Several relays: a line each, in the order they came. */
	out_init(&o, mem_open(&m), OUT_TEXT, A_SHOW_SUMMARY);
	proxy_row(&pr, "office");
	out_proxy(&o, &pr);
	relay_row(&rl, 0);
	(void)out_relay(&o, &rl);
	relay_row(&rl, 1);
	(void)out_relay(&o, &rl);
	relay_row(&rl, 15);
	(void)out_relay(&o, &rl);
	out_gre(&o, &g);
	out_end(&o);
	t = mem_close(&m);
	CHECK(strcmp(t, "proxy office: 192.0.2.1:1723 -> 198.51.100.2:1723 "
	    "(vpn.example.com)\n"
	    PROXY_COUNTS
	    "\n"
	    "relay 0 (pid 1000): sessions up 1, calls up 2, calls set up 3, "
	    "connections accepted 4\n"
	    "relay 1 (pid 1001): sessions up 11, calls up 12, calls set up "
	    "13, connections accepted 14\n"
	    "relay 15 (pid 1015): sessions up 151, calls up 152, calls set up "
	    "153, connections accepted 154\n"
	    "\n"
	    "GRE forwarder: 4 Call IDs routed (1 by the kernel), 33 packets "
	    "3300 bytes forwarded in user space\n"
	    "  dropped: 2 malformed, 3 unknown Call ID, 5 wrong source; "
	    "errors: 0 receiving, 1 sending\n") == 0,
	    "show summary, three relays: %s", t);
	free(t);
#undef PROXY_COUNTS
}

/*
 * The relay rows come from the daemon, not trusted: RELAYS_MAX at most,
 * each of a relay there can be, once, where a summary has them.
 */
static void
test_relay_rows(void)
{
	struct ctl_relay	 rl;
	struct ctl_gre		 g;
	struct out		 o;
	struct mem		 m;
	uint32_t		 i;
	int			 taken = 0;

	out_init(&o, mem_open(&m), OUT_METRICS, A_SHOW_METRICS);
	for (i = 0; i < RELAYS_MAX; i++) {
		relay_row(&rl, RELAYS_MAX - 1 - i);
		taken += out_relay(&o, &rl) == NULL;
	}
	CHECK(taken == RELAYS_MAX, "RELAYS_MAX relay rows taken (%d)", taken);
	relay_row(&rl, 0);
	CHECK(out_relay(&o, &rl) != NULL && o.nrelays == RELAYS_MAX,
	    "one relay row more refused");
	out_free(&o);
	free(mem_close(&m));

	out_init(&o, mem_open(&m), OUT_TEXT, A_SHOW_SUMMARY);
	relay_row(&rl, RELAYS_MAX);
	CHECK(out_relay(&o, &rl) != NULL, "relay index RELAYS_MAX refused");
	rl.index = UINT32_MAX;
	CHECK(out_relay(&o, &rl) != NULL, "relay index 2^32-1 refused");
	relay_row(&rl, RELAYS_MAX - 1);
	CHECK(out_relay(&o, &rl) == NULL, "relay index RELAYS_MAX-1 taken");
	CHECK(out_relay(&o, &rl) != NULL, "the same relay twice refused");
	gre_row(&g);
	out_gre(&o, &g);
	relay_row(&rl, 2);
	CHECK(out_relay(&o, &rl) != NULL, "a relay row after the totals "
	    "refused");
	CHECK(o.nrelays == 1, "only the good row kept (%u)", o.nrelays);
	out_free(&o);
	free(mem_close(&m));

	out_init(&o, mem_open(&m), OUT_JSON, A_SHOW_SESSIONS);
	relay_row(&rl, 0);
	CHECK(out_relay(&o, &rl) != NULL, "a relay row in show sessions "
	    "refused");
	out_free(&o);
	free(mem_close(&m));
}

/* Every line of text that is not "# " is NAME[{LABELS}] VALUE. */
static int
metrics_lines_ok(const char *t)
{
	const char	*l, *e;
	int		 help = 0;

	for (l = t; *l != '\0'; l = e + 1) {
		if ((e = strchr(l, '\n')) == NULL)
			return (0);
		if (strncmp(l, "# HELP pptpproxy_", 17) == 0) {
			help = 1;
			continue;
		}
		if (strncmp(l, "# TYPE pptpproxy_", 17) == 0) {
			if (!help)
				return (0);
			help = 0;
			continue;
		}
		if (strncmp(l, "pptpproxy_", 10) != 0 || e[-1] < '0' ||
		    e[-1] > '9')
			return (0);
	}
	return (1);
}

/* show metrics keeps the proxies' rows: as many as a daemon has, no more. */
static void
test_metrics_cap(void)
{
	struct ctl_proxy	 pr;
	struct out		 o;
	struct mem		 m;
	unsigned int		 i, bad = 0;
	int			 r = 0;
	char			*t;

	out_init(&o, mem_open(&m), OUT_METRICS, A_SHOW_METRICS);
	proxy_row(&pr, "p");
	for (i = 0; i < OUT_PROXIES_MAX && r == 0; i++) {
		pr.accepted = i;
		r = out_proxy(&o, &pr);
	}
	for (i = 0; i < o.nproxies; i++)
		if (o.proxies[i].accepted != i)
			bad++;
	CHECK(r == 0 && o.nproxies == OUT_PROXIES_MAX && bad == 0,
	    "metrics: %u proxy rows kept, in order (%u out of place)",
	    o.nproxies, bad);
	errno = 0;
	r = out_proxy(&o, &pr);
	CHECK(r == -1 && errno == E2BIG && o.nproxies == OUT_PROXIES_MAX,
	    "metrics: one row more refused (E2BIG), %u kept", o.nproxies);
	out_free(&o);
	t = mem_close(&m);
	free(t);
}

static void
test_metrics(void)
{
	struct ctl_proxy	 pr;
	struct ctl_relay	 rl;
	struct ctl_gre		 g;
	struct out		 o;
	struct mem		 m;
	char			*t;

	out_init(&o, mem_open(&m), OUT_METRICS, A_SHOW_METRICS);
	proxy_row(&pr, "off\"i\\ce");
	out_proxy(&o, &pr);
	proxy_row(&pr, "lab");
	pr.listening = 0;
	pr.accepted = 50;
	out_proxy(&o, &pr);
	/* A name a control relay taken over could send. */
	proxy_row(&pr, "\033[2J\r\b\177\x9bx\n");
	out_proxy(&o, &pr);
	relay_row(&rl, 0);
	(void)out_relay(&o, &rl);
	relay_row(&rl, 3);
	(void)out_relay(&o, &rl);
	gre_row(&g);
	out_gre(&o, &g);
	out_end(&o);
	out_free(&o);
	t = mem_close(&m);
	CHECK(metrics_lines_ok(t), "metrics: every line well formed");
	CHECK(strstr(t, "\npptpproxy_sessions{proxy=\"lab\"} 3\n"
	    "pptpproxy_sessions{proxy=\"\\\\033[2J\\\\015\\\\010\\\\177"
	    "\\\\233x\\n\"} 3\n") != NULL && strstr(t, "\npptpproxy_proxy_info"
	    "{proxy=\"\\\\033[2J\\\\015\\\\010\\\\177\\\\233x\\n\",listen="
	    "\"192.0.2.1:1723\",server=\"198.51.100.2:1723\"} 1\n") != NULL &&
	    strpbrk(t, "\033\r\b\177\x9b") == NULL,
	    "metrics: a label with control and high bytes, escaped");
	CHECK(strstr(t, "# HELP pptpproxy_connections_accepted_total "
	    "Control connections accepted.\n# TYPE "
	    "pptpproxy_connections_accepted_total counter\n"
	    "pptpproxy_connections_accepted_total{proxy=\"off\\\"i\\\\ce\"} 5\n"
	    "pptpproxy_connections_accepted_total{proxy=\"lab\"} 50\n") !=
	    NULL, "metrics: a family, both proxies, escaped label");
	CHECK(strstr(t, "pptpproxy_connections_refused_total{proxy=\"lab\","
	    "reason=\"acl\"} 7\npptpproxy_connections_refused_total{proxy="
	    "\"lab\",reason=\"limit\"} 8\n") != NULL, "metrics: refusals");
	CHECK(strstr(t, "pptpproxy_gre_packets_total{proxy=\"lab\","
	    "direction=\"to_client\"} 11\npptpproxy_gre_packets_total{proxy="
	    "\"lab\",direction=\"to_server\"} 22\n") != NULL,
	    "metrics: packets by direction");
	CHECK(strstr(t, "pptpproxy_gre_bytes_total{proxy=\"lab\","
	    "direction=\"to_client\"} 1100\n") != NULL, "metrics: bytes");
	CHECK(strstr(t, "pptpproxy_sessions{proxy=\"lab\"} 3\n") != NULL &&
	    strstr(t, "# TYPE pptpproxy_sessions gauge\n") != NULL,
	    "metrics: sessions, a gauge");
	CHECK(strstr(t, "pptpproxy_server_connect_failures_total{proxy="
	    "\"lab\"} 6\n") != NULL, "metrics: server failures");
	CHECK(strstr(t, "pptpproxy_proxy_info{proxy=\"lab\",listen="
	    "\"192.0.2.1:1723\",server=\"198.51.100.2:1723\"} 0\n") != NULL,
	    "metrics: a proxy no longer configured");
	CHECK(strstr(t, "pptpproxy_gre_dropped_total{reason=\"malformed\"} 2\n"
	    "pptpproxy_gre_dropped_total{reason=\"unknown_call_id\"} 3\n"
	    "pptpproxy_gre_dropped_total{reason=\"wrong_source\"} 5\n") !=
	    NULL, "metrics: drops by reason");
	CHECK(strstr(t, "# TYPE pptpproxy_tunnel_gre_dropped_total counter\n"
	    "pptpproxy_tunnel_gre_dropped_total{proxy=\"off\\\"i\\\\ce\","
	    "direction=\"to_client\"} 15\npptpproxy_tunnel_gre_dropped_total{"
	    "proxy=\"off\\\"i\\\\ce\",direction=\"to_server\"} 16\n") != NULL,
	    "metrics: a tunnel's drops by direction");
	CHECK(strstr(t, "pptpproxy_gre_routes 4\n") != NULL &&
	    strstr(t, "pptpproxy_gre_errors_total{op=\"send\"} 1\n") != NULL,
	    "metrics: the forwarder's");
	CHECK(strstr(t, "counter\npptpproxy_calls{") == NULL &&
	    strstr(t, "# TYPE pptpproxy_calls gauge\n") != NULL,
	    "metrics: calls up is a gauge");
	CHECK(strstr(t, "# TYPE pptpproxy_relay_sessions gauge\n"
	    "pptpproxy_relay_sessions{relay=\"0\"} 1\n"
	    "pptpproxy_relay_sessions{relay=\"3\"} 31\n") != NULL &&
	    strstr(t, "# TYPE pptpproxy_relay_calls gauge\n"
	    "pptpproxy_relay_calls{relay=\"0\"} 2\n"
	    "pptpproxy_relay_calls{relay=\"3\"} 32\n") != NULL &&
	    strstr(t, "# TYPE pptpproxy_relay_calls_established_total "
	    "counter\npptpproxy_relay_calls_established_total{relay=\"0\"} 3\n"
	    "pptpproxy_relay_calls_established_total{relay=\"3\"} 33\n") !=
	    NULL && strstr(t, "# TYPE pptpproxy_relay_connections_accepted_total"
	    " counter\npptpproxy_relay_connections_accepted_total{relay=\"0\"}"
	    " 4\npptpproxy_relay_connections_accepted_total{relay=\"3\"} 34\n")
	    != NULL, "metrics: the relays' families, each relay");
	free(t);
}

/*
 * What a restricted control socket answers: the show requests alone;
 * every request that changes something, the answers' types and numbers
 * no request has are refused there.
 */
static void
test_readonly(void)
{
	uint32_t	t;
	int		n = 0;

	CHECK(ctl_req_readonly(CTL_REQ_SUMMARY), "show summary: read-only");
	CHECK(ctl_req_readonly(CTL_REQ_SESSIONS), "show sessions: read-only");
	CHECK(!ctl_req_readonly(CTL_REQ_KILL), "kill session: refused");
	CHECK(!ctl_req_readonly(CTL_REQ_RELOAD), "reload: refused");
	CHECK(!ctl_req_readonly(CTL_REQ_LOG), "log level: refused");
	for (t = 0; t < 1000; t++)
		n += ctl_req_readonly(t);
	CHECK(n == 2 && !ctl_req_readonly(UINT32_MAX),
	    "no other type is read-only (%d of 0 to 999)", n);
	CHECK(strcmp(ctl_req_name(CTL_REQ_RELOAD), "reload") == 0 &&
	    strcmp(ctl_req_name(CTL_REQ_KILL), "kill session") == 0 &&
	    strcmp(ctl_req_name(CTL_REQ_LOG), "log level") == 0 &&
	    strcmp(ctl_req_name(CTL_END), "an unknown request") == 0,
	    "requests named for the refusal");
}

/*
 * The states' names by number: a name for each, "unknown" for any number
 * past them, which only a daemon gone wrong sends.
 */
static void
test_state_names(void)
{
	uint32_t	s;
	int		named = 0;

	for (s = 0; s < CTL_S_MAX; s++)
		named += ctl_state_name(s) != NULL &&
		    strcmp(ctl_state_name(s), "unknown") != 0;
	CHECK(named == CTL_S_MAX, "every session state named (%d of %d)",
	    named, CTL_S_MAX);
	CHECK(strcmp(ctl_state_name(CTL_S_RELAY), "relaying") == 0 &&
	    strcmp(ctl_state_name(CTL_S_WAITING), "waiting") == 0,
	    "session states: the names the manual gives");
	CHECK(strcmp(ctl_state_name(CTL_S_MAX), "unknown") == 0 &&
	    strcmp(ctl_state_name(CTL_S_MAX + 1), "unknown") == 0 &&
	    strcmp(ctl_state_name(UINT32_MAX), "unknown") == 0,
	    "session state out of range: unknown");
	named = 0;
	for (s = 0; s < CTL_C_MAX; s++)
		named += ctl_call_state_name(s) != NULL &&
		    strcmp(ctl_call_state_name(s), "unknown") != 0;
	CHECK(named == CTL_C_MAX, "every call state named (%d of %d)",
	    named, CTL_C_MAX);
	CHECK(strcmp(ctl_call_state_name(CTL_C_CLEARING), "clearing") == 0,
	    "call states: the names the manual gives");
	CHECK(strcmp(ctl_call_state_name(CTL_C_MAX), "unknown") == 0 &&
	    strcmp(ctl_call_state_name(CTL_C_MAX + 1), "unknown") == 0 &&
	    strcmp(ctl_call_state_name(UINT32_MAX), "unknown") == 0,
	    "call state out of range: unknown");
}

/*
 * The answer to kill, reload and log: on standard output when done, on
 * standard error when not, the message's control bytes escaped.
 */
static void
test_result(void)
{
	struct ctl_result	 r;
	struct mem		 m, e;
	char			*t, *u;
	int			 rc;

	memset(&r, 0, sizeof(r));
	r.ok = 1;
	strlcpy(r.msg, "configuration reloaded", sizeof(r.msg));
	rc = out_result(mem_open(&m), mem_open(&e), 0, &r);
	t = mem_close(&m);
	u = mem_close(&e);
	CHECK(rc == 0 && strcmp(t, "configuration reloaded\n") == 0 &&
	    *u == '\0', "result, done: %s", t);
	free(t);
	free(u);

	/* A line forged over the last, a screen cleared, a title set. */
	strlcpy(r.msg, "done\r\033[1A\033[2Kforged\b\177\x9b\033]0;t\007",
	    sizeof(r.msg));
	rc = out_result(mem_open(&m), mem_open(&e), 0, &r);
	t = mem_close(&m);
	u = mem_close(&e);
	CHECK(rc == 0 && strcmp(t, "done\\015\\033[1A\\033[2Kforged\\010"
	    "\\177\\233\\033]0;t\\007\n") == 0 && *u == '\0',
	    "result, done, hostile: %s", t);
	free(t);
	free(u);
	r.ok = 0;
	rc = out_result(mem_open(&m), mem_open(&e), 0, &r);
	t = mem_close(&m);
	u = mem_close(&e);
	CHECK(rc == 1 && *t == '\0' && strcmp(u, "pptpproxyctl: done\\015"
	    "\\033[1A\\033[2Kforged\\010\\177\\233\\033]0;t\\007\n") == 0,
	    "result, refused, hostile, on standard error: %s", u);
	free(t);
	free(u);
	rc = out_result(mem_open(&m), mem_open(&e), 1, &r);
	t = mem_close(&m);
	u = mem_close(&e);
	CHECK(rc == 1 && strcmp(t, "{\"ok\":false,\"message\":\"done\\r"
	    "\\u001b[1A\\u001b[2Kforged\\u0008\\u007f\\ufffd\\u001b]0;t"
	    "\\u0007\"}\n") == 0 && strncmp(u, "pptpproxyctl: done\\015", 22)
	    == 0, "result -j, refused, hostile: %s", t);
	free(t);
	free(u);
}

int
main(void)
{
	test_parser();
	test_escapes();
	test_vis();
	test_sessions();
	test_summary();
	test_relay_rows();
	test_metrics();
	test_metrics_cap();
	test_readonly();
	test_state_names();
	test_result();
	CHECK_DONE();
}
