/*
 * Tunnels between two pptpproxies (pptpproxy(8), TUNNELLING BETWEEN TWO
 * PROXIES): the records on the control connection, the UDP datagram
 * header, and what the control relay and the GRE forwarder tell each
 * other about a tunnel.  The codec in tunnel.c does no I/O.
 */

#ifndef TUNNEL_H
#define TUNNEL_H

#include <sys/types.h>

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

/*
 * Records on the TCP control connection, framed as a PPTP message header:
 *	Length (2), PPTP Message Type (2) = TUN_MSGTYPE, Magic Cookie (4),
 *	record type (2), reserved (2), then the payload.
 * A PPTP peer uses Message Types 1 and 2 only.
 */
#define TUN_MSGTYPE	0x5050
#define TUN_REC_HDR	12
#define TUN_REC_HELLO	1	/* version, flags, UDP port, token */
#define TUN_REC_DATA	2	/* one GRE packet */
#define TUN_REC_TCP	3	/* from now on GRE comes in records */
#define TUN_HELLO_LEN	24
#define TUN_VERSION	1
#define TUN_F_TCP	0x01	/* can carry GRE in records */

/*
 * UDP datagrams: magic (2) "PT", version (1), type (1), reserved (4, 0),
 * token (8), then for data one GRE packet, whole.  Between the GRE
 * forwarder and the control relay (TCP fallback) a packet is such a
 * datagram, one a message; towards the relay the session's number
 * (uint64_t, host order) comes first.
 */
#define TUN_DG_HDR	16
#define TUN_DG_MAGIC	0x5054
#define TUN_DG_DATA	1
#define TUN_DG_KEEPALIVE 2
#define TUN_DG_ANSWER	3	/* to a keepalive */
#define TUN_GRE_MAX	16384	/* largest GRE packet carried */
#define TUN_SOCKS_MAX	64	/* UDP sockets of the GRE forwarder */
#define TUN_REC_MAX	(TUN_REC_HDR + TUN_GRE_MAX)

struct tun_hello {
	uint8_t		 version;
	uint8_t		 flags;
	uint16_t	 udp_port;	/* host order; 0 from A */
	uint64_t	 token;		/* 0 from A */
};

/* Whether avail bytes (at least 4) begin a record rather than PPTP. */
int		 tun_is_record(const uint8_t *, size_t);
/* As pptp_frame(): PPTP_NEED, PPTP_WHOLE (*reclen, *type) or PPTP_BAD. */
int		 tun_rec_frame(const uint8_t *, size_t, size_t *,
		    unsigned int *, const char **);
/* A record header for payload bytes; 0 if it does not fit. */
size_t		 tun_rec_hdr(uint8_t *, size_t, unsigned int, size_t);
size_t		 tun_build_hello(uint8_t *, size_t, const struct tun_hello *);
/* A whole hello record; -1 (and *err) if it is not a good one. */
int		 tun_parse_hello(const uint8_t *, size_t, struct tun_hello *,
		    const char **);
void		 tun_dg_hdr(uint8_t *, unsigned int, uint32_t, uint64_t);
/* A datagram's header; -1 if bad (length, magic, version, type). */
int		 tun_dg_parse(const uint8_t *, size_t, unsigned int *,
		    uint32_t *, uint64_t *);

/* What the control relay and the GRE forwarder say about a tunnel. */
#define TUN_ROLE_A	1	/* we sent the hello: the server side */
#define TUN_ROLE_B	2	/* we answered it: the client side */
#define TUN_MODE_UDP	1
#define TUN_MODE_TCP	2
#define TUN_ROUTE_OUT	1	/* gre_route.tunnel: to the tunnel peer */
#define TUN_ROUTE_IN	2	/* from it: only through the tunnel */

struct tun_conf {
	uint64_t		 sess;
	uint64_t		 token;
	uint8_t			 role;
	struct sockaddr_in	 peer;	/* A: B's UDP address; B: A's */
	struct sockaddr_in	 local;	/* B: the UDP socket's address */
	int			 keepalive;	/* seconds */
};
struct tun_key {
	uint64_t		 sess;
	uint64_t		 token;
};
struct tun_state {
	uint64_t		 sess;
	uint64_t		 token;
	uint8_t			 mode;		/* TUN_MODE_* */
	uint8_t			 answered;	/* UDP came from the peer */
	uint8_t			 failed;	/* no UDP socket for it */
	uint8_t			 closed;	/* a reload closed its socket */
	struct sockaddr_in	 peer;		/* its current address */
	uint64_t		 dropped;	/* TCP: GRE to the peer dropped,
						   the relay's channel full */
};

#endif /* TUNNEL_H */
