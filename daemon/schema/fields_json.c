/* SPDX-License-Identifier: MIT */
/* Reading JSON text and files, with malformed input located by line and column. */
#include <ctype.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fields_json.h"

/* Workloads, suites and configs are far smaller; a larger file is a mistake. */
#define RL_JSON_FILE_MAX (4u << 20)

/* 1-based line and column of byte @pos of @text. */
static void text_position(const char *text, const char *pos, int *line, int *col)
{
	const char *p;

	*line = 1;
	*col = 1;
	for (p = text; p < pos && *p; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* @quote: show the text where parsing stopped; never for files whose errors others may read. */
static int parse(const char *text, bool quote, cJSON **out, struct rl_err *err)
{
	const char *end = NULL;
	char near[24];
	int line, col;
	size_t i;

	*out = cJSON_ParseWithOpts(text, &end, 1);
	if (*out)
		return 0;
	if (!end)
		end = text;
	text_position(text, end, &line, &col);
	for (i = 0; i < sizeof(near) - 1 && end[i] && end[i] != '\n' && end[i] != '\r'; i++)
		near[i] = isprint((unsigned char)end[i]) ? end[i] : '?';
	near[i] = '\0';
	if (!i)
		return rl_err_set(err, -EINVAL,
				  "line %d, column %d: malformed JSON at the end of the input",
				  line, col);
	if (!quote)
		return rl_err_set(err, -EINVAL, "line %d, column %d: malformed JSON", line, col);
	return rl_err_set(err, -EINVAL, "line %d, column %d: malformed JSON near '%s'",
			  line, col, near);
}

int rl_json_parse(const char *text, cJSON **out, struct rl_err *err)
{
	return parse(text, true, out, err);
}

int rl_json_scan(const char *text, size_t len, const struct rl_json_limits *lim,
		 struct rl_err *err)
{
	size_t values = 1, i;
	unsigned int depth = 0;
	bool in_string = false;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		switch (c) {
		case '"':
			in_string = true;
			continue;
		case '[':
		case '{':
			values++;
			if (lim->max_depth && ++depth > lim->max_depth)
				return rl_err_set(err, -EINVAL, "JSON nested more than %u deep",
						  lim->max_depth);
			break;
		case ']':
		case '}':
			depth -= depth > 0;
			continue;
		case ',':
			values++;
			break;
		default:
			continue;
		}
		if (lim->max_values && values > lim->max_values)
			return rl_err_set(err, -EFBIG, "more than %zu JSON values", lim->max_values);
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, so that an object of many members costs n log n, not n squared. */
static const char *repeated_name(const cJSON *o, const char **names)
{
	size_t n = 0, i;

	for (const cJSON *c = o->child; c; c = c->next)
		names[n++] = c->string ? c->string : "";
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 1; i < n; i++)
		if (!strcmp(names[i], names[i - 1]))
			return names[i];
	return NULL;
}

/* @v and what it holds; @path (of @len bytes) names @v and is extended in place. */
static int unique_below(const cJSON *v, char *path, size_t len, struct rl_err *err)
{
	size_t used = strlen(path), n = 0, i = 0;
	const char **names, *twice;
	const cJSON *c;
	int ret = 0;

	for (c = v->child; c; c = c->next)
		n++;
	if (cJSON_IsObject(v) && n > 1) {
		names = malloc(n * sizeof(*names));
		if (!names)
			return rl_err_set(err, -ENOMEM, "out of memory");
		twice = repeated_name(v, names);
		if (twice)
			ret = rl_err_set(err, -EINVAL, "key '%.64s' given twice in %s", twice,
					 used ? path : "the top-level object");
		free(names);
	}
	for (c = v->child; c && !ret; c = c->next, i++) {
		if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
			continue;
		if (cJSON_IsObject(v))
			snprintf(path + used, len - used, "%s%.64s", used ? "." : "", c->string);
		else
			snprintf(path + used, len - used, "[%zu]", i);
		ret = unique_below(c, path, len, err);
		path[used] = '\0';
	}
	return ret;
}

int rl_json_unique_keys(const cJSON *root, struct rl_err *err)
{
	char path[256] = "";

	return root ? unique_below(root, path, sizeof(path), err) : 0;
}

static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *tmp;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > RL_JSON_FILE_MAX)
				goto too_big;
			tmp = realloc(buf, cap * 2);
			if (!tmp)
				goto nomem;
			buf = tmp;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return r;
		}
		if (!r)
			break;
		n += r;
	}
	if (n > RL_JSON_FILE_MAX)
		goto too_big;
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
too_big:
	free(buf);
	return -EFBIG;
nomem:
	free(buf);
	return -ENOMEM;
}

int rl_json_load_file(const char *path, cJSON **out, struct rl_err *err)
{
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	ret = rl_json_load_fd(fd, path, true, out, err);
	close(fd);
	return ret;
}

int rl_json_load_fd(int fd, const char *path, bool quote, cJSON **out, struct rl_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = read_all(fd, &text, &len);
	if (ret == -EFBIG)
		return rl_err_set(err, ret, "%s: larger than %u MiB", path,
				  RL_JSON_FILE_MAX >> 20);
	if (ret)
		return rl_err_set(err, ret, "%s: %s", path, strerror(-ret));
	if (strlen(text) != len) {
		free(text);
		return rl_err_set(err, -EINVAL, "%s: contains a NUL byte", path);
	}
	ret = parse(text, quote, out, err);
	free(text);
	return ret ? rl_err_prefix(err, ret, "%s", path) : 0;
}
