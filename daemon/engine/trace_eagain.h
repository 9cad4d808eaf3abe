/* SPDX-License-Identifier: MIT */
/*
 * Kernel tracepoints around refused RWF_NOWAIT writes, read through a
 * private tracefs instance (instances/ringlab-<pid>[.<n>]) limited to the
 * job threads (and the io-wq workers they fork): io_uring submissions and
 * refused completions delimit each write's window, ext4 extent lookups and
 * iomap direct-I/O events inside it, and the return probes of
 * trace_probes.c where the kernel has them, are the evidence eagain_cause.c
 * names a cause from. They are read from the per-CPU binary buffers
 * (trace_raw.c), else as trace_pipe text. The instance and the probes exist
 * only while a cell runs; those left behind by a process that died are
 * removed by the next start.
 */
#ifndef RINGLAB_DAEMON_ENGINE_TRACE_EAGAIN_H
#define RINGLAB_DAEMON_ENGINE_TRACE_EAGAIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "eagain_cause.h"
#include "util/err.h"

struct rl_trace_eagain;

/*
 * rl_trace_eagain_probe() - what this kernel offers for attributing
 * refusals, as one line for the run's environment ("tracepoints via
 * /sys/kernel/tracing: io_uring, ext4 es lookups, iomap dio"), or why
 * nothing ("unavailable: ..."), and in @probes_desc the return probes it
 * adds (trace_probes.h: "fprobe return probes ... on kiocb_modified ..." or
 * "none: ..."; left alone when tracing cannot run). Mounts tracefs on
 * /sys/kernel/tracing when it is not mounted anywhere. Returns 0 when
 * tracing can run, -errno when not.
 */
int rl_trace_eagain_probe(char *desc, size_t size, char *probes_desc, size_t psize);

/*
 * rl_trace_eagain_start() - remove stale instances and probes, create this
 * cell's instance and return probes (where the kernel has them), limit it to
 * @tids (and their forks), filter the file events to the inode of @fd,
 * enable the events and start reading. @nslots bounds the
 * user_data values (slots) of the jobs' writes. Returns 0 with *@out set,
 * or -errno with @err saying why (nothing is left behind).
 */
int rl_trace_eagain_start(struct rl_trace_eagain **out, const pid_t *tids, uint32_t ntids,
			  uint32_t nslots, int fd, struct rl_err *err);

/*
 * rl_trace_eagain_stop() - stop tracing, read what is left, disable the
 * events, remove the instance and then the cell's probes. Evidence stays readable until
 * rl_trace_eagain_free(). Returns 0, or -errno when the instance could not
 * be removed (the next start removes it).
 */
int rl_trace_eagain_stop(struct rl_trace_eagain *t);

/* rl_trace_eagain_evidence() - the refused writes of thread @tid, in order; *@n of them. */
const struct rl_refusal_evidence *rl_trace_eagain_evidence(const struct rl_trace_eagain *t,
							   pid_t tid, size_t *n);

/* rl_trace_eagain_lost() - events the kernel dropped (ring full) or the reader could not keep. */
uint64_t rl_trace_eagain_lost(const struct rl_trace_eagain *t);

/* rl_trace_eagain_free() - stop if still running, free. Accepts NULL. */
void rl_trace_eagain_free(struct rl_trace_eagain *t);

/*
 * rl_trace_eagain_reap_stale() - remove every ringlab-<pid> instance, and
 * then every ringlab_<pid>_<seq> probe, whose process is gone. Returns how many were removed, or -errno when tracefs
 * cannot be read.
 */
int rl_trace_eagain_reap_stale(void);

/* rl_trace_eagain_dir() - the tracefs root found or mounted by probe/start, "" before. */
const char *rl_trace_eagain_dir(void);

#endif
