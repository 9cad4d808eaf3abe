/* SPDX-License-Identifier: MIT */
/*
 * fuzz_run: a "ringlab-run-1" document as ringlabd's import, the compare
 * command and the nightly read it (rl_run_from_json()), alone or wrapped as
 * the body of POST /api/v1/runs/import ({"run": {...}, ...}). A run that
 * reads must write back out, read again to the same document, print as a
 * table and compare with itself (as GET /api/v1/compare does with stored
 * runs); one that does not must say why and keep nothing allocated.
 */
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "compare/compare.h"
#include "compare/compare_json.h"
#include "compare/compare_text.h"
#include "engine/result_json.h"
#include "engine/result_text.h"
#include "schema/fields_json.h"
#include "fuzz.h"

/* Bootstrap intervals cost per cell: larger runs are read and printed, not compared. */
#define COMPARE_CELLS_MAX 64

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	devnull = fopen("/dev/null", "w");
	FUZZ_ASSERT(devnull, "/dev/null");
	return 0;
}

static int read_run(const cJSON *j, void *run, struct rl_err *err)
{
	return rl_run_from_json(j, run, err);
}

static cJSON *write_run(const void *run)
{
	return rl_run_to_json(run);
}

static void free_run(void *run)
{
	rl_run_free(run);
}

/* Written, read and written again: the same text, so a stored run means one thing. */
static const struct fuzz_codec run_codec = { "a run", read_run, write_run, free_run };

/* What compare and the API do with stored runs: the arithmetic sees every value read. */
static void check_compare(const struct rl_run *run)
{
	const struct rl_run *const side[] = { run };
	struct rl_compare_opts opts = { .threshold = 0.05, .gate = RL_CMP_GATE_BOTH };
	struct rl_comparison c;
	struct rl_err err = { "" };
	cJSON *j;

	if (run->ncells > COMPARE_CELLS_MAX)
		return;
	if (rl_compare_runs(side, 1, side, 1, &opts, &c, &err) < 0) {
		FUZZ_ASSERT(err.msg[0], "comparison failed without a message");
		return;
	}
	rl_comparison_print_text(devnull, &c);
	j = rl_comparison_to_json(&c);
	FUZZ_ASSERT(j, "rl_comparison_to_json failed");
	cJSON_Delete(j);
	rl_comparison_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct rl_err err = { "" };
	struct rl_run run, back, again;
	const cJSON *doc;
	cJSON *j = NULL;
	int ret;

	ret = rl_json_parse(text, &j, &err);
	free(text);
	if (ret < 0) {
		FUZZ_ASSERT(err.msg[0], "malformed JSON without a message");
		return 0;
	}
	/* An import body carries the run under "run", beside label, kernel_tag and target. */
	doc = j;
	if (cJSON_IsObject(j) && !cJSON_HasObjectItem(j, "format") && cJSON_HasObjectItem(j, "run"))
		doc = cJSON_GetObjectItemCaseSensitive(j, "run");
	ret = rl_run_from_json(doc, &run, &err);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "%s\n", ret < 0 ? err.msg : "read");
	if (ret < 0) {
		FUZZ_ASSERT(err.msg[0], "error %d without a message", ret);
		FUZZ_ASSERT(!run.cells && !run.workloads && !run.ncells && !run.nworkloads,
			    "a failed read kept cells or workloads");
		cJSON_Delete(j);
		return 0;
	}
	fuzz_round_trip(&run_codec, &run, &back, &again);
	rl_run_print_table(devnull, &run);
	check_compare(&run);
	rl_run_free(&run);
	cJSON_Delete(j);
	return 0;
}
