/*
 * pptpproxy: relay PPTP control connections and their GRE through a
 * firewall.  main(): options, then the parent, or a child when started
 * with the hidden -P flag.
 */

#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "os.h"

__dead static void	usage(int);
static void		report(int, const char *);
__dead static void	nothing_to_do(const struct options *);

static const struct option longopts[] = {
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'v' },
	{ "nofork",	no_argument,		NULL,	'n' },
	{ "debug",	no_argument,		NULL,	'd' },
	{ "extensive",	no_argument,		NULL,	'e' },
	{ "log",	required_argument,	NULL,	'l' },
	{ "proxy",	required_argument,	NULL,	'p' },
	{ "acl",	required_argument,	NULL,	'a' },
	{ "aclCmd",	required_argument,	NULL,	'x' },
	{ "config",	required_argument,	NULL,	'f' },
	{ "socket",	required_argument,	NULL,	's' },
	{ NULL,		0,			NULL,	0 }
};

__dead static void
usage(int code)
{
	FILE	*f = code ? stderr : stdout;

	fprintf(f,
	    "usage: pptpproxy [-dehnTtv] [-a subnet/mask] [-f file] "
	    "[-l file] [-s socket]\n"
	    "                 [-x command]"
	    " [-p [listenAddress[:port],]peerAddress[:port]] ...\n"
	    "  -h, --help       this text\n"
	    "  -v, --version    print the version\n"
	    "  -n, --nofork     stay in the foreground, log to stderr\n"
	    "  -d, --debug      like -n, and log in detail\n"
	    "  -e, --extensive  like -d, and dump every control message\n"
	    "  -l, --log FILE   log to FILE\n"
	    "  -p, --proxy [listenAddress[:port],]peerAddress[:port]\n"
	    "                   relay connections to listenAddress:port "
	    "(0.0.0.0:1723)\n"
	    "                   to peerAddress:port (port 1723); repeatable\n"
	    "  -a, --acl SUBNET/MASK  allow clients from SUBNET; repeatable\n"
	    "  -x, --aclCmd CMD allow clients for which CMD CLIENT-IP "
	    "exits 0; repeatable\n"
	    "  -f, --config FILE  read FILE (default %s without -p)\n"
	    "  -s, --socket PATH  the control socket (default %s)\n"
	    "  -t               check the configuration and exit\n"
	    "  -T               check the configuration and print it\n",
	    PPTPPROXY_CONF, PPTPPROXY_SOCKET);
	exit(code);
}

static void
add_arg(char ***list, int *n, char *arg)
{
	char	**l;

	if ((l = reallocarray(*list, *n + 1, sizeof(*l))) == NULL) {
		perror("pptpproxy");
		exit(1);
	}
	l[(*n)++] = arg;
	*list = l;
}

/*
 * What the start-up checks find goes to standard error, before anything
 * forks, and to the log too when that is somewhere else (syslog, -l).
 */
static void
report(int warn, const char *msg)
{
	/* The journal keeps a line's priority only from the log's prefix. */
	if (log_getjournal()) {
		log_warnx("%s%s", warn ? "warning: " : "", msg);
		return;
	}
	fprintf(stderr, "pptpproxy: %s%s\n", warn ? "warning: " : "", msg);
	if (log_getfd() != STDERR_FILENO)
		log_warnx("%s", msg);
}

/*
 * A configuration without a proxy is valid, and the daemon has nothing
 * to do: say so and exit 0, so that a service installed with the sample
 * file (every proxy commented out) ends inactive, not failed.
 */
static void
nothing_to_do(const struct options *o)
{
	char	msg[PATH_MAX + 64];

	if (o->conffile != NULL)
		snprintf(msg, sizeof(msg), "no proxy configured in %s: "
		    "nothing to do", o->conffile);
	else
		snprintf(msg, sizeof(msg), "no proxy configured: nothing "
		    "to do");
	if (log_getjournal())
		log_info("%s", msg);
	else {
		fprintf(stderr, "pptpproxy: %s\n", msg);
		if (log_getfd() != STDERR_FILENO)
			log_info("%s", msg);
	}
	exit(0);
}

int
main(int argc, char *argv[], char *envp[])
{
	struct options		 o;
	struct pptpproxy_conf	*conf;
	const char		*child = NULL, *self;
	int			 ch, test = 0, child_debug = 0, child_syslog = 0;
	int			 file_given = 0;

	os_proctitle_init(argc, argv, envp);
	memset(&o, 0, sizeof(o));
	o.level = -1;

	while ((ch = getopt_long(argc, argv, "hvndel:p:a:x:f:s:tTP:DS", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
		case 'v':
			printf("pptpproxy %s\n", PPTPPROXY_VERSION);
			exit(0);
		case 'n':
			o.foreground = 1;
			break;
		case 'd':
			o.foreground = 1;
			if (o.level < LOG_LVL_DEBUG)
				o.level = LOG_LVL_DEBUG;
			break;
		case 'e':
			o.foreground = 1;
			o.level = LOG_LVL_EXTENSIVE;
			break;
		case 'l':
			o.logfile = optarg;
			break;
		case 'p':
			add_arg(&o.pairs, &o.npairs, optarg);
			break;
		case 'a':
			add_arg(&o.subnets, &o.nsubnets, optarg);
			break;
		case 'x':
			add_arg(&o.cmds, &o.ncmds, optarg);
			break;
		case 's':
			o.ctl_socket = optarg;
			break;
		case 'f':
			o.conffile = optarg;
			file_given = 1;
			break;
		case 't':
			if (test < 1)
				test = 1;
			break;
		case 'T':
			test = 2;
			break;
		case 'P':		/* hidden: start as a child */
			child = optarg;
			break;
		case 'D':
			child_debug = 1;
			break;
		case 'S':
			child_syslog = 1;
			break;
		default:
			usage(1);
		}
	}
	if (optind != argc)
		usage(1);

	if (child != NULL) {
		log_init(!child_syslog, child_debug ? LOG_LVL_DEBUG :
		    LOG_LVL_INFO, NULL);
		if (strcmp(child, "control") == 0)
			control_main(child_debug);
		if (strcmp(child, "gre") == 0)
			gre_main(child_debug);
		fatalx("unknown process %s", child);
	}

	/* No -p: the file is the configuration, and must be there. */
	if (!file_given && o.npairs == 0)
		o.conffile = PPTPPROXY_CONF;
	o.conf_required = file_given || o.npairs == 0;

	if (test) {
		log_init(1, LOG_LVL_INFO, NULL);
		if ((conf = options_conf(&o)) == NULL)
			exit(1);
		/* -T prints what it read; -t also checks the system. */
		if (test == 2) {
			conf_print(stdout, conf);
			conf_free(conf);
			exit(0);
		}
		if (TAILQ_EMPTY(&conf->proxies))
			nothing_to_do(&o);
		if (check_system(conf, report) == -1)
			exit(1);
		fprintf(stderr, "configuration OK\n");
		conf_free(conf);
		exit(0);
	}

	if (geteuid() != 0) {
		fprintf(stderr, "pptpproxy: need root privileges\n");
		exit(1);
	}
	/*
	 * A reload or a USR1 that comes while the daemon starts (a slow
	 * resolver; a reload at boot) must not end it: ignored until the
	 * parent catches them, before it starts its children.  The
	 * configuration being read is the newest anyway.
	 */
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGUSR1, SIG_IGN);
	log_init(o.foreground, o.level < 0 ? LOG_LVL_INFO : o.level,
	    o.logfile);
	if ((self = os_self_path(argv[0])) == NULL) {
		fprintf(stderr, "pptpproxy: cannot find my own path\n");
		exit(1);
	}
	if ((o.self = strdup(self)) == NULL)
		fatal("strdup");
	/* Reloads happen after daemon(3) moved to "/". */
	if (o.conffile != NULL && o.conffile[0] != '/') {
		char	*abs;

		if ((abs = realpath(o.conffile, NULL)) != NULL)
			o.conffile = abs;
	}
	if ((conf = options_conf(&o)) == NULL) {
		fprintf(stderr, "pptpproxy: configuration errors, exiting\n");
		exit(1);
	}
	log_setfacility(conf->log_facility);
	if (TAILQ_EMPTY(&conf->proxies))
		nothing_to_do(&o);
	/* Before daemon(3): a missing user or directory is said here. */
	if (check_system(conf, report) == -1)
		exit(1);
	if (conf_resolve(conf) == -1)
		exit(1);
	if (o.conffile != NULL)
		sandbox_conffile(o.conffile);
	if (log_getfile() != NULL)
		sandbox_logfile(log_getfile());
	log_setlevel(conf->log_level);
	parent_main(conf, &o);
	/* NOTREACHED */
	return (1);
}
