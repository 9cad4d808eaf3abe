#!/bin/sh
# store_units.sh: the store's unit tests (test_store, test_store_nightly, test_store_summary, test_store_import, test_store_fleet, test_store_pg, test_store_v9) on a real PostgreSQL, a fresh database each.
. "$top_srcdir/tests/lib/pg.sh"
pg_require
pg_start

status=0
for t in test_store test_store_nightly test_store_summary test_store_import test_store_fleet test_store_pg test_store_v9; do
	[ -x "$top_builddir/tests/unit/$t" ] || { echo "FAIL: tests/unit/$t is not built" >&2; exit 1; }
	conninfo=$(pg_createdb "$t")
	echo "--- $t on PostgreSQL ($conninfo)"
	if ! RL_TEST_STORE=postgresql RL_TEST_PG_CONNINFO=$conninfo "$top_builddir/tests/unit/$t"; then
		echo "FAIL: $t on PostgreSQL" >&2
		status=1
	fi
done
exit $status
