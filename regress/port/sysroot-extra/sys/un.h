/*
 * STAND-IN, not OpenBSD's file: used by regress/port/openbsd.sh only when
 * the OpenBSD header sysroot it is given has no sys/un.h (the tier prints
 * a "stand-in" line then).  Written for this project from what OpenBSD
 * documents (unix(4), sockaddr layout): only what pptpproxy uses.
 *
 * On OpenBSD the header includes <sys/cdefs.h> and <sys/_types.h> itself
 * and declares sa_family_t (an 8-bit type there) as <sys/socket.h> does,
 * under the same guard.  An address of the UNIX domain is a BSD sockaddr:
 * a length byte, a family byte, then a path of at most 104 bytes.
 * SUN_LEN() is left out on purpose: nothing here uses it, and code that
 * starts to should be checked against the real header.
 */

#ifndef _SYS_UN_H_
#define _SYS_UN_H_

#include <sys/cdefs.h>
#include <sys/_types.h>

#ifndef _SA_FAMILY_T_DEFINED_
#define _SA_FAMILY_T_DEFINED_
typedef __sa_family_t	sa_family_t;
#endif

struct sockaddr_un {
	unsigned char	sun_len;	/* length of the address */
	sa_family_t	sun_family;	/* AF_UNIX */
	char		sun_path[104];	/* the socket's file name */
};

#endif /* _SYS_UN_H_ */
