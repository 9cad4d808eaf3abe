// SPDX-License-Identifier: MIT
// What went wrong in a run, said first: a failed data verification (red,
// naming every cell and the offsets of what was found), then cells that
// failed otherwise (errors, unmet expectations) and the run's own error.

import { h } from '../dom.js';
import { fmtInt } from '../format.js';

const RANGES_SHOWN = 8;

function rangeText(r) {
	const what = r.zeros ? 'zeros (a lost write or bad zeroing)' : `found ${(r.found || '').slice(0, 16)}…, expected ${(r.expected || '').slice(0, 16)}…`;

	// Older runs' ranges lack bytes_bad: every byte of them differed.
	const differ = r.bytes_bad ?? r.length;

	return `offset ${fmtInt(r.offset)} (+${fmtInt(r.length)} bytes, ${fmtInt(differ)} differ): ${what}`;
}

function badCell(c) {
	const v = c.verify;
	const ranges = v.ranges || [];
	const more = Math.max(0, (v.ranges_total || ranges.length) - Math.min(ranges.length, RANGES_SHOWN));

	return h('li', { dataset: { workload: c.workload, jobs: String(c.jobs), rep: String(c.rep) } },
		h('strong', { text: `${c.workload} JOBS ${c.jobs} rep ${c.rep}` }),
		`: ${fmtInt(v.bytes_bad)} bad bytes in ${fmtInt(v.ranges_total || ranges.length)} range${(v.ranges_total || ranges.length) === 1 ? '' : 's'}`,
		ranges.length ? h('ul', {}, ranges.slice(0, RANGES_SHOWN).map((r) => h('li', { class: 'mono', text: rangeText(r) })),
			more ? h('li', { text: `and ${fmtInt(more)} more range${more === 1 ? '' : 's'} (in the run's JSON)` }) : null) : null);
}

/** verifyBanner(run) - the red banner for failed verification, or null when every cell verified (or skipped). */
export function verifyBanner(run) {
	const bad = (run.cells || []).filter((c) => c.verify && c.verify.status === 'failed');

	if (!bad.length)
		return null;
	return h('div', { class: 'verify-banner', role: 'alert', dataset: { cells: String(bad.length) } },
		h('p', { class: 'banner-title' },
			`DATA VERIFICATION FAILED in ${bad.length} repetition${bad.length === 1 ? '' : 's'}: `,
			'data read back differs from what was written. Whatever its IOPS, this run is a failure.'),
		h('ul', {}, bad.map(badCell)));
}

/** failureNotes(run) - the run's error and the cells that failed for reasons other than verification, or null. */
export function failureNotes(run) {
	const cells = (run.cells || []).filter((c) => c.failed && !(c.verify && c.verify.status === 'failed'));
	const runError = run.error || null;

	if (!cells.length && !runError)
		return null;
	return h('div', { class: 'note-box warn-box' },
		runError ? h('p', {}, h('strong', { text: `Run ${run.status}: ` }), runError) : null,
		cells.length ? h('p', { text: `${cells.length} cell${cells.length === 1 ? '' : 's'} failed:` }) : null,
		cells.length ? h('ul', {}, cells.map((c) => h('li', {},
			h('strong', { text: `${c.workload} JOBS ${c.jobs} rep ${c.rep}` }), `: ${c.error || 'failed'}`))) : null);
}
