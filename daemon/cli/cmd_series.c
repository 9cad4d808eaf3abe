/* SPDX-License-Identifier: MIT */
/*
 * ringlab series show|export|check: a patch series read the way a kernel
 * developer receives it (a thread's mbox, a maildir, format-patch files, a
 * diff), the newest version picked, and tried against a kernel tree.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cli.h"
#include "series/check.h"
#include "series/export.h"
#include "series/series_json.h"
#include "series/summary.h"
#include "util/options.h"

enum { OPT_TREE = 256, OPT_JSON };

static const struct rl_opt series_opts[] = {
	{ "tree", OPT_TREE, "DIR", "check: the kernel tree to try the patches on (it is not written)" },
	{ "json", OPT_JSON, NULL, "show, check: print JSON (" RL_SERIES_FORMAT ") instead of text" },
	{ NULL, 0, NULL, NULL },
};

struct series_args {
	const char *tree;
	bool json;
};

/* What a subcommand works on: the source read and the selection made from it. */
struct loaded {
	const char *src;
	struct rl_series_input in;
	struct rl_series_sel sel;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct series_args *a = ctx;

	switch (key) {
	case OPT_TREE: a->tree = arg; return 0;
	case OPT_JSON: a->json = true; return 0;
	}
	return -EINVAL;
}

/* Read and select @src; on failure print why. Returns RL_EXIT_OK or RL_EXIT_USAGE. */
static int load(const char *src, struct loaded *l)
{
	struct rl_err err = { "" };

	l->src = src;
	if (rl_series_load(src, &l->in, &err) < 0) {
		fprintf(stderr, "ringlab series: %s\n", err.msg);
		return RL_EXIT_USAGE;
	}
	if (rl_series_select(&l->in, &l->sel, &err) < 0) {
		fprintf(stderr, "ringlab series: %s: %s\n", src, err.msg);
		rl_series_input_free(&l->in);
		return RL_EXIT_USAGE;
	}
	return RL_EXIT_OK;
}

static void unload(struct loaded *l)
{
	rl_series_sel_free(&l->sel);
	rl_series_input_free(&l->in);
}

/* The summary line and each damaged patch's note to @out. Returns whether a patch is damaged. */
static bool print_summary(FILE *out, const struct rl_series_sel *sel)
{
	char line[1024];
	bool damaged = false;

	fprintf(out, "%s\n", rl_series_summary(sel, line, sizeof(line)));
	for (size_t i = 0; i < sel->ntaken; i++) {
		if (rl_series_damage_note(sel, &sel->taken[i], line, sizeof(line))) {
			fprintf(out, "%s\n", line);
			damaged = true;
		}
	}
	return damaged;
}

static int print_json(const struct loaded *l, const struct rl_check *checks)
{
	cJSON *j = rl_series_to_json(l->src, &l->in, &l->sel, checks);
	char *text = j ? cJSON_Print(j) : NULL;

	cJSON_Delete(j);
	if (!text) {
		fprintf(stderr, "ringlab series: out of memory\n");
		return RL_EXIT_FAIL;
	}
	printf("%s\n", text);
	free(text);
	return RL_EXIT_OK;
}

static int digits(unsigned int n)
{
	return snprintf(NULL, 0, "%u", n);
}

static void print_patch(const struct rl_series_sel *sel, const struct rl_series_patch *p)
{
	const struct rl_diff *d = &p->msg->diff;
	int w = digits(sel->total);

	printf("%*u/%u  %s\n", w, p->number, sel->total, p->msg->subj.title);
	for (size_t f = 0; f < d->nfiles; f++)
		printf("%*s  %s\n", 2 * w + 1, "", d->files[f].path ?: d->files[f].old_path);
}

static int do_show(const struct series_args *a, char **operands)
{
	struct loaded l;
	bool damaged;
	int ret = load(operands[0], &l);

	if (ret)
		return ret;
	if (a->json) {
		ret = print_json(&l, NULL);
		damaged = false;
		for (size_t i = 0; i < l.sel.ntaken; i++)
			damaged |= l.sel.taken[i].msg->diff.damaged_line > 0;
	} else {
		damaged = print_summary(stdout, &l.sel);
		for (size_t i = 0; i < l.sel.ntaken; i++)
			print_patch(&l.sel, &l.sel.taken[i]);
	}
	if (!ret && (damaged || l.sel.nmissing))
		ret = RL_EXIT_FAIL;
	unload(&l);
	return ret;
}

static int do_export(const struct series_args *a, char **operands)
{
	struct rl_err err = { "" };
	struct loaded l;
	bool damaged;
	int ret = load(operands[0], &l);

	if (ret)
		return ret;
	damaged = print_summary(stderr, &l.sel);
	ret = rl_series_export(&l.sel, operands[1], &err);
	if (ret < 0)
		fprintf(stderr, "ringlab series export: %s\n", err.msg);
	else
		fprintf(stderr, "%s: %d patch file(s) written\n", operands[1], ret);
	ret = ret < 0 ? RL_EXIT_FAIL : damaged || l.sel.nmissing ? RL_EXIT_FAIL : RL_EXIT_OK;
	unload(&l);
	return ret;
}

/*
 * A failure in one line: "FILE: REASON at hunk @@ ... @@ ...", with what git
 * named; after an earlier failure the copy lacks that patch, which may be why.
 */
static void print_failure(int indent, const struct rl_check *c, bool after_failure)
{
	const char *note = after_failure ? " (an earlier patch did not apply either)" : "";

	if (c->file[0] && c->hunk[0])
		printf("%*s%s: %s at hunk %s%s\n", indent, "", c->file, c->reason, c->hunk, note);
	else if (c->file[0])
		printf("%*s%s: %s%s\n", indent, "", c->file, c->reason, note);
	else
		printf("%*s%s%s\n", indent, "", c->reason, note);
}

/* One line per number 1..M: its verdict, or "missing"; under a failure, where. */
static void print_checks(const struct rl_series_sel *sel, const struct rl_check *res)
{
	int w = digits(sel->total);
	bool failed = false;
	size_t t = 0;

	for (unsigned int n = 1; n <= sel->total; n++) {
		const struct rl_check *c = t < sel->ntaken && sel->taken[t].number == n ? &res[t] : NULL;

		if (!c) {
			printf("%*u/%u  missing\n", w, n, sel->total);
			continue;
		}
		printf("%*u/%u  %-16s %s\n", w, n, sel->total,
		       c->verdict == RL_CHECK_FAILS ? "FAILS" : rl_check_verdict_name(c->verdict),
		       sel->taken[t++].msg->subj.title);
		if (c->verdict == RL_CHECK_FAILS)
			print_failure(2 * w + 3, c, failed);
		failed |= c->verdict == RL_CHECK_FAILS;
		if (c->verdict == RL_CHECK_PRESENT)
			printf("%*salready in the base (its reverse applies): skipped\n", 2 * w + 3, "");
	}
}

static int do_check(const struct series_args *a, char **operands)
{
	size_t count[RL_CHECK_MAX] = { 0 };
	struct rl_err err = { "" };
	struct rl_check *res;
	struct loaded l;
	int ret;

	if (!a->tree) {
		fprintf(stderr, "ringlab series check: --tree DIR is required\n");
		return RL_EXIT_USAGE;
	}
	ret = load(operands[0], &l);
	if (ret)
		return ret;
	res = calloc(l.sel.ntaken + 1, sizeof(*res));
	if (!res || rl_series_check(&l.sel, a->tree, res, &err) < 0) {
		fprintf(stderr, "ringlab series check: %s\n", res ? err.msg : "out of memory");
		free(res);
		unload(&l);
		return RL_EXIT_USAGE;
	}
	for (size_t i = 0; i < l.sel.ntaken; i++)
		count[res[i].verdict]++;
	if (a->json) {
		ret = print_json(&l, res);
	} else {
		print_summary(stdout, &l.sel);
		print_checks(&l.sel, res);
		printf("%s: %zu appl%s, %zu already present (skipped), %zu do%s not apply, %zu missing\n",
		       a->tree, count[RL_CHECK_APPLIES], count[RL_CHECK_APPLIES] == 1 ? "ies" : "y",
		       count[RL_CHECK_PRESENT], count[RL_CHECK_FAILS],
		       count[RL_CHECK_FAILS] == 1 ? "es" : "", l.sel.nmissing);
	}
	if (!ret && (count[RL_CHECK_FAILS] || l.sel.nmissing))
		ret = RL_EXIT_FAIL;
	free(res);
	unload(&l);
	return ret;
}

static const struct {
	const char *name;
	int noperands;
	int (*fn)(const struct series_args *a, char **operands);
	const char *usage;
} subs[] = {
	{ "show", 1, do_show, "series show SRC [--json]\n"
	  "      the version taken, what was skipped, each patch and the files it touches" },
	{ "export", 2, do_export, "series export SRC OUTDIR\n"
	  "      the patches taken as OUTDIR/NNNN-slug.patch, for git am; the summary on stderr" },
	{ "check", 1, do_check, "series check SRC --tree DIR [--json]\n"
	  "      whether each patch applies to DIR, is in it already, or fails (file and hunk)" },
};

static void help(FILE *out)
{
	rl_opts_help(out, "ringlab series show|export|check SRC [ARGS] [OPTIONS]",
		     "Read a patch series from SRC: an mbox (a saved thread, b4 mbox or b4 am output,\n"
		     "git format-patch --stdout), a maildir, one mail, a directory of format-patch files,\n"
		     "or a diff. The newest version's N/M patches are taken in order; cover letters,\n"
		     "replies and older versions are skipped. Exit 0 ok, 1 a patch is missing, damaged\n"
		     "or does not apply, 2 bad input.",
		     series_opts);
	fprintf(out, "\nsubcommands:\n");
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		fprintf(out, "  ringlab %s\n", subs[i].usage);
}

int rl_cmd_series(int argc, char **argv)
{
	struct series_args a = { 0 };
	struct rl_err err = { "" };
	int help_flag, first;

	first = rl_opts_parse(series_opts, argc, argv, on_opt, &a, &help_flag, &err);
	if (help_flag) {
		help(stdout);
		return RL_EXIT_OK;
	}
	if (first < 0) {
		fprintf(stderr, "ringlab series: %s\n", err.msg);
		return RL_EXIT_USAGE;
	}
	for (size_t i = 0; first < argc && i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[first], subs[i].name))
			continue;
		if (argc - first - 1 != subs[i].noperands) {
			fprintf(stderr, "usage: ringlab %s\n", subs[i].usage);
			return RL_EXIT_USAGE;
		}
		return subs[i].fn(&a, argv + first + 1);
	}
	fprintf(stderr, "ringlab series: %s\n", first < argc ?
		"unknown subcommand (show, export or check)" : "name a subcommand: show, export or check");
	return RL_EXIT_USAGE;
}
