/*
 * Linux and OpenBSD differences outside the sandbox (see sandbox.c for
 * the rest).
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <netinet/in.h>
#include <netinet/ip.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <ifaddrs.h>
#endif

#include "os.h"

#define GRE_SOCKBUF	(8 * 1024 * 1024)

void
os_closefrom(int lowfd)
{
#ifdef __OpenBSD__
	closefrom(lowfd);
#else
	/* libbsd has closefrom(); prefer the kernel's when there. */
#ifdef SYS_close_range
	if (syscall(SYS_close_range, lowfd, ~0U, 0) == 0)
		return;
#endif
	closefrom(lowfd);
#endif
}

/* Before anything else in main(): room for process titles. */
void
os_proctitle_init(int argc, char *argv[], char *envp[])
{
#ifndef __OpenBSD__
	setproctitle_init(argc, argv, envp);
#endif
}

/* The path to exec ourselves with. */
const char *
os_self_path(const char *argv0)
{
#ifdef __OpenBSD__
	static char	path[PATH_MAX];

	/* OpenBSD has no /proc: argv[0] must name us. */
	if (argv0 == NULL || realpath(argv0, path) == NULL)
		return (NULL);
	return (path);
#else
	static char	path[PATH_MAX];
	ssize_t		n;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0) {
		if (argv0 == NULL || realpath(argv0, path) == NULL)
			return (NULL);
		return (path);
	}
	path[n] = '\0';
	return (path);
#endif
}

int
os_gre_socket(void)
{
	int	fd, sz = GRE_SOCKBUF;

	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_GRE);
	if (fd == -1)
		return (-1);
#ifdef SO_RCVBUFFORCE
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
#endif
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
#ifdef SO_SNDBUFFORCE
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) == -1)
#endif
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
#ifdef IP_MTU_DISCOVER
	{
		/* Let the kernel fragment what does not fit, as a router. */
		int pmtu = IP_PMTUDISC_DONT;

		(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
		    sizeof(pmtu));
	}
#endif
	return (fd);
}

size_t
os_srcaddr_space(void)
{
#ifdef IP_PKTINFO
	return (CMSG_SPACE(sizeof(struct in_pktinfo)));
#else
	return (CMSG_SPACE(sizeof(struct in_addr)));
#endif
}

/* Fill msg's control buffer (os_srcaddr_space() bytes) with src. */
void
os_srcaddr_set(struct msghdr *msg, void *buf, struct in_addr src)
{
	struct cmsghdr	*cm;

	msg->msg_control = buf;
	msg->msg_controllen = os_srcaddr_space();
	cm = CMSG_FIRSTHDR(msg);
	cm->cmsg_level = IPPROTO_IP;
#ifdef IP_PKTINFO
	{
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = src;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
#else
	cm->cmsg_type = IP_SENDSRCADDR;
	cm->cmsg_len = CMSG_LEN(sizeof(src));
	memcpy(CMSG_DATA(cm), &src, sizeof(src));
#endif
}

/*
 * Linux clones an accepted socket from its listener, TCP_NODELAY,
 * SO_KEEPALIVE, the keepalive timers and TCP_USER_TIMEOUT included, so
 * setting them once on the listener saves system calls per connection.
 * Elsewhere they are set on each accepted socket.
 */
int
os_accept_keeps_sockopts(void)
{
#ifdef __linux__
	return (1);
#else
	return (0);
#endif
}

/*
 * glibc keeps freed memory in its heap, so a daemon that once held many
 * sessions would keep their memory resident; malloc_trim(3) returns the
 * free pages.  OpenBSD's malloc(3) unmaps free pages by itself.
 */
void
os_memory_trim(void)
{
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

int
os_listen_freebind(int fd)
{
#ifdef IP_FREEBIND
	int	one = 1;

	return (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)));
#else
	/* OpenBSD's SO_BINDANY is for pf divert-to, not for this. */
	(void)fd;
	errno = ENOPROTOOPT;
	return (-1);
#endif
}

/*
 * Linux refuses a hard limit above fs.nr_open; OpenBSD lowers one above
 * kern.maxfilesperproc to it by itself.
 */
rlim_t
os_nofile_max(void)
{
#ifdef __linux__
	FILE			*f;
	unsigned long long	 n = 0;

	if ((f = fopen("/proc/sys/fs/nr_open", "r")) != NULL) {
		if (fscanf(f, "%llu", &n) != 1)
			n = 0;
		fclose(f);
	}
	return (n > 0 ? (rlim_t)n : 0);
#else
	return (RLIM_INFINITY);
#endif
}

/*
 * The host's IPv4 addresses, in a new array (*n of them); -1 on error.
 * Only gre offload asks (guard.c), and it exists on Linux only: elsewhere
 * there is nothing to read them for, and OpenBSD's parent would need
 * another pledge(2) promise to.
 */
int
os_host_addrs(struct in_addr **out, size_t *n)
{
#ifdef __linux__
	struct ifaddrs		*ifa, *i;
	struct in_addr		*a;
	size_t			 k = 0;

	*out = NULL;
	*n = 0;
	if (getifaddrs(&ifa) == -1)
		return (-1);
	for (i = ifa; i != NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET)
			k++;
	if ((a = calloc(k > 0 ? k : 1, sizeof(*a))) == NULL) {
		freeifaddrs(ifa);
		return (-1);
	}
	k = 0;
	for (i = ifa; i != NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET)
			memcpy(&a[k++], &((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr, sizeof(a[0]));
	freeifaddrs(ifa);
	*out = a;
	*n = k;
	return (0);
#else
	*out = NULL;
	*n = 0;
	errno = EOPNOTSUPP;
	return (-1);
#endif
}
