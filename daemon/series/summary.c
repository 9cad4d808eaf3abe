/* SPDX-License-Identifier: MIT */
/* Wording a selection: counts in, sentences out; no counting here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"

/* Singular and plural for each reason to skip; older versions are worded per version. */
static const struct {
	const char *one, *many;
} skip_words[RL_SKIP_MAX] = {
	[RL_SKIP_COVER] = { "cover letter", "cover letters" },
	[RL_SKIP_REPLY] = { "1 reply", "replies" },
	[RL_SKIP_DUPLICATE] = { "1 earlier copy of a patch", "earlier copies of patches" },
	[RL_SKIP_UNNUMBERED] = { "1 unnumbered patch", "unnumbered patches" },
};

struct out {
	char *buf;
	size_t size, len;
};

static __attribute__((format(printf, 2, 3))) void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	o->len = n < 0 ? o->size : o->len + (size_t)n;
}

char *rl_series_ranges(const unsigned int *nums, size_t n, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		while (j + 1 < n && nums[j + 1] == nums[j] + 1)
			j++;
		put(&o, i ? ",%u" : "%u", nums[i]);
		if (j > i)
			put(&o, "-%u", nums[j]);
		i = j;
	}
	return buf;
}

/* "a", "a and b", "a, b and c": item @i of @n. */
static void list_sep(struct out *o, size_t i, size_t n)
{
	if (i)
		put(o, i + 1 == n ? " and " : ", ");
}

static void skipped_part(struct out *o, const struct rl_series_sel *sel)
{
	char words[RL_SKIP_MAX + RL_SERIES_OLDER_MAX][64];
	size_t n = 0;

	for (int r = 0; r < RL_SKIP_MAX; r++) {
		size_t c = sel->skipped[r];

		if (r == RL_SKIP_OLDER) {
			for (size_t v = 0; v < sel->nolder; v++, n++)
				snprintf(words[n], sizeof(words[n]), "%zu v%u patch%s", sel->older[v].count,
					 sel->older[v].version, sel->older[v].count == 1 ? "" : "es");
			continue;
		}
		if (!c)
			continue;
		if (c == 1)
			snprintf(words[n++], sizeof(words[0]), "%s", skip_words[r].one);
		else
			snprintf(words[n++], sizeof(words[0]), "%zu %s", c, skip_words[r].many);
	}
	for (size_t i = 0; i < n; i++) {
		list_sep(o, i, n);
		put(o, i ? "%s" : "; %s", words[i]);
	}
	if (n)
		put(o, " skipped");
}

char *rl_series_summary(const struct rl_series_sel *sel, char *buf, size_t size)
{
	unsigned int nums[sel->ntaken + 1];
	struct out o = { buf, size, 0 };
	char ranges[256];

	for (size_t i = 0; i < sel->ntaken; i++)
		nums[i] = sel->taken[i].number;
	rl_series_ranges(nums, sel->ntaken, ranges, sizeof(ranges));
	put(&o, "v%u%s: patch%s %s of %u taken", sel->version, sel->rfc ? " (RFC)" : "",
	    sel->ntaken == 1 ? "" : "es", ranges, sel->total);
	skipped_part(&o, sel);
	if (sel->nmissing)
		put(&o, "; patch%s ", sel->nmissing == 1 ? "" : "es");
	for (size_t i = 0; i < sel->nmissing; i++) {
		list_sep(&o, i, sel->nmissing);
		put(&o, "%u/%u", sel->missing[i], sel->total);
	}
	if (sel->nmissing)
		put(&o, " missing from the input");
	return buf;
}

char *rl_series_damage_note(const struct rl_series_sel *sel, const struct rl_series_patch *p,
			    char *buf, size_t size)
{
	const struct rl_msg *m = p->msg;
	unsigned int line = rl_msg_file_line(m, m->diff.damaged_line);

	if (!m->diff.damaged_line)
		return NULL;
	if (line)
		snprintf(buf, size, "patch %u/%u (%.80s): diff damaged at %s line %u: %s", p->number,
			 sel->total, m->subj.title, m->file, line, m->diff.damage);
	else
		snprintf(buf, size,
			 "patch %u/%u (%.80s): diff damaged at line %u of message %u's body in %s: %s",
			 p->number, sel->total, m->subj.title, m->diff.damaged_line, m->index, m->file,
			 m->diff.damage);
	return buf;
}
