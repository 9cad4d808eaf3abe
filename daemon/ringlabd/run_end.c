/* SPDX-License-Identifier: MIT */
/*
 * The end files of runs the store could not finish (see run_end.h): one
 * JSON object, {"id", "status", "finished_ns", "error", "store_error",
 * "env"} (rl_run_end_text(), as the cells spool keeps it), padded with
 * spaces to RUN_END_SIZE; all spaces when empty. A file an older ringlabd
 * wrote (4 KiB, no "env") is read as an end without one, and is made
 * RUN_END_SIZE long at the next open.
 */
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/result_json.h"
#include "util/json.h"
#include "run_end.h"

/*
 * Room for both messages (RL_ERR_MSG_MAX each, escaped) and the run's
 * environment at its end (struct rl_env's strings, escaped): a few KiB in
 * practice, at most about 40 KiB even if every byte needed escaping.
 */
#define RUN_END_SIZE (64 << 10)

static int end_path(const char *state_dir, const char *name, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/" RL_RUN_END_PREFIX "%s", state_dir, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int write_all(int fd, const char *buf)
{
	if (pwrite(fd, buf, RUN_END_SIZE, 0) != RUN_END_SIZE)
		return errno ? -errno : -EIO;
	return fdatasync(fd) < 0 ? -errno : 0;
}

/* A file's worth of spaces (free it); NULL when out of memory. */
static char *blank_buf(void)
{
	char *buf = malloc(RUN_END_SIZE);

	if (buf)
		memset(buf, ' ', RUN_END_SIZE);
	return buf;
}

int rl_run_end_open(const char *state_dir, const char *name, struct rl_err *err)
{
	char path[PATH_MAX], *blank;
	struct stat st;
	int fd, ret;

	if (end_path(state_dir, name, path, sizeof(path)) < 0)
		return rl_err_set(err, -ENAMETOOLONG, "%.200s: path too long", state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return rl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && st.st_size >= RUN_END_SIZE)
		return fd;
	/* Written, not fallocated: its blocks must be there for good. */
	blank = blank_buf();
	errno = 0;
	ret = blank ? write_all(fd, blank) : -ENOMEM;
	free(blank);
	if (ret < 0) {
		close(fd);
		return rl_err_set(err, ret, "%s: %s", path, strerror(-ret));
	}
	return fd;
}

/* @j printed unformatted, then deleted; NULL when out of memory. */
static char *json_text(cJSON *j)
{
	char *text = rl_json_print_compact(j);

	cJSON_Delete(j);
	return text;
}

/* @end as an object; NULL when out of memory. */
static cJSON *end_obj(const struct rl_run_end *end)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddNumberToObject(o, "id", (double)end->id) ||
	    !cJSON_AddStringToObject(o, "status", rl_run_status_name(end->status)) ||
	    !cJSON_AddNumberToObject(o, "finished_ns", (double)end->finished_ns) ||
	    !cJSON_AddStringToObject(o, "error", end->error) ||
	    !cJSON_AddStringToObject(o, "store_error", end->store_error)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* @end and @env_json as the file's text, padded into @buf; -ENOMEM or -E2BIG. */
static int format_end(const struct rl_run_end *end, const char *env_json, char *buf)
{
	char *text = rl_run_end_text(end, env_json);
	size_t n;

	if (!text)
		return -ENOMEM;
	n = strlen(text);
	if (n >= RUN_END_SIZE) {
		free(text);
		return -E2BIG;
	}
	memcpy(buf, text, n);
	free(text);
	return 0;
}

int rl_run_end_write(int fd, const struct rl_run_end *end, const char *env_json)
{
	char *buf = blank_buf();
	int ret = buf ? 0 : -ENOMEM;

	if (!ret && end && end->id) {
		ret = format_end(end, env_json, buf);
		/* An environment too large to keep: the end itself still beats "interrupted". */
		if (ret == -E2BIG && env_json) {
			memset(buf, ' ', RUN_END_SIZE);
			ret = format_end(end, NULL, buf);
		}
	}
	errno = 0;
	if (!ret)
		ret = write_all(fd, buf);
	free(buf);
	return ret;
}

static int parse_status(const char *name)
{
	for (int st = 0; st < RL_RUN_MAX; st++)
		if (!strcmp(rl_run_status_name((enum rl_run_status)st), name))
			return st;
	return -1;
}

/* The end object @o into @end: 1, or 0 when @o is not one. */
static int end_from_obj(const cJSON *o, struct rl_run_end *end)
{
	const cJSON *id, *st, *fin, *e, *se;
	int ret = 0;

	id = cJSON_GetObjectItemCaseSensitive(o, "id");
	st = cJSON_GetObjectItemCaseSensitive(o, "status");
	fin = cJSON_GetObjectItemCaseSensitive(o, "finished_ns");
	e = cJSON_GetObjectItemCaseSensitive(o, "error");
	se = cJSON_GetObjectItemCaseSensitive(o, "store_error");
	if (cJSON_IsNumber(id) && id->valuedouble >= 1 && cJSON_IsString(st) &&
	    parse_status(st->valuestring) >= 0 && cJSON_IsNumber(fin) && cJSON_IsString(e) &&
	    cJSON_IsString(se)) {
		memset(end, 0, sizeof(*end));
		end->id = (int64_t)id->valuedouble;
		end->status = (enum rl_run_status)parse_status(st->valuestring);
		end->finished_ns = (int64_t)fin->valuedouble;
		snprintf(end->error, sizeof(end->error), "%s", e->valuestring);
		snprintf(end->store_error, sizeof(end->store_error), "%s", se->valuestring);
		ret = 1;
	}
	return ret;
}

/*
 * The end kept in @fd: 1 with @end and its environment @env_json (free it;
 * NULL: none kept) filled, 0 when empty or not ours to read, -ENOMEM.
 */
static int read_end(int fd, struct rl_run_end *end, char **env_json)
{
	char *buf = malloc(RUN_END_SIZE + 1);
	ssize_t n = buf ? pread(fd, buf, RUN_END_SIZE, 0) : -1;
	int ret;

	*env_json = NULL;
	if (!buf)
		return -ENOMEM;
	if (n <= 0) {
		free(buf);
		return 0;
	}
	buf[n] = '\0';
	ret = rl_run_end_parse(buf, end, env_json);
	free(buf);
	return ret == -ENOMEM ? ret : !ret;
}

char *rl_run_end_env_text(const struct rl_env *env)
{
	return json_text(rl_env_to_json(env));
}

char *rl_run_end_text(const struct rl_run_end *end, const char *env_json)
{
	cJSON *o = end_obj(end), *env = env_json ? cJSON_Parse(env_json) : cJSON_CreateNull();

	if (!o || !env || !cJSON_AddItemToObject(o, "env", env)) {
		cJSON_Delete(o);
		cJSON_Delete(env);
		return NULL;
	}
	return json_text(o);
}

int rl_run_end_parse(const char *text, struct rl_run_end *end, char **env_json)
{
	cJSON *o = cJSON_Parse(text);
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(o, "env");
	int ret = 0;

	*env_json = NULL;
	/* No env at all: an end file of an older ringlabd, kept without one. */
	if (!end_from_obj(o, end) || (env && !cJSON_IsObject(env) && !cJSON_IsNull(env)))
		ret = -EINVAL;
	else if (cJSON_IsObject(env) && !(*env_json = cJSON_PrintUnformatted(env)))
		ret = -ENOMEM;
	cJSON_Delete(o);
	return ret;
}

/*
 * Record the end in the end file @path, if any, with the environment it
 * kept, and clear it. Returns 1 when one was recorded.
 */
static int recover_one(const char *path, struct rl_store *s, struct rl_err *err)
{
	struct rl_store_run_meta meta;
	struct rl_run_end end;
	char *env = NULL;
	int fd, ret;

	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	ret = read_end(fd, &end, &env);
	if (ret < 0)
		rl_err_set(err, ret, "%s: reading the kept end: %s", path, strerror(-ret));
	else if (ret > 0 && rl_store_run_get(s, end.id, NULL, &meta, err) == 0 &&
		 (meta.status == RL_RUN_RUNNING || meta.status == RL_RUN_QUEUED)) {
		ret = rl_store_run_end_json(s, end.id, end.status, end.error, end.finished_ns, env,
					    err);
		/* A fleet run's lease was the stopped daemon's: the run goes back to the queue. */
		if (ret == -ESTALE || ret == -EEXIST)
			ret = 0;
		else if (ret < 0)
			rl_err_prefix(err, ret, "%s: recording the end of run %lld", path,
				      (long long)end.id);
		else
			ret = 1;
	} else {
		ret = 0;
	}
	free(env);
	if (ret >= 0)
		rl_run_end_write(fd, NULL, NULL);
	close(fd);
	return ret;
}

int rl_run_end_recover(const char *state_dir, struct rl_store *s, int *n, struct rl_err *err)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir = opendir(state_dir);
	int count = 0, ret = 0;

	if (!dir)
		return errno == ENOENT ? 0 : rl_err_set(err, -errno, "%s: %s", state_dir, strerror(errno));
	while (ret >= 0 && (de = readdir(dir))) {
		if (strncmp(de->d_name, RL_RUN_END_PREFIX, strlen(RL_RUN_END_PREFIX)) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", state_dir, de->d_name) >= sizeof(path))
			continue;
		ret = recover_one(path, s, err);
		count += ret > 0;
	}
	closedir(dir);
	if (n)
		*n = count;
	return ret < 0 ? ret : count;
}
