/* SPDX-License-Identifier: MIT */
/*
 * Counters sampled around every cell: the ext4 extent-status cache
 * (/proc/fs/ext4/<sb>/es_shrinker_info), the block device's I/O counters
 * (/sys/dev/block/M:m/stat) and the io-wq workers io_uring started for us.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sample.h"
#include "util/fileio.h"

/* Big enough for es_shrinker_info with all its sections and for a stat line. */
#define SAMPLE_BUF 4096

/*
 * A section header is flush left and ends in ':' ("stats:", "average:",
 * "maximum:"); the counters we want are the indented lines under "stats:".
 * Lines in other sections look alike ("8 inode (1 objects, 1 reclaimable)"),
 * so they must not be matched.
 */
static void es_parse_line(const char *line, struct rl_es_stats *out, unsigned *seen)
{
	uint64_t a, b;
	int n = 0;

	while (*line == ' ' || *line == '\t')
		line++;
	if (sscanf(line, "%" SCNu64 "/%" SCNu64 " %n", &a, &b, &n) == 2 && n > 0) {
		if (strcmp(line + n, "cache hits/misses") == 0) {
			out->hits = a;
			out->misses = b;
			*seen |= 2;
		}
		return;
	}
	n = 0;
	if (sscanf(line, "%" SCNu64 " %n", &a, &n) != 1 || n == 0)
		return;
	if (strcmp(line + n, "objects") == 0) {
		out->objects = a;
		*seen |= 1;
	} else if (strcmp(line + n, "reclaimable objects") == 0) {
		out->reclaimable = a;
	}
}

/*
 * rl_es_parse() - parse the text of es_shrinker_info. Unknown lines and
 * sections are ignored. Returns 0 with out->valid set, or -EINVAL when the
 * objects or the cache hits/misses line is missing.
 */
int rl_es_parse(const char *text, struct rl_es_stats *out)
{
	char line[256];
	bool in_stats = true;	/* lines before any header count as stats */
	unsigned seen = 0;
	const char *p = text, *nl;
	size_t len;

	memset(out, 0, sizeof(*out));
	while (*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
			line[--len] = '\0';
		p = nl ? nl + 1 : p + strlen(p);

		if (len && line[0] != ' ' && line[0] != '\t' && line[len - 1] == ':') {
			in_stats = strcmp(line, "stats:") == 0;
			continue;
		}
		if (in_stats)
			es_parse_line(line, out, &seen);
	}
	if (seen != 3) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	out->valid = true;
	return 0;
}

int rl_es_read(const char *sb, struct rl_es_stats *out)
{
	char path[128 + RL_NAME_MAX];
	char buf[SAMPLE_BUF];
	int ret;

	memset(out, 0, sizeof(*out));
	if (!sb || !*sb)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/fs/ext4/%s/es_shrinker_info", sb);
	ret = rl_read_file(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	return rl_es_parse(buf, out);
}

/*
 * rl_disk_parse() - parse a block device stat line: 11 fields on old
 * kernels, 15 with discards (4.18), 17 with flushes (5.5); the first 11 are
 * kept. Returns 0 with out->valid set, or -EINVAL for fewer than 11 numbers
 * or anything that is not a number.
 */
int rl_disk_parse(const char *text, struct rl_disk_stats *out)
{
	uint64_t v[11], x;
	const char *p = text;
	char *end;
	unsigned n = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		x = strtoull(p, &end, 10);
		if (errno || (*end && *end != ' ' && *end != '\t' && *end != '\n'))
			return -EINVAL;
		if (n < 11)
			v[n] = x;
		n++;
		p = end;
	}
	if (n < 11)
		return -EINVAL;
	out->rd_ios = v[0];
	out->rd_merges = v[1];
	out->rd_sectors = v[2];
	out->rd_ticks_ms = v[3];
	out->wr_ios = v[4];
	out->wr_merges = v[5];
	out->wr_sectors = v[6];
	out->wr_ticks_ms = v[7];
	out->in_flight = v[8];
	out->io_ticks_ms = v[9];
	out->time_in_queue_ms = v[10];
	out->valid = true;
	return 0;
}

int rl_disk_read(dev_t dev, struct rl_disk_stats *out)
{
	char path[64];
	char buf[SAMPLE_BUF];
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/stat", major(dev), minor(dev));
	ret = rl_read_file(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	return rl_disk_parse(buf, out);
}

/* Threads come and go while we look: one that exited is simply not counted. */
static int task_is_iowq(int taskfd, const char *tid)
{
	char path[300], comm[32];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/comm", tid) >= (int)sizeof(path))
		return 0;
	fd = openat(taskfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? 0 : -errno;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n < 0)
		return errno == ESRCH ? 0 : -errno;
	comm[n] = '\0';
	return strncmp(comm, "iou-wrk", 7) == 0;
}

int rl_iowq_workers(void)
{
	struct dirent *de;
	DIR *d;
	int count = 0, ret;

	d = opendir("/proc/self/task");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ret = task_is_iowq(dirfd(d), de->d_name);
		if (ret < 0) {
			closedir(d);
			return ret;
		}
		count += ret;
	}
	closedir(d);
	return count;
}
