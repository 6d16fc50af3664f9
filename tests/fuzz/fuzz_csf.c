// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target (issue 10): import-csf. A csf.conf is read as csf reads
 * it and translated; whatever csf.conf it was, the output must be a config
 * smtpguard accepts (names resolved leniently: the fake lookup below knows
 * accounts NSS does not), and explain's DEST:PORT parser gets the first line.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "csf_import.h"
#include "explain.h"

/* every plain name exists, with an id from its first byte (0 for "root") */
static int lookup(void *ctx, const char *name, bool user, uint32_t *id)
{
	*id = strcmp(name, "root") ? (uint32_t)(unsigned char)name[0] + 1000 : 0;
	return name[0] == 'x' ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sg_config_opts opts = { .lenient_names = true, .unpriv_port_start = 1024 };
	struct sg_csf *c = malloc(sizeof(*c));
	char err[512], *out = NULL, *text = malloc(size + 1);
	struct sg_config cfg;
	struct sg_endpoint e;
	size_t len = 0;
	FILE *f;

	if (!c || !text)
		goto done;
	memcpy(text, data, size);
	text[size] = '\0';
	if (sg_csf_parse("csf.conf", text, size, c, err, sizeof(err)) == 0) {
		f = open_memstream(&out, &len);
		if (!f)
			goto done;
		sg_csf_translate(c, "csf.conf", lookup, NULL, f);
		fclose(f);
		if (sg_config_parse("out.conf", out, len, &opts, &cfg, err, sizeof(err))) {
			fprintf(stderr, "import-csf output refused: %s\n%s", err, out);
			abort();
		}
		sg_config_free(&cfg);
	}
	text[strcspn(text, "\n")] = '\0';
	if (!sg_ex_parse_target(text, &e, err, sizeof(err)) && !e.port)
		abort();
done:
	free(out);
	free(text);
	free(c);
	return 0;
}
