/* SPDX-License-Identifier: MIT */
/* Diff scan: files and hunks of a mail body, quoted diffs ignored, and each kind of mail damage named at its line. */
#include <string.h>

#include "series/diffscan.h"
#include "../lib/check.h"

#define HEAD "Commit message.\n\nSigned-off-by: A <a@b>\n---\n src/x.c | 1 +\n\n" \
	     "diff --git a/src/x.c b/src/x.c\nindex 1111111..2222222 100644\n--- a/src/x.c\n+++ b/src/x.c\n"

static void scan(const char *body, struct rl_diff *d)
{
	CHECK(rl_diff_scan(body, strlen(body), d) == 0, "scan failed");
}

static void test_whole(void)
{
	const char *body = HEAD
		"@@ -3,6 +3,7 @@ int f(void)\n a\n b\n-c\n+C\n+D\n\n e\n f\n"	/* an empty context line, as git takes it */
		"@@ -20,2 +21,2 @@\n x\n-y\n+Y\n\\ No newline at end of file\n"
		"diff --git a/new.c b/new.c\nnew file mode 100644\n--- /dev/null\n+++ b/new.c\n@@ -0,0 +1 @@\n+n\n"
		"diff --git a/old.c b/old.c\ndeleted file mode 100644\n--- a/old.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-o\n"
		"-- \n2.39.5\n\n";
	const struct rl_hunk *h;
	struct rl_diff d;

	scan(body, &d);
	CHECK(d.present && d.nfiles == 3, "files: %zu", d.nfiles);
	CHECK(!d.damaged_line, "no damage, got line %u: %s", d.damaged_line, d.damage);
	if (d.nfiles == 3) {
		CHECK(!strcmp(d.files[0].path, "src/x.c") && !strcmp(d.files[0].old_path, "src/x.c"),
		      "path %s", d.files[0].path);
		CHECK(d.files[0].nhunks == 2 && d.files[0].hunks[0].old_start == 3 &&
		      d.files[0].hunks[1].old_start == 20, "hunks of src/x.c");
		CHECK(!strcmp(d.files[1].path, "new.c") && !d.files[1].old_path, "new file: old path %s",
		      d.files[1].old_path ? d.files[1].old_path : "(none)");
		CHECK(!strcmp(d.files[2].path, "old.c") && !strcmp(d.files[2].old_path, "old.c"),
		      "deleted file keeps its name");
	}
	h = rl_diff_find_hunk(&d, "src/x.c", 20);
	CHECK(h && !strcmp(h->header, "@@ -20,2 +21,2 @@") && h->line == 20, "hunk at old line 20: %s line %u",
	      h ? h->header : "(none)", h ? h->line : 0);
	CHECK(!rl_diff_find_hunk(&d, "src/x.c", 21), "no hunk at old line 21");
	rl_diff_free(&d);
}

static void test_plain_and_quoted(void)
{
	struct rl_diff d;

	scan("--- linux-7.2/fs/a.c\t2026-01-01 00:00:00\n+++ linux-7.2.new/fs/a.c\t2026-01-02\n"
	     "@@ -1 +1 @@\n-a\n+b\n", &d);
	CHECK(d.present && d.nfiles == 1 && !strcmp(d.files[0].path, "fs/a.c"),
	      "a plain diff's path as -p1 sees it: %s", d.nfiles ? d.files[0].path : "(none)");
	rl_diff_free(&d);
	scan("On Mon, A wrote:\n> diff --git a/x b/x\n> --- a/x\n> +++ b/x\n> @@ -1 +1 @@\n> -a\n> +b\n\nAcked.\n",
	     &d);
	CHECK(!d.present, "a quoted diff is not a diff");
	rl_diff_free(&d);
	scan("Thanks for the review.\n---\nv2: fixed\n", &d);
	CHECK(!d.present && !d.damaged_line, "a \"---\" line alone is no diff");
	rl_diff_free(&d);
}

struct damage_case {
	const char *what, *hunks, *words;
	unsigned int line;	/* body line; HEAD has 10 lines */
};

static void test_damage(void)
{
	static const struct damage_case cases[] = {
		{ "lost leading space", "@@ -1,3 +1,3 @@\n a\nb\n-c\n+C\n", "context line without its leading space", 13 },
		{ "a tab-indented context", "@@ -1,2 +1,2 @@\n a\n\tb();\n", "leading space", 13 },
		{ "extra added line", "@@ -1,2 +1,2 @@\n a\n-b\n+B\n+C\n", "more lines", 15 },
		{ "ends early", "@@ -1,3 +1,3 @@\n a\n-b\n+B\n@@ -9 +9 @@\n-x\n+y\n", "ends 1 line(s) before", 15 },
		{ "cut short", "@@ -1,4 +1,4 @@\n a\n-b\n+B\n", "body ends 2 line(s) before", 14 },
		{ "bad @@", "@@ -x +1 @@\n a\n", "does not parse", 11 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[1024];
		struct rl_diff d;

		snprintf(body, sizeof(body), "%s%s", HEAD, cases[i].hunks);
		scan(body, &d);
		CHECK(d.damaged_line == cases[i].line && strstr(d.damage, cases[i].words),
		      "%s: line %u (want %u): %s", cases[i].what, d.damaged_line, cases[i].line, d.damage);
		rl_diff_free(&d);
	}
}

static void test_damage_names_hunk(void)
{
	struct rl_diff d;

	scan(HEAD "@@ -3688,6 +3688,9 @@ static int f(void)\n a\nb\n", &d);
	CHECK(strstr(d.damage, "in hunk @@ -3688,6 +3688,9 @@") != NULL, "the hunk is named: %s", d.damage);
	rl_diff_free(&d);
}

int main(void)
{
	test_whole();
	test_plain_and_quoted();
	test_damage();
	test_damage_names_hunk();
	return check_exit();
}
