/* SPDX-License-Identifier: MIT */
/*
 * -EAGAIN causes from recorded trace_pipe lines (6.18, ext4 on loop): each
 * refusal shape is named by its cause, slots pair in order, a missing window
 * is unattributed, return probes (recorded on Debian 7.3.4 under QEMU) name
 * the exit that refused, stale probe definitions are recognised by their dead
 * pid only, and eagain_causes travels through JSON (old runs without it still
 * read).
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "../lib/check.h"
#include "engine/eagain_cause.h"
#include "engine/result_json.h"
#include "engine/trace_events.h"
#include "engine/trace_probes.h"

#define TID 4242
#define PFX "         ringlab-4242    [001] .....  3360.474551: "
#define MISS PFX "ext4_es_lookup_extent_exit: dev 7,1 ino 12 found 0 [0/0) 0 "

static const char *const submit0 =
	PFX "io_uring_submit_req: ring 00000000afb687e9, req 0000000087b20fc3, user_data 0x0, opcode WRITE_FIXED, flags 0x400001, sq_thread 0";
static const char *const submit1 =
	PFX "io_uring_submit_req: ring 00000000afb687e9, req 0000000087b20fc4, user_data 0x1, opcode WRITE_FIXED, flags 0x400001, sq_thread 0";
static const char *const refused0 =
	PFX "io_uring_complete: ring 00000000afb687e9, req 0000000087b20fc3, user_data 0x0, result -11, cflags 0x0 extra1 0 extra2 0 ";
static const char *const refused1 =
	PFX "io_uring_complete: ring 00000000afb687e9, req 0000000087b20fc4, user_data 0x1, result -11, cflags 0x0 extra1 0 extra2 0 ";

/* Feed @lines for one write at @off/@len (4 KiB blocks) into a fresh state; its cause. */
static enum rl_cause one(const char *const *lines, uint64_t off, uint32_t len, int64_t isize)
{
	struct rl_trace_state st;
	struct rl_eagain_causes out = { .valid = true };
	struct rl_refusal r = { .offset = off, .len = len, .slot = 0, .first = true };
	const struct rl_trace_thread *t;
	pid_t tid = TID;
	int c;

	if (rl_trace_state_init(&st, &tid, 1, 32, isize) < 0)
		return RL_CAUSE_MAX;
	for (; *lines; lines++)
		rl_trace_feed_line(&st, *lines);
	t = rl_trace_thread_find(&st, TID);
	rl_causes_attribute(&out, &r, 1, t->ev, t->nev, 4096);
	rl_trace_state_free(&st);
	for (c = 0; c < RL_CAUSE_MAX; c++)
		if (out.counts[c])
			return (enum rl_cause)c;
	return RL_CAUSE_MAX;
}

static void shapes(void)
{
	const char *const extend[] = { submit0, refused0, NULL };
	const char *const mixed[] = { submit0,
		PFX "ext4_es_lookup_extent_exit: dev 7,1 ino 12 found 1 [0/1) 32960 WR",
		refused0, NULL };
	const char *const cold[] = { submit0, MISS,
		PFX "ext4_ext_map_blocks_enter: dev 7,1 ino 12 lblk 0 len 2 flags ",
		PFX "ext4_ext_map_blocks_exit: dev 7,1 ino 12 flags  lblk 0 pblk 32960 len 2 mflags M ret 2",
		refused0, NULL };
	const char *const miss[] = { submit0, MISS, refused0, NULL };
	const char *const unwritten[] = { submit0,
		PFX "ext4_es_lookup_extent_exit: dev 7,1 ino 12 found 1 [0/8) 32960 U",
		refused0, NULL };
	const char *const invalidate[] = { submit0,
		PFX "ext4_es_lookup_extent_exit: dev 7,1 ino 12 found 1 [0/8) 32960 W",
		PFX "iomap_dio_rw_begin: dev 7:1 ino 0xc size 0x28000 offset 0x0 length 0x2000 done_before 0x0 flags NOWAIT|DIRECT|WRITE dio_flags  aio 1",
		refused0, NULL };
	const char *const other_block[] = { submit0,
		PFX "ext4_es_lookup_extent_exit: dev 7,1 ino 12 found 1 [6/1) 32966 WR",
		refused0, NULL };

	CHECK(one(extend, 0, 8192, 0) == RL_CAUSE_EXTEND, "past i_size: extending");
	CHECK(one(extend, 0, 8192, 1 << 20) == RL_CAUSE_LOCK, "inside i_size, no lookup: lock");
	CHECK(one(mixed, 0, 8192, 1 << 20) == RL_CAUSE_ALLOC, "[W][U]: allocation");
	CHECK(one(cold, 0, 8192, 1 << 20) == RL_CAUSE_TIMESTAMP, "tree read, overwrite: privileges");
	CHECK(one(miss, 0, 8192, 1 << 20) == RL_CAUSE_ES_MISS, "cached-only miss");
	CHECK(one(unwritten, 512, 14336, 1 << 20) == RL_CAUSE_UNALIGNED, "unaligned over U");
	CHECK(one(unwritten, 0, 8192, 1 << 20) == RL_CAUSE_TIMESTAMP, "aligned over U passes the lock");
	CHECK(one(invalidate, 0, 8192, 1 << 20) == RL_CAUSE_INVALIDATE, "refused before iomap_iter");
	CHECK(one(other_block, 0, 8192, 1 << 20) == RL_CAUSE_UNKNOWN, "another block's lookup");
}

#define RET(fn, caller, ret) PFX fn ": (" caller " <- " fn ") ret=" ret

/* 7.3.4: refused before any ext4 or iomap event; only the probes tell why. */
static void probes(void)
{
	const char *const modified[] = { submit0,
		RET("kiocb_modified", "ext4_file_write_iter+0x80f/0x8f0", "-11"), refused0, NULL };
	const char *const passed[] = { submit0,
		RET("kiocb_modified", "ext4_file_write_iter+0x80f/0x8f0", "0"), refused0, NULL };
	const char *const update[] = { submit0,
		RET("generic_update_time", "kiocb_modified+0x9a/0xd0", "-11"), refused0, NULL };
	const char *const alloc[] = { submit0,
		PFX "ext4_es_lookup_extent_exit: dev 254,0 ino 12 found 1 [0/1) 32960 W",
		PFX "iomap_dio_rw_begin: dev 254:0 ino 0xc size 0x28000 offset 0x0 length 0x2000 done_before 0x0 flags NOWAIT|DIRECT|WRITE dio_flags  aio 1",
		RET("ext4_iomap_begin", "iomap_iter+0x1b1/0x390", "-11"),
		PFX "iomap_dio_complete: dev 254:0 ino 0xc size 0x28000 offset 0x0 flags NOWAIT|DIRECT|WRITE aio 1 error -11 ret -11",
		refused0, NULL };
	const char *const inval[] = { submit0,
		PFX "iomap_dio_rw_begin: dev 254:0 ino 0xc size 0x28000 offset 0x0 length 0x2000 done_before 0x0 flags NOWAIT|DIRECT|WRITE dio_flags  aio 1",
		RET("kiocb_invalidate_pages", "__iomap_dio_rw+0x2d4/0x8b0", "-11"), refused0, NULL };
	const char *const nosec[] = { submit0,
		RET("ext4_generic_write_checks", "ext4_file_write_iter+0x1a4/0x8f0", "8192"), refused0, NULL };
	const char *const journal[] = { submit0,
		RET("jbd2__journal_start", "__ext4_journal_start_sb+0x10e/0x1a0", "-11"),
		RET("kiocb_modified", "ext4_file_write_iter+0x80f/0x8f0", "-11"), refused0, NULL };

	const struct {
		const char *const *lines;
		enum rl_cause want;
		const char *what;
	} cases[] = {
		{ modified, RL_CAUSE_TIMESTAMP, "kiocb_modified -EAGAIN: timestamp" },
		{ passed, RL_CAUSE_LOCK, "kiocb_modified 0 is no evidence" },
		{ update, RL_CAUSE_TIMESTAMP, "generic_update_time: timestamp" },
		{ alloc, RL_CAUSE_ALLOC, "ext4_iomap_begin: allocation" },
		{ inval, RL_CAUSE_INVALIDATE, "kiocb_invalidate_pages" },
		{ journal, RL_CAUSE_JOURNAL, "a journal start under it wins" },
		{ nosec, RL_CAUSE_TIMESTAMP, "lock taken, no lookup: S_NOSEC's upgrade" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(one(cases[i].lines, 0, 8192, 1 << 20) == cases[i].want, "%s", cases[i].what);
	CHECK(rl_trace_probe_flag("kiocb_modified", 14) == RL_EV_RET_MODIFIED, "probe table");
	CHECK(rl_trace_probe_flag("kiocb_modifie", 13) == 0, "names match whole");
}

static bool alive_4242(int pid)
{
	return pid == 4242;
}

/* Only ringlab groups of dead processes are stale; others' probes are never touched. */
static void stale(void)
{
	char out[128];

	CHECK(rl_trace_probe_stale_line("f:ringlab_77_3/kiocb_modified kiocb_modified%return ret=$retval:s32\n",
					alive_4242, out, sizeof(out)) &&
	      !strcmp(out, "ringlab_77_3/kiocb_modified"), "a dead pid's fprobe: %s", out);
	CHECK(rl_trace_probe_stale_line("r10:ringlab_77_0/ext4_iomap_begin ext4_iomap_begin ret=$retval:s32",
					alive_4242, out, sizeof(out)) &&
	      !strcmp(out, "ringlab_77_0/ext4_iomap_begin"), "a dead pid's kretprobe: %s", out);
	CHECK(!rl_trace_probe_stale_line("f:ringlab_4242_0/kiocb_modified kiocb_modified%return",
					 alive_4242, out, sizeof(out)), "a live pid's probe stays");
	CHECK(!rl_trace_probe_stale_line("p:kprobes/myprobe do_sys_open", alive_4242, out, sizeof(out)),
	      "someone else's probe stays");
	CHECK(!rl_trace_probe_stale_line("f:ringlabx_77/f f%return", alive_4242, out, sizeof(out)),
	      "a look-alike group stays");
	CHECK(!rl_trace_probe_stale_line("r:ringlab_77/", alive_4242, out, 8), "too long for @out");
}

/* Slots pair in order whatever the interleaving; a refusal with no trace is unattributed. */
static void pairing(void)
{
	const char *const lines[] = {
		submit0, PFX "ext4_es_lookup_extent_enter: dev 7,1 ino 12 lblk 0",
		PFX "ext4_es_lookup_extent_exit: dev 7,1 ino 12 found 1 [0/1) 32960 WR",
		submit1, refused1, refused0,
		"CPU:1 [LOST 7 EVENTS]", NULL };
	struct rl_refusal r[] = {
		{ .offset = 0, .len = 8192, .slot = 0, .first = true },
		{ .offset = 1 << 20, .len = 8192, .slot = 1, .first = true },	/* past i_size */
		{ .offset = 8192, .len = 8192, .slot = 0, .first = true },	/* lost */
		{ .offset = 16384, .len = 8192, .slot = 1, .first = false },	/* a retry: not counted */
	};
	struct rl_eagain_causes out = { .valid = true };
	const struct rl_trace_thread *t;
	struct rl_trace_state st;
	pid_t tid = TID;

	CHECK(rl_trace_state_init(&st, &tid, 1, 32, 1 << 20) == 0, "init");
	for (const char *const *l = lines; *l; l++)
		rl_trace_feed_line(&st, *l);
	t = rl_trace_thread_find(&st, TID);
	CHECK(t && t->nev == 2, "two refusals traced");
	CHECK(st.lost == 7, "lost events counted: %llu", (unsigned long long)st.lost);
	rl_causes_attribute(&out, r, 4, t->ev, t->nev, 4096);
	CHECK(out.counts[RL_CAUSE_ALLOC] == 1, "slot 0 first refusal: allocation");
	CHECK(out.counts[RL_CAUSE_EXTEND] == 1, "slot 1: extending");
	CHECK(out.unattributed == 1, "slot 0 second refusal unattributed: %llu",
	      (unsigned long long)out.unattributed);
	rl_trace_state_free(&st);
	CHECK(rl_trace_thread_find(&st, TID) == NULL, "freed");
}

static void json(void)
{
	struct rl_cell c = { .eagain = 5 }, back;
	struct rl_err err = { "" };
	double share;
	cJSON *j;

	snprintf(c.workload, sizeof(c.workload), "w");
	c.causes.valid = true;
	c.causes.status = RL_CAUSES_PARTIAL;
	c.causes.counts[RL_CAUSE_EXTEND] = 3;
	c.causes.counts[RL_CAUSE_LOCK] = 1;
	c.causes.unattributed = 1;
	j = rl_cell_to_json(&c);
	CHECK(j && cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "eagain_causes"),
							     "counts"), "extending_write"),
	      "eagain_causes.counts.extending_write written");
	CHECK(rl_cell_from_json(j, &back, &err) == 0, "read back: %s", err.msg);
	CHECK(back.causes.valid && back.causes.counts[RL_CAUSE_EXTEND] == 3 &&
	      back.causes.unattributed == 1 && back.causes.status == RL_CAUSES_PARTIAL, "round trip");
	CHECK(rl_causes_top(&back.causes, &share) == RL_CAUSE_EXTEND && share == 0.6, "top 60%%");
	cJSON_DeleteItemFromObject(j, "eagain_causes");
	CHECK(rl_cell_from_json(j, &back, &err) == 0, "a run from before eagain_causes: %s", err.msg);
	CHECK(!back.causes.valid, "reads as not traced");
	cJSON_Delete(j);
}

int main(void)
{
	shapes();
	probes();
	stale();
	pairing();
	json();
	return check_exit();
}
