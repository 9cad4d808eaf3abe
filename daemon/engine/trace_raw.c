/* SPDX-License-Identifier: MIT */
/*
 * A page of the kernel's ring buffer: a header (timestamp, commit: the bytes
 * used plus "events were missed" flags) and events, each behind a 32-bit
 * word of type_len (5 bits) and time delta (27 bits). type_len 1..28 is a
 * record of that many 4-byte words, 0 a record whose length follows, 29
 * padding, 30 a time extension, 31 an absolute time stamp (the layout
 * events/header_event describes, kernel/trace/ring_buffer.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_raw.h"

#define TYPE_PADDING 29
#define TYPE_TIME_EXTEND 30
#define TYPE_TIME_STAMP 31
#define TS_SHIFT 27
#define MISSED_EVENTS (1ull << 31)
#define MISSED_STORED (1ull << 30)
#define COMMIT_MASK ((1ull << 30) - 1)

/* The format fields each kind reads: all are needed. */
static const char *const names[RL_TR_KIND_MAX][RL_RF_MAX] = {
	[RL_TR_SUBMIT] = { "common_pid", "user_data" },
	[RL_TR_COMPLETE] = { "common_pid", "user_data", "res" },
	[RL_TR_ES_LOOKUP] = { "common_pid", [RL_RF_FOUND] = "found", [RL_RF_LBLK] = "lblk",
			      [RL_RF_LEN] = "len", [RL_RF_STATE] = "status" },
	[RL_TR_MAP_BLOCKS] = { "common_pid", [RL_RF_RES] = "ret", [RL_RF_LBLK] = "lblk",
			       [RL_RF_LEN] = "len", [RL_RF_STATE] = "mflags" },
	[RL_TR_DIO_BEGIN] = { "common_pid", [RL_RF_ISIZE] = "isize" },
	[RL_TR_INVAL_FAIL] = { "common_pid" },
	[RL_TR_DIO_COMPLETE] = { "common_pid", [RL_RF_RES] = "error", [RL_RF_ISIZE] = "isize" },
	[RL_TR_PROBE] = { "common_pid", [RL_RF_RES] = "ret" },
};

/* The number after "@key:" on @line, or -1. */
static long num_after(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* "\tfield:unsigned long long user_data;\toffset:24;\tsize:8;\tsigned:0;" */
static bool field_line(const char *line, char *name, size_t size, struct rl_raw_field *f)
{
	const char *p = strstr(line, "field:"), *semi, *e;

	if (!p || !(semi = strchr(p, ';')))
		return false;
	e = semi;
	if (e > p && e[-1] == ']')		/* char comm[16] */
		while (e > p && *e != '[')
			e--;
	for (p = e; p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_'); p--)
		;
	if (p == e || (size_t)(e - p) >= size)
		return false;
	memcpy(name, p, (size_t)(e - p));
	name[e - p] = '\0';
	f->off = (int32_t)num_after(semi, "offset:");
	f->size = (uint16_t)num_after(semi, "size:");
	f->sign = num_after(semi, "signed:") == 1;
	return f->off >= 0;
}

int rl_raw_header_parse(struct rl_raw_decoder *d, const char *text)
{
	const char *line = text;
	char name[64];
	bool commit = false, data = false;

	for (; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		struct rl_raw_field f;

		if (!field_line(line, name, sizeof(name), &f))
			continue;
		if (!strcmp(name, "commit")) {
			d->commit_off = (uint32_t)f.off;
			d->commit_size = f.size;
			commit = f.size == 4 || f.size == 8;
		} else if (!strcmp(name, "data")) {
			d->data_off = (uint32_t)f.off;
			d->data_size = f.size ? f.size : (uint32_t)num_after(line, "size:");
			data = true;
		}
	}
	return commit && data ? 0 : -EINVAL;
}

/*
 * The bit that @letter stands for in the print format's flags of @field:
 * '{ (1 << 1), "U" }' or '{ ((((1UL))) << (11)), "U" }'. @dflt when absent.
 */
static uint32_t flag_bit(const char *fmt, const char *field, const char *letter, uint32_t dflt)
{
	const char *p = fmt ? strstr(fmt, field) : NULL, *brace, *q;
	char quoted[8];

	snprintf(quoted, sizeof(quoted), "\"%s\"", letter);
	if (!p || !(q = strstr(p, quoted)))
		return dflt;
	for (brace = q; brace > p && *brace != '{'; brace--)
		;
	p = strstr(brace, "<<");
	if (p && p < q) {
		p += 2;
		while (*p == ' ' || *p == '(')
			p++;
		return isdigit((unsigned char)*p) ? 1u << (strtoul(p, NULL, 10) & 31) : dflt;
	}
	for (p = brace + 1; p < q && !isdigit((unsigned char)*p); p++)
		;
	return p < q ? (uint32_t)strtoul(p, NULL, 0) : dflt;
}

int rl_raw_event_parse(struct rl_raw_decoder *d, const char *text, enum rl_trace_kind kind,
		       uint32_t probe_flag)
{
	struct rl_raw_event *e;
	const char *line, *fmt = NULL;
	char name[64];
	long id = -1;

	if (d->nev == RL_RAW_EVENTS_MAX)
		return -ENOSPC;
	e = &d->ev[d->nev];
	memset(e, 0, sizeof(*e));
	for (int i = 0; i < RL_RF_MAX; i++)
		e->f[i].off = -1;
	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		struct rl_raw_field f;

		if (!strncmp(line, "ID:", 3))
			id = strtol(line + 3, NULL, 10);
		else if (!strncmp(line, "print fmt:", 10))
			fmt = line;
		else if (field_line(line, name, sizeof(name), &f))
			for (int i = 0; i < RL_RF_MAX; i++)
				if (names[kind][i] && !strcmp(names[kind][i], name))
					e->f[i] = f;
	}
	if (id < 0)
		return -EINVAL;
	for (int i = 0; i < RL_RF_MAX; i++)
		if (names[kind][i] && e->f[i].off < 0)
			return -EINVAL;
	e->id = (uint32_t)id;
	e->kind = (uint8_t)kind;
	e->probe_flag = probe_flag;
	/* Defaults: 6.18's extent status bits and BH_Unwritten. */
	if (kind == RL_TR_ES_LOOKUP) {
		e->written = flag_bit(fmt, "REC->status", "W", 1u << 0);
		e->unwritten = flag_bit(fmt, "REC->status", "U", 1u << 1);
		e->delayed = flag_bit(fmt, "REC->status", "D", 1u << 2);
	} else if (kind == RL_TR_MAP_BLOCKS) {
		e->unwritten = flag_bit(fmt, "REC->mflags", "U", 1u << 11);
	}
	d->nev++;
	return 0;
}

static uint64_t load(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;
	uint32_t v32;
	uint16_t v16;

	switch (size) {
	case 1: return p[0];
	case 2: memcpy(&v16, p, 2); return v16;
	case 4: memcpy(&v32, p, 4); return v32;
	case 8: memcpy(&v, p, 8); return v;
	}
	return 0;
}

/* Field @i of the record at @rec (@len bytes), sign-extended when signed. */
static int64_t get(const struct rl_raw_event *e, int i, const uint8_t *rec, uint32_t len)
{
	const struct rl_raw_field *f = &e->f[i];
	uint64_t v;

	if (f->off < 0 || (uint32_t)f->off + f->size > len)
		return 0;
	v = load(rec + f->off, f->size);
	if (f->sign && f->size < 8 && (v >> (f->size * 8 - 1)) & 1)
		v |= ~0ull << (f->size * 8);
	return (int64_t)v;
}

static void decode(const struct rl_raw_event *e, const uint8_t *p, uint32_t len,
		   struct rl_trace_rec *r)
{
	uint64_t state = (uint64_t)get(e, RL_RF_STATE, p, len);

	r->kind = e->kind;
	r->probe_flag = e->probe_flag;
	r->pid = (pid_t)get(e, RL_RF_PID, p, len);
	r->user_data = (uint64_t)get(e, RL_RF_USER_DATA, p, len);
	r->res = get(e, RL_RF_RES, p, len);
	r->isize = e->f[RL_RF_ISIZE].off >= 0 ? get(e, RL_RF_ISIZE, p, len) : -1;
	r->lblk = (uint32_t)get(e, RL_RF_LBLK, p, len);
	r->len = (uint32_t)get(e, RL_RF_LEN, p, len);
	r->found = get(e, RL_RF_FOUND, p, len) != 0;
	if (e->kind == RL_TR_ES_LOOKUP) {
		r->mapping = r->found;
		r->state = state & e->written ? RL_MAP_WRITTEN : state & e->unwritten ?
			   RL_MAP_UNWRITTEN : state & e->delayed ? RL_MAP_DELAYED : RL_MAP_HOLE;
	} else if (e->kind == RL_TR_MAP_BLOCKS) {
		r->mapping = true;
		r->state = state & e->unwritten ? RL_MAP_UNWRITTEN : RL_MAP_WRITTEN;
	}
}

static const struct rl_raw_event *event_of(const struct rl_raw_decoder *d, uint32_t id)
{
	for (size_t i = 0; i < d->nev; i++)
		if (d->ev[i].id == id)
			return &d->ev[i];
	return NULL;
}

/* The used bytes of the page, and what it says about missed events. */
static int page_header(const struct rl_raw_decoder *d, const uint8_t *page, size_t len,
		       uint64_t *ts, uint32_t *used, uint64_t *lost)
{
	uint64_t commit;

	if (d->data_off + 4 > len || d->commit_off + d->commit_size > d->data_off)
		return -EINVAL;
	*ts = load(page, 8);
	commit = load(page + d->commit_off, d->commit_size);
	*used = (uint32_t)(commit & COMMIT_MASK);
	if (d->data_off + *used > len)
		return -EINVAL;
	if ((commit & MISSED_STORED) && d->data_off + *used + sizeof(long) <= len)
		*lost += load(page + d->data_off + *used, sizeof(long));
	else if (commit & MISSED_EVENTS)
		*lost += 1;
	return 0;
}

int rl_raw_page(const struct rl_raw_decoder *d, const uint8_t *page, size_t len,
		void (*emit)(void *ctx, const struct rl_trace_rec *r), void *ctx, uint64_t *lost)
{
	uint32_t used, pos, end;
	uint64_t ts;
	int n = 0;

	if (page_header(d, page, len, &ts, &used, lost) < 0)
		return -EINVAL;
	pos = d->data_off;
	end = d->data_off + used;
	while (pos + 4 <= end) {
		uint32_t hdr = (uint32_t)load(page + pos, 4), type = hdr & 31, delta = hdr >> 5;
		uint32_t arg = pos + 8 <= end ? (uint32_t)load(page + pos + 4, 4) : 0, rlen;
		const uint8_t *rec;

		pos += 4;
		if (type == TYPE_PADDING) {
			if (!delta)	/* the rest of the page is unused */
				break;
			/* A discarded event (filtered out) keeps its delta; 1 stands for none. */
			if (delta != 1)
				ts += delta;
			pos += arg;
			continue;
		}
		if (type == TYPE_TIME_EXTEND || type == TYPE_TIME_STAMP) {
			uint64_t t = ((uint64_t)arg << TS_SHIFT) + delta;

			/* An absolute stamp keeps the page's upper bits (59 are stored). */
			ts = type == TYPE_TIME_EXTEND ? ts + t : (ts & ~((1ull << 59) - 1)) | t;
			pos += 4;
			continue;
		}
		ts += delta;
		if (type) {
			rlen = type * 4;
			rec = page + pos;
			pos += rlen;
		} else {
			if (arg < 4)
				return -EINVAL;
			rlen = arg - 4;
			rec = page + pos + 4;
			pos += arg;
		}
		if (pos > end)
			return -EINVAL;
		if (rlen >= 2) {
			const struct rl_raw_event *e = event_of(d, (uint32_t)load(rec, 2));
			struct rl_trace_rec r = { .ts = ts };

			if (e) {
				decode(e, rec, rlen, &r);
				emit(ctx, &r);
				n++;
			}
		}
	}
	return n;
}
