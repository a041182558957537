/*
 * The parent's bookkeeping of ACL checks: how many run, in all and per
 * client address, which wait, each relay's share of them, which relay's
 * check has the next free slot, and the verdicts kept for a while.  No
 * fork, no event loop: aclrun.c starts and ends the commands.
 */

#ifndef ACLQ_H
#define ACLQ_H

#include <sys/types.h>
#include <sys/queue.h>

#include <netinet/in.h>

#include <stdint.h>
#include <time.h>

#include "pptp.h"		/* RELAYS_MAX */

#define ACLQ_WAIT_FACTOR	4	/* besides the running: 4 x the limit */
#define ACLQ_CACHE_MAX		4096	/* verdicts kept, the oldest go */
#define ACLQ_BUCKETS		1024

struct aclq_check;

/* One request of the control relay: a session waiting for a verdict. */
struct aclq_req {
	TAILQ_ENTRY(aclq_req)	 entry;
	uint64_t		 reqid;		/* the session number */
	unsigned int		 relay;		/* the relay that asked */
};
TAILQ_HEAD(aclq_reqs, aclq_req);

/* One run of a proxy's commands for one client address. */
struct aclq_check {
	TAILQ_ENTRY(aclq_check)	 entry;		/* running or queued */
	uint32_t		 proxy_id;
	struct in_addr		 client;
	unsigned int		 relay;		/* its first request's */
	int			 running;
	int			 orphan;	/* running for no one: killed */
	int			 sealed;	/* joined by no new request */
	unsigned int		 nreq;
	struct aclq_reqs	 reqs;		/* answered by its verdict */
	void			*arg;		/* the runner's */
};
TAILQ_HEAD(aclq_checks, aclq_check);

/* A verdict kept until `expires`. */
struct aclq_cent {
	LIST_ENTRY(aclq_cent)	 hash;
	TAILQ_ENTRY(aclq_cent)	 age;		/* oldest first */
	uint32_t		 proxy_id;
	struct in_addr		 client;
	time_t			 expires;
	int			 allow;
	char			 why[128];
};
LIST_HEAD(aclq_bucket, aclq_cent);
TAILQ_HEAD(aclq_ages, aclq_cent);

/*
 * Requests not answered yet, in all: at most limit x (1 +
 * ACLQ_WAIT_FACTOR); of one relay of n: at most share, that bound / n
 * rounded up; of one relay for one address: per_addr x (1 +
 * ACLQ_WAIT_FACTOR).  A free slot goes to the relays in turn
 * (aclq_next()).
 */
struct aclq {
	unsigned int		 limit;		/* running at once, in all */
	unsigned int		 per_addr;	/* the same, one address */
	int			 cache_secs;	/* 0: no cache, no joining */
	unsigned int		 nrelays;
	unsigned int		 share;		/* of a relay, waiting or not */
	unsigned int		 nrunning;
	unsigned int		 nreq;		/* requests not answered yet */
	unsigned int		 byrelay[RELAYS_MAX];	/* the same, by relay */
	unsigned int		 last;		/* relay given the last slot */
	struct aclq_checks	 running;
	struct aclq_checks	 queued;
	struct aclq_bucket	 buckets[ACLQ_BUCKETS];
	struct aclq_ages	 ages;
	unsigned int		 ncache;
	unsigned int		 cache_max;
};

/* aclq_add() */
#define ACLQ_QUEUED	0	/* waits for a check of its own */
#define ACLQ_JOINED	1	/* answered with a check already there */
#define ACLQ_FULL	2	/* refuse it: too many wait (why says) */
#define ACLQ_SHARE	3	/* refuse it: its relay has its share */
#define ACLQ_NOMEM	4

/* aclq_cancel() */
#define ACLQ_UNKNOWN	0	/* no such request */
#define ACLQ_DROPPED	1	/* forgotten; nothing else to do */
#define ACLQ_ORPHAN	2	/* its running check now serves no one */

void	aclq_init(struct aclq *, unsigned int);
void	aclq_set(struct aclq *, unsigned int, unsigned int, int);
int	aclq_add(struct aclq *, uint64_t, unsigned int, uint32_t,
	    struct in_addr, const char **);
struct aclq_check *aclq_next(struct aclq *);
int	aclq_cancel(struct aclq *, uint64_t, struct aclq_check **);
int	aclq_cancel_relay(struct aclq *, unsigned int, struct aclq_check **);
struct aclq_req *aclq_take(struct aclq *, struct aclq_check *);
void	aclq_done(struct aclq *, struct aclq_check *);
unsigned int aclq_running_for(const struct aclq *, struct in_addr);
unsigned int aclq_waiting(const struct aclq *);

int	aclq_cache_get(struct aclq *, uint32_t, struct in_addr, time_t,
	    int *, char *, size_t);
void	aclq_cache_put(struct aclq *, uint32_t, struct in_addr, time_t, int,
	    const char *);
void	aclq_cache_flush(struct aclq *);

/* aclrun.c: the parent runs the commands */
struct event_base;
struct imsgev;
struct acl_req;
struct pptpproxy_conf;
/* The relays' channels, by index (relay_of_sess() of a request). */
void	acl_run_init(struct event_base *, struct imsgev **, unsigned int);
void	acl_run_conf(struct pptpproxy_conf *);
void	acl_run_request(const struct acl_req *);
void	acl_run_cancel(uint64_t);
void	acl_run_relay_gone(unsigned int);
int	acl_run_reaped(pid_t, int);
void	acl_run_killall(void);

#endif /* ACLQ_H */
