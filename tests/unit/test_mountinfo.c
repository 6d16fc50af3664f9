// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests: finding cgroup2 and bpffs mounts in mountinfo text. */
#include <string.h>
#include "tap.h"
#include "mountinfo.h"

/* a hybrid host (this machine's layout): cgroup v1 controllers and the
 * cgroup2 hierarchy at /sys/fs/cgroup/unified */
static const char hybrid[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"40 30 0:37 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
	"41 22 0:38 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:10 master:2 - bpf bpf rw,mode=700\n";

static const char pure_v2[] =
	"25 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
	"26 25 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot";

static void found(const char *mi, const char *type, const char *want, int want_root, const char *what)
{
	char out[256] = "unchanged";
	int root = -1;

	OK(sg_find_mount(mi, type, out, sizeof(out), &root) == 0, "%s: found", what);
	STR_EQ(out, want, "%s: mount point", what);
	OK(root == want_root, "%s: root is %s", what, want_root ? "/" : "not /");
}

static void missing(const char *mi, const char *type, const char *what)
{
	char out[64] = "";

	OK(sg_find_mount(mi, type, out, sizeof(out), NULL) == -1, "%s: not found", what);
}

int main(void)
{
	char out[8];

	found(hybrid, "cgroup2", "/sys/fs/cgroup/unified", 1, "hybrid cgroup2");
	found(hybrid, "bpf", "/sys/fs/bpf", 1, "hybrid bpffs (two optional tags)");
	found(hybrid, "cgroup", "/sys/fs/cgroup/cpu", 1, "first cgroup v1");
	found(pure_v2, "cgroup2", "/sys/fs/cgroup", 1, "pure v2, no final newline");
	missing(pure_v2, "bpf", "pure v2 without bpffs");
	missing(hybrid, "cgroup3", "no such type");
	missing(hybrid, "cgroup2 ", "type with a blank");
	missing(hybrid, "", "empty type");
	missing("", "cgroup2", "empty text");
	missing("\n\n\n", "cgroup2", "blank lines");

	/* inside a cgroup namespace the root field is not "/" */
	found("50 1 0:30 /user.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "cgroup2",
	      "/sys/fs/cgroup", 0, "cgroup namespace");
	/* octal escapes in the mount point are undone */
	found("50 1 0:30 / /mnt/my\\040cg\\011x\\134y rw - cgroup2 none rw\n", "cgroup2",
	      "/mnt/my cg\tx\\y", 1, "escaped mount point");
	/* an incomplete or non-octal escape is kept as written */
	found("50 1 0:30 / /mnt/a\\08b\\4 rw - cgroup2 none rw\n", "cgroup2",
	      "/mnt/a\\08b\\4", 1, "non-escape backslashes");
	found("50 1 0:30 / /mnt/z\\040 rw - cgroup2 none rw\n", "cgroup2", "/mnt/z ", 1,
	      "escape at the end of the field");
	/* the type is the field after the lone "-", whatever stands before */
	found("50 1 0:30 / /m rw a:1 b:2 c:3 d:4 - cgroup2 none rw\n", "cgroup2", "/m", 1,
	      "many optional tags");
	missing("50 1 0:30 / /m rw - - cgroup2 none rw\n", "cgroup2", "only the first '-' counts");
	missing("50 1 0:30 / /cgroup2 rw cgroup2 - ext4 cgroup2 rw\n", "cgroup2",
	        "type name elsewhere in the line");
	missing("50 1 0:30 / /m - cgroup2 none rw\n", "cgroup2", "too few fields before '-'");
	missing("50 1 0:30 / /m rw -\n", "cgroup2", "nothing after '-'");
	missing("garbage\n- cgroup2\n", "cgroup2", "garbage lines");
	found("garbage\n50 1 0:30 / /ok rw - cgroup2 none rw\n", "cgroup2", "/ok", 1,
	      "garbage before a good line");
	/* too long for the buffer: that line is skipped */
	OK(sg_find_mount("50 1 0:30 / /much/too/long rw - cgroup2 none rw\n"
			 "51 1 0:30 / /short rw - cgroup2 none rw\n", "cgroup2", out,
			 sizeof(out), NULL) == 0 && !strcmp(out, "/short"),
	   "a mount point longer than the buffer is skipped");
	OK(sg_find_mount("50 1 0:30 / /1234567 rw - cgroup2 none rw\n", "cgroup2", out,
			 sizeof(out), NULL) == -1, "exactly the buffer size (no room for NUL)");
	OK(sg_find_mount("50 1 0:30 / /123456 rw - cgroup2 none rw\n", "cgroup2", out,
			 sizeof(out), NULL) == 0 && !strcmp(out, "/123456"), "one less fits");
	/* very many fields: no overflow of the field table */
	{
		char line[2048];
		size_t o = 0;

		o += (size_t)snprintf(line + o, sizeof(line) - o, "50 1 0:30 / /m rw");
		for (int i = 0; i < 100; i++)
			o += (size_t)snprintf(line + o, sizeof(line) - o, " t:%d", i);
		snprintf(line + o, sizeof(line) - o, " - cgroup2 none rw\n");
		missing(line, "cgroup2", "more than 64 fields");
	}
	/* runs of blanks between fields */
	found("50  1 0:30   /  /spaced rw  -  cgroup2 none rw\n", "cgroup2", "/spaced", 1,
	      "several blanks between fields");
	return tap_done();
}
