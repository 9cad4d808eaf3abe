/* SPDX-License-Identifier: MIT */
/*
 * The cells spool (see spool.h): appended and synced one line at a time,
 * read back from where the last flush stopped. A line cut short by a crash
 * during its append was never acknowledged to the run, and is ignored.
 */
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/result_json.h"
#include "spool.h"
#include "util/clock.h"

/* Room for the recovery's own open: no bound there, the file is what it is. */
#define RECOVER_MAX_BYTES UINT64_MAX

unsigned int rl_spool_count(struct rl_spool *sp)
{
	return atomic_load(&sp->count);
}

/* The whole file from @from, NUL-terminated, into @out (free it). Returns its length or -errno. */
static ssize_t read_from(int fd, uint64_t from, char **out)
{
	struct stat st;
	size_t len, got = 0;
	char *buf;

	if (fstat(fd, &st) < 0)
		return -errno;
	len = (uint64_t)st.st_size > from ? (size_t)((uint64_t)st.st_size - from) : 0;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(from + got));

		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -EIO;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	return (ssize_t)got;
}

/* Complete lines in @buf: each is a cell (a torn last one is not). */
static unsigned int count_lines(const char *buf)
{
	unsigned int n = 0;

	for (const char *p = buf; (p = strchr(p, '\n')); p++)
		n++;
	return n;
}

int rl_spool_open(struct rl_spool *sp, const char *state_dir, const char *name,
		  uint64_t max_bytes, struct rl_err *err)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;

	memset(sp, 0, sizeof(*sp));
	sp->fd = -1;
	sp->max_bytes = max_bytes;
	if ((size_t)snprintf(sp->path, sizeof(sp->path), "%s/" RL_SPOOL_PREFIX "%s", state_dir,
			     name) >= sizeof(sp->path))
		return rl_err_set(err, -ENAMETOOLONG, "%.200s: path too long", state_dir);
	sp->fd = open(sp->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (sp->fd < 0)
		return rl_err_set(err, -errno, "%s: %s", sp->path, strerror(errno));
	n = fstat(sp->fd, &st) < 0 ? -errno : read_from(sp->fd, 0, &buf);
	if (n < 0) {
		close(sp->fd);
		sp->fd = -1;
		return rl_err_set(err, (int)n, "%s: %s", sp->path, strerror((int)-n));
	}
	sp->bytes = (uint64_t)st.st_size;
	atomic_store(&sp->count, count_lines(buf));
	if (atomic_load(&sp->count))
		sp->since_ns = (int64_t)rl_now_ns();
	free(buf);
	return 0;
}

void rl_spool_close(struct rl_spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
}

/* @line appended whole and synced, or the file cut back to @bytes. Returns 0 or -errno. */
static int append(struct rl_spool *sp, const char *line, size_t len)
{
	size_t put = 0;
	int ret = 0;

	while (put < len) {
		ssize_t n = write(sp->fd, line + put, len - put);

		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		put += (size_t)n;
	}
	if (!ret && fdatasync(sp->fd) < 0)
		ret = -errno;
	if (ret < 0 && ftruncate(sp->fd, (off_t)sp->bytes) == 0)
		fdatasync(sp->fd);
	return ret;
}

int rl_spool_add(struct rl_spool *sp, int64_t id, uint32_t seq, const struct rl_cell *c,
		 struct rl_err *err)
{
	cJSON *j = rl_cell_to_json(c);
	char *json = j ? cJSON_PrintUnformatted(j) : NULL, *line = NULL;
	int len, ret;

	cJSON_Delete(j);
	if (sp->fd < 0) {
		ret = rl_err_set(err, -EBADF, "%s: not open", sp->path);
		goto out;
	}
	len = json ? asprintf(&line, "%" PRId64 " %u %s\n", id, seq, json) : -1;
	if (len < 0) {
		line = NULL;
		ret = rl_err_set(err, -ENOMEM, "%s: run %lld, cell %u: out of memory", sp->path,
				 (long long)id, seq);
		goto out;
	}
	if (sp->bytes + (uint64_t)len > sp->max_bytes) {
		ret = rl_err_set(err, -ENOSPC, "%s is full: %u cells in %" PRIu64 " bytes, at most %" PRIu64,
				 sp->path, rl_spool_count(sp), sp->bytes, sp->max_bytes);
		goto out;
	}
	ret = append(sp, line, (size_t)len);
	if (ret < 0) {
		rl_err_set(err, ret, "%s: keeping cell %u of run %lld: %s", sp->path, seq,
			   (long long)id, strerror(-ret));
		goto out;
	}
	sp->bytes += (uint64_t)len;
	sp->run_id = id;
	if (!atomic_fetch_add(&sp->count, 1))
		sp->since_ns = (int64_t)rl_now_ns();
out:
	free(json);
	free(line);
	return ret;
}

/* Line @p (NUL where its newline was) as run, seq and JSON. Returns 0 or -EINVAL. */
static int parse_line(char *p, int64_t *id, uint32_t *seq, const char **json)
{
	char *end;
	long long v;
	unsigned long u;

	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || end == p || *end != ' ' || v < 1)
		return -EINVAL;
	p = end + 1;
	u = strtoul(p, &end, 10);
	if (errno || end == p || *end != ' ' || u > UINT32_MAX)
		return -EINVAL;
	*id = v;
	*seq = (uint32_t)u;
	*json = end + 1;
	return 0;
}

/* Every waiting cell stored: the file starts again empty. */
static void emptied(struct rl_spool *sp)
{
	if (ftruncate(sp->fd, 0) == 0)
		fdatasync(sp->fd);
	sp->bytes = sp->done = 0;
	sp->since_ns = 0;
	atomic_store(&sp->count, 0);
}

int rl_spool_flush(struct rl_spool *sp, struct rl_store *s, struct rl_err *err)
{
	char *buf = NULL, *p, *nl;
	ssize_t n;
	int stored = 0, ret = 0;

	if (sp->fd < 0 || !rl_spool_count(sp))
		return 0;
	n = read_from(sp->fd, sp->done, &buf);
	if (n < 0)
		return rl_err_set(err, (int)n, "%s: %s", sp->path, strerror((int)-n));
	for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
		const char *json;
		uint32_t seq;
		int64_t id;

		*nl = '\0';
		ret = parse_line(p, &id, &seq, &json);
		if (ret < 0) {
			ret = rl_err_set(err, -EINVAL, "%s, byte %" PRIu64 ": not a kept cell",
					 sp->path, sp->done);
			break;
		}
		ret = rl_store_cell_add_json(s, id, seq, json, err);
		if (ret < 0 && ret != -EEXIST) {
			rl_err_prefix(err, ret, "%s: run %lld, cell %u", sp->path, (long long)id, seq);
			break;
		}
		ret = 0;
		sp->done += (uint64_t)(nl + 1 - p);
		atomic_fetch_sub(&sp->count, 1);
		stored++;
	}
	free(buf);
	if (ret < 0)
		return ret;
	emptied(sp);
	return stored;
}

int rl_spool_set_aside(struct rl_spool *sp, bool keep, struct rl_err *err)
{
	char aside[RL_PATH_MAX + 40];
	int fd;

	if (!keep) {
		emptied(sp);
		return 0;
	}
	snprintf(aside, sizeof(aside), "%s.unstored-%lld", sp->path, (long long)sp->run_id);
	if (rename(sp->path, aside) < 0)
		return rl_err_set(err, -errno, "%s: renaming to %s: %s", sp->path, aside,
				  strerror(errno));
	fd = open(sp->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return rl_err_set(err, -errno, "%s: %s", sp->path, strerror(errno));
	close(sp->fd);
	sp->fd = fd;
	sp->bytes = sp->done = 0;
	sp->since_ns = 0;
	atomic_store(&sp->count, 0);
	return 0;
}

/* Write spool @name of @state_dir. Returns the cells stored or -errno (transient). */
static int recover_one(const char *state_dir, const char *name, struct rl_store *s, char *aside,
		       size_t len, struct rl_err *err)
{
	struct rl_spool sp;
	int ret = rl_spool_open(&sp, state_dir, name, RECOVER_MAX_BYTES, err);

	if (ret < 0)
		return ret;
	ret = rl_spool_flush(&sp, s, err);
	if (ret == -EINVAL || ret == -ENOENT || ret == -ESTALE) {
		/* A fleet run's cells go with its lease; another run's stay for a human. */
		snprintf(aside, len, "%.400s: %s", err->msg,
			 ret == -ESTALE ? "dropped: the run went back to the fleet's queue"
					: "set aside as .unstored");
		ret = rl_spool_set_aside(&sp, ret != -ESTALE, err);
	}
	rl_spool_close(&sp);
	return ret;
}

int rl_spool_recover(const char *state_dir, struct rl_store *s, int *n, char *aside, size_t len,
		     struct rl_err *err)
{
	size_t plen = strlen(RL_SPOOL_PREFIX);
	char scratch[RL_ERR_MSG_MAX];
	struct dirent *de;
	DIR *dir = opendir(state_dir);
	int count = 0, ret = 0;

	if (!aside) {
		aside = scratch;
		len = sizeof(scratch);
	}
	aside[0] = '\0';
	if (!dir)
		return errno == ENOENT ? 0 : rl_err_set(err, -errno, "%s: %s", state_dir, strerror(errno));
	while (ret >= 0 && (de = readdir(dir))) {
		if (strncmp(de->d_name, RL_SPOOL_PREFIX, plen) || strchr(de->d_name, '.'))
			continue;
		ret = recover_one(state_dir, de->d_name + plen, s, aside, len, err);
		count += ret > 0 ? ret : 0;
	}
	closedir(dir);
	if (n)
		*n = count;
	return ret < 0 ? ret : count;
}
