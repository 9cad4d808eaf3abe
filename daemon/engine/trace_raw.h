/* SPDX-License-Identifier: MIT */
/*
 * Binary ring-buffer pages (per_cpu/cpuN/trace_pipe_raw) into the records
 * trace_events.c reads, so that the kernel does not format every event as
 * text and ringlab does not parse it again: on a machine with two CPUs the
 * reader competes with the jobs it traces. Where each field lies is read
 * from the events' format files and the page layout from
 * events/header_page, never assumed.
 */
#ifndef RINGLAB_DAEMON_ENGINE_TRACE_RAW_H
#define RINGLAB_DAEMON_ENGINE_TRACE_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace_events.h"
#include "util/err.h"

#define RL_RAW_EVENTS_MAX 16

enum rl_raw_slot { RL_RF_PID, RL_RF_USER_DATA, RL_RF_RES, RL_RF_FOUND, RL_RF_LBLK, RL_RF_LEN,
		   RL_RF_STATE, RL_RF_ISIZE, RL_RF_MAX };

struct rl_raw_field {
	int32_t off;			/* -1: the event has no such field */
	uint16_t size;
	bool sign;
};

struct rl_raw_event {
	uint32_t id;
	uint8_t kind;			/* enum rl_trace_kind */
	uint32_t probe_flag;
	struct rl_raw_field f[RL_RF_MAX];
	/* Bits of the state field: extent status W/U/D, or map flags' U. */
	uint32_t written, unwritten, delayed;
};

struct rl_raw_decoder {
	struct rl_raw_event ev[RL_RAW_EVENTS_MAX];
	size_t nev;
	uint32_t commit_off, commit_size, data_off, data_size;
};

/*
 * rl_raw_header_parse() - the page layout from the text of
 * events/header_page. Returns 0, or -EINVAL when a field is missing.
 */
int rl_raw_header_parse(struct rl_raw_decoder *d, const char *text);

/*
 * rl_raw_event_parse() - add the event whose events/<sys>/<name>/format is
 * @text, decoded as @kind (@probe_flag for RL_TR_PROBE). Returns 0,
 * -EINVAL when a field the kind needs is missing, -ENOSPC when full.
 */
int rl_raw_event_parse(struct rl_raw_decoder *d, const char *text, enum rl_trace_kind kind,
		       uint32_t probe_flag);

/*
 * rl_raw_page() - decode one page read from trace_pipe_raw (@len bytes),
 * calling @emit for each event of @d's in the page's order, with absolute
 * timestamps. Adds the events the kernel dropped before this page to
 * *@lost (1 when it does not say how many). Returns the number emitted, or
 * -EINVAL when the page is malformed (what came before is emitted).
 */
int rl_raw_page(const struct rl_raw_decoder *d, const uint8_t *page, size_t len,
		void (*emit)(void *ctx, const struct rl_trace_rec *r), void *ctx, uint64_t *lost);

/* One event to read: its format file under the instance, and how to decode it. */
struct rl_raw_spec {
	char format[192];		/* "events/<sys>/<name>/format" */
	enum rl_trace_kind kind;
	uint32_t probe_flag;
};

struct rl_raw_reader;

/*
 * rl_raw_reader_open() - read the page layout and the @n events' formats of
 * the instance @dir, switch its clock to "mono" (the CPUs' buffers are
 * merged by time) and open every CPU's trace_pipe_raw. Returns 0, or
 * -errno with @err saying why (the caller reads trace_pipe text instead).
 */
int rl_raw_reader_open(struct rl_raw_reader **out, const char *dir,
		       const struct rl_raw_spec *specs, size_t n, struct rl_err *err);

/*
 * rl_raw_reader_poll() - read what every CPU's buffer holds and feed @st,
 * in time order, the events older than a margin (all of them when @final:
 * tracing is off). Returns the number of pages read.
 */
size_t rl_raw_reader_poll(struct rl_raw_reader *r, struct rl_trace_state *st, bool final);

/* rl_raw_reader_close() - close and free. Accepts NULL. */
void rl_raw_reader_close(struct rl_raw_reader *r);

#endif
