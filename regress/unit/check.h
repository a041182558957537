/*
 * The unit tests' one assertion: CHECK(condition, printf-style text)
 * prints "ok N - text" or "not ok N - text (line L)" and counts; main()
 * ends with CHECK_DONE(), the "N passed, M failed" line and exit status.
 */

#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>

static int	npass, nfail;

#define CHECK(cond, ...) do {						\
	char	what_[256];						\
									\
	snprintf(what_, sizeof(what_), __VA_ARGS__);			\
	if (cond) {							\
		npass++;						\
		printf("ok %d - %s\n", npass + nfail, what_);		\
	} else {							\
		nfail++;						\
		printf("not ok %d - %s (line %d)\n", npass + nfail,	\
		    what_, __LINE__);					\
	}								\
} while (0)

#define CHECK_DONE() do {						\
	printf("%d passed, %d failed\n", npass, nfail);			\
	return (nfail != 0);						\
} while (0)

#endif /* CHECK_H */
