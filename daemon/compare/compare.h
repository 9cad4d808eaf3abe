/* SPDX-License-Identifier: MIT */
/*
 * Comparing a base against a head: each side is one run or several pooled
 * (all runs of a label or kernel tag). Cells pair by (workload, jobs); each
 * pair gets an IOPS ratio of medians with a bootstrap interval and a verdict,
 * a p99 latency ratio with its own verdict, and an EAGAIN verdict drawn from
 * the repetitions' rates (a bootstrap interval of the difference of their
 * means: a repetition's refusals cluster, so writes are not independent
 * trials). Everything is computed here, once: the text, JSON and dashboard
 * formatters only read struct rl_comparison.
 */
#ifndef RINGLAB_DAEMON_COMPARE_COMPARE_H
#define RINGLAB_DAEMON_COMPARE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/result.h"
#include "stats/bootstrap.h"
#include "stats/rates.h"
#include "util/err.h"

#define RL_CMP_THRESHOLD_DEFAULT 0.05	/* a change must clear 1 +/- 5% */
#define RL_CMP_ITERATIONS 10000		/* bootstrap resamples */
#define RL_CMP_CONFIDENCE 0.95
#define RL_CMP_MIN_REPS 3		/* fewer on a side: insufficient */
#define RL_CMP_EAGAIN_ALPHA 0.01	/* the EAGAIN interval is at 1 - alpha (99%) */
#define RL_CMP_EAGAIN_MIN_PP 5.0	/* an EAGAIN change must clear +/- 5 points */
/* A timing-dependent rate changed only when its interval clears this many times its spread. */
#define RL_CMP_TIMING_FACTOR 2.0
#define RL_CMP_WHY_MAX 256

/* What fails the gate (the CLI's exit status, the API's "gate"), besides corruption. */
enum rl_cmp_gate {
	RL_CMP_GATE_BOTH,		/* an IOPS regression or an EAGAIN change (default) */
	RL_CMP_GATE_IOPS,		/* an IOPS regression */
	RL_CMP_GATE_EAGAIN,		/* an EAGAIN change, in either direction */
	RL_CMP_GATE_MAX
};

struct rl_compare_opts {
	double threshold;		/* fraction, in [0, 1); e.g. 0.05 */
	enum rl_cmp_gate gate;
	bool cross_host;		/* compare runs of different machines (else incompatible) */
};

/* A measure (IOPS, p99 latency) of one cell on both sides. */
struct rl_cmp_ratio {
	struct rl_ratio_ci ci;		/* medians, ratio, interval, reps used */
	enum rl_verdict verdict;
	/*
	 * false when no interval could be drawn: a side without measured
	 * repetitions, or a base median of 0. Then ci.ratio, lo and hi are
	 * NaN (both medians 0) or +inf (only the base's is 0).
	 */
	bool has_ci;
};

enum rl_cmp_eagain {
	RL_CMP_EAGAIN_NA,		/* no NOWAIT first attempt on a side */
	RL_CMP_EAGAIN_UNCHANGED,
	RL_CMP_EAGAIN_CHANGED,		/* the interval clears +/- RL_CMP_EAGAIN_MIN_PP */
	RL_CMP_EAGAIN_INSUFFICIENT,	/* fewer than min_reps repetitions on a side */
	RL_CMP_EAGAIN_UNSTABLE,		/* a side's repetitions disagree: no rate to compare */
	RL_CMP_EAGAIN_TIMING,		/* retry-blocking, and no change beyond its spread */
	RL_CMP_EAGAIN_MAX
};

/*
 * A cell whose sides measured different things gets no verdict: it is
 * RL_CMP_INCOMPATIBLE, one past the verdicts, so that one array counts both.
 */
#define RL_CMP_INCOMPATIBLE RL_VERDICT_MAX
#define RL_CMP_VERDICT_MAX (RL_VERDICT_MAX + 1)

/* The cells' verdicts in the fixed order a summary names them: the worst first. */
extern const enum rl_verdict rl_cmp_summary_order[RL_CMP_VERDICT_MAX];

struct rl_cmp_summary {
	unsigned count[RL_CMP_VERDICT_MAX];	/* by cell verdict, incompatible included */
	unsigned cells;
};

/* One (workload, jobs) present on both sides. */
struct rl_cmp_cell {
	char workload[RL_NAME_MAX];
	uint32_t jobs;
	uint32_t base_reps, head_reps;		/* repetitions pooled, measured or not */
	/*
	 * The cell's verdict: RL_VERDICT_CORRUPT when a repetition on either
	 * side failed verification, else RL_CMP_INCOMPATIBLE when incompatible
	 * is set, else the first of: regressed (IOPS), eagain-changed, improved
	 * (IOPS), unstable (EAGAIN), and the IOPS verdict (the EAGAIN one's
	 * unchanged or insufficient when IOPS is n/a).
	 */
	enum rl_verdict verdict;
	bool incompatible;
	char incompatible_field[RL_NAME_MAX];	/* e.g. "io_size", "scale" */
	char why[RL_CMP_WHY_MAX];		/* "io_size: base 8192, head 4096" */
	struct rl_cmp_ratio iops;		/* higher is better */
	/*
	 * A side measured repetitions but none completed any I/O (every
	 * NOWAIT write refused): IOPS and p99 are n/a, the cell is judged on
	 * EAGAIN alone.
	 */
	bool iops_na;
	struct rl_cmp_ratio p99;		/* completion latency, lower is better */
	uint32_t base_verify_failed, head_verify_failed;	/* repetitions */
	/* What the failed repetitions' bad blocks hold, per side ("" none or not classified). */
	char verify_found[2 * RL_CMP_WHY_MAX + 16];
	bool nowait;				/* the workload issues NOWAIT first attempts */
	bool timing_dependent;			/* retry-blocking: its rate moves with timing */
	uint64_t base_eagain, base_attempts, head_eagain, head_attempts;
	/* The repetitions' rates: spreads, difference, interval; valid unless NA. */
	struct rl_rate_diff eagain;
	bool base_unstable, head_unstable;	/* that side's repetitions disagree */
	enum rl_cmp_eagain eagain_verdict;
	char eagain_cause[RL_CMP_WHY_MAX];	/* causes new in head, gone from it; "" none */
	double base_elapsed_s, head_elapsed_s;	/* medians; NaN without measurements */
	double wall_speedup;			/* base_elapsed_s / head_elapsed_s, or NaN */
};

/* The cells of one workload: cells[first .. first + ncells - 1]. */
struct rl_cmp_group {
	char workload[RL_NAME_MAX];
	char description[RL_DESC_MAX];
	size_t first, ncells;
	uint32_t reps_min, reps_max;	/* measured reps per side and cell, for titles */
	struct rl_cmp_summary summary;
};

/* A (workload, jobs) found on one side only: listed, never compared. */
struct rl_cmp_unpaired {
	char workload[RL_NAME_MAX];
	uint32_t jobs;
	bool in_base;			/* else only in head */
};

/* What a side's runs were, for headers and the API. */
struct rl_cmp_run_desc {
	char suite[RL_NAME_MAX];
	char label[128];
	char kernel_release[65];
	char kernel_tag[64];
	char hostname[65];
	/* The machine it ran on (a guest's lab host): see hosts.h. */
	char host[65];
	char machine_id[33];		/* "" not recorded */
	int64_t started_ns;
	double scale;
	size_t ncells;
	/* How its jobs could run in parallel (env.vm, env.cpus): see machine.h. */
	char accel[16];			/* kvm, tcg; "" not in a VM */
	char tcg_thread[16];		/* multi, single; "" not TCG */
	uint32_t cpus;			/* the CPUs the run saw; 0 not recorded */
	enum rl_run_status status;	/* a run that did not finish still compares; callers warn */
	char error[RL_ERR_MSG_MAX];	/* why it did not, "" none */
};

struct rl_comparison {
	double threshold;
	unsigned iterations;
	double confidence;
	unsigned min_reps;
	double eagain_alpha, eagain_min_pp, timing_factor;
	enum rl_cmp_gate gate;
	struct rl_cmp_run_desc *base_runs, *head_runs;
	size_t nbase, nhead;
	struct rl_cmp_cell *cells;	/* grouped by workload, jobs ascending */
	size_t ncells;
	struct rl_cmp_group *groups;	/* workloads in the base's order */
	size_t ngroups;
	struct rl_cmp_unpaired *unpaired;
	size_t nunpaired;
	struct rl_cmp_summary total;
	/*
	 * Base and head ran with another accelerator or CPU count, so their
	 * jobs ran with other parallelism: said, never a verdict ("" none).
	 */
	char machine_note[RL_CMP_WHY_MAX];
	/*
	 * The runs come from more than one machine (hosts.h): host_note names
	 * two of them ("" when one). Unless opts.cross_host asked for it, every
	 * cell is then incompatible (field "host"), corrupt ones excepted.
	 */
	bool cross_host;
	bool cross_host_allowed;	/* opts.cross_host */
	char host_note[RL_CMP_WHY_MAX];
};

/*
 * rl_compare_runs() - compare @base[0..nbase-1] (pooled) against
 * @head[0..nhead-1] (pooled) into @out, which the caller releases with
 * rl_comparison_free(). @opts may be NULL for the defaults. Bootstrap seeds
 * derive from the workload name and jobs, so the same runs always give the
 * same intervals.
 * Returns 0; -EINVAL with the reason in @err for a side without runs, a side
 * holding one run twice (the same start, machine, suite and cells), a bad
 * threshold, or no (workload, jobs) common to both sides ("no common cells:
 * base has workloads A, B; head has C"); -ENOMEM. On error @out holds nothing
 * to free.
 */
int rl_compare_runs(const struct rl_run *const *base, size_t nbase,
		    const struct rl_run *const *head, size_t nhead,
		    const struct rl_compare_opts *opts, struct rl_comparison *out,
		    struct rl_err *err);

/* rl_comparison_free() - release what rl_compare_runs() allocated; NULL is fine. */
void rl_comparison_free(struct rl_comparison *c);

/*
 * rl_comparison_gate() - true when any cell is corrupt, or by c->gate
 * regressed (IOPS) and/or eagain-changed: what the CLI's exit status and
 * the nightly job act on. p99 verdicts are reported but do not gate.
 */
bool rl_comparison_gate(const struct rl_comparison *c);

/* rl_cmp_gate_name() - "both", "iops" or "eagain"; "unknown" out of range. Never NULL. */
const char *rl_cmp_gate_name(enum rl_cmp_gate g);

/* rl_cmp_gate_parse() - the gate named @name ("iops", "eagain", "both"), or -1. */
int rl_cmp_gate_parse(const char *name);

/*
 * rl_comparison_comparable() - the number of cells that are not
 * incompatible, i.e. that were actually compared.
 */
size_t rl_comparison_comparable(const struct rl_comparison *c);

/*
 * rl_comparison_group() - the group of workload @name, or NULL.
 */
const struct rl_cmp_group *rl_comparison_group(const struct rl_comparison *c,
					       const char *name);

/*
 * rl_cmp_summary_line() - "2 regressed, 9 improved, 21 unchanged" into @buf
 * (non-zero counts only, in rl_cmp_summary_order; "no cells" when empty).
 * Returns @buf.
 */
char *rl_cmp_summary_line(const struct rl_cmp_summary *s, char *buf, size_t len);

/*
 * Names for formatters, never NULL: a cell's verdict (rl_verdict_name(), or
 * "incompatible"); an EAGAIN verdict ("n/a", "unchanged", "changed",
 * "insufficient", "unstable", "timing-dependent").
 */
const char *rl_cmp_verdict_name(enum rl_verdict v);
const char *rl_cmp_eagain_name(enum rl_cmp_eagain v);

#endif
