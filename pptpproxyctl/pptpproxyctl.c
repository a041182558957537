/*
 * pptpproxyctl: talk to pptpproxy over its control socket.  One request,
 * the rows of the answer, formatted here.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <imsg.h>

#include "pptpproxyctl.h"

#define CTL_TIMEOUT_MS		30000	/* for each part of an answer */

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: pptpproxyctl [-j] [-s socket] command "
	    "[argument ...]\n");
	parse_usage(stderr);
	exit(1);
}

static void __attribute__((__noreturn__))
die(const char *what)
{
	fprintf(stderr, "pptpproxyctl: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void __attribute__((__noreturn__))
diex(const char *what)
{
	fprintf(stderr, "pptpproxyctl: %s\n", what);
	exit(1);
}

static void
get(struct imsg *imsg, void *buf, size_t len)
{
	if (imsg_get_data(imsg, buf, len) == -1)
		diex("a message of the wrong size: daemon and tool from "
		    "different builds?");
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un	 sun;
	struct parse_result	 res;
	struct imsgbuf		 ibuf;
	struct imsg		 imsg;
	struct pollfd		 pfd;
	struct out		 o;
	struct ctl_proxy	 p;
	struct ctl_gre		 g;
	struct ctl_session	 s;
	struct ctl_call		 c;
	struct ctl_result	 r;
	struct ctl_relay	 rl;
	const char		*path = PPTPPROXY_SOCKET, *why;
	char			 err[256];
	int32_t			 level;
	uint32_t		 type;
	ssize_t			 n;
	int			 ch, fd, json = 0, done = 0, rc = 0;

	while ((ch = getopt(argc, argv, "js:")) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 's':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	if (parse(argc, argv, &res, err, sizeof(err)) == -1) {
		fprintf(stderr, "pptpproxyctl: %s\n", err);
		exit(1);
	}

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		diex("socket path too long");
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(err, sizeof(err), "connect to %s", path);
		die(err);
	}
#ifdef __OpenBSD__
	if (pledge("stdio", NULL) == -1)
		die("pledge");
#endif
	if (imsgbuf_init(&ibuf, fd) == -1)
		die("imsgbuf_init");

	switch (res.action) {
	case A_SHOW_SUMMARY:
	case A_SHOW_METRICS:
		type = CTL_REQ_SUMMARY;
		n = imsg_compose(&ibuf, type, CTL_PROTO_VERSION, 0, -1, NULL, 0);
		break;
	case A_SHOW_SESSIONS:
		res.id = 0;
		/* FALLTHROUGH */
	case A_SHOW_SESSION:
		n = imsg_compose(&ibuf, CTL_REQ_SESSIONS, CTL_PROTO_VERSION, 0,
		    -1, &res.id, sizeof(res.id));
		break;
	case A_KILL_SESSION:
		n = imsg_compose(&ibuf, CTL_REQ_KILL, CTL_PROTO_VERSION, 0, -1,
		    &res.id, sizeof(res.id));
		break;
	case A_RELOAD:
		n = imsg_compose(&ibuf, CTL_REQ_RELOAD, CTL_PROTO_VERSION, 0,
		    -1, NULL, 0);
		break;
	case A_LOG_VERBOSE:
	case A_LOG_BRIEF:
		level = res.action == A_LOG_VERBOSE;
		n = imsg_compose(&ibuf, CTL_REQ_LOG, CTL_PROTO_VERSION, 0, -1,
		    &level, sizeof(level));
		break;
	default:
		usage();
	}
	if (n == -1 || imsgbuf_flush(&ibuf) == -1)
		die("sending the request");

	out_init(&o, stdout, res.action == A_SHOW_METRICS ? OUT_METRICS :
	    json ? OUT_JSON : OUT_TEXT, res.action);
	while (!done) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if ((n = poll(&pfd, 1, CTL_TIMEOUT_MS)) == -1) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (n == 0)
			diex("no answer from the daemon");
		if ((n = imsgbuf_read(&ibuf)) == -1)
			die("reading the answer");
		if (n == 0)
			diex("the daemon closed the connection");
		while (!done) {
			if ((n = imsg_get(&ibuf, &imsg)) == -1)
				die("imsg_get");
			if (n == 0)
				break;
			/* Its refusal of this version's request, or rows. */
			if (imsg_get_id(&imsg) != CTL_PROTO_VERSION)
				diex("the daemon speaks another control "
				    "protocol version (daemon and tool from "
				    "different builds?)");
			switch (imsg_get_type(&imsg)) {
			case CTL_PROXY:
				get(&imsg, &p, sizeof(p));
				p.name[sizeof(p.name) - 1] = '\0';
				p.server_host[sizeof(p.server_host) - 1] = '\0';
				if (out_proxy(&o, &p) == -1) {
					if (errno == E2BIG)
						diex("more than " OUT_STR(
						    OUT_PROXIES_MAX) " proxy "
						    "rows in a summary");
					die("out of memory");
				}
				break;
			case CTL_RELAY:
				get(&imsg, &rl, sizeof(rl));
				if ((why = out_relay(&o, &rl)) != NULL)
					diex(why);
				break;
			case CTL_GRE:
				get(&imsg, &g, sizeof(g));
				out_gre(&o, &g);
				break;
			case CTL_SESSION:
				get(&imsg, &s, sizeof(s));
				s.proxy[sizeof(s.proxy) - 1] = '\0';
				out_session(&o, &s);
				break;
			case CTL_CALL:
				get(&imsg, &c, sizeof(c));
				out_call(&o, &c);
				break;
			case CTL_END:
				out_end(&o);
				done = 1;
				break;
			case CTL_RESULT:
				get(&imsg, &r, sizeof(r));
				r.msg[sizeof(r.msg) - 1] = '\0';
				rc = out_result(stdout, stderr, json, &r);
				done = 1;
				break;
			default:
				diex("an unknown message: daemon and tool "
				    "from different builds?");
			}
			imsg_free(&imsg);
		}
	}
	out_free(&o);
	imsgbuf_clear(&ibuf);
	close(fd);
	if (fflush(stdout) == EOF || ferror(stdout))
		die("stdout");
	return (rc);
}
