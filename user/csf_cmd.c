// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Issue 10: `smtpguard import-csf [FILE]`: reads csf.conf, prints the
 * smtpguard config (csf_import.c). Touches nothing but stdout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cleanup.h"
#include "commands.h"
#include "common.h"
#include "csf_import.h"
#include "names.h"
#include "readfile.h"

#define MAX_CSF_FILE (16u << 20)

static int lookup(void *ctx, const char *name, bool user, uint32_t *id)
{
	return user ? sg_user_id(name, id) : sg_group_id(name, id);
}

int sg_cmd_import_csf(const struct sg_args *args)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ struct sg_csf *c = malloc(sizeof(*c));
	char err[SG_ERRLEN];
	size_t len;

	if (!c) {
		sg_err("out of memory");
		return SG_EXIT_RUNTIME;
	}
	errno = 0;
	text = sg_read_text(args->csf_file, MAX_CSF_FILE, &len);
	if (!text) {
		sg_err("%s: cannot read the csf config: %s", args->csf_file,
		       errno ? strerror(errno) : "not a regular file of at most 16 MiB");
		return SG_EXIT_USAGE;
	}
	if (sg_csf_parse(args->csf_file, text, len, c, err, sizeof(err))) {
		sg_err("%s", err);
		return SG_EXIT_USAGE;
	}
	sg_csf_translate(c, args->csf_file, lookup, NULL, stdout);
	return SG_EXIT_OK;
}
