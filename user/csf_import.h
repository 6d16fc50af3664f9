/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Issue 10: `smtpguard import-csf`, the translation of CSF's SMTP_BLOCK
 * settings (/etc/csf/csf.conf) into an smtpguard config. Pure: the account
 * lookups come through a callback, so the unit tests need no NSS.
 *
 * CSF's format (ConfigServer::Config): a line that starts with blank or '#'
 * is skipped, and so is one without '='; NAME is what precedes the first
 * '=' with blanks removed; the value is what stands between the first and
 * the last '"' of the rest (no quotes: csf refuses the file); a setting
 * given twice is refused. Lists are comma-separated, blanks removed.
 */
#ifndef SG_CSF_IMPORT_H
#define SG_CSF_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum sg_csf_key {
	SG_CSF_BLOCK, SG_CSF_ALLOWLOCAL, SG_CSF_PORTS, SG_CSF_ALLOWUSER, SG_CSF_ALLOWGROUP,
	SG_CSF_REDIRECT, SG_CSF_REDIRECT6, SG_CSF_IPV6, SG_CSF_NKEYS
};

#define SG_CSF_VALUE_MAX 4096

struct sg_csf {
	char value[SG_CSF_NKEYS][SG_CSF_VALUE_MAX]; /* "" when not set (as csf reads it) */
	unsigned line[SG_CSF_NKEYS];                /* 0: not in the file */
};

/* Reads the settings of text. 0, or -1 with "FILE:LINE: what" in err. */
int sg_csf_parse(const char *path, const char *text, size_t len, struct sg_csf *c,
		 char *err, size_t errlen);

/* An account name to its id: 0, or -1 when it does not exist here. */
typedef int (*sg_csf_lookup)(void *ctx, const char *name, bool user, uint32_t *id);

/* Writes the smtpguard config equivalent to c, with a comment for what it
 * cannot carry over. */
void sg_csf_translate(const struct sg_csf *c, const char *path, sg_csf_lookup lookup,
		      void *ctx, FILE *out);

#endif
