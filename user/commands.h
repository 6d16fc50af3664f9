/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The commands that touch the kernel. Each returns an SG_EXIT_* code and
 * prints its own one-line error. */
#ifndef SG_COMMANDS_H
#define SG_COMMANDS_H

#include "cli.h"
#include "config.h"

enum sg_load_mode {
	SG_LOAD,          /* load, or swap the policy when loaded */
	SG_RELOAD,        /* swap the policy; must already be loaded */
	SG_LOAD_FALLBACK, /* the config was unusable: load cfg (the built-in
			   * default) unless something is loaded already */
};

int sg_cmd_load(const struct sg_args *args, const struct sg_config *cfg,
		enum sg_load_mode mode);
int sg_cmd_unload(const struct sg_args *args);
int sg_cmd_status(const struct sg_args *args);
int sg_cmd_stats(const struct sg_args *args);
int sg_cmd_log(const struct sg_args *args);
int sg_cmd_monitor(const struct sg_args *args);
/* issue 10 */
int sg_cmd_explain(const struct sg_args *args);
int sg_cmd_import_csf(const struct sg_args *args);

#endif
