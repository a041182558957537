/*
 * A dotted IPv4 address written in a test as an in_addr; a typo in the
 * test ends it at once rather than testing 0.0.0.0.  Shared by the unit
 * tests and the fuzz targets that name addresses.
 */

#ifndef ADDR_H
#define ADDR_H

#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>

static inline struct in_addr
A(const char *s)
{
	struct in_addr	a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return (a);
}

#endif
