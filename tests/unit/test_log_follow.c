// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Issue 11: log following a monitor's file like `tail -F`. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "tap.h"
#include "log_follow.h"

static char got[2 << 20];
static struct sg_follow f;

static void take(void *ctx, const char *line)
{
	(void)ctx;
	strcat(got, line);
	strcat(got, "|");
}

static void append(const char *path, const char *text)
{
	FILE *o = fopen(path, "a");

	fputs(text, o);
	fclose(o);
}

static const char *step(void)
{
	got[0] = '\0';
	sg_follow_read(&f, take, NULL);
	return got;
}

int main(void)
{
	char tmpl[] = "/tmp/sg-follow.XXXXXX", path[256], old[256];
	char *dir = mkdtemp(tmpl);

	snprintf(path, sizeof(path), "%s/events.json", dir);
	snprintf(old, sizeof(old), "%s/events.json.1", dir);
	OK(sg_follow_open(&f, path, SG_FOLLOW_END) < 0, "no file yet: an error, nothing said");
	STR_EQ(step(), "", "no file, no lines");
	append(path, "a\nb\n");
	STR_EQ(step(), "a|b|", "a file that appears is read from its start");
	sg_follow_close(&f);

	OK(sg_follow_open(&f, path, SG_FOLLOW_END) == 0, "open at the end");
	STR_EQ(step(), "", "old lines are not read from the end");
	append(path, "c\nhalf");
	STR_EQ(step(), "c|", "a whole line; half a line waits");
	append(path, "-done\n");
	STR_EQ(step(), "half-done|", "the rest of it");

	/* logrotate: rename, the writer adds a last line to the old file,
	 * then a new file */
	rename(path, old);
	append(old, "last-old\n");
	append(path, "first-new\n");
	STR_EQ(step(), "last-old|first-new|", "across a rotation: the old file's end, then the new one");
	append(path, "next\n");
	STR_EQ(step(), "next|", "then the new file");

	/* copytruncate: the file is cut short */
	OK(truncate(path, 0) == 0, "cut short");
	append(path, "x\n");
	STR_EQ(step(), "x|", "a file cut short is read from its start");
	sg_follow_close(&f);

	OK(sg_follow_open(&f, path, SG_FOLLOW_START) == 0, "open at the start");
	STR_EQ(step(), "x|", "from the start: what is there");
	sg_follow_close(&f);

	/* the tail: a big file from its last part; the cut line is handed
	 * over too (the event parser rejects it) */
	{
		FILE *o = fopen(path, "w");

		for (int i = 0; i < SG_FOLLOW_TAIL_BYTES / 10 + 10; i++)
			fprintf(o, "line-%04d\n", i % 10000);
		fputs("the-end\n", o);
		fclose(o);
	}
	OK(sg_follow_open(&f, path, SG_FOLLOW_TAIL) == 0, "open the tail");
	got[0] = '\0';
	OK(sg_follow_read(&f, take, NULL) == SG_FOLLOW_TAIL_BYTES / 10 + 1, "about 1 MiB of lines, not all");
	OK(strstr(got, "the-end|") != NULL, "up to the end");
	sg_follow_close(&f);
	unlink(path);
	unlink(old);
	rmdir(dir);
	return tap_done();
}
