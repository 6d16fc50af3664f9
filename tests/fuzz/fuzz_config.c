// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the config parser on arbitrary bytes, and for what it
 * accepts, everything that consumes a parsed config (the policy conversion
 * both ways and both printers). Names are resolved through NSS as in real
 * use. Built by `make fuzz` (mk/fuzz.mk).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "policy_print.h"

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sg_config cfg, back;
	struct sg_policy pol;
	char err[512];
	/* an exact-size copy: the parser must not read past len, and needs
	 * no terminator */
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	if (!sink)
		sink = fopen("/dev/null", "w");
	err[0] = '\0';
	/* odd sizes parse as load does (unknown names skipped), even sizes as
	 * check-config does */
	struct sg_config_opts opts = { .lenient_names = size & 1, .unpriv_port_start = 1024 };

	if (sg_config_parse("fuzz.conf", text, size, &opts, &cfg, err, sizeof(err)) == 0) {
		sg_print_policy_text(sink, &cfg);
		struct sg_json j;

		sg_json_to_file(&j, sink);
		sg_json_open(&j, '{');
		sg_policy_json(&j, &cfg);
		sg_json_close(&j, '}');
		sg_config_to_policy(&cfg, &pol);
		memset(&back, 0, sizeof(back));
		sg_policy_to_config(&pol, &back);
		if (back.nports != cfg.nports || back.mode != cfg.mode)
			abort(); /* the round trip must keep the policy */
		sg_config_free(&cfg);
	} else {
		/* every error is one non-empty line naming the file and line */
		if (strncmp(err, "fuzz.conf:", 10) || strchr(err, '\n'))
			abort();
		if (cfg.users || cfg.groups || cfg.dsts || cfg.skipped)
			abort(); /* nothing left allocated after an error */
	}
	free(text);
	return 0;
}
