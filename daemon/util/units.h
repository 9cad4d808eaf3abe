/* SPDX-License-Identifier: MIT */
/* Sizes in bytes as people write them: "4096", "16K", "64M", "1g" (powers of 1024). */
#ifndef RINGLAB_DAEMON_UTIL_UNITS_H
#define RINGLAB_DAEMON_UTIL_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * rl_parse_size() - "4096", "64M", "1g" (K/M/G/T, powers of 1024) to bytes.
 * Returns 0, or -EINVAL for anything else, -ERANGE on overflow.
 */
int rl_parse_size(const char *s, uint64_t *bytes);

/*
 * rl_format_size() - @bytes as "64M" when an exact binary multiple, else the
 * plain number, into @buf. Returns @buf.
 */
char *rl_format_size(uint64_t bytes, char *buf, size_t len);

#endif
