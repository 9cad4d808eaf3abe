#!/bin/bash
# vm_wiring.sh: `ringlab vm run` and `ringlab nightly` name the guest's ringlab to vm-run.sh with --ringlab (this ringlab, else RINGLAB_BIN/RINGLAB_STATIC, else the nightly's guest_ringlab) and a suite that traces EAGAIN causes single-threaded TCG (recorded in the report), give a family member as FAMILY_FILE:VERSION, and import each run under the guest's kernel tag (fam:v3 for a family given as a path), its env.vm and env.kernel_family derived; a stand-in vm-run.sh plays the guest, no QEMU.
. "$top_srcdir/tests/lib/daemon.sh"
daemon_require curl jq
loopfs_create 64
work=$DAEMON_DIR rl=$top_builddir/ringlab
# fail MSG: the message, then the end of what the commands and the stand-in wrote.
fail() {
	echo "FAIL: $*" >&2
	tail -n 15 "$work"/*.out "$work"/*.err "$work/args.log" >&2 2>/dev/null
	exit 1
}
daemon_config scratch="$LOOPFS_DIR"
daemon_start 10 -c "$work/ringlabd.json" || fail "$DAEMON_ERR"
url=$DAEMON_URL
api() { curl -sS --max-time 10 "$@"; }
self=$(readlink -f "$rl")

# The stand-in: records its arguments (a line each, a blank line after each call) and
# writes what a guest would: the suite run by the ringlab it was given (null engine),
# tagged as guest/init tags it, with vm-run.sh's words on the kernel command line.
kp=$work/kernel-patches
mkdir -p "$kp/families"
cat >"$kp/vm-run.sh" <<'EOF'
#!/bin/bash
printf '%s\n' "$@" "" >>"$STUB_LOG"
variant=$1 suite=$2 out=$3
case $variant in
*.json:*) tag=$(jq -r .name "${variant%:*}"):${variant##*:} ;;
*) tag=$variant ;;
esac
shift 3
while [ $# -gt 0 ]; do
	[ "$1" = --ringlab ] && ringlab=$2
	shift
done
"$ringlab" run "$suite" --engine null --jobs 1 --scale 0.001 --repeat 3 -q \
	--json "$out.tmp" --kernel-tag "$tag" >/dev/null || exit 1
jq --arg v "$variant" '.env.cmdline = "console=ttyS0 ringlab.variant=\($v) ringlab.accel=tcg ringlab.tcg_thread=multi ringlab.vcpus=2 ringlab.cpu=max"' \
	"$out.tmp" >"$out" && rm -f "$out.tmp"
EOF
chmod +x "$kp/vm-run.sh"
export STUB_LOG=$work/args.log
# A source family: the stand-in builds nothing, so its series need not exist.
cat >"$kp/families/vfam.json" <<'EOF'
{"name": "vf", "base": {"kind": "source", "suite": "sid", "source_package": "linux-source-7.2"},
 "config": {"fragment": "config/vm.fragment"}, "versions": {"v2": "v2.mbox", "v3": "v3.mbox"}}
EOF
fam=$(readlink -f "$kp/families/vfam.json")

# call N: the arguments of the stand-in's Nth call, one a line.
call() { awk -v n="$1" 'BEGIN { RS = ""; FS = "\n" } NR == n { for (i = 1; i <= NF; i++) print $i }' "$STUB_LOG"; }
# after N WORD: the argument after WORD in call N.
after() { call "$1" | awk -v w="$2" 'prev == w { print; exit } { prev = $0 }'; }

# 1. ringlab vm run, the family given by path: --ringlab is this ringlab, the import is tagged vf:v3.
env -u RINGLAB_BIN -u RINGLAB_STATIC "$rl" vm run "$fam:v3" aligned-mixed --json "$work/v3.json" \
	--kernel-patches "$kp" --url "$url" >"$work/vm1.out" 2>"$work/vm1.err" || fail "vm run exited $?"
[ "$(call 1 | head -n 1)" = "$fam:v3" ] || fail "vm run: vm-run.sh got $(call 1 | head -n 1)"
[ "$(after 1 --ringlab)" = "$self" ] || fail "vm run: --ringlab '$(after 1 --ringlab)', expected $self"
id=$(sed -n 's/^imported as run \([0-9]*\) (kernel tag vf:v3)$/\1/p' "$work/vm1.out")
[ -n "$id" ] || fail "vm run: not imported as vf:v3: $(cat "$work/vm1.out")"
api "$url/api/v1/runs/$id" | jq -e '.kernel_tag == "vf:v3" and .target == "vm" and
	.env.kernel_family == "vf" and .env.kernel_family_version == "v3" and
	.env.vm == {variant: .env.vm.variant, accel: "tcg", tcg_thread: "multi", vcpus: 2, cpu: "max"}' >/dev/null ||
	fail "vm run: run $id is $(api "$url/api/v1/runs/$id" | jq -c '{kernel_tag, f: .env.kernel_family, vm: .env.vm}')"
echo "ok: vm run: --ringlab $self, imported as run $id tagged vf:v3 with env.vm"

# 2. RINGLAB_STATIC, when set, is the guest's ringlab instead.
cp "$rl" "$work/ringlab-static"
# A copy outside the build tree finds its workloads beside itself, as in a guest.
cp -R "$top_srcdir/workloads" "$work/workloads"
env -u RINGLAB_BIN RINGLAB_STATIC="$work/ringlab-static" "$rl" vm run "$fam:base" aligned-mixed \
	--json "$work/base.json" --kernel-patches "$kp" >"$work/vm2.out" 2>"$work/vm2.err" || fail "vm run 2 exited $?"
[ "$(after 2 --ringlab)" = "$work/ringlab-static" ] || fail "vm run 2: --ringlab '$(after 2 --ringlab)'"
echo "ok: vm run: RINGLAB_STATIC is named with --ringlab"

# 3. The nightly over the family: each member as FAMILY_FILE:VERSION with --ringlab, in order,
# imported as vf:base, vf:v2, vf:v3; v3 compared with vf:base and with v2.
jq -n --arg url "$url" --arg kp "$kp" --arg fam "$fam" --arg wd "$work/nights" '{url: $url,
	kernel_patches_dir: $kp, family: $fam, suites: ["aligned-mixed"], label_prefix: "vw",
	work_dir: $wd, timeout_s: 60, kernel_timeout_s: 0}' >"$work/night.json"
: >"$STUB_LOG"
env -u RINGLAB_BIN -u RINGLAB_STATIC "$rl" nightly -c "$work/night.json" >"$work/night.out" 2>"$work/night.err"
rc=$?
[ $rc -le 1 ] || fail "nightly exited $rc"
for i in 1 2 3; do
	want=$fam:$(echo "base v2 v3" | cut -d' ' -f$i)
	[ "$(call $i | head -n 1)" = "$want" ] || fail "nightly: call $i was for $(call $i | head -n 1), expected $want"
	[ "$(after $i --ringlab)" = "$self" ] || fail "nightly: call $i --ringlab '$(after $i --ringlab)'"
done
api "$url/api/v1/nightly/latest" >"$work/latest.json"
jq -e '.report.families[0].name == "vf" and .report.families[0].kind == "source" and
	[.report.variants[] | [.name, .kind, .compared_with, .previous, .suites[0].run.status]] ==
	[["vf:base", "source", null, null, "done"], ["vf:v2", "source", "vf:base", null, "done"],
	 ["vf:v3", "source", "vf:base", "vf:v2", "done"]] and
	(.report.variants[2].suites[0].previous.run_id == .report.variants[1].suites[0].run.id) and
	[.report.matrices[0].columns[].variant] == ["vf:v2", "vf:v3"]' "$work/latest.json" >/dev/null ||
	fail "nightly: report $(jq -c '[.report.variants[] | {name, kind, compared_with, previous}]' "$work/latest.json")"
label=$(jq -r .label "$work/latest.json")
api "$url/api/v1/runs?label=$label" | jq -e '[.runs[].kernel_tag] | sort == ["vf:base", "vf:v2", "vf:v3"]' >/dev/null ||
	fail "nightly: imported $(api "$url/api/v1/runs?label=$label" | jq -c '[.runs[] | {id, kernel_tag}]')"
echo "ok: nightly: vf:base, vf:v2, vf:v3 through vm-run.sh with --ringlab, imported and paired"

# 4. guest_ringlab, when configured, is named instead; variants FAMILY:VERSION find the family by name.
cp "$fam" "$kp/families/vf.json"
jq --arg g "$work/ringlab-static" '.guest_ringlab = $g | .family = "" | .variants = ["vf:base", "vf:v3"] |
	.base = "vf:base"' "$work/night.json" >"$work/night2.json"
: >"$STUB_LOG"
"$rl" nightly -c "$work/night2.json" >"$work/night2.out" 2>"$work/night2.err"
[ $? -le 1 ] || fail "nightly 2 exited $?"
[ "$(after 1 --ringlab)" = "$work/ringlab-static" ] &&
	[ "$(call 2 | head -n 1)" = "$(readlink -f "$kp/families/vf.json"):v3" ] ||
	fail "nightly 2: $(call 2 | tr '\n' ' ')"
jq -e '.report.variants[1].previous == null' <(api "$url/api/v1/nightly/latest") >/dev/null ||
	fail "nightly 2: v3 without v2 has a previous version"
echo "ok: nightly: guest_ringlab named; variants FAMILY:VERSION by name"

# 5. A suite that traces EAGAIN causes boots single-threaded TCG, the others multi-threaded,
# and the report says which each run got.
jq '.suites = ["aligned-mixed", "nw-holes-refused"] | .family = "" | .variants = ["vf:base", "vf:v2"] |
	.base = "vf:base"' "$work/night.json" >"$work/night3.json"
: >"$STUB_LOG"
"$rl" nightly -c "$work/night3.json" >"$work/night3.out" 2>"$work/night3.err"
[ $? -le 1 ] || fail "nightly 3 exited $?"
[ "$(after 1 --tcg-thread)" = multi ] && [ "$(after 2 --tcg-thread)" = single ] ||
	fail "nightly 3: --tcg-thread '$(after 1 --tcg-thread)' for aligned-mixed, '$(after 2 --tcg-thread)' for nw-holes-refused"
jq -e 'all(.report.variants[]; [.suites[] | [.suite, .run.tcg_thread]] ==
	[["aligned-mixed", "multi"], ["nw-holes-refused", "single"]])' <(api "$url/api/v1/nightly/latest") >/dev/null ||
	fail "nightly 3: report $(api "$url/api/v1/nightly/latest" | jq -c '[.report.variants[0].suites[] | [.suite, .run.tcg_thread]]')"
echo "ok: nightly: the traced suite under single-threaded TCG, recorded in the report"
exit 0
