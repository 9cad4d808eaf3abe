/* SPDX-License-Identifier: MIT */
/*
 * The cells' numbers on several threads. The bootstrap is most of a
 * comparison's time (10,000 resamples of two measures a cell, 64 to 192
 * cells), and cells share nothing but the runs they read: each thread takes
 * every n-th cell with sides of its own (the runs and their index shared,
 * the scratch its own). A thread that cannot be started leaves its cells
 * to the caller's.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "cells_fill.h"

struct worker {
	pthread_t thread;
	bool started;
	struct rl_cmp_side b, h;
	const struct rl_cmp_keys *keys;
	const struct rl_comparison *c;
	struct rl_cmp_cell *cells;
	size_t first, step;
	int ret;
};

static void *fill_every_nth(void *arg)
{
	struct worker *w = arg;

	for (size_t i = w->first; i < w->keys->n && !w->ret; i += w->step)
		w->ret = rl_cmp_cell_fill(&w->b, &w->h, w->keys->v[i].workload, w->keys->v[i].jobs,
					  w->c, &w->cells[i]);
	return NULL;
}

/* Free the scratch @w allocated for itself (none of the caller's @b and @h). */
static void release(struct worker *w, const struct rl_cmp_side *b, const struct rl_cmp_side *h)
{
	if (w->b.iops != b->iops)
		rl_cmp_side_scratch_free(&w->b);
	if (w->h.iops != h->iops)
		rl_cmp_side_scratch_free(&w->h);
}

/* As many threads as help: one per 16 cells, the CPUs online, RL_CMP_FILL_THREADS. */
static size_t threads_for(size_t ncells)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = ncells / 16 + 1;

	if (cpus > 0 && n > (size_t)cpus)
		n = (size_t)cpus;
	return n > RL_CMP_FILL_THREADS ? RL_CMP_FILL_THREADS : n;
}

int rl_cmp_cells_fill(const struct rl_cmp_side *b, const struct rl_cmp_side *h,
		      const struct rl_cmp_keys *keys, const struct rl_comparison *c,
		      struct rl_cmp_cell *cells)
{
	struct worker w[RL_CMP_FILL_THREADS];
	size_t n = threads_for(keys->n), t;
	int ret = 0;

	memset(w, 0, sizeof(w));
	for (t = 0; t < n; t++) {
		w[t] = (struct worker){ .b = *b, .h = *h, .keys = keys, .c = c, .cells = cells,
					.first = t, .step = n };
		/* Thread 0 is this one, with the caller's scratch; the others get theirs. */
		if (t && (rl_cmp_side_scratch(&w[t].b) < 0 || rl_cmp_side_scratch(&w[t].h) < 0))
			w[t].ret = -ENOMEM;
	}
	for (t = 1; t < n; t++)
		w[t].started = !w[t].ret && !pthread_create(&w[t].thread, NULL, fill_every_nth, &w[t]);
	fill_every_nth(&w[0]);
	for (t = 1; t < n; t++) {
		if (w[t].started) {
			pthread_join(w[t].thread, NULL);
			continue;
		}
		/* Not started: its cells are filled here, with the caller's scratch if it has none. */
		if (w[t].ret) {
			release(&w[t], b, h);
			w[t].b = *b;
			w[t].h = *h;
			w[t].ret = 0;
		}
		fill_every_nth(&w[t]);
	}
	for (t = 0; t < n; t++) {
		if (w[t].ret)
			ret = w[t].ret;
		if (t)
			release(&w[t], b, h);
	}
	return ret;
}
