/* SPDX-License-Identifier: MIT */
/*
 * fuzz_series: one file read as `ringlab series` reads a patch series (an
 * mbox, a mail or a diff, by its text): messages, headers and encodings,
 * subjects, diffs, the selection and its summary and JSON; then the
 * patches taken written out as format-patch files and read back, and the
 * tree files they name copied to a scratch directory as a check does.
 * What is written must stay inside its directory and read back as the
 * same patches; a refusal must say why.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "series/export.h"
#include "series/scratch.h"
#include "series/select.h"
#include "series/series_json.h"
#include "series/summary.h"
#include "fuzz.h"

static char input[FUZZ_PATH_MAX], outdir[FUZZ_PATH_MAX], tree[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(input, sizeof(input), "%s/input.mbox", fuzz_scratch());
	snprintf(outdir, sizeof(outdir), "%s/export", fuzz_scratch());
	snprintf(tree, sizeof(tree), "%s/tests/data/series/base", fuzz_srcdir());
	return 0;
}

static void describe(const struct rl_series_input *in, const struct rl_series_sel *sel)
{
	char line[1024];
	cJSON *j;

	FUZZ_ASSERT(rl_series_summary(sel, line, sizeof(line)) == line, "summary");
	for (size_t i = 0; i < sel->ntaken; i++)
		rl_series_damage_note(sel, &sel->taken[i], line, sizeof(line));
	j = rl_series_to_json(input, in, sel, NULL);
	FUZZ_ASSERT(j, "rl_series_to_json failed");
	cJSON_Delete(j);
}

/* Every name in @dir: NNNN-SLUG.patch, SLUG of [A-Za-z0-9._-]; removed after. Returns how many. */
static size_t check_and_clear_export(void)
{
	char path[PATH_MAX * 2];
	struct dirent *e;
	size_t n = 0;
	DIR *d = opendir(outdir);

	FUZZ_ASSERT(d, "%s vanished", outdir);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		FUZZ_ASSERT(len >= 11 && strspn(e->d_name, "0123456789") >= 4 && e->d_name[4] == '-' &&
			    !strcmp(e->d_name + len - 6, ".patch") &&
			    strspn(e->d_name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == len,
			    "exported as '%s'", e->d_name);
		snprintf(path, sizeof(path), "%s/%s", outdir, e->d_name);
		unlink(path);
		n++;
	}
	closedir(d);
	return n;
}

/* The patches taken, written as git format-patch would, must read back as themselves. */
static void check_export(const struct rl_series_sel *sel)
{
	struct rl_series_input in;
	struct rl_series_sel back;
	struct rl_err err = { "" };
	int ret;

	ret = rl_series_export(sel, outdir, &err);
	FUZZ_ASSERT(ret == (int)sel->ntaken, "export wrote %d of %zu: %s", ret, sel->ntaken,
		    err.msg);
	ret = rl_series_load(outdir, &in, &err);
	FUZZ_ASSERT(ret == 0, "the export does not read back: %s", err.msg);
	ret = rl_series_select(&in, &back, &err);
	FUZZ_ASSERT(ret == 0 && back.ntaken == sel->ntaken,
		    "the export reads back as %zu patches, not %zu: %s", back.ntaken, sel->ntaken,
		    err.msg);
	/* A mail keeps its subject (a plain diff is titled by its file, which export names). */
	for (size_t i = 0; i < back.ntaken; i++) {
		const struct rl_msg *was = sel->taken[i].msg, *is = back.taken[i].msg;

		FUZZ_ASSERT(!was->mail || !strcmp(is->subj.title, was->subj.title),
			    "patch %zu: '%s' read back as '%s'", i, was->subj.title, is->subj.title);
		FUZZ_ASSERT(is->diff.nfiles == was->diff.nfiles,
			    "patch %zu: %zu files read back as %zu", i, was->diff.nfiles,
			    is->diff.nfiles);
	}
	rl_series_sel_free(&back);
	rl_series_input_free(&in);
	FUZZ_ASSERT(check_and_clear_export() == sel->ntaken, "stray files in the export");
}

/* The files the diffs name, copied as a check copies them: never outside the scratch. */
static void check_scratch(const struct rl_series_sel *sel)
{
	struct rl_err err = { "" };
	char dir[PATH_MAX];
	int ret;

	if (rl_scratch_make(dir, sizeof(dir), &err) < 0)
		FUZZ_ASSERT(0, "scratch: %s", err.msg);
	for (size_t i = 0; i < sel->ntaken; i++) {
		const struct rl_diff *d = &sel->taken[i].msg->diff;

		for (size_t f = 0; f < d->nfiles; f++) {
			ret = rl_scratch_copy(tree, dir, d->files[f].path, &err);
			FUZZ_ASSERT(ret == 0 || err.msg[0], "copy of %s failed without a message",
				    d->files[f].path);
		}
	}
	rl_scratch_remove(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rl_series_input in;
	struct rl_series_sel sel;
	struct rl_err err = { "" };
	int ret;

	fuzz_write_file(input, data, size);
	ret = rl_series_load(input, &in, &err);
	if (ret < 0) {
		FUZZ_ASSERT(err.msg[0], "load: error %d without a message", ret);
		FUZZ_ASSERT(!in.msgs && !in.nmsgs && !in.files, "a failed load kept messages");
		return 0;
	}
	ret = rl_series_select(&in, &sel, &err);
	if (ret < 0) {
		FUZZ_ASSERT(err.msg[0], "select: error %d without a message", ret);
		rl_series_input_free(&in);
		return 0;
	}
	describe(&in, &sel);
	check_export(&sel);
	check_scratch(&sel);
	rl_series_sel_free(&sel);
	rl_series_input_free(&in);
	return 0;
}
