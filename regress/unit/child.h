/*
 * in_child(fn, arg): run fn(arg) in a child process with no core file
 * and SIGSEGV and SIGBUS at their defaults (whatever a sanitizer set),
 * for a write that must kill it.  Returns the signal the child died of,
 * 0 if it returned, -1 if it exited otherwise or could not be waited for.
 */

#ifndef CHILD_H
#define CHILD_H

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
in_child(void (*fn)(void *), void *arg)
{
	struct rlimit		rl = { 0, 0 };
	struct sigaction	sa;
	pid_t			pid;
	int			st;

	fflush(stdout);
	if ((pid = fork()) == -1)
		abort();
	if (pid == 0) {
		(void)setrlimit(RLIMIT_CORE, &rl);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		(void)sigaction(SIGSEGV, &sa, NULL);
		(void)sigaction(SIGBUS, &sa, NULL);
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) == -1)
		return (-1);
	if (WIFSIGNALED(st))
		return (WTERMSIG(st));
	return (WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1);
}

#endif /* CHILD_H */
