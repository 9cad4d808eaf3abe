/* SPDX-License-Identifier: MIT */
/* Later migrations taken back, for the tests that make an older store out of a new one. */
#ifndef RINGLAB_TESTS_LIB_STORE_UNDO_H
#define RINGLAB_TESTS_LIB_STORE_UNDO_H

/*
 * What migrations 8 (the fleet's kernel), 7 (a fleet run's cancel request),
 * 6 (the fleet's columns), 5 (cell summaries, packed details) and 4 (the
 * runs' host columns) added, taken away again, in either dialect: a test
 * makes an older store out of a new one with STORE_TEST_UNDO_V8
 * STORE_TEST_UNDO_V7 STORE_TEST_UNDO_V6 STORE_TEST_UNDO_V5
 * STORE_TEST_UNDO_V4, newest first.
 */
/*
 * Migration 9 (cell_summaries narrow, the causes' counts packed) taken back
 * with every row: the version 5 table again, each count out of
 * cause_counts by COUNT(k), a macro of the dialect's that reads the k-th
 * (0..10) as an integer, 0 when the column is NULL:
 * STORE_TEST_UNDO_V9(STORE_TEST_V9_COUNT_SQLITE) or (..._PG). The types are
 * PostgreSQL's names for what version 5 made there, which SQLite reads alike.
 */
#define STORE_TEST_V9_COUNT_SQLITE(k) "COALESCE(json_extract('[' || cause_counts || ']', '$[" #k "]'), 0)"
#define STORE_TEST_V9_COUNT_PG(k) "COALESCE(CAST((string_to_array(cause_counts, ','))[" #k " + 1] AS BIGINT), 0)"
#define STORE_TEST_UNDO_V9(COUNT) \
	"CREATE TABLE cell_summaries_v8 (" \
	" run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE," \
	" seq BIGINT NOT NULL CHECK (seq >= 0)," \
	" workload_id BIGINT NOT NULL REFERENCES workload_names (id)," \
	" jobs BIGINT NOT NULL, rep BIGINT NOT NULL, attempts BIGINT NOT NULL," \
	" ops BIGINT NOT NULL, eagain BIGINT NOT NULL, iops DOUBLE PRECISION, bw DOUBLE PRECISION, elapsed_s DOUBLE PRECISION," \
	" p99_ns BIGINT, verify BIGINT NOT NULL CHECK (verify IN (0, 1, 2))," \
	" expect BIGINT NOT NULL CHECK (expect IN (0, 1, 2))," \
	" failed BIGINT NOT NULL CHECK (failed IN (0, 1)), errors BIGINT NOT NULL," \
	" nowait BIGINT NOT NULL CHECK (nowait IN (0, 1))," \
	" timing BIGINT NOT NULL CHECK (timing IN (0, 1))," \
	" causes BIGINT CHECK (causes IN (0, 1, 2)), inode_lock BIGINT NOT NULL," \
	" timestamp_update BIGINT NOT NULL, extent_cache_miss BIGINT NOT NULL," \
	" allocation BIGINT NOT NULL, unaligned_zeroing BIGINT NOT NULL," \
	" extending_write BIGINT NOT NULL, invalidation BIGINT NOT NULL," \
	" journal_start BIGINT NOT NULL, other BIGINT NOT NULL, unknown BIGINT NOT NULL," \
	" unattributed BIGINT NOT NULL, found TEXT);" \
	" INSERT INTO cell_summaries_v8 SELECT run_id, seq, workload_id, jobs, rep, attempts," \
	" ops, eagain, iops, bw, elapsed_s, p99_ns, verify, expect, failed, errors, nowait," \
	" timing, causes, " COUNT(0) ", " COUNT(1) ", " COUNT(2) ", " COUNT(3) ", " COUNT(4) \
	", " COUNT(5) ", " COUNT(6) ", " COUNT(7) ", " COUNT(8) ", " COUNT(9) ", " COUNT(10) \
	", found FROM cell_summaries;" \
	" DROP TABLE cell_summaries; ALTER TABLE cell_summaries_v8 RENAME TO cell_summaries;" \
	" CREATE INDEX cell_summaries_run ON cell_summaries (run_id, workload_id, jobs, seq); "
#define STORE_TEST_UNDO_V8 "ALTER TABLE runs DROP COLUMN fleet_kernel; "
#define STORE_TEST_UNDO_V7 "ALTER TABLE runs DROP COLUMN cancel_request; "
#define STORE_TEST_UNDO_V6                                                                     \
	"DROP INDEX runs_fleet; DROP INDEX runs_lease;"                                        \
	" ALTER TABLE runs DROP COLUMN fleet_host; ALTER TABLE runs DROP COLUMN fleet_target;" \
	" ALTER TABLE runs DROP COLUMN lease_owner; ALTER TABLE runs DROP COLUMN lease_expires; "
#define STORE_TEST_UNDO_V5                                                                     \
	"DROP TABLE cell_summaries; DROP TABLE run_details; DROP TABLE workload_names;"       \
	" ALTER TABLE runs DROP COLUMN ncells; ALTER TABLE runs DROP COLUMN failed_cells;"    \
	" ALTER TABLE runs ADD COLUMN workloads TEXT; "
#define STORE_TEST_UNDO_V4                                                                     \
	"DROP INDEX runs_host; DROP INDEX runs_machine_id; DROP INDEX cells_run_failed;"      \
	" ALTER TABLE runs DROP COLUMN host; ALTER TABLE runs DROP COLUMN machine_id;"        \
	" ALTER TABLE runs DROP COLUMN cpu_model; ALTER TABLE runs DROP COLUMN device_model;" \
	" ALTER TABLE runs DROP COLUMN guest_host; "

#endif
