// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Listing conf.d (issue 10). Reading and parsing the files is config.c's. */
#define _GNU_SOURCE /* asprintf */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "confd.h"

#define CONFD_MAX 4096 /* more drop-ins than this is a runaway generator */

void sg_confd_dir(const char *config_path, char *buf, size_t len)
{
	const char *slash = strrchr(config_path, '/');

	if (!slash)
		snprintf(buf, len, "conf.d");
	else if (slash == config_path)
		snprintf(buf, len, "/conf.d");
	else
		snprintf(buf, len, "%.*s/conf.d", (int)(slash - config_path), config_path);
}

int sg_confd_wanted(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && !strcmp(name + n - 5, ".conf");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void sg_confd_free(char **paths, unsigned n)
{
	for (unsigned i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

static int fail(const char *dir, int e, char **a, unsigned n, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: cannot read the conf.d directory: %s", dir, strerror(e));
	sg_confd_free(a, n);
	return -1;
}

int sg_confd_list(const char *dir, char ***out, unsigned *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	char **a = NULL;
	unsigned cnt = 0;
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : fail(dir, errno, NULL, 0, err, errlen);
	errno = 0;
	while ((de = readdir(d))) {
		char **more;

		if (!sg_confd_wanted(de->d_name))
			continue;
		if (cnt >= CONFD_MAX) {
			closedir(d);
			return fail(dir, E2BIG, a, cnt, err, errlen);
		}
		more = realloc(a, sizeof(*a) * (cnt + 1));
		if (!more || asprintf(&more[cnt], "%s/%s", dir, de->d_name) < 0) {
			closedir(d);
			return fail(dir, ENOMEM, more ? more : a, cnt, err, errlen);
		}
		a = more;
		cnt++;
		errno = 0;
	}
	if (errno) {
		int e = errno;

		closedir(d);
		return fail(dir, e, a, cnt, err, errlen);
	}
	closedir(d);
	if (cnt)
		qsort(a, cnt, sizeof(*a), cmp_str);
	*out = a;
	*n = cnt;
	return 0;
}
