/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* issue 14: removing the egress layer (egress_detach.c). */
#ifndef SG_EGRESS_DETACH_H
#define SG_EGRESS_DETACH_H

#include "kstate.h"

/* Detaches every egress program of ours that ks found, except the ids in
 * keep ([0] sock_create, [1] egress; NULL: none kept), counting them in
 * *detached. 0, or the last -errno (each failure said). */
int sg_eg_detach(const struct sg_kstate *ks, const __u32 keep[2], int *detached);
/* Removes the egress layer's pins. */
void sg_eg_unpin(const char *pin_dir);

#endif
