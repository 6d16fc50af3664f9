// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: command-line parsing. The input is split at NUL bytes
 * into argv[1..] (at most 64 words), each word its own exact-size heap
 * block so any overread is caught. Built by `make fuzz` (mk/fuzz.mk).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "common.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2], *words[MAX_ARGS + 1];
	struct sg_args a;
	char err[SG_ERRLEN];
	size_t pos = 0;
	int argc = 1, nwords = 0, rc;

	argv[0] = "smtpguard";
	while (pos < size && argc <= MAX_ARGS) {
		const uint8_t *nul = memchr(data + pos, 0, size - pos);
		size_t n = nul ? (size_t)(nul - data) - pos : size - pos;
		char *w = malloc(n + 1);

		if (!w)
			break;
		memcpy(w, data + pos, n);
		w[n] = '\0';
		words[nwords++] = w;
		argv[argc++] = w;
		pos += n + 1;
	}
	argv[argc] = NULL;
	err[0] = '\0';
	rc = sg_parse_args(argc, argv, &a, err, sizeof(err));
	if (rc) {
		/* a usage error: exit code 2 and a message (which may quote
		 * an argument, newlines and all) */
		if (rc != SG_EXIT_USAGE || !err[0])
			abort();
	} else {
		/* a command, and for the others a config and pin dir */
		if (a.cmd == SG_CMD_NONE || !strcmp(sg_cmd_name(a.cmd), "?"))
			abort();
		if (a.cmd != SG_CMD_HELP && a.cmd != SG_CMD_VERSION &&
		    (!a.config || !*a.config || !a.pin_dir || !*a.pin_dir ||
		     (a.cgroup && !*a.cgroup) || a.top > SG_MAX_TOP))
			abort();
		/* the strings point into argv (permuted, never copied) */
		if (a.cmd != SG_CMD_HELP && a.cmd != SG_CMD_VERSION)
			(void)strlen(a.config), (void)strlen(a.pin_dir);
	}
	for (int i = 0; i < nwords; i++)
		free(words[i]);
	return 0;
}
