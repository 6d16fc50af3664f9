// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target (issue 11): the lines of a monitor's output file as
 * `log` reads them back (event_parse.c). Whatever parses, once written by
 * the one JSON writer, is read back and written again as the very same
 * line: what log prints from a monitor's line is that line. (Not byte for
 * byte before the first writing: json.h writes a C1 control U+0080-U+009F
 * and a stray byte 0x80-0x9F alike.) Built by `make fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "event_format.h"
#include "event_parse.h"

/* The fields are fixed-size: a \u0080-\u009F read back as the 2-byte
 * control can push a last byte out of a field that was full. Real fields
 * are far from full (a kernel name has 15 bytes at most). */
static int roomy(const struct sg_parsed_event *pe)
{
	return strnlen(pe->ev.comm, SG_COMM_LEN) < SG_COMM_LEN / 2 &&
	       strlen(pe->user) < SG_NAME_MAX / 2 && strlen(pe->attrib.exe) < SG_PATH_LEN / 2 &&
	       strlen(pe->attrib.cwd) < SG_PATH_LEN / 2 && strlen(pe->attrib.cgroup) < SG_PATH_LEN / 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *save = NULL;
	static char once[SG_EVENT_LINE_MAX], again[SG_EVENT_LINE_MAX];
	struct sg_parsed_event pe, back;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sg_event_parse(line, &pe) || !roomy(&pe))
			continue;
		sg_event_json(&pe.ev, pe.user, pe.unix_time, &pe.attrib, once, sizeof(once));
		if (sg_event_parse(once, &back) || back.ev.uid != pe.ev.uid ||
		    back.ev.port != pe.ev.port || back.ev.family != pe.ev.family)
			abort();
		sg_event_json(&back.ev, back.user, back.unix_time, &back.attrib, again, sizeof(again));
		if (strcmp(once, again))
			abort();
	}
	free(text);
	return 0;
}
