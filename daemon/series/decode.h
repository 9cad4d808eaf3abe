/* SPDX-License-Identifier: MIT */
/* A mail's encodings: quoted-printable, base64, and RFC 2047 encoded-words in headers. */
#ifndef RINGLAB_DAEMON_SERIES_DECODE_H
#define RINGLAB_DAEMON_SERIES_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * rl_qp_decode() - decode quoted-printable @in (@len bytes) into @out, which
 * has room for @len bytes; soft line breaks ("=" at a line's end) vanish.
 * With @header (RFC 2047 "Q"), '_' is a space. A '=' without two hex digits
 * after it is copied as it is, as mail readers do. Returns the decoded length.
 */
size_t rl_qp_decode(const char *in, size_t len, char *out, bool header);

/*
 * rl_b64_decode() - decode base64 @in (@len bytes, line breaks allowed) into
 * @out, which has room for @len bytes. Returns the decoded length, or
 * -EINVAL at a character outside the alphabet.
 */
ssize_t rl_b64_decode(const char *in, size_t len, char *out);

/*
 * rl_header_decode() - @in with its RFC 2047 encoded-words ("=?UTF-8?Q?...?=",
 * "=?utf-8?B?...?=", also US-ASCII and ISO-8859-1) turned into UTF-8 text, and
 * the white space between two adjacent encoded-words dropped. A word in
 * another charset, or one that does not decode, stays as it was written.
 * Returns a malloc'd string, or NULL when memory runs out.
 */
char *rl_header_decode(const char *in);

#endif
