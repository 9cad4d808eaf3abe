/* SPDX-License-Identifier: MIT */
/*
 * Where workloads and suites are looked up: one rule for the CLI, the
 * nightly and ringlabd, so a name resolves to the same file wherever it is
 * run from.
 */
#ifndef RINGLAB_DAEMON_ENGINE_WORKLOAD_PATH_H
#define RINGLAB_DAEMON_ENGINE_WORKLOAD_PATH_H

#include <limits.h>

#define RL_WORKLOAD_PATH_MAX 6

struct rl_workload_path {
	char exe_dir[PATH_MAX + 16];
	const char *dirs[RL_WORKLOAD_PATH_MAX];
};

/*
 * rl_workload_path() - fill @p with the NULL-terminated search path and
 * return it: @first (the --workloads option or ringlabd's workloads_dir; may
 * be NULL), $RINGLAB_WORKLOADS, workloads/ beside the running executable (a
 * build tree), the installed data directory, and last the source tree the
 * binary was built from (uninstalled VPATH builds). Directories that do not
 * exist are kept or skipped as rl_suite_resolve() skips them; @first must
 * outlive the returned array. Never fails.
 */
const char *const *rl_workload_path(struct rl_workload_path *p, const char *first);

#endif
