/*
 * fixrand - a preload library for the tests: random numbers the test
 * chooses
 *
 *	LD_PRELOAD=build/tools/fixrand.so FIXRAND=N program ...
 *
 * pptp-linux (1.10) draws each call's Call ID from two bytes it reads
 * from /dev/random (and from rand() should that read fail or give 0), so
 * two real clients almost never share one.  With FIXRAND set to N
 * (1 to 65535), a program that opens /dev/random or /dev/urandom gets
 * instead the read end of a pipe holding N as a 16-bit number in host
 * byte order, 32 times over, then end of file; rand() and random() return
 * N, srand() and srandom() do nothing.  Without FIXRAND everything is
 * passed on untouched; a FIXRAND that is not such a number ends the
 * program at once (a test must not run on with random IDs).
 */

#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPEAT	32

/* FIXRAND's value, 0 if it is not set. */
static unsigned long
fixed(void)
{
	const char	*s;
	char		*end;
	unsigned long	 v;

	if ((s = getenv("FIXRAND")) == NULL)
		return (0);
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || v == 0 || v > 65535) {
		fprintf(stderr, "fixrand: FIXRAND=\"%s\" is not a number "
		    "from 1 to 65535\n", s);
		_exit(127);
	}
	return (v);
}

/* A pipe that reads as the value, over and over; its read end. */
static int
fixed_fd(uint16_t v, int flags)
{
	uint16_t	buf[REPEAT];
	int		p[2], i;

	for (i = 0; i < REPEAT; i++)
		buf[i] = v;
	if (pipe(p) == -1)
		return (-1);
	if (write(p[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		close(p[0]);
		close(p[1]);
		return (-1);
	}
	close(p[1]);
	if (flags & O_CLOEXEC)
		(void)fcntl(p[0], F_SETFD, FD_CLOEXEC);
	return (p[0]);
}

static int
is_random(const char *path)
{
	return (path != NULL && (strcmp(path, "/dev/random") == 0 ||
	    strcmp(path, "/dev/urandom") == 0));
}

static void *
next(const char *name)
{
	void	*f;

	if ((f = dlsym(RTLD_NEXT, name)) == NULL) {
		fprintf(stderr, "fixrand: no %s: %s\n", name, dlerror());
		_exit(127);
	}
	return (f);
}

/*
 * open(2) and open64(2), ap holding their mode: /dev/random and
 * /dev/urandom read as FIXRAND; anything else is opened by the real
 * function of that name.
 */
static int
open_fixed(const char *name, const char *path, int flags, va_list ap)
{
	int		(*o)(const char *, int, ...);
	unsigned long	v;
	mode_t		mode = 0;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		mode = (mode_t)va_arg(ap, int);
	if (is_random(path) && (v = fixed()) != 0)
		return (fixed_fd((uint16_t)v, flags));
	*(void **)&o = next(name);
	return (o(path, flags, mode));
}

int
open(const char *path, int flags, ...)
{
	va_list	ap;
	int	fd;

	va_start(ap, flags);
	fd = open_fixed("open", path, flags, ap);
	va_end(ap);
	return (fd);
}

int
open64(const char *path, int flags, ...)
{
	va_list	ap;
	int	fd;

	va_start(ap, flags);
	fd = open_fixed("open64", path, flags, ap);
	va_end(ap);
	return (fd);
}

static int (*real_rand)(void);
static long (*real_random)(void);
static void (*real_srand)(unsigned int);
static void (*real_srandom)(unsigned int);

int
rand(void)
{
	unsigned long	v;

	if ((v = fixed()) != 0)
		return ((int)v);
	if (real_rand == NULL)
		*(void **)&real_rand = next("rand");
	return (real_rand());
}

long
random(void)
{
	unsigned long	v;

	if ((v = fixed()) != 0)
		return ((long)v);
	if (real_random == NULL)
		*(void **)&real_random = next("random");
	return (real_random());
}

void
srand(unsigned int seed)
{
	if (fixed() != 0)
		return;
	if (real_srand == NULL)
		*(void **)&real_srand = next("srand");
	real_srand(seed);
}

void
srandom(unsigned int seed)
{
	if (fixed() != 0)
		return;
	if (real_srandom == NULL)
		*(void **)&real_srandom = next("srandom");
	real_srandom(seed);
}
