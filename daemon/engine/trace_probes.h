/* SPDX-License-Identifier: MIT */
/*
 * Function-return probes on the kernel functions that return -EAGAIN on the
 * RWF_NOWAIT write paths, where the running kernel offers them (fprobe
 * events through dynamic_events, else kretprobes through kprobe_events).
 * They name causes no tracepoint can: on 7.3 a refused aligned overwrite
 * emits no ext4 or iomap event before kiocb_modified() says no. The
 * functions were read from fs/inode.c, fs/ext4/{file,inode}.c,
 * mm/filemap.c and fs/jbd2/transaction.c of Debian's 7.2.13 and 7.3.4
 * (and checked against their available_filter_functions: ext4_dio_write_checks,
 * ext4_iomap_alloc and file_modified_flags are inlined there, so their
 * callers are probed). Each traced cell makes its own probe group
 * ringlab_<pid>_<seq>, enables it only in its private instance with a
 * kernel-side "ret == -11" filter, and removes it when the cell ends; a
 * group whose process is gone is removed by the next start.
 */
#ifndef RINGLAB_DAEMON_ENGINE_TRACE_PROBES_H
#define RINGLAB_DAEMON_ENGINE_TRACE_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define RL_PROBE_GROUP_MAX 48
#define RL_PROBES_MAX 8

enum rl_probe_kind { RL_PROBE_NONE, RL_PROBE_FPROBE, RL_PROBE_KRETPROBE, RL_PROBE_KIND_MAX };

/* One cell's probes: the group and which of the table's functions it holds. */
struct rl_trace_probes {
	enum rl_probe_kind kind;
	char group[RL_PROBE_GROUP_MAX];
	uint32_t made;			/* bit i: the table's function i has a probe */
};

/*
 * rl_tracefs_write() - write @val to @dir/@rel, truncating it, or appending
 * with @append (probe definition files: truncating one removes every probe
 * in the kernel). Returns 0 or -errno.
 */
int rl_tracefs_write(const char *dir, const char *rel, const char *val, bool append);

/* rl_trace_pid_alive() - whether process @pid exists (EPERM counts as alive). */
bool rl_trace_pid_alive(int pid);

/*
 * rl_trace_probes_offer() - what the kernel under tracefs @root offers,
 * decided once per process: fprobes, else kretprobes, else none, and which
 * of the functions are probeable. @desc gets one line for the run's
 * environment ("fprobe return probes on kiocb_modified, ...",
 * or "none: ..."). Returns the kind.
 */
enum rl_probe_kind rl_trace_probes_offer(const char *root, char *desc, size_t size);

/*
 * rl_trace_probes_create() - make the probes of group @group (at most
 * RL_PROBE_GROUP_MAX - 1 characters, [A-Za-z0-9_]) under @root. Returns the
 * number made (0 where the kernel offers none), or -errno with @err saying
 * why; then nothing is left behind.
 */
int rl_trace_probes_create(struct rl_trace_probes *p, const char *root, const char *group,
			   struct rl_err *err);

/*
 * rl_trace_probes_enable() - enable @p's events in the instance @dir, each
 * filtered to -EAGAIN returns. Returns 0 or -errno with @err naming the event.
 */
int rl_trace_probes_enable(const struct rl_trace_probes *p, const char *dir, struct rl_err *err);

/*
 * rl_trace_probes_remove() - remove @p's probes (disable them in the
 * instance first: removing the instance does). Returns 0, or the first
 * -errno (the next start removes what is left).
 */
int rl_trace_probes_remove(struct rl_trace_probes *p, const char *root);

/*
 * rl_trace_probes_reap_stale() - remove every ringlab_<pid>_<seq> probe
 * whose process is gone. Returns how many were removed, or -errno when
 * neither probe file can be read.
 */
int rl_trace_probes_reap_stale(const char *root);

/*
 * rl_trace_probe_flag() - the evidence flag (enum rl_evidence_flag) of the
 * probe event named @ev (@len bytes), 0 when it is none of ours.
 */
uint32_t rl_trace_probe_flag(const char *ev, size_t len);

/* rl_trace_probe_fn() - the function of the table's probe @i (bit i of .made), NULL past the end. */
const char *rl_trace_probe_fn(size_t i);

/*
 * rl_trace_probe_stale_line() - for one line of dynamic_events or
 * kprobe_events, whether it is a ringlab probe of a process @alive says is
 * gone: then copies its "group/event" into @out and returns true. Split out
 * to be testable on recorded lines.
 */
bool rl_trace_probe_stale_line(const char *line, bool (*alive)(int pid), char *out, size_t size);

#endif
