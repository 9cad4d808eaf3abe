# throttle.sh: a cgroup that caps I/O to one block device (sourced).
#
#   throttle_cgroup DEV LIMIT...     sets THROTTLE_CG (cgroup v2 io.max, or v1 blkio); a LIMIT
#                                    is KEY=N, KEY one of wiops, riops, wbps, rbps (io.max's
#                                    names), or a bare N for wiops=N; returns 1 (THROTTLE_CG
#                                    empty) where neither interface works
#   throttle_exec COMMAND...         runs COMMAND inside THROTTLE_CG (as is when empty)
#   throttle_spawn COMMAND...        the same in the background; THROTTLE_PID is COMMAND's pid
#   throttle_move PID                moves the running process PID, every thread, into THROTTLE_CG
#   throttle_cleanup                 removes the cgroup (its processes must have exited)
#
# Tests that compare a slow and a fast target use it so that a busy machine or a
# host-cached disk cannot make "slow" as fast as RAM; fault tests, so that a phase
# of a run lasts long enough to be interrupted in.
THROTTLE_CG=

# _throttle_v1 CG MAJ:MIN LIMIT...: the limits as blkio.throttle files.
_throttle_v1() {
	local cg=$1 mm=$2 l k f
	shift 2
	for l; do
		case $l in *=*) k=${l%%=*} ;; *) k=wiops l=wiops=$l ;; esac
		case $k in
		wiops) f=write_iops_device ;;
		riops) f=read_iops_device ;;
		wbps) f=write_bps_device ;;
		rbps) f=read_bps_device ;;
		*) return 1 ;;
		esac
		echo "$mm ${l#*=}" >"$cg/blkio.throttle.$f" || return 1
	done
}

throttle_cgroup() {
	local mm lim= l
	mm=$(lsblk -dno MAJ:MIN "$1" | tr -d ' ')
	shift
	for l; do
		case $l in *=*) lim="$lim $l" ;; *) lim="$lim wiops=$l" ;; esac
	done
	if grep -qw io /sys/fs/cgroup/cgroup.controllers 2>/dev/null &&
		echo +io >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
		THROTTLE_CG=/sys/fs/cgroup/ringlab-test.$$
		mkdir "$THROTTLE_CG" && echo "$mm$lim" >"$THROTTLE_CG/io.max" && return 0
	elif [ -f /sys/fs/cgroup/blkio/blkio.throttle.write_iops_device ]; then
		THROTTLE_CG=/sys/fs/cgroup/blkio/ringlab-test.$$
		mkdir "$THROTTLE_CG" && _throttle_v1 "$THROTTLE_CG" "$mm" "$@" && return 0
	fi
	[ -n "$THROTTLE_CG" ] && rmdir "$THROTTLE_CG" 2>/dev/null
	THROTTLE_CG=
	return 1
}

throttle_exec() {
	sh -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 99; shift; exec "$@"' sh "$THROTTLE_CG" "$@"
}

# `throttle_exec ... &` would background a subshell whose pid is not COMMAND's.
throttle_spawn() {
	sh -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 99; shift; exec "$@"' sh "$THROTTLE_CG" "$@" &
	THROTTLE_PID=$!
}

throttle_move() {
	[ -n "$THROTTLE_CG" ] && echo "$1" >"$THROTTLE_CG/cgroup.procs"
}

throttle_cleanup() {
	[ -n "$THROTTLE_CG" ] && rmdir "$THROTTLE_CG" 2>/dev/null
	THROTTLE_CG=
}
