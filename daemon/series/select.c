/* SPDX-License-Identifier: MIT */
/* The newest version's patches out of a thread, the way a maintainer picks them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"

enum role { ROLE_PATCH, ROLE_COVER, ROLE_REPLY };

static enum role role_of(const struct rl_msg *m)
{
	if (m->subj.reply)
		return ROLE_REPLY;
	if (m->subj.tagged && m->subj.total && !m->subj.number)
		return ROLE_COVER;
	return m->diff.present ? ROLE_PATCH : ROLE_REPLY;
}

static void count_older(struct rl_series_sel *sel, unsigned int version)
{
	size_t i = 0;

	while (i < sel->nolder && sel->older[i].version != version)
		i++;
	if (i == sel->nolder && sel->nolder < RL_SERIES_OLDER_MAX)
		sel->older[sel->nolder++] = (struct rl_series_older){ .version = version };
	else if (i == sel->nolder)
		i = RL_SERIES_OLDER_MAX - 1;
	sel->older[i].count++;
	sel->skipped[RL_SKIP_OLDER]++;
}

/* Take @m as patch @number; an earlier copy of the same number gives way to it. */
static void take(struct rl_series_sel *sel, const struct rl_msg *m, unsigned int number)
{
	for (size_t i = 0; i < sel->ntaken; i++) {
		if (sel->taken[i].number == number) {
			sel->taken[i].msg = m;
			sel->skipped[RL_SKIP_DUPLICATE]++;
			return;
		}
	}
	sel->taken[sel->ntaken++] = (struct rl_series_patch){ .msg = m, .number = number };
}

static int by_number(const void *a, const void *b)
{
	const struct rl_series_patch *x = a, *y = b;

	return (x->number > y->number) - (x->number < y->number);
}

static int newest_first(const void *a, const void *b)
{
	const struct rl_series_older *x = a, *y = b;

	return (x->version < y->version) - (x->version > y->version);
}

/* Count covers and replies; the newest patch version, and whether its patches carry N/M. */
static unsigned int survey(const struct rl_series_input *in, struct rl_series_sel *sel,
			   bool *numbered)
{
	unsigned int newest = 0;

	for (size_t i = 0; i < in->nmsgs; i++) {
		const struct rl_msg *m = &in->msgs[i];
		enum role r = role_of(m);

		if (r == ROLE_COVER)
			sel->skipped[RL_SKIP_COVER]++;
		else if (r == ROLE_REPLY)
			sel->skipped[RL_SKIP_REPLY]++;
		else if (m->subj.version > newest)
			newest = m->subj.version;
	}
	*numbered = false;
	for (size_t i = 0; i < in->nmsgs; i++)
		if (role_of(&in->msgs[i]) == ROLE_PATCH && in->msgs[i].subj.version == newest)
			*numbered |= in->msgs[i].subj.number > 0;
	return newest;
}

/* Numbers 1..M that were not taken. Returns 0 or -ENOMEM. */
static int find_missing(struct rl_series_sel *sel)
{
	size_t t = 0;

	sel->missing = calloc(sel->total + 1, sizeof(*sel->missing));
	if (!sel->missing)
		return -ENOMEM;
	for (unsigned int n = 1; n <= sel->total; n++) {
		while (t < sel->ntaken && sel->taken[t].number < n)
			t++;
		if (t == sel->ntaken || sel->taken[t].number != n)
			sel->missing[sel->nmissing++] = n;
	}
	return 0;
}

int rl_series_select(const struct rl_series_input *in, struct rl_series_sel *sel,
		     struct rl_err *err)
{
	unsigned int position = 0;
	bool numbered;

	*sel = (struct rl_series_sel){ .rfc = true };
	sel->version = survey(in, sel, &numbered);
	if (!sel->version)
		return rl_err_set(err, -ENOMSG, "no patch among its %zu message(s): %zu cover letter(s), "
				  "%zu reply or mail without a diff", in->nmsgs,
				  sel->skipped[RL_SKIP_COVER], sel->skipped[RL_SKIP_REPLY]);
	sel->taken = calloc(in->nmsgs, sizeof(*sel->taken));
	if (!sel->taken)
		return rl_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < in->nmsgs; i++) {
		const struct rl_msg *m = &in->msgs[i];

		if (role_of(m) != ROLE_PATCH)
			continue;
		if (m->subj.version < sel->version)
			count_older(sel, m->subj.version);
		else if (numbered && !m->subj.number)
			sel->skipped[RL_SKIP_UNNUMBERED]++;
		else
			take(sel, m, numbered ? m->subj.number : ++position);
	}
	qsort(sel->taken, sel->ntaken, sizeof(*sel->taken), by_number);
	qsort(sel->older, sel->nolder, sizeof(*sel->older), newest_first);
	for (size_t i = 0; i < sel->ntaken; i++) {
		sel->rfc &= sel->taken[i].msg->subj.rfc;
		if (numbered && sel->taken[i].msg->subj.total > sel->total)
			sel->total = sel->taken[i].msg->subj.total;
	}
	if (!numbered)
		sel->total = (unsigned int)sel->ntaken;
	if (find_missing(sel)) {
		rl_series_sel_free(sel);
		return rl_err_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

void rl_series_sel_free(struct rl_series_sel *sel)
{
	free(sel->taken);
	free(sel->missing);
	*sel = (struct rl_series_sel){ 0 };
}
