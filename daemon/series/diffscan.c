/* SPDX-License-Identifier: MIT */
/*
 * A line-by-line walk of a mail body's unified diffs. It counts each hunk's
 * lines against its "@@ -a,b +c,d @@" header the way git apply does, so a
 * hunk a mailer damaged is named at its first bad line, before git says only
 * "corrupt patch".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffscan.h"

enum state { OUTSIDE, HEADER, HUNK };

struct scan {
	struct rl_diff *d;
	enum state state;
	unsigned int old_left, new_left;
	unsigned int lineno;		/* of the current line, from 1 */
	const char *hunk;		/* the current hunk's "@@ -a,b +c,d @@" */
	int hunk_len;
	bool hunk_ended;		/* the last line completed a hunk */
};

static bool starts(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(line, prefix, n);
}

/*
 * A path from a "---"/"+++" line or half of "diff --git", as `git apply -p1`
 * sees it: a timestamp after a tab dropped, then the first component ("a/",
 * "b/", "linux-7.2.13/").
 */
static char *path_dup(const char *p, size_t len)
{
	const char *tab = memchr(p, '\t', len), *slash;

	if (tab)
		len = (size_t)(tab - p);
	slash = memchr(p, '/', len);
	if (slash && slash + 1 < p + len) {
		len -= (size_t)(slash + 1 - p);
		p = slash + 1;
	}
	return strndup(p, len);
}

/* Record the first damaged line: the current one, with why, and the hunk it is in. */
static __attribute__((format(printf, 2, 3))) void damage(struct scan *s, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (s->d->damaged_line)
		return;
	s->d->damaged_line = s->lineno;
	va_start(ap, fmt);
	n = (size_t)vsnprintf(s->d->damage, sizeof(s->d->damage), fmt, ap);
	va_end(ap);
	if (s->hunk && n < sizeof(s->d->damage))
		snprintf(s->d->damage + n, sizeof(s->d->damage) - n, ", in hunk %.*s", s->hunk_len,
			 s->hunk);
}

static struct rl_diff_file *new_file(struct rl_diff *d)
{
	struct rl_diff_file *f = realloc(d->files, (d->nfiles + 1) * sizeof(*f));

	if (!f)
		return NULL;
	d->files = f;
	f = &d->files[d->nfiles++];
	*f = (struct rl_diff_file){ 0 };
	d->present = true;
	return f;
}

/* "diff --git a/X b/Y": a new file entry with both paths. Returns 0 or -ENOMEM. */
static int git_header(struct rl_diff *d, const char *line, size_t len)
{
	const char *s = line + 11, *end = line + len, *sep = NULL;
	struct rl_diff_file *f = new_file(d);

	if (!f)
		return -ENOMEM;
	for (const char *p = s; p + 3 <= end; p++)
		if (!memcmp(p, " b/", 3))
			sep = p;
	if (!sep)
		sep = memchr(s, ' ', (size_t)(end - s));
	if (!sep)
		sep = end;
	f->old_path = path_dup(s, (size_t)(sep - s));
	f->path = sep < end ? path_dup(sep + 1, (size_t)(end - sep - 1)) : strdup(f->old_path);
	return f->old_path && f->path ? 0 : -ENOMEM;
}

/* "--- X" or "+++ Y" of the current file; "/dev/null" marks a new or deleted file. */
static int set_path(struct rl_diff *d, const char *line, size_t len)
{
	struct rl_diff_file *f = &d->files[d->nfiles - 1];
	bool old = line[0] == '-', null = starts(line + 4, len - 4, "/dev/null");
	char *p = null ? NULL : path_dup(line + 4, len - 4);

	if (!null && !p)
		return -ENOMEM;
	if (old) {
		free(f->old_path);
		f->old_path = p;
	} else if (p) {
		free(f->path);
		f->path = p;
	} else if (!f->path && f->old_path) {
		f->path = strdup(f->old_path);	/* deleted: the file it was */
	}
	return 0;
}

static bool parse_range(const char **p, char sign, unsigned int *start, unsigned int *count)
{
	char *end;

	if (**p != sign)
		return false;
	*start = (unsigned int)strtoul(*p + 1, &end, 10);
	*count = 1;
	if (end == *p + 1)
		return false;
	if (*end == ',')
		*count = (unsigned int)strtoul(end + 1, &end, 10);
	*p = end;
	return true;
}

/* An "@@" line: a hunk of the current file. Returns 0 or -ENOMEM. */
static int hunk_header(struct scan *s, const char *line, size_t len)
{
	struct rl_diff_file *f = &s->d->files[s->d->nfiles - 1];
	unsigned int old_start, new_start;
	const char *p = line + 3;
	struct rl_hunk *h;

	s->hunk = NULL;
	if (!parse_range(&p, '-', &old_start, &s->old_left) || *p++ != ' ' ||
	    !parse_range(&p, '+', &new_start, &s->new_left) ||
	    !starts(p, len - (size_t)(p - line), " @@")) {
		damage(s, "an \"@@\" line that does not parse");
		s->state = OUTSIDE;
		return 0;
	}
	s->hunk = line;
	s->hunk_len = (int)(p + 3 - line);
	h = realloc(f->hunks, (f->nhunks + 1) * sizeof(*h));
	if (!h)
		return -ENOMEM;
	f->hunks = h;
	h = &f->hunks[f->nhunks++];
	*h = (struct rl_hunk){ .old_start = old_start, .line = s->lineno,
			       .header = strndup(line, len) };
	s->state = HUNK;
	return h->header ? 0 : -ENOMEM;
}

/* A line inside a hunk: count it, or name it as damage. */
static void hunk_line(struct scan *s, const char *line, size_t len)
{
	char c = len ? line[0] : '\n';	/* an empty line is an empty context line, as git takes it */

	if (c == ' ' || c == '\n') {
		if (!s->old_left || !s->new_left)
			damage(s, "more lines than the \"@@\" says");
		s->old_left -= !!s->old_left;
		s->new_left -= !!s->new_left;
	} else if (c == '-' && s->old_left) {
		s->old_left--;
	} else if (c == '+' && s->new_left) {
		s->new_left--;
	} else if (c == '-' || c == '+') {
		damage(s, "more lines than the \"@@\" says");
	} else if (c != '\\') {
		damage(s, "a context line without its leading space (white space lost in mail?)");
		s->old_left -= !!s->old_left;
		s->new_left -= !!s->new_left;
	}
	if (!s->old_left && !s->new_left) {
		s->state = HEADER;
		s->hunk_ended = true;
	}
}

/* Right after a hunk's last line, a diff line means the "@@" counted too few ("-- " signs off). */
static void after_hunk(struct scan *s, const char *line, size_t len)
{
	bool signature = starts(line, len, "-- ") || (len == 2 && starts(line, len, "--"));

	if (len > 1 && (line[0] == '+' || line[0] == '-' || line[0] == ' ') && !signature)
		damage(s, "more lines than the \"@@\" says");
}

/* A line that starts a file or a hunk, in any state. Returns 1 if it did, 0 if not, or -ENOMEM. */
static int diff_start(struct scan *s, const char *line, size_t len, const char *next,
		      size_t next_len)
{
	if (s->state == HUNK && (starts(line, len, "@@ ") || starts(line, len, "diff --git ")))
		damage(s, "the hunk ends %u line(s) before its \"@@\" says",
		       s->old_left > s->new_left ? s->old_left : s->new_left);
	if (starts(line, len, "diff --git ")) {
		s->state = HEADER;
		return git_header(s->d, line, len) ?: 1;
	}
	if (s->state != HUNK && starts(line, len, "--- ") && starts(next, next_len, "+++ ")) {
		if (s->state == OUTSIDE && !new_file(s->d))
			return -ENOMEM;
		s->state = HEADER;
		return set_path(s->d, line, len) ?: 1;
	}
	if (s->state == HEADER && starts(line, len, "+++ "))
		return set_path(s->d, line, len) ?: 1;
	if (s->state != OUTSIDE && starts(line, len, "@@ "))
		return hunk_header(s, line, len) ?: 1;
	return 0;
}

/* One line of the body. Returns 0 or -ENOMEM. */
static int scan_line(struct scan *s, const char *line, size_t len, const char *next,
		     size_t next_len)
{
	bool hunk_ended = s->hunk_ended;
	int ret = diff_start(s, line, len, next, next_len);

	s->hunk_ended = false;
	if (ret)
		return ret < 0 ? ret : 0;
	if (hunk_ended && s->state == HEADER)
		after_hunk(s, line, len);
	if (s->state == HUNK)
		hunk_line(s, line, len);
	else if (s->state == HEADER && s->d->files[s->d->nfiles - 1].nhunks &&
		 !starts(line, len, "\\"))
		s->state = OUTSIDE;	/* after the last hunk: a signature, a version */
	return 0;
}

int rl_diff_scan(const char *body, size_t len, struct rl_diff *d)
{
	struct scan s = { .d = d, .state = OUTSIDE };
	const char *p = body, *end = body + len;
	int ret = 0;

	*d = (struct rl_diff){ 0 };
	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)) ?: end;
		const char *next = nl < end ? nl + 1 : end;
		const char *next_nl = memchr(next, '\n', (size_t)(end - next)) ?: end;

		s.lineno++;
		ret = scan_line(&s, p, (size_t)(nl - p), next, (size_t)(next_nl - next));
		p = next;
	}
	if (!ret && s.state == HUNK)
		damage(&s, "the body ends %u line(s) before the hunk does",
		       s.old_left > s.new_left ? s.old_left : s.new_left);
	if (ret)
		rl_diff_free(d);
	return ret;
}

const struct rl_hunk *rl_diff_find_hunk(const struct rl_diff *d, const char *path,
					unsigned int old_start)
{
	for (size_t i = 0; i < d->nfiles; i++) {
		const struct rl_diff_file *f = &d->files[i];

		if (strcmp(f->path ? f->path : "", path) && strcmp(f->old_path ? f->old_path : "", path))
			continue;
		for (size_t j = 0; j < f->nhunks; j++)
			if (f->hunks[j].old_start == old_start)
				return &f->hunks[j];
	}
	return NULL;
}

void rl_diff_free(struct rl_diff *d)
{
	for (size_t i = 0; i < d->nfiles; i++) {
		for (size_t j = 0; j < d->files[i].nhunks; j++)
			free(d->files[i].hunks[j].header);
		free(d->files[i].hunks);
		free(d->files[i].path);
		free(d->files[i].old_path);
	}
	free(d->files);
	*d = (struct rl_diff){ 0 };
}
