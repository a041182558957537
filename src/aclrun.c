/*
 * ACL commands, run by the parent for the control relay: tried in order,
 * each with the client's address as its last argument, without a shell,
 * with a clean environment, in a process group of its own, as the
 * configured user, killed after the timeout or when the session that
 * asked has gone.  aclq.c says how many run and which wait; verdicts are
 * kept there for `acl-command cache` seconds.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

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
#include "aclq.h"
#include "os.h"

/* The running command of a check. */
struct acl_job {
	struct aclq_check	*check;
	int			 next;		/* index of the next command */
	pid_t			 pid;		/* -1: none runs */
	int			 timedout;	/* killed after the timeout */
	int			 cancelled;	/* killed: no one waits */
	int			 transient;	/* a command timed out, or could
						 * not start: do not cache */
	unsigned int		 gen;		/* configuration it began on */
	char			 cmd[PPTPPROXY_MAX_CMD];
	struct event		 tm;
	char			 why[128];
};

static struct aclq			 q;
static struct event_base		*abase;
static struct imsgev			*actl[RELAYS_MAX];
static unsigned int			 nactl;
static struct pptpproxy_conf		*aconf;
static unsigned int			 gen;
/* A client (or a relay) can provoke these lines: at most a few a second. */
static struct log_limit			 ll_gone, ll_kill, ll_share;

static void	acl_start(void);

static time_t
acl_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec);
}

static void
acl_answer(uint64_t reqid, int allow, const char *why)
{
	struct acl_res	res;

	memset(&res, 0, sizeof(res));
	res.reqid = reqid;
	res.allow = allow;
	strlcpy(res.why, why, sizeof(res.why));
	imsgev_compose(actl[relay_of_sess(reqid, nactl)], IMSG_ACL_RES, 0, -1,
	    &res, sizeof(res));
}

static const char *
acl_job_cmd(const struct acl_job *j, int n)
{
	struct proxy_conf	*pc;
	struct acl_cmd		*cmd;
	int			 i = 0;

	pc = conf_proxy_by_id(aconf, j->check->proxy_id);
	if (pc == NULL)
		return (NULL);
	TAILQ_FOREACH(cmd, &pc->cmds, entry)
		if (i++ == n)
			return (cmd->cmd);
	TAILQ_FOREACH(cmd, &aconf->cmds, entry)
		if (i++ == n)
			return (cmd->cmd);
	return (NULL);
}

static int
proxy_exists(uint32_t id)
{
	return (conf_proxy_by_id(aconf, id) != NULL);
}

/*
 * The verdict, for every request the check serves; judged by the proxy
 * that asked, which must still be there.  Kept for later requests unless
 * it came from a failure (a timeout, a command that could not start) or
 * from a configuration since replaced.
 */
static void
acl_job_finish(struct acl_job *j, int allow)
{
	struct aclq_check	*c = j->check;
	struct aclq_req		*r;
	char			 a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &c->client, a, sizeof(a));
	if (!proxy_exists(c->proxy_id)) {
		log_limited(&ll_gone, "acl check of %s: its proxy (id %u) is "
		    "gone after a reload: refused", a, c->proxy_id);
		snprintf(j->why, sizeof(j->why), "proxy gone after a reload");
		allow = 0;
	} else if ((allow || !j->transient) && j->gen == gen)
		aclq_cache_put(&q, c->proxy_id, c->client, acl_now(), allow,
		    j->why);
	while ((r = aclq_take(&q, c)) != NULL) {
		acl_answer(r->reqid, allow, j->why);
		free(r);
	}
	evtimer_del(&j->tm);
	aclq_done(&q, c);
	free(j);
}

static void
acl_job_timeout(int fd, short ev, void *arg)
{
	struct acl_job	*j = arg;
	char		 a[INET_ADDRSTRLEN];

	if (j->pid <= 0)
		return;
	/* The command runs in a process group of its own. */
	kill(-j->pid, SIGKILL);
	kill(j->pid, SIGKILL);
	j->timedout = 1;
	log_limited(&ll_kill, "acl command \"%s\" for %s still running after "
	    "%d s, killed: counts as deny", j->cmd, inet_ntop(AF_INET,
	    &j->check->client, a, sizeof(a)), aconf->acl_timeout);
	/* The next command starts once this one is reaped. */
}

static __dead void
acl_exec(char *cmd, char *client, const struct passwd *pw)
{
	char		*argv[ACL_MAX_WORDS + 2];
	char		*envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	sigset_t	 set;
	int		 argc, fd, i;

	setsid();
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	for (i = 1; i < NSIG; i++)
		(void)signal(i, SIG_DFL);
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		_exit(126);
	if (dup2(fd, 0) == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
		_exit(126);
	os_closefrom(3);
	if (pw != NULL) {
		if (setgroups(1, &pw->pw_gid) == -1 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
			_exit(126);
	}
	if ((argc = acl_split_cmd(cmd, argv, ACL_MAX_WORDS)) <= 0)
		_exit(126);
	/* The configuration holds absolute paths only: no PATH search. */
	if (argv[0][0] != '/')
		_exit(127);
	argv[argc++] = client;
	argv[argc] = NULL;
	execve(argv[0], argv, envp);
	_exit(127);
}

/* Start the check's next command; none left: the verdict is deny. */
static void
acl_job_next(struct acl_job *j)
{
	struct passwd	*pw;
	struct timeval	 tv;
	const char	*cmd;
	char		 client[INET_ADDRSTRLEN];
	char		 buf[PPTPPROXY_MAX_CMD];

	inet_ntop(AF_INET, &j->check->client, client, sizeof(client));
	for (;;) {
		if ((cmd = acl_job_cmd(j, j->next++)) == NULL) {
			if (j->why[0] == '\0')
				strlcpy(j->why, "no acl command",
				    sizeof(j->why));
			acl_job_finish(j, 0);
			return;
		}
		strlcpy(j->cmd, cmd, sizeof(j->cmd));
		strlcpy(buf, cmd, sizeof(buf));
		pw = NULL;
		if (aconf->acl_user[0] != '\0' &&
		    (pw = getpwnam(aconf->acl_user)) == NULL) {
			log_warnx("acl-command user %s unknown",
			    aconf->acl_user);
			snprintf(j->why, sizeof(j->why), "unknown user %s",
			    aconf->acl_user);
			j->transient = 1;
			continue;
		}
		log_flush();	/* lines waiting are the parent's to write */
		switch (j->pid = fork()) {
		case -1:
			log_warn("fork for acl command");
			snprintf(j->why, sizeof(j->why), "fork failed");
			j->transient = 1;
			continue;
		case 0:
			log_newpid();
			acl_exec(buf, client, pw);
			/* NOTREACHED */
		default:
			break;
		}
		break;
	}
	log_debug("acl command \"%s %s\" started, pid %d", j->cmd, client,
	    (int)j->pid);
	tv.tv_sec = aconf->acl_timeout;
	tv.tv_usec = 0;
	evtimer_add(&j->tm, &tv);
}

/* Start what the limits let start. */
static void
acl_start(void)
{
	struct aclq_check	*c;
	struct acl_job		*j;
	struct aclq_req		*r;

	while ((c = aclq_next(&q)) != NULL) {
		if ((j = calloc(1, sizeof(*j))) == NULL) {
			while ((r = aclq_take(&q, c)) != NULL) {
				acl_answer(r->reqid, 0, "out of memory");
				free(r);
			}
			aclq_done(&q, c);
			continue;
		}
		j->check = c;
		j->pid = -1;
		j->gen = gen;
		c->arg = j;
		evtimer_assign(&j->tm, abase, acl_job_timeout, j);
		acl_job_next(j);
	}
}

void
acl_run_init(struct event_base *base, struct imsgev **ctl, unsigned int n)
{
	unsigned int	i;

	abase = base;
	for (i = 0; i < n && i < RELAYS_MAX; i++)
		actl[i] = ctl[i];
	nactl = i;
	aclq_init(&q, nactl);
}

/* At start and on every reload: new limits, no old verdict. */
void
acl_run_conf(struct pptpproxy_conf *conf)
{
	aconf = conf;
	gen++;
	aclq_set(&q, conf->acl_limit, conf->acl_limit_per_addr,
	    conf->acl_cache);
	acl_start();
}

void
acl_run_request(const struct acl_req *req)
{
	const char	*why;
	char		 a[INET_ADDRSTRLEN], cwhy[128];
	unsigned int	 relay = relay_of_sess(req->reqid, nactl);
	int		 allow;

	inet_ntop(AF_INET, &req->client, a, sizeof(a));
	if (!proxy_exists(req->proxy_id)) {
		log_limited(&ll_gone, "acl check of %s: its proxy (id %u) is "
		    "gone after a reload: refused", a, req->proxy_id);
		acl_answer(req->reqid, 0, "proxy gone after a reload");
		return;
	}
	if (aclq_cache_get(&q, req->proxy_id, req->client, acl_now(), &allow,
	    cwhy, sizeof(cwhy))) {
		log_debug("acl check of %s: %s a moment ago (acl-command "
		    "cache)", a, allow ? "allowed" : "refused");
		acl_answer(req->reqid, allow, cwhy);
		return;
	}
	switch (aclq_add(&q, req->reqid, relay, req->proxy_id, req->client,
	    &why)) {
	case ACLQ_SHARE:
		/* Its relay's line may never come: the parent says it. */
		log_limited(&ll_share, "acl check of %s refused: relay %u "
		    "has its share of acl checks waiting (%u)", a, relay,
		    q.share);
		/* FALLTHROUGH */
	case ACLQ_FULL:
	case ACLQ_NOMEM:
		acl_answer(req->reqid, 0, why);
		return;
	default:
		break;
	}
	acl_start();
}

/* No one waits for a running command any more: it is killed. */
static void
acl_orphan_kill(struct aclq_check *c, const char *who)
{
	struct acl_job	*j = c->arg;
	char		 a[INET_ADDRSTRLEN];

	if (j == NULL || j->pid <= 0 || j->cancelled)
		return;
	kill(-j->pid, SIGKILL);
	kill(j->pid, SIGKILL);
	j->cancelled = 1;
	evtimer_del(&j->tm);
	log_limited(&ll_kill, "acl command \"%s\" for %s killed: %s is gone",
	    j->cmd, inet_ntop(AF_INET, &c->client, a, sizeof(a)), who);
}

/* The session of request reqid has gone: no answer. */
void
acl_run_cancel(uint64_t reqid)
{
	struct aclq_check	*c;

	if (aclq_cancel(&q, reqid, &c) == ACLQ_ORPHAN)
		acl_orphan_kill(c, "the session that asked for it");
}

/* A relay has ended (stopping): none of its requests is answered. */
void
acl_run_relay_gone(unsigned int relay)
{
	struct aclq_check	*c;
	int			 rc;

	while ((rc = aclq_cancel_relay(&q, relay, &c)) != ACLQ_UNKNOWN)
		if (rc == ACLQ_ORPHAN)
			acl_orphan_kill(c, "the relay that asked for it");
}

/* A child ended: 1 if it was an ACL command. */
int
acl_run_reaped(pid_t pid, int status)
{
	struct aclq_check	*c;
	struct acl_job		*j = NULL;

	TAILQ_FOREACH(c, &q.running, entry) {
		j = c->arg;
		if (j != NULL && j->pid == pid)
			break;
	}
	if (c == NULL)
		return (0);
	evtimer_del(&j->tm);
	j->pid = -1;
	if (j->cancelled) {
		aclq_done(&q, c);
		free(j);
	} else if (j->timedout) {
		j->timedout = 0;
		j->transient = 1;
		snprintf(j->why, sizeof(j->why), "%.80s timed out", j->cmd);
		acl_job_next(j);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(j->why, sizeof(j->why), "%.100s allowed", j->cmd);
		acl_job_finish(j, 1);
	} else {
		if (WIFEXITED(status))
			snprintf(j->why, sizeof(j->why), "%.100s exited %d",
			    j->cmd, WEXITSTATUS(status));
		else if (WIFSIGNALED(status)) {
			snprintf(j->why, sizeof(j->why), "%.100s killed by "
			    "signal %d", j->cmd, WTERMSIG(status));
			j->transient = 1;
		}
		acl_job_next(j);
	}
	acl_start();
	return (1);
}

/* The parent ends: every command with it. */
void
acl_run_killall(void)
{
	struct aclq_check	*c;
	struct acl_job		*j;

	TAILQ_FOREACH(c, &q.running, entry) {
		j = c->arg;
		if (j != NULL && j->pid > 0) {
			kill(-j->pid, SIGKILL);
			kill(j->pid, SIGKILL);
		}
	}
}
