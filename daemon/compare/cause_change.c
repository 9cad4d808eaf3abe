/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "cause_change.h"

#define SHARE_MIN 0.05	/* of a side's refusals: below, a cause is noise */

static void pool(const struct rl_cell *const *cells, size_t n, struct rl_eagain_causes *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		rl_causes_add(out, &cells[i]->causes);
}

static uint64_t total(const struct rl_eagain_causes *c)
{
	uint64_t t = c->unattributed;

	for (int i = 0; i < RL_CAUSE_MAX; i++)
		t += c->counts[i];
	return t;
}

/* Append the causes @from has (>= SHARE_MIN) and @to lacks, largest first, with @suffix. */
static void list_new(const struct rl_eagain_causes *from, const struct rl_eagain_causes *to,
		     const char *suffix, char *out, size_t len)
{
	uint64_t n = total(from), done = 0;

	for (;;) {
		size_t used = strlen(out);
		int best = -1;

		for (int i = 0; i < RL_CAUSE_MAX; i++)
			if (!(done & (1ull << i)) && !to->counts[i] &&
			    (double)from->counts[i] >= SHARE_MIN * (double)n && from->counts[i] &&
			    (best < 0 || from->counts[i] > from->counts[best]))
				best = i;
		if (best < 0)
			return;
		done |= 1ull << best;
		snprintf(out + used, len - used, "%s%s%s", used ? ", " : "",
			 rl_cause_label((enum rl_cause)best), suffix);
	}
}

void rl_cmp_cause_change(const struct rl_cell *const *base, size_t nbase,
			 const struct rl_cell *const *head, size_t nhead, char *out, size_t len)
{
	struct rl_eagain_causes b, h;

	out[0] = '\0';
	pool(base, nbase, &b);
	pool(head, nhead, &h);
	if (!b.valid || !h.valid || b.status == RL_CAUSES_UNAVAILABLE ||
	    h.status == RL_CAUSES_UNAVAILABLE)
		return;
	list_new(&h, &b, "", out, len);
	list_new(&b, &h, " gone", out, len);
}
