// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests (issue 14): egress_guard paths (egress_paths.c) and the key in
 * the config parser. */
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "config.h"
#include "egress_paths.h"

static char msg[512];

static void norm_ok(const char *in, const char *want)
{
	char out[SG_PATH_LEN];

	msg[0] = '\0';
	OK(sg_eg_path_norm(in, out, sizeof(out), msg, sizeof(msg)) == 0, "'%s' is a path (%s)", in, msg);
	STR_EQ(out, want, "'%s' is %s", in, want);
}

static void norm_bad(const char *in, const char *want)
{
	char out[SG_PATH_LEN];

	msg[0] = '\0';
	OK(sg_eg_path_norm(in, out, sizeof(out), msg, sizeof(msg)) == -1, "'%s' is refused", in);
	STR_EQ(msg, want, "'%s': message", in);
}

static void parse(const char *text, int want_rc, const char *want)
{
	struct sg_config cfg;
	char err[512] = "";
	int rc = sg_config_parse("t.conf", text, strlen(text), NULL, &cfg, err, sizeof(err));
	int n = (int)strcspn(text, "\n"); /* test names stay on one line */

	OK(rc == want_rc, "parse '%.*s' returns %d (%s)", n, text, want_rc, err);
	if (!rc) {
		char joined[SG_EG_PATHS_LEN];

		sg_eg_join(&cfg, joined, sizeof(joined));
		STR_EQ(joined, want, "'%.*s' keeps '%s'", n, text, want);
		sg_config_free(&cfg);
	} else {
		STR_EQ(err, want, "'%.*s': error", n, text);
	}
}

int main(void)
{
	norm_ok("all", "/");
	norm_ok("/", "/");
	norm_ok("/machine.slice", "/machine.slice");
	norm_ok("//lxc.payload.c1//", "/lxc.payload.c1");
	norm_ok("/a/b/c/", "/a/b/c");
	norm_bad("machine.slice", "egress_guard 'machine.slice': a cgroup path must start with / "
		 "(relative to the cgroup v2 root) or be 'all'");
	norm_bad("/a/../b", "egress_guard '/a/../b': no '.' or '..' in a cgroup path");
	norm_bad("/a/./b", "egress_guard '/a/./b': no '.' or '..' in a cgroup path");

	OK(sg_eg_path_within("/a/b", "/a"), "/a/b lies in /a");
	OK(!sg_eg_path_within("/ab", "/a"), "/ab does not lie in /a");
	OK(sg_eg_path_within("/x", "/"), "everything lies in /");

	parse("ports = 25\n", 0, "");
	parse("egress_guard = /machine.slice, /lxc.payload.c1\n", 0,
	      "/machine.slice /lxc.payload.c1");
	parse("egress_guard = all\n", 0, "/");
	parse("egress_guard = /a\negress_guard = /b\n", 0, "/a /b");
	parse("egress_guard =\n", 0, "");
	parse("egress_guard = /a\negress_guard = /a/\n", -1,
	      "t.conf:2: egress_guard /a is listed twice, also on /a (line 1)");
	parse("egress_guard = /a/b /a\n", -1, "t.conf:1: egress_guard /a contains /a/b (line 1)");
	parse("egress_guard = /a all\n", -1, "t.conf:1: egress_guard / contains /a (line 1)");
	parse("egress_guard = x\n", -1, "t.conf:1: egress_guard 'x': a cgroup path must start "
	      "with / (relative to the cgroup v2 root) or be 'all'");
	{
		char text[2048] = "egress_guard =";

		for (int i = 0; i < 17; i++)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), " /c%d", i);
		parse(text, -1, "t.conf:1: too many egress_guard cgroups: at most 16");
	}
	{
		/* the policy round trip status relies on */
		struct sg_config cfg, back;
		struct sg_policy *pol = calloc(1, sizeof(*pol));
		char err[512];
		const char *t = "egress_guard = /m.slice /lxc.payload.c1\n";

		sg_config_parse("t.conf", t, strlen(t), NULL, &cfg, err, sizeof(err));
		sg_config_to_policy(&cfg, pol);
		memset(&back, 0, sizeof(back));
		sg_policy_to_config(pol, &back);
		OK(back.neg == 2, "two paths come back from the policy");
		STR_EQ(back.eg_paths[1], "/lxc.payload.c1", "in order");
		sg_config_free(&cfg);
		free(pol);
	}
	return tap_done();
}
