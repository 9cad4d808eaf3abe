/* SPDX-License-Identifier: MIT */
/*
 * Checking a series against a tree without touching it: the files the
 * patches name are copied to a scratch directory, and git apply runs there
 * patch by patch, so patch 3 is checked on top of patches 1 and 2 as `git am`
 * would apply it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "git_apply.h"
#include "scratch.h"
#include "util/cleanup.h"

#define GIT_OUT_MAX 4096

static const char *const verdict_names[RL_CHECK_MAX] = {
	[RL_CHECK_APPLIES] = "applies",
	[RL_CHECK_PRESENT] = "already present",
	[RL_CHECK_FAILS] = "fails",
};

static const char *const args_check[] = { "--check", NULL };
static const char *const args_apply[] = { NULL };
static const char *const args_reverse[] = { "--reverse", "--check", NULL };

const char *rl_check_verdict_name(enum rl_check_verdict v)
{
	return v < RL_CHECK_MAX ? verdict_names[v] : "?";
}

/* "patch failed: FILE:LINE": the file, and the hunk of the patch that starts at LINE. */
static bool hunk_failed(const struct rl_msg *m, char *line, struct rl_check *r)
{
	char *colon = strrchr(line, ':'), *end;
	const struct rl_hunk *h;
	unsigned long n;

	if (strncmp(line, "patch failed: ", 14) || !colon)
		return false;
	n = strtoul(colon + 1, &end, 10);
	if (end == colon + 1)
		return false;
	*colon = '\0';
	snprintf(r->file, sizeof(r->file), "%.255s", line + 14);
	h = rl_diff_find_hunk(&m->diff, r->file, (unsigned int)n);
	if (h)
		snprintf(r->hunk, sizeof(r->hunk), "%s", h->header);
	else
		snprintf(r->hunk, sizeof(r->hunk), "@@ -%lu", n);
	snprintf(r->reason, sizeof(r->reason), "does not apply");
	return true;
}

/* "FILE: why", FILE one the patch names. */
static bool file_error(const struct rl_msg *m, const char *line, struct rl_check *r)
{
	for (size_t i = 0; i < m->diff.nfiles; i++) {
		const char *path = m->diff.files[i].path ?: m->diff.files[i].old_path;
		size_t n = path ? strlen(path) : 0;

		if (n && !strncmp(line, path, n) && !strncmp(line + n, ": ", 2)) {
			snprintf(r->file, sizeof(r->file), "%s", path);
			snprintf(r->reason, sizeof(r->reason), "%s", line + n + 2);
			return true;
		}
	}
	return false;
}

/* Why git apply refused @m, from the first "error: " line of its output @out. */
static void explain(const struct rl_msg *m, const char *out, struct rl_check *r)
{
	const char *e = strstr(out, "error: ");
	char line[512];
	unsigned int n, at;

	if (!e) {
		snprintf(r->reason, sizeof(r->reason), "git apply: %.*s", (int)strcspn(out, "\n"), out);
		return;
	}
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(e + 7, "\n"), e + 7);
	if (hunk_failed(m, line, r) || file_error(m, line, r))
		return;
	if (sscanf(line, "corrupt patch at line %u", &n) == 1 && (at = rl_msg_file_line(m, n)))
		snprintf(r->reason, sizeof(r->reason), "corrupt patch at %.160s line %u", m->file, at);
	else
		snprintf(r->reason, sizeof(r->reason), "%.255s", line);
}

/* One patch on the scratch tree @work: its verdict into @r. Returns 0 or -errno (git not run). */
static int check_one(const char *work, const char *patch, const struct rl_msg *m,
		     struct rl_check *r)
{
	char out[GIT_OUT_MAX], rev[GIT_OUT_MAX];
	int ret = rl_git_apply(work, args_check, patch, out, sizeof(out));

	*r = (struct rl_check){ .verdict = RL_CHECK_APPLIES };
	if (ret == 0)
		ret = rl_git_apply(work, args_apply, patch, out, sizeof(out));
	if (ret <= 0)
		return ret;
	ret = rl_git_apply(work, args_reverse, patch, rev, sizeof(rev));
	if (ret < 0)
		return ret;
	r->verdict = ret ? RL_CHECK_FAILS : RL_CHECK_PRESENT;
	if (ret)
		explain(m, out, r);
	return 0;
}

/* @m's body as @path, for git apply to read. Returns 0 or -errno. */
static int write_patch(const char *path, const struct rl_msg *m)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t off = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	for (; off < m->body_len; off += (size_t)n) {
		n = write(fd, m->body + off, m->body_len - off);
		if (n < 0)
			return -errno;
	}
	return 0;
}

/* Copy every file any patch names, before the first is applied. Returns 0 or -errno, @err set. */
static int copy_tree_files(const struct rl_series_sel *sel, const char *tree, const char *work,
			   struct rl_err *err)
{
	for (size_t i = 0; i < sel->ntaken; i++) {
		const struct rl_diff *d = &sel->taken[i].msg->diff;

		for (size_t f = 0; f < d->nfiles; f++) {
			const char *paths[2] = { d->files[f].old_path, d->files[f].path };

			for (int k = 0; k < 2; k++) {
				int ret = paths[k] ? rl_scratch_copy(tree, work, paths[k], err) : 0;

				if (ret)
					return rl_err_prefix(err, ret, "patch %u/%u", sel->taken[i].number,
							     sel->total);
			}
		}
	}
	return 0;
}

static int check_all(const struct rl_series_sel *sel, const char *scratch, const char *work,
		     struct rl_check *res, struct rl_err *err)
{
	char patch[PATH_MAX];
	int ret = 0;

	for (size_t i = 0; i < sel->ntaken && !ret; i++) {
		if ((size_t)snprintf(patch, sizeof(patch), "%s/%04u.patch", scratch,
				     sel->taken[i].number) >= sizeof(patch))
			return rl_err_set(err, -ENAMETOOLONG, "%s: a path too long", scratch);
		ret = write_patch(patch, sel->taken[i].msg);
		if (ret)
			return rl_err_set(err, ret, "%s: %s", patch, strerror(-ret));
		ret = check_one(work, patch, sel->taken[i].msg, &res[i]);
	}
	if (ret == -ENOENT)
		return rl_err_set(err, ret, "git: not found on PATH (git apply checks the patches)");
	return ret ? rl_err_set(err, ret, "git apply: %s", strerror(-ret)) : 0;
}

int rl_series_check(const struct rl_series_sel *sel, const char *tree, struct rl_check *res,
		    struct rl_err *err)
{
	char scratch[PATH_MAX], work[PATH_MAX + 8];
	struct stat st;
	int ret;

	if (stat(tree, &st) < 0)
		return rl_err_set(err, -errno, "%s: %s", tree, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return rl_err_set(err, -ENOTDIR, "%s: not a directory", tree);
	ret = rl_scratch_make(scratch, sizeof(scratch), err);
	if (ret)
		return ret;
	snprintf(work, sizeof(work), "%s/tree", scratch);
	ret = mkdir(work, 0700) < 0 ? rl_err_set(err, -errno, "%s: %s", work, strerror(errno)) : 0;
	if (!ret)
		ret = copy_tree_files(sel, tree, work, err);
	if (!ret)
		ret = check_all(sel, scratch, work, res, err);
	rl_scratch_remove(scratch);
	return ret;
}
