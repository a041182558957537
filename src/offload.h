/*
 * GRE offload: the kernel forwards the GRE of calls the relay set up,
 * programmed by the parent through nf_tables set elements (Linux only).
 * The GRE forwarder keeps every route and handles what the kernel does
 * not take (fragments, packets before the elements are in, calls whose
 * elements could not be added).
 */

#ifndef OFFLOAD_H
#define OFFLOAD_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define OFFLOAD_TABLE		"pptpproxy"	/* nft table, family ip */

/* Needs pptpproxy.h first (struct gre_route, struct gre_stats). */

/* gre -> parent: IMSG_OFFLOAD_DEL, the route and what user space counted */
struct offload_del {
	struct gre_route	 route;
	struct gre_stats	 stats;
};

/* parent -> gre: IMSG_OFFLOAD_COUNTS carries an array of these */
struct offload_count {
	uint64_t		 packets;
	uint64_t		 bytes;
	uint64_t		 sess;
	uint16_t		 key;
};
#define OFFLOAD_COUNTS_MAX	256	/* per message, within MAX_IMSGSIZE */

/* Parent side. */
int		 offload_start(char *, size_t);
int		 offload_active(void);
void		 offload_stop(void);
int		 offload_add(const struct gre_route *);
void		 offload_del(uint64_t, uint16_t, uint64_t *, uint64_t *);
int		 offload_poll(void (*)(const struct offload_count *,
		    unsigned int, int, void *), void *);
unsigned int	 offload_count(void);
const char	*offload_ruleset(void);

/*
 * Netlink messages, byte work only, for the unit tests: build the batch
 * that adds (del == 0) or deletes a route's elements; parse replies,
 * calling back with each element's key and counter.  offload_parse()
 * returns 1 when the reply is complete (NLMSG_DONE or an error), 0 when
 * more may come, -1 on a malformed reply; the negated error number the
 * kernel reported goes in *err, the acknowledgements (errors 0) it read
 * in *acks.
 */
size_t		 offload_msg_route(uint8_t *, size_t, uint32_t,
		    const struct gre_route *, int);
int		 offload_parse(const uint8_t *, size_t,
		    void (*)(const uint8_t *, size_t, uint64_t, uint64_t,
		    void *), void *, int *, int *);

#endif /* OFFLOAD_H */
