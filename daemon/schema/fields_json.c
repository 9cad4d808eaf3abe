/* SPDX-License-Identifier: MIT */
/* Reading JSON text and files, with malformed input located by line and column. */
#include <ctype.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fields_json.h"
#include "json_fast.h"

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

	/* Most texts are strict JSON; what the fast parse leaves, cJSON reads or refuses. */
	*out = rl_json_parse_fast(text);
	if (!*out)
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

/*
 * The length of the UTF-8 sequence at @p (at most @left bytes), or 0 when it
 * is not one: overlong forms, surrogates and code points past U+10FFFF
 * included, as RFC 3629 has it.
 */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	size_t n, i;
	unsigned int lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void rl_utf8_scrub(char *s)
{
	size_t len = strlen(s), i, n;

	for (i = 0; i < len; i += n) {
		n = utf8_len((const unsigned char *)s + i, len - i);
		if (!n) {
			s[i] = '?';
			n = 1;
		}
	}
}

/* At @p, a backslash inside a string: 0, or -EINVAL when it escapes a NUL. */
static int check_escape(const char *p, size_t left, size_t at, struct rl_err *err)
{
	/* cJSON stores "\u0000" as a NUL, which ends the C string there: "a\u0000b" would be "a". */
	if (left >= 6 && !strncmp(p + 1, "u0000", 5))
		return rl_err_set(err, -EINVAL, "byte %zu: a string holds \\u0000 (NUL), which no field takes",
				  at);
	return 0;
}

/* What a byte is to the scan: outside a string, and inside one. */
enum scan_class { PLAIN, QUOTE, OPEN, CLOSE, COMMA, HIGH, BACKSLASH };

/*
 * Byte classes outside strings; inside one, only QUOTE, BACKSLASH and HIGH
 * matter. A table, so that the loops over digits and letters, most of a
 * body, test one byte once: every request's body is scanned.
 */
static const unsigned char scan_outside[256] = {
	['"'] = QUOTE, ['['] = OPEN, ['{'] = OPEN, [']'] = CLOSE, ['}'] = CLOSE,
	[','] = COMMA, [0x80 ... 0xff] = HIGH,
};
static const unsigned char scan_inside[256] = {
	['"'] = QUOTE, ['\\'] = BACKSLASH, [0x80 ... 0xff] = HIGH,
};

/* From @i, inside a string: the index of its closing quote, or -1 (in @err) on a bad byte; @len when it does not close. */
static long scan_string(const char *text, size_t len, size_t i, struct rl_err *err)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t n;

	for (;; i++) {
		while (i < len && !scan_inside[t[i]])
			i++;
		if (i >= len)
			return (long)len;
		switch (scan_inside[t[i]]) {
		case QUOTE:
			return (long)i;
		case BACKSLASH:
			if (check_escape(text + i, len - i, i, err))
				return -1;
			i++;
			break;
		default:
			n = utf8_len(t + i, len - i);
			if (!n) {
				rl_err_set(err, -EINVAL, "byte %zu: not UTF-8 (0x%02x)", i, t[i]);
				return -1;
			}
			i += n - 1;
		}
	}
}

int rl_json_scan(const char *text, size_t len, const struct rl_json_limits *lim,
		 struct rl_err *err)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t values = 1, i;
	unsigned int depth = 0;
	long end;

	for (i = 0;; i++) {
		while (i < len && !scan_outside[t[i]])
			i++;
		if (i >= len)
			return 0;
		switch (scan_outside[t[i]]) {
		case QUOTE:
			end = scan_string(text, len, i + 1, err);
			if (end < 0)
				return -EINVAL;
			i = (size_t)end;
			continue;
		case HIGH:
			/* Outside a string only a bad text has one: UTF-8 or not, the parse refuses it. */
			if (!utf8_len(t + i, len - i))
				return rl_err_set(err, -EINVAL, "byte %zu: not UTF-8 (0x%02x)", i, t[i]);
			i += utf8_len(t + i, len - i) - 1;
			continue;
		case OPEN:
			values++;
			if (lim->max_depth && ++depth > lim->max_depth)
				return rl_err_set(err, -EINVAL, "JSON nested more than %u deep",
						  lim->max_depth);
			break;
		case CLOSE:
			depth -= depth > 0;
			continue;
		case COMMA:
			values++;
			break;
		}
		if (lim->max_values && values > lim->max_values)
			return rl_err_set(err, -EFBIG, "more than %zu JSON values", lim->max_values);
	}
}

/* A member name's slot in a table of @mask + 1: FNV-1a. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct name_slot {
	const char *name;	/* NULL: free */
	uint32_t hash;
};

/* Objects of up to this many members (a cell has some 40) check on the stack. */
#define SMALL_MEMBERS 64

/*
 * The first member name of @o (@n members) that an earlier member has too,
 * or NULL; *@nomem set when the table for a large object could not be had.
 * A hash table: every request body is checked, and a 192-cell import holds
 * some 10,000 names, which sorting per object made a seventh of its cost.
 */
static const char *repeated_name(const cJSON *o, size_t n, bool *nomem)
{
	struct name_slot small[2 * SMALL_MEMBERS], *t = small;
	size_t mask = 7, i;
	const char *name, *twice = NULL;
	uint32_t h;

	/* At most half full, so that a probe ends soon. */
	while (mask + 1 < 2 * n)
		mask = 2 * mask + 1;
	if (mask >= 2 * SMALL_MEMBERS)
		t = calloc(mask + 1, sizeof(*t));
	else
		memset(small, 0, (mask + 1) * sizeof(*t));
	if (!t) {
		*nomem = true;
		return NULL;
	}
	for (const cJSON *c = o->child; c && !twice; c = c->next) {
		name = c->string ? c->string : "";
		h = name_hash(name);
		for (i = h & mask; t[i].name; i = (i + 1) & mask)
			if (t[i].hash == h && !strcmp(t[i].name, name)) {
				twice = name;
				break;
			}
		t[i] = (struct name_slot){ name, h };
	}
	if (t != small)
		free(t);
	return twice;
}

/* Where a walk is: @node, the @index-th member of @up's node (NULL: the root). */
struct walk_frame {
	const cJSON *node;
	size_t index;
	const struct walk_frame *up;
};

/* The path of @f ("run.cells[1]") into @path of @len bytes: only for an error, so built only then. */
static void frame_path(const struct walk_frame *f, char *path, size_t len)
{
	size_t used;

	if (!f->up) {
		path[0] = '\0';
		return;
	}
	frame_path(f->up, path, len);
	used = strlen(path);
	if (cJSON_IsObject(f->up->node))
		snprintf(path + used, len - used, "%s%.64s", used ? "." : "", f->node->string);
	else
		snprintf(path + used, len - used, "[%zu]", f->index);
}

/* @f's node and what it holds. */
static int unique_below(const struct walk_frame *f, struct rl_err *err)
{
	const cJSON *v = f->node, *c;
	struct walk_frame child = { .up = f };
	const char *twice = NULL;
	bool nomem = false;
	char path[256];
	size_t n = 0;
	int ret;

	if (cJSON_IsObject(v)) {
		for (c = v->child; c; c = c->next)
			n++;
		if (n > 1)
			twice = repeated_name(v, n, &nomem);
	}
	if (nomem)
		return rl_err_set(err, -ENOMEM, "out of memory");
	if (twice) {
		frame_path(f, path, sizeof(path));
		return rl_err_set(err, -EINVAL, "key '%.64s' given twice in %s", twice,
				  path[0] ? path : "the top-level object");
	}
	for (c = v->child; c; c = c->next, child.index++) {
		if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
			continue;
		child.node = c;
		ret = unique_below(&child, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int rl_json_unique_keys(const cJSON *root, struct rl_err *err)
{
	struct walk_frame top = { .node = root };

	return root ? unique_below(&top, err) : 0;
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
