// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stats: the per-CPU counters and the offender LRU map (no smtpguard process
 * needs to run for them to fill), summed and reported. The maps and the
 * mode come from the kernel-state module (kstate.h), which checks the maps'
 * layout and reads the mode from the attached programs' policy. Reading
 * holds the shared command lock, so a half-done load is never reported;
 * --reset zeroes both under the exclusive one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cleanup.h"
#include "clock.h"
#include "commands.h"
#include "common.h"
#include "config.h"
#include "kstate.h"
#include "lock.h"
#include "stats_report.h"
#include "names.h"
#include "prefix.h"
#include "sysenv.h"
#include "textfile.h"

/* Offender records as report rows, with names and wall-clock times.
 * features: of the loaded policy, which says which clock stamped them. */
static int offender_rows(int fd, struct sg_report *r, __u32 features)
{
	_cleanup_free_ struct sg_offender_kv *kv = NULL;
	unsigned n;
	int rc = sg_history_offenders(fd, SG_MAX_OFFENDERS, &kv, &n);

	if (rc)
		return rc;
	if (n && !(r->rows = calloc(n, sizeof(*r->rows)))) {
		sg_err("out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		struct sg_offender_row *row = &r->rows[i];

		row->uid = kv[i].uid;
		row->rec = kv[i].rec;
		sg_user_name(row->uid, row->user, sizeof(row->user));
		row->first_unix = sg_stamp_to_unix(row->rec.first_ns, features);
		row->last_unix = sg_stamp_to_unix(row->rec.last_ns, features);
	}
	r->nrows = n;
	return 0;
}

/* Opens the counters and offenders; the exit code when that fails.
 * quiet: "not loaded" is no error to say (Prometheus reports it). */
static int open_maps(const struct sg_args *args, struct sg_history *h, bool quiet)
{
	char root[SG_PATH_LEN];
	const char *hint;
	int rc;

	for (int k = 0; k < SG_HIST_COUNT; k++)
		h->fd[k] = -1; /* closable whatever fails */
	if ((rc = sg_kstate_hint(args->cgroup, root, sizeof(root), &hint)))
		return sg_kstate_exit(rc);
	rc = sg_kstate_open_history(args->pin_dir, hint,
				    SG_HIST_BIT(SG_HIST_STATS) | SG_HIST_BIT(SG_HIST_OFFENDERS), h);
	if (rc == -ENOENT && !quiet)
		sg_err("not loaded (no pinned stats in %s)", args->pin_dir);
	return sg_kstate_exit(rc);
}

/* --user NAME|UID: the UID, and its name ("" when it has none). */
static int account(const char *arg, __u32 *uid, char *name, size_t len)
{
	unsigned long long n;

	if (!sg_parse_uint(arg, UINT32_MAX - 1, &n)) {
		*uid = (__u32)n;
		sg_user_name(*uid, name, len);
		return 0;
	}
	if (sg_user_id(arg, uid)) {
		sg_err("--user: no user named '%s'", arg);
		return SG_EXIT_USAGE;
	}
	snprintf(name, len, "%s", arg);
	return 0;
}

static void write_prom(FILE *out, void *r)
{
	sg_report_prometheus(out, r);
}

/* The report in the format asked for, to stdout or --output. */
static int emit(const struct sg_args *args, struct sg_report *r, __u32 uid, const char *user)
{
	if (args->output)
		return sg_write_atomic(args->output, write_prom, r) ? SG_EXIT_RUNTIME : SG_EXIT_OK;
	if (args->prometheus)
		sg_report_prometheus(stdout, r);
	else if (args->user)
		(args->json ? sg_report_user_json : sg_report_user_text)(stdout, r, uid, user);
	else if (args->json)
		sg_report_json(stdout, r);
	else
		sg_report_text(stdout, r);
	return SG_EXIT_OK;
}

static int reset(const struct sg_args *args)
{
	struct sg_history h;
	_cleanup_close_ int lock = sg_lock();
	int rc;

	if (lock < 0)
		return SG_EXIT_RUNTIME;
	rc = open_maps(args, &h, false);
	if (!rc && sg_history_reset(&h))
		rc = SG_EXIT_RUNTIME;
	sg_history_close(&h);
	if (!rc) { /* issue 14: the egress layer's counters too */
		_cleanup_kstate_ struct sg_kstate ks = SG_KSTATE_INIT;

		if (sg_kstate_read_for(args->pin_dir, args->cgroup, SG_KREAD_POLICY_ONLY, &ks) ||
		    sg_kstate_eg_reset(args->pin_dir, &ks))
			rc = SG_EXIT_RUNTIME;
	}
	if (!rc)
		printf("smtpguard: counters and offender records cleared\n");
	return rc;
}

/* issue 14: the egress layer's counters, when it is (or was) loaded. */
static int egress_counters(const struct sg_args *args, struct sg_report *r)
{
	_cleanup_kstate_ struct sg_kstate ks = SG_KSTATE_INIT;
	int rc = sg_kstate_read_for(args->pin_dir, args->cgroup, SG_KREAD_POLICY_ONLY, &ks);

	if (!rc)
		rc = sg_kstate_eg_counters(args->pin_dir, &ks, r->eg);
	r->have_eg = !rc;
	return rc && rc != -ENOENT ? SG_EXIT_RUNTIME : 0;
}

static int report(const struct sg_args *args)
{
	struct sg_report r = { .top = args->top, .version = SG_VERSION,
			       .format = SG_FORMAT_VERSION,
			       .now_unix = sg_clock_now(CLOCK_REALTIME) };
	struct sg_history h;
	char user[SG_NAME_MAX] = "";
	__u32 uid = 0;
	/* best effort, as for status: without a lock file nothing is loading */
	_cleanup_close_ int lock = -1;
	int rc = args->user ? account(args->user, &uid, user, sizeof(user)) : 0;

	if (rc)
		return rc;
	lock = sg_lock_shared();
	rc = open_maps(args, &h, args->prometheus);
	/* Prometheus is told "not loaded" as a value, so a fleet sees it */
	if (rc == SG_EXIT_NOT_LOADED && args->prometheus) {
		rc = emit(args, &r, uid, user);
		goto out;
	}
	if (!rc && (sg_history_counters(&h, r.fam) ||
		    offender_rows(h.fd[SG_HIST_OFFENDERS], &r, h.policy.features)))
		rc = SG_EXIT_RUNTIME;
	if (!rc)
		rc = egress_counters(args, &r);
	if (!rc) {
		/* unknown (NULL) when nothing is attached to say it */
		r.mode = h.have_policy ? sg_mode_name(h.policy.mode) : NULL;
		r.loaded = h.attached;
		rc = emit(args, &r, uid, user);
	}
out:
	sg_history_close(&h);
	free(r.rows);
	return rc;
}

int sg_cmd_stats(const struct sg_args *args)
{
	if (sg_check_userns())
		return SG_EXIT_RUNTIME;
	return args->reset ? reset(args) : report(args);
}
