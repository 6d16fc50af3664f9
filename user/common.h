/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Exit codes and the one-line error reporting every command uses. */
#ifndef SG_COMMON_H
#define SG_COMMON_H

#include <stdio.h>

/* Exit codes: the command-line contract (see smtpguard(8)). */
#define SG_EXIT_OK         0
#define SG_EXIT_RUNTIME    1 /* kernel refused, missing capability, no cgroup v2 */
#define SG_EXIT_USAGE      2 /* bad command line or config */
#define SG_EXIT_NOT_LOADED 3 /* status/reload: nothing loaded */

#define SG_ERRLEN 512

/* "smtpguard: <message>" on stderr, one line. */
void sg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
