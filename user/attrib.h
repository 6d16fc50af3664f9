/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Issue 10, attribution: who and what made a refused connect, beyond the
 * event record. Read in user space when `log` or `monitor` reads the event,
 * best effort: a process that has exited, or a cgroup that is gone, gives
 * empty fields, and nothing here ever holds an event back.
 */
#ifndef SG_ATTRIB_H
#define SG_ATTRIB_H

#include <stdint.h>
#include <time.h>
#include <linux/types.h>
#include "smtpguard.h"

struct sg_attrib {
	char exe[SG_PATH_LEN];    /* /proc/PID/exe, "" when unknown */
	char cwd[SG_PATH_LEN];    /* /proc/PID/cwd: a PHP-FPM worker's names the site */
	char cgroup[SG_PATH_LEN]; /* the event's cgroup, relative to the cgroup2 root */
};

#define SG_CGCACHE_SLOTS 128

/* cgroup id -> path. Ids are never reused, so a found path stays valid;
 * a miss is remembered for a while, so a flood from a vanished cgroup does
 * not walk the tree once per event. */
struct sg_cgcache {
	char root[SG_PATH_LEN];   /* cgroup2 mount point; "" until looked up */
	int root_state;           /* 0 not looked up, 1 found, -1 none */
	struct {
		uint64_t id;
		time_t miss_at;       /* 0: a hit */
		char path[SG_PATH_LEN];
	} slot[SG_CGCACHE_SLOTS];
};

/* Fills a for the event's pid and cgroup id (cache may not be NULL). The
 * cgroup2 mount is found in /proc/self/mountinfo at the first lookup,
 * unless sg_cgcache_root set it. */
void sg_attrib_read(struct sg_cgcache *cache, uint32_t pid, uint64_t cgroup_id,
		    struct sg_attrib *a);

/* Looks cgroups up below root instead (tests). */
void sg_cgcache_root(struct sg_cgcache *cache, const char *root);

#endif
