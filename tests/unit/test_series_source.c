/* SPDX-License-Identifier: MIT */
/* Series sources: a thread mbox, a maildir, a format-patch directory, an encoded mail, a diff (with a NUL too), and the refusals with their reasons. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "series/source.h"
#include "../lib/check.h"

#define DATA RINGLAB_SRCDIR "/tests/data/series/"
#define DIFF_TEXT "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n"

static char tmpdir[] = "/tmp/test_series_source.XXXXXX";

/* Line @n of @path (from 1), without its newline, in a static buffer; "" if there is none. */
static const char *file_line(const char *path, unsigned int n)
{
	static char line[512];
	FILE *f = fopen(path, "r");

	line[0] = '\0';
	while (f && n-- && fgets(line, sizeof(line), f))
		;
	if (f)
		fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static const char *write_tmp(const char *name, const char *text, size_t len)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
	return path;
}

static void test_thread_mbox(void)
{
	struct rl_series_input in;
	struct rl_err err = { "" };
	const struct rl_msg *m;

	CHECK(rl_series_load(DATA "thread.mbox", &in, &err) == 0, "%s", err.msg);
	CHECK(in.kind == RL_SRC_MBOX && in.nmsgs == 11, "kind %d, %zu messages", in.kind, in.nmsgs);
	if (in.nmsgs != 11)
		return;
	m = &in.msgs[7];	/* v3 1/3: a folded subject and an mboxrd-escaped line */
	CHECK(!strcmp(m->hdr[RL_HDR_SUBJECT], "[PATCH v3 1/3] counter: add counter_reset()"), "unfolded: %s",
	      m->hdr[RL_HDR_SUBJECT]);
	CHECK(m->subj.version == 3 && m->subj.number == 1 && m->subj.total == 3, "tags of 1/3");
	CHECK(strstr(m->body, "\nFrom here on every case") != NULL, "\">From \" is unescaped");
	CHECK(m->index == 8 && !strncmp(file_line(DATA "thread.mbox", m->line), "From: Ada", 9) &&
	      !strncmp(file_line(DATA "thread.mbox", m->line - 1), "From mboxrd@z", 13),
	      "message 8 starts at line %u: %s", m->line, file_line(DATA "thread.mbox", m->line));
	CHECK(!strcmp(file_line(DATA "thread.mbox", m->body_line), "Tests want a clean counter between cases."),
	      "body line %u", m->body_line);
	CHECK(!strcmp(m->hdr[RL_HDR_MESSAGE_ID], "<20261101-v3-1-ada@example.org>") &&
	      !strcmp(m->hdr[RL_HDR_IN_REPLY_TO], "<20261101-v3-0-ada@example.org>"), "ids");
	m = &in.msgs[9];	/* Bob's reply quoting the diff */
	CHECK(m->subj.reply && !m->diff.present, "a reply's quoted diff is no diff");
	m = &in.msgs[10];
	CHECK(!strcmp(m->hdr[RL_HDR_FROM], "Carol D\xc3\xbcrr <carol@example.org>"), "From decoded: %s",
	      m->hdr[RL_HDR_FROM]);
	rl_series_input_free(&in);
}

static void test_maildir(void)
{
	struct rl_series_input in;
	struct rl_err err = { "" };

	CHECK(rl_series_load(DATA "maildir", &in, &err) == 0, "%s", err.msg);
	CHECK(in.kind == RL_SRC_MAILDIR && in.nmsgs == 3, "kind %d, %zu messages", in.kind, in.nmsgs);
	if (in.nmsgs == 3) {
		/* cur/ and new/ sorted together by name; the third has CRLF line ends. */
		CHECK(in.msgs[0].subj.number == 0 && in.msgs[1].subj.number == 1 && in.msgs[2].subj.number == 3,
		      "order by name across cur/ and new/");
		CHECK(!strchr(in.msgs[2].hdr[RL_HDR_SUBJECT], '\r') && in.msgs[2].diff.present &&
		      !in.msgs[2].diff.damaged_line, "CRLF mail parsed: %s", in.msgs[2].hdr[RL_HDR_SUBJECT]);
	}
	rl_series_input_free(&in);
}

static void test_patch_dir(void)
{
	struct rl_series_input in;
	struct rl_err err = { "" };

	CHECK(rl_series_load(DATA "fp", &in, &err) == 0, "%s", err.msg);
	CHECK(in.kind == RL_SRC_PATCH_DIR && in.nmsgs == 3 && in.nfiles == 3, "kind %d, %zu messages, %zu files",
	      in.kind, in.nmsgs, in.nfiles);
	for (size_t i = 0; i < in.nmsgs; i++)
		CHECK(in.msgs[i].subj.number == i + 1 && in.msgs[i].subj.total == 3 && in.msgs[i].diff.present,
		      "file %zu is patch %zu/3", i, i + 1);
	/* format-patch does not escape "From " in a commit message: it must not split the mail. */
	CHECK(in.nmsgs && strstr(in.msgs[0].body, "\nFrom here on every case") != NULL, "unescaped From line kept");
	rl_series_input_free(&in);
}

/* format-patch --stdout: a commit message paragraph starting "From " after a blank line is no separator. */
static void test_stdout_mbox(void)
{
	static const char text[] =
		"From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n"
		"From: A <a@b>\nSubject: [PATCH 1/2] a\n\nFirst paragraph.\n\nFrom the start, a.\n"
		"Signed-off-by: A <a@b>\n---\n" DIFF_TEXT
		"-- \n2.39.5\n\n"
		"From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001\n"
		"From: A <a@b>\nSubject: [PATCH 2/2] b\n\nB.\n---\n" DIFF_TEXT;
	struct rl_series_input in;
	struct rl_err err = { "" };

	CHECK(rl_series_load(write_tmp("stdout.mbox", text, sizeof(text) - 1), &in, &err) == 0, "%s", err.msg);
	CHECK(in.nmsgs == 2 && strstr(in.msgs[0].body, "\n\nFrom the start, a.\nSigned-off-by") &&
	      in.msgs[0].diff.present && in.msgs[1].subj.number == 2, "%zu messages", in.nmsgs);
	rl_series_input_free(&in);
}

static void test_encoded_mail(void)
{
	struct rl_series_input in;
	struct rl_err err = { "" };
	const struct rl_msg *m = NULL;

	CHECK(rl_series_load(DATA "encoded.eml", &in, &err) == 0, "%s", err.msg);
	CHECK(in.kind == RL_SRC_MESSAGE && in.nmsgs == 1, "kind %d", in.kind);
	if (in.nmsgs)
		m = &in.msgs[0];
	CHECK(m && !strcmp(m->hdr[RL_HDR_SUBJECT], "[PATCH] counter: say gr\xc3\xbc\xc3\x9f Gott") &&
	      !strcmp(m->subj.title, "counter: say gr\xc3\xbc\xc3\x9f Gott"), "Q and B words across a fold");
	CHECK(m && !strcmp(m->hdr[RL_HDR_FROM], "J\xc3\xb6rg M\xc3\xbcller <joerg@example.org>"), "From");
	CHECK(m && !strcmp(m->hdr[RL_HDR_MESSAGE_ID], "<20261105-greet-joerg@example.org>"), "folded Message-ID");
	CHECK(m && strstr(m->body, "+\tprintf(\"gr\xc3\xbc\xc3\x9f Gott: %d\\n\", count);") &&
	      strstr(m->body, "line is long enough"), "quoted-printable body decoded");
	CHECK(m && m->diff.present && !m->diff.damaged_line && !m->body_line,
	      "diff whole; no file lines for a decoded body");
	rl_series_input_free(&in);
}

static void test_plain_diff_and_damage(void)
{
	struct rl_series_input in;
	struct rl_err err = { "" };
	const struct rl_msg *m;

	CHECK(rl_series_load(DATA "plain.diff", &in, &err) == 0, "%s", err.msg);
	CHECK(in.kind == RL_SRC_DIFF && in.nmsgs == 1 && !strcmp(in.msgs[0].subj.title, "plain.diff") &&
	      in.msgs[0].diff.nfiles == 1, "a diff is one message titled by its file name");
	rl_series_input_free(&in);
	CHECK(rl_series_load(DATA "damaged.patch", &in, &err) == 0, "%s", err.msg);
	m = &in.msgs[0];
	CHECK(m->diff.damaged_line && strstr(m->diff.damage, "without its leading space") &&
	      !strcmp(file_line(DATA "damaged.patch", rl_msg_file_line(m, m->diff.damaged_line)),
		      "int counter_add(int n)"),
	      "damage at file line %u: %s", rl_msg_file_line(m, m->diff.damaged_line), m->diff.damage);
	rl_series_input_free(&in);
}

/* A NUL inside a plain diff is a byte like another: the whole file is the body, and scanned. */
static void test_diff_with_nul(void)
{
	const char *path = RINGLAB_SRCDIR "/tests/fuzz/corpus/series/diff-with-nul.diff";
	struct rl_series_input in;
	struct rl_err err = { "" };
	struct stat st;

	CHECK(stat(path, &st) == 0 && rl_series_load(path, &in, &err) == 0, "%s", err.msg);
	CHECK(in.nmsgs == 1 && in.msgs[0].body_len == (size_t)st.st_size &&
	      in.msgs[0].diff.nfiles == 1 && in.msgs[0].diff.files[0].nhunks == 1,
	      "the diff after the NUL read: %zu of %lld bytes", in.nmsgs ? in.msgs[0].body_len : 0,
	      (long long)st.st_size);
	rl_series_input_free(&in);
}

/* A header line ending in CR CR LF: the stray CR is white space, not the title's last character. */
static void test_header_stray_cr(void)
{
	struct rl_series_input in;
	struct rl_err err = { "" };

	CHECK(rl_series_load(RINGLAB_SRCDIR "/tests/fuzz/corpus/series/subject-ends-in-cr.eml", &in,
			     &err) == 0, "%s", err.msg);
	CHECK(in.nmsgs == 1 && !strcmp(in.msgs[0].subj.title, "counter: a subject with a stray CR"),
	      "title '%s'", in.nmsgs ? in.msgs[0].subj.title : "");
	rl_series_input_free(&in);
}

static void expect_refusal(const char *what, const char *path, int want, const char *const *words)
{
	struct rl_series_input in;
	struct rl_err err = { "" };
	int ret = rl_series_load(path, &in, &err);

	CHECK(ret == want, "%s: %d, want %d (%s)", what, ret, want, err.msg);
	CHECK(in.nmsgs == 0, "%s: nothing kept", what);
	for (; *words; words++)
		CHECK(strstr(err.msg, *words) != NULL, "%s: no \"%s\" in \"%s\"", what, *words, err.msg);
}

static void test_refusals(void)
{
	static const char bad_header[] = "From x@y Thu Jan  1 00:00:00 1970\nSubject: [PATCH 1/2] a\n\nbody\n\n"
					 "From x@y Thu Jan  1 00:00:00 1970\nSubject: [PATCH 2/2] b\nno colon here\n\nb\n";
	static const char bad_subject[] = "From: a@b\nSubject: [PATCH 4/3] x\n\nbody\n";
	char empty[300];

	expect_refusal("rendered thread", DATA "rendered.txt", -EINVAL,
		       (const char *const[]){ "not an mbox", "line 1", "mail archive's page", "b4 mbox MSGID",
					      "t.mbox.gz", "git format-patch", NULL });
	expect_refusal("gzip", write_tmp("t.mbox.gz", "\x1f\x8b\x08\x00rest", 8), -EINVAL,
		       (const char *const[]){ "gunzip", NULL });
	expect_refusal("missing", DATA "no-such-file", -ENOENT,
		       (const char *const[]){ "no-such-file", "No such file", NULL });
	expect_refusal("bad header", write_tmp("bad.mbox", bad_header, sizeof(bad_header) - 1), -EINVAL,
		       (const char *const[]){ "bad.mbox: message 2 (line 7): line 8: a header line without a colon",
					      NULL });
	expect_refusal("bad subject", write_tmp("bad.eml", bad_subject, sizeof(bad_subject) - 1), -EINVAL,
		       (const char *const[]){ "bad.eml: message 1 (line 1): Subject", "4 of 3", NULL });
	expect_refusal("NUL in a header", RINGLAB_SRCDIR "/tests/fuzz/corpus/series/header-with-nul.eml",
		       -EINVAL, (const char *const[]){ "message 1 (line 1): line 2: a NUL byte in a header line",
						       NULL });
	snprintf(empty, sizeof(empty), "%s/empty", tmpdir);
	CHECK(mkdir(empty, 0700) == 0, "mkdir %s", empty);
	expect_refusal("empty directory", empty, -ENOMSG, (const char *const[]){ "no *.patch", NULL });
}

static void cleanup(void)
{
	static const char *const made[] = { "t.mbox.gz", "bad.mbox", "bad.eml", "stdout.mbox", "empty" };
	char path[300];

	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, made[i]);
		remove(path);
	}
	rmdir(tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_thread_mbox();
	test_maildir();
	test_patch_dir();
	test_stdout_mbox();
	test_encoded_mail();
	test_plain_diff_and_damage();
	test_diff_with_nul();
	test_header_stray_cr();
	test_refusals();
	cleanup();
	return check_exit();
}
