// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Environment audit at load/reload: the config is valid, but the host may
 * offer ways around it. Each finding is one warning line; none is fatal,
 * because refusing to load would leave the host with no enforcement at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "config_audit.h"
#include "confd.h"
#include "readfile.h"

#define MAX_SUBID_FILE (16u << 20)
#define SUBID_LINES_MAX 10 /* warnings per file before "and N more" */

static int parse_u32(const char *s, size_t len, uint32_t *v)
{
	uint64_t x = 0;

	if (!len || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

int sg_subid_parse_line(const char *line, size_t len, struct sg_subid_range *r)
{
	const char *c1, *c2, *end;
	size_t i = 0;

	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	line += i;
	len -= i;
	end = line + len;
	c1 = memchr(line, ':', len);
	if (!c1)
		return -1;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (!c2 || c1 == line || (size_t)(c1 - line) >= sizeof(r->owner))
		return -1;
	memset(r, 0, sizeof(*r));
	if (parse_u32(c1 + 1, (size_t)(c2 - c1 - 1), &r->start) ||
	    parse_u32(c2 + 1, (size_t)(end - c2 - 1), &r->count) || !r->count)
		return -1;
	memcpy(r->owner, line, (size_t)(c1 - line));
	r->owner[c1 - line] = '\0';
	return 1;
}

static int cmp_range(const void *a, const void *b)
{
	const struct sg_subid_range *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

int sg_subid_parse(const char *text, size_t len, struct sg_subid_range **out, unsigned *n)
{
	struct sg_subid_range *arr = NULL, r;
	unsigned cnt = 0, cap = 0;
	size_t pos = 0;
	uint64_t max_end = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = (nl ? (size_t)(nl - text) : len) - pos;

		if (sg_subid_parse_line(text + pos, l, &r) == 1) {
			if (cnt == cap) {
				struct sg_subid_range *a;

				cap = cap ? cap * 2 : 16;
				a = realloc(arr, sizeof(*a) * cap);
				if (!a) {
					free(arr);
					return -1;
				}
				arr = a;
			}
			arr[cnt++] = r;
		}
		pos += l + 1;
	}
	if (cnt)
		qsort(arr, cnt, sizeof(*arr), cmp_range);
	for (unsigned i = 0; i < cnt; i++) {
		uint64_t e = (uint64_t)arr[i].start + arr[i].count;

		if (e > max_end)
			max_end = e;
		arr[i].max_end = max_end;
	}
	*out = arr;
	*n = cnt;
	return 0;
}

/* Ranges may overlap: find the last range starting at or below id, then
 * walk back while an earlier range could still reach id (max_end). */
const struct sg_subid_range *sg_subid_find(const struct sg_subid_range *r, unsigned n,
					   uint32_t id)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (r[mid].start <= id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (unsigned i = lo; i-- > 0;) {
		if (r[i].max_end <= id)
			break;
		if ((uint64_t)id < (uint64_t)r[i].start + r[i].count)
			return &r[i];
	}
	return NULL;
}

void sg_audit_members_line(const char *group, uint32_t gid, const char *const *names,
			   unsigned nnames, unsigned total, char *buf, size_t len)
{
	size_t pos;

	snprintf(buf, len, "group %s (%u) has supplementary members that are not allowed: ",
		 group, gid);
	for (unsigned i = 0; i < nnames; i++) {
		pos = strlen(buf);
		snprintf(buf + pos, len - pos, "%s%s", i ? ", " : "", names[i]);
	}
	pos = strlen(buf);
	if (total > nnames)
		snprintf(buf + pos, len - pos, " and %u more", total - nnames);
	pos = strlen(buf);
	snprintf(buf + pos, len - pos, "; 'sg %s' or 'newgrp %s' makes it their primary "
		 "group, so they pass", group, group);
}

unsigned sg_unpriv_port_start(void)
{
	char buf[32];
	unsigned long v;
	char *end;
	ssize_t n;
	int fd = open("/proc/sys/net/ipv4/ip_unprivileged_port_start", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 1024;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1024;
	buf[n] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno || end == buf || v > 65536)
		return 1024;
	return (unsigned)v;
}

/* "owner uid 1000, group-writable", or "" when only root can write. */
static void writers(const struct stat *st, char *buf, size_t len)
{
	buf[0] = '\0';
	if (st->st_uid != 0)
		snprintf(buf, len, "owner uid %u", (unsigned)st->st_uid);
	if (st->st_mode & S_IWGRP)
		snprintf(buf + strlen(buf), len - strlen(buf), "%sgroup-writable (gid %u)",
			 buf[0] ? ", " : "", (unsigned)st->st_gid);
	if (st->st_mode & S_IWOTH)
		snprintf(buf + strlen(buf), len - strlen(buf), "%sworld-writable",
			 buf[0] ? ", " : "");
}

/* Whoever can write the config decides who may send mail. */
static void audit_file(const char *path)
{
	char who[96];
	struct stat st;

	if (stat(path, &st))
		return; /* no file at the default path: built-in defaults */
	writers(&st, who, sizeof(who));
	if (who[0])
		sg_warn("config %s can be changed by someone other than root (%s): whoever "
			"can write it decides who may send mail; make it root's and not "
			"group- or world-writable", path, who);
}

/* ... and so does whoever can write a directory it is in (dir), since
 * that someone can replace it (or, for conf.d, add a drop-in). */
static void audit_dir(const char *dir, const char *path)
{
	char who[96];
	struct stat st;

	if (stat(dir, &st))
		return;
	writers(&st, who, sizeof(who));
	if (who[0])
		sg_warn("directory %s of config %s can be changed by someone other than "
			"root (%s): whoever can write it can replace the config; make it "
			"root's and not group- or world-writable", dir, path, who);
}

static void audit_writable(const char *path, const struct sg_config *cfg)
{
	char *copy = strdup(path), confd[PATH_MAX];

	audit_file(path);
	if (copy)
		audit_dir(dirname(copy), path);
	free(copy);
	/* issue 10: conf.d and its drop-ins (files[0] is the main file) */
	sg_confd_dir(path, confd, sizeof(confd));
	audit_dir(confd, path);
	for (unsigned i = 1; cfg->files && i < cfg->nfiles; i++)
		audit_file(cfg->files[i]);
}

/* An allowed id inside someone's subordinate range: that someone maps it
 * into a user namespace with newuidmap/newgidmap and connects as it (the
 * kernel sees the mapped id, which is the allowed one). */
static void audit_subids(const struct sg_config *cfg, bool user)
{
	const char *env = getenv(user ? "SMTPGUARD_SUBUID_FILE" : "SMTPGUARD_SUBGID_FILE");
	const char *path = env && *env ? env : user ? "/etc/subuid" : "/etc/subgid";
	const struct sg_ident *ids = user ? cfg->users : cfg->groups;
	unsigned nids = user ? cfg->nusers : cfg->ngroups, nr = 0, hits = 0;
	const char *what = user ? "UID" : "GID";
	struct sg_subid_range *r = NULL;
	size_t len;
	char *text = sg_read_text(path, MAX_SUBID_FILE, &len);

	if (!text)
		return; /* no such file: no subordinate ids on this host */
	if (sg_subid_parse(text, len, &r, &nr)) {
		free(text);
		return;
	}
	free(text);
	for (unsigned i = 0; i < nids && nr; i++) {
		const struct sg_subid_range *h = sg_subid_find(r, nr, ids[i].id);
		char name[SG_NAME_MAX];

		if (!h || ++hits > SUBID_LINES_MAX)
			continue;
		snprintf(name, sizeof(name), "%s", ids[i].name);
		if (!name[0] && user)
			sg_user_name(ids[i].id, name, sizeof(name));
		else if (!name[0])
			sg_group_name(ids[i].id, name, sizeof(name));
		sg_warn("allowed %s %u%s%s%s lies in the subordinate %s range %u-%llu of '%s' in %s: "
			"'%s' can become %s %u in a user namespace (%s) and pass",
			what, ids[i].id, name[0] ? " (" : "", name, name[0] ? ")" : "", what,
			h->start, (unsigned long long)h->start + h->count - 1, h->owner, path,
			h->owner, what, ids[i].id, user ? "newuidmap" : "newgidmap");
	}
	if (hits > SUBID_LINES_MAX)
		sg_warn("and %u more allowed %ss lie in subordinate ranges of %s",
			hits - SUBID_LINES_MAX, what, path);
	free(r);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static uint32_t *sorted_ids(const struct sg_ident *ids, unsigned n)
{
	uint32_t *a = malloc(sizeof(*a) * (n ? n : 1));

	if (!a)
		return NULL;
	for (unsigned i = 0; i < n; i++)
		a[i] = ids[i].id;
	if (n)
		qsort(a, n, sizeof(*a), cmp_u32);
	return a;
}

static bool in_ids(const uint32_t *a, unsigned n, uint32_t id)
{
	return n && bsearch(&id, a, n, sizeof(*a), cmp_u32);
}

/* getgrgid into our own buffer (*buf, free() it), so the getpwnam calls
 * made while walking the member list cannot overwrite it. */
static struct group *group_by_id(uint32_t gid, struct group *gr, char **buf)
{
	struct group *res = NULL;
	size_t blen = 4096;

	for (;;) {
		char *b = realloc(*buf, blen);
		int rc;

		if (!b)
			return NULL;
		*buf = b;
		rc = getgrgid_r((gid_t)gid, gr, b, blen, &res);
		if (rc == ERANGE && blen < (1u << 24)) {
			blen *= 4;
			continue;
		}
		return rc ? NULL : res;
	}
}

/* A supplementary member of an allowed group is not allowed by it (the
 * kernel judges the primary GID), but `sg GROUP` or `newgrp GROUP` makes it
 * the primary GID: it can pass whenever it likes. */
static void audit_members(const struct sg_config *cfg)
{
	uint32_t *uids = sorted_ids(cfg->users, cfg->nusers);
	uint32_t *gids = sorted_ids(cfg->groups, cfg->ngroups);
	char *grbuf = NULL;

	for (unsigned i = 0; uids && gids && i < cfg->ngroups; i++) {
		const char *shown[SG_AUDIT_MEMBERS_SHOWN];
		char names[SG_AUDIT_MEMBERS_SHOWN][SG_NAME_MAX], gname[SG_NAME_MAX], line[SG_ERRLEN];
		unsigned total = 0;
		struct group grs, *gr = group_by_id(cfg->groups[i].id, &grs, &grbuf);

		if (!gr || !gr->gr_mem)
			continue;
		snprintf(gname, sizeof(gname), "%s", gr->gr_name);
		for (char **m = gr->gr_mem; *m; m++) {
			struct passwd *pw = getpwnam(*m);

			/* an account that does not exist cannot log in */
			if (!pw || in_ids(uids, cfg->nusers, (uint32_t)pw->pw_uid) ||
			    in_ids(gids, cfg->ngroups, (uint32_t)pw->pw_gid))
				continue;
			if (total < SG_AUDIT_MEMBERS_SHOWN) {
				snprintf(names[total], SG_NAME_MAX, "%s", *m);
				shown[total] = names[total];
			}
			total++;
		}
		if (!total)
			continue;
		sg_audit_members_line(gname, cfg->groups[i].id, shown,
				      total < SG_AUDIT_MEMBERS_SHOWN ? total : SG_AUDIT_MEMBERS_SHOWN,
				      total, line, sizeof(line));
		sg_warn("%s", line);
	}
	free(uids);
	free(gids);
	free(grbuf);
}

void sg_config_audit(const char *path, const struct sg_config *cfg)
{
	audit_writable(path, cfg);
	audit_subids(cfg, true);
	audit_subids(cfg, false);
	audit_members(cfg);
}
