/* SPDX-License-Identifier: MIT */
/* Comparison tables as text: the values of struct rl_comparison, laid out. */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "engine/result_text.h"
#include "compare_text.h"

#define SEED_TEST1 "aligned-mixed"
#define SEED_TEST2 "unaligned-middle-unwritten"

/* Column widths of the table header; the verdict column runs to the end of the line. */
enum { W_JOBS = 4, W_IOPS = 9, W_SPEEDUP = 7, W_CI = 14, W_EAGAIN = 17 };

/* "42,322": a count rounded to an integer with thousands separators; "-" if not finite. */
static char *fmt_count(double v, char *buf, size_t len)
{
	char digits[32];

	if (!isfinite(v) || v < 0 || v >= 1e18) {
		snprintf(buf, len, "-");
		return buf;
	}
	snprintf(digits, sizeof(digits), "%" PRIu64, (uint64_t)llround(v));
	return rl_group_digits(digits, buf, len);
}

/* "1.97x"; "inf" for a base of 0; "-" when there is no ratio. */
static char *fmt_ratio(double r, char *buf, size_t len)
{
	if (isinf(r))
		snprintf(buf, len, "inf");
	else if (isfinite(r))
		snprintf(buf, len, "%.2fx", r);
	else
		snprintf(buf, len, "-");
	return buf;
}

static char *fmt_ci(const struct rl_cmp_ratio *r, char *buf, size_t len)
{
	if (r->has_ci)
		snprintf(buf, len, "[%.2f, %.2f]", r->ci.lo, r->ci.hi);
	else
		snprintf(buf, len, "-");
	return buf;
}

/* "0-100%" or "100%": one side's repetitions. */
static char *fmt_range(const struct rl_rate_spread *sp, char *buf, size_t len)
{
	if (sp->max > sp->min)
		snprintf(buf, len, "%.0f-%.0f%%", sp->min * 100.0, sp->max * 100.0);
	else
		snprintf(buf, len, "%.0f%%", sp->min * 100.0);
	return buf;
}

/*
 * The EAGAIN column: the mean rates of the repetitions; their ranges when
 * the rate is timing-dependent; "unstable", never a pooled rate, when a
 * side's repetitions disagree.
 */
static char *fmt_eagain(const struct rl_cmp_cell *cell, char *buf, size_t len)
{
	const struct rl_rate_diff *e = &cell->eagain;
	char b[24], h[24];

	if (cell->eagain_verdict == RL_CMP_EAGAIN_NA)
		snprintf(buf, len, "-");
	else if (cell->eagain_verdict == RL_CMP_EAGAIN_UNSTABLE)
		snprintf(buf, len, "unstable");
	else if (cell->timing_dependent)
		snprintf(buf, len, "%s \u2192 %s", fmt_range(&e->base, b, sizeof(b)),
			 fmt_range(&e->head, h, sizeof(h)));
	else
		snprintf(buf, len, "%.1f%% \u2192 %.1f%%", e->base.mean * 100.0,
			 e->head.mean * 100.0);
	return buf;
}

/* Display width of UTF-8 @s: continuation bytes take no column. */
static int display_width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void put_left(FILE *out, const char *s, int width)
{
	int pad = width - display_width(s);

	fputs(s, out);
	while (pad-- > 0)
		fputc(' ', out);
}

/* Append ", note" (or "note" to an empty @buf). */
static void add_note(char *buf, size_t len, const char *note)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", note);
}

/* What the EAGAIN verdict adds to the cell's: the change with its interval, or why none. */
static void fmt_eagain_note(const struct rl_comparison *c, const struct rl_cmp_cell *cell,
			    char *buf, size_t len)
{
	const struct rl_rate_diff *e = &cell->eagain;
	char note[RL_CMP_WHY_MAX + 128], b[48], h[32];

	switch (cell->eagain_verdict) {
	case RL_CMP_EAGAIN_CHANGED:
		if (cell->eagain_cause[0])
			snprintf(note, sizeof(note), "EAGAIN %s: %s, %+.1f points [%+.1f, %+.1f]",
				 fmt_eagain(cell, b, sizeof(b)), cell->eagain_cause, e->diff_pp,
				 e->lo_pp, e->hi_pp);
		else
			snprintf(note, sizeof(note), "EAGAIN %+.1f points [%+.1f, %+.1f]",
				 e->diff_pp, e->lo_pp, e->hi_pp);
		break;
	case RL_CMP_EAGAIN_UNSTABLE:
		snprintf(note, sizeof(note), "EAGAIN reps disagree: base %s, head %s",
			 fmt_range(&e->base, b, sizeof(b)), fmt_range(&e->head, h, sizeof(h)));
		break;
	case RL_CMP_EAGAIN_TIMING:
		snprintf(note, sizeof(note), "EAGAIN timing-dependent");
		break;
	case RL_CMP_EAGAIN_INSUFFICIENT:
		snprintf(note, sizeof(note), "EAGAIN: %u base / %u head reps, %u needed",
			 e->base.n, e->head.n, c->min_reps);
		break;
	case RL_CMP_EAGAIN_NA:
		return;
	default:
		/* The rate held, but what refused the writes may not have. */
		if (!cell->eagain_cause[0])
			return;
		snprintf(note, sizeof(note), "EAGAIN %s: %s", fmt_eagain(cell, b, sizeof(b)),
			 cell->eagain_cause);
	}
	add_note(buf, len, note);
}

/* "unchanged", or the verdict with what else changed: "improved, EAGAIN +100.0 points [...], p99 1.31x regressed". */
static char *fmt_verdict(const struct rl_comparison *c, const struct rl_cmp_cell *cell,
			 char *buf, size_t len)
{
	char note[RL_CMP_WHY_MAX + 64], r[32];

	snprintf(buf, len, "%s", rl_cmp_verdict_name(cell->verdict));
	if (cell->verdict == RL_VERDICT_CORRUPT) {
		snprintf(note, sizeof(note),
			 "verification failed in %" PRIu32 "/%" PRIu32 " base and %" PRIu32
			 "/%" PRIu32 " head reps", cell->base_verify_failed, cell->base_reps,
			 cell->head_verify_failed, cell->head_reps);
		add_note(buf, len, note);
		if (cell->verify_found[0])
			add_note(buf, len, cell->verify_found);
	}
	if (cell->incompatible) {
		snprintf(note, sizeof(note), "%s", cell->why);
		add_note(buf, len, note);
		return buf;
	}
	if (cell->iops_na) {
		add_note(buf, len, "IOPS n/a (nothing completed), judged on EAGAIN");
	} else if (cell->iops.verdict == RL_VERDICT_INSUFFICIENT) {
		snprintf(note, sizeof(note), "%u base / %u head reps measured, %u needed",
			 cell->iops.ci.n_base, cell->iops.ci.n_head, c->min_reps);
		add_note(buf, len, note);
	}
	fmt_eagain_note(c, cell, buf, len);
	if (!cell->iops_na &&
	    (cell->p99.verdict == RL_VERDICT_REGRESSED || cell->p99.verdict == RL_VERDICT_IMPROVED)) {
		snprintf(note, sizeof(note), "p99 %s %s", fmt_ratio(cell->p99.ci.ratio, r, sizeof(r)),
			 rl_verdict_name(cell->p99.verdict));
		add_note(buf, len, note);
	}
	return buf;
}

static char *fmt_time(int64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm))
		snprintf(buf, len, "unknown time");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

/* "6.18.0-amd64 (label nightly, tag base)", the way a run is named in headers. */
static char *fmt_run_name(const struct rl_cmp_run_desc *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s", d->kernel_release[0] ? d->kernel_release : "unknown kernel");
	if (d->label[0] || d->kernel_tag[0]) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, " (%s%s%s%s%s)", d->label[0] ? "label " : "",
			 d->label, d->label[0] && d->kernel_tag[0] ? ", " : "",
			 d->kernel_tag[0] ? "tag " : "", d->kernel_tag);
	}
	return buf;
}

/* The side's runs, a line each; @note ("" none) ends the side's first line. */
static void print_side(FILE *out, const char *side, const struct rl_cmp_run_desc *d, size_t n,
		       const char *note)
{
	char name[320], when[64];
	size_t i;

	if (n > 1)
		fprintf(out, "%s: %zu runs pooled%s%s\n", side, n, note[0] ? "; note: " : "", note);
	for (i = 0; i < n; i++) {
		if (n > 1)
			fprintf(out, "  - ");
		else
			fprintf(out, "%s: ", side);
		fprintf(out, "%s, scale %g, started %s", fmt_run_name(&d[i], name, sizeof(name)),
			d[i].scale, fmt_time(d[i].started_ns, when, sizeof(when)));
		fprintf(out, "%s%s\n", n == 1 && note[0] ? "; note: " : "", n == 1 ? note : "");
	}
}

static void print_header(FILE *out, const struct rl_comparison *c)
{
	print_side(out, "base", c->base_runs, c->nbase, "");
	print_side(out, "head", c->head_runs, c->nhead, c->machine_note);
	if (c->cross_host && c->cross_host_allowed)
		fprintf(out, "note: this comparison crosses hosts (--cross-host): %s\n", c->host_note);
	else if (c->cross_host)
		fprintf(out, "incompatible: the runs come from different hosts: %s"
			" (--cross-host compares them anyway)\n", c->host_note);
	fprintf(out, "verdicts: IOPS ratio of medians (head/base), bootstrap %.0f%% interval "
		"(%u resamples) beyond 1 \u00b1 %g%%, at least %u reps a side; "
		"EAGAIN: the repetitions' rates, bootstrap %.0f%% interval of the difference "
		"of their means beyond \u00b1 %g points, at least %u reps a side; unstable "
		"when a side's reps span more than %.0f points; retry-blocking rates "
		"timing-dependent unless the change clears %gx their spread; gate: %s\n\n",
		c->confidence * 100.0, c->iterations, c->threshold * 100.0, c->min_reps,
		(1.0 - c->eagain_alpha) * 100.0, c->eagain_min_pp, c->min_reps,
		RL_RATE_UNSTABLE_SPREAD * 100.0, c->timing_factor, rl_cmp_gate_name(c->gate));
}

static char *fmt_reps(const struct rl_cmp_group *g, char *buf, size_t len)
{
	if (!g->reps_max)
		snprintf(buf, len, "n/a: no repetition completed I/O");
	else if (g->reps_min == g->reps_max)
		snprintf(buf, len, "median of %u reps", g->reps_max);
	else
		snprintf(buf, len, "median of %u-%u reps", g->reps_min, g->reps_max);
	return buf;
}

/* A side's IOPS: the median, or "n/a" when it completed nothing. */
static char *fmt_iops(const struct rl_cmp_cell *cell, bool base, char *buf, size_t len)
{
	double m = base ? cell->iops.ci.base_median : cell->iops.ci.head_median;

	if (cell->iops_na && !isfinite(m)) {
		snprintf(buf, len, "n/a");
		return buf;
	}
	return fmt_count(m, buf, len);
}

static void print_row(FILE *out, const struct rl_comparison *c, const struct rl_cmp_cell *cell)
{
	char b[32], h[32], r[32], ci[48], e[64], v[4 * RL_CMP_WHY_MAX];
	bool show = !cell->incompatible && !cell->iops_na;

	fprintf(out, "%*" PRIu32 "  %*s  %*s  %*s  ", W_JOBS, cell->jobs,
		W_IOPS, fmt_iops(cell, true, b, sizeof(b)),
		W_IOPS, fmt_iops(cell, false, h, sizeof(h)),
		W_SPEEDUP, show ? fmt_ratio(cell->iops.ci.ratio, r, sizeof(r)) : "-");
	put_left(out, show ? fmt_ci(&cell->iops, ci, sizeof(ci)) : "-", W_CI);
	fputs("  ", out);
	put_left(out, fmt_eagain(cell, e, sizeof(e)), W_EAGAIN);
	fprintf(out, "  %s\n", fmt_verdict(c, cell, v, sizeof(v)));
}

static void print_group(FILE *out, const struct rl_comparison *c, const struct rl_cmp_group *g)
{
	char reps[48], line[256];
	size_t i;

	fprintf(out, "%s  (IOPS, %s; CI: bootstrap %.0f%%)\n", g->workload,
		fmt_reps(g, reps, sizeof(reps)), c->confidence * 100.0);
	fprintf(out, "JOBS       base       head  speedup  CI              "
		"EAGAIN base\u2192head   verdict\n");
	fprintf(out, "----  ---------  ---------  -------  --------------  "
		"-----------------  ---------\n");
	for (i = 0; i < g->ncells; i++)
		print_row(out, c, &c->cells[g->first + i]);
	fprintf(out, "%s: %s\n\n", g->workload, rl_cmp_summary_line(&g->summary, line,
								     sizeof(line)));
}

/* "only in base: aligned-mixed JOBS 16, 32; ..." for one side, nothing if none. */
static void print_unpaired(FILE *out, const struct rl_comparison *c, bool in_base)
{
	const struct rl_cmp_unpaired *u, *prev = NULL;
	size_t i;

	for (i = 0; i < c->nunpaired; i++) {
		u = &c->unpaired[i];
		if (u->in_base != in_base)
			continue;
		if (!prev)
			fprintf(out, "not compared, only in %s: ", in_base ? "base" : "head");
		if (prev && strcmp(prev->workload, u->workload) == 0)
			fprintf(out, ", %" PRIu32, u->jobs);
		else
			fprintf(out, "%s%s JOBS %" PRIu32, prev ? "; " : "", u->workload, u->jobs);
		prev = u;
	}
	if (prev)
		fputc('\n', out);
}

void rl_comparison_print_text(FILE *out, const struct rl_comparison *c)
{
	char line[256];
	size_t i;

	print_header(out, c);
	for (i = 0; i < c->ngroups; i++)
		print_group(out, c, &c->groups[i]);
	print_unpaired(out, c, true);
	print_unpaired(out, c, false);
	fprintf(out, "total: %s (%u cell%s in %zu workload%s)", rl_cmp_summary_line(&c->total, line,
										      sizeof(line)),
		c->total.cells, c->total.cells == 1 ? "" : "s", c->ngroups,
		c->ngroups == 1 ? "" : "s");
	if (rl_comparison_gate(c))
		fprintf(out, "; GATE (%s): FAIL", rl_cmp_gate_name(c->gate));
	fputc('\n', out);
}

/* ---- the cover letter's tables ----------------------------------------- */

/* The wall-time line of the cover letter, at the largest JOBS with a time on both sides. */
static void print_wall_time(FILE *out, const struct rl_comparison *c, const struct rl_cmp_group *g)
{
	const struct rl_cmp_cell *cell;
	size_t i;

	for (i = g->ncells; i-- > 0;) {
		cell = &c->cells[g->first + i];
		if (!isfinite(cell->wall_speedup))
			continue;
		fprintf(out, "Wall time at JOBS=%" PRIu32 ": %.1fs (base) -> %.1fs (head), %.2fx %s.\n",
			cell->jobs, cell->base_elapsed_s, cell->head_elapsed_s, cell->wall_speedup,
			cell->wall_speedup >= 1.0 ? "faster" : "(slower)");
		return;
	}
}

/* Rows flagged below the table: a pasted table must not hide a failed verification. */
static void print_seed_flags(FILE *out, const struct rl_comparison *c, const struct rl_cmp_group *g)
{
	const struct rl_cmp_cell *cell;
	char v[4 * RL_CMP_WHY_MAX];
	size_t i;

	for (i = 0; i < g->ncells; i++) {
		cell = &c->cells[g->first + i];
		if (cell->verdict == RL_VERDICT_CORRUPT || cell->verdict == RL_VERDICT_INSUFFICIENT)
			fprintf(out, "JOBS=%" PRIu32 ": %s\n", cell->jobs,
				fmt_verdict(c, cell, v, sizeof(v)));
	}
}

static int print_seed_table(FILE *out, const struct rl_comparison *c, int test, const char *name)
{
	const struct rl_cmp_group *g = rl_comparison_group(c, name);
	char b[32], h[32], r[32], reps[48];
	const struct rl_cmp_cell *cell;
	size_t i;

	if (!g) {
		fprintf(out, "Test %d: no %s cells in both base and head; run the seed suite "
			"on both kernels.\n", test, name);
		return 0;
	}
	if (c->cells[g->first].incompatible) {
		fprintf(out, "Test %d: %s is not comparable: %s.\n", test, name,
			c->cells[g->first].why);
		return 0;
	}
	fprintf(out, "Test %d: %s. Metric: IOPS (%s).\n", test, name,
		fmt_reps(g, reps, sizeof(reps)));
	fprintf(out, "JOBS      base      head speedup\n---- --------- --------- -------\n");
	for (i = 0; i < g->ncells; i++) {
		cell = &c->cells[g->first + i];
		fprintf(out, "%4" PRIu32 " %9s %9s %7s\n", cell->jobs,
			fmt_iops(cell, true, b, sizeof(b)), fmt_iops(cell, false, h, sizeof(h)),
			fmt_ratio(cell->iops.ci.ratio, r, sizeof(r)));
	}
	print_wall_time(out, c, g);
	print_seed_flags(out, c, g);
	return 1;
}

int rl_comparison_print_seed_tables(FILE *out, const struct rl_comparison *c)
{
	char bn[320], hn[320];
	int n;

	fprintf(out, "base: %s%s; head: %s%s\n\n",
		fmt_run_name(&c->base_runs[0], bn, sizeof(bn)), c->nbase > 1 ? " (pooled)" : "",
		fmt_run_name(&c->head_runs[0], hn, sizeof(hn)), c->nhead > 1 ? " (pooled)" : "");
	n = print_seed_table(out, c, 1, SEED_TEST1);
	fputc('\n', out);
	n += print_seed_table(out, c, 2, SEED_TEST2);
	return n;
}
