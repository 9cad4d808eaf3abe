/* SPDX-License-Identifier: MIT */
/*
 * trace_pipe lines -> evidence. A line reads
 *   "<comm>-<pid> [<cpu>] <flags> <secs>: <event>: <fields>"
 * and the fields are the event's print format (events/<sys>/<event>/format),
 * which names every value, so each is found by its name.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_events.h"
#include "trace_probes.h"

int rl_trace_state_init(struct rl_trace_state *s, const pid_t *tids, uint32_t ntids,
			uint32_t nslots, int64_t isize)
{
	memset(s, 0, sizeof(*s));
	s->threads = calloc(ntids ? ntids : 1, sizeof(*s->threads));
	if (!s->threads)
		return -ENOMEM;
	s->nthreads = ntids;
	s->nslots = nslots;
	s->isize = isize;
	for (uint32_t i = 0; i < ntids; i++) {
		s->threads[i].tid = tids[i];
		s->threads[i].open = -1;
		s->threads[i].win = calloc(nslots ? nslots : 1, sizeof(*s->threads[i].win));
		if (!s->threads[i].win) {
			rl_trace_state_free(s);
			return -ENOMEM;
		}
	}
	return 0;
}

void rl_trace_state_free(struct rl_trace_state *s)
{
	for (uint32_t i = 0; s->threads && i < s->nthreads; i++) {
		free(s->threads[i].win);
		free(s->threads[i].ev);
	}
	free(s->threads);
	memset(s, 0, sizeof(*s));
}

const struct rl_trace_thread *rl_trace_thread_find(const struct rl_trace_state *s, pid_t tid)
{
	for (uint32_t i = 0; i < s->nthreads; i++)
		if (s->threads[i].tid == tid)
			return &s->threads[i];
	return NULL;
}

/* The pid before " [cpu]", the event name and its fields. */
static bool split_line(const char *line, pid_t *pid, const char **ev, size_t *evlen,
		       const char **fields)
{
	const char *p = line, *q = NULL, *d, *e;

	while ((p = strstr(p, " [")) != NULL) {
		q = p + 2;
		while (isdigit((unsigned char)*q))
			q++;
		if (q > p + 2 && *q == ']')
			break;
		p += 2;
	}
	if (!p)
		return false;
	for (e = p; e > line && e[-1] == ' '; e--)
		;
	for (d = e; d > line && isdigit((unsigned char)d[-1]); d--)
		;
	if (d == e || d == line || d[-1] != '-')
		return false;
	*pid = (pid_t)strtol(d, NULL, 10);
	/* "] flags secs: event: fields" */
	p = strstr(q, ": ");
	if (!p)
		return false;
	*ev = p + 2;
	p = strstr(*ev, ": ");
	if (!p)
		return false;
	*evlen = (size_t)(p - *ev);
	*fields = p + 2;
	return true;
}

/* The number after "<key> " in @fields (base from its prefix: 0x is hex). */
static bool field_num(const char *fields, const char *key, long long *v)
{
	size_t klen = strlen(key);
	const char *p = fields;
	char *end;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == fields || p[-1] == ' ') && p[klen] == ' ')
			break;
		p += klen;
	}
	if (!p)
		return false;
	errno = 0;
	*v = strtoll(p + klen + 1, &end, 0);
	return end != p + klen + 1 && !errno;
}

static struct rl_trace_thread *thread_of(struct rl_trace_state *s, pid_t pid)
{
	return (struct rl_trace_thread *)rl_trace_thread_find(s, pid);
}

static struct rl_refusal_evidence *open_window(struct rl_trace_thread *t)
{
	return t && t->open >= 0 ? &t->win[t->open] : NULL;
}

static enum rl_map_state es_state(const char *letters)
{
	if (strchr(letters, 'W'))
		return RL_MAP_WRITTEN;
	if (strchr(letters, 'U'))
		return RL_MAP_UNWRITTEN;
	if (strchr(letters, 'D'))
		return RL_MAP_DELAYED;
	return RL_MAP_HOLE;
}

/* "ino 12 found 1 [0/1) 32960 WR" */
static bool es_lookup_text(struct rl_trace_rec *r, const char *fields)
{
	unsigned int lblk, len;
	unsigned long long pblk;
	char letters[8] = "";
	const char *p = strchr(fields, '[');
	long long found;

	if (!field_num(fields, "found", &found) || !p)
		return false;
	r->found = found != 0;
	if (r->found && sscanf(p, "[%u/%u) %llu %7s", &lblk, &len, &pblk, letters) >= 3) {
		r->mapping = true;
		r->lblk = lblk;
		r->len = len;
		r->state = (uint8_t)es_state(letters);
	}
	return true;
}

/* "... lblk 0 pblk 32960 len 1 mflags M ret 1": the tree read after a miss. */
static void map_blocks_text(struct rl_trace_rec *r, const char *fields)
{
	long long lblk, len, ret;
	const char *m = strstr(fields, "mflags ");

	if (!field_num(fields, "lblk", &lblk) || !field_num(fields, "len", &len) ||
	    !field_num(fields, "ret", &ret) || !m)
		return;
	m += strlen("mflags ");
	r->mapping = true;
	r->lblk = (uint32_t)lblk;
	r->len = (uint32_t)len;
	r->res = ret;
	r->state = memchr(m, 'U', strcspn(m, " ")) ? RL_MAP_UNWRITTEN : RL_MAP_WRITTEN;
}

#define IS(name) (evlen == sizeof(name) - 1 && !memcmp(ev, name, evlen))

/* The record of one trace_pipe event line, false when it is none the rules read. */
static bool rec_of_text(struct rl_trace_rec *r, const char *ev, size_t evlen, const char *fields)
{
	long long v;

	if (IS("io_uring_submit_req")) {
		r->kind = RL_TR_SUBMIT;
		/* No user_data: a submission of no slot, which closes the open window. */
		r->user_data = field_num(fields, "user_data", &v) ? (uint64_t)v : UINT64_MAX;
	} else if (IS("io_uring_complete")) {
		r->kind = RL_TR_COMPLETE;
		if (!field_num(fields, "user_data", &v))
			return false;
		r->user_data = (uint64_t)v;
		if (!field_num(fields, "result", &v))
			return false;
		r->res = v;
	} else if (IS("ext4_es_lookup_extent_exit")) {
		r->kind = RL_TR_ES_LOOKUP;
		return es_lookup_text(r, fields);
	} else if (IS("ext4_ext_map_blocks_exit")) {
		r->kind = RL_TR_MAP_BLOCKS;
		map_blocks_text(r, fields);
	} else if (IS("iomap_dio_rw_begin") || IS("iomap_dio_complete")) {
		r->kind = IS("iomap_dio_rw_begin") ? RL_TR_DIO_BEGIN : RL_TR_DIO_COMPLETE;
		if (field_num(fields, "size", &v))
			r->isize = v;
		if (r->kind == RL_TR_DIO_COMPLETE && field_num(fields, "error", &v))
			r->res = v;
	} else if (IS("iomap_dio_invalidate_fail")) {
		r->kind = RL_TR_INVAL_FAIL;
	} else if ((r->probe_flag = rl_trace_probe_flag(ev, evlen)) != 0) {
		/* "(ext4_file_write_iter+0x1c5/0x640 <- kiocb_modified) ret=-11" */
		const char *ret = strstr(fields, " ret=");

		r->kind = RL_TR_PROBE;
		r->res = ret ? strtoll(ret + 5, NULL, 0) : 0;
	} else {
		return false;
	}
	return true;
}

void rl_trace_feed_line(struct rl_trace_state *s, const char *line)
{
	struct rl_trace_rec r = { .isize = -1 };
	const char *ev, *fields, *lost = strstr(line, "[LOST ");
	size_t evlen;

	s->lines++;
	if (lost && !strncmp(line, "CPU:", 4)) {
		s->lost += strtoull(lost + 6, NULL, 10);
		return;
	}
	if (!split_line(line, &r.pid, &ev, &evlen, &fields))
		return;
	if (rec_of_text(&r, ev, evlen, fields))
		rl_trace_feed_rec(s, &r);
}

static void refused(struct rl_trace_state *s, struct rl_trace_thread *t, uint64_t ud, int64_t res)
{
	struct rl_refusal_evidence ev = { .isize = -1 }, *grown;

	if (t->open >= 0 && (uint64_t)t->open == ud)
		t->open = -1;
	if (res != -EAGAIN || ud >= s->nslots)
		return;
	/* A window never opened (its events were lost) classifies as unknown. */
	if (t->win[ud].slot == (uint32_t)ud + 1)
		ev = t->win[ud];
	ev.slot = (uint32_t)ud;
	t->win[ud].slot = 0;
	if (t->nev == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;

		grown = cap <= RL_TRACE_EVIDENCE_MAX ? realloc(t->ev, cap * sizeof(*t->ev)) : NULL;
		if (!grown) {
			s->dropped++;
			return;
		}
		t->ev = grown;
		t->cap = cap;
	}
	t->ev[t->nev++] = ev;
}

/* The first lookup of the window, as ext4_overwrite_io() saw it. */
static void es_lookup(struct rl_refusal_evidence *w, const struct rl_trace_rec *r)
{
	if (w->flags & RL_EV_ES_LOOKUP)
		return;
	w->flags |= RL_EV_ES_LOOKUP;
	if (!r->found) {
		w->flags |= RL_EV_ES_MISS;
		return;
	}
	if (!r->mapping)
		return;
	w->flags |= RL_EV_MAPPING;
	w->map_lblk = r->lblk;
	w->map_len = r->len;
	w->map_state = (enum rl_map_state)r->state;
}

/* The tree read after a miss: what the lookup would have found. */
static void map_blocks(struct rl_refusal_evidence *w, const struct rl_trace_rec *r)
{
	if (!(w->flags & RL_EV_ES_MISS) || (w->flags & RL_EV_MAP_BLOCKS))
		return;
	w->flags |= RL_EV_MAP_BLOCKS;
	if (!r->mapping)
		return;
	w->flags |= RL_EV_MAPPING;
	w->map_lblk = r->lblk;
	w->map_len = r->res > 0 ? (uint32_t)r->res : r->len;
	w->map_state = r->res <= 0 ? RL_MAP_HOLE : (enum rl_map_state)r->state;
}

void rl_trace_feed_rec(struct rl_trace_state *s, const struct rl_trace_rec *r)
{
	struct rl_trace_thread *t;
	struct rl_refusal_evidence *w;

	/* i_size from whoever emits it: an io-wq worker extending the file. */
	if ((r->kind == RL_TR_DIO_BEGIN || r->kind == RL_TR_DIO_COMPLETE) && r->isize >= 0)
		s->isize = r->isize;
	t = thread_of(s, r->pid);
	if (!t)
		return;
	if (r->kind == RL_TR_SUBMIT) {
		if (r->user_data >= s->nslots) {
			t->open = -1;
			return;
		}
		t->open = (int32_t)r->user_data;
		/* slot + 1 marks a window that was opened. */
		t->win[r->user_data] = (struct rl_refusal_evidence){
			.slot = (uint32_t)r->user_data + 1, .isize = s->isize };
		return;
	}
	if (r->kind == RL_TR_COMPLETE) {
		refused(s, t, r->user_data, r->res);
		return;
	}
	w = open_window(t);
	if (!w)
		return;
	switch (r->kind) {
	case RL_TR_ES_LOOKUP:
		es_lookup(w, r);
		break;
	case RL_TR_MAP_BLOCKS:
		map_blocks(w, r);
		break;
	case RL_TR_DIO_BEGIN:
		w->flags |= RL_EV_DIO_BEGIN;
		if (r->isize >= 0)
			w->isize = r->isize;
		break;
	case RL_TR_INVAL_FAIL:
		w->flags |= RL_EV_INVAL_FAIL;
		break;
	case RL_TR_DIO_COMPLETE:
		if (r->res == -EAGAIN)
			w->flags |= RL_EV_DIO_ERROR;
		break;
	case RL_TR_PROBE:
		/* A refusal, or for ext4_generic_write_checks any return. */
		if (r->res == -EAGAIN || r->probe_flag == RL_EV_LOCKED)
			w->flags |= r->probe_flag;
		break;
	}
}
