/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The pin layout in the pin dir (names without dots: bpffs refuses them). */
#ifndef SG_PINS_H
#define SG_PINS_H

#include <stdbool.h>
#include <stddef.h>

enum sg_pin {
	/* attachments (bpf_link method only) */
	SG_PIN_LINK4, SG_PIN_LINK6,
	/* programs */
	SG_PIN_PROG4, SG_PIN_PROG6,
	/* policy maps: replaced by every load/reload */
	SG_PIN_UIDS, SG_PIN_GIDS, SG_PIN_DST4, SG_PIN_DST6, SG_PIN_POLICY,
	/* history maps: kept across reloads and upgrades */
	SG_PIN_STATS, SG_PIN_OFFENDERS, SG_PIN_EVENTS,
	/* issue 10: policy maps too (appended) */
	SG_PIN_ACCT, SG_PIN_CGROUPS,
	/* issue 14: the egress layer (only when egress_guard is set): its two
	 * programs, the socket owners and its counters (both kept across
	 * reloads) */
	SG_PIN_EG_SOCK, SG_PIN_EG_SKB, SG_PIN_EG_OWNER, SG_PIN_EG_STATS,
	SG_PIN_COUNT
};

const char *sg_pin_name(enum sg_pin pin);
/* dir/name, or dir/name-new for the staging name used while replacing. */
void sg_pin_path(const char *dir, enum sg_pin pin, bool staging, char *buf, size_t len);
/* Opens a pinned object; -1 with errno (ENOENT: not pinned). */
int sg_pin_open(const char *dir, enum sg_pin pin);
/* Opens the object pinned at the staging name; -1 with errno. */
int sg_pin_open_staged(const char *dir, enum sg_pin pin);
/* Pins fd at its name, replacing any old pin with one rename (the name is
 * never missing for readers). 0 or -errno. */
int sg_pin_replace(const char *dir, enum sg_pin pin, int fd);
/* The two halves of sg_pin_replace: pin at the staging name only, and later
 * rename the staging name over the final one. 0 or -errno. */
int sg_pin_stage(const char *dir, enum sg_pin pin, int fd);
int sg_pin_commit(const char *dir, enum sg_pin pin);
/* Is something pinned at pin's name? */
bool sg_pin_exists(const char *dir, enum sg_pin pin);
/* Removes a pin and its staging name; missing ones are fine. */
void sg_pin_remove(const char *dir, enum sg_pin pin);
/* Staging names left behind by an interrupted command: counts them, and
 * removes them when remove is set. */
int sg_pin_staging_left(const char *dir, bool remove);

/* Test knob: with SMTPGUARD_TEST_STEP_MS=N set, sleeps N ms after every step
 * that changes kernel state (each pin, rename, attach, detach), so the
 * kill -9 tests can land inside every window. No effect when unset. */
void sg_test_pause(void);

#endif
