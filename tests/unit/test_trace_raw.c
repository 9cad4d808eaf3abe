/* SPDX-License-Identifier: MIT */
/*
 * trace_pipe_raw pages decoded with the format files of 6.18 (recorded
 * here): records short and long, time extensions, discarded (filtered)
 * events skipped with their time kept, the rest of the page skipped, absolute stamps, missed-event counts, flag
 * bits read from the print format, and the records name the same cause as
 * the text of the same events.
 */
#include <errno.h>
#include <string.h>

#include "../lib/check.h"
#include "engine/eagain_cause.h"
#include "engine/trace_raw.h"

static const char header_page[] =
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";

#define COMMON \
	"format:\n" \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

static const char submit_fmt[] = "name: io_uring_submit_req\nID: 2140\n" COMMON
	"\tfield:void * ctx;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:void * req;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long long user_data;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:u8 opcode;\toffset:32;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned long long flags;\toffset:40;\tsize:8;\tsigned:0;\n"
	"\tfield:bool sq_thread;\toffset:48;\tsize:1;\tsigned:0;\n"
	"\tfield:__data_loc char[] op_str;\toffset:52;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"ring %p, req %p, user_data 0x%llx\", REC->ctx, REC->req, REC->user_data\n";
static const char complete_fmt[] = "name: io_uring_complete\nID: 2141\n" COMMON
	"\tfield:void * ctx;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:void * req;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 user_data;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:int res;\toffset:32;\tsize:4;\tsigned:1;\n"
	"\tfield:unsigned cflags;\toffset:36;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"user_data 0x%llx, result %d\", REC->user_data, REC->res\n";
static const char probe_fmt[] = "name: kiocb_modified\nID: 2301\n" COMMON
	"\tfield:unsigned long __probe_func;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long __probe_ret_ip;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:s32 ret;\toffset:24;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"(%lx <- %lx) ret=%d\", REC->__probe_ret_ip, REC->__probe_func, REC->ret\n";
static const char es_fmt[] = "name: ext4_es_lookup_extent_exit\nID: 1181\n" COMMON
	"\tfield:dev_t dev;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:ino_t ino;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:ext4_lblk_t lblk;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\tfield:ext4_lblk_t len;\toffset:28;\tsize:4;\tsigned:0;\n"
	"\tfield:ext4_fsblk_t pblk;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:char status;\toffset:40;\tsize:1;\tsigned:0;\n"
	"\tfield:int found;\toffset:44;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"found %d [%u/%u) %llu %s\", REC->found, REC->lblk, REC->len, REC->pblk, "
	"__print_flags(REC->found ? REC->status : 0, \"\", { (1 << 0), \"W\" }, { (1 << 1), \"U\" }, "
	"{ (1 << 2), \"D\" }, { (1 << 3), \"H\" }, { (1 << 4), \"R\" })\n";
static const char map_fmt[] = "name: ext4_ext_map_blocks_exit\nID: 1204\n" COMMON
	"\tfield:unsigned int flags;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\tfield:ext4_fsblk_t pblk;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:ext4_lblk_t lblk;\toffset:40;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int len;\toffset:44;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int mflags;\toffset:48;\tsize:4;\tsigned:0;\n"
	"\tfield:int ret;\toffset:52;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"mflags %s ret %d\", __print_flags(REC->mflags, \"\", { ((((1UL))) << (5)), \"N\" }, "
	"{ ((((1UL))) << (4)), \"M\" }, { ((((1UL))) << (11)), \"U\" }, { ((((1UL))) << (9)), \"B\" }), REC->ret\n";

#define PID 4242
#define DATA 16

struct page {
	uint8_t b[4096];
	uint32_t pos;
};

static void put(struct page *p, const void *v, size_t n)
{
	memcpy(p->b + p->pos, v, n);
	p->pos += (uint32_t)n;
}

static void put32(struct page *p, uint32_t v)
{
	put(p, &v, 4);
}

/* A record of @len bytes (a multiple of 4): short form up to 112, else length-prefixed. */
static void record(struct page *p, uint32_t delta, const uint8_t *rec, uint32_t len, bool longform)
{
	if (!longform && len <= 28 * 4) {
		put32(p, (delta << 5) | (len / 4));
	} else {
		put32(p, delta << 5);
		put32(p, len + 4);
	}
	put(p, rec, len);
}

static void common(uint8_t *rec, uint16_t id)
{
	int32_t pid = PID;

	memcpy(rec, &id, 2);
	memcpy(rec + 4, &pid, 4);
}

static void finish(struct page *p, uint64_t ts, uint64_t flags)
{
	uint64_t commit = (p->pos - DATA) | flags;

	memcpy(p->b, &ts, 8);
	memcpy(p->b + 8, &commit, 8);
}

struct got {
	struct rl_trace_rec r[16];
	int n;
};

static void collect(void *ctx, const struct rl_trace_rec *r)
{
	struct got *g = ctx;

	if (g->n < 16)
		g->r[g->n++] = *r;
}

static void parse_all(struct rl_raw_decoder *d)
{
	CHECK(rl_raw_header_parse(d, header_page) == 0, "header_page");
	CHECK(d->commit_off == 8 && d->commit_size == 8 && d->data_off == 16 && d->data_size == 4080,
	      "page layout %u %u %u %u", d->commit_off, d->commit_size, d->data_off, d->data_size);
	CHECK(rl_raw_event_parse(d, submit_fmt, RL_TR_SUBMIT, 0) == 0, "submit format");
	CHECK(rl_raw_event_parse(d, complete_fmt, RL_TR_COMPLETE, 0) == 0, "complete format");
	CHECK(rl_raw_event_parse(d, probe_fmt, RL_TR_PROBE, RL_EV_RET_MODIFIED) == 0, "probe format");
	CHECK(rl_raw_event_parse(d, es_fmt, RL_TR_ES_LOOKUP, 0) == 0, "es format");
	CHECK(rl_raw_event_parse(d, map_fmt, RL_TR_MAP_BLOCKS, 0) == 0, "map format (its ino lost)");
	CHECK(d->ev[3].written == 1 && d->ev[3].unwritten == 2 && d->ev[3].delayed == 4,
	      "extent status bits from the print format");
	CHECK(d->ev[4].unwritten == 1u << 11, "BH_Unwritten from the print format: %#x",
	      d->ev[4].unwritten);
	CHECK(rl_raw_event_parse(d, "ID: 7\n" COMMON, RL_TR_COMPLETE, 0) == -EINVAL,
	      "a format without the fields the kind needs is refused");
}

/* submit, (discarded), time extend, es lookup, probe -EAGAIN, complete -EAGAIN. */
static void refusal_page(struct page *p)
{
	uint8_t sub[56] = { 0 }, cpl[40] = { 0 }, prb[28] = { 0 }, es[48] = { 0 };
	uint64_t ud = 0;
	int32_t res = -EAGAIN, found = 1;
	uint32_t lblk = 0, len = 2;

	memset(p, 0, sizeof(*p));
	p->pos = DATA;
	common(sub, 2140);
	memcpy(sub + 24, &ud, 8);
	record(p, 10, sub, sizeof(sub), false);
	put32(p, (3u << 5) | 29);	/* a discarded event: padding, array[0] = all after the header */
	put32(p, 16);
	p->pos += 12;
	put32(p, (5u << 5) | 30);	/* time extend: 1 << 27 + 5 */
	put32(p, 1);
	common(es, 1181);
	memcpy(es + 24, &lblk, 4);
	memcpy(es + 28, &len, 4);
	es[40] = 1;			/* W */
	memcpy(es + 44, &found, 4);
	record(p, 7, es, sizeof(es), false);
	common(prb, 2301);
	memcpy(prb + 24, &res, 4);
	record(p, 1, prb, sizeof(prb), false);
	common(cpl, 2141);
	memcpy(cpl + 24, &ud, 8);
	memcpy(cpl + 32, &res, 4);
	record(p, 1, cpl, sizeof(cpl), true);
	put32(p, 29);			/* the rest of the page is unused */
}

int main(void)
{
	struct rl_raw_decoder d = { 0 };
	struct rl_trace_state st;
	struct rl_eagain_causes out = { .valid = true };
	struct rl_refusal ref = { .offset = 0, .len = 8192, .slot = 0, .first = true };
	const struct rl_trace_thread *t;
	struct page p;
	struct got g = { .n = 0 };
	uint64_t lost = 0, missed = 3;
	pid_t tid = PID;

	parse_all(&d);
	refusal_page(&p);
	finish(&p, 1000, 0);
	CHECK(rl_raw_page(&d, p.b, sizeof(p.b), collect, &g, &lost) == 4, "4 records, got %d", g.n);
	CHECK(g.n == 4 && g.r[0].kind == RL_TR_SUBMIT && g.r[1].kind == RL_TR_ES_LOOKUP &&
	      g.r[2].kind == RL_TR_PROBE && g.r[3].kind == RL_TR_COMPLETE, "kinds in page order");
	CHECK(g.r[0].ts == 1010, "first stamp: page + delta, %llu", (unsigned long long)g.r[0].ts);
	CHECK(g.r[1].ts == 1010 + 3 + (1ull << 27) + 5 + 7, "discarded event's delta, extension: %llu",
	      (unsigned long long)g.r[1].ts);
	CHECK(g.r[0].pid == PID && g.r[0].user_data == 0, "common_pid, user_data");
	CHECK(g.r[1].found && g.r[1].mapping && g.r[1].len == 2 && g.r[1].state == RL_MAP_WRITTEN,
	      "extent found, written");
	CHECK(g.r[2].res == -EAGAIN && g.r[2].probe_flag == RL_EV_RET_MODIFIED, "probe ret sign-extended");
	CHECK(g.r[3].res == -EAGAIN, "long-form record read");
	CHECK(lost == 0, "nothing missed");

	/* The same events as the rules see them: the timestamp update, as from text. */
	CHECK(rl_trace_state_init(&st, &tid, 1, 32, 1 << 20) == 0, "state");
	for (int i = 0; i < g.n; i++)
		rl_trace_feed_rec(&st, &g.r[i]);
	t = rl_trace_thread_find(&st, PID);
	rl_causes_attribute(&out, &ref, 1, t->ev, t->nev, 4096);
	CHECK(out.counts[RL_CAUSE_TIMESTAMP] == 1, "raw records name the timestamp update");
	rl_trace_state_free(&st);

	/* Events the kernel dropped before the page: counted, stored or not. */
	memcpy(p.b + p.pos, &missed, sizeof(missed));
	finish(&p, 1000, 1ull << 31 | 1ull << 30);
	g.n = 0;
	rl_raw_page(&d, p.b, sizeof(p.b), collect, &g, &lost);
	CHECK(lost == 3, "stored missed count: %llu", (unsigned long long)lost);
	finish(&p, 1000, 1ull << 31);
	rl_raw_page(&d, p.b, sizeof(p.b), collect, &g, &lost);
	CHECK(lost == 4, "missed without a count counts one");
	finish(&p, 1000, 0);
	memset(p.b + 8, 0xff, 4);	/* commit past the page */
	CHECK(rl_raw_page(&d, p.b, sizeof(p.b), collect, &g, &lost) == -EINVAL, "malformed page");
	return check_exit();
}
