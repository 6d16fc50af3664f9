/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SG_LOCK_H
#define SG_LOCK_H

#include <stddef.h>

#define SG_LOCK_FILE "/run/smtpguard.lock"

/* Serialises commands that change kernel state: two at once would race on
 * the pins. Waits for the holder; the lock dies with the process, so a
 * kill -9 never leaves it held. Returns the fd, or a negative errno after
 * saying why in one line. */
int sg_lock(void);
/* A shared lock for readers (status): waits for a running command to finish
 * so a half-done state is never reported. Best effort: -1 if the lock file
 * cannot be opened, and the reader goes on without it. */
int sg_lock_shared(void);

#endif
