/*
 * Processes: start a child by fork and exec of ourselves, drop its
 * privileges, and the imsg channels between processes.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "os.h"
#include "rtable.h"
#include "connpool.h"

static const char *proc_names[PROC_MAX] = {
	"parent",
	"control",
	"gre"
};

const char *
proc_name(enum proc_type p)
{
	if ((int)p < 0 || p >= PROC_MAX)
		return ("unknown");
	return (proc_names[p]);
}

/*
 * Start a child: its channel to the parent becomes fd 3 and its channel
 * to the other child fd 4; the log descriptor (if any) fd 2.
 */
void
proc_ignore_signals(void)
{
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGUSR1, SIG_IGN);
	(void)signal(SIGUSR2, SIG_IGN);	/* test builds catch it again */
	(void)signal(SIGPIPE, SIG_IGN);
}

pid_t
proc_start(enum proc_type p, const char *self, int parent_fd, int peer_fd,
    char **args)
{
	pid_t	 pid;
	int	 logfd, nullfd;

	log_flush();	/* lines waiting are the parent's to write */
	switch (pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		/*
		 * Signals are the parent's: a child ends when the parent
		 * says so or its channel closes.  Ignored stays ignored
		 * across exec, so no window leaves the child to die of one.
		 */
		proc_ignore_signals();
		log_newpid();
		break;
	default:
		return (pid);
	}

	/* The log first: it may sit where a channel is about to go. */
	if ((logfd = log_getfd()) != -1 && logfd != STDERR_FILENO)
		if (dup2(logfd, STDERR_FILENO) == -1)
			fatal("dup2");
	/* Move the channels to their fixed numbers without clobbering. */
	if (parent_fd != PROC_PARENT_FD) {
		if (peer_fd == PROC_PARENT_FD) {
			if ((peer_fd = dup(peer_fd)) == -1)
				fatal("dup");
		}
		if (dup2(parent_fd, PROC_PARENT_FD) == -1)
			fatal("dup2");
	}
	if (peer_fd != PROC_PEER_FD && dup2(peer_fd, PROC_PEER_FD) == -1)
		fatal("dup2");
	/*
	 * Standard input and output: /dev/null (the child writes no
	 * output; under systemd fd 1 would be the journal's stream, a way
	 * round the parent's limits).  log_seal() takes fd 0 for /dev/null.
	 */
	if ((nullfd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	if (dup2(nullfd, STDIN_FILENO) == -1 ||
	    dup2(nullfd, STDOUT_FILENO) == -1 ||
	    (log_getfd() == -1 && dup2(nullfd, STDERR_FILENO) == -1))
		fatal("dup2");
	if (nullfd > STDERR_FILENO)
		close(nullfd);
	if (fcntl(PROC_PARENT_FD, F_SETFD, 0) == -1 ||
	    fcntl(PROC_PEER_FD, F_SETFD, 0) == -1)
		fatal("fcntl");
	os_closefrom(PROC_PEER_FD + 1);
	execv(self, args);
	fatal("exec %s", self);
}

/*
 * One of the two descriptors (read-write, read-only) of a shared region
 * from the parent, into fds[]: 1 once both are in.
 */
static int
proc_fd_pair(struct imsg *imsg, int fds[2], const char *what)
{
	int	ro, fd;

	if (imsg_get_data(imsg, &ro, sizeof(ro)) == -1 || ro < 0 || ro > 1 ||
	    (fd = imsg_get_fd(imsg)) == -1)
		fatalx("bad %s from the parent", what);
	if (fds[ro] != -1)
		fatalx("%s sent twice", what);
	fds[ro] = fd;
	return (fds[0] != -1 && fds[1] != -1);
}

/*
 * The shared route table, at start, before the sandbox: the parent sends
 * a read-write and a read-only descriptor of it; which part the child
 * maps writable is its own (rtable_map()), the rest read-only.  Both
 * descriptors are closed once mapped: nothing is left to map the region
 * again, or writable.
 */
int
proc_rtable(struct imsg *imsg, struct rtable *rt, int which, unsigned int lo,
    unsigned int hi)
{
	static int	fds[2] = { -1, -1 };

	if (!proc_fd_pair(imsg, fds, "route table"))
		return (0);
	if (rtable_map(rt, fds[0], fds[1], which, lo, hi) == -1)
		fatal("mapping the route table");
	close(fds[0]);
	close(fds[1]);
	return (1);
}

/*
 * The relays' connection counts, the same way: the relay's own slot
 * writable, the others' read-only (connpool_map()), both descriptors
 * closed once mapped.
 */
int
proc_connpool(struct imsg *imsg, struct connpool *cp, unsigned int index,
    unsigned int count)
{
	static int	fds[2] = { -1, -1 };

	if (!proc_fd_pair(imsg, fds, "connection counts"))
		return (0);
	if (connpool_map(cp, fds[0], fds[1], index, count) == -1)
		fatal("mapping the connection counts");
	close(fds[0]);
	close(fds[1]);
	return (1);
}

/*
 * In one place and this order: look up the user, check the chroot
 * directory, chroot, chdir, title, groups, gid, uid, check that root is
 * gone, then the process's own sandbox (last).
 */
void
proc_drop(enum proc_type p, const char *title,
    const struct pptpproxy_conf *conf)
{
	struct passwd	*pw;
	struct stat	 st;
	const char	*user = conf->user;

	if ((pw = getpwnam(user)) == NULL) {
		/* Only the default user falls back (see check.c). */
		if (!conf->user_given && strcmp(user, PPTPPROXY_USER) == 0)
			pw = getpwnam(PPTPPROXY_USER_FALLBACK);
		if (pw == NULL)
			fatalx("unknown user %s", user);
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		fatalx("refusing to run the %s process as root (user %s)",
		    proc_name(p), pw->pw_name);

	if (stat(conf->chroot, &st) == -1)
		fatal("chroot directory %s", conf->chroot);
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		fatalx("chroot directory %s must be a directory owned by "
		    "root and not writable by group or others", conf->chroot);
	if (chroot(conf->chroot) == -1)
		fatal("chroot %s", conf->chroot);
	if (chdir("/") == -1)
		fatal("chdir /");

	os_proctitle(title);

	sandbox_prepare();
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("cannot drop privileges to %s", pw->pw_name);
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1)
		fatalx("root privileges could be regained");
	if (getuid() == 0 || geteuid() == 0 || getgid() == 0 ||
	    getegid() == 0)
		fatalx("still root after dropping privileges");

#ifdef PPTPPROXY_TEST
	/* Test builds only: valgrind makes calls no allow-list has. */
	if (getenv("PPTPPROXY_TEST_NO_SECCOMP") != NULL) {
		log_warnx("test build: no seccomp filter");
		return;
	}
#endif
	switch (p) {
	case PROC_CONTROL:
		sandbox_control();
		break;
	case PROC_GRE:
		sandbox_gre();
		break;
	default:
		fatalx("%s: bad process", __func__);
	}
}

/*
 * imsg channels on the event loop.  A channel carries descriptors only
 * when its owner said so with imsgbuf_allow_fdpass(); a descriptor that
 * arrives on any other is closed and is a protocol violation.
 */
static void	imsgev_flush(int, short, void *);
static void	imsgev_more(int, short, void *);
static void	imsgev_set(struct imsgev *, short);
static void	imsgev_settle(struct imsgev *);
static void	imsgev_after(struct imsgev *);
static int	imsgev_handle(struct imsgev *);

static void
imsgev_violation(struct imsgev *iev, const char *what)
{
	if (iev->bad != NULL)
		iev->bad(iev, what);
	else {
		log_warnx("%s from %s", what, iev->peer);
		iev->closed(iev);
	}
}

static void
imsgev_cb(int fd, short ev, void *arg)
{
	struct imsgev	*iev = arg;
	ssize_t		 n;

	if (ev & EV_READ) {
		if ((n = imsgbuf_read(&iev->ibuf)) == -1) {
			if (errno == EBADMSG) {
				imsgev_violation(iev, "descriptors it may not "
				    "send");
				return;
			}
			log_warn("read from %s", iev->peer);
			iev->closed(iev);
			return;
		}
		if (n == 0) {
			iev->closed(iev);
			return;
		}
	}
	if (ev & EV_WRITE) {
		if (imsgbuf_write(&iev->ibuf) == -1) {
			log_warn("write to %s", iev->peer);
			iev->closed(iev);
			return;
		}
	}
	if (imsgev_handle(iev) == -1)
		return;
	imsgev_after(iev);
}

/* The output queue holds more than the peer may make us keep. */
static int
imsgev_full(struct imsgev *iev)
{
	return (iev->outmax > 0 &&
	    imsgbuf_queuelen(&iev->ibuf) > iev->outmax);
}

/*
 * Handle the messages read, at most maxmsgs and only while the output
 * queue is within its bound; what is left is the backlog, handled after
 * the loop has looked at everything else.  -1: the channel is gone.
 */
static int
imsgev_handle(struct imsgev *iev)
{
	struct imsg	 imsg;
	ssize_t		 n;
	unsigned int	 done = 0;

	iev->backlog = 0;
	/* The log lines of these messages: one write (log_batch_begin()). */
	log_batch_begin();
	for (;;) {
		if ((iev->maxmsgs > 0 && done >= iev->maxmsgs) ||
		    imsgev_full(iev)) {
			iev->backlog = 1;
			break;
		}
		if ((n = imsg_get(&iev->ibuf, &imsg)) == -1) {
			log_batch_end();
			if (errno == ERANGE || errno == EBADMSG) {
				imsgev_violation(iev, errno == ERANGE ?
				    "a message of a length out of bounds" :
				    "a message without its descriptor");
				return (-1);
			}
			log_warn("bad message from %s", iev->peer);
			iev->closed(iev);
			return (-1);
		}
		if (n == 0)
			break;
		iev->dispatch(iev, &imsg);
		imsg_free(&imsg);
		done++;
	}
	log_batch_end();
	return (0);
}

/*
 * After reading: what the dispatch composed with imsgev_compose() goes
 * (its flush is active), what it composed lazily keeps waiting.
 */
static void
imsgev_after(struct imsgev *iev)
{
	if (tmr_pending(&iev->lazy))
		imsgev_settle(iev);
	else
		imsgev_update(iev);
}

static void
imsgev_lazy_due(int fd, short ev, void *arg)
{
	imsgev_update(arg);
}

static void
imsgev_more(int fd, short ev, void *arg)
{
	struct imsgev	*iev = arg;

	if (imsgev_handle(iev) == -1)
		return;
	imsgev_after(iev);
}

void
imsgev_init(struct imsgev *iev, struct event_base *base, int fd,
    const char *peer, void (*dispatch)(struct imsgev *, struct imsg *),
    void (*closed)(struct imsgev *))
{
	/* fd -1: iev->ibuf was set up already (start-up messages). */
	if (fd != -1 && imsgbuf_init(&iev->ibuf, fd) == -1)
		fatal("imsgbuf_init");
	fd = iev->ibuf.fd;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		fatal("fcntl");
	iev->peer = peer;
	iev->dispatch = dispatch;
	iev->closed = closed;
	iev->bad = NULL;
	iev->maxmsgs = 0;
	iev->outmax = 0;
	iev->backlog = 0;
	iev->stalled = 0;
	iev->events = EV_READ;
	event_assign(&iev->ev, base, fd, iev->events | EV_PERSIST, imsgev_cb,
	    iev);
	event_add(&iev->ev, NULL);
	event_assign(&iev->flush, base, -1, 0, imsgev_flush, iev);
	evtimer_assign(&iev->more, base, imsgev_more, iev);
	tmr_set(&iev->lazy, base, imsgev_lazy_due, iev);
}

/*
 * Messages composed while the loop runs callbacks go out together once
 * they are done, without changing what the poller watches: write
 * interest is registered only when the socket is full.
 */
static void
imsgev_flush(int fd, short ev, void *arg)
{
	struct imsgev	*iev = arg;

	/* What waited goes now, with the rest. */
	tmr_del(&iev->lazy);
	if (imsgbuf_write(&iev->ibuf) == -1) {
		log_warn("write to %s", iev->peer);
		iev->closed(iev);
		return;
	}
	imsgev_settle(iev);
}

static void
imsgev_set(struct imsgev *iev, short events)
{
	if (events == iev->events && (events == 0 ||
	    event_pending(&iev->ev, events, NULL)))
		return;
	event_del(&iev->ev);
	iev->events = events;
	if (events == 0)
		return;
	event_assign(&iev->ev, event_get_base(&iev->ev),
	    iev->ibuf.fd, events | EV_PERSIST, imsgev_cb, iev);
	event_add(&iev->ev, NULL);
}

/*
 * Read unless there is a backlog or the output queue went over its bound
 * (the peer is not read until it has taken half of what waits for it);
 * write interest while something is queued.
 */
static void
imsgev_settle(struct imsgev *iev)
{
	struct timeval	tv = { 0, 0 };
	short		events = 0;
	uint32_t	q = imsgbuf_queuelen(&iev->ibuf);
	int		full;

	/* Stalled over outmax, going on at half of it. */
	if (iev->stalled)
		full = q > iev->outmax / 2;
	else
		full = imsgev_full(iev);
	if (full && !iev->stalled)
		log_warnx("%s has not read the last %u messages: not "
		    "reading it until it does", iev->peer, q);
	else if (!full && iev->stalled)
		log_debug("%s reads again", iev->peer);
	iev->stalled = full;
	if (!iev->backlog && !full)
		events |= EV_READ;
	/* Lazy messages (imsgev_lazy) wait for their timer. */
	if (q > 0 && !tmr_pending(&iev->lazy))
		events |= EV_WRITE;
	imsgev_set(iev, events);
	if (iev->backlog && !full &&
	    !evtimer_pending(&iev->more, NULL))
		evtimer_add(&iev->more, &tv);
}

void
imsgev_update(struct imsgev *iev)
{
	tmr_del(&iev->lazy);
	if (imsgbuf_queuelen(&iev->ibuf) > 0 && !(iev->events & EV_WRITE))
		event_active(&iev->flush, EV_WRITE, 0);
	else
		imsgev_settle(iev);
}

int
imsgev_compose(struct imsgev *iev, uint32_t type, uint32_t id, int fd,
    const void *data, size_t len)
{
	int	r;

	r = imsg_compose(&iev->ibuf, type, id, 0, fd, data, len);
	if (r == -1)
		log_warn("imsg to %s", iev->peer);
	else
		imsgev_update(iev);
	return (r);
}

/*
 * What is queued may wait a little: it goes with the next message
 * composed with imsgev_compose(), or when the timer runs out, or now
 * once IMSGEV_LAZY_MAX messages wait.  While many sessions come and go
 * the peer is woken once for a batch instead of once a message.
 */
void
imsgev_lazy(struct imsgev *iev)
{
	struct timeval	tv = { 0, IMSGEV_LAZY_MS * 1000 };

	if (imsgbuf_queuelen(&iev->ibuf) >= IMSGEV_LAZY_MAX) {
		imsgev_update(iev);
		return;
	}
	/* Write interest is set: the socket takes it when it can. */
	if ((iev->events & EV_WRITE) || tmr_pending(&iev->lazy))
		return;
	tmr_add(&iev->lazy, &tv);
}

int
imsgev_compose_lazy(struct imsgev *iev, uint32_t type, uint32_t id,
    const void *data, size_t len)
{
	int	r;

	r = imsg_compose(&iev->ibuf, type, id, 0, -1, data, len);
	if (r == -1)
		log_warn("imsg to %s", iev->peer);
	else
		imsgev_lazy(iev);
	return (r);
}

/* Start-up only: wait for one whole message. */
int
imsg_read_blocking(struct imsgbuf *ibuf, struct imsg *imsg)
{
	ssize_t	n;

	for (;;) {
		if ((n = imsg_get(ibuf, imsg)) == -1)
			return (-1);
		if (n > 0)
			return (0);
		if ((n = imsgbuf_read(ibuf)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return (-1);
		}
		if (n == 0) {
			errno = EPIPE;
			return (-1);
		}
	}
}

/*
 * Configuration over imsg: the settings, then each proxy (with a copy of
 * the listening socket of relay `relay`, none when it is -1), then the
 * ACL lists, then END.
 */
int
conf_send(struct imsgbuf *ibuf, const struct pptpproxy_conf *conf, int relay)
{
	struct pptpproxy_conf	 c;
	struct proxy_conf	*pc;
	struct acl_subnet	*s;
	struct acl_cmd		*cmd;
	int			 fd;

	memcpy(&c, conf, sizeof(c));
	TAILQ_INIT(&c.proxies);
	TAILQ_INIT(&c.subnets);
	TAILQ_INIT(&c.cmds);
	TAILQ_INIT(&c.tables);
	TAILQ_INIT(&c.tun_subnets);
	if (imsg_compose(ibuf, IMSG_CONF_START, 0, 0, -1, &c, sizeof(c)) == -1)
		return (-1);
	TAILQ_FOREACH(pc, &conf->proxies, entry) {
		fd = relay == 0 ? pc->fd : relay > 0 && relay < RELAYS_MAX ?
		    pc->xfd[relay] : -1;
		if (fd != -1 && (fd = dup(fd)) == -1)
			return (-1);
		if (imsg_compose(ibuf, IMSG_CONF_PROXY, 0, 0, fd, pc,
		    sizeof(*pc)) == -1)
			return (-1);
		TAILQ_FOREACH(s, &pc->subnets, entry)
			if (imsg_compose(ibuf, IMSG_CONF_SUBNET, pc->id, 0, -1,
			    s, sizeof(*s)) == -1)
				return (-1);
		TAILQ_FOREACH(cmd, &pc->cmds, entry)
			if (imsg_compose(ibuf, IMSG_CONF_CMD, pc->id, 0, -1,
			    cmd, sizeof(*cmd)) == -1)
				return (-1);
		TAILQ_FOREACH(s, &pc->tun_subnets, entry)
			if (imsg_compose(ibuf, IMSG_CONF_SUBNET, pc->id, 0, -1,
			    s, sizeof(*s)) == -1)
				return (-1);
	}
	TAILQ_FOREACH(s, &conf->tun_subnets, entry)
		if (imsg_compose(ibuf, IMSG_CONF_SUBNET, 0, 0, -1, s,
		    sizeof(*s)) == -1)
			return (-1);
	TAILQ_FOREACH(s, &conf->subnets, entry)
		if (imsg_compose(ibuf, IMSG_CONF_SUBNET, 0, 0, -1, s,
		    sizeof(*s)) == -1)
			return (-1);
	TAILQ_FOREACH(cmd, &conf->cmds, entry)
		if (imsg_compose(ibuf, IMSG_CONF_CMD, 0, 0, -1, cmd,
		    sizeof(*cmd)) == -1)
			return (-1);
	return (imsg_compose(ibuf, IMSG_CONF_END, 0, 0, -1, NULL, 0));
}

int
conf_recv(struct conf_rx *rx, struct imsg *imsg, struct pptpproxy_conf **done)
{
	struct proxy_conf	*pc;
	struct acl_subnet	*s;
	struct acl_cmd		*cmd;
	uint32_t		 id = imsg_get_id(imsg);
	int			 fd;

	/* Only a proxy comes with a descriptor (its listening socket). */
	if (imsg_get_type(imsg) != IMSG_CONF_PROXY &&
	    (fd = imsg_get_fd(imsg)) != -1) {
		close(fd);
		return (-1);
	}
	switch (imsg_get_type(imsg)) {
	case IMSG_CONF_START:
		if (rx->conf != NULL)
			conf_free(rx->conf);
		if ((rx->conf = conf_new()) == NULL)
			fatal("conf_new");
		if (imsg_get_data(imsg, rx->conf, sizeof(*rx->conf)) == -1)
			return (-1);
		TAILQ_INIT(&rx->conf->proxies);
		TAILQ_INIT(&rx->conf->subnets);
		TAILQ_INIT(&rx->conf->cmds);
		TAILQ_INIT(&rx->conf->tables);
		TAILQ_INIT(&rx->conf->tun_subnets);
		return (0);
	case IMSG_CONF_PROXY:
		if (rx->conf == NULL || (pc = calloc(1, sizeof(*pc))) == NULL)
			return (-1);
		if (imsg_get_data(imsg, pc, sizeof(*pc)) == -1) {
			free(pc);
			return (-1);
		}
		pc->name[sizeof(pc->name) - 1] = '\0';
		pc->server_host[sizeof(pc->server_host) - 1] = '\0';
		pc->fd = imsg_get_fd(imsg);
		memset(pc->xfd, 0xff, sizeof(pc->xfd));	/* the parent's */
		TAILQ_INIT(&pc->subnets);
		TAILQ_INIT(&pc->cmds);
		TAILQ_INIT(&pc->tun_subnets);
		TAILQ_INSERT_TAIL(&rx->conf->proxies, pc, entry);
		return (0);
	case IMSG_CONF_SUBNET:
		if (rx->conf == NULL || (s = calloc(1, sizeof(*s))) == NULL)
			return (-1);
		if (imsg_get_data(imsg, s, sizeof(*s)) == -1) {
			free(s);
			return (-1);
		}
		if (id == 0)
			TAILQ_INSERT_TAIL(s->tunnel ? &rx->conf->tun_subnets :
			    &rx->conf->subnets, s, entry);
		else if ((pc = conf_proxy_by_id(rx->conf, id)) != NULL)
			TAILQ_INSERT_TAIL(s->tunnel ? &pc->tun_subnets :
			    &pc->subnets, s, entry);
		else {
			free(s);
			return (-1);
		}
		return (0);
	case IMSG_CONF_CMD:
		if (rx->conf == NULL || (cmd = calloc(1, sizeof(*cmd))) == NULL)
			return (-1);
		if (imsg_get_data(imsg, cmd, sizeof(*cmd)) == -1) {
			free(cmd);
			return (-1);
		}
		cmd->cmd[sizeof(cmd->cmd) - 1] = '\0';
		if (id == 0)
			TAILQ_INSERT_TAIL(&rx->conf->cmds, cmd, entry);
		else if ((pc = conf_proxy_by_id(rx->conf, id)) != NULL)
			TAILQ_INSERT_TAIL(&pc->cmds, cmd, entry);
		else {
			free(cmd);
			return (-1);
		}
		return (0);
	case IMSG_CONF_END:
		if (rx->conf == NULL)
			return (-1);
		*done = rx->conf;
		rx->conf = NULL;
		return (1);
	default:
		return (-1);
	}
}
