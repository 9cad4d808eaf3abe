#!/bin/sh
# reload.sh: tests/api/reload.sh with ringlabd's store on a real PostgreSQL (tests/lib/pg.sh starts it; 77 without one).
RL_TEST_STORE=postgresql
export RL_TEST_STORE
exec sh "$top_srcdir/tests/api/reload.sh"
