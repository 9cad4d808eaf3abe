/* SPDX-License-Identifier: MIT */
/*
 * A cell's -EAGAIN causes: start tracing the job threads once they exist,
 * and after they are joined, pair each job's refusals with the kernel's
 * evidence into the cell's counts. What cell.c calls; trace_eagain.c and
 * eagain_cause.c do the work.
 */
#ifndef RINGLAB_DAEMON_ENGINE_CELL_CAUSES_H
#define RINGLAB_DAEMON_ENGINE_CELL_CAUSES_H

#include "job.h"
#include "trace_eagain.h"

struct rl_cell_causes {
	struct rl_trace_eagain *trace;	/* NULL: not traced */
};

/*
 * rl_cell_causes_start() - when @w asks for trace_eagain on NOWAIT writes to
 * @fd, wait for the @n started jobs to publish their thread ids, make them
 * log their refusals, and start tracing. Failure to trace is not a cell
 * failure: @c->causes then says unavailable and why. Call before releasing
 * the jobs' start barrier.
 */
void rl_cell_causes_start(struct rl_cell_causes *cc, const struct rl_workload *w,
			  struct rl_job *jobs, uint32_t n, int fd, struct rl_cell *c);

/*
 * rl_cell_causes_finish() - after the jobs are joined and folded into @c:
 * stop tracing, remove the instance, and count @c->eagain by cause.
 */
void rl_cell_causes_finish(struct rl_cell_causes *cc, const struct rl_workload *w,
			   struct rl_job *jobs, uint32_t n, struct rl_cell *c);

#endif
