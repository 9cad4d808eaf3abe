/* SPDX-License-Identifier: MIT */
/* ringlabd's log: stderr, with syslog priority prefixes when journald reads it. */
#ifndef RINGLAB_DAEMON_RINGLABD_LOG_H
#define RINGLAB_DAEMON_RINGLABD_LOG_H

#include <syslog.h>

void rl_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
