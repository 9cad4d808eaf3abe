/* SPDX-License-Identifier: MIT */
/*
 * The workload search path. The build and source trees' workloads/ are
 * searched only by a binary that runs from its build tree: an installed
 * one must never pick up a checkout it happened to be built in, which may
 * since have changed hands.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "util/path.h"
#include "workload_path.h"

#ifndef RINGLAB_BUILDDIR
#define RINGLAB_BUILDDIR "/nonexistent"
#endif

/* Whether @a and @b name one directory: the same text, or the same inode. */
static bool same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!strcmp(a, b))
		return true;
	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * @dir as entry @i unless an earlier entry names it (an in-tree build's
 * --workloads, the executable's workloads/ and the source tree's are one):
 * looked up once, and a name found nowhere lists it once. Returns the next @i.
 */
static size_t add_dir(struct rl_workload_path *p, size_t i, const char *dir)
{
	for (size_t j = 0; j < i; j++)
		if (same_dir(p->dirs[j], dir))
			return i;
	p->dirs[i] = dir;
	return i + 1;
}

/* The running executable's directory into p->exe_dir; false when it cannot be told. */
static bool exe_dir(struct rl_workload_path *p)
{
	char *slash;

	if (!realpath("/proc/self/exe", p->exe_dir))
		return false;
	slash = strrchr(p->exe_dir, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return true;
}

/* Whether the running executable lies inside the build tree it was built in. */
static bool in_build_tree(struct rl_workload_path *p)
{
	char build[PATH_MAX];

	return exe_dir(p) && realpath(RINGLAB_BUILDDIR, build) &&
	       rl_path_within(p->exe_dir[0] ? p->exe_dir : "/", build);
}

/* The build tree's entries from @i on: workloads/ beside the executable (in-tree builds), the source tree's. */
static size_t add_build_tree(struct rl_workload_path *p, size_t i)
{
	if (!in_build_tree(p))
		return i;
	strcat(p->exe_dir, "/workloads");
	if (access(p->exe_dir, R_OK) == 0)
		i = add_dir(p, i, p->exe_dir);
	if (access(RINGLAB_SRCDIR "/workloads", R_OK) == 0)
		i = add_dir(p, i, RINGLAB_SRCDIR "/workloads");
	return i;
}

/*
 * workloads/ beside the executable wherever it runs: a bundle such as the VM
 * guest's initramfs (/ringlab/ringlab, /ringlab/workloads) carries its own.
 */
static size_t add_beside_exe(struct rl_workload_path *p, size_t i)
{
	if (!exe_dir(p))
		return i;
	strcat(p->exe_dir, "/workloads");
	if (access(p->exe_dir, R_OK) == 0)
		i = add_dir(p, i, p->exe_dir);
	return i;
}

const char *const *rl_workload_path(struct rl_workload_path *p, const char *first)
{
	const char *env = getenv("RINGLAB_WORKLOADS");
	size_t i = 0;

	if (first && *first)
		p->dirs[i++] = first;
	if (env && *env)
		i = add_dir(p, i, env);
	if (in_build_tree(p))
		i = add_build_tree(p, i);
	else
		i = add_beside_exe(p, i);
	i = add_dir(p, i, RINGLAB_DATADIR "/workloads");
	p->dirs[i] = NULL;
	return p->dirs;
}

const char *const *rl_workload_path_configured(struct rl_workload_path *p, const char *dir)
{
	size_t i = 0;

	p->dirs[i++] = dir;
	i = add_build_tree(p, i);
	p->dirs[i] = NULL;
	return p->dirs;
}
