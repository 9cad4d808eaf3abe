/* SPDX-License-Identifier: MIT */
/* Series selection: the newest version in N order; covers, replies, older versions, copies and missing numbers, in words. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "series/select.h"
#include "series/summary.h"
#include "../lib/check.h"

#define DATA RINGLAB_SRCDIR "/tests/data/series/"
#define DIFF "---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n"

/* An input of messages: one per subject; a subject starting with '!' gets no diff. */
static void build(struct rl_series_input *in, const char *const *subjects)
{
	*in = (struct rl_series_input){ .kind = RL_SRC_MBOX };
	for (; *subjects; subjects++) {
		bool nodiff = **subjects == '!';
		struct rl_msg_origin o = { .file = "test", .index = (unsigned int)in->nmsgs + 1, .line = 1 };
		struct rl_err err = { "" };
		char text[512];
		int ret;

		snprintf(text, sizeof(text), "From: a@b\nSubject: %s\n\nBody.\n%s", *subjects + nodiff,
			 nodiff ? "" : DIFF);
		in->msgs = realloc(in->msgs, (in->nmsgs + 1) * sizeof(*in->msgs));
		ret = rl_msg_parse(text, strlen(text), &o, &in->msgs[in->nmsgs], &err);
		CHECK(ret == 0, "%s: %s", *subjects, err.msg);
		in->nmsgs += !ret;
	}
}

/* Select from @subjects; the summary must be @want. Returns the selection (caller frees). */
static void expect(const char *const *subjects, const char *want, struct rl_series_sel *sel,
		   struct rl_series_input *in)
{
	struct rl_err err = { "" };
	char line[512] = "";

	build(in, subjects);
	CHECK(rl_series_select(in, sel, &err) == 0, "%s", err.msg);
	rl_series_summary(sel, line, sizeof(line));
	CHECK(!strcmp(line, want), "\"%s\", want \"%s\"", line, want);
}

static void test_issue_example(void)
{
	static const char *const s[] = {
		"[PATCH v2 1/9] a", "[PATCH v2 2/9] b", "[PATCH v2 3/9] c", "[PATCH v2 4/9] d", "[PATCH v2 5/9] e",
		"[PATCH v2 6/9] f", "[PATCH v2 7/9] g", "[PATCH v2 8/9] h", "[PATCH v2 9/9] i",
		"![PATCH v3 0/9] cover", "[PATCH v3 3/9] c", "[PATCH v3 1/9] a", "[PATCH v3 2/9] b",
		"Re: [PATCH v3 2/9] b", "[PATCH v3 4/9] d", "[PATCH v3 9/9] i", "[PATCH v3 5/9] e",
		"[PATCH v3 6/9] f", "[PATCH v3 8/9] h", "[PATCH v3 7/9] g", "!Re: [PATCH v3 0/9] cover",
		"!Re: [PATCH v3 1/9] a", NULL,
	};
	struct rl_series_input in;
	struct rl_series_sel sel;

	expect(s, "v3: patches 1-9 of 9 taken; cover letter, 3 replies and 9 v2 patches skipped", &sel, &in);
	for (size_t i = 0; i < sel.ntaken; i++)
		CHECK(sel.taken[i].number == i + 1 && sel.taken[i].msg->subj.version == 3 &&
		      sel.taken[i].msg->subj.title[0] == "abcdefghi"[i], "taken[%zu] is v3 %zu/9", i, i + 1);
	rl_series_sel_free(&sel);
	rl_series_input_free(&in);
}

static void test_summaries(void)
{
	static const struct {
		const char *const subjects[8];
		const char *want;
	} cases[] = {
		{ { "[PATCH v3 1/4] a", "[PATCH v3 3/4] c", "[PATCH v3 4/4] d" },
		  "v3: patches 1,3-4 of 4 taken; patch 2/4 missing from the input" },
		{ { "[PATCH v3 1/5] a", "[PATCH v3 3/5] c", "[PATCH v3 4/5] d" },
		  "v3: patches 1,3-4 of 5 taken; patches 2/5 and 5/5 missing from the input" },
		{ { "[PATCH] x" }, "v1: patch 1 of 1 taken" },
		{ { "[PATCH] x", "[PATCH] y" }, "v1: patches 1-2 of 2 taken" },
		{ { "[PATCH v1 1/2] a", "[RFC PATCH v2 1/2] a", "[RFC PATCH v2 2/2] b" },
		  "v2 (RFC): patches 1-2 of 2 taken; 1 v1 patch skipped" },
		{ { "[PATCH 1/2] a", "[PATCH 2/2] b", "[PATCH v2 1/2] a", "[PATCH v2 2/2] b", "[PATCH v3 1/1] a" },
		  "v3: patch 1 of 1 taken; 2 v2 patches and 2 v1 patches skipped" },
		{ { "[PATCH v2 1/2] a", "[PATCH v2 2/2] b", "[PATCH v2] fixup" },
		  "v2: patches 1-2 of 2 taken; 1 unnumbered patch skipped" },
		{ { "[PATCH v3 1/3] a", "![PATCH v3 2/3] b", "[PATCH v3 3/3] c" },
		  "v3: patches 1,3 of 3 taken; 1 reply skipped; patch 2/3 missing from the input" },
		{ { "Re: [PATCH] x", "ext4: a mail with a diff and no tag" }, "v1: patch 1 of 1 taken; 1 reply skipped" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rl_series_input in;
		struct rl_series_sel sel;

		expect(cases[i].subjects, cases[i].want, &sel, &in);
		rl_series_sel_free(&sel);
		rl_series_input_free(&in);
	}
}

static void test_copies(void)
{
	static const char *const s[] = { "[PATCH v3 1/2] a", "[PATCH v3 2/2] first", "[PATCH v3 2/2] second",
					 "[PATCH v3 RESEND 2/2] third", NULL };
	struct rl_series_input in;
	struct rl_series_sel sel;

	expect(s, "v3: patches 1-2 of 2 taken; 2 earlier copies of patches skipped", &sel, &in);
	CHECK(sel.ntaken == 2 && !strcmp(sel.taken[1].msg->subj.title, "third"), "the last copy is kept");
	rl_series_sel_free(&sel);
	rl_series_input_free(&in);
}

static void test_no_patch(void)
{
	static const char *const s[] = { "![PATCH v2 0/3] cover", "!Re: [PATCH v2 1/3] a", "!a question", NULL };
	struct rl_series_input in;
	struct rl_series_sel sel;
	struct rl_err err = { "" };

	build(&in, s);
	CHECK(rl_series_select(&in, &sel, &err) == -ENOMSG && strstr(err.msg, "no patch among its 3 message"),
	      "no patch: %s", err.msg);
	rl_series_input_free(&in);
}

static void test_ranges(void)
{
	static const unsigned int nums[] = { 1, 2, 3, 5, 7, 8, 10 };
	char buf[64];

	CHECK(!strcmp(rl_series_ranges(nums, 7, buf, sizeof(buf)), "1-3,5,7-8,10"), "ranges: %s", buf);
	CHECK(!strcmp(rl_series_ranges(nums, 0, buf, sizeof(buf)), ""), "no numbers: %s", buf);
}

/* The project's own fixtures, read from disk. */
static void test_fixtures(void)
{
	static const struct {
		const char *path, *want;
	} cases[] = {
		{ DATA "thread.mbox", "v3: patches 1-3 of 3 taken; 2 cover letters, 3 replies and 3 v2 patches skipped" },
		{ DATA "maildir", "v3: patches 1,3 of 3 taken; cover letter skipped; patch 2/3 missing from the input" },
		{ DATA "fp", "v1: patches 1-3 of 3 taken" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rl_series_input in;
		struct rl_series_sel sel = { 0 };
		struct rl_err err = { "" };
		char line[512] = "";

		CHECK(rl_series_load(cases[i].path, &in, &err) == 0 && rl_series_select(&in, &sel, &err) == 0,
		      "%s: %s", cases[i].path, err.msg);
		CHECK(!strcmp(rl_series_summary(&sel, line, sizeof(line)), cases[i].want), "%s: \"%s\"",
		      cases[i].path, line);
		if (i == 0)	/* v3 2/3 came before 1/3 in the thread */
			CHECK(sel.ntaken == 3 && sel.taken[0].msg->index == 8 && sel.taken[1].msg->index == 7 &&
			      sel.taken[2].msg->index == 9, "ordered by N, not by arrival");
		rl_series_sel_free(&sel);
		rl_series_input_free(&in);
	}
}

int main(void)
{
	test_issue_example();
	test_summaries();
	test_copies();
	test_no_patch();
	test_ranges();
	test_fixtures();
	return check_exit();
}
