// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stats: read the pinned per-CPU counters and the offender LRU map (no
 * smtpguard process needs to run for them to fill), sum, and report.
 * --reset zeroes both, under the command lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "clock.h"
#include "commands.h"
#include "common.h"
#include "config.h"
#include "kfeatures.h"
#include "kstate.h"
#include "lock.h"
#include "pins.h"
#include "stats_report.h"
#include "sysenv.h"

static int read_counters(int fd, struct sg_report *r)
{
	int ncpu = libbpf_num_possible_cpus();
	struct sg_stats *percpu;

	if (ncpu <= 0)
		return -1;
	percpu = calloc((size_t)ncpu, sizeof(*percpu));
	if (!percpu)
		return -1;
	for (__u32 f = 0; f < SG_FAM_COUNT; f++) {
		if (bpf_map_lookup_elem(fd, &f, percpu)) {
			free(percpu);
			return -1;
		}
		for (int c = 0; c < ncpu; c++) {
			const __u64 *src = (const __u64 *)&percpu[c];
			__u64 *dst = (__u64 *)&r->fam[f];

			for (size_t i = 0; i < sizeof(struct sg_stats) / sizeof(__u64); i++)
				dst[i] += src[i];
		}
	}
	free(percpu);
	return 0;
}

/* features: of the loaded policy, which says which clock stamped the records */
static int read_offenders(int fd, struct sg_report *r, __u32 features)
{
	__u32 key, next, *prev = NULL;
	unsigned cap = 0;

	while (!bpf_map_get_next_key(fd, prev, &next) && r->nrows < SG_MAX_OFFENDERS) {
		struct sg_offender_row *row;

		key = next;
		prev = &key;
		if (r->nrows == cap) {
			struct sg_offender_row *n = realloc(r->rows, sizeof(*n) * (cap = cap ? cap * 2 : 64));

			if (!n)
				return -1;
			r->rows = n;
		}
		row = &r->rows[r->nrows];
		memset(row, 0, sizeof(*row));
		if (bpf_map_lookup_elem(fd, &key, &row->rec))
			continue; /* evicted meanwhile */
		row->uid = key;
		sg_user_name(key, row->user, sizeof(row->user));
		row->first_unix = sg_stamp_to_unix(row->rec.first_ns, features);
		row->last_unix = sg_stamp_to_unix(row->rec.last_ns, features);
		r->nrows++;
	}
	return 0;
}

static const char *pinned_mode(const char *pin_dir)
{
	struct sg_policy pol;
	const char *mode = NULL;
	int fd = sg_pin_open(pin_dir, SG_PIN_POLICY);

	if (fd < 0)
		return NULL;
	/* an older loader's policy lacks the fields after cgroup_path */
	if (sg_read_policy_map(fd, &pol) >= offsetof(struct sg_policy, pin_dir))
		mode = sg_mode_name(pol.mode);
	close(fd);
	return mode;
}

static int reset(int stats_fd, int off_fd)
{
	int ncpu = libbpf_num_possible_cpus();
	struct sg_stats *zero = calloc(ncpu > 0 ? (size_t)ncpu : 1, sizeof(*zero));
	char err[SG_ERRLEN];
	unsigned n = 0;
	__u32 key;

	if (!zero || sg_lock(err, sizeof(err)) < 0) {
		sg_err("%s", zero ? err : "out of memory");
		free(zero);
		return SG_EXIT_RUNTIME;
	}
	for (__u32 f = 0; f < SG_FAM_COUNT; f++)
		if (bpf_map_update_elem(stats_fd, &f, zero, BPF_ANY)) {
			sg_err("cannot clear counters: %s", strerror(errno));
			free(zero);
			return SG_EXIT_RUNTIME;
		}
	free(zero);
	while (!bpf_map_get_next_key(off_fd, NULL, &key) && n++ < 4 * SG_MAX_OFFENDERS)
		bpf_map_delete_elem(off_fd, &key);
	printf("smtpguard: counters and offender records cleared\n");
	return SG_EXIT_OK;
}

int sg_cmd_stats(const struct sg_args *args)
{
	struct sg_report r = { .top = args->top };
	char err[SG_ERRLEN];
	int rc, stats_fd, off_fd;

	if ((rc = sg_check_privileges(err, sizeof(err)))) {
		sg_err("%s", err);
		return rc;
	}
	stats_fd = sg_pin_open(args->pin_dir, SG_PIN_STATS);
	off_fd = sg_pin_open(args->pin_dir, SG_PIN_OFFENDERS);
	if (stats_fd < 0 || off_fd < 0) {
		sg_err("not loaded (no pinned stats in %s)", args->pin_dir);
		rc = SG_EXIT_NOT_LOADED;
		goto out;
	}
	if (args->reset) {
		rc = reset(stats_fd, off_fd);
		goto out;
	}
	if (read_counters(stats_fd, &r) ||
	    read_offenders(off_fd, &r, sg_pinned_features(args->pin_dir))) {
		sg_err("cannot read the pinned maps in %s: %s", args->pin_dir, strerror(errno));
		rc = SG_EXIT_RUNTIME;
		goto out;
	}
	r.mode = pinned_mode(args->pin_dir);
	if (args->prometheus)
		sg_report_prometheus(stdout, &r);
	else if (args->json)
		sg_report_json(stdout, &r);
	else
		sg_report_text(stdout, &r);
	rc = SG_EXIT_OK;
out:
	free(r.rows);
	if (stats_fd >= 0)
		close(stats_fd);
	if (off_fd >= 0)
		close(off_fd);
	return rc;
}
