/*
 * os_path_search(): how the daemon finds its own binary where there is
 * no /proc (OpenBSD) when a shell started it through PATH: a bare name
 * is looked for in PATH's directories in order (an empty entry being the
 * working directory), skipping what is not an executable regular file; a
 * name with a slash is a path; the answer is absolute, links resolved.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os.h"
#include "check.h"

static char	top[PATH_MAX / 2];

static void
mkfile(const char *rel, mode_t mode)
{
	char	p[PATH_MAX];
	int	fd;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1) {
		perror(p);
		exit(2);
	}
	close(fd);
	chmod(p, mode);
}

static void
mkdir_in(const char *rel)
{
	char	p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	if (mkdir(p, 0755) == -1) {
		perror(p);
		exit(2);
	}
}

/* The expected answer: top/rel. */
static int
is(const char *got, const char *rel)
{
	char	want[PATH_MAX];

	if (got == NULL)
		return (rel == NULL);
	if (rel == NULL)
		return (0);
	snprintf(want, sizeof(want), "%s/%s", top, rel);
	return (strcmp(got, want) == 0);
}

int
main(void)
{
	char		 tmpl[] = "/tmp/test_selfpath.XXXXXX", path[3 * PATH_MAX];
	char		 buf[PATH_MAX], cwd[PATH_MAX], dir[PATH_MAX + 16];
	const char	*r;

	if (mkdtemp(tmpl) == NULL || realpath(tmpl, buf) == NULL ||
	    strlcpy(top, buf, sizeof(top)) >= sizeof(top)) {
		perror("mkdtemp");
		return (2);
	}
	mkdir_in("a");
	mkdir_in("b");
	mkdir_in("c");
	mkdir_in("d");
	mkdir_in("d/pptpproxy");		/* a directory of that name */
	mkfile("a/pptpproxy", 0644);		/* not executable */
	mkfile("b/pptpproxy", 0755);
	mkfile("c/pptpproxy", 0755);
	mkfile("c/other", 0755);
	snprintf(dir, sizeof(dir), "%s/c/link", top);
	if (symlink("../b/pptpproxy", dir) == -1) {
		perror("symlink");
		return (2);
	}

	/* The first executable file in PATH order wins. */
	snprintf(path, sizeof(path), "%s/d:%s/a:%s/b:%s/c", top, top, top,
	    top);
	r = os_path_search("pptpproxy", path, buf);
	CHECK(is(r, "b/pptpproxy"), "bare name: the first executable in "
	    "PATH, not a directory or a file without x (%s)", r ? r : "NULL");

	snprintf(path, sizeof(path), "%s/c:%s/b", top, top);
	r = os_path_search("pptpproxy", path, buf);
	CHECK(is(r, "c/pptpproxy"), "PATH order is kept (%s)",
	    r ? r : "NULL");

	snprintf(path, sizeof(path), "%s/a:%s/d", top, top);
	r = os_path_search("pptpproxy", path, buf);
	CHECK(r == NULL, "nothing executable in PATH: NULL");

	snprintf(path, sizeof(path), "/nonexistent::%s/c/", top);
	r = os_path_search("link", path, buf);
	CHECK(is(r, "b/pptpproxy"), "a symbolic link is resolved, a "
	    "trailing slash is fine (%s)",
	    r ? r : "NULL");

	/* An empty entry is the working directory. */
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return (2);
	snprintf(dir, sizeof(dir), "%s/c", top);
	if (chdir(dir) == -1)
		return (2);
	r = os_path_search("other", "/nonexistent:", buf);
	CHECK(is(r, "c/other"), "an empty PATH entry is the working "
	    "directory (%s)", r ? r : "NULL");
	r = os_path_search("other", "/nonexistent", buf);
	CHECK(r == NULL, "without it, the working directory is not searched");

	/* A name with a slash is a path, PATH is not used. */
	r = os_path_search("./pptpproxy", "/nonexistent", buf);
	CHECK(is(r, "c/pptpproxy"), "./name is made absolute (%s)",
	    r ? r : "NULL");
	r = os_path_search("../b/pptpproxy", NULL, buf);
	CHECK(is(r, "b/pptpproxy"), "a relative path is made absolute (%s)",
	    r ? r : "NULL");
	r = os_path_search("./missing", path, buf);
	CHECK(r == NULL, "a path that does not exist: NULL");
	if (chdir(cwd) == -1)
		return (2);

	CHECK(os_path_search("", path, buf) == NULL, "an empty name: NULL");
	CHECK(os_path_search(NULL, path, buf) == NULL, "no name: NULL");
	CHECK(os_path_search("pptpproxy", NULL, buf) == NULL,
	    "a bare name and no PATH: NULL");

	/* The daemon itself, as a shell would start it. */
	snprintf(path, sizeof(path), "/nonexistent:%s/b", top);
	setenv("PATH", path, 1);
	r = os_self_path("pptpproxy");
	CHECK(r != NULL && r[0] == '/', "os_self_path finds an absolute "
	    "path (%s)", r ? r : "NULL");

	snprintf(dir, sizeof(dir), "rm -rf '%s'", top);
	setenv("PATH", "/usr/bin:/bin", 1);
	(void)system(dir);
	CHECK_DONE();
}
