/* SPDX-License-Identifier: MIT */
/* test_targets EXT4 MOUNTED_LOOP RO_EXT4 FREE_LOOP TMPFS SHM_EXT4: targets open, work, close and reopen; unsafe ones are refused; only a dead owner's mount is reclaimed; two targets on one place are told apart. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ringlabd/state_lock.h"
#include "ringlabd/targets.h"
#include "../lib/check.h"

/* From targets.c: the block-device checks on an already resolved node. */
int rl_target_check_block(const char *devpath, struct rl_err *err);

#define EXT4_MAGIC 0xEF53
#define IMAGE_SIZE (64ull << 20)
/* An image a target must not create: in /etc, on the system's filesystem. */
#define ETC_IMAGE "/etc/ringlab-test-targets.img"
#define ETC_STATE "/etc/ringlab-test-targets-state"

static const char *ext4_dir, *mounted_loop, *ro_dir, *free_loop, *tmpfs_dir, *shm_ext4_dir;
static char state_dir[1024], priv[64];

/* Whether @dir is a mount point now, per /proc/self/mountinfo. */
static bool mounted(const char *dir)
{
	char line[8192], target[4096];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*d %*d %*s %*s %4095s", target) == 1 && !strcmp(target, dir);
	fclose(f);
	return found;
}

/* The loop device backed by @img ("" when none), from sysfs. */
static void backing_loop(const char *img, char *dev, size_t len)
{
	char path[PATH_MAX], buf[PATH_MAX];
	int i;

	dev[0] = '\0';
	for (i = 0; i < 256 && !dev[0]; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/block/loop%d/loop/backing_file", i);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = '\0';
			if (!strcmp(buf, img))
				snprintf(dev, len, "/dev/loop%d", i);
		}
		fclose(f);
	}
}

static struct rl_target image_target(const char *name, const char *path)
{
	struct rl_target t;

	memset(&t, 0, sizeof(t));
	snprintf(t.cfg.name, sizeof(t.cfg.name), "%s", name);
	t.cfg.kind = RL_TARGET_IMAGE;
	snprintf(t.cfg.path, sizeof(t.cfg.path), "%s", path);
	t.cfg.size = IMAGE_SIZE;
	return t;
}

static struct rl_target other_target(const char *name, enum rl_target_kind kind, const char *path)
{
	struct rl_target t = image_target(name, path);

	t.cfg.kind = kind;
	return t;
}

/* Opening @t is refused with -errno @want_ret (0: any) and a message holding @a and @b. */
static void expect_refused(struct rl_target *t, int want_ret, const char *a, const char *b)
{
	struct rl_err e = { "" };
	char prefix[96];
	int ret;

	snprintf(prefix, sizeof(prefix), "target %s: ", t->cfg.name);
	ret = rl_target_open(t, state_dir, &e);
	CHECK(ret < 0 && (!want_ret || ret == want_ret) && !strncmp(e.msg, prefix, strlen(prefix)) &&
	      strstr(e.msg, a) && (!b || strstr(e.msg, b)),
	      "%s (%s): want %d with '%s'%s%s, got %d '%s'", t->cfg.name, t->cfg.path, want_ret,
	      a, b ? " and " : "", b ? b : "", ret, e.msg);
	CHECK(!t->mounted_by_us && !t->loop_by_us, "%s: refused but flags set", t->cfg.name);
	if (!ret)
		rl_target_close(t);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (fsync(fd) < 0 || n != (ssize_t)strlen(text)) {
		close(fd);
		return -EIO;
	}
	return close(fd);
}

static bool file_has(const char *path, const char *text)
{
	char buf[256] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n >= 0 && !strcmp(buf, text);
}

/* Create, mount, use, close, reopen (no mkfs: the file survives), refuse doubles. */
static void test_image(void)
{
	struct rl_target t = image_target("img1", "img1.img"), t2;
	char want_dir[PATH_MAX], file[PATH_MAX], img[PATH_MAX], loop[64];
	struct rl_err e = { "" };
	struct statfs sf;
	struct stat st;
	int ret;

	snprintf(want_dir, sizeof(want_dir), "%s/mnt/img1", state_dir);
	snprintf(img, sizeof(img), "%s/img1.img", state_dir);
	ret = rl_target_open(&t, state_dir, &e);
	CHECK(!ret, "image open: %d '%s'", ret, e.msg);
	if (ret)
		return;
	CHECK(!strcmp(t.dir, want_dir), "image dir '%s', want '%s'", t.dir, want_dir);
	CHECK(!strncmp(t.device, "/dev/loop", 9) && t.mounted_by_us && t.loop_by_us,
	      "device '%s' mounted %d loop %d", t.device, t.mounted_by_us, t.loop_by_us);
	CHECK(mounted(t.dir), "%s is not in mountinfo", t.dir);
	CHECK(!statfs(t.dir, &sf) && sf.f_type == EXT4_MAGIC, "%s is not ext4", t.dir);
	/* 64 MiB: mke2fs alone would pick 1 KiB blocks, which no shipped workload runs on. */
	CHECK(sf.f_bsize == 4096, "%s: block size %ld, want 4096", t.dir, (long)sf.f_bsize);
	CHECK(!stat(img, &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_size == IMAGE_SIZE &&
	      (uint64_t)st.st_blocks * 512 < IMAGE_SIZE && (st.st_mode & 0777) == 0600,
	      "image %s: size %lld blocks %lld mode %o", img, (long long)st.st_size,
	      (long long)st.st_blocks, st.st_mode & 0777);
	backing_loop(img, loop, sizeof(loop));
	CHECK(!strcmp(loop, t.device), "sysfs says %s backs %s, target says %s", loop, img, t.device);
	snprintf(file, sizeof(file), "%s/hello", t.dir);
	CHECK(!write_file(file, "written before close"), "cannot write %s: %s", file, strerror(errno));
	CHECK(!rl_target_check_path(&t, file), "check_path refused %s", file);

	/* A second target on the same mount point or the same image is refused. */
	t2 = image_target("img1", "other.img");
	expect_refused(&t2, -EBUSY, "already mounted", want_dir);
	t2 = image_target("img1b", "img1.img");
	expect_refused(&t2, -EBUSY, "already attached to", t.device);
	snprintf(file, sizeof(file), "%s/other.img", state_dir);
	CHECK(access(file, F_OK), "a refused open left %s behind", file);

	rl_target_close(&t);
	CHECK(!mounted(want_dir), "%s still mounted after close", want_dir);
	backing_loop(img, loop, sizeof(loop));
	CHECK(!loop[0], "%s still attached to %s after close", img, loop);
	CHECK(!t.mounted_by_us && !t.loop_by_us, "flags still set after close");
	rl_target_close(&t);	/* a second close is harmless */

	ret = rl_target_open(&t, state_dir, &e);
	CHECK(!ret, "image reopen: %d '%s'", ret, e.msg);
	if (ret)
		return;
	snprintf(file, sizeof(file), "%s/hello", t.dir);
	CHECK(file_has(file, "written before close"), "%s lost on reopen: the image was re-made", file);
	rl_target_close(&t);
	CHECK(!mounted(want_dir), "%s still mounted after the second close", want_dir);
}

/* A child holding @state_dir's lock as another ringlabd would, until killed. */
static pid_t lock_holder(void)
{
	int pipefd[2];
	pid_t pid;
	char c = 0;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct rl_err e = { "" };

		c = rl_state_lock(state_dir, &e) >= 0;
		(void)!write(pipefd[1], &c, 1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	if (pid > 0 && (read(pipefd[0], &c, 1) != 1 || !c)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pipefd[0]);
	return pid;
}

/*
 * The image mount a killed ringlabd left is taken down at the next open,
 * but only when its owner is dead: never while another process holds the
 * state directory's lock, never while a file on it is open (it is not
 * detached lazily, which would leave a live run writing underneath).
 */
static void test_reclaim(void)
{
	struct rl_target t = image_target("rec", "rec.img"), left;
	char file[PATH_MAX];
	struct rl_err e = { "" };
	pid_t holder;
	int ret, fd;

	ret = rl_target_open(&t, state_dir, &e);
	CHECK(!ret, "image open: %d '%s'", ret, e.msg);
	if (ret)
		return;
	left = t;	/* what a ringlabd killed now leaves mounted */
	snprintf(file, sizeof(file), "%s/in-use", t.dir);
	fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0, "create %s: %s", file, strerror(errno));
	t = image_target("rec", "rec.img");
	expect_refused(&t, -EBUSY, "already mounted", NULL);
	CHECK(mounted(left.dir), "a mount in use was taken down");
	if (fd >= 0)
		close(fd);

	holder = lock_holder();
	CHECK(holder > 0, "cannot hold the state lock in a child");
	t = image_target("rec", "rec.img");
	expect_refused(&t, -EBUSY, "already mounted", NULL);
	CHECK(mounted(left.dir), "the mount of a ringlabd holding the state lock was taken down");
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
	}

	t = image_target("rec", "rec.img");
	ret = rl_target_open(&t, state_dir, &e);
	CHECK(!ret && t.mounted_by_us, "reclaiming a dead owner's mount: %d '%s'", ret, e.msg);
	if (ret) {
		rl_target_close(&left);
		return;
	}
	rl_target_close(&t);
	CHECK(!mounted(left.dir), "%s still mounted after close", left.dir);
}

/* Overwrite 4 bytes at @off of @path. */
static int poke(const char *path, off_t off, uint32_t v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pwrite(fd, &v, sizeof(v), off);
	close(fd);
	return n == sizeof(v) ? 0 : -EIO;
}

/* Failures undo what was done: no loop left attached, no mount, no stray files. */
static void test_image_refusals(void)
{
	char img[PATH_MAX], cmd[3 * PATH_MAX + 64], mnt[PATH_MAX], loop[64];
	struct rl_target t;
	int fd;

	/* A mount point that is not a directory: nothing is created. */
	snprintf(mnt, sizeof(mnt), "%s/mnt/blocked", state_dir);
	fd = open(mnt, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0, "create %s: %s", mnt, strerror(errno));
	if (fd >= 0)
		close(fd);
	t = image_target("blocked", "blocked.img");
	expect_refused(&t, -ENOTDIR, "mount point is not a directory", mnt);
	snprintf(img, sizeof(img), "%s/blocked.img", state_dir);
	CHECK(access(img, F_OK), "refused open created %s", img);

	/* ext4 magic but a superblock the kernel refuses: attached, mount fails, detached. */
	snprintf(img, sizeof(img), "%s/bad.img", state_dir);
	snprintf(cmd, sizeof(cmd), "truncate -s 64M %s && mkfs.ext4 -q -F %s", img, img);
	CHECK(!system(cmd), "%s failed", cmd);
	CHECK(!poke(img, 1024 + 24, 30), "cannot corrupt %s", img);	/* s_log_block_size */
	t = image_target("bad", "bad.img");
	expect_refused(&t, 0, "cannot mount ext4", NULL);
	backing_loop(img, loop, sizeof(loop));
	CHECK(!loop[0], "%s left attached to %s after a failed mount", img, loop);
	snprintf(mnt, sizeof(mnt), "%s/mnt/bad", state_dir);
	CHECK(!mounted(mnt) && access(mnt, F_OK), "%s left behind after a failed mount", mnt);
	CHECK(!access(img, F_OK), "an image we did not create was removed: %s", img);

	/* An existing file that is not ext4, a symlink, a directory, someone else's. */
	snprintf(img, sizeof(img), "%s/zero.img", state_dir);
	snprintf(cmd, sizeof(cmd), "truncate -s 64M %s", img);
	CHECK(!system(cmd), "%s failed", cmd);
	t = image_target("zero", "zero.img");
	expect_refused(&t, -EINVAL, "holds no ext4 filesystem", img);
	snprintf(img, sizeof(img), "%s/link.img", state_dir);
	CHECK(!symlink("/etc/passwd", img), "symlink %s: %s", img, strerror(errno));
	t = image_target("link", "link.img");
	expect_refused(&t, -ELOOP, "symlink", img);
	snprintf(img, sizeof(img), "%s/dir.img", state_dir);
	CHECK(!mkdir(img, 0700), "mkdir %s: %s", img, strerror(errno));
	t = image_target("dirimg", "dir.img");
	expect_refused(&t, 0, "cannot open the image", img);
	snprintf(img, sizeof(img), "%s/theirs.img", state_dir);
	snprintf(cmd, sizeof(cmd), "truncate -s 64M %s && mkfs.ext4 -q -F %s && chown 65534 %s",
		 img, img, img);
	CHECK(!system(cmd), "%s failed", cmd);
	t = image_target("theirs", "theirs.img");
	expect_refused(&t, -EPERM, "owned by uid 65534", img);
	t = image_target("dots", "../escape.img");
	expect_refused(&t, -EINVAL, "'..'", NULL);
}

static void test_dir(void)
{
	char dir[1024], real[PATH_MAX], link[PATH_MAX], path[PATH_MAX];
	struct rl_err e = { "" };
	struct rl_target t;
	int ret;

	snprintf(dir, sizeof(dir), "%s/dirtarget", ext4_dir);
	CHECK(!mkdir(dir, 0755) || errno == EEXIST, "mkdir %s: %s", dir, strerror(errno));
	CHECK(realpath(dir, real), "realpath %s", dir);
	t = other_target("d1", RL_TARGET_DIR, dir);
	ret = rl_target_open(&t, state_dir, &e);
	CHECK(!ret && !strcmp(t.dir, real) && !t.device[0] && !t.mounted_by_us && !t.loop_by_us,
	      "dir target: %d '%s' dir '%s'", ret, e.msg, t.dir);
	rl_target_close(&t);
	CHECK(!access(dir, F_OK) && !mounted(dir), "close touched a dir target");

	/* A symlink elsewhere is fine when where it leads is ext4: reported resolved. */
	snprintf(link, sizeof(link), "%s/to-ext4", priv);
	CHECK(!symlink(dir, link), "symlink %s: %s", link, strerror(errno));
	t = other_target("d2", RL_TARGET_DIR, link);
	ret = rl_target_open(&t, state_dir, &e);
	CHECK(!ret && !strcmp(t.dir, real), "symlinked dir: %d '%s' dir '%s'", ret, e.msg, t.dir);

	t = other_target("tmpfs", RL_TARGET_DIR, tmpfs_dir);
	expect_refused(&t, -EINVAL, "is not on ext4 but on tmpfs", tmpfs_dir);
	snprintf(link, sizeof(link), "%s/to-tmpfs", priv);
	CHECK(!symlink(tmpfs_dir, link), "symlink %s: %s", link, strerror(errno));
	t = other_target("tmpfs-link", RL_TARGET_DIR, link);
	expect_refused(&t, -EINVAL, "is not on ext4", " -> ");
	t = other_target("relative", RL_TARGET_DIR, "dirtarget");
	expect_refused(&t, -EINVAL, "absolute path", "dirtarget");
	snprintf(path, sizeof(path), "%s/../%s/dirtarget", dir, strrchr(ext4_dir, '/') + 1);
	t = other_target("dots", RL_TARGET_DIR, path);
	expect_refused(&t, -EINVAL, "'..'", path);
	t = other_target("ro", RL_TARGET_DIR, ro_dir);
	expect_refused(&t, -EROFS, "read-only", ro_dir);
	snprintf(path, sizeof(path), "%s/does-not-exist", ext4_dir);
	t = other_target("missing", RL_TARGET_DIR, path);
	expect_refused(&t, -ENOENT, "does not exist", path);
	snprintf(path, sizeof(path), "%s/plain-file", ext4_dir);
	CHECK(!write_file(path, "x"), "write %s", path);
	t = other_target("file", RL_TARGET_DIR, path);
	expect_refused(&t, -ENOTDIR, "is not a directory", path);
}

/* System directories and the state directory are no place for a target, however named. */
static void test_system_places(void)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct rl_err e = { "" };
	struct rl_target t;
	int ret;

	t = other_target("etc", RL_TARGET_DIR, "/etc");
	expect_refused(&t, -EPERM, "is in /etc, a system directory", NULL);
	t = other_target("usr", RL_TARGET_DIR, "/usr/share");
	expect_refused(&t, -EPERM, "is in /usr, a system directory", NULL);
	if (!access("/boot", F_OK)) {
		t = other_target("boot", RL_TARGET_DIR, "//boot/");
		expect_refused(&t, -EPERM, "is in /boot", NULL);
	}
	snprintf(link, sizeof(link), "%s/to-etc", priv);
	CHECK(!symlink("/etc/default", link), "symlink %s: %s", link, strerror(errno));
	t = other_target("etc-link", RL_TARGET_DIR, link);
	expect_refused(&t, -EPERM, "is in /etc", " -> /etc/default");
	/* The state directory is on ext4 and writable: refused for what it holds. */
	t = other_target("state", RL_TARGET_DIR, state_dir);
	expect_refused(&t, -EPERM, "is ringlabd's state directory", state_dir);
	snprintf(path, sizeof(path), "%s/inside", state_dir);
	CHECK(!mkdir(path, 0755) || errno == EEXIST, "mkdir %s: %s", path, strerror(errno));
	t = other_target("state-sub", RL_TARGET_DIR, path);
	expect_refused(&t, -EPERM, "is inside ringlabd's state directory", path);
	rmdir(path);

	/* Images: nothing created in a system directory or among the mounts. */
	t = image_target("etcimg", ETC_IMAGE);
	expect_refused(&t, -EPERM, "is in /etc, a system directory", ETC_IMAGE);
	CHECK(access(ETC_IMAGE, F_OK), "%s was created", ETC_IMAGE);
	unlink(ETC_IMAGE);
	/* A filesystem of its own mounted below a system directory is no system directory. */
	t = other_target("ownfs", RL_TARGET_DIR, shm_ext4_dir);
	ret = rl_target_open(&t, state_dir, &e);
	CHECK(!ret, "ext4 mounted at %s: %d '%s'", shm_ext4_dir, ret, e.msg);
	snprintf(path, sizeof(path), "%s/mnt", state_dir);
	CHECK(!mkdir(path, 0750) || errno == EEXIST, "mkdir %s: %s", path, strerror(errno));
	snprintf(link, sizeof(link), "%s/to-mnt", state_dir);
	CHECK(!symlink("mnt", link), "symlink %s: %s", link, strerror(errno));
	t = image_target("viamnt", "to-mnt/x.img");
	expect_refused(&t, -EPERM, "where targets are mounted", NULL);
	snprintf(path, sizeof(path), "%s/mnt/x.img", state_dir);
	CHECK(access(path, F_OK), "%s was created", path);
	unlink(path);
	unlink(link);
}

/* rl_state_lock(@dir) refused with @want, and nothing made there (cleaned up when it was). */
static void expect_state_refused(const char *dir, const char *want)
{
	char path[PATH_MAX];
	struct rl_err e = { "" };
	int fd = rl_state_lock(dir, &e);

	CHECK(fd == -EPERM && strstr(e.msg, want), "state_dir %s: %d '%s'", dir, fd, e.msg);
	snprintf(path, sizeof(path), "%s/" RL_STATE_LOCK_NAME, dir);
	CHECK(access(path, F_OK), "%s was created", path);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

/* A state directory holds the database, the lock and the mounts: never among the system's files. */
static void test_state_places(void)
{
	expect_state_refused("/", "state_dir /: is the root directory");
	expect_state_refused("/etc", "state_dir /etc: is in /etc, a system directory");
	/* Not made yet: judged by where it would be made. */
	expect_state_refused(ETC_STATE, "is in /etc, a system directory");
	CHECK(access(ETC_STATE, F_OK), "%s was created", ETC_STATE);
	rmdir(ETC_STATE);
	expect_state_refused("/usr/share", "is in /usr, a system directory");
}

static void test_block(void)
{
	char path[PATH_MAX];
	struct rl_err e = { "" };
	struct rl_target t;
	int fd, ret;

	t = other_target("b1", RL_TARGET_BLOCK, free_loop);
	expect_refused(&t, -EINVAL, "/dev/disk/by-id/", free_loop);
	t = other_target("b2", RL_TARGET_BLOCK, "/dev/disk/by-id/ringlab-test-no-such-disk");
	expect_refused(&t, -ENOENT, "does not exist", "ringlab-test-no-such-disk");
	t = other_target("b3", RL_TARGET_BLOCK, "/dev/disk/by-id/../../loop0");
	expect_refused(&t, -EINVAL, "/dev/disk/by-id/", NULL);
	t = other_target("b4", RL_TARGET_BLOCK, "/dev/disk/by-id/");
	expect_refused(&t, -EINVAL, "/dev/disk/by-id/", NULL);

	ret = rl_target_check_block(mounted_loop, &e);
	CHECK(ret == -EBUSY && strstr(e.msg, "is mounted at") && strstr(e.msg, mounted_loop),
	      "mounted %s: %d '%s'", mounted_loop, ret, e.msg);
	ret = rl_target_check_block(free_loop, &e);
	CHECK(!ret, "free %s refused: %d '%s'", free_loop, ret, e.msg);
	fd = open(free_loop, O_RDONLY | O_EXCL | O_CLOEXEC);
	CHECK(fd >= 0, "open %s O_EXCL: %s", free_loop, strerror(errno));
	ret = rl_target_check_block(free_loop, &e);
	CHECK(ret == -EBUSY && strstr(e.msg, "in use") && strstr(e.msg, free_loop),
	      "held %s: %d '%s'", free_loop, ret, e.msg);
	if (fd >= 0)
		close(fd);
	/* Only stat()ed: refused before anything opens it. */
	if (!access("/dev/vda", F_OK)) {
		ret = rl_target_check_block("/dev/vda", &e);
		CHECK(ret < 0 && strstr(e.msg, "/dev/vda"), "/dev/vda accepted: %d '%s'", ret, e.msg);
	}
	snprintf(path, sizeof(path), "%s/plain-file", ext4_dir);
	ret = rl_target_check_block(path, &e);
	CHECK(ret == -ENOTBLK && strstr(e.msg, "not a block device"), "file: %d '%s'", ret, e.msg);
	ret = rl_target_check_block("/dev/null", &e);
	CHECK(ret == -ENOTBLK, "/dev/null: %d '%s'", ret, e.msg);
}

static void expect_path(const struct rl_target *t, const char *path, int want)
{
	int ret = rl_target_check_path(t, path);

	CHECK(ret == want, "check_path(%s) = %d, want %d", path, ret, want);
}

static void test_check_path(void)
{
	char dir[PATH_MAX], p[PATH_MAX + 64], sibling[PATH_MAX];
	struct rl_err e = { "" };
	struct rl_target t;

	snprintf(dir, sizeof(dir), "%s/pathtarget", ext4_dir);
	snprintf(sibling, sizeof(sibling), "%s/pathtarget2", ext4_dir);
	CHECK(!mkdir(dir, 0755) && !mkdir(sibling, 0755), "mkdir %s: %s", dir, strerror(errno));
	t = other_target("p", RL_TARGET_DIR, dir);
	CHECK(!rl_target_open(&t, state_dir, &e), "open %s: %s", dir, e.msg);
	snprintf(p, sizeof(p), "%s/sub", t.dir);
	CHECK(!mkdir(p, 0755), "mkdir %s", p);

	snprintf(p, sizeof(p), "%s/f", t.dir);
	expect_path(&t, p, 0);
	snprintf(p, sizeof(p), "%s/sub/f", t.dir);
	expect_path(&t, p, 0);
	snprintf(p, sizeof(p), "%s/sub", t.dir);
	expect_path(&t, p, 0);
	snprintf(p, sizeof(p), "%s/../f", t.dir);
	expect_path(&t, p, -EPERM);
	snprintf(p, sizeof(p), "%s/sub/../../f", t.dir);
	expect_path(&t, p, -EPERM);
	snprintf(p, sizeof(p), "%s/sub/../f", t.dir);
	expect_path(&t, p, -EPERM);	/* ".." is refused even when it stays inside */
	expect_path(&t, t.dir, -EPERM);
	snprintf(p, sizeof(p), "%s/f", sibling);
	expect_path(&t, p, -EPERM);	/* a common prefix is not "inside" */
	expect_path(&t, "f", -EPERM);
	expect_path(&t, "/etc/passwd", -EPERM);
	snprintf(p, sizeof(p), "%s/nodir/f", t.dir);
	expect_path(&t, p, -EPERM);
	snprintf(p, sizeof(p), "%s/", t.dir);
	expect_path(&t, p, -EPERM);

	/* Symlinks out of the target, as a directory or as the file itself. */
	snprintf(p, sizeof(p), "%s/out", t.dir);
	CHECK(!symlink(tmpfs_dir, p), "symlink %s", p);
	snprintf(p, sizeof(p), "%s/out/f", t.dir);
	expect_path(&t, p, -EPERM);
	snprintf(p, sizeof(p), "%s/passwd", t.dir);
	CHECK(!symlink("/etc/passwd", p), "symlink %s", p);
	expect_path(&t, p, -EPERM);
	snprintf(p, sizeof(p), "%s/dangling", t.dir);
	snprintf(sibling, sizeof(sibling), "%s/created-outside", tmpfs_dir);
	CHECK(!symlink(sibling, p), "symlink %s", p);
	expect_path(&t, p, -EPERM);
	/* ... and symlinks that stay inside are fine. */
	snprintf(p, sizeof(p), "%s/in", t.dir);
	snprintf(sibling, sizeof(sibling), "%s/sub", t.dir);
	CHECK(!symlink(sibling, p), "symlink %s", p);
	snprintf(p, sizeof(p), "%s/in/f", t.dir);
	expect_path(&t, p, 0);

	memset(&t, 0, sizeof(t));
	expect_path(&t, "/tmp/x", -EPERM);	/* a target never opened has no inside */
}

/* @t, opened, is refused beside @other with @how in the message (NULL: accepted). */
static void expect_distinct(const struct rl_target *t, const struct rl_target *other,
			    const char *how)
{
	struct rl_err e = { "" };
	int ret = rl_target_check_distinct(t, other, &e);

	if (!how)
		CHECK(!ret, "%s beside %s refused: %s", t->cfg.name, other->cfg.name, e.msg);
	else
		CHECK(ret == -EINVAL && strstr(e.msg, how) && strstr(e.msg, other->cfg.name),
		      "%s beside %s: want '%s', got %d '%s'", t->cfg.name, other->cfg.name, how,
		      ret, e.msg);
}

/*
 * Two targets that write to one place however the config spells them: a
 * symlink to the same directory, a directory inside another, a dir target
 * inside an image's mount point or on its filesystem through a bind mount.
 */
static void test_distinct(void)
{
	char dir[PATH_MAX], p[PATH_MAX], bind[PATH_MAX];
	struct rl_target d1, d2, img, in_img, bound;
	struct rl_err e = { "" };

	snprintf(dir, sizeof(dir), "%s/distinct", ext4_dir);
	snprintf(p, sizeof(p), "%s/distinct/sub", ext4_dir);
	CHECK(!mkdir(dir, 0755) && !mkdir(p, 0755), "mkdir %s: %s", p, strerror(errno));
	d1 = other_target("d1", RL_TARGET_DIR, dir);
	CHECK(!rl_target_open(&d1, state_dir, &e), "open %s: %s", dir, e.msg);
	snprintf(p, sizeof(p), "%s/to-distinct", priv);
	CHECK(!symlink(dir, p), "symlink %s: %s", p, strerror(errno));
	d2 = other_target("d2", RL_TARGET_DIR, p);
	CHECK(!rl_target_open(&d2, state_dir, &e), "open %s: %s", p, e.msg);
	expect_distinct(&d2, &d1, "is the directory of target d1");
	snprintf(p, sizeof(p), "%s/distinct/sub", ext4_dir);
	d2 = other_target("d2", RL_TARGET_DIR, p);
	CHECK(!rl_target_open(&d2, state_dir, &e), "open %s: %s", p, e.msg);
	expect_distinct(&d2, &d1, "lies inside the directory of target d1");
	expect_distinct(&d1, &d2, "holds the directory of target d2");
	snprintf(p, sizeof(p), "%s/pathtarget2", ext4_dir);
	d2 = other_target("d2", RL_TARGET_DIR, p);
	CHECK(!rl_target_open(&d2, state_dir, &e), "open %s: %s", p, e.msg);
	expect_distinct(&d2, &d1, NULL);	/* two directories of one filesystem are fine */

	img = image_target("dimg", "dimg.img");
	if (rl_target_open(&img, state_dir, &e)) {
		CHECK(0, "image open: %s", e.msg);
		return;
	}
	snprintf(p, sizeof(p), "%s/sub", img.dir);
	CHECK(!mkdir(p, 0755), "mkdir %s: %s", p, strerror(errno));
	in_img = other_target("inimg", RL_TARGET_DIR, p);
	/* Refused as inside the state directory; without one, the distinct check must catch it. */
	CHECK(rl_target_open(&in_img, state_dir, &e) == -EPERM &&
	      strstr(e.msg, "is inside ringlabd's state directory"),
	      "open %s with the state directory: %s", p, e.msg);
	in_img = other_target("inimg", RL_TARGET_DIR, p);
	CHECK(!rl_target_open(&in_img, NULL, &e), "open %s: %s", p, e.msg);
	expect_distinct(&in_img, &img, "lies inside the directory of target dimg");
	snprintf(bind, sizeof(bind), "%s/bind", priv);
	CHECK(!mkdir(bind, 0755) && !mount(p, bind, NULL, MS_BIND, NULL),
	      "bind mount %s on %s: %s", p, bind, strerror(errno));
	bound = other_target("bound", RL_TARGET_DIR, bind);
	CHECK(!rl_target_open(&bound, state_dir, &e), "open %s: %s", bind, e.msg);
	expect_distinct(&bound, &img, "is on the filesystem mounted for target dimg");
	expect_distinct(&img, &d1, NULL);
	umount2(bind, MNT_DETACH);
	rmdir(bind);
	rl_target_close(&img);
}

/* Remove what test_dir() put in our private directory, and the directory. */
static void cleanup_priv(void)
{
	static const char *const names[] = { "to-ext4", "to-tmpfs", "to-etc", "to-distinct" };
	char p[PATH_MAX + 16];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", priv, names[i]);
		unlink(p);
	}
	CHECK(!rmdir(priv), "rmdir %s: %s", priv, strerror(errno));
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/ringlab-test-targets.XXXXXX";

	if (argc != 7) {
		fprintf(stderr, "usage: %s EXT4_DIR MOUNTED_LOOP RO_EXT4_DIR FREE_LOOP TMPFS_DIR SHM_EXT4_DIR\n",
			argv[0]);
		return 1;
	}
	if (geteuid()) {
		fprintf(stderr, "SKIP: targets need root\n");
		return 77;
	}
	ext4_dir = argv[1];
	mounted_loop = argv[2];
	ro_dir = argv[3];
	free_loop = argv[4];
	tmpfs_dir = argv[5];
	shm_ext4_dir = argv[6];
	snprintf(state_dir, sizeof(state_dir), "%s/state", ext4_dir);
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(priv, sizeof(priv), "%s", tmpl);
	test_image();
	test_reclaim();
	test_image_refusals();
	test_dir();
	test_system_places();
	test_state_places();
	test_block();
	test_check_path();
	test_distinct();
	cleanup_priv();
	return check_exit();
}
