/*
 * The privileged parent: opens the listening sockets and the raw GRE
 * socket, starts the children, runs ACL commands for the control relay,
 * reloads the configuration on SIGHUP.  It never reads a byte from the
 * network.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "pptp.h"
#include "aclq.h"
#include "ctl.h"
#include "offload.h"
#include "guard.h"
#include "os.h"
#include "rtable.h"
#include "connpool.h"
#include "tunnel.h"

#define STOP_MARGIN	5	/* seconds past timeout stop, then SIGKILL */
#define LISTEN_RETRY	5	/* seconds between binds of a late address */
#define CTL_RELOAD_SECS	5	/* reloads asked on the control socket */

/*
 * What one child can make the parent do: messages handled per wake-up,
 * and answers the parent keeps for it.  A child with more than
 * PARENT_QUEUE_MAX messages waiting to be read is not listened to until
 * it has read them.
 */
#define PARENT_MSGS_PER_WAKE	64
#define PARENT_QUEUE_MAX	1024

struct child {
	enum proc_type		 type;
	unsigned int		 relay;		/* PROC_CONTROL: which */
	char			 name[24];	/* "control 2" */
	pid_t			 pid;
	struct imsgev		 iev;
	uint64_t		 composed;	/* messages queued, in all */
	uint64_t		 poll_end;	/* ... up to a poll's answer */
	struct log_bucket	 logb;		/* its log lines written */
	struct event		 log_tm;	/* to say how many were not */
};

static struct event_base	*pbase;
static struct pptpproxy_conf	*pconf;
static const struct options	*popts;
/*
 * The children: relay 0 at PROC_CONTROL, forwarder 0 at PROC_GRE, the
 * other relays (relays N) after them, then the other forwarders (one a
 * relay, where the system can filter their raw sockets), up to
 * nchildren.
 */
#define CHILDREN_MAX	(PROC_MAX + 2 * (RELAYS_MAX - 1))
#define RELAY_SLOT(i)	((i) == 0 ? PROC_CONTROL : PROC_MAX + (int)(i) - 1)
#define FWD_SLOT(i)	((i) == 0 ? PROC_GRE : PROC_MAX + (int)nrelays + \
			    (int)(i) - 2)
static struct child		 children[CHILDREN_MAX];
static int			 nchildren = PROC_MAX;
static unsigned int		 nrelays = 1, nfwd = 1;
static struct event		 ev_hup, ev_term, ev_int, ev_chld, ev_usr1;
static struct event		 ev_stop_tm, ev_listen;
#ifdef PPTPPROXY_TEST
static struct event		 ev_usr2;
#endif
static int			 shutting_down;
static int			 stopping;	/* graceful stop under way */
static int			 stop_code;	/* exit status it ends with */
static rlim_t			 child_nofile;	/* children's descriptor limit */
static pid_t			 parent_pid;
static struct log_limit		 ll_poll, ll_unsure, ll_offadd, ll_ctl;
static uint32_t			 next_proxy_id;	/* never used yet */
static char			 ctl_path[PPTPPROXY_SOCKET_MAX]; /* ours */
static char			 ctl_rpath[PPTPPROXY_SOCKET_MAX]; /* "": none */
static struct stat		 ctl_st, ctl_rst;	/* as bound */
static int			 ctl_st_known, ctl_rst_known;
static int			 ctl_level = -1;	/* log verbose|brief */
static time_t			 ctl_reloaded;	/* monotonic, 0: never */

static void	parent_shutdown(int) __attribute__((__noreturn__));
static int	parent_reload(void);
static void	parent_ctl_result(uint32_t, int, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));
static void	children_gone(const char *) __attribute__((__noreturn__));
static const char *describe_status(int, char *, size_t);
static int	child_conf(struct child *, const struct pptpproxy_conf *);
static void	tun_sockets_update(const struct pptpproxy_conf *, int);
static unsigned int tun_late_retry(void);
static unsigned int tun_late_count(void);
static void	child_compromised(struct child *, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)))
		    __attribute__((__noreturn__));

/*
 * The configuration: the file (if any) plus what the command line adds.
 */
struct pptpproxy_conf *
options_conf(const struct options *o)
{
	struct pptpproxy_conf	*conf;
	struct proxy_conf	*pc;
	struct acl_cmd		*cmd;
	const char		*err;
	char			 why[256];
	uint32_t		 id = 0;
	int			 i, bad = 0;

	if (o->conffile != NULL) {
		conf = parse_config(o->conffile, o->conf_required ? 1 : 0);
		if (conf == NULL)
			return (NULL);
	} else if ((conf = conf_new()) == NULL)
		return (NULL);
	TAILQ_FOREACH(pc, &conf->proxies, entry)
		if (pc->id > id)
			id = pc->id;
	for (i = 0; i < o->npairs; i++) {
		if (conf_add_proxy_arg(conf, o->pairs[i], &err) == -1) {
			fprintf(stderr, "pptpproxy: -p %s: %s\n", o->pairs[i],
			    err);
			log_warnx("-p %s: %s", o->pairs[i], err);
			bad = 1;
		}
	}
	for (i = 0; i < o->nsubnets; i++) {
		if (conf_add_subnet_arg(&conf->subnets, 0, o->subnets[i])
		    == -1) {
			fprintf(stderr, "pptpproxy: -a %s: bad subnet\n",
			    o->subnets[i]);
			log_warnx("-a %s: bad subnet", o->subnets[i]);
			bad = 1;
		}
	}
	for (i = 0; i < o->ncmds; i++) {
		if (acl_check_cmd(o->cmds[i], why, sizeof(why)) == -1) {
			fprintf(stderr, "pptpproxy: -x %s: %s\n", o->cmds[i],
			    why);
			log_warnx("-x %s: %s", o->cmds[i], why);
			bad = 1;
			continue;
		}
		if ((cmd = calloc(1, sizeof(*cmd))) == NULL) {
			log_warnx("-x %s: out of memory", o->cmds[i]);
			bad = 1;
			continue;
		}
		strlcpy(cmd->cmd, o->cmds[i], sizeof(cmd->cmd));
		TAILQ_INSERT_TAIL(&conf->cmds, cmd, entry);
	}
	if (o->level >= 0)
		conf->log_level = o->level;
	if (o->ctl_socket != NULL && strlcpy(conf->ctl_socket, o->ctl_socket,
	    sizeof(conf->ctl_socket)) >= sizeof(conf->ctl_socket)) {
		fprintf(stderr, "pptpproxy: -s %s: too long\n", o->ctl_socket);
		bad = 1;
	}
	if (strcmp(conf->ctl_rsocket, conf->ctl_socket) == 0) {
		fprintf(stderr, "pptpproxy: control socket %s: named both "
		    "full and restricted\n", conf->ctl_socket);
		log_warnx("control socket %s: named both full and restricted",
		    conf->ctl_socket);
		bad = 1;
	}
	if (bad) {
		conf_free(conf);
		return (NULL);
	}
	return (conf);
}

/*
 * Binding an address before it is up, where the system can; test
 * builds can be told to fail as systems without it do.
 */
static int
freebind(int fd)
{
#ifdef PPTPPROXY_TEST
	if (getenv("PPTPPROXY_TEST_NO_FREEBIND") != NULL) {
		errno = ENOPROTOOPT;
		return (-1);
	}
#endif
	return (os_freebind(fd));
}

/*
 * bind(2) of a listening or tunnel socket.  An address on no interface
 * yet (DHCP, PPPoE, CARP) is bound ahead where the system can (*ahead
 * set); elsewhere -1 with errno EADDRNOTAVAIL, for the caller to try
 * again later.
 */
static int
bind_late(int fd, const struct sockaddr_in *sin, int *ahead)
{
	*ahead = 0;
	if (bind(fd, (const struct sockaddr *)sin, sizeof(*sin)) == 0)
		return (0);
	if (errno != EADDRNOTAVAIL)
		return (-1);
	if (freebind(fd) == -1) {
		errno = EADDRNOTAVAIL;
		return (-1);
	}
	*ahead = 1;
	return (bind(fd, (const struct sockaddr *)sin, sizeof(*sin)));
}

/*
 * Sockets that need root.  A listen address on no interface yet (DHCP,
 * PPPoE, CARP) is bound ahead where the system allows (it takes
 * connections once the address is up); elsewhere *late is set, and
 * listen_retry() tries again.  quiet: a retry, which does not log it.
 */
static int
listen_one(struct proxy_conf *pc, int *late, int quiet, int group)
{
	int	fd, one = 1, r, ahead;
	char	a[INET_ADDRSTRLEN];

	*late = 0;
	inet_ntop(AF_INET, &pc->listen.sin_addr, a, sizeof(a));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("socket");
		return (-1);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (group && os_reuseport(fd) == -1) {
		log_warn("proxy %s: SO_REUSEPORT", pc->name);
		close(fd);
		return (-1);
	}
	r = bind_late(fd, &pc->listen, &ahead);
	if (r == 0 && ahead)
		log_warnx("proxy %s: %s is on no interface yet: listening "
		    "for when it is", pc->name, a);
	if (r == -1 && errno == EADDRNOTAVAIL) {
		if (!quiet)
			log_warnx("proxy %s: %s is on no interface yet: "
			    "trying again every %d s", pc->name, a,
			    LISTEN_RETRY);
		*late = 1;
		close(fd);
		return (-1);
	}
	if (r == -1 || listen(fd, 1024) == -1) {
		if (!quiet)
			log_warn("proxy %s: cannot listen on %s:%u, ignored",
			    pc->name, a, ntohs(pc->listen.sin_port));
		close(fd);
		return (-1);
	}
	return (fd);
}

/*
 * Whether every relay takes connections of pc: not those of proxies with
 * tunnels (pptpproxy to pptpproxy), whose packets cross between relay 0
 * and the forwarder.
 */
static int
listen_spread(const struct pptpproxy_conf *conf, const struct proxy_conf *pc)
{
	return (nrelays > 1 && !pc->tunnel && TAILQ_EMPTY(&pc->tun_subnets) &&
	    TAILQ_EMPTY(&conf->tun_subnets));
}

static void
listen_close_extra(struct proxy_conf *pc)
{
	unsigned int	i;

	for (i = 1; i < RELAYS_MAX; i++) {
		if (pc->xfd[i] != -1)
			close(pc->xfd[i]);
		pc->xfd[i] = -1;
	}
}

/*
 * A proxy's listening sockets: one (relay 0's), or with several relays
 * one for each, in a SO_REUSEPORT group that hands each client's
 * connections to one relay, by its address (os.c).  The first's fd (-1
 * on failure, *late as listen_one()); the others in pc->xfd.  Where the
 * group cannot be made, relay 0 alone takes the proxy's connections.
 */
static int
listen_open(const struct pptpproxy_conf *conf, struct proxy_conf *pc,
    int *late, int quiet)
{
	unsigned int	i;
	int		group = listen_spread(conf, pc), fd;

	for (i = 0; i < RELAYS_MAX; i++)
		pc->xfd[i] = -1;
	if ((fd = listen_one(pc, late, quiet, group)) == -1 || !group)
		return (fd);
	for (i = 1; i < nrelays; i++)
		if ((pc->xfd[i] = listen_one(pc, late, 1, 1)) == -1)
			break;
	if (i == nrelays && os_reuseport_steer(fd, nrelays) == 0)
		return (fd);
	log_warn("proxy %s: cannot spread connections over %u relays; "
	    "relay 0 takes them all", pc->name, nrelays);
	listen_close_extra(pc);
	*late = 0;
	return (fd);
}

/*
 * Whether some proxy or tunnel socket waits for its address; arms the
 * retry if so.
 */
static int
listen_retry_arm(void)
{
	struct proxy_conf	*pc;
	struct timeval		 tv;

	TAILQ_FOREACH(pc, &pconf->proxies, entry)
		if (pc->fd == -1)
			break;
	if ((pc == NULL && tun_late_count() == 0) || stopping ||
	    shutting_down)
		return (0);
	if (pbase != NULL && !evtimer_pending(&ev_listen, NULL)) {
		tv.tv_sec = LISTEN_RETRY;
		tv.tv_usec = 0;
		evtimer_add(&ev_listen, &tv);
	}
	return (1);
}

/*
 * Late addresses: bound when they are up; the children told as on
 * reload, the forwarder given the tunnels' sockets.
 */
static void
listen_retry(int fd, short ev, void *arg)
{
	struct proxy_conf	*pc;
	char			 a[INET_ADDRSTRLEN];
	int			 late, got = 0, i;

	if (stopping || shutting_down)
		return;
	/*
	 * The tunnels' sockets first, so that they reach the forwarder
	 * before the control relay listens on the same address.
	 */
	if (tun_late_retry() > 0) {
		(void)imsgbuf_write(&children[PROC_GRE].iev.ibuf);
		imsgev_update(&children[PROC_GRE].iev);
	}
	TAILQ_FOREACH(pc, &pconf->proxies, entry) {
		if (pc->fd != -1 ||
		    (pc->fd = listen_open(pconf, pc, &late, 1)) == -1)
			continue;
		inet_ntop(AF_INET, &pc->listen.sin_addr, a, sizeof(a));
		log_info("proxy %s: %s:%u is up: listening", pc->name, a,
		    ntohs(pc->listen.sin_port));
		got = 1;
	}
	if (got)
		for (i = PROC_CONTROL; i < nchildren; i++)
			if (child_conf(&children[i], pconf) == -1)
				fatal("sending configuration");
	(void)listen_retry_arm();
}

/*
 * Open (or take over from old) every listening socket; drop failures,
 * but keep a proxy whose address is not up yet (fd -1, retried).
 */
static void
listen_all(struct pptpproxy_conf *conf, struct pptpproxy_conf *old)
{
	struct proxy_conf	*pc, *next, *opc;
	unsigned int		 i;
	int			 late;

	TAILQ_FOREACH_SAFE(pc, &conf->proxies, entry, next) {
		pc->fd = -1;
		for (i = 0; i < RELAYS_MAX; i++)
			pc->xfd[i] = -1;
		if (old != NULL) {
			TAILQ_FOREACH(opc, &old->proxies, entry) {
				if (opc->fd != -1 && opc->listen.sin_addr.s_addr ==
				    pc->listen.sin_addr.s_addr &&
				    opc->listen.sin_port == pc->listen.sin_port) {
					/* Its relays' sockets as they were. */
					pc->fd = opc->fd;
					opc->fd = -1;
					memcpy(pc->xfd, opc->xfd, sizeof(pc->xfd));
					for (i = 0; i < RELAYS_MAX; i++)
						opc->xfd[i] = -1;
					break;
				}
			}
		}
		if (pc->fd == -1 &&
		    (pc->fd = listen_open(conf, pc, &late, 0)) == -1 && !late) {
			TAILQ_REMOVE(&conf->proxies, pc, entry);
			conf_free_proxy(pc);
		}
	}
}

static void
listen_close(struct pptpproxy_conf *conf)
{
	struct proxy_conf	*pc;

	TAILQ_FOREACH(pc, &conf->proxies, entry) {
		if (pc->fd != -1)
			close(pc->fd);
		pc->fd = -1;
		listen_close_extra(pc);
	}
}

/* Descriptors limit connections takes: two a connection, and some. */
static rlim_t
nofile_want(const struct pptpproxy_conf *conf)
{
	return ((rlim_t)conf->max_conn * 2 + 256);
}

/*
 * At start: the soft limit for the connections configured, and the hard
 * limit as high as the system allows.  The children inherit it and, once
 * unprivileged, cannot raise it: the control relay takes its soft limit
 * up to it, so that a reload raising limit connections finds the room.
 */
static void
raise_nofile(const struct pptpproxy_conf *conf)
{
	struct rlimit	rl, hi;
	rlim_t		want = nofile_want(conf), max = os_nofile_max();

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (max > rl.rlim_max) {
		hi.rlim_cur = rl.rlim_cur;
		hi.rlim_max = max;
		if (setrlimit(RLIMIT_NOFILE, &hi) == 0)
			rl = hi;
	}
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	child_nofile = rl.rlim_max;
	if (want > rl.rlim_max)
		log_warnx("limit connections %u needs %llu descriptors, have "
		    "%llu", conf->max_conn, (unsigned long long)want,
		    (unsigned long long)rl.rlim_max);
}

/*
 * What a reload cannot change: said in the log, and the running value
 * kept in the new configuration, so the next reload compares with it.
 */
static void
reload_restart_only(struct pptpproxy_conf *nconf)
{
	rlim_t	want = nofile_want(nconf);

	if (strcmp(nconf->user, pconf->user) != 0) {
		log_warnx("user: takes effect at restart (the children run "
		    "as %s)", pconf->user);
		strlcpy(nconf->user, pconf->user, sizeof(nconf->user));
	}
	if (strcmp(nconf->chroot, pconf->chroot) != 0) {
		log_warnx("chroot: takes effect at restart (the children "
		    "are in %s)", pconf->chroot);
		strlcpy(nconf->chroot, pconf->chroot, sizeof(nconf->chroot));
	}
	if (nconf->gre_offload != offload_active())
		log_warnx("gre offload is set at start only: it stays %s "
		    "until a restart", offload_active() ? "on" : "off");
	nconf->gre_offload = offload_active();
	if (nconf->relays != pconf->relays) {
		log_warnx("relays: takes effect at restart (%u relays run)",
		    nrelays);
		nconf->relays = pconf->relays;
	}
	if (strcmp(nconf->ctl_socket, ctl_path) != 0)
		log_warnx("control socket is set at start only: it stays %s "
		    "until a restart", ctl_path);
	strlcpy(nconf->ctl_socket, ctl_path, sizeof(nconf->ctl_socket));
	if (strcmp(nconf->ctl_rsocket, pconf->ctl_rsocket) != 0 ||
	    strcmp(nconf->ctl_rgroup, pconf->ctl_rgroup) != 0 ||
	    nconf->ctl_rgid != pconf->ctl_rgid ||
	    nconf->ctl_rmode != pconf->ctl_rmode) {
		if (pconf->ctl_rsocket[0] == '\0')
			log_warnx("restricted control socket is set at start "
			    "only: there is none until a restart");
		else
			log_warnx("restricted control socket is set at start "
			    "only: it stays %s, its group and mode as they "
			    "were, until a restart", pconf->ctl_rsocket);
		strlcpy(nconf->ctl_rsocket, pconf->ctl_rsocket,
		    sizeof(nconf->ctl_rsocket));
		strlcpy(nconf->ctl_rgroup, pconf->ctl_rgroup,
		    sizeof(nconf->ctl_rgroup));
		nconf->ctl_rgid = pconf->ctl_rgid;
		nconf->ctl_rmode = pconf->ctl_rmode;
	}
	if (want > child_nofile)
		log_warnx("limit connections %u: needs %llu descriptors, the "
		    "control process has %llu: about %llu connections until "
		    "a restart with a higher descriptor limit",
		    nconf->max_conn, (unsigned long long)want,
		    (unsigned long long)child_nofile,
		    (unsigned long long)(child_nofile > 256 ?
		    (child_nofile - 256) / 2 : 0));
}

/* A message to a child, counted (see the poll in parent_offload()). */
static int
child_compose(struct child *c, uint32_t type, const void *data, size_t len)
{
	int	r;

	if ((r = imsgev_compose(&c->iev, type, 0, -1, data, len)) != -1)
		c->composed++;
	return (r);
}

/* The configuration to a child, counted like the rest. */
static int
child_conf(struct child *c, const struct pptpproxy_conf *conf)
{
	uint32_t	before = imsgbuf_queuelen(&c->iev.ibuf);
	int		r;

	r = conf_send(&c->iev.ibuf, conf, c->type == PROC_CONTROL ?
	    (int)c->relay : -1);
	c->composed += imsgbuf_queuelen(&c->iev.ibuf) - before;
	imsgev_update(&c->iev);
	return (r);
}

/*
 * Children.  A child that breaks the rules of its channel, or asks for
 * what no configuration allows, is taken to be in an attacker's hands:
 * the daemon stops (children ended, nftables table removed).
 */
static void
child_compromised(struct child *c, const char *fmt, ...)
{
	va_list	ap;
	char	what[256];

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_warnx("%s process %s: treating it as compromised", c->name,
	    what);
	parent_shutdown(1);
}

static struct child *
child_of(struct imsgev *iev)
{
	int	i;

	for (i = PROC_CONTROL; i < nchildren; i++)
		if (iev == &children[i].iev)
			return (&children[i]);
	fatalx("%s: unknown channel", __func__);
}

/* The count of a child's log lines that were dropped. */
static void
parent_log_note(int fd, short ev, void *arg)
{
	struct child	*c = arg;

	log_relay_note(&c->logb, c->name, c->pid);
}

static void
parent_child_bad(struct imsgev *iev, const char *what)
{
	child_compromised(child_of(iev), "sent %s", what);
}

/* A forwarder's Call IDs: all, or its relay's (forwarder 0: key 0 too). */
static int
fwd_owns(const struct child *c, unsigned int key)
{
	unsigned int	lo, hi;

	if (nfwd < 2)
		return (1);
	relay_keys(c->relay, nrelays, &lo, &hi);
	return ((key >= lo || c->relay == 0) && key <= hi);
}

/* The kernel's counters, to the forwarder that asked: its routes'. */
static void
offload_flush(const struct offload_count *c, unsigned int n, int last,
    void *arg)
{
	static struct offload_count	 mine[OFFLOAD_COUNTS_MAX];
	struct child			*fc = arg;
	unsigned int			 i, k = 0;

	for (i = 0; i < n && k < OFFLOAD_COUNTS_MAX; i++)
		if (fwd_owns(fc, c[i].key))
			mine[k++] = c[i];
	if (k > 0 || last)
		child_compose(fc, last ? IMSG_OFFLOAD_COUNTS_END :
		    IMSG_OFFLOAD_COUNTS, mine, k * sizeof(mine[0]));
}

/*
 * The GRE forwarder's requests: kernel routes in and out, counters.
 * Every route is checked against the configuration and the host's
 * addresses first (guard.c).
 */
static void
parent_offload(struct child *c, struct imsg *imsg)
{
	struct gre_route	r;
	struct offload_del	d;
	uint64_t		pk, by;
	char			why[160];

	switch (imsg_get_type(imsg)) {
	case IMSG_OFFLOAD_ADD:
		if (imsg_get_data(imsg, &r, sizeof(r)) == -1)
			child_compromised(c, "sent an offload route of %zu "
			    "bytes, not %zu", imsg_get_len(imsg), sizeof(r));
		if (!fwd_owns(c, r.key))
			child_compromised(c, "sent an offload route for Call "
			    "ID %u, another forwarder's", r.key);
		switch (guard_route(&r, why, sizeof(why))) {
		case GUARD_OK:
			break;
		case GUARD_UNSURE:
			log_limited(&ll_unsure, "session %llu call %u: Call ID "
			    "%u not handed to the kernel: %s; it is forwarded "
			    "in user space", (unsigned long long)r.sess,
			    r.call, r.key, why);
			return;
		default:
			child_compromised(c, "sent an offload route for "
			    "session %llu Call ID %u that is not ours (%s)",
			    (unsigned long long)r.sess, r.key, why);
		}
		if (offload_add(&r) == -1)
			log_limited(&ll_offadd, "session %llu call %u: the "
			    "kernel does not "
			    "take Call ID %u (%s); it is forwarded in user "
			    "space", (unsigned long long)r.sess, r.call, r.key,
			    strerror(errno));
		break;
	case IMSG_OFFLOAD_DEL:
		if (imsg_get_data(imsg, &d, sizeof(d)) == -1)
			child_compromised(c, "sent an offload deletion of %zu "
			    "bytes, not %zu", imsg_get_len(imsg), sizeof(d));
		if (!fwd_owns(c, d.route.key))
			child_compromised(c, "sent an offload deletion for "
			    "Call ID %u, another forwarder's", d.route.key);
		offload_del(d.route.sess, d.route.key, &pk, &by);
		d.stats.packets += pk;
		d.stats.bytes += by;
		child_compose(c, IMSG_OFFLOAD_STATS, &d.stats,
		    sizeof(d.stats));
		break;
	case IMSG_OFFLOAD_POLL:
		if (imsg_get_len(imsg) != 0)
			child_compromised(c, "sent an offload poll of %zu "
			    "bytes, not 0", imsg_get_len(imsg));
		/*
		 * One at a time: the forwarder asks again only after it
		 * read the last answer, so while that is still queued
		 * here a poll is refused.
		 */
		if (c->composed - imsgbuf_queuelen(&c->iev.ibuf) <
		    c->poll_end) {
			log_limited(&ll_poll, "%s process asked for the "
			    "offload counters before it read the last "
			    "answer: refused", c->name);
			break;
		}
		offload_poll(offload_flush, c);
		c->poll_end = c->composed;
		break;
	}
}

/*
 * Requests pptpproxyctl made; the control relay read them.  The answer
 * goes back with the client's number.
 */
static void
parent_ctl_result(uint32_t id, int ok, const char *fmt, ...)
{
	struct ctl_result	r;
	va_list			ap;

	memset(&r, 0, sizeof(r));
	r.ok = ok;
	va_start(ap, fmt);
	vsnprintf(r.msg, sizeof(r.msg), fmt, ap);
	va_end(ap);
	if (imsgev_compose(&children[PROC_CONTROL].iev, IMSG_CTL_RESULT, id,
	    -1, &r, sizeof(r)) != -1)
		children[PROC_CONTROL].composed++;
}

static void
parent_ctl(struct child *c, struct imsg *imsg)
{
	struct timespec	ts;
	int32_t		level;
	int		i;

	switch (imsg_get_type(imsg)) {
	case IMSG_CTL_RELOAD:
		if (imsg_get_len(imsg) != 0)
			child_compromised(c, "sent a reload request of %zu "
			    "bytes, not 0", imsg_get_len(imsg));
		if (stopping) {
			parent_ctl_result(imsg_get_id(imsg), 0, "stopping: no "
			    "reload");
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ctl_reloaded != 0 &&
		    ts.tv_sec - ctl_reloaded < CTL_RELOAD_SECS) {
			log_limited(&ll_ctl, "reload asked on the control "
			    "socket refused: the last was less than %d s ago",
			    CTL_RELOAD_SECS);
			parent_ctl_result(imsg_get_id(imsg), 0, "refused: "
			    "the last reload was less than %d s ago",
			    CTL_RELOAD_SECS);
			break;
		}
		ctl_reloaded = ts.tv_sec;
		log_info("reload asked on the control socket");
		if (parent_reload() == -1)
			parent_ctl_result(imsg_get_id(imsg), 0, "configuration "
			    "not reloaded: see the log");
		else
			parent_ctl_result(imsg_get_id(imsg), 1, "configuration "
			    "reloaded");
		break;
	case IMSG_CTL_LOG:
		if (imsg_get_data(imsg, &level, sizeof(level)) == -1 ||
		    (level != LOG_LVL_INFO && level != LOG_LVL_DEBUG))
			child_compromised(c, "sent a bad log level request");
		/*
		 * Relay 0 asks as often as it likes: the children are told
		 * of a change only, and the line is limited in rate.
		 */
		ctl_level = level;
		if (level != log_getlevel()) {
			pconf->log_level = level;
			log_setlevel(level);
			for (i = PROC_CONTROL; i < nchildren; i++)
				(void)child_compose(&children[i], IMSG_CTL_LOG,
				    &level, sizeof(level));
		}
		log_limited(&ll_ctl, "log level %s, asked on the control "
		    "socket", level == LOG_LVL_DEBUG ? "debug" : "info");
		parent_ctl_result(imsg_get_id(imsg), 1, "log level %s",
		    level == LOG_LVL_DEBUG ? "debug (verbose)" :
		    "info (brief)");
		break;
	}
}

static void
parent_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	struct child		*c = child_of(iev);
	struct acl_req		 req;
	struct acl_cancel	 cancel;
	struct timeval		 tv;
	uint32_t		 type = imsg_get_type(imsg);
	int			 fd;

	/* No child may send a descriptor. */
	if ((fd = imsg_get_fd(imsg)) != -1) {
		os_close_untrusted(fd);
		child_compromised(c, "sent a descriptor with message %u",
		    type);
	}
	switch (type) {
	case IMSG_CTL_RELOAD:
	case IMSG_CTL_LOG:
		if (c->type != PROC_CONTROL || c->relay != 0)
			child_compromised(c, "sent a control socket request");
		parent_ctl(c, imsg);
		break;
	case IMSG_OFFLOAD_ADD:
	case IMSG_OFFLOAD_DEL:
	case IMSG_OFFLOAD_POLL:
		if (c->type != PROC_GRE)
			child_compromised(c, "sent an offload request");
		if (!offload_active())
			child_compromised(c, "sent an offload request with "
			    "gre offload off");
		parent_offload(c, imsg);
		break;
	case IMSG_LOG:
		/* Dropped: the count goes out within LOG_RELAY_NOTE_SECS. */
		if (log_relay_recv(imsg, iev->peer, c->pid, &c->logb) &&
		    !evtimer_pending(&c->log_tm, NULL)) {
			tv.tv_sec = log_relay_note_in(&c->logb) / 1000;
			tv.tv_usec = log_relay_note_in(&c->logb) % 1000 * 1000;
			evtimer_add(&c->log_tm, &tv);
		}
		break;
	case IMSG_ACL_REQ:
		if (c->type != PROC_CONTROL)
			child_compromised(c, "sent an ACL request");
		if (imsg_get_data(imsg, &req, sizeof(req)) == -1)
			child_compromised(c, "sent an ACL request of %zu "
			    "bytes, not %zu", imsg_get_len(imsg), sizeof(req));
		/* The answer goes to the relay whose session it is. */
		if (relay_of_sess(req.reqid, nrelays) != c->relay)
			child_compromised(c, "sent an ACL request for session "
			    "%llu, another relay's",
			    (unsigned long long)req.reqid);
		acl_run_request(&req);
		break;
	case IMSG_ACL_CANCEL:
		if (c->type != PROC_CONTROL)
			child_compromised(c, "sent an ACL cancel");
		if (imsg_get_data(imsg, &cancel, sizeof(cancel)) == -1)
			child_compromised(c, "sent an ACL cancel of %zu "
			    "bytes, not %zu", imsg_get_len(imsg),
			    sizeof(cancel));
		if (relay_of_sess(cancel.reqid, nrelays) != c->relay)
			child_compromised(c, "sent an ACL cancel for session "
			    "%llu, another relay's",
			    (unsigned long long)cancel.reqid);
		acl_run_cancel(cancel.reqid);
		break;
	default:
		child_compromised(c, "sent message type %u, which it may not "
		    "send", type);
	}
}

/*
 * A child died, or its channel closed because it is dying: wait a little
 * for both children, so that when one takes the other down the log names
 * the first, then shut down.
 */
static void
children_gone(const char *what)
{
	char	why[128];
	int	i, n, status, logged = 0;

	for (n = 0; n < 50; n++) {
		for (i = PROC_CONTROL; i < nchildren; i++) {
			if (children[i].pid <= 0)
				continue;
			if (waitpid(children[i].pid, &status, WNOHANG) !=
			    children[i].pid)
				continue;
			children[i].pid = 0;
			log_warnx("%s process %s", children[i].name,
			    describe_status(status, why, sizeof(why)));
			logged++;
		}
		if (logged == nchildren - PROC_CONTROL ||
		    (logged > 0 && n >= 20))
			break;
		usleep(10 * 1000);
	}
	if (logged == 0)
		log_warnx("%s", what);
	log_warnx("shutting down");
	parent_shutdown(1);
}

static void
parent_child_closed(struct imsgev *iev)
{
	char	what[64];

	if (shutting_down)
		return;
	if (stopping) {
		/* The child is ending: SIGCHLD says how. */
		event_del(&iev->ev);
		event_del(&iev->flush);
		return;
	}
	snprintf(what, sizeof(what), "lost the %s process", iev->peer);
	children_gone(what);
}

static const char *
describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)%s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WTERMSIG(status) == SIGSYS ?
		    ": a system call outside its sandbox" : "");
	else
		snprintf(buf, len, "stopped");
	return (buf);
}

/* The children end when their channel closes; signals are ours. */
static void
child_hangup(int i)
{
	struct imsgev	*iev = &children[i].iev;

	if (iev->ibuf.fd == -1)
		return;
	event_del(&iev->ev);
	event_del(&iev->flush);
	close(iev->ibuf.fd);
	imsgbuf_clear(&iev->ibuf);
	iev->ibuf.fd = -1;
}

/* Stopping: a child ended; the last one ends the parent. */
static void
stop_reaped(int i, int status)
{
	char	why[128];

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_warnx("%s process %s while stopping", children[i].name,
		    describe_status(status, why, sizeof(why)));
		stop_code = 1;
	}
	/* Its ACL requests, if any are left, are answered to no one. */
	if (children[i].type == PROC_CONTROL)
		acl_run_relay_gone(children[i].relay);
	/* The relays are done: the forwarders, which counted for them, too. */
	for (i = PROC_CONTROL; i < nchildren; i++)
		if (children[i].type == PROC_CONTROL && children[i].pid > 0)
			break;
	if (i == nchildren)
		for (i = PROC_CONTROL; i < nchildren; i++)
			if (children[i].type == PROC_GRE)
				child_hangup(i);
	for (i = PROC_CONTROL; i < nchildren; i++)
		if (children[i].pid > 0)
			return;
	parent_shutdown(stop_code);
}

static void
reap(void)
{
	char		 why[128];
	pid_t		 pid;
	int		 status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = PROC_CONTROL; i < nchildren; i++) {
			if (children[i].pid != pid)
				continue;
			children[i].pid = 0;
			if (shutting_down)
				break;
			if (stopping) {
				stop_reaped(i, status);
				break;
			}
			log_warnx("%s process %s", children[i].name,
			    describe_status(status, why, sizeof(why)));
			children_gone("a child process ended");
		}
		(void)acl_run_reaped(pid, status);
	}
}

/* Stopping: the children's last lines, which the loop will not read. */
static void
parent_drain_logs(void)
{
	int	i;

	for (i = PROC_CONTROL; i < nchildren; i++)
		log_relay_drain(&children[i].iev, children[i].name,
		    children[i].pid, &children[i].logb);
}

/*
 * A control socket this parent bound, removed at exit only while it is
 * still the file it bound: a daemon started while this one was ending
 * may have found nobody answering there and bound its own, which stays.
 * Where the path cannot be looked at, it is removed as it is.  path is
 * emptied, so that it is not removed twice.
 */
static void
ctl_file_remove(char *path, const struct stat *st, int known)
{
	struct stat	now;

	if (path[0] == '\0')
		return;
	if (known && lstat(path, &now) == 0 &&
	    (now.st_dev != st->st_dev || now.st_ino != st->st_ino))
		log_warnx("control socket %s is not the one this daemon made "
		    "any more: left as it is", path);
	else
		(void)unlink(path);
	path[0] = '\0';
}

static void
ctl_files_remove(void)
{
	ctl_file_remove(ctl_path, &ctl_st, ctl_st_known);
	ctl_file_remove(ctl_rpath, &ctl_rst, ctl_rst_known);
}

static void
parent_shutdown(int code)
{
	int	i, tries, alive;

	shutting_down = 1;
	acl_run_killall();
	/* The children ignore SIGTERM: a closed channel ends them. */
	for (i = PROC_CONTROL; i < nchildren; i++)
		child_hangup(i);
	for (tries = 0; tries < 40; tries++) {
		parent_drain_logs();
		alive = 0;
		for (i = PROC_CONTROL; i < nchildren; i++) {
			if (children[i].pid <= 0)
				continue;
			if (waitpid(children[i].pid, NULL, WNOHANG) ==
			    children[i].pid || errno == ECHILD)
				children[i].pid = 0;
			else
				alive = 1;
		}
		if (!alive)
			break;
		usleep(50 * 1000);
	}
	for (i = PROC_CONTROL; i < nchildren; i++)
		if (children[i].pid > 0) {
			kill(children[i].pid, SIGKILL);
			waitpid(children[i].pid, NULL, 0);
		}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	parent_drain_logs();
	offload_stop();
	ctl_files_remove();
	log_info("%s", code == 0 ? "terminating" : "terminating after an "
	    "error");
	exit(code);
}

/* -1: the configuration stays as it was. */
static int
parent_reload(void)
{
	struct pptpproxy_conf	*nconf;
	int			 i;

	log_info("reloading configuration");
	if ((nconf = options_conf(popts)) == NULL) {
		log_warnx("configuration not reloaded: errors in %s",
		    popts->conffile ? popts->conffile : "command line");
		return (-1);
	}
	(void)conf_resolve_reload(nconf, pconf);
	reload_restart_only(nconf);
	if (ctl_level >= 0)
		nconf->log_level = ctl_level;
	if (conf_keep_ids(nconf, pconf, &next_proxy_id) == -1) {
		log_warnx("configuration not reloaded: out of memory");
		conf_free(nconf);
		return (-1);
	}
	listen_all(nconf, pconf);
	if (TAILQ_EMPTY(&nconf->proxies))
		log_warnx("reloaded configuration has no proxy that listens");
	listen_close(pconf);
	conf_free(pconf);
	pconf = nconf;
	acl_run_conf(pconf);
	log_setlevel(pconf->log_level);
	(void)listen_retry_arm();
	log_setfacility(pconf->log_facility);
	guard_conf(pconf);
	/*
	 * The tunnels' sockets reach the forwarder before the control
	 * relay has the configuration that lets peers use them.
	 */
	tun_sockets_update(pconf, 1);
	(void)listen_retry_arm();
	(void)imsgbuf_write(&children[PROC_GRE].iev.ibuf);
	imsgev_update(&children[PROC_GRE].iev);
	for (i = PROC_CONTROL; i < nchildren; i++)
		if (child_conf(&children[i], pconf) == -1)
			fatal("sending configuration");
	return (0);
}

static void
stop_timeout(int fd, short ev, void *arg)
{
	log_warnx("the control process did not end within %d s of the stop, "
	    "ending it", pconf->t_stop + STOP_MARGIN);
	parent_shutdown(1);
}

/*
 * SIGTERM, SIGINT: the control relay ends every session in order (Stop-
 * Control-Connection on both sides, at most timeout stop seconds) and
 * exits; then the forwarder, then the parent, with the kernel's table.
 * A second signal, or a relay that does not end, stops it all at once.
 */
static void
parent_stop(int sig)
{
	struct timeval	tv;
	int		i;

	if (stopping) {
		log_info("signal %d while stopping: stopping at once", sig);
		parent_shutdown(0);
	}
	stopping = 1;
	log_info("stopping (signal %d): sessions get %d s to end", sig,
	    pconf->t_stop);
	/* Nobody is accepted any more: the listening sockets close here too. */
	listen_close(pconf);
	for (i = PROC_CONTROL; i < nchildren; i++)
		if (children[i].type == PROC_CONTROL)
			imsgev_compose(&children[i].iev, IMSG_STOP, 0, -1,
			    NULL, 0);
	evtimer_assign(&ev_stop_tm, pbase, stop_timeout, NULL);
	tv.tv_sec = pconf->t_stop + STOP_MARGIN;
	tv.tv_usec = 0;
	evtimer_add(&ev_stop_tm, &tv);
}

static void
parent_sig(int sig, short ev, void *arg)
{
	int	i;

	switch (sig) {
	case SIGHUP:
		log_reopen();
		if (stopping) {
			log_info("stopping: no reload");
			break;
		}
		(void)parent_reload();
		break;
	case SIGTERM:
	case SIGINT:
		parent_stop(sig);
		break;
	case SIGCHLD:
		reap();
		break;
	case SIGUSR1:
		if (offload_active())
			log_info("gre offload: %u Call IDs forwarded by the "
			    "kernel", offload_count());
		for (i = PROC_CONTROL; i < nchildren; i++)
			child_compose(&children[i], IMSG_STATUS_REQ, NULL, 0);
		break;
#ifdef PPTPPROXY_TEST
	case SIGUSR2:
		/* Test builds: a fatal error, for the way out it takes. */
		fatalx("test build: a fatal error on SIGUSR2");
#endif
	}
}

/*
 * However the parent ends (fatal() and fatalx() call exit()), the
 * kernel stops forwarding for it and its children go.  Only the parent
 * runs this: a child that fails between fork and exec exits too, with
 * the same handlers, and must leave the table alone.
 */
static void
parent_atexit(void)
{
	int	i;

	if (getpid() != parent_pid)
		return;
	for (i = PROC_CONTROL; i < nchildren; i++)
		if (children[i].pid > 0)
			kill(children[i].pid, SIGTERM);
	offload_stop();
	ctl_files_remove();
}

/*
 * Tunnels: the UDP sockets the GRE forwarder sends and receives their
 * datagrams on, bound here, at start and on each reload, as the
 * listening sockets are.  One on a port the system picks for proxies
 * whose server is a pptpproxy (A): opened with the first such proxy and
 * kept until the daemon stops, so that a reload never moves the tunnels
 * of sessions that are up.  One on each listen address (and tunnel
 * udp-port) of the proxies that accept tunnels (B): opened when a
 * configuration first wants it, closed in the forwarder when one no
 * longer does (its sessions' tunnels go on inside their control
 * connections).  tun_open: what the forwarder has, port 0 the A socket.
 * A B address on no interface yet is bound ahead where the system can;
 * elsewhere it waits in tun_late, tried again with the late listen
 * addresses (listen_retry()) and on reloads, and handed over once bound.
 * An address is in one of tun_open and tun_late at most, so that what
 * the forwarder has never holds more than TUN_SOCKS_MAX.
 * The parent keeps no copy: a descriptor goes down and is closed here.
 */
static struct sockaddr_in	 tun_open[TUN_SOCKS_MAX];
static unsigned int		 ntun_open;
static struct sockaddr_in	 tun_late[TUN_SOCKS_MAX];
static unsigned int		 ntun_late;

static int
tun_sin_eq(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return (a->sin_addr.s_addr == b->sin_addr.s_addr &&
	    a->sin_port == b->sin_port);
}

/* The index of sin in set (n of them), or n. */
static unsigned int
tun_sin_find(const struct sockaddr_in *set, unsigned int n,
    const struct sockaddr_in *sin)
{
	unsigned int	i;

	for (i = 0; i < n; i++)
		if (tun_sin_eq(&set[i], sin))
			break;
	return (i);
}

static unsigned int
tun_late_count(void)
{
	return (ntun_late);
}

/* The B addresses conf wants, at most max; *out: whether A's is wanted. */
static unsigned int
tun_wanted(const struct pptpproxy_conf *conf, struct sockaddr_in *want,
    unsigned int max, int *out)
{
	struct proxy_conf	*pc;
	struct sockaddr_in	 sin;
	unsigned int		 n = 0, over = 0;
	char			 a[INET_ADDRSTRLEN];

	*out = 0;
	TAILQ_FOREACH(pc, &conf->proxies, entry) {
		if (pc->tunnel)
			*out = 1;
		if (TAILQ_EMPTY(&pc->tun_subnets) &&
		    TAILQ_EMPTY(&conf->tun_subnets))
			continue;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr = pc->listen.sin_addr;
		sin.sin_port = htons(pc->tun_port ? pc->tun_port :
		    conf->tun_port);
		if (tun_sin_find(want, n, &sin) < n)
			continue;
		if (n == max) {
			if (over++ == 0) {
				inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a));
				log_warnx("tunnels: more than %u UDP sockets: "
				    "none on %s port %u", max, a,
				    ntohs(sin.sin_port));
			}
			continue;
		}
		want[n++] = sin;
	}
	return (n);
}

/* When a socket is opened, which its log line says. */
enum tun_how {
	TUN_START,	/* at start */
	TUN_RELOAD,	/* by a reload */
	TUN_LATE,	/* its address is up (a retry) */
};

/*
 * One socket to the forwarder; 0, or -1 if it cannot be bound (logged,
 * but for a retry that finds the address still missing).  An address
 * on no interface yet is bound ahead where the system can; elsewhere it
 * joins tun_late (not when it is there already: a retry).
 */
static int
tun_socket_send(const struct sockaddr_in *sin, enum tun_how how)
{
	struct child	*c = &children[PROC_GRE];
	char		 a[INET_ADDRSTRLEN];
	unsigned int	 i;
	int		 fd, ahead = 0, e;

	inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	if ((fd = os_udp_socket()) != -1 &&
	    bind_late(fd, sin, &ahead) == -1) {
		e = errno;
		close(fd);
		errno = e;
		fd = -1;
	}
	if (fd == -1 && errno == EADDRNOTAVAIL && sin->sin_port != 0) {
		if (tun_sin_find(tun_late, ntun_late, sin) == ntun_late) {
			log_warnx("tunnels: UDP %s port %u: %s is on no "
			    "interface yet: trying again every %d s", a,
			    ntohs(sin->sin_port), a, LISTEN_RETRY);
			tun_late[ntun_late++] = *sin;
		}
		return (-1);
	}
	if ((i = tun_sin_find(tun_late, ntun_late, sin)) < ntun_late)
		tun_late[i] = tun_late[--ntun_late];
	if (fd == -1) {
		if (sin->sin_port == 0)
			log_warnx("tunnels: cannot open the UDP socket of "
			    "tunnels to other pptpproxies: %s; their sessions "
			    "are closed until a reload opens it",
			    strerror(errno));
		else
			log_warnx("tunnels: cannot open UDP %s port %u: %s; "
			    "tunnels to it fail until a reload opens it", a,
			    ntohs(sin->sin_port), strerror(errno));
		return (-1);
	}
	if (ahead)
		log_warnx("tunnels: UDP %s port %u: %s is on no interface "
		    "yet: open for when it is", a, ntohs(sin->sin_port), a);
	if (imsg_compose(&c->iev.ibuf, IMSG_TUN_SOCKET, 0, 0, fd, sin,
	    sizeof(*sin)) == -1)
		fatal("imsg");
	c->composed++;
	if (how == TUN_LATE)
		log_info("tunnels: UDP %s port %u is up: open", a,
		    ntohs(sin->sin_port));
	else if (sin->sin_port == 0 && how == TUN_RELOAD)
		log_info("tunnels: UDP socket of tunnels to other pptpproxies "
		    "open");
	else if (sin->sin_port == 0)
		log_debug("tunnels: UDP socket of tunnels to other "
		    "pptpproxies");
	else if (how == TUN_RELOAD)
		log_info("tunnels: UDP %s port %u open", a,
		    ntohs(sin->sin_port));
	else
		log_debug("tunnels: UDP %s port %u", a, ntohs(sin->sin_port));
	tun_open[ntun_open++] = *sin;
	return (0);
}

/* The late addresses tried again: how many are open now. */
static unsigned int
tun_late_retry(void)
{
	struct sockaddr_in	 late[TUN_SOCKS_MAX];
	unsigned int		 n, i, got = 0;

	/* tun_socket_send() takes from tun_late what it opens. */
	n = ntun_late;
	memcpy(late, tun_late, n * sizeof(late[0]));
	for (i = 0; i < n; i++)
		if (tun_socket_send(&late[i], TUN_LATE) == 0)
			got++;
	return (got);
}

/*
 * The forwarder's sockets made what conf wants: the ones it no longer
 * wants closed first (their slots free), and the late ones it no longer
 * wants forgotten, then the new ones opened and the late ones tried
 * again.  A socket that cannot be bound is logged and tried again on
 * the next reload; the rest of the configuration applies.
 */
static void
tun_sockets_update(const struct pptpproxy_conf *conf, int reload)
{
	struct child		*c = &children[PROC_GRE];
	struct sockaddr_in	 want[TUN_SOCKS_MAX], any;
	unsigned int		 n, i, j;
	int			 out;
	char			 a[INET_ADDRSTRLEN];

	n = tun_wanted(conf, want, TUN_SOCKS_MAX - 1, &out);
	for (i = 0; i < ntun_open; ) {
		if (tun_open[i].sin_port == 0 ||
		    tun_sin_find(want, n, &tun_open[i]) < n) {
			i++;
			continue;
		}
		inet_ntop(AF_INET, &tun_open[i].sin_addr, a, sizeof(a));
		log_info("tunnels: UDP %s port %u closed: no proxy there "
		    "accepts tunnels now", a, ntohs(tun_open[i].sin_port));
		if (imsg_compose(&c->iev.ibuf, IMSG_TUN_CLOSE, 0, 0, -1,
		    &tun_open[i], sizeof(tun_open[i])) == -1)
			fatal("imsg");
		c->composed++;
		tun_open[i] = tun_open[--ntun_open];
	}
	for (i = 0; i < ntun_late; ) {
		if (tun_sin_find(want, n, &tun_late[i]) < n) {
			i++;
			continue;
		}
		inet_ntop(AF_INET, &tun_late[i].sin_addr, a, sizeof(a));
		log_info("tunnels: UDP %s port %u no longer waited for: no "
		    "proxy there accepts tunnels now", a,
		    ntohs(tun_late[i].sin_port));
		tun_late[i] = tun_late[--ntun_late];
	}
	for (j = 0; j < n; j++)
		if (tun_sin_find(tun_open, ntun_open, &want[j]) == ntun_open)
			(void)tun_socket_send(&want[j], reload ? TUN_RELOAD :
			    TUN_START);
	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	if (out && tun_sin_find(tun_open, ntun_open, &any) == ntun_open)
		(void)tun_socket_send(&any, reload ? TUN_RELOAD : TUN_START);
}

/*
 * The route table the children share (rtable.h): a read-write and a
 * read-only descriptor of it to each.  The parent never maps it.
 */
static void
rtable_send(void)
{
	int	fd[2], d, i, ro;

	if (os_shm_create("pptpproxy-routes", RT_SIZE, &fd[0], &fd[1]) == -1)
		fatal("creating the route table (%zu bytes)", (size_t)RT_SIZE);
	for (i = PROC_CONTROL; i < nchildren; i++)
		for (ro = 0; ro < 2; ro++) {
			/* imsg closes what it sent: the last send the own. */
			if (i == nchildren - 1)
				d = fd[ro];
			else if ((d = dup(fd[ro])) == -1)
				fatal("dup");
			if (imsg_compose(&children[i].iev.ibuf, IMSG_RTABLE, 0,
			    0, d, &ro, sizeof(ro)) == -1)
				fatal("imsg");
			children[i].composed++;
		}
}

/*
 * The relays' connection counts (connpool.h), relays N > 1: a slot each,
 * the same two descriptors to every relay; each maps its own slot
 * writable.  The parent never maps it.
 */
static void
connpool_send(void)
{
	int		fd[2], d, ro;
	unsigned int	r;

	if (nrelays < 2)
		return;
	if (os_shm_create("pptpproxy-conns", CP_SIZE(nrelays), &fd[0],
	    &fd[1]) == -1)
		fatal("creating the connection counts");
	for (r = 0; r < nrelays; r++)
		for (ro = 0; ro < 2; ro++) {
			if (r == nrelays - 1)
				d = fd[ro];
			else if ((d = dup(fd[ro])) == -1)
				fatal("dup");
			if (imsg_compose(&children[RELAY_SLOT(r)].iev.ibuf,
			    IMSG_CONNPOOL, 0, 0, d, &ro, sizeof(ro)) == -1)
				fatal("imsg");
			children[RELAY_SLOT(r)].composed++;
		}
}

/*
 * The forwarders' raw sockets: one; or with relays N, one a relay, each
 * filtered to its relay's Call IDs (forwarder 0: also what is no PPTP
 * GRE), so that the GRE path spreads over cores as the setups do.  Where
 * the system cannot filter them, one forwarder for all.
 */
static void
gre_sockets(int fd[RELAYS_MAX])
{
	unsigned int	f, lo, hi;

	nfwd = nrelays;
#ifdef PPTPPROXY_TEST
	/* Tests of one forwarder for all, as where none can be filtered. */
	if (nrelays > 1 && getenv("PPTPPROXY_TEST_ONE_FORWARDER") != NULL) {
		if ((fd[0] = os_gre_socket()) == -1)
			fatal("raw GRE socket");
		nfwd = 1;
		return;
	}
#endif
	for (f = 0; f < nfwd; f++) {
		if ((fd[f] = os_gre_socket()) == -1)
			fatal("raw GRE socket");
		relay_keys(f, nrelays, &lo, &hi);
		if (nfwd > 1 &&
		    os_gre_shard(fd[f], f == 0 ? 0 : lo, hi, f == 0) == -1) {
			log_warn("relays %u: cannot give each its own GRE "
			    "forwarder; one forwards for all", nrelays);
			while (f > 0)
				close(fd[f--]);
			close(fd[0]);
			if ((fd[0] = os_gre_socket()) == -1)
				fatal("raw GRE socket");
			nfwd = 1;
			return;
		}
	}
}

void
parent_main(struct pptpproxy_conf *conf, const struct options *o)
{
	int		 pc_fd[CHILDREN_MAX][2], cg_fd[RELAYS_MAX][2];
	int		 rl_fd[RELAYS_MAX][2], gre_fd[RELAYS_MAX], ctl_fd, i;
	int		 dfd[2];
	int		 ctl_rfd = -1;
	gid_t		 gid;
	char		*args[6], pflag[] = "-P", dflag[] = "-D", sflag[] = "-S";
	char		 pname[16], err[256];
	struct proxy_conf *pc;
	struct child	*c;
	struct imsgev	*relay_ievs[RELAYS_MAX];
	struct relay_info ri;
	unsigned int	 r;
	int		 n;

	pconf = conf;
	popts = o;
	parse_log_errors = 1;
	nrelays = conf->relays == 0 ? os_relays_auto() : conf->relays;
	if (nrelays > os_relays_max()) {
		log_warnx("relays %u: this system cannot spread connections "
		    "over several relays: one relay", nrelays);
		nrelays = os_relays_max();
	}
	TAILQ_FOREACH(pc, &conf->proxies, entry)
		if (pc->id >= next_proxy_id)
			next_proxy_id = pc->id + 1;

	/* First: a second daemon goes no further. */
	if ((ctl_fd = ctl_socket_open(conf->ctl_socket, (gid_t)-1,
	    S_IRUSR | S_IWUSR, err, sizeof(err))) == -1) {
		if (!o->foreground)
			fprintf(stderr, "pptpproxy: %s\n", err);
		log_warnx("%s, exiting", err);
		exit(1);
	}
	strlcpy(ctl_path, conf->ctl_socket, sizeof(ctl_path));
	ctl_st_known = lstat(ctl_path, &ctl_st) == 0;
	if (conf->ctl_rsocket[0] != '\0') {
		if (ctl_group(conf, &gid) == -1) {
			snprintf(err, sizeof(err), "restricted control socket "
			    "%s: no group %s", conf->ctl_rsocket,
			    conf->ctl_rgroup);
			ctl_rfd = -1;
		} else
			ctl_rfd = ctl_socket_open(conf->ctl_rsocket, gid,
			    (mode_t)conf->ctl_rmode, err, sizeof(err));
		if (ctl_rfd == -1) {
			if (!o->foreground)
				fprintf(stderr, "pptpproxy: %s\n", err);
			log_warnx("%s, exiting", err);
			ctl_files_remove();
			exit(1);
		}
		strlcpy(ctl_rpath, conf->ctl_rsocket, sizeof(ctl_rpath));
		ctl_rst_known = lstat(ctl_rpath, &ctl_rst) == 0;
	}
	listen_all(conf, NULL);
	if (TAILQ_EMPTY(&conf->proxies)) {
		log_warnx("no proxy could listen, exiting");
		ctl_files_remove();
		exit(1);
	}
	gre_sockets(gre_fd);
	nchildren = PROC_MAX + (int)nrelays - 1 + (int)nfwd - 1;
	raise_nofile(conf);
	parent_pid = getpid();
	if (atexit(parent_atexit) == -1)
		fatal("atexit");
	if (conf->gre_offload) {
		if (offload_start(err, sizeof(err)) == -1)
			log_warnx("gre offload: %s; GRE is forwarded in user "
			    "space", err);
		else
			log_info("gre offload: the kernel forwards the GRE "
			    "of established calls (nftables table ip %s)",
			    OFFLOAD_TABLE);
		conf->gre_offload = offload_active();
	}

	log_flush();
	if (!o->foreground && daemon(0, 0) == -1)
		fatal("daemon");
	parent_pid = getpid();
	log_newpid();		/* the -l file's lines carry the daemon's pid */
	guard_conf(conf);

	/* Signals are events; none may be lost while children start. */
	if ((pbase = event_base_new()) == NULL)
		fatalx("event_base_new");
	/* ACL answers go to the relay whose session asked. */
	for (r = 0; r < nrelays; r++)
		relay_ievs[r] = &children[RELAY_SLOT(r)].iev;
	acl_run_init(pbase, relay_ievs, nrelays);
	acl_run_conf(conf);
	evsignal_assign(&ev_chld, pbase, SIGCHLD, parent_sig, NULL);
	evsignal_add(&ev_chld, NULL);
	/*
	 * Caught from here on (main() ignored them until now), handled once
	 * the loop runs, when the children are up: a reload or a stop asked
	 * while they start is not lost, and does not end the parent.
	 */
	evsignal_assign(&ev_hup, pbase, SIGHUP, parent_sig, NULL);
	evsignal_assign(&ev_term, pbase, SIGTERM, parent_sig, NULL);
	evsignal_assign(&ev_int, pbase, SIGINT, parent_sig, NULL);
	evsignal_assign(&ev_usr1, pbase, SIGUSR1, parent_sig, NULL);
	evsignal_add(&ev_hup, NULL);
	evsignal_add(&ev_term, NULL);
	evsignal_add(&ev_int, NULL);
	evsignal_add(&ev_usr1, NULL);
#ifdef PPTPPROXY_TEST
	evsignal_assign(&ev_usr2, pbase, SIGUSR2, parent_sig, NULL);
	evsignal_add(&ev_usr2, NULL);
#endif
	evtimer_assign(&ev_listen, pbase, listen_retry, NULL);
	(void)listen_retry_arm();
	signal(SIGPIPE, SIG_IGN);

	for (i = PROC_CONTROL; i < nchildren; i++) {
		c = &children[i];
		/* relay: of a relay its index, of a forwarder its relay's */
		if (i == PROC_GRE || i >= FWD_SLOT(1)) {
			c->type = PROC_GRE;
			c->relay = i == PROC_GRE ? 0 :
			    (unsigned int)(i - FWD_SLOT(1) + 1);
		} else {
			c->type = PROC_CONTROL;
			c->relay = i < PROC_MAX ? 0 :
			    (unsigned int)(i - PROC_MAX + 1);
		}
		if (c->relay > 0)
			snprintf(c->name, sizeof(c->name), "%s %u",
			    proc_name(c->type), c->relay);
		else
			strlcpy(c->name, proc_name(c->type), sizeof(c->name));
		/* pc: parent and child; cg: a relay and the forwarder. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
		    pc_fd[i]) == -1 || (c->type == PROC_CONTROL &&
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
		    cg_fd[c->relay]) == -1))
			fatal("socketpair");
		/*
		 * No child may send the parent a descriptor: where the kernel
		 * can, it refuses them (EPERM to the sender), so that none
		 * reaches the parent at all; elsewhere imsg closes them.
		 */
#ifdef PPTPPROXY_TEST
		/* Tests of what the parent does with those that come. */
		if (getenv("PPTPPROXY_TEST_FDS_IN") == NULL)
			(void)os_refuse_fds(pc_fd[i][0]);
#else
		(void)os_refuse_fds(pc_fd[i][0]);
#endif
		/*
		 * Nor does one go either way between a relay and its
		 * forwarder.  Where one forwarder serves every relay, the
		 * others' ends reach it from the parent over its own pc
		 * channel: the refusal is the receiving socket's.
		 */
		if (c->type == PROC_CONTROL) {
			(void)os_refuse_fds(cg_fd[c->relay][0]);
			(void)os_refuse_fds(cg_fd[c->relay][1]);
		}
	}
	/*
	 * Between relay 0 and each other relay: the control socket's.  No
	 * descriptor goes either way on it.
	 */
	for (r = 1; r < nrelays; r++) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
		    rl_fd[r]) == -1)
			fatal("socketpair");
		(void)os_refuse_fds(rl_fd[r][0]);
		(void)os_refuse_fds(rl_fd[r][1]);
	}

	for (i = PROC_CONTROL; i < nchildren; i++) {
		c = &children[i];
		n = 0;
		strlcpy(pname, proc_name(c->type), sizeof(pname));
		args[n++] = o->self;
		args[n++] = pflag;
		args[n++] = pname;
		if (conf->log_level >= LOG_LVL_DEBUG)
			args[n++] = dflag;
		if (log_getfd() == -1)
			args[n++] = sflag;
		args[n] = NULL;
		/*
		 * A relay's peer is its forwarder; a forwarder's its relay
		 * (the one forwarder's relay 0, the others' are links).
		 */
		c->pid = proc_start(c->type, o->self, pc_fd[i][1],
		    c->type == PROC_CONTROL ? cg_fd[c->relay][0] :
		    cg_fd[c->relay][1], args);
		close(pc_fd[i][1]);
		imsgev_init(&c->iev, pbase, pc_fd[i][0], c->name,
		    parent_dispatch, parent_child_closed);
	}
	for (r = 0; r < nrelays; r++) {
		close(cg_fd[r][0]);
		if (r < nfwd)
			close(cg_fd[r][1]);
	}
	for (i = PROC_CONTROL; i < nchildren; i++) {
		c = &children[i];
		/*
		 * Descriptors go down these channels (listening sockets,
		 * the raw socket), and imsg passes them only where allowed.
		 * Up they are refused: one that no message claims is closed
		 * by imsg, one that a message claims makes parent_dispatch()
		 * treat the child as compromised, and more than imsg takes
		 * at once fail the read (a violation too).
		 */
		imsgbuf_allow_fdpass(&c->iev.ibuf);
		c->iev.maxmsgs = PARENT_MSGS_PER_WAKE;
		evtimer_assign(&c->log_tm, pbase, parent_log_note, c);
		c->iev.outmax = PARENT_QUEUE_MAX;
		c->iev.bad = parent_child_bad;
		/* First: which relay (the route table's part depends on it). */
		ri.index = c->relay;
		ri.count = nrelays;
		ri.forwarders = nfwd;
		if (imsg_compose(&c->iev.ibuf, IMSG_RELAY_INFO, 0, 0, -1, &ri,
		    sizeof(ri)) == -1)
			fatal("imsg");
		c->composed++;
	}
	/* The links: imsg closes each descriptor once it is sent. */
	for (r = 1; r < nrelays; r++) {
		if ((nfwd == 1 && imsg_compose(&children[PROC_GRE].iev.ibuf,
		    IMSG_RELAY_LINK, r, 0, cg_fd[r][1], NULL, 0) == -1) ||
		    imsg_compose(&children[RELAY_SLOT(0)].iev.ibuf,
		    IMSG_RELAY_LINK, r, 0, rl_fd[r][0], NULL, 0) == -1 ||
		    imsg_compose(&children[RELAY_SLOT(r)].iev.ibuf,
		    IMSG_RELAY_LINK, 0, 0, rl_fd[r][1], NULL, 0) == -1)
			fatal("imsg");
		if (nfwd == 1)
			children[PROC_GRE].composed++;
		children[RELAY_SLOT(0)].composed++;
		children[RELAY_SLOT(r)].composed++;
	}
	for (r = 0; r < nfwd; r++) {
		if (imsg_compose(&children[FWD_SLOT(r)].iev.ibuf,
		    IMSG_GRE_SOCKET, 0, 0, gre_fd[r], NULL, 0) == -1)
			fatal("imsg");
		children[FWD_SLOT(r)].composed++;
	}
	if (imsg_compose(&children[PROC_CONTROL].iev.ibuf, IMSG_CTL_SOCKET, 0,
	    0, ctl_fd, NULL, 0) == -1 ||
	    (ctl_rfd != -1 && imsg_compose(&children[PROC_CONTROL].iev.ibuf,
	    IMSG_CTL_RSOCKET, 0, 0, ctl_rfd, NULL, 0) == -1))
		fatal("imsg");
	/* The tunnels' packets between the children, one per message. */
	if (os_tun_pair(dfd) == -1)
		fatal("socketpair");
	if (imsg_compose(&children[PROC_CONTROL].iev.ibuf, IMSG_TUN_DATAFD, 0,
	    0, dfd[0], NULL, 0) == -1 ||
	    imsg_compose(&children[PROC_GRE].iev.ibuf, IMSG_TUN_DATAFD, 0, 0,
	    dfd[1], NULL, 0) == -1)
		fatal("imsg");
	children[PROC_CONTROL].composed++;
	children[PROC_GRE].composed++;
	rtable_send();
	connpool_send();
	tun_sockets_update(conf, 0);
	(void)listen_retry_arm();
	for (i = PROC_CONTROL; i < nchildren; i++)
		if (child_conf(&children[i], conf) == -1)
			fatal("sending configuration");

	sandbox_parent(conf);
	os_proctitle("parent");
	log_info("pptpproxy %s started", PPTPPROXY_VERSION);
	event_base_dispatch(pbase);
	fatalx("event loop ended");
}
