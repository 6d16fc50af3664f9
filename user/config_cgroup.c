// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * allow_cgroups (issue 10): paths relative to the cgroup v2 root, as
 * `systemctl status` shows them. The syntax is checked while parsing; the
 * paths are looked up afterwards (sg_config_resolve_cgroups), because that
 * needs the host: a cgroup's id is its directory's inode number on cgroup
 * v2, which is what bpf_get_current_ancestor_cgroup_id returns, and its
 * level is its depth below the hierarchy's root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include "common.h"
#include "config.h"
#include "mountinfo.h"
#include "readfile.h"
#include "sysenv.h"

#define MAX_MOUNTINFO (64u << 20)

/* Number of components of an absolute path ("/a/b" = 2), or -1 when one is
 * empty, "." or ".." (a path must name one cgroup one way). */
static int path_depth(const char *path)
{
	int depth = 0;

	for (const char *p = path; *p == '/'; ) {
		const char *next = strchr(p + 1, '/');
		size_t n = next ? (size_t)(next - p - 1) : strlen(p + 1);

		if (n == 0 || (n == 1 && p[1] == '.') || (n == 2 && !strncmp(p + 1, "..", 2)))
			return -1;
		depth++;
		if (!next)
			break;
		p = next;
	}
	return depth;
}

int sg_config_add_cgroup(struct sg_config *cfg, const char *path, unsigned line,
			 unsigned file, char *msg, size_t len)
{
	struct sg_cgroup_entry *a;
	int depth;

	if (path[0] != '/' || strlen(path) >= SG_PATH_LEN) {
		snprintf(msg, len, "bad cgroup '%.64s': must be a path from the cgroup v2 root, "
			 "such as /system.slice/postfix.service", path);
		return -1;
	}
	if (!strcmp(path, "/")) {
		snprintf(msg, len, "cgroup '/' would allow every process: name the MTA's "
			 "service, such as /system.slice/postfix.service");
		return -1;
	}
	depth = path_depth(path);
	if (depth < 0 || depth > SG_MAX_CGROUP_LEVEL) {
		snprintf(msg, len, "bad cgroup '%.64s': %s", path, depth < 0
			 ? "empty, '.' or '..' component" : "deeper than 31 levels");
		return -1;
	}
	for (unsigned i = 0; i < cfg->ncgroups; i++)
		if (!strcmp(cfg->cgroups[i].path, path)) {
			char also[SG_ERRLEN];

			sg_config_also_at(cfg, file, cfg->cgroups[i].file, cfg->cgroups[i].line,
					  also, sizeof(also));
			snprintf(msg, len, "cgroup %.200s is listed twice (also %s)", path, also);
			return -1;
		}
	if (cfg->ncgroups >= SG_MAX_CGROUPS) {
		snprintf(msg, len, "too many cgroups: at most %d", SG_MAX_CGROUPS);
		return -1;
	}
	a = realloc(cfg->cgroups, sizeof(*a) * (cfg->ncgroups + 1));
	if (!a) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	cfg->cgroups = a;
	a = &cfg->cgroups[cfg->ncgroups++];
	memset(a, 0, sizeof(*a));
	snprintf(a->path, sizeof(a->path), "%s", path);
	a->line = line;
	a->file = file;
	a->level = (uint32_t)depth;
	return 0;
}

/* Drops entry i, recording it as skipped (lenient), or says why (strict). */
static int missing(struct sg_config *cfg, unsigned *i, bool lenient, const char *why,
		   char *err, size_t errlen)
{
	struct sg_cgroup_entry *c = &cfg->cgroups[*i];

	if (!lenient) {
		snprintf(err, errlen, "%s:%u: cgroup '%s' %s", sg_config_file(cfg, c->file), c->line,
			 c->path, why);
		return -1;
	}
	if (sg_config_skip(cfg, c->path, c->line, c->file, false, true)) {
		snprintf(err, errlen, "%s: out of memory", cfg->source);
		return -1;
	}
	memmove(c, c + 1, sizeof(*c) * (cfg->ncgroups - *i - 1));
	cfg->ncgroups--;
	(*i)--;
	return 0;
}

int sg_config_resolve_cgroups(struct sg_config *cfg, const char *root, bool root_is_slash,
			      bool lenient, char *err, size_t errlen)
{
	char full[2 * SG_PATH_LEN + 8], why[SG_PATH_LEN + 64];
	struct stat st;

	cfg->cgroup_levels = 0;
	for (unsigned i = 0; i < cfg->ncgroups; i++) {
		struct sg_cgroup_entry *c = &cfg->cgroups[i];

		if (!root) {
			if (missing(cfg, &i, lenient, "cannot be found: no cgroup v2 hierarchy "
				    "is mounted", err, errlen))
				return -1;
			continue;
		}
		snprintf(full, sizeof(full), "%s%s", strcmp(root, "/") ? root : "", c->path);
		if (stat(full, &st) || !S_ISDIR(st.st_mode)) {
			snprintf(why, sizeof(why), "does not exist under %s", root);
			if (missing(cfg, &i, lenient, why, err, errlen))
				return -1;
			continue;
		}
		c->id = (uint64_t)st.st_ino;
		/* inside a cgroup namespace the mount's root is not level 0:
		 * the program then looks at every level */
		cfg->cgroup_levels |= root_is_slash ? 1u << c->level : 0xfffffffeu;
	}
	return 0;
}

static bool is_cgroup2(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

int sg_config_resolve_cgroups_here(struct sg_config *cfg, bool lenient, char *err,
				   size_t errlen)
{
	char root[SG_PATH_LEN];
	char *mi;
	int root_is_slash = 1, found;

	if (!cfg->ncgroups)
		return 0;
	mi = sg_read_text("/proc/self/mountinfo", MAX_MOUNTINFO, NULL);
	found = mi && !sg_find_mount(mi, "cgroup2", root, sizeof(root), &root_is_slash);
	free(mi);
	/* a cgroup-v1 host: the mount load makes of its own, if made */
	if (!found && is_cgroup2(SG_OWN_CGROUP2)) {
		snprintf(root, sizeof(root), "%s", SG_OWN_CGROUP2);
		found = 1;
	}
	return sg_config_resolve_cgroups(cfg, found ? root : NULL, root_is_slash, lenient,
					 err, errlen);
}
