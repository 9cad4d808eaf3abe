/* SPDX-License-Identifier: MIT */
/*
 * What a run records. Measured once into these structs; the JSON writer, the
 * text table and the store all read them and do no arithmetic of their own.
 * Times are nanoseconds unless the name says _s.
 */
#ifndef RINGLAB_DAEMON_ENGINE_RESULT_H
#define RINGLAB_DAEMON_ENGINE_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eagain_cause.h"
#include "workload.h"

#define RL_ERRNO_SLOTS 8
#define RL_MISMATCH_MAX 16

enum rl_expect_status {
	RL_EXPECT_NONE,		/* the workload expects nothing on this kernel */
	RL_EXPECT_MET,
	RL_EXPECT_UNMET,
	RL_EXPECT_MAX
};

struct rl_errno_count {
	int err;		/* positive errno */
	uint64_t count;
};

/* valid is false when nothing completed: no latency to report (null in JSON). */
struct rl_latency {
	bool valid;
	uint64_t p50, p90, p99, p999, max, mean;
};

/* /proc/fs/ext4/<dev>/es_shrinker_info */
struct rl_es_stats {
	bool valid;
	uint64_t objects, reclaimable, hits, misses;
};

/* /sys/dev/block/M:m/stat (Documentation/block/stat.rst) */
struct rl_disk_stats {
	bool valid;
	uint64_t rd_ios, rd_merges, rd_sectors, rd_ticks_ms;
	uint64_t wr_ios, wr_merges, wr_sectors, wr_ticks_ms;
	uint64_t in_flight, io_ticks_ms, time_in_queue_ms;
};

enum rl_verify_status {
	RL_VERIFY_SKIPPED,	/* workload said verify: false, or the cell failed first */
	RL_VERIFY_OK,
	RL_VERIFY_FAILED,
	RL_VERIFY_MAX
};

/*
 * What a bad block holds, decoded from its first differing word (verify_found.c).
 * Runs written before this existed read as RL_FOUND_UNCLASSIFIED. The store
 * keeps counts in this order (cell_summaries.found): add kinds at the end.
 */
enum rl_found_kind {
	RL_FOUND_UNCLASSIFIED,
	RL_FOUND_LAYOUT_LOST,	/* zeros where the layout wrote data */
	RL_FOUND_WRITE_LOST,	/* zeros where a completed write's data belongs */
	RL_FOUND_LAYOUT,	/* the layout's data where a completed write's belongs */
	RL_FOUND_OLDER_WRITE,	/* an earlier write's data where a later completed one's belongs */
	RL_FOUND_REFUSED_WRITE,	/* data of a NOWAIT write that returned -EAGAIN */
	RL_FOUND_UNRECORDED,	/* a generation no completed or refused write had here */
	RL_FOUND_MISPLACED,	/* this file's data of another offset */
	RL_FOUND_FOREIGN,	/* not this file's pattern: another file's or stale blocks */
	RL_FOUND_MAX
};

struct rl_found {
	enum rl_found_kind kind;
	uint32_t gen;		/* the pattern generation found (pattern kinds) */
	uint64_t offset;	/* the offset whose data it is (pattern kinds) */
};

/* Bad blocks counted by what they hold; valid once one was (null in JSON otherwise). */
struct rl_found_counts {
	bool valid;
	uint64_t n[RL_FOUND_MAX];
};

/*
 * Consecutive blocks (the workload's block_size) each holding at least one
 * byte that differs: a corrupted block is one range however many of its
 * bytes happen to match. Runs written before ranges were blocks hold byte
 * ranges, every byte bad (bytes_bad = length, first_bad = offset).
 */
struct rl_mismatch {
	uint64_t offset, length;	/* the blocks, clipped to the file's end */
	uint64_t bytes_bad;		/* bytes that differ in them */
	uint64_t first_bad;		/* offset of the first that does */
	uint8_t expected[8], found[8];	/* the bytes from first_bad on */
	bool zeros;			/* every differing byte read 0: a lost write or bad zeroing */
	struct rl_found found_as;	/* what its first bad block holds */
};

struct rl_verify_result {
	enum rl_verify_status status;
	uint64_t bytes_checked, bytes_bad, bytes_skipped;
	uint64_t ranges_total;		/* all mismatch ranges (of blocks) ... */
	uint32_t nranges;		/* ... of which the first nranges are kept */
	struct rl_mismatch ranges[RL_MISMATCH_MAX];
	struct rl_found_counts found_blocks;	/* every bad block, by what it holds */
};

/* One workload x jobs x repetition. */
struct rl_cell {
	char workload[RL_NAME_MAX];
	uint32_t jobs, rep;		/* rep counts from 1 */
	uint64_t attempts;		/* first attempts */
	uint64_t ops, bytes;		/* completed in full; 0: IOPS and latency are n/a */
	uint64_t eagain;		/* first attempts answered -EAGAIN */
	uint64_t retries, gave_up, short_ios;
	uint32_t nerrors;
	struct rl_errno_count errors[RL_ERRNO_SLOTS];	/* other errors by errno */
	double elapsed_s, iops, bw_bytes_s, eagain_rate;	/* iops, bw NaN when ops is 0 */
	struct rl_latency lat;		/* completion latency */
	uint64_t enter_calls, enter_ns;	/* io_uring_enter for submission */
	struct rl_latency enter;
	double cpu_user_s, cpu_sys_s;
	uint64_t ctx_voluntary, ctx_involuntary;
	uint32_t iowq_workers_max;
	struct rl_es_stats es_before, es_after;
	struct rl_disk_stats disk_before, disk_after;
	uint32_t layout_extents;	/* FIEMAP extents of the laid-out file */
	/*
	 * Extents in the file's extent status cache just before the first
	 * write (EXT4_IOC_GET_ES_CACHE): 0 for a cold cell; -1 not known (the
	 * null engine, a kernel without the ioctl, a run recorded before).
	 */
	int32_t es_cached_extents;
	double layout_s;
	struct rl_verify_result verify;
	enum rl_expect_status expect;	/* workload's expect.eagain_rate vs eagain_rate */
	struct rl_eagain_causes causes;	/* eagain by kernel cause (trace_eagain on) */
	bool failed;			/* an error, a failed verification or an unmet expectation */
	char error[RL_ERR_MSG_MAX];
};

/*
 * The QEMU guest a run was made in, as kernel-patches/vm-run.sh put it on the
 * guest's kernel command line (ringlab.variant=, ringlab.accel=, ...): job
 * parallelism depends on it, so comparisons flag runs whose accelerator or
 * vCPUs differ. valid is false outside such a guest.
 */
struct rl_env_vm {
	bool valid;
	char variant[64];		/* ringlab.variant: the manifest or FAMILY:VERSION */
	char accel[16];			/* ringlab.accel: kvm, tcg */
	char tcg_thread[16];		/* ringlab.tcg_thread: multi, single; "" under KVM */
	uint32_t vcpus;			/* ringlab.vcpus; 0 not said */
	char cpu[64];			/* ringlab.cpu: QEMU's CPU model */
};

/*
 * A machine as runs name it: the lab host a guest ran on (set by the lab side,
 * kernel-patches/vm-run.sh, when the guest's JSON comes back). valid is false
 * for a run made on the machine itself.
 */
struct rl_env_host {
	bool valid;
	char hostname[65];
	char machine_id[33];		/* /etc/machine-id; "" unknown */
	char cpu_model[128];		/* /proc/cpuinfo's model name */
};

/* The environment of a run: kernel, target, device, io_uring. */
struct rl_env {
	char kernel_release[65];
	char kernel_version[128];
	char cmdline[1024];
	char hostname[65];
	char machine[32];
	char machine_id[33];		/* /etc/machine-id; "" unknown */
	char cpu_model[128];		/* /proc/cpuinfo's model name; "" unknown */
	uint32_t cpus;
	char ringlab_version[32];
	char dir[512];			/* the target directory */
	char fs_type[32];
	char mount_source[256];
	char mount_options[512];
	uint32_t fs_block_size;
	char device[64];		/* e.g. loop0, sda1 */
	char device_model[128];
	char backing_file[512];		/* loop devices */
	bool rotational;
	char scheduler[64];
	uint32_t logical_block_size;
	uint32_t uring_setup_flags;	/* the flags the rings were set up with */
	char uring_setup[256];		/* the same, by name */
	char uring_features[512];	/* IORING_FEAT_* by name */
	char uring_opcodes[256];	/* the opcodes actually used */
	char label[128];
	char kernel_tag[64];
	/* Derived from a kernel_tag of the form FAMILY:VERSION (a series family member); "" else. */
	char kernel_family[64];
	char kernel_family_version[64];
	char eagain_trace[256];		/* how refusals are attributed here, or why not; "" off */
	char eagain_probes[256];	/* the return probes added to it, "none: why"; "" off */
	struct rl_env_vm vm;		/* derived from cmdline */
	struct rl_env_host lab_host;	/* the machine the guest ran on; invalid outside a guest */
};

enum rl_run_status {
	RL_RUN_QUEUED, RL_RUN_RUNNING, RL_RUN_DONE, RL_RUN_FAILED, RL_RUN_ABORTED,
	RL_RUN_MAX
};

struct rl_run {
	char suite[RL_NAME_MAX];	/* or the workload name when run alone */
	double scale;
	enum rl_run_status status;
	char error[RL_ERR_MSG_MAX];
	int64_t started_ns, finished_ns;	/* CLOCK_REALTIME */
	struct rl_env env;
	struct rl_workload *workloads;
	size_t nworkloads;
	struct rl_cell *cells;
	size_t ncells, cells_cap;
};

const char *rl_run_status_name(enum rl_run_status s);
const char *rl_verify_status_name(enum rl_verify_status s);
const char *rl_expect_status_name(enum rl_expect_status s);

/* rl_run_add_cell() - append a copy of @c. Returns 0 or -ENOMEM. */
int rl_run_add_cell(struct rl_run *run, const struct rl_cell *c);
void rl_run_free(struct rl_run *run);

/* rl_run_workload() - the entry of run->workloads named @name, or NULL if there is none. */
const struct rl_workload *rl_run_workload(const struct rl_run *run, const char *name);

/*
 * rl_cell_completed() - whether @c completed any I/O, i.e. has an IOPS and a
 * latency. A `count` cell whose every first attempt was refused has
 * neither: n/a, never "0 IOPS" (and then it is judged on EAGAIN alone).
 */
static inline bool rl_cell_completed(const struct rl_cell *c)
{
	return c->ops > 0;
}

/*
 * One workload x jobs over its repetitions, for tables and comparisons.
 * Medians and rates are computed by rl_cell_summary() so formatters only print.
 * "Measured" cells are those that did not fail before completing any I/O.
 */
struct rl_cell_summary {
	uint32_t reps;			/* cells found */
	uint32_t measured;		/* of which measured ... */
	uint32_t completed;		/* ... and completed I/O: the IOPS and latency below */
	double iops_median, iops_min, iops_max;	/* NaN when none completed: n/a */
	double bw_median;		/* bytes/s; NaN when none completed */
	uint64_t attempts, eagain;	/* sums over all repetitions */
	double eagain_rate;		/* eagain / attempts; < 0: no NOWAIT first attempts */
	/* The repetitions' own EAGAIN rates (those with NOWAIT first attempts). */
	uint32_t eagain_reps;
	double eagain_min, eagain_max, eagain_sd;	/* NaN without eagain_reps */
	bool unstable;			/* the repetitions disagree (stats/rates.h) */
	bool timing_dependent;		/* retry-blocking: a rate that moves with timing */
	uint64_t p99_max;		/* worst p99 completion latency, ns; 0 when n/a */
	uint32_t verify_ok, verify_failed;
	uint32_t expect_met, expect_unmet;
	uint32_t failed;		/* cells with failed set */
	uint64_t errors;		/* other errors, all errnos and repetitions */
	struct rl_eagain_causes causes;	/* summed over the repetitions that traced */
};

/*
 * rl_cell_summary() - summarise the cells of @workload at @jobs in @run.
 * Returns the number of cells found (0: none, @out zeroed with eagain_rate
 * -1), or -ENOMEM.
 */
int rl_cell_summary(const struct rl_run *run, const char *workload, uint32_t jobs,
		    struct rl_cell_summary *out);

#endif
