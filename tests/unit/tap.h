/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A few lines of TAP for the unit tests: ok/not ok per check, a plan at the
 * end, exit status 1 when anything failed. */
#ifndef SG_TAP_H
#define SG_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define OK(cond, ...)                                                       \
	do {                                                                \
		int ok_ = !!(cond);                                         \
		printf("%sok %d - ", ok_ ? "" : "not ", ++tap_n);           \
		printf(__VA_ARGS__);                                        \
		printf("\n");                                               \
		if (!ok_) {                                                 \
			tap_failed++;                                       \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                           \
	} while (0)

#define STR_EQ(got, want, ...)                                              \
	do {                                                                \
		const char *g_ = (got), *w_ = (want);                       \
		OK(g_ && !strcmp(g_, w_), __VA_ARGS__);                     \
		if (!g_ || strcmp(g_, w_))                                  \
			printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", w_); \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
