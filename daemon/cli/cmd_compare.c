/* SPDX-License-Identifier: MIT */
/* ringlab compare: base run(s) against head run(s), verdicts on stdout, status for scripts. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare/compare.h"
#include "compare/compare_json.h"
#include "compare/compare_text.h"
#include "engine/fields.h"
#include "engine/result_json.h"
#include "options.h"

#define OPERANDS_MAX 8

enum { OPT_THRESHOLD = 256, OPT_JSON, OPT_SEED };

static const struct rl_opt compare_opts[] = {
	{ "threshold", OPT_THRESHOLD, "PCT",
	  "a change must clear 1 +/- PCT% with its whole 95% interval (default 5)" },
	{ "json", OPT_JSON, NULL, "print the comparison as JSON (format ringlab-compare-1)" },
	{ "seed-tables", OPT_SEED, NULL,
	  "print only the cover letter's Test 1 and Test 2 tables, ready to paste" },
	{ NULL, 0, NULL, NULL },
};

struct compare_args {
	struct rl_compare_opts o;
	bool json, seed_tables;
	const char *operand[OPERANDS_MAX];
	int noperands;
};

/* The runs of one side, loaded from "a.json,b.json". */
struct side {
	struct rl_run *runs;
	const struct rl_run **ptrs;
	size_t n;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct compare_args *a = ctx;
	char buf[64];
	size_t len;
	double pct;

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
	case OPT_JSON: a->json = true; return 0;
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

static int load_run(const char *path, struct rl_run *run, struct rl_err *err)
{
	cJSON *root;
	int ret;

	ret = rl_json_load_file(path, &root, err);
	if (ret)
		return ret;
	ret = rl_run_from_json(root, run, err);
	cJSON_Delete(root);
	return ret ? rl_err_prefix(err, ret, "%s", path) : 0;
}

static void side_free(struct side *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		rl_run_free(&s->runs[i]);
	free(s->runs);
	free(s->ptrs);
	memset(s, 0, sizeof(*s));
}

/* A run that did not finish still has cells worth comparing, but the user should know. */
static void warn_unfinished(const char *path, const struct rl_run *run)
{
	if (run->status != RL_RUN_DONE)
		fprintf(stderr, "ringlab compare: warning: %s: run status is %s%s%s\n", path,
			rl_run_status_name(run->status), run->error[0] ? ": " : "", run->error);
}

/* Load every file of @list ("a.json,b.json"). Returns 0 or -errno with the file named in @err. */
static int side_load(const char *list, struct side *s, struct rl_err *err)
{
	char *copy = strdup(list), *save = NULL, *path;
	size_t cap = 1;
	const char *p;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	for (p = list; *p; p++)
		cap += *p == ',';
	s->runs = calloc(cap, sizeof(*s->runs));
	s->ptrs = calloc(cap, sizeof(*s->ptrs));
	if (!copy || !s->runs || !s->ptrs) {
		ret = rl_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (path = strtok_r(copy, ",", &save); path; path = strtok_r(NULL, ",", &save)) {
		ret = load_run(path, &s->runs[s->n], err);
		if (ret)
			goto out;
		warn_unfinished(path, &s->runs[s->n]);
		s->ptrs[s->n] = &s->runs[s->n];
		s->n++;
	}
	if (!s->n)
		ret = rl_err_set(err, -EINVAL, "'%s' names no run file", list);
out:
	free(copy);
	if (ret)
		side_free(s);
	return ret;
}

static int print_json(const struct rl_comparison *c)
{
	cJSON *j = rl_comparison_to_json(c);
	char *text = j ? cJSON_Print(j) : NULL;

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
	struct side base = { 0 }, head = { 0 };
	struct rl_comparison c;
	struct rl_err err = { "" };
	int help, ret;

	if (parse_args(argc, argv, &a, &help, &err) < 0)
		return usage_error(err.msg);
	if (help) {
		rl_opts_help(stdout, "ringlab compare BASE HEAD [OPTIONS]",
			     "Compare runs written by 'ringlab run --json FILE': BASE and HEAD are\n"
			     "each a file, or several joined with commas (their repetitions are\n"
			     "pooled). Cells pair by workload and JOBS. Exit status: 0 nothing\n"
			     "regressed, 1 a regression or a failed verification, 2 bad input.",
			     compare_opts);
		return RL_EXIT_OK;
	}
	if (a.noperands != 2)
		return usage_error("give BASE and HEAD run files (see 'ringlab compare --help')");
	if (a.json && a.seed_tables)
		return usage_error("--json and --seed-tables exclude each other");
	ret = side_load(a.operand[0], &base, &err);
	if (!ret)
		ret = side_load(a.operand[1], &head, &err);
	if (!ret)
		ret = rl_compare_runs(base.ptrs, base.n, head.ptrs, head.n, &a.o, &c, &err);
	if (ret) {
		ret = usage_error(err.msg);
	} else {
		ret = report(&a, &c);
		rl_comparison_free(&c);
	}
	side_free(&base);
	side_free(&head);
	return ret;
}
