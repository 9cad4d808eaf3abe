/* SPDX-License-Identifier: MIT */
/* A field table as documentation: markdown, as `ringlab schema` prints into workloads/README.md. */
#include <string.h>

#include "fields_internal.h"

static const char *type_doc(enum rl_field_type t)
{
	static const char *const names[RL_FT_MAX] = {
		[RL_FT_STRING] = "string",
		[RL_FT_BOOL] = "bool",
		[RL_FT_U32] = "integer",
		[RL_FT_U64] = "integer",
		[RL_FT_SIZE] = "size",
		[RL_FT_DOUBLE] = "number",
		[RL_FT_ENUM] = "enum",
		[RL_FT_U32_LIST] = "integer list",
		[RL_FT_OBJECT] = "object",
		[RL_FT_PASS] = "JSON",
		[RL_FT_STRING_LIST] = "string list",
		[RL_FT_OBJECT_LIST] = "object list",
		[RL_FT_INT] = "integer",
		[RL_FT_HEX] = "hex string",
		[RL_FT_OPT_OBJECT] = "object or null",
	};

	return t < RL_FT_MAX ? names[t] : "?";
}

/* Markdown cells must not contain '|' or line breaks. */
static void md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s == '\n' ? ' ' : *s, out);
	}
}

static void md_range(const struct rl_field *f, FILE *out)
{
	char lo[32], hi[32];
	int i, n;

	rl_field_format_number(f, f->min, lo, sizeof(lo));
	rl_field_format_number(f, f->max, hi, sizeof(hi));
	switch (f->type) {
	case RL_FT_STRING:
		fprintf(out, "%s..%s characters", lo, hi);
		if (f->charset)
			fprintf(out, " of `[%s]`", f->charset);
		break;
	case RL_FT_STRING_LIST:
		fprintf(out, "%d to %zu entries, each %s..%s characters",
			f->flags & RL_FF_NONEMPTY ? 1 : 0, f->size, lo, hi);
		if (f->charset)
			fprintf(out, " of `[%s]`", f->charset);
		break;
	case RL_FT_OBJECT_LIST:
		fprintf(out, "%d to %zu entries, keys below",
			f->flags & RL_FF_NONEMPTY ? 1 : 0, f->size);
		break;
	case RL_FT_BOOL:
		fputs("`true`, `false`", out);
		break;
	case RL_FT_U32:
	case RL_FT_U64:
	case RL_FT_SIZE:
	case RL_FT_DOUBLE:
	case RL_FT_INT:
		if (f->flags & RL_FF_NONE_NEG1)
			fputs("-1 (none) or ", out);
		fprintf(out, "%s..%s", lo, hi);
		if (f->flags & RL_FF_POW2)
			fputs(", power of two", out);
		if (f->flags & RL_FF_MUL512)
			fputs(", multiple of 512", out);
		break;
	case RL_FT_ENUM:
		/* A write-only name (an errno's) names whatever the value is. */
		n = f->flags & RL_FF_WRITE_ONLY ? 0 : rl_field_enum_count(f);
		for (i = 0; i < n; i++)
			fprintf(out, "%s`%s`", i ? ", " : "", rl_field_enum_name(f, i));
		break;
	case RL_FT_U32_LIST:
		fprintf(out, "%d to %zu entries, each %s..%s",
			f->flags & RL_FF_NONEMPTY ? 1 : 0, f->size, lo, hi);
		break;
	case RL_FT_HEX:
		fprintf(out, "%zu hex digits", 2 * f->size);
		break;
	case RL_FT_OBJECT:
		fputs("keys below", out);
		break;
	case RL_FT_OPT_OBJECT:
		fputs("keys below, or null", out);
		break;
	case RL_FT_PASS:
	case RL_FT_MAX:
		break;
	}
}

static void md_rows(const struct rl_field *table, const char *prefix, FILE *out)
{
	char path[RL_KEY_PATH_MAX];

	for (; table->name; table++) {
		rl_key_path(path, prefix, table->name);
		fprintf(out, "| `%s` | %s | ", path, type_doc(table->type));
		if (table->flags & RL_FF_REQUIRED)
			fputs("required", out);
		else if (table->flags & RL_FF_WRITE_ONLY)
			fputs("written only", out);
		else if (table->def) {
			fputc('`', out);
			md_cell(out, table->def);
			fputc('`', out);
		}
		fputs(" | ", out);
		md_range(table, out);
		fputs(" | ", out);
		md_cell(out, table->help ? table->help : "");
		fputs(" |\n", out);
		if (table->type == RL_FT_OBJECT || table->type == RL_FT_OPT_OBJECT)
			md_rows(table->sub, path, out);
		if (table->type == RL_FT_OBJECT_LIST) {
			strncat(path, "[]", sizeof(path) - strlen(path) - 1);
			md_rows(table->sub, path, out);
		}
	}
}

void rl_fields_markdown(const struct rl_field *table, FILE *out)
{
	fputs("| key | type | default | range / values | description |\n", out);
	fputs("|---|---|---|---|---|\n", out);
	md_rows(table, "", out);
}
