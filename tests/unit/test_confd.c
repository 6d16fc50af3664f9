// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests (issue 10): conf.d beside the config file. The directory's
 * name, which entries are drop-ins and their order, the parse of several
 * files as one config (lists add up, a scalar is set once in all of them,
 * every error names its file), and sg_config_load on a temporary tree.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "config.h"
#include "confd.h"

static char err[1024];

static void test_dir(void)
{
	char b[256];

	sg_confd_dir("/etc/smtpguard/smtpguard.conf", b, sizeof(b));
	STR_EQ(b, "/etc/smtpguard/conf.d", "default config: /etc/smtpguard/conf.d");
	sg_confd_dir("/x/y.conf", b, sizeof(b));
	STR_EQ(b, "/x/conf.d", "--config /x/y.conf: /x/conf.d");
	sg_confd_dir("/y.conf", b, sizeof(b));
	STR_EQ(b, "/conf.d", "a file in /: /conf.d");
	sg_confd_dir("y.conf", b, sizeof(b));
	STR_EQ(b, "conf.d", "a relative name: conf.d beside it");
	sg_confd_dir("a/b/y.conf", b, sizeof(b));
	STR_EQ(b, "a/b/conf.d", "a relative path");
}

static void test_wanted(void)
{
	OK(sg_confd_wanted("10-a.conf"), "10-a.conf is a drop-in");
	OK(sg_confd_wanted("x.conf"), "x.conf is a drop-in");
	OK(!sg_confd_wanted(".conf"), ".conf is not (hidden, no name)");
	OK(!sg_confd_wanted(".10-a.conf"), "a hidden file is not");
	OK(!sg_confd_wanted("10-a.conf.bak"), "*.conf.bak is not");
	OK(!sg_confd_wanted("10-a.conf~"), "an editor backup is not");
	OK(!sg_confd_wanted("10-a.cnf"), "another extension is not");
	OK(!sg_confd_wanted("README"), "README is not");
	OK(!sg_confd_wanted("."), ". is not");
}

static int parse2(const char *a, const char *b, struct sg_config *cfg)
{
	struct sg_config_text t[2] = {
		{ "/x/y.conf", a, strlen(a) },
		{ "/x/conf.d/10-a.conf", b, strlen(b) },
	};

	err[0] = '\0';
	return sg_config_parse_texts(t, 2, NULL, cfg, err, sizeof(err));
}

static void bad2(const char *a, const char *b, const char *want, const char *what)
{
	struct sg_config cfg;

	OK(parse2(a, b, &cfg) == -1, "refused: %s", what);
	STR_EQ(err, want, "message: %s", what);
	OK(cfg.users == NULL && cfg.files == NULL, "nothing left allocated: %s", what);
}

static void test_parse(void)
{
	struct sg_config cfg;

	OK(parse2("ports = 25\nallow_users = 0\n", "ports = 587\nallow_users = 1\n", &cfg) == 0,
	   "two files parse (%s)", err);
	OK(cfg.nports == 2 && cfg.ports[0] == 25 && cfg.ports[1] == 587, "ports add up");
	OK(cfg.nusers == 2 && cfg.users[1].id == 1 && cfg.users[1].file == 1 &&
	   cfg.users[1].line == 2, "users add up; the drop-in's entry knows file and line");
	OK(cfg.nfiles == 2 && !strcmp(cfg.files[1], "/x/conf.d/10-a.conf"), "files recorded");
	STR_EQ(sg_config_file(&cfg, 1), "/x/conf.d/10-a.conf", "sg_config_file");
	STR_EQ(cfg.source, "/x/y.conf", "source is the main file");
	sg_config_free(&cfg);

	OK(parse2("", "mode = audit\n", &cfg) == 0 && cfg.mode == SG_MODE_AUDIT,
	   "a scalar set only in a drop-in counts");
	sg_config_free(&cfg);
	OK(parse2("", "allow_destinations = 192.0.2.0/24\n", &cfg) == 0 && cfg.ndsts == 1,
	   "a list key set only in a drop-in replaces its default (as in one file)");
	sg_config_free(&cfg);

	bad2("mode = enforce\n", "\nmode = audit\n",
	     "/x/conf.d/10-a.conf:2: 'mode' is set twice (first at /x/y.conf:1)",
	     "a scalar in main and drop-in");
	bad2("", "mode = audit\nmode = audit\n",
	     "/x/conf.d/10-a.conf:2: 'mode' is set twice (first on line 1)",
	     "a scalar twice in one drop-in");
	bad2("allow_users = 0\n", "\n\nallow_users = 0\n",
	     "/x/conf.d/10-a.conf:3: user root / id 0 is listed twice (also at /x/y.conf:1)",
	     "an id in main and drop-in");
	bad2("ports = 25\n", "ports = 25\n",
	     "/x/conf.d/10-a.conf:1: duplicate port 25", "a port in main and drop-in");
	bad2("ports = 25\n", "# c\n\nfoo = 1\n",
	     "/x/conf.d/10-a.conf:3: unknown key 'foo'", "an error in a drop-in names it");
	bad2("mode = x\n", "",
	     "/x/y.conf:1: bad mode 'x': must be enforce, audit or redirect",
	     "an error in the main file names it");
}

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		printf("# cannot write %s\n", path);
	if (fd >= 0)
		close(fd);
}

static void test_load(void)
{
	char top[] = "/tmp/sg-test-confd.XXXXXX", p[512], d[512], want[1024];
	struct sg_config cfg;
	char **list;
	unsigned n;

	OK(mkdtemp(top) != NULL, "temp dir");
	snprintf(p, sizeof(p), "%s/y.conf", top);
	snprintf(d, sizeof(d), "%s/conf.d", top);
	put(p, "ports = 25\n", 0600);
	OK(sg_confd_list(d, &list, &n, err, sizeof(err)) == 0 && n == 0, "missing conf.d: none");
	OK(sg_config_load(p, true, NULL, &cfg, err, sizeof(err)) == 0 && cfg.nports == 1 &&
	   cfg.nfiles == 1, "missing conf.d: the main file only (%s)", err);
	sg_config_free(&cfg);

	OK(mkdir(d, 0755) == 0, "mkdir conf.d");
	snprintf(want, sizeof(want), "%s/20-b.conf", d);
	put(want, "ports = 465\n", 0600);
	snprintf(want, sizeof(want), "%s/10-a.conf", d);
	put(want, "ports = 587\n", 0600);
	snprintf(want, sizeof(want), "%s/30-c.conf.disabled", d);
	put(want, "garbage\n", 0600);
	snprintf(want, sizeof(want), "%s/.40-d.conf", d);
	put(want, "garbage\n", 0600);
	OK(sg_confd_list(d, &list, &n, err, sizeof(err)) == 0 && n == 2, "two drop-ins listed");
	snprintf(want, sizeof(want), "%s/10-a.conf", d);
	OK(n == 2 && !strcmp(list[0], want), "lexical order: 10-a first");
	sg_confd_free(list, n);
	OK(sg_config_load(p, true, NULL, &cfg, err, sizeof(err)) == 0 && cfg.nports == 3 &&
	   cfg.ports[0] == 25 && cfg.ports[1] == 587 && cfg.ports[2] == 465,
	   "main, then drop-ins in lexical order; others ignored (%s)", err);
	sg_config_free(&cfg);

	/* no main file at the default path: the drop-ins still count */
	unlink(p);
	OK(sg_config_load(p, false, NULL, &cfg, err, sizeof(err)) == 0 && cfg.nports == 2,
	   "missing main file at the default path: drop-ins over defaults (%s)", err);
	sg_config_free(&cfg);
	OK(sg_config_load(p, true, NULL, &cfg, err, sizeof(err)) == -1, "missing given file: error");

	/* a drop-in that is not a regular file */
	put(p, "ports = 25\n", 0600);
	snprintf(want, sizeof(want), "%s/50-dir.conf", d);
	OK(mkdir(want, 0755) == 0, "a directory named like a drop-in");
	OK(sg_config_load(p, true, NULL, &cfg, err, sizeof(err)) == -1, "is refused");
	snprintf(want, sizeof(want), "%s/50-dir.conf: not a regular file of at most 16777216 bytes", d);
	STR_EQ(err, want, "the message names the drop-in");
	snprintf(want, sizeof(want), "%s/50-dir.conf", d);
	rmdir(want);

	/* an error inside a drop-in */
	snprintf(want, sizeof(want), "%s/20-b.conf", d);
	put(want, "ports = 465\nmode = bogus\n", 0600);
	OK(sg_config_load(p, true, NULL, &cfg, err, sizeof(err)) == -1, "a bad drop-in fails the load");
	snprintf(want, sizeof(want), "%s/20-b.conf:2: bad mode 'bogus': must be enforce, audit or redirect", d);
	STR_EQ(err, want, "FILE:LINE of the drop-in");

	/* conf.d is a file, not a directory */
	snprintf(want, sizeof(want), "rm -rf '%s'", d);
	OK(system(want) == 0, "remove conf.d");
	put(d, "x", 0600);
	OK(sg_config_load(p, true, NULL, &cfg, err, sizeof(err)) == -1, "conf.d that is a file: error");
	snprintf(want, sizeof(want), "%s: cannot read the conf.d directory: Not a directory", d);
	STR_EQ(err, want, "message names conf.d");
	snprintf(want, sizeof(want), "rm -rf '%s'", top);
	OK(system(want) == 0, "clean up");
}

int main(void)
{
	test_dir();
	test_wanted();
	test_parse();
	test_load();
	return tap_done();
}
