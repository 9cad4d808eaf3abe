/* SPDX-License-Identifier: MIT */
/*
 * How jobs could run in parallel on each side. A JOBS=16 cell measures lock
 * contention only where 16 jobs really run at once: under single-threaded
 * TCG they take turns, on 2 vCPUs two at a time. Two sides made differently
 * are still compared (the user may mean it), but the reader is told.
 */
#include <stdio.h>
#include <string.h>

#include "machine.h"

/* "kvm", "tcg multi-threaded", "tcg single-threaded", "no VM" */
static void accel_text(const struct rl_cmp_run_desc *d, char *buf, size_t len)
{
	if (!d->accel[0])
		snprintf(buf, len, "no VM");
	else if (d->tcg_thread[0])
		snprintf(buf, len, "%s %s-threaded", d->accel, d->tcg_thread);
	else
		snprintf(buf, len, "%s", d->accel);
}

static bool differ(const struct rl_cmp_run_desc *a, const struct rl_cmp_run_desc *b)
{
	return strcmp(a->accel, b->accel) || strcmp(a->tcg_thread, b->tcg_thread) ||
	       (a->cpus && b->cpus && a->cpus != b->cpus);
}

static void side_text(const struct rl_cmp_run_desc *d, char *buf, size_t len)
{
	char accel[48];

	accel_text(d, accel, sizeof(accel));
	if (d->cpus)
		snprintf(buf, len, "%s, %u CPU%s", accel, d->cpus, d->cpus == 1 ? "" : "s");
	else
		snprintf(buf, len, "%s", accel);
}

void rl_cmp_machine_note(struct rl_comparison *c)
{
	char base[80], head[80];

	c->machine_note[0] = '\0';
	for (size_t i = 0; i < c->nbase; i++) {
		for (size_t j = 0; j < c->nhead; j++) {
			if (!differ(&c->base_runs[i], &c->head_runs[j]))
				continue;
			side_text(&c->base_runs[i], base, sizeof(base));
			side_text(&c->head_runs[j], head, sizeof(head));
			snprintf(c->machine_note, sizeof(c->machine_note),
				 "job parallelism differs: base %s; head %s", base, head);
			return;
		}
	}
}
