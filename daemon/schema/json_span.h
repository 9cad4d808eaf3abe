/* SPDX-License-Identifier: MIT */
/*
 * Where a value of a parsed JSON text lies in that text, so that a part of
 * a document already read (an imported run's cells) can be kept as the
 * bytes that were read, not printed again from the tree.
 */
#ifndef RINGLAB_DAEMON_SCHEMA_JSON_SPAN_H
#define RINGLAB_DAEMON_SCHEMA_JSON_SPAN_H

#include <stddef.h>

#include <cJSON.h>

/* @len bytes of JSON text from @text: one whole value. */
struct rl_json_span {
	const char *text;
	size_t len;
};

/*
 * rl_json_span_of() - where, in the NUL-terminated JSON @text that cJSON
 * parsed into @chain[0], the value @chain[@n - 1] lies; each @chain[i + 1] is
 * a member or element of @chain[i]. The text is walked, not parsed again:
 * it must be the very text cJSON accepted. Returns 0 with the span in @out,
 * or -EINVAL when the text does not have the chain's items where their
 * positions in the tree say (another text), or an item is not in its parent.
 */
int rl_json_span_of(const char *text, const cJSON *const *chain, size_t n,
		    struct rl_json_span *out);

/*
 * rl_json_compact() - @in (one JSON value that cJSON parsed) without the
 * blanks between its tokens (every byte up to a space outside strings, as
 * cJSON skips them), into @out, which has room for in->len bytes. The text
 * parses to the same values. Returns the bytes written (no NUL is added).
 */
size_t rl_json_compact(const struct rl_json_span *in, char *out);

#endif
