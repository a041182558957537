/*
 * What the configuration names must exist on this system: the user the
 * children run as, their chroot directory, the control socket's
 * directory (and the restricted one's, with its group), the acl-command
 * user and the ACL commands.  "pptpproxy -t" and every start check it before anything
 * forks, so that a missing piece is said on standard error at once, with
 * the way to fix it, rather than by a child dying in the background.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pptpproxy.h"
#include "os.h"

#define ACL_MAX_ARGS	32		/* as parent.c runs them */

#ifdef __OpenBSD__
#define NOLOGIN		"/sbin/nologin"
#else
#define NOLOGIN		"/usr/sbin/nologin"
#endif

static void	say(check_report_fn, int, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));

static void
say(check_report_fn report, int warn, const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(warn, msg);
}

/*
 * The user the children run as.  A user the configuration names must
 * exist.  The default one may be missing where the daemon was never
 * installed (a build directory): then the children run as "nobody", as
 * they always did, with a warning that says how to make the real one.
 */
static int
check_user(const struct pptpproxy_conf *conf, check_report_fn report)
{
	struct passwd	*pw;

	if ((pw = getpwnam(conf->user)) == NULL) {
		if (!conf->user_given &&
		    strcmp(conf->user, PPTPPROXY_USER) == 0 &&
		    (pw = getpwnam(PPTPPROXY_USER_FALLBACK)) != NULL) {
			say(report, 1, "user %s does not exist: the children "
			    "run as %s; create %s (useradd -s %s -d %s %s)",
			    conf->user, PPTPPROXY_USER_FALLBACK, conf->user,
			    NOLOGIN, conf->chroot, conf->user);
		} else {
			say(report, 0, "user %s does not exist: create it "
			    "(useradd -s %s -d %s %s) or name another with "
			    "\"user\"", conf->user, NOLOGIN, conf->chroot,
			    conf->user);
			return (-1);
		}
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		say(report, 0, "user %s has user or group id 0: the children "
		    "need an unprivileged user", pw->pw_name);
		return (-1);
	}
	return (0);
}

/* As proc_drop() wants it: a directory, root's, writable by root only. */
static int
check_chroot(const struct pptpproxy_conf *conf, check_report_fn report)
{
	struct stat	st;

	if (stat(conf->chroot, &st) == -1) {
		if (errno == ENOENT)
			say(report, 0, "chroot directory %s does not exist: "
			    "create it (mkdir -m 0755 %s, owned by root)",
			    conf->chroot, conf->chroot);
		else
			say(report, 0, "chroot directory %s: %s",
			    conf->chroot, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(st.st_mode)) {
		say(report, 0, "chroot directory %s is not a directory",
		    conf->chroot);
		return (-1);
	}
	if (st.st_uid != 0) {
		say(report, 0, "chroot directory %s is owned by user id %u, "
		    "not root: chown root %s", conf->chroot,
		    (unsigned int)st.st_uid, conf->chroot);
		return (-1);
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		say(report, 0, "chroot directory %s is writable by group or "
		    "others: chmod go-w %s", conf->chroot, conf->chroot);
		return (-1);
	}
	return (0);
}

/*
 * The control socket's directory: it must exist (the parent binds the
 * socket there as root, after the checks), and no one but root may
 * replace what is in it: a user who could rename the socket and put his
 * own in its place would answer pptpproxyctl.  A directory anyone may
 * write with the sticky bit (/tmp) only lets another user take the name
 * while no daemon runs: a warning.
 */
static int
check_ctl_dir(const char *path, int restricted, check_report_fn report)
{
	const char	*what = restricted ? "restricted control socket" :
			    "control socket";
	char		 dir[PPTPPROXY_SOCKET_MAX];
	char		*slash;
	struct stat	 st;

	strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) == NULL)
		return (0);		/* the parser wants an absolute path */
	if (slash == dir)
		slash++;
	*slash = '\0';
	if (stat(dir, &st) == -1) {
		if (errno == ENOENT)
			say(report, 0, "%s directory %s does not exist: "
			    "create it (mkdir -m 0755 %s, owned by root) or "
			    "name another socket (%s)", what, dir, dir,
			    restricted ? "\"control socket ... restricted\"" :
			    "-s, \"control socket\"");
		else
			say(report, 0, "%s directory %s: %s", what, dir,
			    strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(st.st_mode)) {
		say(report, 0, "%s directory %s is not a directory", what,
		    dir);
		return (-1);
	}
	if (st.st_uid != 0) {
		say(report, 0, "%s directory %s is owned by user id %u, not "
		    "root: chown root %s, or name another socket", what, dir,
		    (unsigned int)st.st_uid, dir);
		return (-1);
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		say(report, 0, "%s directory %s is writable by group or "
		    "others: chmod go-w %s, or name another socket", what, dir,
		    dir);
		return (-1);
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		say(report, 1, "%s directory %s is writable by others "
		    "(sticky): another user can take the name %s while no "
		    "pptpproxy runs", what, dir, path);
	/*
	 * A read-only mount (a service manager's view of the system); -t
	 * run by another user than root is told of nothing else here.
	 */
	if (access(dir, W_OK) == -1 && (errno == EROFS || geteuid() == 0)) {
		say(report, 0, "%s directory %s: the daemon could not make "
		    "the socket there: %s", what, dir, strerror(errno));
		return (-1);
	}
	return (0);
}

/*
 * The restricted control socket: its directory as the full one's, its
 * group must exist; a mode that lets others connect is said.
 */
static int
check_ctl_restricted(const struct pptpproxy_conf *conf,
    check_report_fn report)
{
	gid_t	gid;
	int	bad = 0;

	if (conf->ctl_rsocket[0] == '\0')
		return (0);
	if (check_ctl_dir(conf->ctl_rsocket, 1, report) == -1)
		bad = 1;
	if (ctl_group(conf, &gid) == -1) {
		say(report, 0, "restricted control socket %s: group %s does "
		    "not exist: create it (groupadd %s) or name another",
		    conf->ctl_rsocket, conf->ctl_rgroup, conf->ctl_rgroup);
		bad = 1;
	}
	if (conf->ctl_rmode & S_IWOTH)
		say(report, 1, "restricted control socket %s: mode 0%03o lets "
		    "every local user see the sessions", conf->ctl_rsocket,
		    conf->ctl_rmode);
	return (bad ? -1 : 0);
}

/*
 * The program of an ACL command: its first word, as the parent splits
 * it, an absolute path (the parser refuses others; no PATH is searched).
 */
static int
check_cmd(const char *cmd, check_report_fn report)
{
	char		 buf[PPTPPROXY_MAX_CMD];
	char		*argv[ACL_MAX_ARGS + 2];
	struct stat	 st;

	strlcpy(buf, cmd, sizeof(buf));
	if (acl_split_cmd(buf, argv, ACL_MAX_ARGS) <= 0) {
		say(report, 0, "acl command \"%s\": no program to run", cmd);
		return (-1);
	}
	if (argv[0][0] != '/') {
		say(report, 0, "acl command \"%s\": %s is not an absolute "
		    "path", cmd, argv[0]);
		return (-1);
	}
	if (stat(argv[0], &st) == -1) {
		say(report, 0, "acl command \"%s\": %s: %s", cmd, argv[0],
		    strerror(errno));
		return (-1);
	}
	/* "-t" by another user than root: the mode bits only. */
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0 ||
	    (geteuid() == 0 && access(argv[0], X_OK) == -1)) {
		say(report, 0, "acl command \"%s\": %s is not an executable "
		    "file", cmd, argv[0]);
		return (-1);
	}
	return (0);
}

/*
 * Several relays: what the system cannot do, and the proxies that relay
 * 0 serves alone (warnings: the daemon runs, as it says).
 */
static void
check_relays(const struct pptpproxy_conf *conf, check_report_fn report)
{
	const struct proxy_conf	*pc;
	unsigned int		 n = conf->relays;

	if (n == 0)
		n = os_relays_auto();
	if (n > os_relays_max()) {
		say(report, 1, "relays %u: this system cannot spread "
		    "connections over several relays: one relay runs", n);
		return;
	}
	if (n < 2)
		return;
	TAILQ_FOREACH(pc, &conf->proxies, entry)
		if (pc->tunnel || !TAILQ_EMPTY(&pc->tun_subnets) ||
		    !TAILQ_EMPTY(&conf->tun_subnets))
			say(report, 1, "proxy %s: it has tunnels: relay 0 "
			    "alone takes its connections, not all %u relays",
			    pc->name, n);
}

int
check_system(const struct pptpproxy_conf *conf, check_report_fn report)
{
	const struct proxy_conf	*pc;
	const struct acl_cmd	*cmd;
	int			 bad = 0;

	if (check_user(conf, report) == -1)
		bad++;
	if (check_chroot(conf, report) == -1)
		bad++;
	if (check_ctl_dir(conf->ctl_socket, 0, report) == -1)
		bad++;
	if (check_ctl_restricted(conf, report) == -1)
		bad++;
	check_relays(conf, report);
	if (conf->acl_user[0] != '\0' && getpwnam(conf->acl_user) == NULL) {
		say(report, 0, "acl-command user %s does not exist",
		    conf->acl_user);
		bad++;
	}
	TAILQ_FOREACH(cmd, &conf->cmds, entry)
		if (check_cmd(cmd->cmd, report) == -1)
			bad++;
	TAILQ_FOREACH(pc, &conf->proxies, entry)
		TAILQ_FOREACH(cmd, &pc->cmds, entry)
			if (check_cmd(cmd->cmd, report) == -1)
				bad++;
	return (bad ? -1 : 0);
}
