/*
 * netns_own(): the calling process in a network namespace of its own,
 * with its loopback up (root; Linux), so that a test's sockets reach
 * nothing but each other.  0, or -1 with errno set where it cannot.
 */

#ifndef NETNS_H
#define NETNS_H

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <net/if.h>

#include <sched.h>
#include <string.h>
#include <unistd.h>

static int
netns_own(void)
{
	struct ifreq	ifr;
	int		s, rc;

	if (unshare(CLONE_NEWNET) == -1)
		return (-1);
	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return (-1);
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name) - 1);
	rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return (rc);
}

#endif
