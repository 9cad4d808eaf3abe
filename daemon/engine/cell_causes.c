/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cell_causes.h"

#define TID_WAIT_NS (1000ull * 1000)
#define TID_WAIT_TRIES 5000	/* 5 s: the jobs only set up their rings first */

static void unavailable(struct rl_eagain_causes *out, const char *why)
{
	out->valid = true;
	out->status = RL_CAUSES_UNAVAILABLE;
	snprintf(out->note, sizeof(out->note), "%s", why);
}

/* The jobs publish their thread ids before their engine setup; wait for them all. */
static bool wait_tids(struct rl_job *jobs, uint32_t n, pid_t *tids)
{
	const struct timespec tick = { .tv_nsec = (long)TID_WAIT_NS };

	for (int i = 0; i < TID_WAIT_TRIES; i++) {
		uint32_t have = 0;

		for (uint32_t j = 0; j < n; j++) {
			tids[j] = atomic_load(&jobs[j].tid);
			have += tids[j] != 0;
		}
		if (have == n)
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

void rl_cell_causes_start(struct rl_cell_causes *cc, const struct rl_workload *w,
			  struct rl_job *jobs, uint32_t n, int fd, struct rl_cell *c)
{
	struct rl_err err = { "" };
	uint32_t nslots = 0;
	pid_t *tids;

	cc->trace = NULL;
	if (!w->trace_eagain || !w->nowait || w->op != RL_OP_WRITE || fd < 0 || !n)
		return;
	tids = calloc(n, sizeof(*tids));
	if (!tids || !wait_tids(jobs, n, tids)) {
		unavailable(&c->causes, tids ? "the job threads did not start" : "out of memory");
		free(tids);
		return;
	}
	for (uint32_t j = 0; j < n; j++)
		if (jobs[j].queue_depth > nslots)
			nslots = jobs[j].queue_depth;
	if (rl_trace_eagain_start(&cc->trace, tids, n, nslots, fd, &err) < 0) {
		unavailable(&c->causes, err.msg);
	} else {
		for (uint32_t j = 0; j < n; j++)
			jobs[j].log_refusals = true;
	}
	free(tids);
}

static uint64_t attributed(const struct rl_eagain_causes *out)
{
	uint64_t sum = 0;

	for (int i = 0; i < RL_CAUSE_MAX; i++)
		sum += out->counts[i];
	return sum;
}

void rl_cell_causes_finish(struct rl_cell_causes *cc, const struct rl_workload *w,
			   struct rl_job *jobs, uint32_t n, struct rl_cell *c)
{
	struct rl_eagain_causes *out = &c->causes;
	uint64_t lost, sum;

	if (!cc->trace)
		return;
	rl_trace_eagain_stop(cc->trace);
	out->valid = true;
	for (uint32_t j = 0; j < n; j++) {
		const struct rl_refusal_evidence *ev;
		size_t nev;

		ev = rl_trace_eagain_evidence(cc->trace, atomic_load(&jobs[j].tid), &nev);
		rl_causes_attribute(out, jobs[j].refusals, jobs[j].nrefusals, ev, nev,
				    w->block_size);
		out->unattributed += jobs[j].refusals_dropped;
	}
	/* What the jobs counted is the truth; the causes must add up to it. */
	sum = attributed(out);
	out->unattributed = sum <= c->eagain ? c->eagain - sum : 0;
	lost = rl_trace_eagain_lost(cc->trace);
	out->status = out->unattributed ? RL_CAUSES_PARTIAL : RL_CAUSES_OK;
	if (out->unattributed || lost)
		snprintf(out->note, sizeof(out->note),
			 "%llu refusals without a trace window; %llu events lost",
			 (unsigned long long)out->unattributed, (unsigned long long)lost);
	rl_trace_eagain_free(cc->trace);
	cc->trace = NULL;
}
