// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Issue 10: `smtpguard explain [--user U] [--group G] [--cgroup-path P]
 * DEST:PORT [--json]`. Judges one TCP connect by the LOADED policy, read
 * back from the kernel maps through kstate (never from the config file), with
 * the decision of explain.c. The config file (--config, default) is read
 * only afterwards, best effort, to name the line of the entry that allowed
 * the connect; when that config no longer matches the loaded policy, the
 * annotation says so.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cleanup.h"
#include "commands.h"
#include "common.h"
#include "config_audit.h"
#include "explain.h"
#include "explain_acct.h"
#include "json.h"
#include "kstate.h"
#include "lock.h"
#include "sysenv.h"

static bool all_digits(const char *s)
{
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return *s;
}

/* NAME or number into *id and name; -1 said (a usage error). */
static int resolve(const char *arg, bool user, uint32_t *id, char *name, size_t len)
{
	unsigned long long v;

	if (all_digits(arg)) {
		if (sg_parse_uint(arg, 4294967294ULL, &v)) {
			sg_err("explain: %s id '%s' out of range", user ? "user" : "group", arg);
			return -1;
		}
		*id = (uint32_t)v;
	} else if (user ? sg_user_id(arg, id) : sg_group_id(arg, id)) {
		sg_err("explain: unknown %s '%.64s'", user ? "user" : "group", arg);
		return -1;
	}
	if (user)
		sg_user_name(*id, name, len);
	else
		sg_group_name(*id, name, len);
	return 0;
}

/* Who connects: --user (default: the caller's real UID) and --group
 * (default: --user's primary group, else the caller's real GID). */
static int who_connects(const struct sg_args *args, struct sg_ex_query *q)
{
	struct passwd *pw;

	q->uid = (uint32_t)getuid();
	q->gid = (uint32_t)getgid();
	if (args->user && resolve(args->user, true, &q->uid, q->user, sizeof(q->user)))
		return -1;
	if (!args->user)
		sg_user_name(q->uid, q->user, sizeof(q->user));
	if (args->group)
		return resolve(args->group, false, &q->gid, q->group, sizeof(q->group));
	if (args->user) {
		pw = getpwuid((uid_t)q->uid);
		if (!pw) {
			sg_err("explain: uid %u has no passwd entry to take its group from: give --group",
			       q->uid);
			return -1;
		}
		q->gid = (uint32_t)pw->pw_gid;
	}
	sg_group_name(q->gid, q->group, sizeof(q->group));
	return 0;
}

/* --cgroup-path: relative to the cgroup v2 root; its id is its inode. */
static int cgroup_of(const char *path, struct sg_ex_query *q)
{
	char root[512], full[1024];
	struct stat st;

	if (!path)
		return 0;
	if (sg_cgroup_root(root, sizeof(root)))
		return -1;
	snprintf(full, sizeof(full), "%s/%s", root, path[0] == '/' ? path + 1 : path);
	if (stat(full, &st) || !S_ISDIR(st.st_mode)) {
		sg_err("explain: --cgroup-path %.200s: no such cgroup (%.400s)", path, full);
		return -1;
	}
	q->cgroup_path = path;
	q->cgroup_id = (uint64_t)st.st_ino;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The same set of ids in both lists? */
static bool same_ids(const struct sg_ident *a, unsigned na, const struct sg_ident *b, unsigned nb)
{
	_cleanup_free_ uint32_t *x = malloc(sizeof(*x) * (na + 1));
	_cleanup_free_ uint32_t *y = malloc(sizeof(*y) * (nb + 1));

	if (na != nb || !x || !y)
		return false;
	for (unsigned i = 0; i < na; i++) {
		x[i] = a[i].id;
		y[i] = b[i].id;
	}
	qsort(x, na, sizeof(*x), cmp_u32);
	qsort(y, nb, sizeof(*y), cmp_u32);
	return !memcmp(x, y, sizeof(*x) * na);
}

static bool same_prefix(const struct sg_prefix *a, const struct sg_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
}

static int find_dst(const struct sg_config *c, const struct sg_prefix *p)
{
	for (unsigned i = 0; i < c->ndsts; i++)
		if (same_prefix(&c->dsts[i], p))
			return (int)i;
	return -1;
}

/* Where the entry that decided r is written in the config c: true with
 * *file and *line. */
static bool entry_where(const struct sg_config *c, const struct sg_ex_result *r,
			unsigned *file, unsigned *line)
{
	const struct sg_ident *ids = r->entry == SG_EX_ENTRY_UID ? c->users : c->groups;
	unsigned n = r->entry == SG_EX_ENTRY_UID ? c->nusers : c->ngroups;
	int i;

	switch (r->entry) {
	case SG_EX_ENTRY_DST:
		if ((i = find_dst(c, &r->prefix)) < 0)
			return false;
		*file = c->dst_where[i].file, *line = c->dst_where[i].line;
		return true;
	case SG_EX_ENTRY_UID:
	case SG_EX_ENTRY_GID:
		for (unsigned k = 0; k < n; k++)
			if (ids[k].id == r->id) {
				*file = ids[k].file, *line = ids[k].line;
				return true;
			}
		return false;
	case SG_EX_ENTRY_ACCT:
		for (unsigned k = 0; k < c->nacct; k++) {
			const struct sg_acct_dst *a = &c->acct[k];

			if (a->group == r->acct->group && a->id == r->acct->id &&
			    a->port == r->acct->port && same_prefix(&a->dst, &r->acct->dst)) {
				*file = a->file, *line = a->line;
				return true;
			}
		}
		return false;
	case SG_EX_ENTRY_CGROUP:
		for (unsigned k = 0; k < c->ncgroups; k++)
			if (!strcmp(c->cgroups[k].path, r->cgroup->path)) {
				*file = c->cgroups[k].file, *line = c->cgroups[k].line;
				return true;
			}
		return false;
	default:
		return false;
	}
}

/* Does the config file describe the loaded policy (the sets and the mode)? */
static bool same_policy(const struct sg_config *k, const struct sg_config *c)
{
	if (k->mode != c->mode || k->nports != c->nports || k->ndsts != c->ndsts ||
	    !same_ids(k->users, k->nusers, c->users, c->nusers) ||
	    !same_ids(k->groups, k->ngroups, c->groups, c->ngroups))
		return false;
	for (unsigned i = 0; i < k->nports; i++) {
		bool found = false;

		for (unsigned j = 0; j < c->nports; j++)
			found |= k->ports[i] == c->ports[j];
		if (!found)
			return false;
	}
	for (unsigned i = 0; i < k->ndsts; i++)
		if (find_dst(c, &k->dsts[i]) < 0)
			return false;
	return true;
}

/* "smtpguard.conf:14" (the main file by its base name, a drop-in as
 * "conf.d/NAME"), "built-in default" for line 0. */
static void where_text(const struct sg_config *c, unsigned file, unsigned line, char *buf,
		       size_t len)
{
	const char *f = sg_config_file(c, file), *base = strrchr(f, '/');

	if (!line)
		snprintf(buf, len, "built-in default");
	else
		snprintf(buf, len, "%s%s:%u", file ? "conf.d/" : "", base ? base + 1 : f, line);
}

/* Best effort: where the entry that allowed the connect is written. */
static void annotate(const struct sg_args *args, const struct sg_config *loaded,
		     const struct sg_ex_result *r, char *buf, size_t len)
{
	struct sg_config_opts opts = { .lenient_names = true,
				       .unpriv_port_start = sg_unpriv_port_start() };
	struct sg_config c;
	char err[SG_ERRLEN], w[300] = "";
	unsigned file, line;

	buf[0] = '\0';
	if (r->entry == SG_EX_ENTRY_NONE ||
	    sg_config_load(args->config, args->config_given, &opts, &c, err, sizeof(err)))
		return;
	if (entry_where(&c, r, &file, &line))
		where_text(&c, file, line, w, sizeof(w));
	if (!w[0])
		snprintf(buf, len, "not in %s any more", args->config);
	else if (!same_policy(loaded, &c))
		snprintf(buf, len, "%s; that config differs from the loaded policy", w);
	else
		snprintf(buf, len, "%s", w);
	sg_config_free(&c);
}

static void print_json(const struct sg_ex_query *q, const struct sg_ex_result *r,
		       const char *dst, const char *source)
{
	char to[SG_ADDRSTRLEN];
	struct sg_json j;

	sg_json_to_file(&j, stdout);
	sg_json_open(&j, '{');
	sg_json_kstr(&j, "verdict", sg_ex_verdict_name(r->verdict));
	sg_json_kstr(&j, "rule", r->rule);
	sg_json_kstr(&j, "step", r->step);
	sg_json_kstr(&j, "destination", dst);
	sg_json_kuint(&j, "port", q->dst.port);
	sg_json_kuint(&j, "family", r->mapped ? 4 : q->dst.family);
	sg_json_key(&j, "ipv4_mapped");
	sg_json_bool(&j, r->mapped);
	sg_json_kuint(&j, "uid", q->uid);
	sg_json_key(&j, "user");
	sg_json_string(&j, q->user[0] ? q->user : NULL);
	sg_json_kuint(&j, "gid", q->gid);
	sg_json_key(&j, "group");
	sg_json_string(&j, q->group[0] ? q->group : NULL);
	sg_json_key(&j, "cgroup_path");
	sg_json_string(&j, q->cgroup_path);
	sg_json_key(&j, "redirect_to");
	if (r->verdict == SG_EX_REDIRECTED) {
		sg_format_endpoint(&r->redirect, to, sizeof(to));
		sg_json_string(&j, to);
	} else
		sg_json_null(&j);
	sg_json_key(&j, "source");
	sg_json_string(&j, source[0] ? source : NULL);
	sg_json_close(&j, '}');
	putchar('\n');
}

int sg_cmd_explain(const struct sg_args *args)
{
	_cleanup_kstate_ struct sg_kstate ks = SG_KSTATE_INIT;
	_cleanup_close_ int lock = -1;
	struct sg_ex_query q = { 0 };
	struct sg_ex_acct_steps steps;
	struct sg_ex_result r;
	char err[SG_ERRLEN], dst[SG_ADDRSTRLEN], source[512];
	int rc;

	if (sg_ex_parse_target(args->target, &q.dst, err, sizeof(err))) {
		sg_err("%s", err);
		return SG_EXIT_USAGE;
	}
	if (who_connects(args, &q) || cgroup_of(args->cgroup_path, &q))
		return SG_EXIT_USAGE;
	if (sg_check_userns())
		return SG_EXIT_RUNTIME;
	lock = sg_lock_shared(); /* never judge by a half-swapped policy */
	if ((rc = sg_kstate_read_for(args->pin_dir, args->cgroup, 0, &ks)))
		return sg_kstate_exit(rc);
	if (!sg_kstate_any(&ks)) {
		sg_err("not loaded (pin dir %s): nothing to explain", args->pin_dir);
		return SG_EXIT_NOT_LOADED;
	}
	/* one hook only: the other family is not judged at all (status says
	 * the same); a verdict from half a policy would mislead */
	if (!sg_kstate_loaded(&ks)) {
		sg_err("partly loaded: only the %s hook is attached; run 'smtpguard load' to repair",
		       ks.link[0].present ? "connect4" : "connect6");
		return SG_EXIT_RUNTIME;
	}
	if (!ks.have_policy) {
		sg_err("the attached programs' policy cannot be read (made by another version?); "
		       "run 'smtpguard load'");
		return SG_EXIT_RUNTIME;
	}
	if (sg_ex_acct_steps(&steps, &ks, args->cgroup_path))
		return SG_EXIT_USAGE;
	sg_explain(&ks.cfg, &q, steps.extra, ARRAY_LEN(steps.extra), &r);
	if (steps.user.hit || steps.group.hit) {
		r.entry = SG_EX_ENTRY_ACCT;
		r.acct = steps.user.hit ? steps.user.hit : steps.group.hit;
	} else if (steps.cgroup.hit) {
		r.entry = SG_EX_ENTRY_CGROUP;
		r.cgroup = steps.cgroup.hit;
	}
	annotate(args, &ks.cfg, &r, source, sizeof(source));
	sg_format_endpoint(&q.dst, dst, sizeof(dst));
	if (args->json)
		print_json(&q, &r, dst, source);
	else
		printf("%s: %s — %s%s%s%s\n", sg_ex_verdict_name(r.verdict), dst, r.rule,
		       source[0] ? " (" : "", source, source[0] ? ")" : "");
	return SG_EXIT_OK;
}
