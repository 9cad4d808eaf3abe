# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# lab_host.sh: record in a guest's run which lab host it ran on (sourced; bash).
#
# ringlabd lists, counts and compares runs by the machine they ran on. A
# guest's own identity says little: its machine id is new at every boot and
# its CPU is QEMU's. So the run the guest brings back gets env.lab_host, this
# machine's hostname, /etc/machine-id and CPU model, beside the guest's own
# env.hostname.
#
#   lab_host_stamp RUN.json
#                       add env.lab_host to RUN.json (replaced in place);
#                       returns jq's status, RUN.json unchanged on failure

# The first CPU's model, as ringlab's probe reads it (x86 "model name" first).
lab_host_cpu_model() {
	local key
	for key in 'model name' 'cpu model' 'cpu' 'Model'; do
		sed -n "s/^$key[[:space:]]*:[[:space:]]*//p" /proc/cpuinfo 2>/dev/null | head -n 1 |
			grep . && return 0
	done
	return 0
}

lab_host_stamp() {
	local run=$1 mid=''
	[ -r /etc/machine-id ] && mid=$(tr -d '[:space:]' </etc/machine-id)
	jq --arg h "$(uname -n)" --arg m "$mid" --arg c "$(lab_host_cpu_model)" \
		'.env.lab_host = {hostname: $h, machine_id: $m, cpu_model: $c}' "$run" >"$run.lab" &&
		mv "$run.lab" "$run" || { rm -f "$run.lab"; return 1; }
}
