/* SPDX-License-Identifier: MIT */
/* Run hooks as terminal output (run, watch): an updating line on a tty, a line per cell. */
#include "progress.h"
#include "engine/result_text.h"

static void on_progress(void *ctx, const struct rl_progress *pr)
{
	struct rl_term_progress *p = ctx;

	if (p->quiet || !p->tty)
		return;
	fprintf(p->out, "\r\033[K[%3zu/%zu %3.0f%%] %s jobs=%u rep %u/%u %-6s %3.0f%%",
		pr->cell + 1, pr->ncells, pr->run_fraction * 100, pr->workload, pr->jobs, pr->rep,
		pr->reps, pr->phase, pr->cell_fraction * 100);
	if (pr->live_iops > 0)
		fprintf(p->out, "  %.0f IOPS", pr->live_iops);
	fflush(p->out);
	p->line_open = true;
}

static void on_cell(void *ctx, const struct rl_run *run, const struct rl_cell *c)
{
	struct rl_term_progress *p = ctx;

	if (p->quiet)
		return;
	rl_term_progress_end(p);
	rl_cell_print_line(p->out, c);
	fflush(p->out);
}

struct rl_run_hooks rl_term_progress_hooks(struct rl_term_progress *p)
{
	return (struct rl_run_hooks){ .ctx = p, .progress = on_progress, .cell_done = on_cell };
}

void rl_term_progress_end(struct rl_term_progress *p)
{
	if (p->line_open) {
		fprintf(p->out, "\r\033[K");
		p->line_open = false;
	}
}
