/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workload_path.h"

/* workloads/ beside /proc/self/exe when it exists, else NULL. */
static const char *beside_exe(struct rl_workload_path *p)
{
	ssize_t n = readlink("/proc/self/exe", p->exe_dir, PATH_MAX);
	char *slash;

	if (n <= 0)
		return NULL;
	p->exe_dir[n] = '\0';
	slash = strrchr(p->exe_dir, '/');
	if (!slash)
		return NULL;
	strcpy(slash, "/workloads");
	return access(p->exe_dir, R_OK) == 0 ? p->exe_dir : NULL;
}

const char *const *rl_workload_path(struct rl_workload_path *p, const char *first)
{
	const char *env = getenv("RINGLAB_WORKLOADS");
	const char *exe = beside_exe(p);
	size_t i = 0;

	if (first && *first)
		p->dirs[i++] = first;
	if (env && *env)
		p->dirs[i++] = env;
	if (exe)
		p->dirs[i++] = exe;
	p->dirs[i++] = RINGLAB_DATADIR "/workloads";
	if (access(RINGLAB_SRCDIR "/workloads", R_OK) == 0)
		p->dirs[i++] = RINGLAB_SRCDIR "/workloads";
	p->dirs[i] = NULL;
	return p->dirs;
}
