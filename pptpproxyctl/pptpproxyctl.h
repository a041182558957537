/*
 * pptpproxyctl: the command grammar (parser.c) and the output formats
 * (output.c), kept apart from the socket so that both can be tested.
 */

#ifndef PPTPPROXYCTL_H
#define PPTPPROXYCTL_H

#include <stdint.h>
#include <stdio.h>

#include "ctl.h"
#include "pptp.h"			/* RELAYS_MAX */

enum action {
	A_NONE,
	A_SHOW_SUMMARY,
	A_SHOW_SESSIONS,
	A_SHOW_SESSION,
	A_SHOW_METRICS,
	A_KILL_SESSION,
	A_RELOAD,
	A_LOG_VERBOSE,
	A_LOG_BRIEF
};

struct parse_result {
	enum action	 action;
	uint64_t	 id;		/* A_SHOW_SESSION, A_KILL_SESSION */
};

/* 0: *res set; -1: err says what is wrong (or what was expected). */
int	parse(int, char *[], struct parse_result *, char *, size_t);
void	parse_usage(FILE *);

enum out_mode {
	OUT_TEXT,
	OUT_JSON,
	OUT_METRICS
};

/*
 * The most proxy rows show metrics keeps (the others stream): more than
 * any daemon has, fewer than a daemon gone wrong could send.
 */
#define OUT_PROXIES_MAX	65536
#define OUT_STR_(x)	#x
#define OUT_STR(x)	OUT_STR_(x)

struct out {
	FILE			*f;
	enum out_mode		 mode;
	enum action		 action;
	int			 rows;		/* sessions or proxies so far */
	int			 calls;		/* calls of this session */
	struct ctl_proxy	*proxies;	/* metrics: all, then printed */
	unsigned int		 nproxies;
	struct ctl_gre		 gre;
	int			 have_gre;
	struct ctl_relay	 relays[RELAYS_MAX];	/* summary: all, */
	unsigned int		 nrelays;		/* then printed */
	int			 relays_shown;
};

void	out_init(struct out *, FILE *, enum out_mode, enum action);
int	out_proxy(struct out *, const struct ctl_proxy *);
/* NULL: taken; else why the row is refused (the answer is not trusted). */
const char *out_relay(struct out *, const struct ctl_relay *);
void	out_gre(struct out *, const struct ctl_gre *);
void	out_session(struct out *, const struct ctl_session *);
void	out_call(struct out *, const struct ctl_call *);
void	out_end(struct out *);
void	out_free(struct out *);
int	out_result(FILE *, FILE *, int, const struct ctl_result *);
/*
 * Escaping, by the rules of each format.  Every string from the daemon
 * goes through one of them: the control relay that sent it is not
 * trusted with root's terminal.
 */
void	json_string(FILE *, const char *);
void	prom_label(FILE *, const char *);
char	*text_vis(char *, size_t, const char *);
#define TEXT_VIS_SIZE(n)	(4 * (n) + 1)	/* text_vis() of n bytes */

#endif /* PPTPPROXYCTL_H */
