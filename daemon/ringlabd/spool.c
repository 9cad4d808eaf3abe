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
#include "util/json.h"
#include "spool.h"
#include "util/clock.h"

/* Room for the recovery's own open: no bound there, the file is what it is. */
#define RECOVER_MAX_BYTES UINT64_MAX
/* The second word of a run's end, where a cell has its seq. */
#define END_WORD "end"
#define SEQ_END -1

unsigned int rl_spool_count(struct rl_spool *sp)
{
	return atomic_load(&sp->count);
}

unsigned int rl_spool_waiting(struct rl_spool *sp)
{
	return atomic_load(&sp->count) + atomic_load(&sp->ends);
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

/* Line @p (NUL where its newline was) as run, seq (SEQ_END: an end) and JSON. Returns 0 or -EINVAL. */
static int parse_line(char *p, int64_t *id, int64_t *seq, const char **json)
{
	char *end;
	long long v;
	unsigned long u;

	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || end == p || *end != ' ' || v < 1)
		return -EINVAL;
	p = end + 1;
	if (!strncmp(p, END_WORD " ", strlen(END_WORD) + 1)) {
		*id = v;
		*seq = SEQ_END;
		*json = p + strlen(END_WORD) + 1;
		return 0;
	}
	u = strtoul(p, &end, 10);
	if (errno || end == p || *end != ' ' || u > UINT32_MAX)
		return -EINVAL;
	*id = v;
	*seq = (int64_t)u;
	*json = end + 1;
	return 0;
}

/* The complete lines of @buf (a torn last one is not) counted as cells and ends into @sp. */
static void tally(struct rl_spool *sp, char *buf)
{
	unsigned int cells = 0, ends = 0;
	char *p, *nl;

	for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
		const char *json;
		int64_t id, seq;

		*nl = '\0';
		if (parse_line(p, &id, &seq, &json) < 0) {
			cells++;	/* it stops the flush, as a cell would */
			continue;
		}
		if (!sp->run_id)
			sp->run_id = id;
		if (seq == SEQ_END)
			ends++;
		else
			cells++;
	}
	atomic_store(&sp->count, cells);
	atomic_store(&sp->ends, ends);
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
	tally(sp, buf);
	if (rl_spool_waiting(sp))
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

/*
 * Keep "@id @what @json" (@what: a cell's seq, or END_WORD) at the end,
 * counted in @counter. Returns as rl_spool_add(); @what names the line in
 * @err.
 */
static int add_line(struct rl_spool *sp, int64_t id, const char *what, const char *json,
		    atomic_uint *counter, struct rl_err *err)
{
	char *line = NULL;
	int len, ret;

	if (sp->fd < 0)
		return rl_err_set(err, -EBADF, "%s: not open", sp->path);
	len = json ? asprintf(&line, "%" PRId64 " %s %s\n", id, what, json) : -1;
	if (len < 0)
		return rl_err_set(err, -ENOMEM, "%s: run %lld, %s: out of memory", sp->path,
				  (long long)id, what);
	if (sp->bytes + (uint64_t)len > sp->max_bytes) {
		free(line);
		return rl_err_set(err, -ENOSPC, "%s is full: %u cells in %" PRIu64 " bytes, at most %" PRIu64,
				  sp->path, rl_spool_count(sp), sp->bytes, sp->max_bytes);
	}
	ret = append(sp, line, (size_t)len);
	free(line);
	if (ret < 0)
		return rl_err_set(err, ret, "%s: keeping %s of run %lld: %s", sp->path, what,
				  (long long)id, strerror(-ret));
	sp->bytes += (uint64_t)len;
	if (!rl_spool_waiting(sp)) {
		sp->since_ns = (int64_t)rl_now_ns();
		sp->run_id = id;
	}
	atomic_fetch_add(counter, 1);
	return 0;
}

int rl_spool_add(struct rl_spool *sp, int64_t id, uint32_t seq, const struct rl_cell *c,
		 struct rl_err *err)
{
	cJSON *j = rl_cell_to_json(c);
	char *json = rl_json_print_compact(j);
	char what[16];
	int ret;

	cJSON_Delete(j);
	snprintf(what, sizeof(what), "%u", seq);
	ret = add_line(sp, id, what, json, &sp->count, err);
	free(json);
	return ret;
}

int rl_spool_add_end(struct rl_spool *sp, const struct rl_run_end *end, const char *env_json,
		     struct rl_err *err)
{
	char *json = rl_run_end_text(end, env_json);
	int ret = add_line(sp, end->id, END_WORD, json, &sp->ends, err);

	free(json);
	return ret;
}

/* Every waiting cell stored: the file starts again empty. */
static void emptied(struct rl_spool *sp)
{
	if (ftruncate(sp->fd, 0) == 0)
		fdatasync(sp->fd);
	sp->bytes = sp->done = 0;
	sp->since_ns = 0;
	atomic_store(&sp->count, 0);
	atomic_store(&sp->ends, 0);
}

/* The run's end kept as @json, to the store after its cells. Returns as rl_store_run_end_json(). */
static int store_end(struct rl_store *s, int64_t id, const char *json, struct rl_err *err)
{
	struct rl_run_end end;
	char *env = NULL;
	int ret = rl_run_end_parse(json, &end, &env);

	if (ret < 0 || end.id != id)
		return rl_err_set(err, ret < 0 ? ret : -EINVAL, "not a kept run end");
	ret = rl_store_run_end_json(s, id, end.status, end.error, end.finished_ns, env, err);
	free(env);
	return ret;
}

/* Line @p (NUL-terminated) to the store; the cells stored counted in @stored. Returns 0 or -errno. */
static int flush_line(struct rl_spool *sp, struct rl_store *s, char *p, int *stored,
		      struct rl_err *err)
{
	const char *json;
	int64_t id, seq;
	int ret = parse_line(p, &id, &seq, &json);

	if (ret < 0)
		return rl_err_set(err, -EINVAL, "%s, byte %" PRIu64 ": not a kept cell", sp->path,
				  sp->done);
	if (seq == SEQ_END)
		ret = store_end(s, id, json, err);
	else
		ret = rl_store_cell_add_json(s, id, (uint32_t)seq, json, err);
	if (ret < 0 && ret != -EEXIST) {
		if (seq == SEQ_END)
			return rl_err_prefix(err, ret, "%s: run %lld, its end", sp->path, (long long)id);
		return rl_err_prefix(err, ret, "%s: run %lld, cell %lld", sp->path, (long long)id,
				     (long long)seq);
	}
	atomic_fetch_sub(seq == SEQ_END ? &sp->ends : &sp->count, 1);
	*stored += seq != SEQ_END;
	return 0;
}

int rl_spool_flush(struct rl_spool *sp, struct rl_store *s, struct rl_err *err)
{
	char *buf = NULL, *p, *nl;
	ssize_t n;
	int stored = 0, ret = 0;

	if (sp->fd < 0 || !rl_spool_waiting(sp))
		return 0;
	n = read_from(sp->fd, sp->done, &buf);
	if (n < 0)
		return rl_err_set(err, (int)n, "%s: %s", sp->path, strerror((int)-n));
	for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		ret = flush_line(sp, s, p, &stored, err);
		if (ret < 0)
			break;
		sp->done += (uint64_t)(nl + 1 - p);
	}
	free(buf);
	if (ret < 0)
		return ret;
	emptied(sp);
	return stored;
}

/* A free name for @sp's lines set aside, linked to them. Returns 0 or -errno with @err set. */
static int link_aside(struct rl_spool *sp, char *aside, size_t len, struct rl_err *err)
{
	for (int i = 1; i < 1000; i++) {
		if (i == 1)
			snprintf(aside, len, "%s.unstored-%lld", sp->path, (long long)sp->run_id);
		else
			snprintf(aside, len, "%s.unstored-%lld.%d", sp->path, (long long)sp->run_id, i);
		/* link(), not rename(): a name already taken is not overwritten. */
		if (link(sp->path, aside) == 0)
			return 0;
		if (errno != EEXIST)
			return rl_err_set(err, -errno, "%s: linking %s: %s", sp->path, aside,
					  strerror(errno));
	}
	return rl_err_set(err, -EEXIST, "%s: no free name for its lines set aside", sp->path);
}

int rl_spool_set_aside(struct rl_spool *sp, bool keep, char *where, size_t len,
		       struct rl_err *err)
{
	char aside[RL_PATH_MAX + 40];
	int fd, ret;

	if (where && len)
		where[0] = '\0';
	if (!keep) {
		emptied(sp);
		return 0;
	}
	ret = link_aside(sp, aside, sizeof(aside), err);
	if (ret < 0)
		return ret;
	if (unlink(sp->path) < 0) {
		ret = rl_err_set(err, -errno, "%s: %s", sp->path, strerror(errno));
		unlink(aside);
		return ret;
	}
	fd = open(sp->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return rl_err_set(err, -errno, "%s: %s", sp->path, strerror(errno));
	close(sp->fd);
	sp->fd = fd;
	emptied(sp);
	if (where)
		snprintf(where, len, "%s", aside);
	return 0;
}

/* Write spool @name of @state_dir; its ends stored added to @ends. Returns the cells stored or -errno (transient). */
static int recover_one(const char *state_dir, const char *name, struct rl_store *s, int *ends,
		       char *aside, size_t len, struct rl_err *err)
{
	char where[RL_PATH_MAX + 40];
	struct rl_spool sp;
	unsigned int cells, n_ends;
	int ret = rl_spool_open(&sp, state_dir, name, RECOVER_MAX_BYTES, err);

	if (ret < 0)
		return ret;
	n_ends = atomic_load(&sp.ends);
	ret = rl_spool_flush(&sp, s, err);
	*ends += (int)(n_ends - atomic_load(&sp.ends));
	if (ret == -EINVAL || ret == -ENOENT || ret == -ESTALE) {
		/* Not this run's to write any more: kept for a human, never into another's run. */
		cells = rl_spool_count(&sp);
		n_ends = atomic_load(&sp.ends);
		snprintf(aside, len, "%.400s: %u kept cell%s%s not written, set aside", err->msg,
			 cells, cells == 1 ? "" : "s", n_ends ? " and the run's end" : "");
		ret = rl_spool_set_aside(&sp, true, where, sizeof(where), err);
		if (!ret)
			snprintf(aside + strlen(aside), len - strlen(aside), " in %.300s", where);
	}
	rl_spool_close(&sp);
	return ret;
}

int rl_spool_recover(const char *state_dir, struct rl_store *s, int *n, int *ends, char *aside,
		     size_t len, struct rl_err *err)
{
	size_t plen = strlen(RL_SPOOL_PREFIX);
	char scratch[RL_ERR_MSG_MAX];
	struct dirent *de;
	DIR *dir = opendir(state_dir);
	int count = 0, n_ends = 0, ret = 0;

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
		ret = recover_one(state_dir, de->d_name + plen, s, &n_ends, aside, len, err);
		count += ret > 0 ? ret : 0;
	}
	closedir(dir);
	if (n)
		*n = count;
	if (ends)
		*ends = n_ends;
	return ret < 0 ? ret : count;
}
