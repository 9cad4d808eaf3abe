/* SPDX-License-Identifier: MIT */
/*
 * Text tables of a run. The shape follows the ext4 series' cover letters so a
 * developer can paste a table into a reply; a failed verification is printed
 * under a banner because a fast run that lost data is a broken run.
 */
#include <inttypes.h>
#include <string.h>

#include "result_json.h"
#include "result_text.h"
#include "verify_found.h"

char *rl_group_digits(const char *digits, char *buf, size_t size)
{
	size_t len = strlen(digits), i, o = 0;

	for (i = 0; i < len && o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* "42322.4" -> "42,322". */
static const char *thousands(double v, char *buf, size_t size)
{
	char digits[32];

	snprintf(digits, sizeof(digits), "%.0f", v < 0 ? 0 : v);
	return rl_group_digits(digits, buf, size);
}

/* "write 8192@0 in WU stripes, qd 1, direct, nowait (count)" */
static void print_title(FILE *out, const char *name, const struct rl_workload *w)
{
	fprintf(out, "%s", name);
	if (!w) {
		fputc('\n', out);
		return;
	}
	fprintf(out, ": %s %" PRIu32 "@%" PRIu32, rl_op_name(w->op), w->io_size, w->io_offset);
	if (w->extend)
		fputs(" extending the file", out);
	else
		fprintf(out, " in %s stripes", w->stripe);
	if (w->sharing != RL_SHARE_REGIONS)
		fprintf(out, ", %s", rl_sharing_name(w->sharing));
	if (w->order != RL_ORDER_SEQUENTIAL)
		fprintf(out, ", %s", rl_order_name(w->order));
	fprintf(out, ", qd %" PRIu32, w->queue_depth);
	if (w->direct)
		fputs(", direct", out);
	if (w->nowait)
		fprintf(out, ", nowait (%s)", rl_eagain_policy_name(w->eagain_policy));
	if (w->cache != RL_CACHE_HOT)
		fprintf(out, ", cache %s", rl_cache_name(w->cache));
	if (w->timestamps != RL_TS_FRESH)
		fprintf(out, ", timestamps %s", rl_timestamps_name(w->timestamps));
	if (w->churn)
		fputs(", churn", out);
	if (w->es_reader)
		fputs(", es reader", out);
	fputc('\n', out);
}

/* The smallest jobs value of @name's cells above @after; false when none is left. */
static bool next_jobs(const struct rl_run *run, const char *name, int64_t after, uint32_t *jobs)
{
	bool found = false;
	size_t i;

	for (i = 0; i < run->ncells; i++) {
		const struct rl_cell *c = &run->cells[i];

		if ((int64_t)c->jobs <= after || strcmp(c->workload, name) != 0)
			continue;
		if (!found || c->jobs < *jobs)
			*jobs = c->jobs;
		found = true;
	}
	return found;
}

static bool any_expectation(const struct rl_run *run, const char *name)
{
	size_t i;

	for (i = 0; i < run->ncells; i++)
		if (run->cells[i].expect != RL_EXPECT_NONE &&
		    strcmp(run->cells[i].workload, name) == 0)
			return true;
	return false;
}

/*
 * The EAGAIN column: the rate when the repetitions agree; "40.1-55.2%" with
 * their range when a timing-dependent rate moves; "0-100% unstable" when
 * they disagree, never a pooled rate; "-" without NOWAIT first attempts.
 */
static char *fmt_eagain(const struct rl_cell_summary *s, char *buf, size_t len)
{
	bool spread = s->eagain_reps > 1 && s->eagain_max > s->eagain_min;

	if (s->eagain_rate < 0)
		snprintf(buf, len, "-");
	else if (s->unstable)
		snprintf(buf, len, "%.0f-%.0f%% unstable", s->eagain_min * 100.0,
			 s->eagain_max * 100.0);
	else if (spread && s->timing_dependent)
		snprintf(buf, len, "%.1f-%.1f%%", s->eagain_min * 100.0, s->eagain_max * 100.0);
	else
		snprintf(buf, len, "%.1f%%", s->eagain_rate * 100.0);
	return buf;
}

static bool any_causes(const struct rl_run *run, const char *name)
{
	for (size_t i = 0; i < run->ncells; i++)
		if (run->cells[i].causes.valid && strcmp(run->cells[i].workload, name) == 0)
			return true;
	return false;
}

/* "extending write 100%", or why there is no cause to show. */
static void print_cause(FILE *out, const struct rl_cell_summary *s)
{
	double share;
	enum rl_cause top = rl_causes_top(&s->causes, &share);

	if (!s->causes.valid)
		fputs("-", out);
	else if (s->causes.status == RL_CAUSES_UNAVAILABLE)
		fputs("unavailable", out);
	else if (top == RL_CAUSE_MAX)
		fputs(s->causes.unattributed ? "unattributed" : "-", out);
	else
		fprintf(out, "%s %.0f%%", rl_cause_label(top), share * 100.0);
}

static void print_row(FILE *out, uint32_t jobs, const struct rl_cell_summary *s, bool expect,
		      bool causes)
{
	char iops[32], bw[32], eagain[48], p99[32];
	const char *verify = s->verify_failed ? "FAILED" : s->verify_ok ? "ok" : "-";

	if (s->completed) {
		thousands(s->iops_median, iops, sizeof(iops));
		snprintf(bw, sizeof(bw), "%.1f", s->bw_median / (1024.0 * 1024.0));
		snprintf(p99, sizeof(p99), "%.1f", (double)s->p99_max / 1000.0);
	} else {
		/* Measured but nothing completed (every write refused): n/a, not 0. */
		const char *none = s->measured ? "n/a" : s->failed ? "failed" : "-";

		snprintf(iops, sizeof(iops), "%s", none);
		snprintf(bw, sizeof(bw), "%s", s->measured ? "n/a" : "-");
		snprintf(p99, sizeof(p99), "%s", s->measured ? "n/a" : "-");
	}
	fmt_eagain(s, eagain, sizeof(eagain));
	fprintf(out, "%4" PRIu32 "  %10s  %8s  %-16s  %9s  ", jobs, iops, bw, eagain, p99);
	if (expect)
		fprintf(out, "%-6s  %-6s", verify,
			s->expect_unmet ? "UNMET" : s->expect_met ? "met" : "-");
	else
		fprintf(out, causes ? "%-6s" : "%s", verify);
	if (causes) {
		fputs("  ", out);
		print_cause(out, s);
	}
	fputc('\n', out);
}

static void print_workload(FILE *out, const struct rl_run *run, const char *name)
{
	bool expect = any_expectation(run, name), causes = any_causes(run, name);
	struct rl_cell_summary s;
	int64_t after = -1;
	uint32_t jobs = 0;

	fputc('\n', out);
	print_title(out, name, rl_run_workload(run, name));
	fprintf(out, "JOBS  %10s  %8s  %-16s  %9s  %-6s%s%s\n", "IOPS", "BW MiB/s", "EAGAIN",
		"p99 us", "VERIFY", expect ? "  EXPECT" : "", causes ? "  CAUSE (top, share)" : "");
	fprintf(out, "----  ----------  --------  ----------------  ---------  ------%s%s\n",
		expect ? "  ------" : "", causes ? "  -------------------" : "");
	while (next_jobs(run, name, after, &jobs)) {
		if (rl_cell_summary(run, name, jobs, &s) < 0)
			fprintf(out, "%4" PRIu32 "  (out of memory)\n", jobs);
		else
			print_row(out, jobs, &s, expect, causes);
		after = jobs;
	}
}

/* Workloads in the run's order, then any that only appear in cells. */
static void print_workloads(FILE *out, const struct rl_run *run)
{
	size_t i, k;

	for (i = 0; i < run->nworkloads; i++)
		print_workload(out, run, run->workloads[i].name);
	for (i = 0; i < run->ncells; i++) {
		const char *name = run->cells[i].workload;

		if (rl_run_workload(run, name))
			continue;
		for (k = 0; k < i; k++)
			if (strcmp(run->cells[k].workload, name) == 0)
				break;
		if (k == i)
			print_workload(out, run, name);
	}
}

static void print_header(FILE *out, const struct rl_run *run)
{
	const struct rl_env *e = &run->env;

	fprintf(out, "run %s, scale %g: %s", run->suite, run->scale, rl_run_status_name(run->status));
	if (run->error[0])
		fprintf(out, ": %s", run->error);
	fputc('\n', out);
	fprintf(out, "kernel %s", e->kernel_release[0] ? e->kernel_release : "?");
	if (e->kernel_tag[0])
		fprintf(out, " [%s]", e->kernel_tag);
	fprintf(out, ", %s on %s", e->fs_type[0] ? e->fs_type : "?", e->dir);
	if (e->device[0])
		fprintf(out, " (%s, %s)", e->device, e->device_model[0] ? e->device_model : "?");
	if (e->fs_block_size)
		fprintf(out, ", %" PRIu32 "-byte blocks", e->fs_block_size);
	if (e->label[0])
		fprintf(out, ", label \"%s\"", e->label);
	fputc('\n', out);
}

static void print_hex(FILE *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(out, "%02x", p[i]);
}

/* "  holds generation 1 of offset 40960: data of NOWAIT writes that returned -EAGAIN ..." */
static void print_found(FILE *out, const struct rl_found *f)
{
	switch (f->kind) {
	case RL_FOUND_UNCLASSIFIED:
		fputc('\n', out);
		return;
	case RL_FOUND_LAYOUT_LOST:
	case RL_FOUND_WRITE_LOST:
	case RL_FOUND_FOREIGN:
		fprintf(out, "\n      holds %s\n", rl_found_kind_text(f->kind));
		return;
	default:
		fprintf(out, "\n      holds generation %" PRIu32 " of offset %" PRIu64 ": %s\n",
			f->gen, f->offset, rl_found_kind_text(f->kind));
	}
}

static void print_mismatches(FILE *out, const struct rl_cell *c)
{
	const struct rl_verify_result *v = &c->verify;
	uint32_t i;

	fprintf(out, "  %s jobs %" PRIu32 " rep %" PRIu32 ": %" PRIu64 " bad bytes in %" PRIu64
		" ranges of blocks (%" PRIu64 " bytes checked, %" PRIu64 " skipped)\n",
		c->workload, c->jobs, c->rep, v->bytes_bad, v->ranges_total, v->bytes_checked,
		v->bytes_skipped);
	for (i = 0; i < v->nranges && i < RL_MISMATCH_MAX; i++) {
		const struct rl_mismatch *m = &v->ranges[i];

		fprintf(out, "    offset %" PRIu64 " (0x%" PRIx64 ") length %" PRIu64 ": %" PRIu64
			" bytes differ, from %" PRIu64 " expected ", m->offset, m->offset, m->length,
			m->bytes_bad, m->first_bad);
		print_hex(out, m->expected, sizeof(m->expected));
		fputs(" found ", out);
		print_hex(out, m->found, sizeof(m->found));
		fputs(m->zeros ? "  ZEROS (lost write or bad zeroing)" : "", out);
		print_found(out, &m->found_as);
	}
	if (v->ranges_total > v->nranges)
		fprintf(out, "    ... and %" PRIu64 " more ranges\n", v->ranges_total - v->nranges);
}

/* ", errors EIO x3, ENOSPC x1" */
static void print_errors(FILE *out, const struct rl_cell *c)
{
	uint32_t i;

	for (i = 0; i < c->nerrors && i < RL_ERRNO_SLOTS; i++)
		fprintf(out, "%s%s x%" PRIu64, i ? ", " : ", errors ",
			rl_errno_name(c->errors[i].err), c->errors[i].count);
}

static void print_failures(FILE *out, const struct rl_run *run)
{
	size_t i, failed = 0, bad = 0;

	for (i = 0; i < run->ncells; i++) {
		failed += run->cells[i].failed;
		bad += run->cells[i].verify.status == RL_VERIFY_FAILED;
	}
	if (failed) {
		fprintf(out, "\nFAILED CELLS (%zu)\n", failed);
		for (i = 0; i < run->ncells; i++) {
			const struct rl_cell *c = &run->cells[i];

			if (!c->failed)
				continue;
			fprintf(out, "  %s jobs %" PRIu32 " rep %" PRIu32 ": %s", c->workload,
				c->jobs, c->rep,
				c->error[0] ? c->error :
				c->verify.status == RL_VERIFY_FAILED ? "verification failed" :
				c->expect == RL_EXPECT_UNMET ? "expectation unmet" : "failed");
			print_errors(out, c);
			fputc('\n', out);
		}
	}
	if (!bad)
		return;
	fprintf(out, "\n!!! VERIFICATION FAILED in %zu cell%s: the data read back is not what was"
		" written !!!\n", bad, bad == 1 ? "" : "s");
	for (i = 0; i < run->ncells; i++)
		if (run->cells[i].verify.status == RL_VERIFY_FAILED)
			print_mismatches(out, &run->cells[i]);
}

void rl_run_print_table(FILE *out, const struct rl_run *run)
{
	print_header(out, run);
	print_workloads(out, run);
	print_failures(out, run);
}

void rl_cell_print_line(FILE *out, const struct rl_cell *c)
{
	char iops[32];

	fprintf(out, "%s jobs %" PRIu32 " rep %" PRIu32 ": ", c->workload, c->jobs, c->rep);
	if (rl_cell_completed(c))
		fprintf(out, "%s IOPS, %.1f MiB/s, p99 %.1f us", thousands(c->iops, iops, sizeof(iops)),
			c->bw_bytes_s / (1024.0 * 1024.0), (double)c->lat.p99 / 1000.0);
	else
		fputs("nothing completed (IOPS, latency n/a)", out);
	if (c->attempts)
		fprintf(out, ", EAGAIN %.1f%% (%" PRIu64 "/%" PRIu64 ")", c->eagain_rate * 100.0,
			c->eagain, c->attempts);
	if (c->es_cached_extents >= 0)
		fprintf(out, ", %" PRId32 " extents cached at start", c->es_cached_extents);
	print_errors(out, c);
	fprintf(out, ", verify %s", c->verify.status == RL_VERIFY_FAILED ? "FAILED" :
		rl_verify_status_name(c->verify.status));
	if (c->expect != RL_EXPECT_NONE)
		fprintf(out, ", expect %s", c->expect == RL_EXPECT_UNMET ? "UNMET" : "met");
	if (c->failed)
		fprintf(out, ", FAILED%s%s", c->error[0] ? ": " : "", c->error);
	fputc('\n', out);
}
