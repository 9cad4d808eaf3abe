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
 * return it: @first (the --workloads option; may be NULL),
 * $RINGLAB_WORKLOADS, workloads/ beside the running executable (a bundle
 * such as the VM guest's), the source tree's only when the executable lies
 * in the build tree it was built in (uninstalled VPATH builds), and last
 * the installed data directory.
 * Each directory is listed once, however many of these name it (by inode).
 * Directories that do not exist are kept or skipped as rl_suite_resolve()
 * skips them; @first must outlive the returned array. Never fails.
 */
const char *const *rl_workload_path(struct rl_workload_path *p, const char *first);

/*
 * rl_workload_path_configured() - ringlabd's search path: @dir (its
 * workloads_dir) and nothing else once installed; the build tree's entries
 * as above when it runs from its build tree. @dir must outlive the returned
 * array. Never fails.
 */
const char *const *rl_workload_path_configured(struct rl_workload_path *p, const char *dir);

#endif
