/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* User and group names through NSS (files, LDAP, SSSD, ...). */
#ifndef SG_NAMES_H
#define SG_NAMES_H

#include <stddef.h>
#include <stdint.h>

#define SG_NAME_MAX 64

/* 0 and *id set when the name exists; -1 when it does not. */
int sg_user_id(const char *name, uint32_t *id);
int sg_group_id(const char *name, uint32_t *id);
/* Name of a numeric id into buf, or "" when it has none. */
void sg_user_name(uint32_t id, char *buf, size_t len);
void sg_group_name(uint32_t id, char *buf, size_t len);

#endif
