/*
 * What the parent accepts from its children (guard.c).
 */

#ifndef GUARD_H
#define GUARD_H

#include <sys/types.h>

#include <netinet/in.h>

#include <stddef.h>
#include <time.h>

/* Needs pptpproxy.h first (struct pptpproxy_conf, struct gre_route). */

#define GUARD_POLICIES		256	/* proxies' route rules remembered */

/* guard_route() */
#define GUARD_OK		0	/* the kernel may take it */
#define GUARD_BAD		(-1)	/* no configuration allows it */
#define GUARD_UNSURE		1	/* refuse, but it may be honest */

void	guard_conf(const struct pptpproxy_conf *);
int	guard_route(const struct gre_route *, char *, size_t);
/* The same without our own addresses' checks (the GRE forwarder's). */
int	guard_route_ends(const struct gre_route *, char *, size_t);
void	guard_clear(void);
/* 1: the host has this address, 0: it has not, -1: not known now */
int	guard_local(struct in_addr);
void	guard_forget_addrs(void);

#endif /* GUARD_H */
