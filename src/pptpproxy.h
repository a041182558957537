/*
 * pptpproxy: what the parent, the control relay and the GRE forwarder share.
 */

#ifndef PPTPPROXY_H
#define PPTPPROXY_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "pptp.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <imsg.h>

#include "ctl.h"
#include "tmr.h"

#ifndef __unused
#define __unused	__attribute__((__unused__))
#endif
#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif

#define PPTPPROXY_VERSION	"3.0"

#ifndef PPTPPROXY_USER
#define PPTPPROXY_USER		"_pptpproxy"
#endif
#define PPTPPROXY_USER_FALLBACK	"nobody"
#ifndef PPTPPROXY_CHROOT
#define PPTPPROXY_CHROOT	"/var/empty"
#endif
#ifndef PPTPPROXY_CONF
#define PPTPPROXY_CONF		"/etc/pptpproxy.conf"
#endif
/* A restricted (read-only) control socket: its mode unless told. */
#define DEFAULT_CTL_RMODE	0660

/* Defaults, all configurable. */
#define DEFAULT_MAX_CONN		4096	/* control connections in all */
#define DEFAULT_MAX_CONN_PER_ADDR	64	/* per client address */
#define DEFAULT_MAX_CALLS		16	/* per control connection */
#define DEFAULT_MAX_CALLS_PER_ADDR	1024	/* per client address */
#define DEFAULT_ACL_TIMEOUT		5	/* seconds for an ACL command */
#define DEFAULT_ACL_LIMIT		16	/* ACL commands at once */
#define DEFAULT_ACL_LIMIT_PER_ADDR	2	/* ... for one client address */
#define DEFAULT_ACL_CACHE		10	/* seconds a verdict is kept */
#define DEFAULT_T_FIRST			30	/* before the first message */
#define DEFAULT_T_SETUP			60	/* server to answer a call */
#define DEFAULT_T_CONNECT		10	/* TCP connect to the server */
#define DEFAULT_T_IDLE			300	/* no control message and no GRE */
#define DEFAULT_T_STOP			5	/* stopping: peers to answer */
#define MAX_T_STOP			60

#define PPTP_DEFAULT_PORT		1723
#define DEFAULT_TUN_PORT		1723	/* UDP, tunnels */
#define DEFAULT_TUN_KEEPALIVE		10	/* seconds */
#define MAX_TUN_KEEPALIVE		300
#define PPTPPROXY_MAX_NAME		64
#define PPTPPROXY_MAX_CMD		1024
#define ACL_MAX_WORDS			32	/* of an ACL command line */

/* Fixed descriptors of a child after exec. */
#define PROC_PARENT_FD		3	/* imsg with the parent */
#define PROC_PEER_FD		4	/* imsg with the other child */

enum proc_type {
	PROC_PARENT,
	PROC_CONTROL,
	PROC_GRE,
	PROC_MAX
};

enum imsg_type {
	IMSG_NONE,
	/* parent -> children: configuration, whole, at start and on reload */
	IMSG_CONF_START,	/* struct pptpproxy_conf (lists empty) */
	IMSG_CONF_PROXY,	/* struct proxy_conf, listening fd */
	IMSG_CONF_SUBNET,	/* struct acl_subnet (proxy_id set) */
	IMSG_CONF_CMD,		/* struct acl_cmd (proxy_id set) */
	IMSG_CONF_END,
	IMSG_GRE_SOCKET,	/* parent -> gre: the raw socket */
	IMSG_RTABLE,		/* parent -> children, start: int ro, and
				   the route table (rtable.h), read-write
				   (ro 0) or read-only (ro 1) */
	/* control <-> parent: ACL commands */
	IMSG_ACL_REQ,		/* struct acl_req */
	IMSG_ACL_RES,		/* struct acl_res */
	/*
	 * control <-> gre: the routes are in the shared table (rtable.h);
	 * only a route handed to the kernel (gre offload) is withdrawn by
	 * message, for the kernel's counts.
	 */
	IMSG_GRE_DEL,		/* struct gre_key */
	IMSG_GRE_STATS,		/* struct gre_stats, answer to DEL */
	IMSG_GRE_IDLE,		/* struct gre_key: no packet for t_idle */
	/* gre <-> parent: routes the kernel forwards (gre offload) */
	IMSG_OFFLOAD_ADD,	/* struct gre_route */
	IMSG_OFFLOAD_DEL,	/* struct offload_del */
	IMSG_OFFLOAD_STATS,	/* struct gre_stats, answer to DEL */
	IMSG_OFFLOAD_POLL,	/* no data: every route's counter, please */
	IMSG_OFFLOAD_COUNTS,	/* struct offload_count[], more to come */
	IMSG_OFFLOAD_COUNTS_END, /* struct offload_count[], the last */
	/* any child -> parent */
	IMSG_STATUS_REQ,	/* parent -> children: log what is up */
	IMSG_STOP,		/* parent -> control: end every session */
	IMSG_LOG,		/* child -> parent: id priority, data text */
	IMSG_ACL_CANCEL,	/* control -> parent: struct acl_cancel */
	/* the control socket (ctl.c), served by the control relay */
	IMSG_CTL_SOCKET,	/* parent -> control: the listening socket */
	IMSG_CTL_RSOCKET,	/* parent -> control: the restricted one */
	IMSG_CTL_RELOAD,	/* control -> parent, peerid: the ctl client */
	IMSG_CTL_LOG,		/* control -> parent -> children: int level */
	IMSG_CTL_RESULT,	/* parent -> control: struct ctl_result */
	IMSG_GRE_CTL_POLL,	/* control -> gre: live counters, peerid */
	IMSG_GRE_CTL_COUNTS,	/* gre -> control: struct gre_ctl_count[] */
	IMSG_GRE_CTL_END,	/* gre -> control: struct gre_ctl_totals */
	/* tunnels between two pptpproxies (tunnel.h) */
	IMSG_TUN_SOCKET,	/* parent -> gre: a UDP socket, sockaddr_in */
	IMSG_TUN_DATAFD,	/* parent -> control, gre: their packet channel */
	IMSG_TUN_ADD,		/* control -> gre: struct tun_conf */
	IMSG_TUN_DEL,		/* control -> gre: struct tun_key */
	IMSG_TUN_MODE,		/* control -> gre: struct tun_state (TCP now) */
	IMSG_TUN_STATE,		/* gre -> control: struct tun_state */
	IMSG_TUN_CLOSE,		/* parent -> gre: sockaddr_in of a UDP
				   socket a reload no longer wants */
	IMSG_RELAY_INFO,	/* parent -> control, start: struct relay_info */
	IMSG_RELAY_LINK,	/* parent -> control, gre, start: a channel
				   between relays, or a relay and gre; id:
				   the other relay's index */
	IMSG_CONNPOOL,		/* parent -> control, start, relays N > 1:
				   int ro, and the relays' connection
				   counts (connpool.h), read-write (ro 0)
				   or read-only (ro 1) */
	IMSG_TEST_FORBIDDEN	/* test builds: make a forbidden call */
};

/* A subnet a proxy accepts clients from. */
struct acl_subnet {
	TAILQ_ENTRY(acl_subnet)	 entry;
	uint32_t		 proxy_id;	/* 0: every proxy */
	struct in_addr		 net;
	struct in_addr		 mask;
	uint8_t			 tunnel;	/* a tunnel accept from */
};
TAILQ_HEAD(acl_subnets, acl_subnet);

/* An external command asked about clients, with the client IP as argument. */
struct acl_cmd {
	TAILQ_ENTRY(acl_cmd)	 entry;
	uint32_t		 proxy_id;	/* 0: every proxy */
	char			 cmd[PPTPPROXY_MAX_CMD];
};
TAILQ_HEAD(acl_cmds, acl_cmd);

/* A named list of subnets in the configuration file: table <name> { } */
struct acl_table {
	TAILQ_ENTRY(acl_table)	 entry;
	char			 name[PPTPPROXY_MAX_NAME];
	struct acl_subnets	 subnets;
};
TAILQ_HEAD(acl_tables, acl_table);

/* One listen address:port relayed to one server:port. */
struct proxy_conf {
	TAILQ_ENTRY(proxy_conf)	 entry;
	uint32_t		 id;		/* 1.., unique in a conf */
	char			 name[PPTPPROXY_MAX_NAME];
	struct sockaddr_in	 listen;
	char			 server_host[256];	/* as written */
	struct sockaddr_in	 server;	/* resolved by the parent */
	int			 fd;		/* listening socket, parent */
	int			 xfd[RELAYS_MAX]; /* relays 1..'s, parent */
	int			 from_cmdline;	/* a -p pair */
	struct acl_subnets	 subnets;	/* this proxy's, plus global */
	struct acl_cmds		 cmds;
	/* tunnels between two pptpproxies */
	struct acl_subnets	 tun_subnets;	/* peers that may tunnel here */
	uint16_t		 tun_port;	/* our UDP port, 0: global */
	uint16_t		 tun_server_port; /* the server's UDP port */
	uint8_t			 tunnel;	/* the server is a pptpproxy */
};
TAILQ_HEAD(proxy_confs, proxy_conf);

/* Log levels. */
#define LOG_LVL_INFO		0
#define LOG_LVL_DEBUG		1
#define LOG_LVL_EXTENSIVE	2	/* -e: dump every control message */

struct pptpproxy_conf {
	/* sent as is in IMSG_CONF_START: lists are rebuilt by the receiver */
	char			 user[PPTPPROXY_MAX_NAME];
	char			 chroot[PATH_MAX];
	char			 acl_user[PPTPPROXY_MAX_NAME];	/* "" root */
	int			 acl_timeout;
	int			 log_level;
	unsigned int		 max_conn;
	unsigned int		 max_conn_per_addr;
	unsigned int		 max_calls;
	int			 t_first;
	int			 t_setup;
	int			 t_connect;
	int			 t_idle;
	int			 gre_offload;	/* kernel forwards GRE */
	struct proxy_confs	 proxies;
	struct acl_subnets	 subnets;	/* global: apply to all */
	struct acl_cmds		 cmds;		/* global: apply to all */
	struct acl_tables	 tables;	/* parse time only */
	int			 t_stop;	/* drain time when stopping */
	int			 user_given;	/* "user" in the file */
	int			 log_facility;	/* syslog(3)'s; 0: daemon */
	unsigned int		 acl_limit;	/* commands running at once */
	unsigned int		 acl_limit_per_addr;
	int			 acl_cache;	/* seconds; 0: no cache */
	unsigned int		 max_calls_per_addr;
	char			 ctl_socket[PPTPPROXY_SOCKET_MAX];
	/* the restricted control socket: "" none; group by name or id */
	char			 ctl_rsocket[PPTPPROXY_SOCKET_MAX];
	char			 ctl_rgroup[PPTPPROXY_MAX_NAME]; /* "": id */
	long long		 ctl_rgid;	/* -1: by name, or root's */
	unsigned int		 ctl_rmode;	/* permission bits */
	struct acl_subnets	 tun_subnets;	/* global: apply to all */
	uint16_t		 tun_port;	/* UDP port tunnels come to */
	int			 tun_keepalive;	/* seconds */
	unsigned int		 relays;	/* control relays; 0: auto */
};

/* Which control relay a child is, of how many (relays N). */
struct relay_info {
	uint32_t		 index;		/* of the relay, or forwarder */
	uint32_t		 count;		/* relays */
	uint32_t		 forwarders;	/* 1, or count: one a relay */
};

/* ACL command verdicts, control <-> parent. */
struct acl_req {
	uint64_t		 reqid;		/* the session number */
	uint32_t		 proxy_id;
	struct in_addr		 client;
};
struct acl_res {
	uint64_t		 reqid;
	int			 allow;
	char			 why[128];	/* "cmd exited 1", "timed out" */
};
/* control -> parent: the session of request reqid has gone. */
struct acl_cancel {
	uint64_t		 reqid;
};

/* A route: forward GRE with key `key` from `from` to `to`. */
struct gre_route {
	uint64_t		 sess;		/* control's session number */
	uint32_t		 call;		/* call serial, for logs */
	uint16_t		 key;		/* presented Call ID */
	uint16_t		 newkey;	/* receiver's real Call ID */
	struct in_addr		 from;		/* only this source accepted */
	struct in_addr		 to;		/* receiver */
	struct in_addr		 src;		/* our address towards it */
	struct in_addr		 dst;		/* our address `from` sends to */
	uint8_t			 toside;	/* PPTP_CLIENT or PPTP_SERVER */
	uint32_t		 proxy_id;	/* the proxy of the session */
	uint8_t			 tunnel;	/* TUN_ROUTE_*, 0: not tunnelled */
	uint64_t		 token;		/* the session's tunnel */
};
struct gre_key {
	uint64_t		 sess;
	uint16_t		 key;
};
struct gre_stats {
	uint64_t		 sess;
	uint16_t		 key;
	uint8_t			 toside;
	uint64_t		 packets;	/* forwarded to `to` */
	uint64_t		 bytes;		/* IP bytes, as received */
	uint64_t		 dropped;	/* right key, wrong source */
};

/* gre -> control: one route's live counters (IMSG_GRE_CTL_COUNTS). */
struct gre_ctl_count {
	uint64_t		 sess;
	uint64_t		 packets;	/* forwarded to `toside` */
	uint64_t		 bytes;
	uint16_t		 key;
	uint8_t			 toside;
};
#define GRE_CTL_COUNTS_MAX	256	/* per message (16 kB, header included, at most) */
/* gre -> control: the forwarder's totals, after the counts. */
struct gre_ctl_totals {
	uint64_t		 routes;
	uint64_t		 offloaded;
	uint64_t		 forwarded;	/* packets, in user space */
	uint64_t		 bytes;
	uint64_t		 drop_bad;
	uint64_t		 drop_unknown;
	uint64_t		 drop_spoofed;
	uint64_t		 recv_errors;
	uint64_t		 send_errors;
};

/* config.c */
struct pptpproxy_conf	*conf_new(void);
void			 conf_free(struct pptpproxy_conf *);
void			 conf_free_proxy(struct proxy_conf *);
void			 conf_defaults(struct pptpproxy_conf *);
int			 conf_add_proxy_arg(struct pptpproxy_conf *,
			    const char *, const char **);
int			 conf_add_subnet_arg(struct acl_subnets *, uint32_t,
			    const char *);
int			 conf_parse_subnet(const char *, struct in_addr *,
			    struct in_addr *);
int			 conf_resolve(struct pptpproxy_conf *);
int			 conf_resolve_reload(struct pptpproxy_conf *,
			    const struct pptpproxy_conf *);
void			 conf_print(FILE *, const struct pptpproxy_conf *);
struct proxy_conf	*conf_proxy_by_id(struct pptpproxy_conf *, uint32_t);
struct proxy_conf	*conf_proxy_new(struct pptpproxy_conf *);
int			 conf_keep_ids(struct pptpproxy_conf *,
			    const struct pptpproxy_conf *, uint32_t *);
void			 conf_proxy_name(struct proxy_conf *);
struct proxy_conf	*conf_listen_taken(struct pptpproxy_conf *,
			    const struct sockaddr_in *);
int			 conf_check_host(const char *);
/* parse.y */
struct pptpproxy_conf	*parse_config(const char *, int);
extern int		 parse_log_errors;

/* acl.c */
int			 acl_subnet_match(const struct acl_subnets *,
			    struct in_addr);
int			 acl_split_cmd(char *, char **, int);
int			 acl_check_cmd(const char *, char *, size_t);

/* log.c */
void	log_init(int, int, const char *);	/* foreground, level, file */
void	log_procinit(const char *);
void	log_newpid(void);
void	log_setlevel(int);
int	log_getlevel(void);
int	log_getfd(void);
void	log_seal(int);
int	log_is_journal(int, const char *);	/* fd, $JOURNAL_STREAM */
int	log_facility_byname(const char *);	/* -1: unknown */
const char *log_facility_name(int);
void	log_setfacility(int);			/* 0: daemon */
void	log_reopen(void);			/* SIGHUP: the -l file */
const char *log_getfile(void);
int	log_getjournal(void);
void	log_setsink(int (*)(int, const char *));
void	log_relayed(int, const char *, pid_t, const char *);
void	log_batch_begin(void);	/* lines written together until... */
void	log_batch_end(void);	/* ...this */
void	log_flush(void);	/* what waits, now (before a fork) */
void	log_warn(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_extensive(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));
/* At most a burst then a few a second; says how many it held back. */
struct log_limit {
	time_t		 sec;
	unsigned int	 n;
	unsigned int	 suppressed;
};
void	log_limited(struct log_limit *, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));
int	log_limit_pass(struct log_limit *);
void	log_notice(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_limit_flush(struct log_limit *);
__dead void fatal(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));
__dead void fatalx(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));

/* check.c: what the configuration names exists (-t, start) */
typedef void	(*check_report_fn)(int, const char *);	/* warning, text */
int	check_system(const struct pptpproxy_conf *, check_report_fn);

/* proc.c */
struct passwd;
struct rtable;
pid_t	proc_start(enum proc_type, const char *, int, int, char **);
void	proc_ignore_signals(void);	/* a child's: the parent's signals */
void	proc_drop(enum proc_type, const char *,
	    const struct pptpproxy_conf *);
const char *proc_name(enum proc_type);
const char *proc_self_path(const char *);
/* A child at start: an IMSG_RTABLE; 1 once both descriptors are mapped. */
int	proc_rtable(struct imsg *, struct rtable *, int, unsigned int,
	    unsigned int);
/* A relay at start, relays N > 1: an IMSG_CONNPOOL; 1 once mapped. */
struct connpool;
int	proc_connpool(struct imsg *, struct connpool *, unsigned int,
	    unsigned int);

/* sandbox.c: one per process, OS differences live there */
void	sandbox_parent(const struct pptpproxy_conf *);
void	sandbox_control(void);
void	sandbox_gre(void);
void	sandbox_trap_debug(int);
void	sandbox_prepare(void);		/* a child, as root, before setresuid */
void	sandbox_conffile(const char *);	/* OpenBSD: unveil it for reloads */
void	sandbox_logfile(const char *);	/* OpenBSD: unveil it for SIGHUP */
#ifdef PPTPPROXY_TEST
void	sandbox_test_forbidden(void);	/* a call no child may make */
#endif

/* What the command line said; the configuration is built from it again
 * on every reload. */
struct options {
	const char	*conffile;	/* NULL: none */
	int		 conf_required;	/* -f given, or no -p */
	char		**pairs;	/* -p */
	int		 npairs;
	char		**subnets;	/* -a */
	int		 nsubnets;
	char		**cmds;		/* -x */
	int		 ncmds;
	int		 foreground;
	int		 level;		/* -1: as the file says */
	const char	*logfile;
	char		*self;		/* our path, for exec */
	const char	*ctl_socket;	/* -s; NULL: as the file says */
};

/* parent.c */
struct pptpproxy_conf *options_conf(const struct options *);
__dead void parent_main(struct pptpproxy_conf *, const struct options *);

/* control.c */
__dead void control_main(int);
/* "a.b.c.d:port" into buf (len bytes, cut as snprintf cuts); buf. */
struct sockaddr_in;
const char *sa_str(const struct sockaddr_in *, char *, size_t);
struct session;
/* End a session gracefully: Stop-Control-Connection to both sides. */
void	sess_stop(struct session *, const char *);
/* control.c, for ctl.c: the relay's sessions as rows (ctl.h) */
struct ctl_session;
struct ctl_call;
struct ctl_proxy;
uint64_t relay_sess_next(uint64_t);
int	relay_sess_row(uint64_t, struct ctl_session *);
int	relay_sess_call(uint64_t, unsigned int, struct ctl_call *);
int	relay_proxy_row(unsigned int, struct ctl_proxy *);
int	relay_sess_proxy(uint64_t);
int	relay_sess_kill(uint64_t);
int	relay_imsg(int, uint32_t, uint32_t, int, const void *, size_t);
#define RELAY_TO_PARENT	0
#define RELAY_TO_GRE	1
/* ctl.c */
void	ctl_init(struct event_base *, int, int);
/* The links between relays: fds[i] to relay i (relay 0), or to 0. */
void	ctl_links(int *, unsigned int, unsigned int, unsigned int);
void	ctl_gre_counts(struct imsg *);
void	ctl_gre_end(struct imsg *);
void	ctl_result(struct imsg *);
void	ctl_route_gone(uint64_t, uint16_t, uint8_t);
void	ctl_status_log(void);
void	ctl_log_flush(void);	/* once a second: lines held back */
/* Appends what a tunnel over TCP dropped, if anything, to a line. */
void	ctl_tun_drops(char *, size_t, uint64_t, uint64_t);
/* the parent: a socket, its group (-1: root's) and mode */
int	ctl_socket_open(const char *, gid_t, mode_t, char *, size_t);
int	ctl_group(const struct pptpproxy_conf *, gid_t *);
/* gre.c */
__dead void gre_main(int);

/* proc.c: configuration over imsg */
int	conf_send(struct imsgbuf *, const struct pptpproxy_conf *, int);
struct conf_rx {
	struct pptpproxy_conf	*conf;		/* being received */
};
/* 1: conf complete (*done set), 0: consumed, -1: bad message */
int	conf_recv(struct conf_rx *, struct imsg *, struct pptpproxy_conf **);

/* proc.c: an imsg channel on the process's event loop */
struct imsgev {
	struct imsgbuf	 ibuf;
	struct event	 ev;
	struct event	 flush;		/* deferred write, no poll change */
	short		 events;
	const char	*peer;		/* "parent", "control", "gre" */
	void		(*dispatch)(struct imsgev *, struct imsg *);
	void		(*closed)(struct imsgev *);
	/*
	 * Bounds, 0: none.  At most maxmsgs messages are handled per
	 * wake-up; while more than outmax wait in the output queue the
	 * peer is not read.  bad, when set, is told of a protocol
	 * violation (a descriptor, an oversized message) instead of closed.
	 */
	unsigned int	 maxmsgs;
	unsigned int	 outmax;
	int		 backlog;	/* messages read, not yet handled */
	int		 stalled;	/* over outmax: not read */
	struct event	 more;		/* handle the backlog */
	void		(*bad)(struct imsgev *, const char *);
	struct tmr	 lazy;		/* imsgev_lazy(): write by then */
};
void	imsgev_init(struct imsgev *, struct event_base *, int, const char *,
	    void (*)(struct imsgev *, struct imsg *),
	    void (*)(struct imsgev *));
int	imsgev_compose(struct imsgev *, uint32_t, uint32_t, int,
	    const void *, size_t);
void	imsgev_update(struct imsgev *);
/*
 * Messages that may wait (routes not yet in use, counters, log lines):
 * they go out with the next message that may not, or after at most
 * IMSGEV_LAZY_MS, or once IMSGEV_LAZY_MAX wait, whichever comes first.
 */
#define IMSGEV_LAZY_MS		20
#define IMSGEV_LAZY_MAX		64
int	imsgev_compose_lazy(struct imsgev *, uint32_t, uint32_t,
	    const void *, size_t);
void	imsgev_lazy(struct imsgev *);
/* Read one whole message, blocking (start-up only). */
int	imsg_read_blocking(struct imsgbuf *, struct imsg *);

/* logrelay.c: the children's log lines written by the parent */
#define LOG_RELAY_MAX	1023		/* bytes of text in an IMSG_LOG */
#define LOG_RELAY_QUEUE	1000		/* lines a child keeps waiting */
/*
 * What the parent writes of one child's lines: two token buckets, one of
 * LOG_RELAY_BURST lines refilled at LOG_RELAY_RATE lines a second, one of
 * LOG_RELAY_BYTES_BURST bytes of text refilled at LOG_RELAY_BYTES_RATE
 * bytes a second (each several times what an honest child sends at full
 * load, at debug level; the bytes also take lines of an honest length at
 * the full line rate); a line goes out if both have room for it.  The
 * lines beyond either are counted, and the count is logged at most every
 * LOG_RELAY_NOTE_SECS.  No child line is written above LOG_RELAY_TOP
 * (the daemon's own highest, that of fatal()).
 */
#define LOG_RELAY_BURST		100000
#define LOG_RELAY_RATE		50000
#define LOG_RELAY_BYTES_BURST	(16 * 1024 * 1024)
#define LOG_RELAY_BYTES_RATE	(8 * 1024 * 1024)
#define LOG_RELAY_NOTE_SECS	5
#define LOG_RELAY_TOP		LOG_CRIT
struct log_bucket {
	uint64_t	 tokens;	/* thousandths of a line */
	uint64_t	 btokens;	/* thousandths of a byte */
	uint64_t	 last_ms;	/* when they were counted */
	uint64_t	 dropped;	/* since the last note */
	uint64_t	 noted_ms;	/* the last note, 0: none yet */
	int		 started;
};
/* A line of some bytes at now (ms). */
int	log_bucket_take(struct log_bucket *, uint64_t, size_t);
uint64_t log_relay_now(void);		/* monotonic ms */
void	log_relay_start(struct imsgev *);	/* a child */
int	log_relay_recv(struct imsg *, const char *, pid_t,
	    struct log_bucket *);
void	log_relay_note(struct log_bucket *, const char *, pid_t);
unsigned int log_relay_note_in(const struct log_bucket *);
void	log_relay_drain(struct imsgev *, const char *, pid_t,
	    struct log_bucket *);

#endif /* PPTPPROXY_H */
