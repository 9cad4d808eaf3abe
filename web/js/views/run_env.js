// SPDX-License-Identifier: MIT
// Where a run ran: kernel, host, filesystem and device, and the io_uring
// setup flags, features and opcodes ringlab probed (never inferred).

import { h } from '../dom.js';
import { fmtBytes, NONE } from '../format.js';

function dl(title, rows) {
	return h('div', { class: 'env-group' }, h('h3', { text: title }),
		h('dl', {}, rows.filter((r) => r).map(([k, v]) => [h('dt', { text: k }),
			h('dd', {}, v === '' || v === null || v === undefined ? NONE : v)])));
}

function chips(list) {
	const items = (list || '').split(',').map((s) => s.trim()).filter(Boolean);

	return items.length ? h('ul', { class: 'chips' }, items.map((s) => h('li', { text: s }))) : NONE;
}

/** envSection(run) - the "Environment" section of a run page. */
export function envSection(run) {
	const e = run.env || {};

	if (!e.kernel_release)
		return h('section', { class: 'env' }, h('h2', { text: 'Environment' }),
			h('p', { class: 'muted', text: 'Recorded when the run starts.' }));
	return h('section', { class: 'env', 'aria-labelledby': 'env-h' },
		h('h2', { id: 'env-h', text: 'Environment' }),
		h('div', { class: 'env-grid' },
			dl('Kernel', [
				['release', e.kernel_release],
				['version', e.kernel_version],
				['tag', e.kernel_tag || run.kernel_tag],
				['cmdline', e.cmdline ? h('details', {}, h('summary', { text: `${e.cmdline.length} characters` }),
					h('code', { class: 'wrap', text: e.cmdline })) : ''],
			]),
			dl('Host', [
				['hostname', e.hostname],
				e.lab_host ? ['lab host', `${e.lab_host.hostname} (the guest ran there)`] : null,
				['machine id', run.machine_id || e.machine_id],
				['CPU model', run.cpu_model || e.cpu_model],
				['machine', e.machine],
				['CPUs', String(e.cpus ?? '')],
				['ringlab', e.ringlab_version],
			]),
			dl('Filesystem', [
				['directory', e.dir],
				['type', e.fs_type],
				['mounted from', e.mount_source],
				['mount options', e.mount_options ? h('code', { text: e.mount_options }) : ''],
				['block size', fmtBytes(e.fs_block_size)],
			]),
			dl('Device', [
				['device', e.device],
				['model', e.device_model],
				e.backing_file ? ['backing file', e.backing_file] : null,
				['rotational', e.rotational === undefined ? '' : (e.rotational ? 'yes' : 'no')],
				['scheduler', e.scheduler],
				['logical block', fmtBytes(e.logical_block_size)],
			]),
			dl('io_uring', [
				['setup', h('span', {}, chips(e.uring_setup),
					e.uring_setup_flags !== undefined ? h('span', { class: 'muted', text: ` flags 0x${Number(e.uring_setup_flags).toString(16)}` }) : null)],
				['features', chips(e.uring_features)],
				['opcodes used', chips(e.uring_opcodes)],
			])));
}
