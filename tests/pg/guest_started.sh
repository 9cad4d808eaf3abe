#!/bin/sh
# guest_started.sh: a fleet run in a QEMU guest (a stand-in vm-run.sh that boots for 3 s, then plays the guest with the null engine) records as its start when the daemon began the guest, not when the guest's run came back: finished - started (duration_s) covers the boot.
. "$top_srcdir/tests/lib/fleet.sh"
fleet_require
fleet_workloads 200
kp=$DAEMON_DIR/kernel-patches
mkdir -p "$kp/variants"
cat >"$kp/vm-run.sh" <<'SH'
#!/bin/sh
variant=$1 suite=$2 out=$3
shift 3
while [ $# -gt 0 ]; do
	case $1 in
	--ringlab) ringlab=$2; shift ;;
	esac
	shift
done
sleep 3	# the boot
"$ringlab" run "$suite" --engine null --repeat 1 -q --json "$out" --kernel-tag "$variant" >/dev/null
SH
chmod +x "$kp/vm-run.sh"
echo '{"name": "guest-boot3", "kind": "prebuilt"}' >"$kp/variants/guest-boot3.json"
fleet_up a fleet-a "\"vm\": {\"kernels\": [\"guest-boot3\"], \"kernel_patches_dir\": \"$kp\"}"
DAEMON_URL=$fleet_url_a

before=$(date +%s%N)
expect 202 POST /api/v1/runs '{"workload": "fleet-slow", "host": "any", "kernel": "guest-boot3"}' -H 'Content-Type: application/json'
id=$(body .id)
fleet_done_on "$id" fleet-a
started=$(body .started_ns) finished=$(body .finished_ns)
jqe '.fleet.kernel == "guest-boot3" and (.cells | length) == 1'
# The boot (3 s) lies between the start and the end; the start is not before the run was submitted.
[ $((finished - started)) -ge 3000000000 ] ||
	fail "run $id: started $(body .started), finished $(body .finished): $(( (finished - started) / 1000000 )) ms, not the guest's 3 s boot and more"
[ "$started" -ge $((before - 1000000000)) ] || fail "run $id started $(body .started), before it was submitted"
jqe '.duration_s >= 3'
echo "ok: guest run $id started $(( (finished - started) / 1000000 )) ms before it finished, its 3 s boot included"
