/*
 * The unit tests' one assertion: CHECK(condition, printf-style text)
 * prints "ok N - text" or "not ok N - text (line L)" and counts; main()
 * ends with CHECK_DONE(), the "N passed, M failed" line and exit status.
 * The condition is evaluated first, so that the text may show what it
 * left behind; each line is flushed, so that a test that crashes has
 * shown how far it got.
 */

#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>

static int	npass, nfail;

#define CHECK(cond, ...) do {						\
	int	ok_ = (cond) ? 1 : 0;					\
	char	what_[512];						\
									\
	snprintf(what_, sizeof(what_), __VA_ARGS__);			\
	if (ok_) {							\
		npass++;						\
		printf("ok %d - %s\n", npass + nfail, what_);		\
	} else {							\
		nfail++;						\
		printf("not ok %d - %s (line %d)\n", npass + nfail,	\
		    what_, __LINE__);					\
	}								\
	fflush(stdout);							\
} while (0)

#define CHECK_DONE() do {						\
	printf("%d passed, %d failed\n", npass, nfail);			\
	return (nfail != 0);						\
} while (0)

#endif /* CHECK_H */
