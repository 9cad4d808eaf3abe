#!/bin/sh
# import_memory.sh: what a 16 MiB request body may cost ringlabd: 16 MiB of [0,0,...] and nesting 1000 deep are refused before parsing (413, 400), four at once get 413 or 503 (one large request at a time), a real 16 MiB import of 16000 cells is stored and 16001 refused, the daemon's peak RSS stays under 256 MiB and it gives the memory back (within 32 MiB of its start).
. "$top_srcdir/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/runs.sh"
daemon_require curl jq
loopfs_create 64

HWM_MAX_KIB=$((256 * 1024))	# peak: one 16 MiB body, its JSON tree and 16000 cells at a time
KEEP_MAX_KIB=$((32 * 1024))	# what may stay resident after the large requests, over the start
MIB16=16777216

daemon_config scratch="$LOOPFS_DIR"
daemon_up -c "$DAEMON_DIR/ringlabd.json"
rss0=$(daemon_vm VmRSS)
JSON="Content-Type: application/json"
post() { req POST "$1" -H "$JSON" -H "Expect:" --max-time 60 --data-binary "@$2"; }

# 16 MiB of the cheapest values cJSON builds a 64-byte node for each of.
{
	printf '{"run": [0'
	yes ',0' | tr -d '\n' | head -c $((MIB16 - 16))
	printf ']}'
} >"$DAEMON_DIR/flat.json"
[ "$(stat -c %s "$DAEMON_DIR/flat.json")" -le $MIB16 ] || fail "flat.json is larger than 16 MiB"
code=$(post /api/v1/runs/import "$DAEMON_DIR/flat.json")
[ "$code" = 413 ] || fail "16 MiB of zeros: status $code, expected 413: $(head -c 300 "$DAEMON_DIR/body")"
jqe '.error | test("JSON values")'

# Nesting that recursion (cJSON's, then the walker's) would pay for.
{
	yes '[' | head -n 1000 | tr -d '\n'
	yes ']' | head -n 1000 | tr -d '\n'
} >"$DAEMON_DIR/deep.json"
code=$(post /api/v1/runs/import "$DAEMON_DIR/deep.json")
[ "$code" = 400 ] || fail "nesting 1000 deep: status $code, expected 400: $(head -c 300 "$DAEMON_DIR/body")"
jqe '.error | test("nest")'

# Four at once: one is read (and refused), the others wait their turn with 503 + Retry-After, or are refused too.
pids=
for i in 1 2 3 4; do
	curl -sS -o "$DAEMON_DIR/par$i.body" -D "$DAEMON_DIR/par$i.headers" -w '%{http_code}\n' -H "$JSON" -H "Expect:" \
		--data-binary "@$DAEMON_DIR/flat.json" "$DAEMON_URL/api/v1/runs/import" >"$DAEMON_DIR/par$i.code" 2>&1 &
	pids="$pids $!"
done
DAEMON_BG=$pids
wait $pids
for i in 1 2 3 4; do
	code=$(cat "$DAEMON_DIR/par$i.code")
	case $code in
	413) ;;
	503) grep -qi '^Retry-After: [1-9]' "$DAEMON_DIR/par$i.headers" || fail "a 503 without Retry-After" ;;
	*) fail "four large bodies at once: status $code: $(head -c 300 "$DAEMON_DIR/par$i.body")" ;;
	esac
done

# A real run of 16000 cells (16 JOBS values x 1000 repetitions: the most one workload makes),
# each failed with an error message long enough to make the body 16 MiB.
"$top_builddir/ringlab" run nw-overwrite-aligned --engine null --scale 0.01 --repeat 1 -q \
	--json "$DAEMON_DIR/run.json" >/dev/null || fail "ringlab run --engine null failed"
big() {	# big PAD: the import, each cell's error padded with PAD dots
	jq -c --argjson pad "$1" '{run: (.workloads[0].jobs = [range(1; 17)] | .workloads[0].repetitions = 1000 |
		.status = "failed" | .error = "16000 cells failed" |
		.cells = [.cells[0] as $c | range(0; 16000) | . as $i |
			$c | .jobs = ($i % 16 + 1) | .rep = (($i / 16 | floor) + 1) | .failed = true |
			.error = "job \(.jobs): pwrite: Input/output error " + ("." * $pad)]), label: "big"}' \
		"$DAEMON_DIR/run.json"
}
big 0 >"$DAEMON_DIR/big.json"
pad=$(( (MIB16 - $(stat -c %s "$DAEMON_DIR/big.json") - 16000) / 16000 ))
[ $pad -gt 0 ] && [ $pad -lt 400 ] || fail "cannot pad the import to 16 MiB ($pad)"
big $pad >"$DAEMON_DIR/big.json"
size=$(stat -c %s "$DAEMON_DIR/big.json")
[ "$size" -le $MIB16 ] && [ "$size" -gt $((MIB16 - 32768)) ] || fail "big.json is $size bytes, not 16 MiB"
code=$(post /api/v1/runs/import "$DAEMON_DIR/big.json")
[ "$code" = 201 ] || fail "a 16000-cell import: status $code: $(head -c 300 "$DAEMON_DIR/body")"
id=$(jq .id "$DAEMON_DIR/body")
expect 200 GET "/api/v1/runs?label=big"
jqe ".total == 1 and .runs[0].id == $id and .runs[0].ncells == 16000"

# One cell more than the workloads can make is a contradiction, refused before it is allocated.
jq -c '.run.cells += [.run.cells[0]]' "$DAEMON_DIR/big.json" >"$DAEMON_DIR/over.json"
code=$(post /api/v1/runs/import "$DAEMON_DIR/over.json")
[ "$code" = 400 ] || fail "16001 cells: status $code: $(head -c 300 "$DAEMON_DIR/body")"
jqe '.error | test("cells") and test("16000")'

hwm=$(daemon_vm VmHWM)
sleep 1
rss=$(daemon_vm VmRSS)
echo "VmRSS at start $rss0 KiB, peak (VmHWM) $hwm KiB, after $rss KiB"
# ASan's shadow, red zones and quarantine of freed memory say nothing of the daemon's own
# use: the bounds hold for the build that ships, which make check runs this test on.
if [ "${RINGLAB_SANITIZERS:-}" = yes ]; then
	echo "built with sanitizers: the RSS bounds are checked by the plain build's make check"
else
	[ "$hwm" -lt $HWM_MAX_KIB ] || fail "peak RSS $hwm KiB, over the $HWM_MAX_KIB KiB bound"
	[ $((rss - rss0)) -lt $KEEP_MAX_KIB ] ||
		fail "RSS $rss KiB after the large requests, $((rss - rss0)) KiB over the $rss0 KiB at start"
fi
expect 200 GET /api/v1/health
exit 0
