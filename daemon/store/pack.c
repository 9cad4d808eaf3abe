/* SPDX-License-Identifier: MIT */
/*
 * Packing text for a BLOB column: a run's cells are some 300 KB of JSON whose
 * keys repeat 192 times, and zlib keeps about a tenth of it. A packed blob
 * is a 4-byte magic, the text's length (4 bytes, little-endian) and zlib's
 * stream, so that a blob that is not one is told apart from one that is
 * damaged.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define RL_STORE_INTERNAL
#include "store.h"

static const unsigned char magic[4] = { 'R', 'L', 'Z', '1' };
#define HEADER 8
/* Level 6 packs a fingerprint run's cells to within 3% of level 9 in half the time. */
#define LEVEL 6
/* A run's cells are well under this; a bigger length is a damaged header. */
#define UNPACKED_MAX (1u << 30)

/* Room for @more bytes of output after what @p holds. Returns 0 or -ENOMEM. */
static int grow(struct rl_store_packer *p, size_t more)
{
	unsigned char *b;
	size_t cap;

	if (p->len + more <= p->cap)
		return 0;
	cap = (p->len + more) * 2;
	b = realloc(p->buf, cap);
	if (!b)
		return -ENOMEM;
	p->buf = b;
	p->cap = cap;
	return 0;
}

/* Deflate @n bytes of @in (@flush: Z_NO_FLUSH or Z_FINISH) into @p's buffer. */
static int deflate_into(struct rl_store_packer *p, const void *in, size_t n, int flush,
			struct rl_err *err)
{
	z_stream *z = p->z;
	int rc;

	z->next_in = (Bytef *)in;
	z->avail_in = (uInt)n;
	do {
		if (grow(p, 16384) < 0)
			return rl_err_set(err, -ENOMEM, "pack: out of memory");
		z->next_out = p->buf + p->len;
		z->avail_out = (uInt)(p->cap - p->len);
		rc = deflate(z, flush);
		p->len = p->cap - z->avail_out;
		if (rc == Z_STREAM_ERROR)
			return rl_err_set(err, -EIO, "pack: zlib: %s", zError(rc));
	} while (z->avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
	return 0;
}

int rl_store_packer_begin(struct rl_store_packer *p, struct rl_err *err)
{
	memset(p, 0, sizeof(*p));
	p->z = calloc(1, sizeof(z_stream));
	if (!p->z || grow(p, HEADER + 16384) < 0) {
		rl_store_packer_end(p);
		return rl_err_set(err, -ENOMEM, "pack: out of memory");
	}
	if (deflateInit(p->z, LEVEL) != Z_OK) {
		free(p->z);
		p->z = NULL;
		rl_store_packer_end(p);
		return rl_err_set(err, -ENOMEM, "pack: zlib cannot start");
	}
	memcpy(p->buf, magic, sizeof(magic));
	p->len = HEADER;	/* the length goes in when it is known */
	return 0;
}

int rl_store_packer_add(struct rl_store_packer *p, const char *text, size_t len,
			struct rl_err *err)
{
	if (p->total + len > UNPACKED_MAX)
		return rl_err_set(err, -E2BIG, "pack: more than %u bytes", UNPACKED_MAX);
	p->total += len;
	return deflate_into(p, text, len, Z_NO_FLUSH, err);
}

int rl_store_packer_finish(struct rl_store_packer *p, struct rl_err *err)
{
	int ret = deflate_into(p, "", 0, Z_FINISH, err);

	for (int i = 0; !ret && i < 4; i++)
		p->buf[4 + i] = (unsigned char)(p->total >> (8 * i));
	return ret;
}

void rl_store_packer_end(struct rl_store_packer *p)
{
	if (p->z) {
		deflateEnd(p->z);
		free(p->z);
	}
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

int rl_store_unpack(const void *blob, size_t n, char **text, struct rl_err *err)
{
	const unsigned char *b = blob;
	uLongf len = 0, got;
	char *buf;
	int rc;

	*text = NULL;
	if (!b || n < HEADER || memcmp(b, magic, sizeof(magic)))
		return rl_err_set(err, -EIO, "not a packed blob");
	for (int i = 0; i < 4; i++)
		len |= (uLongf)b[4 + i] << (8 * i);
	if (len > UNPACKED_MAX)
		return rl_err_set(err, -EIO, "packed blob: length %lu in its header", (unsigned long)len);
	buf = malloc(len + 1);
	if (!buf)
		return rl_err_set(err, -ENOMEM, "unpack: out of memory");
	got = len;
	rc = uncompress((Bytef *)buf, &got, b + HEADER, (uLong)(n - HEADER));
	if (rc != Z_OK || got != len) {
		free(buf);
		if (rc == Z_MEM_ERROR)
			return rl_err_set(err, -ENOMEM, "unpack: out of memory");
		return rl_err_set(err, -EIO, "packed blob is damaged (zlib: %s)",
				  rc == Z_OK ? "short" : zError(rc));
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}
