// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests (issue 10): import-csf's reading of csf.conf (CSF's quoting,
 * comments, duplicates) and its translation, with a fake account lookup.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "csf_import.h"

static struct sg_csf c;
static char err[512];

/* users: root 0, exim 93, cpanel 32001; groups: root 0, mail 12, mailman 41 */
static int lookup(void *ctx, const char *name, bool user, uint32_t *id)
{
	static const struct { const char *n; bool user; uint32_t id; } known[] = {
		{ "root", true, 0 }, { "exim", true, 93 }, { "cpanel", true, 32001 },
		{ "mailnull", true, 93 }, { "root", false, 0 }, { "mail", false, 12 },
		{ "mailman", false, 41 },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].user == user && !strcmp(known[i].n, name)) {
			*id = known[i].id;
			return 0;
		}
	return -1;
}

static int parse(const char *text)
{
	err[0] = '\0';
	return sg_csf_parse("csf.conf", text, strlen(text), &c, err, sizeof(err));
}

static char *translate(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	sg_csf_translate(&c, "csf.conf", lookup, NULL, f);
	fclose(f);
	return buf;
}

/* The output has this exact line. */
static void has(const char *out, const char *line, const char *what)
{
	char *want;
	const char *p = out;
	bool found = false;

	if (asprintf(&want, "%s\n", line) < 0)
		return;
	while (p && *p && !found) {
		found = !strncmp(p, want, strlen(want));
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	OK(found, "%s: has line '%.60s'", what, line);
	if (!found)
		printf("# output:\n%s", out);
	free(want);
}

static void test_parse(void)
{
	OK(parse("# comment\nSMTP_BLOCK = \"1\"\n  SMTP_PORTS = \"1\"\n#SMTP_PORTS = \"2\"\n"
		 "SMTP_PORTS=\"25, 587\"\r\nTCP_IN = \"20,21\"\nnot a setting\n") == 0,
	   "csf.conf parses (%s)", err);
	OK(!strcmp(c.value[SG_CSF_BLOCK], "1") && c.line[SG_CSF_BLOCK] == 2, "SMTP_BLOCK and its line");
	OK(!strcmp(c.value[SG_CSF_PORTS], "25, 587") && c.line[SG_CSF_PORTS] == 5,
	   "an indented line is skipped as csf does; CRLF and no blanks around '=' are fine");
	OK(c.line[SG_CSF_ALLOWUSER] == 0 && !c.value[SG_CSF_ALLOWUSER][0], "unset: empty");
	OK(parse("SMTP_ALLOWUSER = \"a\" # \"b\"\n") == 0 &&
	   !strcmp(c.value[SG_CSF_ALLOWUSER], "a\" # \"b"),
	   "the value runs to the last quote, as csf's greedy match");
	OK(parse("SMTP_BLOCK = 1\n") == -1, "an unquoted value is refused");
	STR_EQ(err, "csf.conf:1: SMTP_BLOCK: the value must be in double quotes (csf refuses this line too)",
	       "unquoted message");
	OK(parse("SMTP_BLOCK = \"1\"\n\nSMTP_BLOCK = \"0\"\n") == -1, "a repeated setting is refused");
	STR_EQ(err, "csf.conf:3: SMTP_BLOCK is set twice (first on line 1; csf refuses this too)",
	       "repeated message");
	OK(parse("TCP_IN = 1\n") == 0, "other settings are not judged");
}

static void test_translate(void)
{
	char *out;

	parse("SMTP_BLOCK = \"1\"\nSMTP_ALLOWLOCAL = \"1\"\nSMTP_PORTS = \"25,465,587\"\n"
	      "SMTP_ALLOWUSER = \"cpanel,exim, ghost,root,mailnull\"\n"
	      "SMTP_ALLOWGROUP = \"mail,mailman,root\"\nSMTP_REDIRECT = \"0\"\nIPV6 = \"1\"\n");
	out = translate();
	has(out, "ports = 25, 465, 587", "block");
	has(out, "allow_users = root, cpanel, exim", "block");
	has(out, "# SMTP_ALLOWUSER item 'ghost' not carried over: no such user here (csf skips it too)",
	    "unknown user");
	has(out, "allow_groups = mail, mailman", "block");
	has(out, "# SMTP_ALLOWGROUP item 'root' not carried over: csf skips GID 0", "gid 0");
	OK(!strstr(out, "allow_users = root, cpanel, exim, mailnull"), "mailnull has exim's UID: listed once");
	has(out, "allow_destinations = 127.0.0.0/8, ::1", "allowlocal");
	has(out, "mode = enforce", "block");
	OK(!strstr(out, "IPV6 ="), "IPV6 on: no comment");
	free(out);

	parse("SMTP_BLOCK = \"0\"\nSMTP_ALLOWLOCAL = \"0\"\nSMTP_PORTS = \"25,2525:2530,x\"\n"
	      "SMTP_REDIRECT = \"1\"\nSMTP_ALLOWUSER = \"1000,a#b\"\n");
	out = translate();
	has(out, "mode = audit", "block off");
	has(out, "# SMTP_REDIRECT = \"1\" not carried over: csf ignores it while SMTP_BLOCK is off",
	    "redirect without block");
	has(out, "allow_destinations =", "allowlocal off: no loopback either");
	has(out, "# SMTP_PORTS item '2525:2530' not carried over: a port range; list its ports one by one",
	    "range");
	has(out, "# SMTP_PORTS item 'x' not carried over: not a port number", "junk port");
	has(out, "ports = 25", "block off");
	has(out, "allow_users = root", "no users carried over: root only");
	has(out, "# SMTP_ALLOWUSER item '1000' not carried over: csf takes it for a name, smtpguard "
	    "would take it for an id", "a number is not carried over");
	has(out, "# SMTP_ALLOWUSER item 'a#b' not carried over: not an account name",
	    "a name the config cannot hold");
	has(out, "allow_groups =", "no groups");
	OK(strstr(out, "# IPV6 = \"\": csf leaves IPv6 SMTP unfiltered") != NULL, "IPV6 off said");
	free(out);

	parse("SMTP_BLOCK = \"1\"\nSMTP_REDIRECT = \"1\"\nSMTP_PORTS = \"\"\nIPV6 = \"1\"\n");
	out = translate();
	has(out, "mode = redirect", "redirect");
	has(out, "redirect_to = 127.0.0.1:25, [::1]:25", "redirect target");
	has(out, "ports =", "no ports");
	OK(strstr(out, "# SMTP_REDIRECT6 = \"\": csf leaves IPv6 SMTP unfiltered") != NULL,
	   "no REDIRECT6 said");
	free(out);
}

int main(void)
{
	test_parse();
	test_translate();
	return tap_done();
}
