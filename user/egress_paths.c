// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* issue 14: the cgroups of config key egress_guard (see egress_paths.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "egress_paths.h"

int sg_eg_path_norm(const char *tok, char *out, size_t len, char *msg, size_t msglen)
{
	size_t o = 0;
	const char *p = tok;

	if (!strcmp(tok, "all") || !strcmp(tok, "/")) {
		snprintf(out, len, "/");
		return 0;
	}
	if (tok[0] != '/') {
		snprintf(msg, msglen, "egress_guard '%.64s': a cgroup path must start with / "
			 "(relative to the cgroup v2 root) or be 'all'", tok);
		return -1;
	}
	/* one component at a time: '/' + name */
	while (*p) {
		const char *start, *end;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != '/')
			p++;
		end = p;
		if ((end - start == 1 && start[0] == '.') ||
		    (end - start == 2 && start[0] == '.' && start[1] == '.')) {
			snprintf(msg, msglen, "egress_guard '%.64s': no '.' or '..' in a cgroup path",
				 tok);
			return -1;
		}
		if (o + 1 + (size_t)(end - start) + 1 > len) {
			snprintf(msg, msglen, "egress_guard '%.64s...': path too long (at most %zu "
				 "characters)", tok, len - 1);
			return -1;
		}
		out[o++] = '/';
		memcpy(out + o, start, (size_t)(end - start));
		o += (size_t)(end - start);
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

bool sg_eg_path_within(const char *a, const char *b)
{
	size_t n = strlen(b);

	if (!strcmp(b, "/"))
		return true;
	return !strncmp(a, b, n) && (a[n] == '\0' || a[n] == '/');
}

int sg_eg_add(struct sg_config *cfg, const char *path, unsigned line, unsigned file,
	      char *msg, size_t msglen)
{
	for (unsigned i = 0; i < cfg->neg; i++) {
		const char *q = cfg->eg_paths[i];
		char where[SG_PATH_LEN + 32];

		/* nested cgroups would run the program twice on one packet */
		if (!strcmp(q, path) || sg_eg_path_within(path, q) || sg_eg_path_within(q, path)) {
			if (cfg->eg_files[i] == file)
				snprintf(where, sizeof(where), "line %u", cfg->eg_lines[i]);
			else
				snprintf(where, sizeof(where), "%s:%u",
					 sg_config_file(cfg, cfg->eg_files[i]), cfg->eg_lines[i]);
			snprintf(msg, msglen, "egress_guard %s %s %s (%s)", path,
				 !strcmp(q, path) ? "is listed twice, also on" :
				 sg_eg_path_within(path, q) ? "lies inside" : "contains", q, where);
			return -1;
		}
	}
	size_t total = strlen(path);

	for (unsigned i = 0; i < cfg->neg; i++)
		total += 1 + strlen(cfg->eg_paths[i]);
	if (total >= SG_EG_PATHS_LEN) {
		snprintf(msg, msglen, "egress_guard paths too long together: at most %d characters",
			 SG_EG_PATHS_LEN - 1);
		return -1;
	}
	if (cfg->neg >= SG_EG_MAX_PATHS) {
		snprintf(msg, msglen, "too many egress_guard cgroups: at most %d", SG_EG_MAX_PATHS);
		return -1;
	}
	snprintf(cfg->eg_paths[cfg->neg], sizeof(cfg->eg_paths[0]), "%s", path);
	cfg->eg_files[cfg->neg] = file;
	cfg->eg_lines[cfg->neg++] = line;
	return 0;
}

void sg_eg_join(const struct sg_config *cfg, char *buf, size_t len)
{
	size_t o = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < cfg->neg; i++) {
		int n = snprintf(buf + o, len - o, "%s%s", i ? " " : "", cfg->eg_paths[i]);

		if (n < 0 || (size_t)n >= len - o) {
			buf[o] = '\0'; /* cannot happen: the parser bounds the total */
			return;
		}
		o += (size_t)n;
	}
}

void sg_eg_split(const char *joined, size_t len, struct sg_config *cfg)
{
	size_t i = 0;

	cfg->neg = 0;
	while (i < len && joined[i] && cfg->neg < SG_EG_MAX_PATHS) {
		size_t n = 0;

		while (i < len && joined[i] == ' ')
			i++;
		while (i + n < len && joined[i + n] && joined[i + n] != ' ')
			n++;
		if (!n)
			break;
		if (n < sizeof(cfg->eg_paths[0])) {
			memcpy(cfg->eg_paths[cfg->neg], joined + i, n);
			cfg->eg_paths[cfg->neg][n] = '\0';
			cfg->eg_files[cfg->neg] = 0;
			cfg->eg_lines[cfg->neg++] = 0;
		}
		i += n;
	}
}

int sg_eg_resolve(struct sg_config *cfg, const char *root, bool strict, char *err,
		  size_t errlen)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < cfg->neg; i++) {
		char full[SG_PATH_LEN * 2];
		struct stat st;
		int e = 0;

		snprintf(full, sizeof(full), "%s%s", root, cfg->eg_paths[i]);
		if (stat(full, &st))
			e = errno;
		else if (!S_ISDIR(st.st_mode))
			e = ENOTDIR;
		if (!e) {
			if (kept != i) {
				memcpy(cfg->eg_paths[kept], cfg->eg_paths[i], sizeof(cfg->eg_paths[0]));
				cfg->eg_lines[kept] = cfg->eg_lines[i];
				cfg->eg_files[kept] = cfg->eg_files[i];
			}
			kept++;
			continue;
		}
		if (strict) {
			snprintf(err, errlen, "%s:%u: egress_guard cgroup %s does not exist (%s: %s)",
				 sg_config_file(cfg, cfg->eg_files[i]), cfg->eg_lines[i],
				 cfg->eg_paths[i], full,
				 strerror(e));
			return -1;
		}
		fprintf(stderr, "%s:%u: warning: egress_guard cgroup %s does not exist (skipped)\n",
			sg_config_file(cfg, cfg->eg_files[i]), cfg->eg_lines[i], cfg->eg_paths[i]);
	}
	cfg->neg = kept;
	return 0;
}
