#!/bin/sh
# lifecycle.sh: tests/api/lifecycle.sh with ringlabd's store on a real PostgreSQL (tests/lib/pg.sh starts it; 77 without one).
RL_TEST_STORE=postgresql
export RL_TEST_STORE
exec bash "$top_srcdir/tests/api/lifecycle.sh"
