# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034 # VM_RINGLAB, VM_BUSYBOX are for the callers
# preflight.sh: what a run needs, checked before anything is fetched or built (sourced; bash).
#
# Every check adds a line "WHAT: why, how to get it" to PREFLIGHT_PROBLEMS
# rather than stopping, so a user learns everything missing at once.
#
#   preflight_problem MSG...     add a problem
#   preflight_tool CMD HINT      CMD must be in PATH; HINT says how to get it
#   preflight_space DIR MIB WHAT DIR's filesystem must have MIB MiB free for WHAT
#   preflight_report             print the problems on stderr; return 1 if any
#   vm_find_ringlab [PATH]       set VM_RINGLAB to the ringlab binary for the guest: PATH (from
#                                --ringlab), else $RINGLAB_BIN, else $RINGLAB_STATIC,
#                                else the ringlab beside the calling program, in the
#                                build tree ($top_builddir, else the source tree) or
#                                in PATH; return 1 (a problem added) when none runs
#   vm_find_busybox              set VM_BUSYBOX to a static busybox ($RINGLAB_BUSYBOX or PATH);
#                                return 1 (a problem added) when there is none

PREFLIGHT_PROBLEMS=()
VM_RINGLAB='' VM_BUSYBOX=''

preflight_problem()
{
	PREFLIGHT_PROBLEMS+=("$*")
}

preflight_tool()
{
	command -v "$1" >/dev/null || preflight_problem "no $1 in PATH ($2)"
}

preflight_space()
{
	local dir=$1 need=$2 what=$3 free

	while [ ! -d "$dir" ]; do
		dir=$(dirname "$dir")
	done
	free=$(df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1024) }')
	[ -n "$free" ] || { preflight_problem "$dir: cannot read its free space (df)"; return; }
	[ "$free" -ge "$need" ] ||
		preflight_problem "$dir: $free MiB free, $what needs $need MiB: free some space or point it elsewhere"
}

preflight_report()
{
	local p

	[ ${#PREFLIGHT_PROBLEMS[@]} -gt 0 ] || return 0
	for p in "${PREFLIGHT_PROBLEMS[@]}"; do
		vm_log "missing: $p"
	done
	return 1
}

_preflight_is_static()
{
	! readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

# _preflight_ringlab_ok PATH: an x86-64 ringlab whose libraries are all there and that runs.
_preflight_ringlab_ok()
{
	local bin=$1 missing

	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
		echo "not an executable file"
		return 1
	fi
	readelf -h "$bin" 2>/dev/null | grep -q 'Machine:.*X86-64' ||
		{ echo "not an x86-64 ELF binary"; return 1; }
	if ! _preflight_is_static "$bin"; then
		missing=$(ldd "$bin" 2>&1 | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p' | tr '\n' ' ')
		[ -z "$missing" ] || { echo "its libraries are missing: $missing"; return 1; }
	fi
	"$bin" --version >/dev/null 2>&1 || { echo "\`$bin --version\` fails"; return 1; }
}

vm_find_ringlab()
{
	local c why caller='' tried=()

	VM_RINGLAB=''

	# Named explicitly: that one or nothing.
	for c in "${1:-}" "${RINGLAB_BIN:-}" "${RINGLAB_STATIC:-}"; do
		[ -n "$c" ] || continue
		if why=$(_preflight_ringlab_ok "$c"); then
			VM_RINGLAB=$c
			return 0
		fi
		preflight_problem "the guest's ringlab $c: $why (give --ringlab PATH, RINGLAB_BIN or RINGLAB_STATIC)"
		return 1
	done
	# The program that started us (ringlab vm run, ringlabd, the nightly).
	caller=$(readlink "/proc/$PPID/exe" 2>/dev/null || true)
	for c in "${caller:+$(dirname "$caller")/ringlab}" "${top_builddir:+$top_builddir/ringlab}" \
		"$VARIANT_KP_DIR/../ringlab" "$(command -v ringlab 2>/dev/null || true)"; do
		if [ -z "$c" ] || [ ! -e "$c" ]; then
			continue
		fi
		tried+=("$c")
		if _preflight_ringlab_ok "$c" >/dev/null; then
			VM_RINGLAB=$c
			return 0
		fi
	done
	preflight_problem "no ringlab for the guest${tried[0]:+ (unusable: ${tried[*]})}: build it" \
		"(make), then give --ringlab PATH or RINGLAB_BIN, or put ringlab in PATH; a dynamically" \
		"linked one is fine, its libraries go along"
	return 1
}

vm_find_busybox()
{
	local bb=${RINGLAB_BUSYBOX:-$(command -v busybox || true)}

	VM_BUSYBOX=''
	if [ -z "$bb" ] || [ ! -x "$bb" ]; then
		preflight_problem "no busybox (apt-get install busybox-static, or set RINGLAB_BUSYBOX)"
		return 1
	fi
	if ! _preflight_is_static "$bb"; then
		preflight_problem "$bb is dynamically linked: the guest needs a static one" \
			"(apt-get install busybox-static, or set RINGLAB_BUSYBOX)"
		return 1
	fi
	VM_BUSYBOX=$bb
}
