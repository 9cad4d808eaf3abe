#!/bin/sh
# workloads_files.sh: the workload catalog of a ringlabd installed out of its build tree: links out of workloads_dir are not followed, no file text is served, bad files (malformed, a FIFO, a wrong name) are skipped and listed under "errors", and only workloads_dir is searched; a missing web_dir or workloads_dir is logged at start-up and the dashboard's 404 names web_dir.
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq
loopfs_create 64

# An "installed" daemon: the same binary, outside the build tree it was built in.
mkdir -p "$DAEMON_DIR/bin" "$DAEMON_DIR/wl/suites"
cp "$DAEMON_BIN" "$DAEMON_DIR/bin/ringlabd" || fail "cannot copy $DAEMON_BIN"
DAEMON_BIN=$DAEMON_DIR/bin/ringlabd

secret='root:SECRET-e1f2a3:19000:0:99999:7:::'
printf '%s\n' "$secret" >"$DAEMON_DIR/shadow"
cp "$top_srcdir/workloads/nw-overwrite-aligned.json" "$DAEMON_DIR/wl/"
printf '{"name": "mini", "description": "one workload", "workloads": ["nw-overwrite-aligned"]}\n' \
	>"$DAEMON_DIR/wl/suites/mini.json"
ln -s "$DAEMON_DIR/shadow" "$DAEMON_DIR/wl/shadow.json"
ln -s "$DAEMON_DIR/shadow" "$DAEMON_DIR/wl/suites/evil.json"
ln -s ../../shadow "$DAEMON_DIR/wl/relative.json"
printf '{"name": "bad", %s\n' "$secret" >"$DAEMON_DIR/wl/bad.json"
mkfifo "$DAEMON_DIR/wl/fifo"
ln -s fifo "$DAEMON_DIR/wl/fifo.json"
ln -s nw-overwrite-aligned.json "$DAEMON_DIR/wl/alias.json"

DAEMON_WORKLOADS=$DAEMON_DIR/wl
daemon_config scratch="$LOOPFS_DIR" --keys "\"web_dir\": \"$DAEMON_DIR/no-web\""
daemon_up -c "$DAEMON_DIR/ringlabd.json"
# No dashboard installed: the log and the 404 say so, naming web_dir, not "no such file: /".
grep -q "ringlabd: web_dir $DAEMON_DIR/no-web: No such file or directory: the dashboard answers 404" \
	"$DAEMON_DIR/rld.log" || fail "no warning of the missing web_dir in the log: $(cat "$DAEMON_DIR/rld.log")"
expect 404 GET /
jqe ".error == \"no dashboard here: web_dir '$DAEMON_DIR/no-web': No such file or directory (ringlabd --web DIR or web_dir names it)\""

# no_secret: the last body quotes nothing of the files.
no_secret() { grep -q SECRET "$DAEMON_DIR/body" && fail "$_m $_p serves file content: $(head -c 600 "$DAEMON_DIR/body")"; return 0; }

expect 200 GET /api/v1/workloads
no_secret
jqe '[.workloads[].name] == ["nw-overwrite-aligned"]'
jqe '[.suites[].name] == ["mini"] and .suites[0].workloads == ["nw-overwrite-aligned"]'
jqe '.errors | length == 6'
for f in shadow.json suites/evil.json relative.json; do
	jqe ".errors[] | select(.file == \"$DAEMON_DIR/wl/$f\") | .error | test(\"link out of\")"
done
jqe ".errors[] | select(.file == \"$DAEMON_DIR/wl/bad.json\") | .error | test(\"line 1, column [0-9]+: malformed JSON\")"
jqe ".errors[] | select(.file == \"$DAEMON_DIR/wl/fifo.json\") | .error | test(\"not a regular file\")"
jqe ".errors[] | select(.file == \"$DAEMON_DIR/wl/alias.json\") | .error | test(\"does not match the file name\")"

# Naming one of them in a run: refused the same way, nothing quoted.
JSON="Content-Type: application/json"
for what in '"workload": "shadow"' '"workload": "bad"' '"suite": "evil"' '"workload": "fifo"'; do
	expect 400 POST /api/v1/runs -H "$JSON" --data-binary "{$what, \"target\": \"scratch\"}"
	no_secret
done
# The build tree is not searched: the source tree's seed suite is unknown here.
expect 400 POST /api/v1/runs -H "$JSON" --data-binary '{"suite": "seed"}'
jqe ".error | test(\"no workload or suite named 'seed' in $DAEMON_DIR/wl\$\")"
daemon_stop

# The daemon in its build tree still finds the source tree's workloads after workloads_dir.
DAEMON_BIN=$top_builddir/ringlabd
daemon_up -c "$DAEMON_DIR/ringlabd.json"
expect 200 GET /api/v1/workloads
jqe '[.suites[].name] | index("seed") != null and index("mini") != null'
no_secret
daemon_stop

# A workloads_dir that is not there is said at start-up (the API still answers).
mv "$DAEMON_DIR/wl" "$DAEMON_DIR/wl-gone"
daemon_up -c "$DAEMON_DIR/ringlabd.json"
grep -q "ringlabd: workloads_dir $DAEMON_DIR/wl: No such file or directory: no suite or workload of it can run" \
	"$DAEMON_DIR/rld.log" || fail "no warning of the missing workloads_dir in the log: $(cat "$DAEMON_DIR/rld.log")"
exit 0
