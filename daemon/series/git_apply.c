/* SPDX-License-Identifier: MIT */
/* Spawning git apply with a clean environment and reading what it says. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "git_apply.h"
#include "util/cleanup.h"

#define ARGS_MAX 16

extern char **environ;

/* Variables that would point git at another repository, or translate its messages. */
static const char *const dropped_env[] = { "GIT_DIR=", "GIT_WORK_TREE=", "GIT_INDEX_FILE=",
					   "GIT_CEILING_DIRECTORIES=", "LC_ALL=", "LANGUAGE=", NULL };

static bool dropped(const char *var)
{
	for (const char *const *d = dropped_env; *d; d++)
		if (!strncmp(var, *d, strlen(*d)))
			return true;
	return false;
}

/* environ less dropped_env, plus LC_ALL=C and a ceiling at @dir's parent. NULL on ENOMEM. */
static char **child_env(const char *dir, char **ceiling)
{
	size_t n = 0, w = 0;
	const char *slash = strrchr(dir, '/');
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env || asprintf(ceiling, "GIT_CEILING_DIRECTORIES=%.*s",
			     (int)(slash > dir ? slash - dir : 1), dir) < 0) {
		free(env);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!dropped(environ[i]))
			env[w++] = environ[i];
	env[w++] = (char *)"LC_ALL=C";
	env[w++] = *ceiling;
	return env;
}

/* Read @fd to its end into @out, keeping what fits. */
static void drain(int fd, char *out, size_t size)
{
	size_t len = 0;
	char sink[512];
	ssize_t n;

	for (;;) {
		bool room = len + 1 < size;

		n = read(fd, room ? out + len : sink, room ? size - 1 - len : sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += room ? (size_t)n : 0;
	}
	out[len] = '\0';
}

static int spawn(const char *const *argv, char **env, int fds[2], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
	ret = posix_spawnp(pid, "git", &fa, NULL, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	return -ret;
}

int rl_git_apply(const char *dir, const char *const *args, const char *patch, char *out,
		 size_t size)
{
	const char *argv[ARGS_MAX + 6] = { "git", "-C", dir, "apply" };
	_cleanup_free_ char *ceiling = NULL;
	_cleanup_free_ char **env = NULL;
	size_t n = 4;
	int fds[2], st, ret;
	pid_t pid;

	for (; *args && n < ARGS_MAX + 4; args++)
		argv[n++] = *args;
	argv[n] = patch;
	env = child_env(dir, &ceiling);
	if (!env)
		return -ENOMEM;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	ret = spawn(argv, env, fds, &pid);
	close(fds[1]);
	if (!ret)
		drain(fds[0], out, size);
	close(fds[0]);
	if (ret)
		return ret;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
