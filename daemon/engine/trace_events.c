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
static void es_lookup_exit(struct rl_refusal_evidence *w, const char *fields)
{
	unsigned int lblk, len;
	unsigned long long pblk;
	char letters[8] = "";
	const char *p = strchr(fields, '[');
	long long found;

	if (!field_num(fields, "found", &found) || !p || (w->flags & RL_EV_ES_LOOKUP))
		return;
	w->flags |= RL_EV_ES_LOOKUP;
	if (!found) {
		w->flags |= RL_EV_ES_MISS;
		return;
	}
	if (sscanf(p, "[%u/%u) %llu %7s", &lblk, &len, &pblk, letters) < 3)
		return;
	w->flags |= RL_EV_MAPPING;
	w->map_lblk = lblk;
	w->map_len = len;
	w->map_state = es_state(letters);
}

/* "... lblk 0 pblk 32960 len 1 mflags M ret 1": the tree read after a miss. */
static void map_blocks_exit(struct rl_refusal_evidence *w, const char *fields)
{
	long long lblk, len, ret;
	const char *m = strstr(fields, "mflags ");

	if (!(w->flags & RL_EV_ES_MISS) || (w->flags & RL_EV_MAP_BLOCKS))
		return;
	w->flags |= RL_EV_MAP_BLOCKS;
	if (!field_num(fields, "lblk", &lblk) || !field_num(fields, "len", &len) ||
	    !field_num(fields, "ret", &ret) || !m)
		return;
	w->flags |= RL_EV_MAPPING;
	w->map_lblk = (uint32_t)lblk;
	w->map_len = ret > 0 ? (uint32_t)ret : (uint32_t)len;
	m += strlen("mflags ");
	if (ret <= 0)
		w->map_state = RL_MAP_HOLE;
	else
		w->map_state = memchr(m, 'U', strcspn(m, " ")) ? RL_MAP_UNWRITTEN : RL_MAP_WRITTEN;
}

static void refused(struct rl_trace_state *s, struct rl_trace_thread *t, const char *fields)
{
	long long ud, res;
	struct rl_refusal_evidence ev = { .isize = -1 }, *grown;

	if (!field_num(fields, "user_data", &ud) || !field_num(fields, "result", &res))
		return;
	if (t->open == ud)
		t->open = -1;
	if (res != -EAGAIN || ud < 0 || (uint64_t)ud >= s->nslots)
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

/* Events that also tell i_size, whoever emits them (an io-wq worker extending the file). */
static void note_isize(struct rl_trace_state *s, const char *fields)
{
	long long size;

	if (field_num(fields, "size", &size))
		s->isize = size;
}

#define IS(name) (evlen == sizeof(name) - 1 && !memcmp(ev, name, evlen))

void rl_trace_feed_line(struct rl_trace_state *s, const char *line)
{
	const char *ev, *fields, *lost = strstr(line, "[LOST ");
	struct rl_trace_thread *t;
	struct rl_refusal_evidence *w;
	uint32_t probe;
	long long v;
	size_t evlen;
	pid_t pid;

	s->lines++;
	if (lost && !strncmp(line, "CPU:", 4)) {
		s->lost += strtoull(lost + 6, NULL, 10);
		return;
	}
	if (!split_line(line, &pid, &ev, &evlen, &fields))
		return;
	if (IS("iomap_dio_rw_begin") || IS("iomap_dio_complete"))
		note_isize(s, fields);
	t = thread_of(s, pid);
	if (!t)
		return;
	if (IS("io_uring_submit_req")) {
		if (!field_num(fields, "user_data", &v) || v < 0 || (uint64_t)v >= s->nslots) {
			t->open = -1;
			return;
		}
		t->open = (int32_t)v;
		/* slot + 1 marks a window that was opened. */
		t->win[v] = (struct rl_refusal_evidence){ .slot = (uint32_t)v + 1, .isize = s->isize };
		return;
	}
	if (IS("io_uring_complete")) {
		refused(s, t, fields);
		return;
	}
	w = open_window(t);
	if (!w)
		return;
	/* "(ext4_file_write_iter+0x1c5/0x640 <- kiocb_modified) ret=-11" */
	probe = rl_trace_probe_flag(ev, evlen);
	if (probe) {
		const char *r = strstr(fields, " ret=");

		if (r && strtoll(r + 5, NULL, 0) == -EAGAIN)
			w->flags |= probe;
		return;
	}
	if (IS("ext4_es_lookup_extent_exit")) {
		es_lookup_exit(w, fields);
	} else if (IS("ext4_ext_map_blocks_exit")) {
		map_blocks_exit(w, fields);
	} else if (IS("iomap_dio_rw_begin")) {
		w->flags |= RL_EV_DIO_BEGIN;
		if (field_num(fields, "size", &v))
			w->isize = v;
	} else if (IS("iomap_dio_invalidate_fail")) {
		w->flags |= RL_EV_INVAL_FAIL;
	} else if (IS("iomap_dio_complete")) {
		if (field_num(fields, "error", &v) && v == -EAGAIN)
			w->flags |= RL_EV_DIO_ERROR;
	}
}
