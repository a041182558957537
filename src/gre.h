/*
 * The GRE forwarder's table, indexed by the Call ID pptpproxy presented:
 * one lookup per packet.
 */

#ifndef GRE_H
#define GRE_H

#include <sys/types.h>

#include <netinet/in.h>

#include <stdint.h>

struct gre_route;
struct rtable;

struct gre_route_ent {
	uint64_t	 packets;
	uint64_t	 bytes;
	uint64_t	 dropped;	/* right key, wrong source */
	uint64_t	 kpackets;	/* the kernel's count (gre offload) */
	uint64_t	 sess;
	uint32_t	 call;
	struct in_addr	 from;		/* the only source accepted */
	struct in_addr	 to;
	struct in_addr	 src;		/* our address towards `to` */
	struct in_addr	 dst;		/* our address `from` sends to */
	uint16_t	 newkey;
	uint8_t		 used;
	uint8_t		 active;	/* a packet since the last sweep */
	uint8_t		 offload;	/* handed to the kernel (requested) */
	uint8_t		 toside;
	uint32_t	 proxy_id;	/* passed on to the parent */
	uint64_t	 kbytes;	/* the kernel's count (gre offload) */
	uint8_t		 tunnel;	/* TUN_ROUTE_*, 0: not tunnelled */
	uint64_t	 token;		/* its session's tunnel */
	uint32_t	 gen;		/* in the shared table, when taken */
};

struct gre_table {
	struct gre_route_ent	*routes;	/* [65536], our own copies */
	/*
	 * The routes the relay writes (rtable.h), NULL: only what
	 * gre_table_add() put in routes.  A route is taken from it (checked,
	 * copied into routes) at its first packet, and dropped when its
	 * generation there changes.
	 */
	struct rtable		*rt;
	/*
	 * Sharded forwarders (relays N): this one's Call IDs, its relay's.
	 * A route of another key in rt is never taken (its counts there
	 * are not this process's to write).  0: every key is.
	 */
	int			 sharded;
	uint16_t		 klo, khi;
	uint64_t		 routes_refused;	/* failed the checks */
	unsigned int		 nroutes;
	uint64_t		 forwarded;
	uint64_t		 drop_bad;
	uint64_t		 drop_unknown;
	uint64_t		 drop_spoofed;
	uint64_t		 recv_errors;
	uint64_t		 send_errors;
	uint64_t		 fwd_bytes;	/* of the packets forwarded */
	/*
	 * gre offload: a route is handed to the kernel once it has carried
	 * offload_after packets (0: never); its key is queued here, for the
	 * caller to send on after the batch.
	 */
	unsigned int		 offload_after;
	unsigned int		 noffloaded;	/* routes handed over */
	uint16_t		*offq;
	unsigned int		 noffq;
	unsigned int		 offq_max;
	uint64_t		 drop_dst;	/* right key, not sent to dst */
	/* tunnels between two pptpproxies: datagrams dropped */
	uint64_t		 tun_drop_bad;	/* header or length */
	uint64_t		 tun_drop_token; /* no tunnel has that token */
	uint64_t		 tun_drop_wrong; /* not a call of its session */
	uint64_t		 tun_drop_tcp;	/* the relay's channel full */
	uint64_t		 tun_drop_nopeer; /* peer's address not known */
	uint64_t		 tun_in, tun_out;
};

struct gre_route_ent *gre_translate(struct gre_table *, uint8_t *, size_t,
		    uint8_t **, size_t *);
int		 gre_table_add(struct gre_table *, const struct gre_route *);
/* A GRE packet that came through a tunnel with token; NULL: drop. */
struct gre_route_ent *gre_tun_translate(struct gre_table *, uint64_t,
		    uint8_t *, size_t);
struct gre_route_ent *gre_table_del(struct gre_table *, uint64_t, uint16_t);
/* The shared table's entry of key taken again; -1: being written. */
int		 gre_table_sync(struct gre_table *, uint16_t);
void		 gre_table_sync_all(struct gre_table *);
/* 0: the forwarder may use the route; -1, why says why not. */
int		 gre_route_check(const struct gre_route *, char *, size_t);

#endif /* GRE_H */
