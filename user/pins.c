// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "pins.h"

/* In the order of enum sg_pin (pins.h). */
static const char *const names[] = {
	"link_connect4", "link_connect6", "prog_connect4", "prog_connect6",
	"allow_uids", "allow_gids", "allow_dst4", "allow_dst6", "policy",
	"stats", "offenders", "events",
	"acct_dst", "cgroups", /* issue 10 */
	"prog_eg_sock", "prog_egress", "eg_owner", "eg_stats", /* issue 14 */
};
_Static_assert(sizeof(names) / sizeof(names[0]) == SG_PIN_COUNT, "a name per pin");

void sg_test_pause(void)
{
	static long ms = -1;

	if (ms < 0) {
		const char *v = getenv("SMTPGUARD_TEST_STEP_MS");

		ms = v ? atol(v) : 0;
		if (ms < 0 || ms > 10000)
			ms = 0;
	}
	if (ms) {
		struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
}

const char *sg_pin_name(enum sg_pin pin)
{
	return names[pin];
}

void sg_pin_path(const char *dir, enum sg_pin pin, bool staging, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s%s", dir, names[pin], staging ? "-new" : "");
}

int sg_pin_open(const char *dir, enum sg_pin pin)
{
	char path[4096];

	sg_pin_path(dir, pin, false, path, sizeof(path));
	return bpf_obj_get(path);
}

int sg_pin_open_staged(const char *dir, enum sg_pin pin)
{
	char path[4096];

	sg_pin_path(dir, pin, true, path, sizeof(path));
	return bpf_obj_get(path);
}

int sg_pin_stage(const char *dir, enum sg_pin pin, int fd)
{
	char staging[4096];

	sg_pin_path(dir, pin, true, staging, sizeof(staging));
	unlink(staging);
	if (bpf_obj_pin(fd, staging))
		return -errno;
	/* bpffs creates pins 0600 less the umask: make it exactly root-only
	 * whatever the caller's umask was. */
	chmod(staging, 0600);
	sg_test_pause();
	return 0;
}

int sg_pin_commit(const char *dir, enum sg_pin pin)
{
	char path[4096], staging[4096];

	sg_pin_path(dir, pin, false, path, sizeof(path));
	sg_pin_path(dir, pin, true, staging, sizeof(staging));
	if (rename(staging, path)) {
		int e = errno;

		unlink(staging);
		return -e;
	}
	sg_test_pause();
	return 0;
}

int sg_pin_replace(const char *dir, enum sg_pin pin, int fd)
{
	int rc = sg_pin_stage(dir, pin, fd);

	return rc ? rc : sg_pin_commit(dir, pin);
}

bool sg_pin_exists(const char *dir, enum sg_pin pin)
{
	char path[4096];
	struct stat st;

	sg_pin_path(dir, pin, false, path, sizeof(path));
	return !lstat(path, &st);
}

void sg_pin_remove(const char *dir, enum sg_pin pin)
{
	char path[4096];

	sg_pin_path(dir, pin, true, path, sizeof(path));
	unlink(path);
	sg_pin_path(dir, pin, false, path, sizeof(path));
	if (!unlink(path))
		sg_test_pause();
}

int sg_pin_staging_left(const char *dir, bool remove)
{
	char path[4096];
	struct stat st;
	int n = 0;

	for (enum sg_pin pin = 0; pin < SG_PIN_COUNT; pin++) {
		sg_pin_path(dir, pin, true, path, sizeof(path));
		if (lstat(path, &st))
			continue;
		n++;
		if (remove)
			unlink(path);
	}
	return n;
}
