/* SPDX-License-Identifier: MIT */
/* Counter parsers on fixtures of every known format, io-wq worker counting, and the environment probe. */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/env.h"
#include "engine/sample.h"
#include "../lib/check.h"

/*
 * 6.x, plus an invented section: lines outside "stats:" that look like ours
 * ("objects", "reclaimable") must not count.
 */
static const char es_new[] =
	"stats:\n"
	"  1234 objects\n"
	"  56 reclaimable objects\n"
	"  789/12 cache hits/misses\n"
	"  3 inodes on list\n"
	"average:\n"
	"  17 us scan time\n"
	"  4 shrunk objects\n"
	"maximum:\n"
	"  8 inode (999 objects, 998 reclaimable)\n"
	"  21 us max scan time\n"
	"future:\n"
	"  999 objects\n"
	"  998/997 cache hits/misses\n";

static const char es_old[] =
	"stats:\n"
	"  77 objects\n"
	"  5 reclaimable objects\n"
	"  18446744073709551615/0 cache hits/misses\n"
	"  0 ms last sorted interval\n"
	"  0 inodes on list\n";

static const char es_broken[] =
	"stats:\n"
	"  77 objects\n"
	"  5 reclaimable objects\n";

static void test_es_parse(void)
{
	struct rl_es_stats s;
	int ret;

	ret = rl_es_parse(es_new, &s);
	CHECK(ret == 0 && s.valid, "es_new: ret %d valid %d", ret, s.valid);
	CHECK(s.objects == 1234 && s.reclaimable == 56 && s.hits == 789 && s.misses == 12,
	      "es_new: %llu %llu %llu %llu", (unsigned long long)s.objects,
	      (unsigned long long)s.reclaimable, (unsigned long long)s.hits,
	      (unsigned long long)s.misses);

	ret = rl_es_parse(es_old, &s);
	CHECK(ret == 0 && s.valid, "es_old: ret %d", ret);
	CHECK(s.objects == 77 && s.reclaimable == 5 && s.hits == UINT64_MAX && s.misses == 0,
	      "es_old values");

	ret = rl_es_parse(es_broken, &s);
	CHECK(ret == -EINVAL && !s.valid, "es_broken: ret %d valid %d", ret, s.valid);
	ret = rl_es_parse("", &s);
	CHECK(ret == -EINVAL && !s.valid, "empty es text: ret %d", ret);

	ret = rl_es_read("no-such-device", &s);
	CHECK(ret == -ENOENT && !s.valid, "rl_es_read of a missing device: ret %d", ret);
}

static void test_disk_parse(void)
{
	struct rl_disk_stats s;
	int ret;

	/* 5.5+: 17 fields (discards and flushes after the first 11) */
	ret = rl_disk_parse("   28094     5328  1862754     5656     9066     6349   747696     5606"
			    "        2     4216    11616     5419       12   302080      307     1520"
			    "       45\n", &s);
	CHECK(ret == 0 && s.valid, "17 fields: ret %d", ret);
	CHECK(s.rd_ios == 28094 && s.rd_merges == 5328 && s.rd_sectors == 1862754 &&
	      s.rd_ticks_ms == 5656 && s.wr_ios == 9066 && s.wr_merges == 6349 &&
	      s.wr_sectors == 747696 && s.wr_ticks_ms == 5606 && s.in_flight == 2 &&
	      s.io_ticks_ms == 4216 && s.time_in_queue_ms == 11616, "17 fields: values");

	/* before 4.18: 11 fields */
	ret = rl_disk_parse("1 2 3 4 5 6 7 8 9 10 11\n", &s);
	CHECK(ret == 0 && s.valid && s.rd_ios == 1 && s.wr_ios == 5 && s.time_in_queue_ms == 11,
	      "11 fields: ret %d", ret);

	/* 4.18 to 5.4: 15 fields */
	ret = rl_disk_parse("11 12 13 14 15 16 17 18 19 20 21 22 23 24 25\n", &s);
	CHECK(ret == 0 && s.valid && s.rd_ios == 11 && s.time_in_queue_ms == 21,
	      "15 fields: ret %d", ret);

	ret = rl_disk_parse("1 2 3 4 5 6 7 8 9 10\n", &s);
	CHECK(ret == -EINVAL && !s.valid, "10 fields must fail: ret %d", ret);
	ret = rl_disk_parse("1 2 3 4 5 6 7 8 9 10 x11\n", &s);
	CHECK(ret == -EINVAL && !s.valid, "garbage must fail: ret %d", ret);
}

/*
 * An IOSQE_ASYNC request is always punted to io-wq, which must start a
 * worker thread for it; the worker idles for seconds before exiting.
 */
static void test_iowq_workers(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int ret, n;

	n = rl_iowq_workers();
	CHECK(n >= 0, "rl_iowq_workers: %d", n);

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "note: io_uring unavailable (%s), worker count not exercised\n",
			strerror(-ret));
		return;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->flags |= IOSQE_ASYNC;
	ret = io_uring_submit_and_wait(&ring, 1);
	if (ret >= 0 && io_uring_wait_cqe(&ring, &cqe) == 0) {
		io_uring_cqe_seen(&ring, cqe);
		n = rl_iowq_workers();
		CHECK(n >= 1, "an async NOP ran but rl_iowq_workers says %d", n);
	} else {
		CHECK(0, "io_uring NOP failed: %d", ret);
	}
	io_uring_queue_exit(&ring);
}

static void test_env_root(void)
{
	struct rl_err err = { "" };
	struct rl_env env;
	struct rl_disk_stats ds;
	struct rl_es_stats es;
	char sb[RL_NAME_MAX];
	dev_t dev;
	int ret;

	memset(&env, 0, sizeof(env));
	snprintf(env.label, sizeof(env.label), "kept");
	ret = rl_env_probe("/", &env, &dev, sb, &err);
	CHECK(ret == 0, "rl_env_probe(/): %d %s", ret, err.msg);
	CHECK(env.kernel_release[0], "kernel_release empty");
	CHECK(env.kernel_version[0], "kernel_version empty");
	CHECK(env.machine[0], "machine empty");
	CHECK(env.cpus > 0, "cpus %u", env.cpus);
	CHECK(env.fs_type[0], "fs_type empty");
	CHECK(strcmp(env.dir, "/") == 0, "dir %s", env.dir);
	CHECK(env.fs_block_size > 0, "fs_block_size 0");
	CHECK(env.ringlab_version[0], "ringlab_version empty");
	CHECK(strcmp(env.label, "kept") == 0, "the probe must leave the label alone");
	/* Whatever / is on here, what the probe found must be readable. */
	if (env.device[0]) {
		ret = rl_disk_read(dev, &ds);
		CHECK(ret == 0 && ds.valid, "device %s found but its stat unreadable: %d",
		      env.device, ret);
		CHECK(env.logical_block_size >= 512, "logical_block_size %u", env.logical_block_size);
	}
	if (sb[0]) {
		ret = rl_es_read(sb, &es);
		CHECK(ret == 0 && es.valid, "ext4 %s found but es_shrinker_info unreadable: %d",
		      sb, ret);
	}
}

static void test_env_errors(void)
{
	char dir[] = "/tmp/ringlab-test-sample.XXXXXX";
	char path[128];
	struct rl_err err = { "" };
	struct rl_env env;
	dev_t dev;
	int fd, ret;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/missing", dir);
	ret = rl_env_probe(path, &env, &dev, NULL, &err);
	CHECK(ret == -ENOENT, "missing dir: %d", ret);
	CHECK(strstr(err.msg, path) && strstr(err.msg, "No such file or directory"),
	      "missing dir message: %s", err.msg);

	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	CHECK(fd >= 0, "create %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	memset(&err, 0, sizeof(err));
	ret = rl_env_probe(path, &env, &dev, NULL, &err);
	CHECK(ret == -ENOTDIR, "file: %d", ret);
	CHECK(strstr(err.msg, path) != NULL, "file message: %s", err.msg);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_es_parse();
	test_disk_parse();
	test_iowq_workers();
	test_env_root();
	test_env_errors();
	return check_exit();
}
