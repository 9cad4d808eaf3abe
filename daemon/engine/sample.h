/* SPDX-License-Identifier: MIT */
/* Counters sampled before and after every cell. */
#ifndef RINGLAB_DAEMON_ENGINE_SAMPLE_H
#define RINGLAB_DAEMON_ENGINE_SAMPLE_H

#include <sys/types.h>

#include "result.h"

/*
 * rl_es_read() - parse /proc/fs/ext4/@sb/es_shrinker_info (@sb as in
 * /proc/fs/ext4, e.g. "loop0"). Returns 0, or -errno (out->valid stays false).
 */
int rl_es_read(const char *sb, struct rl_es_stats *out);

/* rl_disk_read() - parse /sys/dev/block/MAJ:MIN/stat of @dev. Returns 0 or -errno. */
int rl_disk_read(dev_t dev, struct rl_disk_stats *out);

/*
 * rl_es_parse() - parse the text of es_shrinker_info ("stats:" section;
 * other sections and unknown lines are ignored). Returns 0 with out->valid
 * set, or -EINVAL when the objects or cache hits/misses line is missing.
 */
int rl_es_parse(const char *text, struct rl_es_stats *out);

/*
 * rl_disk_parse() - parse a block device stat line (11, 15 or 17 fields; the
 * first 11 are kept). Returns 0 with out->valid set, or -EINVAL.
 */
int rl_disk_parse(const char *text, struct rl_disk_stats *out);

/* rl_iowq_workers() - threads of this process named iou-wrk-*; -errno on error. */
int rl_iowq_workers(void);

#endif
