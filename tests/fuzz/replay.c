/* SPDX-License-Identifier: MIT */
/*
 * replay_NAME: every file of NAME's seed directories (tests/fuzz/harnesses),
 * or of the files and directories given, through the harness fuzz_NAME.c
 * once, without libFuzzer, so make check catches a regression on the corpus
 * with gcc alone. A harness aborts on what it finds wrong; a seed directory
 * that is missing or a corpus without inputs fails.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static size_t replayed;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			FUZZ_ASSERT(buf, "out of memory");
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	replayed++;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* A file, or every regular file of a directory in name order. */
static int replay_path(const char *path)
{
	struct dirent **ents;
	char full[PATH_MAX];
	struct stat st;
	int n, bad = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	n = scandir(path, &ents, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(full, &st) == 0 && S_ISREG(st.st_mode))
			bad |= replay_file(full);
		free(ents[i]);
	}
	free(ents);
	return bad;
}

/* Each seed directory of @name in tests/fuzz/harnesses. Returns 0, or -1 when one fails. */
static int replay_seeds(const char *name)
{
	char table[PATH_MAX], line[1024], dir[PATH_MAX], *save = NULL, *tok;
	bool found = false;
	int bad = 0;
	FILE *f;

	snprintf(table, sizeof(table), "%s/tests/fuzz/harnesses", fuzz_srcdir());
	f = fopen(table, "r");
	if (!f) {
		fprintf(stderr, "%s: %s\n", table, strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		tok = strtok_r(line, " \t\n", &save);
		found = tok && !strcmp(tok, name);
	}
	fclose(f);
	if (!found) {
		fprintf(stderr, "%s: no harness '%s'\n", table, name);
		return -1;
	}
	strtok_r(NULL, " \t\n", &save);	/* max_len is libFuzzer's */
	while ((tok = strtok_r(NULL, " \t\n", &save))) {
		snprintf(dir, sizeof(dir), "%s/%s", fuzz_srcdir(), tok);
		bad |= replay_path(dir);
	}
	return bad;
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *name = strncmp(prog, "replay_", 7) ? prog : prog + 7;
	int bad = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			bad |= replay_path(argv[i]);
	} else {
		bad = replay_seeds(name);
	}
	if (!replayed) {
		fprintf(stderr, "replay %s: no inputs\n", name);
		return 1;
	}
	printf("replay %s: %zu inputs\n", name, replayed);
	return bad ? 1 : 0;
}
