// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include "names.h"

enum lookup { USER_BY_NAME, GROUP_BY_NAME, USER_BY_ID, GROUP_BY_ID };

/*
 * One NSS lookup with the reentrant calls, growing the buffer on ERANGE
 * (groups with many members in LDAP need more than a page).
 * Sets *id_out or name_out; returns 0 when found, -1 otherwise.
 */
static int nss(enum lookup how, const char *name, uint32_t id, uint32_t *id_out,
	       char *name_out, size_t name_len)
{
	size_t blen = 1024;
	int found = -1;

	for (;;) {
		char *b = malloc(blen);
		struct passwd pw, *pwr = NULL;
		struct group gr, *grr = NULL;
		int rc;

		if (!b)
			return -1;
		switch (how) {
		case USER_BY_NAME: rc = getpwnam_r(name, &pw, b, blen, &pwr); break;
		case USER_BY_ID:   rc = getpwuid_r((uid_t)id, &pw, b, blen, &pwr); break;
		case GROUP_BY_NAME: rc = getgrnam_r(name, &gr, b, blen, &grr); break;
		default:           rc = getgrgid_r((gid_t)id, &gr, b, blen, &grr); break;
		}
		if (rc == ERANGE && blen < (1u << 24)) {
			free(b);
			blen *= 4;
			continue;
		}
		if (!rc && pwr) {
			found = 0;
			if (id_out)
				*id_out = (uint32_t)pwr->pw_uid;
			else
				snprintf(name_out, name_len, "%s", pwr->pw_name);
		} else if (!rc && grr) {
			found = 0;
			if (id_out)
				*id_out = (uint32_t)grr->gr_gid;
			else
				snprintf(name_out, name_len, "%s", grr->gr_name);
		}
		free(b);
		return found;
	}
}

int sg_user_id(const char *name, uint32_t *id)
{
	return nss(USER_BY_NAME, name, 0, id, NULL, 0);
}

int sg_group_id(const char *name, uint32_t *id)
{
	return nss(GROUP_BY_NAME, name, 0, id, NULL, 0);
}

void sg_user_name(uint32_t id, char *buf, size_t len)
{
	buf[0] = '\0';
	nss(USER_BY_ID, NULL, id, NULL, buf, len);
}

void sg_group_name(uint32_t id, char *buf, size_t len)
{
	buf[0] = '\0';
	nss(GROUP_BY_ID, NULL, id, NULL, buf, len);
}
