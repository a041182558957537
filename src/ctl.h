/*
 * The control socket's messages, shared by the daemon (ctl.c) and
 * pptpproxyctl(8).  A request is one imsg of a CTL_REQ_* type; the answer
 * is a stream of rows, one imsg each, and CTL_END last (or CTL_RESULT,
 * which ends an answer too).  The daemon sends numbers, the tool formats.
 *
 * Both ends are built from the same tree: every message carries
 * CTL_PROTO_VERSION as its imsg peer id.  The daemon answers a request of
 * another version with a CTL_RESULT that refuses it and closes; the tool
 * stops at a message of another version.  CTL_RESULT's number and struct
 * ctl_result stay as they are in every version, so that a tool of another
 * version can read the refusal.  Version 2: CTL_RELAY.
 */

#ifndef CTL_H
#define CTL_H

#include <sys/types.h>

#include <netinet/in.h>

#include <stdint.h>

/* The control socket pptpproxyctl(8) talks to, unless told another. */
#ifndef PPTPPROXY_SOCKET
#ifdef __OpenBSD__
#define PPTPPROXY_SOCKET	"/var/run/pptpproxy.sock"
#else
#define PPTPPROXY_SOCKET	"/run/pptpproxy.sock"
#endif
#endif
#define PPTPPROXY_SOCKET_MAX	104	/* sun_path, the smallest (OpenBSD) */

#define CTL_PROTO_VERSION	2
#define CTL_NAME_MAX		64

enum ctl_type {
	CTL_NONE,
	/* tool -> daemon */
	CTL_REQ_SUMMARY,	/* no data */
	CTL_REQ_SESSIONS,	/* uint64_t: a session id, 0: all */
	CTL_REQ_KILL,		/* uint64_t: a session id */
	CTL_REQ_RELOAD,		/* no data */
	CTL_REQ_LOG,		/* int32_t: 0 brief, 1 verbose */
	/* daemon -> tool */
	CTL_PROXY,		/* struct ctl_proxy */
	CTL_GRE,		/* struct ctl_gre */
	CTL_SESSION,		/* struct ctl_session */
	CTL_CALL,		/* struct ctl_call, after its session */
	CTL_RESULT,		/* struct ctl_result: the answer's end */
	CTL_END,		/* no data: the answer's end */
	CTL_RELAY		/* struct ctl_relay, after the proxies */
};

/* What a session is doing, as ctl_state_name() says it. */
enum ctl_state {
	CTL_S_ACL,		/* an ACL command decides */
	CTL_S_CONNECTING,	/* to the server */
	CTL_S_RELAY,		/* relaying */
	CTL_S_CLOSING,		/* ending */
	CTL_S_STOPPING,		/* Stop-Control-Connection sent, draining */
	CTL_S_WAITING,		/* for the client's first bytes */
	CTL_S_MAX
};

/* Directions of the GRE counters. */
#define CTL_TO_CLIENT	0
#define CTL_TO_SERVER	1

struct ctl_proxy {
	char			 name[CTL_NAME_MAX];
	char			 server_host[CTL_NAME_MAX];
	struct sockaddr_in	 listen;
	struct sockaddr_in	 server;
	uint32_t		 listening;	/* 0: not in the config now */
	uint32_t		 pad;
	uint64_t		 sessions;	/* control connections now */
	uint64_t		 calls;		/* calls up now */
	uint64_t		 accepted;	/* past the limits and the ACL */
	uint64_t		 refused_acl;
	uint64_t		 refused_limit;
	uint64_t		 server_failed;	/* could not connect to it */
	uint64_t		 calls_total;	/* calls set up, in all */
	uint64_t		 packets[2];	/* GRE forwarded, CTL_TO_* */
	uint64_t		 bytes[2];
	uint64_t		 spoofed;	/* right Call ID, wrong source */
	uint64_t		 tun_dropped[2]; /* tunnels over TCP, CTL_TO_* */
};

/* The GRE forwarder's totals, for all proxies. */
struct ctl_gre {
	uint64_t		 routes;	/* Call IDs routed now */
	uint64_t		 offloaded;	/* of which the kernel forwards */
	uint64_t		 forwarded;	/* packets, in user space */
	uint64_t		 bytes;
	uint64_t		 drop_bad;	/* not GRE for PPTP */
	uint64_t		 drop_unknown;	/* no such Call ID */
	uint64_t		 drop_spoofed;	/* wrong source */
	uint64_t		 recv_errors;
	uint64_t		 send_errors;
};

/*
 * A control relay's share of the summary (relays N): its proxies' rows
 * added up.  Relay 0 sends one for each relay, in their order, after the
 * proxies' rows and before the forwarder's totals; at most RELAYS_MAX.
 */
struct ctl_relay {
	uint32_t		 index;		/* 0: serves the socket */
	uint32_t		 pid;
	uint64_t		 sessions;	/* control connections now */
	uint64_t		 calls;		/* calls up now */
	uint64_t		 calls_total;	/* calls set up, in all */
	uint64_t		 accepted;	/* past the limits and the ACL */
};

struct ctl_session {
	uint64_t		 id;
	char			 proxy[CTL_NAME_MAX];
	struct sockaddr_in	 client;	/* the client's address */
	struct sockaddr_in	 client_local;	/* ours, towards it */
	struct sockaddr_in	 server;
	struct sockaddr_in	 server_local;
	uint32_t		 state;		/* enum ctl_state */
	uint32_t		 ncalls;	/* calls now */
	uint64_t		 calls_total;	/* calls set up, in all */
	int64_t			 age;		/* seconds */
	int64_t			 idle;		/* since the client's last */
	uint64_t		 msgs[2];	/* control messages, CTL_TO_* */
	uint64_t		 packets[2];	/* GRE, CTL_TO_* */
	uint64_t		 bytes[2];
	/* tunnels between two pptpproxies: over what, to where now */
	uint32_t		 tunnel;	/* CTL_TUN_* */
	uint32_t		 tun_pad;
	struct sockaddr_in	 tun_peer;	/* port 0: not known yet */
	/* over TCP: GRE dropped, CTL_TO_*; bytes waiting for the peer */
	uint64_t		 tun_dropped[2];
	uint64_t		 tun_queued;
};
#define CTL_TUN_NONE	0
#define CTL_TUN_UDP	1
#define CTL_TUN_TCP	2

/* Call states, as ctl_call_state_name() says them. */
enum ctl_call_state {
	CTL_C_REQUESTED,
	CTL_C_UP,
	CTL_C_CLEARING,
	CTL_C_MAX
};

struct ctl_call {
	uint64_t		 sess;
	uint32_t		 serial;
	uint32_t		 state;		/* enum ctl_call_state */
	uint16_t		 client_id;	/* the client's Call ID */
	uint16_t		 client_shown;	/* as the server sees it */
	uint16_t		 server_id;	/* the server's Call ID */
	uint16_t		 server_shown;	/* as the client sees it */
	uint32_t		 pad;
	int64_t			 age;
	uint64_t		 packets[2];	/* GRE, CTL_TO_* */
	uint64_t		 bytes[2];
};

struct ctl_result {
	int32_t			 ok;		/* 1 done, 0 refused or failed */
	char			 msg[256];
};

/*
 * What a restricted control socket answers: the requests that change
 * nothing.  Every other one (those below, and any added later) is refused
 * there.
 */
static inline int
ctl_req_readonly(uint32_t type)
{
	return (type == CTL_REQ_SUMMARY || type == CTL_REQ_SESSIONS);
}

static inline const char *
ctl_req_name(uint32_t type)
{
	switch (type) {
	case CTL_REQ_SUMMARY:
		return ("show summary");
	case CTL_REQ_SESSIONS:
		return ("show sessions");
	case CTL_REQ_KILL:
		return ("kill session");
	case CTL_REQ_RELOAD:
		return ("reload");
	case CTL_REQ_LOG:
		return ("log level");
	}
	return ("an unknown request");
}

/*
 * The names of the states, for pptpproxyctl(8), which takes the number from
 * the daemon: any number, so the bound is checked.  The tables are of the
 * enums' size, so that a state added without a name is a NULL the unit
 * test finds, and a name too many a compiler warning.
 */
static inline const char *
ctl_state_name(uint32_t s)
{
	static const char *const names[CTL_S_MAX] = {
		"acl-check", "connecting", "relaying", "closing", "stopping",
		"waiting"
	};

	return (s < CTL_S_MAX ? names[s] : "unknown");
}

static inline const char *
ctl_call_state_name(uint32_t s)
{
	static const char *const names[CTL_C_MAX] = {
		"requested", "up", "clearing"
	};

	return (s < CTL_C_MAX ? names[s] : "unknown");
}

#endif /* CTL_H */
