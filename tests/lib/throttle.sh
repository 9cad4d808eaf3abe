# throttle.sh: a cgroup that caps write IOPS to one block device (sourced).
#
#   throttle_cgroup DEV WRITE_IOPS   sets THROTTLE_CG (cgroup v2 io.max, or v1 blkio); returns 1
#                                    (THROTTLE_CG empty) where neither interface works
#   throttle_exec COMMAND...         runs COMMAND inside THROTTLE_CG (as is when empty)
#   throttle_spawn COMMAND...        the same in the background; THROTTLE_PID is COMMAND's pid
#   throttle_cleanup                 removes the cgroup (its processes must have exited)
#
# Tests that compare a slow and a fast target use it so that a busy machine or a
# host-cached disk cannot make "slow" as fast as RAM.
THROTTLE_CG=

throttle_cgroup() {
	local mm
	mm=$(lsblk -dno MAJ:MIN "$1" | tr -d ' ')
	if grep -qw io /sys/fs/cgroup/cgroup.controllers 2>/dev/null &&
		echo +io >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
		THROTTLE_CG=/sys/fs/cgroup/ringlab-test.$$
		mkdir "$THROTTLE_CG" && echo "$mm wiops=$2" >"$THROTTLE_CG/io.max" && return 0
	elif [ -f /sys/fs/cgroup/blkio/blkio.throttle.write_iops_device ]; then
		THROTTLE_CG=/sys/fs/cgroup/blkio/ringlab-test.$$
		mkdir "$THROTTLE_CG" && echo "$mm $2" >"$THROTTLE_CG/blkio.throttle.write_iops_device" && return 0
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

throttle_cleanup() {
	[ -n "$THROTTLE_CG" ] && rmdir "$THROTTLE_CG" 2>/dev/null
	THROTTLE_CG=
}
