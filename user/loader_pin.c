// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Pinning the objects of a load. A first load pins them at their names. A
 * reload pins them at staging names ("-new") and renames them over the old
 * pins only once both hooks run the new programs, so a reload that fails
 * (and puts the first hook back) leaves the pins describing the old load.
 * Every program of ours that is attached is pinned under some name, or
 * recorded with its pin dir in its policy: a kill -9 at any point leaves
 * nothing the next command cannot find.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "loader.h"
#include "sysenv.h"

static void say_pin_failed(const struct load_ctx *lc, enum sg_pin pin, int rc)
{
	sg_err("cannot pin %s in %s: %s%s", sg_pin_name(pin), lc->args->pin_dir, strerror(-rc),
	       sg_eperm_hint(SG_OP_PIN, -rc));
}

int sg_loader_pin_now(struct load_ctx *lc, enum sg_pin pin, int fd)
{
	int rc = sg_pin_replace(lc->args->pin_dir, pin, fd);

	if (rc)
		say_pin_failed(lc, pin, rc);
	return rc;
}

static int pin_staged(struct load_ctx *lc, enum sg_pin pin, int fd)
{
	int rc = sg_pin_stage(lc->args->pin_dir, pin, fd);

	if (rc)
		say_pin_failed(lc, pin, rc);
	else
		lc->staged[pin] = true;
	return rc;
}

/* Programs first, then the policy maps, then the history maps. */
int sg_loader_pin(struct load_ctx *lc)
{
	struct smtpguard_bpf *s = lc->skel;
	const struct {
		enum sg_pin pin;
		int fd;
	} objs[] = {
		{ SG_PIN_PROG4, bpf_program__fd(s->progs.sg_connect4) },
		{ SG_PIN_PROG6, bpf_program__fd(s->progs.sg_connect6) },
		{ SG_PIN_UIDS, bpf_map__fd(s->maps.sg_allow_uids) },
		{ SG_PIN_GIDS, bpf_map__fd(s->maps.sg_allow_gids) },
		{ SG_PIN_DST4, bpf_map__fd(s->maps.sg_allow_dst4) },
		{ SG_PIN_DST6, bpf_map__fd(s->maps.sg_allow_dst6) },
		{ SG_PIN_ACCT, bpf_map__fd(s->maps.sg_acct_dst) },
		{ SG_PIN_CGROUPS, bpf_map__fd(s->maps.sg_cgroups) },
		{ SG_PIN_POLICY, bpf_map__fd(s->maps.rodata) },
		{ SG_PIN_STATS, bpf_map__fd(s->maps.sg_stats) },
		{ SG_PIN_OFFENDERS, bpf_map__fd(s->maps.sg_offenders) },
		{ SG_PIN_EVENTS, bpf_map__fd(s->maps.sg_events) },
	};

	for (size_t i = 0; i < ARRAY_LEN(objs); i++) {
		enum sg_pin pin = objs[i].pin;
		int rc;

		/* a reused map keeps its pin; one taken over from the
		 * attached program (pins gone) is pinned again */
		if (lc->reused[pin] && sg_pin_exists(lc->args->pin_dir, pin))
			continue;
		rc = lc->was_loaded ? pin_staged(lc, pin, objs[i].fd)
				    : sg_loader_pin_now(lc, pin, objs[i].fd);
		if (rc) {
			sg_loader_unpin(lc);
			return rc;
		}
	}
	return 0;
}

int sg_loader_commit_pins(struct load_ctx *lc)
{
	for (enum sg_pin pin = 0; pin < SG_PIN_COUNT; pin++) {
		int rc;

		if (!lc->staged[pin])
			continue;
		if ((rc = sg_pin_commit(lc->args->pin_dir, pin))) {
			say_pin_failed(lc, pin, rc);
			return rc;
		}
		lc->staged[pin] = false;
	}
	return 0;
}

void sg_loader_unpin(struct load_ctx *lc)
{
	const char *dir = lc->args->pin_dir;

	if (lc->was_loaded) {
		/* every staging name is this load's: leftovers went first */
		sg_pin_staging_left(dir, true);
		memset(lc->staged, 0, sizeof(lc->staged));
		return;
	}
	for (enum sg_pin pin = 0; pin < SG_PIN_COUNT; pin++)
		sg_pin_remove(dir, pin);
	rmdir(dir);
}
