/*
 * The few places where Linux and OpenBSD differ outside the sandbox:
 * small functions in os.c, so the rest of the daemon reads the same on
 * both.
 */

#ifndef OS_H
#define OS_H

#include <sys/types.h>
#include <sys/socket.h>

#include <sys/resource.h>

#include <netinet/in.h>

#include <stdint.h>
#include <time.h>

void		 os_closefrom(int);
void		 os_proctitle_init(int, char *[], char *[]);
/* The process's title: "pptpproxy: title", nothing else. */
void		 os_proctitle(const char *);
const char	*os_self_path(const char *);
/* name as a shell finds it in path, made absolute into buf[PATH_MAX]. */
const char	*os_path_search(const char *, const char *, char *);
/* Raw GRE socket tuned for forwarding; -1 on error (errno set). */
int		 os_gre_socket(void);
/*
 * One of several forwarders' raw sockets (relays N): the system passes
 * it only the packets of PPTP's GRE whose Call ID is in lo..hi, and with
 * rest set every packet that is not PPTP's GRE, or too short to say;
 * the filter locked, so that the forwarder cannot take it off.  -1 where
 * the system cannot (errno set).
 */
int		 os_gre_shard(int, unsigned int, unsigned int, int);
/* The tunnels' packet channel between the children; -1 on error. */
int		 os_tun_pair(int [2]);
/* Unsent bytes a TCP connection takes at most; -1 where it cannot. */
int		 os_tcp_notsent_lowat(int, int);
/* UDP socket for tunnels, not bound yet; -1 on error (errno set). */
int		 os_udp_socket(void);
/* Ancillary data naming the source address of a sent datagram. */
size_t		 os_srcaddr_space(void);
void		 os_srcaddr_set(struct msghdr *, void *, struct in_addr);
/* Whether accept(2) copies the listener's TCP options (keepalive...). */
int		 os_accept_keeps_sockopts(void);
/* Acknowledgements delayed, to ride on the next segment sent. */
void		 os_tcp_ack_late(int);
/*
 * A nonblocking connect(2) that said EINPROGRESS: 1 when it has completed
 * since, 0 while it is in progress (or where the system cannot tell
 * cheaply: wait for the socket to turn writable), -1 when it failed
 * (errno set).
 */
int		 os_connect_done(int, const struct sockaddr *, socklen_t);
/* The user id of a Unix socket's peer; -1 when it cannot be told. */
int		 os_peer_uid(int, uid_t *);
/*
 * A timer descriptor (readable once the time armed has come; read it to
 * clear it), -1 where the system has none; os_timer_arm() sets it to
 * go off at an absolute time of CLOCK_MONOTONIC.
 */
int		 os_timer_open(void);
int		 os_timer_arm(int, const struct timespec *);
/* Give memory freed by ended sessions back to the system, where it can. */
void		 os_memory_trim(void);
/*
 * Let a socket (a listening one, a tunnel's UDP one) bind an address no
 * interface has yet (it takes connections or datagrams once one has); -1
 * where the system cannot.
 */
int		 os_freebind(int);
void		 os_close_untrusted(int);
int		 os_refuse_fds(int);
/*
 * Have a listening socket hand over a new connection only once its first
 * bytes have come, or once it has been silent for about the seconds
 * returned, at most max (0: it hands it over at once; so where the
 * system cannot).
 */
int		 os_listen_defer(int, int);
/*
 * Several control relays: how many the system can spread connections
 * over (1: none), how many "relays auto" means (the CPUs online, at most
 * that); SO_REUSEPORT on a socket before its bind; the steering of a
 * group of n such listening sockets, set on one of them (the kernel
 * hands a connection from addr to the os_relay_pick(addr, n)th socket
 * to listen).  -1 on error (errno set).
 */
unsigned int	 os_relays_max(void);
unsigned int	 os_relays_auto(void);
int		 os_reuseport(int);
int		 os_reuseport_steer(int, unsigned int);
unsigned int	 os_relay_pick(uint32_t, unsigned int);
/* The highest descriptor limit a process of ours may be given. */
rlim_t		 os_nofile_max(void);

/*
 * Shared memory of size bytes, zeroed, for the children (rtable.h,
 * connpool.h): *rw opened read-write, *ro read-only (a mapping of it
 * cannot be made writable), both the same memory, reachable by no path
 * (name only labels it, on Linux), its size fixed where the system can.
 * -1 on error (errno set).
 */
int		 os_shm_create(const char *, size_t, int *, int *);

/* The host's IPv4 addresses (gre offload's route checks). */
int		 os_host_addrs(struct in_addr **, size_t *);

#endif /* OS_H */
