// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Counters, offender history and the event buffer survive reloads and
 * upgrades: the new programs take over the old maps, from their pins or,
 * where the pins are gone, from the attached program itself. A map is taken
 * over only if it was written by the same map format and its layout is what
 * the new program expects; anything else is started afresh, and said so,
 * rather than guessed. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cleanup.h"
#include "loader.h"

static struct bpf_map *history_map(struct smtpguard_bpf *skel, enum sg_pin pin)
{
	switch (pin) {
	case SG_PIN_STATS: return skel->maps.sg_stats;
	case SG_PIN_OFFENDERS: return skel->maps.sg_offenders;
	case SG_PIN_EVENTS: return skel->maps.sg_events;
	default: return NULL;
	}
}

/* The format version recorded by the smtpguard that made the pins: from the
 * attached program's policy, else the pinned policy map; 0 when unknown. */
static __u32 pinned_format(const struct load_ctx *lc)
{
	_cleanup_close_ int fd = -1;
	struct sg_policy pol;

	if (lc->old.have_policy)
		return lc->old.policy.format;
	fd = sg_pin_open(lc->args->pin_dir, SG_PIN_POLICY);
	/* format is the first field of every version's sg_policy */
	if (fd >= 0 && sg_read_policy_map(fd, &pol) >= sizeof(pol.format))
		return pol.format;
	return 0;
}

/* Where the pins are gone, the old attached program is asked for its maps. */
static __u32 old_prog_id(const struct load_ctx *lc)
{
	if (!lc->old.pins_missing)
		return 0;
	for (int i = 0; i < 2; i++)
		if (lc->old.link[i].present)
			return lc->old.link[i].prog_id;
	return 0;
}

static bool same_layout(int fd, const struct bpf_map *map, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return !bpf_obj_get_info_by_fd(fd, info, &len) &&
	       info->type == bpf_map__type(map) &&
	       info->key_size == bpf_map__key_size(map) &&
	       info->value_size == bpf_map__value_size(map) &&
	       info->max_entries == bpf_map__max_entries(map);
}

void sg_loader_reuse_history(struct load_ctx *lc, struct smtpguard_bpf *skel)
{
	__u32 format = pinned_format(lc);

	for (enum sg_pin pin = SG_PIN_STATS; pin <= SG_PIN_EVENTS; pin++) {
		struct bpf_map *map = history_map(skel, pin);
		_cleanup_close_ int fd = -1;
		struct bpf_map_info info;

		if (sg_kstate_history_map(lc->args->pin_dir, old_prog_id(lc),
					  (enum sg_hist)(pin - SG_PIN_STATS), &fd))
			continue;
		if (format && format != SG_FORMAT_VERSION)
			sg_warn("pinned map '%s' was written with map format %u, this is format %u: "
				"starting it afresh", sg_pin_name(pin), format, SG_FORMAT_VERSION);
		else if (same_layout(fd, map, &info) && !bpf_map__reuse_fd(map, fd))
			lc->reused[pin] = true;
		else
			sg_warn("pinned map '%s' has a different layout (type %u, key %u, value %u, "
				"entries %u): starting it afresh", sg_pin_name(pin), info.type,
				info.key_size, info.value_size, info.max_entries);
	}
}
