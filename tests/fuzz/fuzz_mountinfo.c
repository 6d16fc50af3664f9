// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: finding mounts in mountinfo text, and destination
 * prefixes and endpoints (first line of the input). Built by `make fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mountinfo.h"
#include "prefix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), out[256], small[8], err[512], buf[SG_ADDRSTRLEN];
	struct sg_prefix p;
	struct sg_endpoint e;
	unsigned long long v;
	int root;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!sg_find_mount(text, "cgroup2", out, sizeof(out), &root) && strlen(out) >= sizeof(out))
		abort();
	sg_find_mount(text, "bpf", small, sizeof(small), NULL);
	sg_find_mount(text, "", out, sizeof(out), NULL);
	/* the first line, also as a prefix, an endpoint and a number */
	text[strcspn(text, "\n")] = '\0';
	if (!sg_parse_prefix(text, &p, err, sizeof(err))) {
		if ((p.family != 4 && p.family != 6) || p.len > (p.family == 4 ? 32 : 128))
			abort();
		sg_format_prefix(&p, buf, sizeof(buf));
	}
	if (!sg_parse_endpoint(text, &e, err, sizeof(err))) {
		if ((e.family != 4 && e.family != 6) || e.port == 0)
			abort();
		sg_format_endpoint(&e, buf, sizeof(buf));
	}
	if (!sg_parse_uint(text, 65535, &v) && v > 65535)
		abort();
	if (!sg_parse_uint(text, 5, &v) && v > 5)
		abort();
	free(text);
	return 0;
}
