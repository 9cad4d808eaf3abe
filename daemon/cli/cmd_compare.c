/* SPDX-License-Identifier: MIT */
/* ringlab compare: base run(s) against head run(s), verdicts on stdout, status for scripts. */
#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare/compare.h"
#include "compare/compare_json.h"
#include "compare/compare_text.h"
#include "compare/hosts.h"
#include "client/args.h"
#include "client/run_source.h"
#include "util/json.h"
#include "util/options.h"
#include "compare_remote.h"
#include "remote.h"

#define OPERANDS_MAX 8
#define SELECT_LIMIT 100	/* runs a label: or kernel: operand takes, newest first */

enum { OPT_THRESHOLD = 256, OPT_JSON, OPT_SEED, OPT_GATE, OPT_CROSS_HOST, OPT_HOST };

static const struct rl_opt compare_opts[] = {
	{ "threshold", OPT_THRESHOLD, "PCT",
	  "a change must clear 1 +/- PCT% with its whole 95% interval (default 5)" },
	{ "gate", OPT_GATE, "WHAT",
	  "what fails (exit 1) besides corruption: iops (a regression), eagain (an EAGAIN "
	  "change either way) or both (default)" },
	{ "cross-host", OPT_CROSS_HOST, NULL,
	  "compare runs made on different hosts (machine ids) too; else their cells are "
	  "incompatible" },
	{ "host", OPT_HOST, "NAME",
	  "every run of ringlabd compared was made on host NAME: label: and kernel: take only "
	  "its runs, a run:ID made elsewhere is refused (exit 2); files are not checked" },
	{ "json", OPT_JSON, NULL, "print the comparison as JSON (format ringlab-compare-1)" },
	{ "seed-tables", OPT_SEED, NULL,
	  "print only the cover letter's Test 1 and Test 2 tables, ready to paste" },
	RL_CLIENT_OPT_ROWS,
	{ NULL, 0, NULL, NULL },
};

struct compare_args {
	struct rl_compare_opts o;
	const char *host;		/* --host: label: and kernel: sides only from it, run:ID checked */
	bool json, seed_tables;
	const char *operand[OPERANDS_MAX];
	int noperands;
	struct rl_client_conn_args conn;
	struct rl_client_target t;	/* valid once t_ready: only daemon operands need it */
	bool t_ready;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct compare_args *a = ctx;
	char buf[64];
	size_t len;
	double pct;

	if (rl_client_conn_opt(&a->conn, key, arg))
		return 0;
	switch (key) {
	case OPT_THRESHOLD:
		/* "5" and "5%" both mean 5 percent. */
		snprintf(buf, sizeof(buf), "%s", arg);
		len = strlen(buf);
		if (len && buf[len - 1] == '%')
			buf[len - 1] = '\0';
		if (rl_opt_double("threshold", buf, 0, 99.9, &pct, err) < 0)
			return -EINVAL;
		a->o.threshold = pct / 100.0;
		return 0;
	case OPT_GATE:
		if (rl_cmp_gate_parse(arg) < 0)
			return rl_err_set(err, -EINVAL, "--gate '%s': must be iops, eagain or both",
					  arg);
		a->o.gate = (enum rl_cmp_gate)rl_cmp_gate_parse(arg);
		return 0;
	case OPT_JSON: a->json = true; return 0;
	case OPT_CROSS_HOST: a->o.cross_host = true; return 0;
	case OPT_HOST: a->host = arg; return 0;
	case OPT_SEED: a->seed_tables = true; return 0;
	}
	return -EINVAL;
}

static int add_operand(struct compare_args *a, const char *s, struct rl_err *err)
{
	if (a->noperands == OPERANDS_MAX)
		return rl_err_set(err, -EINVAL, "too many operands: give BASE and HEAD");
	a->operand[a->noperands++] = s;
	return 0;
}

/*
 * Options may follow the operands (`compare a.json b.json --json`): the
 * option parser stops at the first operand, so parse again after each one,
 * with the operand standing in as the vector's argv[0].
 */
static int parse_args(int argc, char **argv, struct compare_args *a, int *help,
		      struct rl_err *err)
{
	int first, h, ret;

	*help = 0;
	for (;;) {
		first = rl_opts_parse(compare_opts, argc, argv, on_opt, a, &h, err);
		if (first < 0)
			return first;
		*help |= h;
		if (first >= argc)
			return 0;
		if (strcmp(argv[first - 1], "--") == 0) {
			for (; first < argc; first++) {
				ret = add_operand(a, argv[first], err);
				if (ret < 0)
					return ret;
			}
			return 0;
		}
		ret = add_operand(a, argv[first], err);
		if (ret < 0)
			return ret;
		argc -= first;
		argv += first;
	}
}

/* A run that did not finish still has cells worth comparing, but the user should know. */
static void warn_unfinished(const char *what, const struct rl_run *run)
{
	if (run->status != RL_RUN_DONE)
		fprintf(stderr, "ringlab compare: warning: %s: run status is %s%s%s\n", what,
			rl_run_status_name(run->status), run->error[0] ? ": " : "", run->error);
}

static int daemon_target(struct compare_args *a, struct rl_err *err)
{
	int ret;

	if (a->t_ready)
		return 0;
	ret = rl_client_target_from_args(&a->t, &a->conn, err);
	a->t_ready = ret == 0;
	return ret;
}

/* --host for a run:ID: made elsewhere, it is refused as the daemon refuses it. */
static int on_host(const char *item, const struct rl_run *run, const char *host,
		   struct rl_err *err)
{
	const char *made_on = rl_cmp_run_host(run);

	if (!strcmp(made_on, host))
		return 0;
	return rl_err_set(err, -EINVAL, "%s: made on %s, not on host %s", item,
			  *made_on ? made_on : "an unnamed host", host);
}

/* One item of a list: "run:ID" from the daemon, anything else a file. */
static int side_add(struct compare_args *a, const char *item, struct rl_run_set *s,
		    struct rl_err *err)
{
	int64_t id;
	int ret;

	if (strncmp(item, "run:", 4) != 0) {
		ret = rl_run_set_add_file(s, item, err);
	} else {
		if (rl_remote_run_id(item, &id) < 0)
			return rl_err_set(err, -EINVAL, "'%s': a run id is a positive number", item);
		ret = daemon_target(a, err);
		if (!ret)
			ret = rl_run_set_add_fetched(s, &a->t, id, err);
		if (!ret && a->host && *a->host)
			ret = on_host(item, &s->runs[s->n - 1], a->host, err);
	}
	if (ret)
		return ret;
	warn_unfinished(item, &s->runs[s->n - 1]);
	return 0;
}

/* "label:TEXT" or "kernel:TAG": every done run the daemon has with it (the newest SELECT_LIMIT). */
static int side_select(struct compare_args *a, const char *sel, struct rl_run_set *s,
		       struct rl_err *err)
{
	bool label = !strncmp(sel, "label:", 6);
	const char *value = strchr(sel, ':') + 1;
	size_t total = 0;
	int n;

	if (!*value)
		return rl_err_set(err, -EINVAL, "'%s': give the %s after the colon", sel,
				  label ? "label" : "kernel tag");
	n = daemon_target(a, err);
	if (!n)
		n = rl_run_set_select(s, &a->t, label ? value : NULL, label ? NULL : value, a->host,
				      SELECT_LIMIT, &total, err);
	if (n < 0)
		return rl_err_prefix(err, n, "%s", sel);
	if (!n)
		return rl_err_set(err, -ENOENT, "%s: ringlabd at %s has no done run with it%s%s", sel,
				  a->t.url, a->host ? " on host " : "", a->host ? a->host : "");
	if (total > s->n)
		fprintf(stderr, "ringlab compare: warning: %s: using the newest %zu of %zu runs\n",
			sel, s->n, total);
	return 0;
}

/*
 * Load one side: "label:TEXT" or "kernel:TAG" as a whole (a label may hold
 * commas), else each item of "a.json,run:12". Returns 0 or -errno with the
 * file or run named in @err.
 */
static int side_load(struct compare_args *a, const char *list, struct rl_run_set *s,
		     struct rl_err *err)
{
	char *copy = NULL, *save = NULL, *item;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	if (!strncmp(list, "label:", 6) || !strncmp(list, "kernel:", 7)) {
		ret = side_select(a, list, s, err);
	} else {
		copy = strdup(list);
		if (!copy)
			ret = rl_err_set(err, -ENOMEM, "out of memory");
		for (item = copy ? strtok_r(copy, ",", &save) : NULL; item && !ret;
		     item = strtok_r(NULL, ",", &save))
			ret = side_add(a, item, s, err);
		if (!ret && !s->n)
			ret = rl_err_set(err, -EINVAL, "'%s' names no run file", list);
	}
	free(copy);
	if (ret)
		rl_run_set_free(s);
	return ret;
}

static int print_json(const struct rl_comparison *c)
{
	cJSON *j = rl_comparison_to_json(c);
	char *text = rl_json_print_integers(j);

	cJSON_Delete(j);
	if (!text)
		return -ENOMEM;
	printf("%s\n", text);
	free(text);
	return 0;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "ringlab compare: %s\n", msg);
	return RL_EXIT_USAGE;
}

/* Print @c as asked; the exit status follows the verdicts. */
static int report(const struct compare_args *a, const struct rl_comparison *c)
{
	if (a->json) {
		if (print_json(c) < 0)
			return usage_error("out of memory");
	} else if (a->seed_tables) {
		rl_comparison_print_seed_tables(stdout, c);
	} else {
		rl_comparison_print_text(stdout, c);
	}
	if (fflush(stdout) != 0)
		return usage_error("writing the output failed");
	if (!rl_comparison_comparable(c)) {
		fprintf(stderr, "ringlab compare: the runs are incompatible: %s\n", c->cells[0].why);
		/* A failed verification is still news, and outranks the bad input. */
		return rl_comparison_gate(c) ? RL_EXIT_FAIL : RL_EXIT_USAGE;
	}
	return rl_comparison_gate(c) ? RL_EXIT_FAIL : RL_EXIT_OK;
}

int rl_cmd_compare(int argc, char **argv)
{
	struct compare_args a = { .o.threshold = RL_CMP_THRESHOLD_DEFAULT };
	struct rl_run_set base = { 0 }, head = { 0 };
	struct rl_comparison c;
	struct rl_err err = { "" };
	int help, ret;

	if (parse_args(argc, argv, &a, &help, &err) < 0)
		return usage_error(err.msg);
	if (help) {
		rl_opts_help(stdout, "ringlab compare BASE HEAD [OPTIONS]",
			     "Compare runs: BASE and HEAD are each a file written by 'ringlab run\n"
			     "--json FILE' or a run of ringlabd's as run:ID, or several of those\n"
			     "joined with commas (their repetitions are pooled); or label:TEXT or\n"
			     "kernel:TAG for every done run ringlabd has with that label or kernel\n"
			     "tag (the newest 100). Cells pair by workload and JOBS. Exit status:\n"
			     "0 nothing failed the gate, 1 a failed verification or what --gate\n"
			     "names (by default an IOPS regression or an EAGAIN change), 2 bad\n"
			     "input or a ringlabd that cannot be reached.",
			     compare_opts);
		return RL_EXIT_OK;
	}
	if (a.noperands != 2)
		return usage_error("give BASE and HEAD runs (see 'ringlab compare --help')");
	if (a.json && a.seed_tables)
		return usage_error("--json and --seed-tables exclude each other");
	if (rl_compare_on_daemon(a.operand[0]) && rl_compare_on_daemon(a.operand[1])) {
		/* Both sides on the daemon: it compares, from its summaries. */
		ret = daemon_target(&a, &err);
		if (!ret)
			ret = rl_compare_remote(&a.t, a.operand[0], a.operand[1], &a.o, a.host, &c,
						&err);
	} else {
		ret = side_load(&a, a.operand[0], &base, &err);
		if (!ret)
			ret = side_load(&a, a.operand[1], &head, &err);
		if (!ret)
			ret = rl_compare_runs(base.ptrs, base.n, head.ptrs, head.n, &a.o, &c, &err);
	}
	if (ret) {
		ret = usage_error(err.msg);
	} else {
		ret = report(&a, &c);
		rl_comparison_free(&c);
	}
	rl_run_set_free(&base);
	rl_run_set_free(&head);
	return ret;
}
