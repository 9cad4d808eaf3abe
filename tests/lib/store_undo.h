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
