#!/bin/sh
# workloads_files.sh: the workload catalog of a ringlabd installed out of its build tree: links out of workloads_dir are not followed, no file text is served, bad files (malformed, a FIFO, a wrong name) are skipped and listed under "errors", and only workloads_dir is searched.
. "$top_srcdir/tests/lib/ringlabd.sh"
rld_init

# An "installed" daemon: the same binary, outside the build tree it was built in.
mkdir -p "$work/bin" "$work/wl/suites"
cp "$RLD" "$work/bin/ringlabd" || fail "cannot copy $RLD"
RLD=$work/bin/ringlabd

secret='root:SECRET-e1f2a3:19000:0:99999:7:::'
printf '%s\n' "$secret" >"$work/shadow"
cp "$top_srcdir/workloads/nw-overwrite-aligned.json" "$work/wl/"
printf '{"name": "mini", "description": "one workload", "workloads": ["nw-overwrite-aligned"]}\n' \
	>"$work/wl/suites/mini.json"
ln -s "$work/shadow" "$work/wl/shadow.json"
ln -s "$work/shadow" "$work/wl/suites/evil.json"
ln -s ../../shadow "$work/wl/relative.json"
printf '{"name": "bad", %s\n' "$secret" >"$work/wl/bad.json"
mkfifo "$work/wl/fifo"
ln -s fifo "$work/wl/fifo.json"
ln -s nw-overwrite-aligned.json "$work/wl/alias.json"

RLD_WORKLOADS=$work/wl
rld_config
rld_start "$work/ringlabd.json"

# no_secret: the last body quotes nothing of the files.
no_secret() { grep -q SECRET "$work/body" && fail "$_m $_p serves file content: $(head -c 600 "$work/body")"; return 0; }

expect 200 GET /api/v1/workloads
no_secret
jqe '[.workloads[].name] == ["nw-overwrite-aligned"]'
jqe '[.suites[].name] == ["mini"] and .suites[0].workloads == ["nw-overwrite-aligned"]'
jqe '.errors | length == 6'
for f in shadow.json suites/evil.json relative.json; do
	jqe ".errors[] | select(.file == \"$work/wl/$f\") | .error | test(\"link out of\")"
done
jqe ".errors[] | select(.file == \"$work/wl/bad.json\") | .error | test(\"line 1, column [0-9]+: malformed JSON\")"
jqe ".errors[] | select(.file == \"$work/wl/fifo.json\") | .error | test(\"not a regular file\")"
jqe ".errors[] | select(.file == \"$work/wl/alias.json\") | .error | test(\"does not match the file name\")"

# Naming one of them in a run: refused the same way, nothing quoted.
JSON="Content-Type: application/json"
for what in '"workload": "shadow"' '"workload": "bad"' '"suite": "evil"' '"workload": "fifo"'; do
	expect 400 POST /api/v1/runs -H "$JSON" --data-binary "{$what, \"target\": \"scratch\"}"
	no_secret
done
# The build tree is not searched: the source tree's seed suite is unknown here.
expect 400 POST /api/v1/runs -H "$JSON" --data-binary '{"suite": "seed"}'
jqe ".error | test(\"no workload or suite named 'seed' in $work/wl\$\")"
rld_stop

# The daemon in its build tree still finds the source tree's workloads after workloads_dir.
RLD=$top_builddir/ringlabd
rld_start "$work/ringlabd.json"
expect 200 GET /api/v1/workloads
jqe '[.suites[].name] | index("seed") != null and index("mini") != null'
no_secret
exit 0
