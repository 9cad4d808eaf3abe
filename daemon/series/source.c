/* SPDX-License-Identifier: MIT */
/* Reading a series' source: one file by what its text is, or a directory's files in name order. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbox.h"
#include "sniff.h"
#include "source.h"
#include "util/cleanup.h"

#define FILE_MAX (64u << 20)

static const char *const kind_names[RL_SRC_MAX] = {
	[RL_SRC_MBOX] = "mbox",
	[RL_SRC_MESSAGE] = "message",
	[RL_SRC_DIFF] = "diff",
	[RL_SRC_MAILDIR] = "maildir",
	[RL_SRC_PATCH_DIR] = "patch directory",
};

/* The files of a patch directory that are read; the rest (a README, a quilt "series") are not. */
static const char *const patch_suffixes[] = { ".patch", ".mbox", ".mbx", ".eml", ".diff", NULL };

const char *rl_series_kind_name(enum rl_series_kind kind)
{
	return kind < RL_SRC_MAX ? kind_names[kind] : "?";
}

/* @path whole into a malloc'd, NUL-terminated *@buf. Returns 0 or -errno, naming @path in @err. */
static int read_all(const char *path, char **buf, size_t *len, struct rl_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n = 1;

	if (fd < 0 || fstat(fd, &st) < 0)
		return rl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return rl_err_set(err, -EINVAL, "%s: not a regular file", path);
	if (st.st_size > FILE_MAX)
		return rl_err_set(err, -EFBIG, "%s: over %u MiB: not a patch series", path, FILE_MAX >> 20);
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf)
		return rl_err_set(err, -ENOMEM, "%s: out of memory", path);
	for (*len = 0; *len < (size_t)st.st_size && n > 0; *len += (size_t)n) {
		n = read(fd, *buf + *len, (size_t)st.st_size - *len);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n < 0)
			return rl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	}
	(*buf)[*len] = '\0';
	return 0;
}

/* Mail read on Windows or through some archives ends its lines in CRLF; the diff wants LF. */
static void strip_cr(char *buf, size_t *len)
{
	size_t w = 0;

	for (size_t r = 0; r < *len; r++)
		if (!(buf[r] == '\r' && r + 1 < *len && buf[r + 1] == '\n'))
			buf[w++] = buf[r];
	buf[w] = '\0';
	*len = w;
}

static int add_msg(struct rl_series_input *in, struct rl_msg *m)
{
	struct rl_msg *msgs = realloc(in->msgs, (in->nmsgs + 1) * sizeof(*msgs));

	if (!msgs) {
		rl_msg_free(m);
		return -ENOMEM;
	}
	in->msgs = msgs;
	in->msgs[in->nmsgs++] = *m;
	return 0;
}

struct file_ctx {
	struct rl_series_input *in;
	const char *file;
	unsigned int index;
	struct rl_err *err;
};

static int on_mbox_msg(void *ctx, const char *text, size_t len, unsigned int line)
{
	struct file_ctx *c = ctx;
	struct rl_msg_origin o = { .file = c->file, .index = ++c->index, .line = line, .mboxrd = 1 };
	struct rl_msg m;
	int ret = rl_msg_parse(text, len, &o, &m, c->err);

	return ret ?: add_msg(c->in, &m);
}

/* The messages of @buf, a file's text of @kind. Returns 0 or -errno with @err set. */
static int add_text(struct file_ctx *c, char *buf, size_t len, enum rl_text_kind kind,
		    unsigned int skipped)
{
	struct rl_msg_origin o = { .file = c->file, .index = 1, .line = skipped + 1 };
	const char *slash = strrchr(c->file, '/');
	struct rl_msg m;
	int ret;

	switch (kind) {
	case RL_TEXT_MBOX:
		strip_cr(buf, &len);
		return rl_mbox_split(buf, len, on_mbox_msg, c);
	case RL_TEXT_MESSAGE:
		strip_cr(buf, &len);
		ret = rl_msg_parse(buf + skipped, len - skipped, &o, &m, c->err);
		return ret ?: add_msg(c->in, &m);
	case RL_TEXT_DIFF:
		ret = rl_msg_from_diff(buf, len, slash ? slash + 1 : c->file, &o, &m);
		return ret ?: add_msg(c->in, &m);
	default:
		return rl_sniff_refuse(c->file, buf, len, c->err);
	}
}

/* Read @path's messages into @in; *@kind says what the file was. Returns 0 or -errno, @err set. */
static int load_file(struct rl_series_input *in, const char *path, enum rl_text_kind *kind,
		     struct rl_err *err)
{
	_cleanup_free_ char *buf = NULL;
	struct file_ctx c = { .in = in, .err = err };
	unsigned int skipped;
	char **files;
	size_t len = 0;
	int ret;

	files = realloc(in->files, (in->nfiles + 1) * sizeof(*files));
	if (!files)
		return rl_err_set(err, -ENOMEM, "%s: out of memory", path);
	in->files = files;
	c.file = in->files[in->nfiles] = strdup(path);
	if (!c.file)
		return rl_err_set(err, -ENOMEM, "%s: out of memory", path);
	in->nfiles++;
	ret = read_all(path, &buf, &len, err);
	if (ret)
		return ret;
	*kind = rl_sniff(buf, len, &skipped);
	ret = add_text(&c, buf, len, *kind, skipped);
	if (ret == -ENOMEM)
		rl_err_set(err, ret, "%s: out of memory", path);
	return ret;
}

static int has_patch_suffix(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	if (e->d_name[0] == '.')
		return 0;
	for (const char *const *s = patch_suffixes; *s; s++)
		if (n > strlen(*s) && !strcmp(e->d_name + n - strlen(*s), *s))
			return 1;
	return 0;
}

static int not_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Append "@dir/@sub/NAME" for @sub's entries that pass @filter to *@paths. Returns 0 or -errno. */
static int list_dir(const char *dir, const char *sub, int (*filter)(const struct dirent *),
		    char ***paths, size_t *n)
{
	_cleanup_free_ char *where = NULL;
	struct dirent **ents;
	int count, ret = 0;

	if (asprintf(&where, "%s%s%s", dir, sub ? "/" : "", sub ?: "") < 0)
		return -ENOMEM;
	count = scandir(where, &ents, filter, alphasort);
	if (count < 0)
		return -errno;
	for (int i = 0; i < count; i++) {
		char **p = ret ? NULL : realloc(*paths, (*n + 1) * sizeof(*p));

		if (p) {
			*paths = p;
			ret = asprintf(&p[*n], "%s/%s", where, ents[i]->d_name) < 0 ? -ENOMEM : 0;
			*n += !ret;
		} else {
			ret = -ENOMEM;
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

static int by_basename(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	return strcmp(strrchr(x, '/'), strrchr(y, '/'));
}

static bool is_dir(const char *dir, const char *sub)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* A directory's files by name: a maildir's cur/ and new/, or else its patch files. */
static int dir_files(const char *dir, struct rl_series_input *in, char ***paths, size_t *n,
		     struct rl_err *err)
{
	static const char *const maildir_subs[] = { "cur", "new" };
	int ret = 0;

	in->kind = is_dir(dir, "cur") || is_dir(dir, "new") ? RL_SRC_MAILDIR : RL_SRC_PATCH_DIR;
	if (in->kind == RL_SRC_MAILDIR) {
		for (size_t i = 0; i < 2 && !ret; i++)
			if (is_dir(dir, maildir_subs[i]))
				ret = list_dir(dir, maildir_subs[i], not_hidden, paths, n);
	} else {
		ret = list_dir(dir, NULL, has_patch_suffix, paths, n);
	}
	if (ret)
		return rl_err_set(err, ret, "%s: %s", dir, strerror(-ret));
	if (!*n)
		return rl_err_set(err, -ENOMSG, in->kind == RL_SRC_MAILDIR ? "%s: an empty maildir" :
				  "%s: no *.patch, *.mbox, *.mbx, *.eml or *.diff files, "
				  "and no maildir cur/ or new/", dir);
	qsort(*paths, *n, sizeof(**paths), by_basename);
	return 0;
}

static int load_dir(const char *dir, struct rl_series_input *in, struct rl_err *err)
{
	enum rl_text_kind kind;
	char **paths = NULL;
	size_t n = 0;
	int ret = dir_files(dir, in, &paths, &n, err);

	for (size_t i = 0; i < n; i++) {
		if (!ret)
			ret = load_file(in, paths[i], &kind, err);
		free(paths[i]);
	}
	free(paths);
	return ret;
}

int rl_series_load(const char *path, struct rl_series_input *in, struct rl_err *err)
{
	static const enum rl_series_kind of_text[RL_TEXT_MAX] = {
		[RL_TEXT_MBOX] = RL_SRC_MBOX,
		[RL_TEXT_MESSAGE] = RL_SRC_MESSAGE,
		[RL_TEXT_DIFF] = RL_SRC_DIFF,
	};
	enum rl_text_kind kind = RL_TEXT_UNKNOWN;
	struct stat st;
	int ret;

	*in = (struct rl_series_input){ 0 };
	if (stat(path, &st) < 0)
		return rl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		ret = load_dir(path, in, err);
	} else {
		ret = load_file(in, path, &kind, err);
		in->kind = of_text[kind];
	}
	if (!ret && !in->nmsgs)
		ret = rl_err_set(err, -ENOMSG, "%s: no messages", path);
	if (ret)
		rl_series_input_free(in);
	return ret;
}

void rl_series_input_free(struct rl_series_input *in)
{
	for (size_t i = 0; i < in->nmsgs; i++)
		rl_msg_free(&in->msgs[i]);
	for (size_t i = 0; i < in->nfiles; i++)
		free(in->files[i]);
	free(in->msgs);
	free(in->files);
	*in = (struct rl_series_input){ 0 };
}
