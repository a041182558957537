/*
 * What OpenBSD's <unistd.h> declares and Linux's does not, for the
 * OpenBSD syntax check (regress/port/openbsd.sh).
 */
int	pledge(const char *, const char *);
int	unveil(const char *, const char *);
int	shm_mkstemp(char *);
