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
#include "cleanup.h"
#include "common.h"
#include "mountinfo.h"
#include "readfile.h"
#include "sysenv.h"

#define BPFFS_DEFAULT "/sys/fs/bpf"

/* Capabilities in a user namespace of one's own are no privilege over the
 * host: cgroup BPF and the pins need them in the initial one, whose uid_map
 * is the identity over the whole range. */
bool sg_in_initial_userns(void)
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
		[SG_OP_QUERY] = " (listing a cgroup's programs needs CAP_NET_ADMIN)",
	};

	if ((err != EPERM && err != EACCES) || (unsigned)op >= ARRAY_LEN(needs))
		return "";
	return needs[op];
}

int sg_check_userns(void)
{
	if (!sg_in_initial_userns()) {
		sg_err("must run as root in the initial user namespace "
		       "(capabilities in a user namespace of one's own do not count)");
		return -EPERM;
	}
	return 0;
}

int sg_check_find_attached(int cg_fd, const char *cg_path)
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
			sg_err("cannot read the programs attached to %s: %s%s", cg_path,
			       strerror(e), sg_eperm_hint(SG_OP_FIND, e));
			return -e;
		}
	}
	return 0;
}

/* Loads the smallest cgroup connect4 program ("return 1") and frees it at
 * once: the load that follows needs exactly this from the kernel (the
 * program type and the privilege), and nothing stays behind. */
int sg_probe_kernel(void)
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
	return -e;
}

int sg_check_kernel(void)
{
	int rc = sg_probe_kernel();

	if (sg_is_perm(-rc))
		sg_err("cannot load BPF programs: %s%s", strerror(-rc),
		       sg_eperm_hint(SG_OP_LOAD, -rc));
	else if (rc)
		sg_err("this kernel cannot load cgroup connect programs (%s): "
		       "smtpguard needs CONFIG_CGROUP_BPF and Linux 5.7 or later", strerror(-rc));
	return rc;
}

/* Where smtpguard mounts a cgroup2 of its own when the host has none
 * (cgroup-v1-only hosts such as EL8): under /run, a path that belongs to no
 * one else. The hierarchy is the kernel's one cgroup v2 hierarchy, whose root
 * holds every process, so attaching at its root covers the whole machine. */
#define SG_OWN_CGROUP2_PARENT "/run/smtpguard"

static int mount_own_cgroup2(char *path, size_t pathlen)
{
	snprintf(path, pathlen, "%s", SG_OWN_CGROUP2);
	if ((mkdir(SG_OWN_CGROUP2_PARENT, 0755) && errno != EEXIST) ||
	    (mkdir(SG_OWN_CGROUP2, 0755) && errno != EEXIST)) {
		int e = errno;

		sg_err("no cgroup v2 filesystem is mounted and %s cannot be created: %s",
		       SG_OWN_CGROUP2, strerror(e));
		return -e;
	}
	if (mount("cgroup2", SG_OWN_CGROUP2, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		int e = errno;

		sg_err("no cgroup v2 filesystem is mounted and mounting one at %s failed: %s%s",
		       SG_OWN_CGROUP2, strerror(e),
		       sg_is_perm(e) ? sg_eperm_hint(SG_OP_MOUNT, e)
				     : " (the kernel needs cgroup v2 and CONFIG_CGROUP_BPF)");
		return -e;
	}
	sg_warn("no cgroup v2 filesystem was mounted (a cgroup-v1 host): mounted one at %s "
		"and using its root", SG_OWN_CGROUP2);
	return 0;
}

int sg_cgroup_root(char *path, size_t pathlen)
{
	char *mi = sg_read_text("/proc/self/mountinfo", SG_MAX_MOUNTINFO, NULL);
	int root_ok = 1, rc = mi ? sg_find_mount(mi, "cgroup2", path, pathlen, &root_ok) : -1;

	free(mi);
	if (rc)
		return mount_own_cgroup2(path, pathlen);
	if (!root_ok)
		sg_warn("%s shows a cgroup namespace, not the host's cgroup root: "
			"processes outside it are not covered", path);
	return 0;
}

int sg_open_cgroup(const char *dir, char *path, size_t pathlen, int *fd)
{
	_cleanup_close_ int cg = -1;
	struct statfs sfs;
	int rc;

	if (!dir) {
		if ((rc = sg_cgroup_root(path, pathlen)))
			return rc;
	} else {
		snprintf(path, pathlen, "%s", dir);
	}
	cg = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		int e = errno;

		sg_err("cannot open cgroup %s: %s", path, strerror(e));
		return -e;
	}
	if (fstatfs(cg, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		sg_err("%s is not a cgroup v2 directory", path);
		return -ENOTDIR;
	}
	*fd = sg_take_fd(&cg);
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

static bool pin_name_ok(const char *pin_dir)
{
	const char *base = strrchr(pin_dir, '/');

	return !strchr(base ? base + 1 : pin_dir, '.');
}

int sg_check_pin_name(const char *pin_dir)
{
	if (pin_name_ok(pin_dir))
		return 0;
	sg_err("pin dir %s: bpffs does not allow '.' in names", pin_dir);
	return -EINVAL;
}

bool sg_pin_dir_usable(const char *pin_dir)
{
	char parent[4096];

	parent_of(pin_dir, parent, sizeof(parent));
	return pin_name_ok(pin_dir) && is_bpffs(parent);
}

int sg_check_pin_dir(const char *pin_dir)
{
	char parent[4096];
	int rc = sg_check_pin_name(pin_dir);

	if (rc)
		return rc;
	parent_of(pin_dir, parent, sizeof(parent));
	if (!is_bpffs(parent)) {
		sg_err("pin dir %s: %s is not a bpf filesystem", pin_dir, parent);
		return -EINVAL;
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

int sg_mount_bpffs(const char *pin_dir)
{
	char parent[4096];

	parent_of(pin_dir, parent, sizeof(parent));
	if (strcmp(parent, BPFFS_DEFAULT) || is_bpffs(BPFFS_DEFAULT))
		return 0;
	if (mount("bpf", BPFFS_DEFAULT, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700")) {
		int e = errno;

		sg_err("cannot mount bpffs at %s: %s%s", BPFFS_DEFAULT, strerror(e),
		       sg_eperm_hint(SG_OP_MOUNT, e));
		return -e;
	}
	return 0;
}

int sg_make_pin_dir(const char *pin_dir)
{
	char parent[4096];
	struct stat st;

	parent_of(pin_dir, parent, sizeof(parent));
	if (!on_host_bpffs(parent)) {
		sg_err("pin dir %s: the bpffs at %s is mounted only in this mount namespace, not "
		       "the host's: its pins would vanish with the namespace (run smtpguard in "
		       "the host's mount namespace)", pin_dir, parent);
		return -EXDEV;
	}
	if (mkdir(pin_dir, 0700) && errno != EEXIST) {
		int e = errno;

		sg_err("cannot create pin dir %s: %s%s", pin_dir, strerror(e),
		       sg_eperm_hint(SG_OP_PIN, e));
		return -e;
	}
	/* An existing dir may have been made by hand, or planted: it must be a
	 * real directory owned by root, else whoever owns it could reach the
	 * pins (and loosen the bits again after our chmod). */
	if (lstat(pin_dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != 0) {
		sg_err("pin dir %s is not a directory owned by root: refusing to use it "
		       "(remove it and load again)", pin_dir);
		return -EPERM;
	}
	if (chmod(pin_dir, 0700)) {
		int e = errno;

		sg_err("cannot chmod pin dir %s: %s", pin_dir, strerror(e));
		return -e;
	}
	return 0;
}
