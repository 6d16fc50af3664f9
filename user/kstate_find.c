// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Finding what is loaded: the pins, the links, and the programs of ours
 * attached to the cgroup, with or without their pins (part of the
 * kernel-state module, see kstate.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cleanup.h"
#include "common.h"
#include "kstate.h"
#include "pins.h"
#include "sysenv.h"

__u32 sg_hook_type(int hook)
{
	return hook ? BPF_CGROUP_INET6_CONNECT : BPF_CGROUP_INET4_CONNECT;
}

const char *sg_method_name(enum sg_method m)
{
	switch (m) {
	case SG_METHOD_LINK: return "bpf_link";
	case SG_METHOD_PROG: return "prog_attach";
	default: return "none";
	}
}

int sg_kstate_hint(const char *cgroup, char *root, size_t rootlen, const char **hint)
{
	struct statfs sfs;

	*hint = cgroup;
	if (cgroup) {
		/* one that does not exist (any more) has nothing attached */
		if (statfs(cgroup, &sfs))
			return errno == ENOENT ? 0 : sg_kstate_err(errno, "cannot access cgroup %s",
								   cgroup);
		if (sfs.f_type == CGROUP2_SUPER_MAGIC)
			return 0;
		sg_err("%s is not a cgroup v2 directory", cgroup);
		return -ENOTDIR;
	}
	if (sg_cgroup_root(root, rootlen))
		return -ENODEV;
	*hint = root;
	return 0;
}

int sg_kstate_exit(int rc)
{
	switch (rc) {
	case 0: return SG_EXIT_OK;
	case -ENOENT: return SG_EXIT_NOT_LOADED;
	case -ENOTDIR: return SG_EXIT_USAGE;
	default: return SG_EXIT_RUNTIME;
	}
}

int sg_kstate_read_for(const char *pin_dir, const char *cgroup, unsigned flags,
		       struct sg_kstate *ks)
{
	char root[SG_PATH_LEN];
	const char *hint;
	struct stat st;
	int rc;

	if (stat(pin_dir, &st) && errno != ENOENT)
		return sg_kstate_pin_err(errno, "cannot access pin dir %s", pin_dir);
	if ((rc = sg_kstate_hint(cgroup, root, sizeof(root), &hint)))
		return rc;
	return sg_kstate_read(pin_dir, hint, flags, ks);
}

/* A pin that is missing is "not there"; one that cannot be read is an
 * error (a permission error must not read as "not loaded"). fd, -ENOENT,
 * or -errno (said). */
static int open_pin(const char *dir, enum sg_pin pin, bool staged)
{
	int fd = staged ? sg_pin_open_staged(dir, pin) : sg_pin_open(dir, pin);
	int e = errno;

	if (fd >= 0)
		return fd;
	if (e == ENOENT || e == ENOTDIR)
		return -ENOENT;
	return sg_kstate_pin_err(e, "cannot open pin %s%s in %s", sg_pin_name(pin),
				 staged ? "-new" : "", dir);
}

/* Id of the program pinned at pin (its staging name if staged), 0 when
 * none; -errno when the pin cannot be read. */
static int pinned_id(const char *dir, enum sg_pin pin, bool staged, __u32 *id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	_cleanup_close_ int fd = open_pin(dir, pin, staged);

	*id = 0;
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		*id = info.id;
	return 0;
}

/* Fills li from the link pinned for hook i, if any. 0 or -errno. */
static int read_link(const char *dir, int i, struct sg_link_state *li)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int fd = open_pin(dir, i ? SG_PIN_LINK6 : SG_PIN_LINK4, false);

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd); /* not a link (some other object at its name) */
		return 0;
	}
	li->fd = fd;
	li->link_id = info.id;
	li->prog_id = info.prog_id;
	li->cgroup_id = info.cgroup.cgroup_id;
	li->attach_type = info.cgroup.attach_type;
	/* A link whose cgroup was removed is defunct: prog_id stays but
	 * cgroup_id reads 0. */
	li->present = info.type == BPF_LINK_TYPE_CGROUP && li->cgroup_id != 0;
	return 0;
}

/* Is the attached program id one of ours? Ours are named sg_connect4/6 and
 * either share the pinned stats map or record this pin dir in their policy
 * (which still works when every pin is gone). Another smtpguard on the same
 * cgroup with another pin dir is not ours. 1 yes, 0 no, -EPERM: cannot
 * tell (not pinned, and the kernel refuses the lookup by id). */
static int looks_ours(__u32 id, int hook, __u32 stats_map_id, const char *pin_dir)
{
	struct bpf_prog_info info;
	__u32 map_ids[16], len = sizeof(info), n;
	_cleanup_close_ int fd = sg_kstate_prog_fd(id);

	if (fd < 0)
		return sg_is_perm(errno) ? -EPERM : 0;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = ARRAY_LEN(map_ids);
	info.map_ids = (__u64)(unsigned long)map_ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    strcmp(info.name, hook ? "sg_connect6" : "sg_connect4"))
		return false;
	n = info.nr_map_ids < ARRAY_LEN(map_ids) ? info.nr_map_ids : ARRAY_LEN(map_ids);
	for (__u32 i = 0; i < n; i++)
		if (stats_map_id && map_ids[i] == stats_map_id)
			return true;
	return pin_dir && sg_policy_names_pin_dir(map_ids, n, pin_dir);
}

/* Listing a cgroup's programs needs CAP_NET_ADMIN; a reader without it
 * (stats, status, log with CAP_BPF alone) takes the pinned program as the
 * attached one, and says so where it reports the attachment. */
static int pinned_as_attached(int hook, struct sg_kstate *ks, struct sg_link_state *li)
{
	ks->unverified = true;
	li->ours[0] = li->prog_id = ks->pinned_prog_id[hook];
	li->nours = 1;
	li->present = true;
	return 0;
}

/* prog_attach: the programs of ours attached to cgroup cg_fd at hook i,
 * recognised by id (pinned or staged) or by name and shared stats map. */
static int find_ours(int cg_fd, int hook, struct sg_kstate *ks, __u32 stats_map_id,
		     const char *pin_dir, struct sg_link_state *li)
{
	__u32 ids[64], cnt = ARRAY_LEN(ids), flags = 0;
	unsigned unknown = 0;
	struct stat st;

	li->nours = 0;
	li->present = false;
	li->prog_id = li->link_id = 0;
	li->attach_type = sg_hook_type(hook);
	if (!fstat(cg_fd, &st))
		li->cgroup_id = (__u64)st.st_ino;
	if (bpf_prog_query(cg_fd, sg_hook_type(hook), 0, &flags, ids, &cnt)) {
		/* not a cgroup (a --cgroup the loader checks after this):
		 * nothing can be attached there */
		if (errno == EBADF)
			return 0;
		if (sg_is_perm(errno) && ks->pinned_prog_id[hook])
			return pinned_as_attached(hook, ks, li);
		return sg_kstate_query_err(errno, "cannot list the %s programs of cgroup %s",
				     hook ? "connect6" : "connect4", ks->cgroup_path);
	}
	for (__u32 i = 0; i < cnt && li->nours < SG_MAX_OURS; i++) {
		__u32 id = ids[i];

		if (id != ks->pinned_prog_id[hook] && id != ks->staged_prog_id[hook]) {
			int ours = looks_ours(id, hook, stats_map_id, pin_dir);

			unknown += ours < 0;
			if (ours <= 0)
				continue;
		}
		li->ours[li->nours++] = id;
		/* the pinned program is the current one; a staged one is
		 * newer than any other leftover */
		if (id == ks->pinned_prog_id[hook] ||
		    (id == ks->staged_prog_id[hook] && li->prog_id != ks->pinned_prog_id[hook]) ||
		    !li->prog_id)
			li->prog_id = id;
	}
	li->present = li->nours > 0;
	/* programs it cannot tell from ours, and none of ours pinned: never
	 * "not loaded" on a guess (with pins, the pinned ones are ours) */
	if (!li->present && unknown)
		return sg_kstate_find_err(EPERM, "cannot tell whether the %s programs attached to %s "
					  "are smtpguard's", hook ? "connect6" : "connect4",
					  ks->cgroup_path);
	return 0;
}

/* The cgroup to query for prog_attach programs: the one recorded in our
 * (pinned or staged) program's policy, else the caller's hint (--cgroup, or
 * the cgroup v2 root when the pins are gone). */
static int prog_attach_cgroup(const char *cg_hint, struct sg_kstate *ks)
{
	struct sg_kstate tmp;
	__u32 pid = 0;
	int rc = 0;

	for (int i = 0; i < 2 && !pid; i++)
		pid = ks->pinned_prog_id[i] ? ks->pinned_prog_id[i] : ks->staged_prog_id[i];
	if (pid) {
		memset(&tmp, 0, sizeof(tmp));
		rc = sg_read_prog_policy(pid, &tmp, true);
		sg_config_free(&tmp.cfg);
		if (rc && rc != -ENOENT)
			return rc;
		if (tmp.have_policy && tmp.policy.cgroup_path[0]) {
			snprintf(ks->cgroup_path, sizeof(ks->cgroup_path), "%s",
				 tmp.policy.cgroup_path);
			return 0;
		}
	}
	if (cg_hint)
		snprintf(ks->cgroup_path, sizeof(ks->cgroup_path), "%s", cg_hint);
	return 0;
}

/* prog_attach: the programs of ours are found by querying the cgroup. A
 * cgroup that is gone has nothing attached. 0 or -errno. */
static int read_prog_attach(const char *pin_dir, const char *cg_hint, struct sg_kstate *ks)
{
	__u32 stats_id = 0;
	int rc = prog_attach_cgroup(cg_hint, ks);
	_cleanup_close_ int cg_fd = -1, stats_fd = -1;

	if (rc || !ks->cgroup_path[0])
		return rc;
	cg_fd = open(ks->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0 && errno == ENOENT)
		return 0;
	if (cg_fd < 0)
		return sg_kstate_err(errno, "cannot open cgroup %s", ks->cgroup_path);
	if ((stats_fd = open_pin(pin_dir, SG_PIN_STATS, false)) >= 0) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(stats_fd, &info, &len))
			stats_id = info.id;
	}
	for (int i = 0; i < 2 && !rc; i++) {
		int fd = ks->link[i].fd;

		rc = find_ours(cg_fd, i, ks, stats_id, pin_dir, &ks->link[i]);
		ks->link[i].fd = fd;
		if (!ks->link[i].present)
			continue;
		ks->method = SG_METHOD_PROG;
		if (ks->link[i].prog_id != ks->pinned_prog_id[i] &&
		    ks->link[i].prog_id != ks->staged_prog_id[i])
			ks->pins_missing = true;
	}
	return rc;
}

/* Links and pinned/staged program ids of both hooks. 0 or -errno. */
static int read_pins(const char *pin_dir, struct sg_kstate *ks)
{
	int rc = 0;

	for (int i = 0; i < 2 && !rc; i++) {
		enum sg_pin prog = i ? SG_PIN_PROG6 : SG_PIN_PROG4;

		if ((rc = read_link(pin_dir, i, &ks->link[i])) ||
		    (rc = pinned_id(pin_dir, prog, false, &ks->pinned_prog_id[i])) ||
		    (rc = pinned_id(pin_dir, prog, true, &ks->staged_prog_id[i])))
			break;
		if (ks->link[i].present)
			ks->method = SG_METHOD_LINK;
	}
	ks->staging_left = sg_pin_staging_left(pin_dir, false);
	return rc;
}

int sg_kstate_read(const char *pin_dir, const char *cg_hint, unsigned flags,
		   struct sg_kstate *ks)
{
	int rc;

	memset(ks, 0, sizeof(*ks));
	ks->link[0].fd = ks->link[1].fd = -1;
	sg_kstate_pin_fallback(pin_dir);
	if ((rc = read_pins(pin_dir, ks)))
		return rc;
	if (ks->method != SG_METHOD_LINK && (rc = read_prog_attach(pin_dir, cg_hint, ks)))
		return rc;
	snprintf(ks->cfg.source, sizeof(ks->cfg.source), "kernel");
	for (int i = 0; i < 2; i++) {
		if (!ks->link[i].present)
			continue;
		rc = sg_read_prog_policy(ks->link[i].prog_id, ks, flags & SG_KREAD_POLICY_ONLY);
		if (rc && rc != -ENOENT)
			return rc;
	}
	if (ks->have_policy) {
		sg_policy_to_config(&ks->policy, &ks->cfg);
		if (!ks->cgroup_path[0])
			snprintf(ks->cgroup_path, sizeof(ks->cgroup_path), "%s",
				 ks->policy.cgroup_path);
	}
	return sg_kstate_read_egress(pin_dir, ks); /* issue 14 */
}

bool sg_kstate_loaded(const struct sg_kstate *ks)
{
	return ks->link[0].present && ks->link[1].present;
}

bool sg_kstate_any(const struct sg_kstate *ks)
{
	return ks->link[0].present || ks->link[1].present;
}

void sg_kstate_free(struct sg_kstate *ks)
{
	for (int i = 0; i < 2; i++)
		if (ks->link[i].fd >= 0)
			close(ks->link[i].fd);
	ks->link[0].fd = ks->link[1].fd = -1;
	sg_config_free(&ks->cfg);
}
