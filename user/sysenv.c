// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "mountinfo.h"
#include "readfile.h"
#include "sysenv.h"

#define BPFFS_DEFAULT "/sys/fs/bpf"

/* Capabilities in a user namespace of one's own are no privilege over the
 * host: cgroup BPF and the pins need them in the initial one, whose uid_map
 * is the identity over the whole range. */
static int in_initial_userns(void)
{
	char buf[128] = "", *nl;
	unsigned long inner, outer, count;
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 1; /* no /proc: cannot tell, let the kernel decide */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	/* one line only: "0 0 4294967295" */
	return sscanf(buf, "%lu %lu %lu", &inner, &outer, &count) == 3 && inner == 0 &&
	       outer == 0 && count == 4294967295UL && (!nl || !nl[1]);
}

/* What each operation needs, as the kernel checks it (kernel/bpf/syscall.c):
 * a cgroup sock_addr program needs CAP_BPF for the program and its maps and
 * CAP_NET_ADMIN for its type, CAP_SYS_ADMIN standing in for both (and being
 * the only way before 5.8, which has no CAP_BPF). */
const char *sg_eperm_hint(enum sg_op op, int err)
{
	static const char *const needs[] = {
		[SG_OP_LOAD] = " (loading needs CAP_BPF and CAP_NET_ADMIN, or CAP_SYS_ADMIN)",
		[SG_OP_ATTACH] = " (attaching to a cgroup needs CAP_NET_ADMIN)",
		[SG_OP_PIN] = " (the pins are root's: needs root with CAP_BPF, or CAP_SYS_ADMIN)",
		[SG_OP_MOUNT] = " (mounting needs CAP_SYS_ADMIN)",
		[SG_OP_FIND] = " (finding BPF programs by id needs CAP_SYS_ADMIN)",
	};

	if ((err != EPERM && err != EACCES) || (unsigned)op >= ARRAY_LEN(needs))
		return "";
	return needs[op];
}

int sg_check_userns(char *err, size_t errlen)
{
	if (!in_initial_userns()) {
		snprintf(err, errlen, "must run as root in the initial user namespace "
			 "(capabilities in a user namespace of one's own do not count)");
		return SG_EXIT_RUNTIME;
	}
	return 0;
}

int sg_check_privileges(char *err, size_t errlen)
{
	__u32 id = 0;
	int rc = sg_check_userns(err, errlen);

	if (rc)
		return rc;
	/* What is attached to a cgroup is known by program id; an id becomes
	 * an fd only with CAP_SYS_ADMIN. Walking the ids is that check, made
	 * by the kernel, and changes nothing. */
	if (bpf_prog_get_next_id(0, &id) && errno != ENOENT) {
		int e = errno;

		snprintf(err, errlen, "cannot read which BPF programs are loaded: %s%s",
			 strerror(e), sg_eperm_hint(SG_OP_FIND, e));
		return SG_EXIT_RUNTIME;
	}
	return 0;
}

int sg_check_find_attached(int cg_fd, const char *cg_path, char *err, size_t errlen)
{
	static const enum bpf_attach_type hooks[] = { BPF_CGROUP_INET4_CONNECT,
						      BPF_CGROUP_INET6_CONNECT };

	for (unsigned h = 0; h < ARRAY_LEN(hooks); h++) {
		__u32 ids[1], cnt = ARRAY_LEN(ids), flags = 0;
		int fd, e;

		/* E2BIG: more than one attached, the first id is there */
		if ((bpf_prog_query(cg_fd, hooks[h], 0, &flags, ids, &cnt) && errno != E2BIG) ||
		    !cnt)
			continue; /* nothing attached, or said by the load itself */
		fd = bpf_prog_get_fd_by_id(ids[0]);
		e = errno;
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (sg_is_perm(e)) {
			snprintf(err, errlen, "cannot read the programs attached to %s: %s%s",
				 cg_path, strerror(e), sg_eperm_hint(SG_OP_FIND, e));
			return SG_EXIT_RUNTIME;
		}
	}
	return 0;
}

/* Loads the smallest cgroup connect4 program ("return 1") and frees it at
 * once: the load that follows needs exactly this from the kernel (the
 * program type and the privilege), and nothing stays behind. */
int sg_check_kernel(char *err, size_t errlen)
{
	const struct bpf_insn allow[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_CGROUP_INET4_CONNECT);
	int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, NULL, "GPL", allow,
			       ARRAY_LEN(allow), &opts);
	int e = errno;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (e == EPERM || e == EACCES)
		snprintf(err, errlen, "cannot load BPF programs: %s%s", strerror(e),
			 sg_eperm_hint(SG_OP_LOAD, e));
	else
		snprintf(err, errlen, "this kernel cannot load cgroup connect programs (%s): "
			 "smtpguard needs CONFIG_CGROUP_BPF and Linux 5.7 or later", strerror(e));
	return SG_EXIT_RUNTIME;
}

/* Where smtpguard mounts a cgroup2 of its own when the host has none
 * (cgroup-v1-only hosts such as EL8): under /run, a path that belongs to no
 * one else. The hierarchy is the kernel's one cgroup v2 hierarchy, whose root
 * holds every process, so attaching at its root covers the whole machine. */
#define SG_OWN_CGROUP2_PARENT "/run/smtpguard"

static int mount_own_cgroup2(char *path, size_t pathlen, char *err, size_t errlen)
{
	snprintf(path, pathlen, "%s", SG_OWN_CGROUP2);
	if ((mkdir(SG_OWN_CGROUP2_PARENT, 0755) && errno != EEXIST) ||
	    (mkdir(SG_OWN_CGROUP2, 0755) && errno != EEXIST)) {
		snprintf(err, errlen, "no cgroup v2 filesystem is mounted and %s cannot be "
			 "created: %s", SG_OWN_CGROUP2, strerror(errno));
		return SG_EXIT_RUNTIME;
	}
	if (mount("cgroup2", SG_OWN_CGROUP2, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		int e = errno;

		snprintf(err, errlen, "no cgroup v2 filesystem is mounted and mounting one at %s "
			 "failed: %s%s", SG_OWN_CGROUP2, strerror(e),
			 sg_is_perm(e) ? sg_eperm_hint(SG_OP_MOUNT, e)
				       : " (the kernel needs cgroup v2 and CONFIG_CGROUP_BPF)");
		return SG_EXIT_RUNTIME;
	}
	sg_warn("no cgroup v2 filesystem was mounted (a cgroup-v1 host): mounted one at %s "
		"and using its root", SG_OWN_CGROUP2);
	return 0;
}

int sg_cgroup_root(char *path, size_t pathlen, char *err, size_t errlen)
{
	char *mi = sg_read_text("/proc/self/mountinfo", SG_MAX_MOUNTINFO, NULL);
	int root_ok = 1, rc = mi ? sg_find_mount(mi, "cgroup2", path, pathlen, &root_ok) : -1;

	free(mi);
	if (rc)
		return mount_own_cgroup2(path, pathlen, err, errlen);
	if (!root_ok)
		sg_warn("%s shows a cgroup namespace, not the host's cgroup root: "
			"processes outside it are not covered", path);
	return 0;
}

int sg_open_cgroup(const char *dir, char *path, size_t pathlen, int *fd,
		   char *err, size_t errlen)
{
	struct statfs sfs;
	int rc;

	if (!dir) {
		if ((rc = sg_cgroup_root(path, pathlen, err, errlen)))
			return rc;
	} else {
		snprintf(path, pathlen, "%s", dir);
	}
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		snprintf(err, errlen, "cannot open cgroup %s: %s", path, strerror(errno));
		return dir ? SG_EXIT_USAGE : SG_EXIT_RUNTIME;
	}
	if (fstatfs(*fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		snprintf(err, errlen, "%s is not a cgroup v2 directory", path);
		close(*fd);
		*fd = -1;
		return SG_EXIT_USAGE;
	}
	return 0;
}

static int is_bpffs(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == BPF_FS_MAGIC;
}

static void parent_of(const char *path, char *out, size_t len)
{
	char *slash;

	snprintf(out, len, "%s", path);
	while ((slash = strrchr(out, '/')) && slash[1] == '\0' && slash != out)
		*slash = '\0'; /* drop trailing slashes */
	slash = strrchr(out, '/');
	if (!slash)
		snprintf(out, len, ".");
	else if (slash == out)
		out[1] = '\0';
	else
		*slash = '\0';
}

int sg_check_pin_name(const char *pin_dir, char *err, size_t errlen)
{
	const char *base = strrchr(pin_dir, '/');

	base = base ? base + 1 : pin_dir;
	if (strchr(base, '.')) {
		snprintf(err, errlen, "pin dir %s: bpffs does not allow '.' in names", pin_dir);
		return SG_EXIT_USAGE;
	}
	return 0;
}

int sg_check_pin_dir(const char *pin_dir, char *err, size_t errlen)
{
	char parent[4096];
	int rc = sg_check_pin_name(pin_dir, err, errlen);

	if (rc)
		return rc;
	parent_of(pin_dir, parent, sizeof(parent));
	if (!is_bpffs(parent)) {
		snprintf(err, errlen, "pin dir %s: %s is not a bpf filesystem", pin_dir, parent);
		return SG_EXIT_USAGE;
	}
	return 0;
}

/* Pins must go to a bpffs the host sees: one mounted only inside a private
 * mount namespace (a sandboxed unit, a container) disappears with it. The
 * host's mount namespace is PID 1's (SMTPGUARD_TEST_HOST_PID names another
 * process for tests on machines whose PID 1 cannot be inspected); the same
 * filesystem seen there is the same directory on the same device. When PID 1
 * cannot be inspected, nothing can be told and the pin dir is used. */
static bool on_host_bpffs(const char *dir)
{
	const char *pid = getenv("SMTPGUARD_TEST_HOST_PID");
	char ours[64] = "", init[64] = "", path[4200];
	struct stat a, b;
	ssize_t n1, n2;

	if (!pid || !*pid)
		pid = "1";
	n1 = readlink("/proc/self/ns/mnt", ours, sizeof(ours) - 1);
	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	n2 = readlink(path, init, sizeof(init) - 1);
	if (n2 <= 0 || (n1 == n2 && !memcmp(ours, init, (size_t)n1)))
		return true;
	snprintf(path, sizeof(path), "/proc/%s/root%s", pid, dir);
	return !stat(dir, &a) && !stat(path, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int sg_prepare_pin_dir(const char *pin_dir, char *err, size_t errlen)
{
	char parent[4096];

	parent_of(pin_dir, parent, sizeof(parent));
	if (!strcmp(parent, BPFFS_DEFAULT) && !is_bpffs(BPFFS_DEFAULT) &&
	    mount("bpf", BPFFS_DEFAULT, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700")) {
		snprintf(err, errlen, "cannot mount bpffs at %s: %s%s", BPFFS_DEFAULT, strerror(errno),
			 sg_eperm_hint(SG_OP_MOUNT, errno));
		return SG_EXIT_RUNTIME;
	}
	if (sg_check_pin_dir(pin_dir, err, errlen))
		return SG_EXIT_USAGE;
	if (!on_host_bpffs(parent)) {
		snprintf(err, errlen, "pin dir %s: the bpffs at %s is mounted only in this mount "
			 "namespace, not the host's: its pins would vanish with the namespace "
			 "(run smtpguard in the host's mount namespace)", pin_dir, parent);
		return SG_EXIT_RUNTIME;
	}
	if (mkdir(pin_dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create pin dir %s: %s%s", pin_dir, strerror(errno),
			 sg_eperm_hint(SG_OP_PIN, errno));
		return SG_EXIT_RUNTIME;
	}
	/* An existing dir may have been made by hand, or planted: it must be a
	 * real directory owned by root, else whoever owns it could reach the
	 * pins (and loosen the bits again after our chmod). */
	struct stat st;

	if (lstat(pin_dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != 0) {
		snprintf(err, errlen, "pin dir %s is not a directory owned by root: refusing to "
			 "use it (remove it and load again)", pin_dir);
		return SG_EXIT_RUNTIME;
	}
	if (chmod(pin_dir, 0700)) {
		snprintf(err, errlen, "cannot chmod pin dir %s: %s", pin_dir, strerror(errno));
		return SG_EXIT_RUNTIME;
	}
	return 0;
}
