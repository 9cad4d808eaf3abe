/* SPDX-License-Identifier: MIT */
/* Series export: git format-patch's file names, one mail per patch with its body decoded (a mail without From: too, a quoted separator escaped), and no file overwritten. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "series/export.h"
#include "../lib/check.h"

#define DATA RINGLAB_SRCDIR "/tests/data/series/"

static char tmpdir[] = "/tmp/test_series_export.XXXXXX";

static void test_slugs(void)
{
	static const struct {
		const char *title, *slug;
	} cases[] = {
		/* git format-patch's own name for this title is 52 characters of it */
		{ "ext4: prevent sleeping allocation in NOWAIT write path",
		  "ext4-prevent-sleeping-allocation-in-NOWAIT-write-pat" },
		{ "counter: add counter_reset()", "counter-add-counter_reset" },
		{ "  [x] a...b  ", "x-a.b" },
		{ "say gr\xc3\xbc\xc3\x9f Gott", "say-gr-Gott" },
		{ "", "" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(!strcmp(rl_series_slug(cases[i].title, buf, sizeof(buf)), cases[i].slug),
		      "\"%s\" -> \"%s\", want \"%s\"", cases[i].title, buf, cases[i].slug);
}

/* The whole of @tmpdir/@sub/@name in a malloc'd string, or NULL. */
static char *slurp(const char *sub, const char *name)
{
	char path[400];
	FILE *f;
	char *buf = calloc(1, 65536);

	snprintf(path, sizeof(path), "%s/%s/%s", tmpdir, sub, name);
	f = fopen(path, "r");
	if (f && buf)
		fread(buf, 1, 65535, f);
	if (f)
		fclose(f);
	return buf;
}

/* Export @src's selection to @tmpdir/@sub. Returns rl_series_export()'s answer, or the load's error. */
static int export(const char *src, const char *sub, struct rl_err *err)
{
	struct rl_series_input in;
	struct rl_series_sel sel = { 0 };
	char out[300];
	int ret;

	snprintf(out, sizeof(out), "%s/%s", tmpdir, sub);
	ret = rl_series_load(src, &in, err);
	if (!ret) {
		ret = rl_series_select(&in, &sel, err);
		ret = ret ? ret : rl_series_export(&sel, out, err);
		rl_series_sel_free(&sel);
		rl_series_input_free(&in);
	}
	return ret;
}

static void test_thread_export(void)
{
	struct rl_err err = { "" };
	char *text;

	CHECK(export(DATA "thread.mbox", "thread", &err) == 3, "three files: %s", err.msg);
	text = slurp("thread", "0001-counter-add-counter_reset.patch");
	CHECK(text && !strncmp(text, "From 0000000000000000000000000000000000000000 ", 46), "an mbox From line");
	CHECK(text && strstr(text, "\nSubject: [PATCH v3 1/3] counter: add counter_reset()\n") &&
	      strstr(text, "\nFrom here on every case") && strstr(text, "\n+void counter_reset(void)\n"),
	      "0001: the v3 mail, unfolded and unescaped");
	free(text);
	text = slurp("thread", "0002-counter-refuse-negative-steps.patch");
	CHECK(text && strstr(text, "+\t\treturn -1;\n"), "0002: v3's patch 2, not v2's");
	free(text);
	CHECK(export(DATA "thread.mbox", "thread", &err) == -EEXIST && strstr(err.msg, "0001-counter"),
	      "no file is overwritten: %s", err.msg);
}

static void test_decoded_export(void)
{
	struct rl_err err = { "" };
	char *text;

	CHECK(export(DATA "encoded.eml", "enc", &err) == 1, "one file: %s", err.msg);
	text = slurp("enc", "0001-counter-say-gr-Gott.patch");
	CHECK(text && strstr(text, "\nFrom: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.org>\n") &&
	      strstr(text, "\nContent-Transfer-Encoding: 8bit\n") &&
	      strstr(text, "+\tprintf(\"gr\xc3\xbc\xc3\x9f Gott: %d\\n\", count);\n"),
	      "headers as sent, body decoded to 8bit");
	free(text);
}

/* A mail that lost its From: is still exported as a mail, so it reads back with its subject. */
static void test_mail_without_from(void)
{
	struct rl_err err = { "" };
	char *text;

	CHECK(export(RINGLAB_SRCDIR "/tests/fuzz/corpus/series/mail-without-from.eml", "nofrom",
		     &err) == 1, "one file: %s", err.msg);
	text = slurp("nofrom", "0001-counter-no-From-header.patch");
	CHECK(text && !strncmp(text, "From 0000000000000000000000000000000000000000 ", 46) &&
	      strstr(text, "\nSubject: [PATCH] counter: no From header\n") && !strstr(text, "\nFrom: "),
	      "a mail with its Subject, without a From: '%.80s'", text ? text : "");
	free(text);
}

/* A commit message quoting a mail: its "From ... hh:mm:ss" line is escaped, so the file stays one patch. */
static void test_quoted_separator(void)
{
	struct rl_series_input in;
	struct rl_series_sel sel = { 0 };
	struct rl_err err = { "" };
	char *text, dir[300];

	CHECK(export(RINGLAB_SRCDIR "/tests/fuzz/corpus/series/mail-quoting-an-mbox.eml", "quote",
		     &err) == 1, "one file: %s", err.msg);
	text = slurp("quote", "0001-counter-quote-a-mail-in-the-message.patch");
	CHECK(text && strstr(text, "\n>From ada@example.org Sun Oct 25 10:00:00 2026\nSubject: an old mail\n"),
	      "the quoted separator escaped: '%.300s'", text ? text : "");
	free(text);
	snprintf(dir, sizeof(dir), "%s/quote", tmpdir);
	CHECK(rl_series_load(dir, &in, &err) == 0 && in.nmsgs == 1, "read back as one mail: %s",
	      err.msg);
	if (in.nmsgs == 1 && rl_series_select(&in, &sel, &err) == 0)
		CHECK(sel.ntaken == 1 && !strcmp(sel.taken[0].msg->subj.title,
						 "counter: quote a mail in the message"),
		      "the same patch back");
	rl_series_sel_free(&sel);
	rl_series_input_free(&in);
}

int main(void)
{
	char cmd[128];
	int fails;

	if (!mkdtemp(tmpdir))
		return 1;
	test_slugs();
	test_thread_export();
	test_decoded_export();
	test_mail_without_from();
	test_quoted_separator();
	fails = check_exit();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? 1 : fails;
}
