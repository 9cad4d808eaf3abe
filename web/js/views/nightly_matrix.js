// SPDX-License-Identifier: MIT
// A series family's versions x cells for one suite of a night (the report's
// "matrices"): a row per workload@jobs, a column per version, and in each
// entry the IOPS verdict and ratio and the EAGAIN verdict and rates, against
// FAMILY:base or, at the press of a button, against the version before.
// Every value is the report's; nothing is computed here.

import { h } from '../dom.js';
import { fmtCI, fmtPct, fmtRatio, NONE } from '../format.js';
import { hashFor } from '../router.js';

const SIDES = {
	vs_base: { label: (m) => `against ${m.base}`, status: 'status' },
	vs_previous: { label: () => 'against the version before', status: 'previous_status' },
};

function tag(st) {
	return h('span', { class: `verdict v-${st || 'unknown'}`, text: st || NONE });
}

/* The compare link of column @c on @side, or nothing when a run is missing. */
function compareLink(m, c, side) {
	const base = side === 'vs_base' ? m.base_run_id : c.previous_run_id;

	return base && c.run_id ? h('a', { class: 'small', href: hashFor('compare', { base, head: c.run_id }), text: 'Compare' }) : null;
}

function headCell(m, c, side) {
	const st = c[SIDES[side].status];
	const against = side === 'vs_base' ? m.base : c.previous;

	return h('th', { scope: 'col', dataset: { variant: c.variant } },
		h('span', { class: 'strong', text: c.version || c.variant }),
		h('span', { class: 'muted small block', dataset: { k: 'against' }, text: against ? `vs ${against}` : 'no version before' }),
		st ? tag(st) : null, ' ', compareLink(m, c, side));
}

/* "1.23x improved [1.10x–1.31x]" and "EAGAIN 0.0% → 100.0% changed" for one entry. */
function entryCell(c, e) {
	if (!e)
		return h('td', { dataset: { variant: c.variant, verdict: 'none' }, text: NONE });
	const ci = fmtCI(e.ci_lo, e.ci_hi);

	return h('td', { dataset: { variant: c.variant, verdict: e.verdict } },
		h('div', { dataset: { k: 'iops' } },
			h('span', { class: `verdict v-${e.verdict}`, text: e.iops_verdict }), ' ',
			h('span', { class: 'mono', dataset: { k: 'ratio' }, text: fmtRatio(e.ratio) }),
			ci === NONE ? null : h('span', { class: 'muted small', text: ` [${ci}]` })),
		h('div', { class: 'small', dataset: { k: 'eagain', eagain: e.eagain_verdict } },
			`EAGAIN ${fmtPct(e.eagain_base_rate)} → ${fmtPct(e.eagain_head_rate)} `,
			h('span', { class: e.eagain_verdict === 'changed' ? 'verdict v-eagain-changed' : 'muted', text: e.eagain_verdict })));
}

function table(m, side) {
	return h('table', { class: 'data matrix', dataset: { side } },
		h('caption', { text: `${m.family} × ${m.suite}: each version ${SIDES[side].label(m)}` }),
		h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'workload@jobs' }),
			m.columns.map((c) => headCell(m, c, side)))),
		h('tbody', {}, (m.rows || []).map((r) => h('tr', { dataset: { row: `${r.workload}@${r.jobs}` } },
			h('th', { scope: 'row', class: 'mono', text: `${r.workload}@${r.jobs}` }),
			m.columns.map((c, i) => entryCell(c, r.cells[i] && r.cells[i][side]))))));
}

/** matrixSection(m) - the matrix @m with its two buttons; starts against the base. */
export function matrixSection(m) {
	const scroll = h('div', { class: 'table-scroll' }, table(m, 'vs_base'));
	const buttons = Object.keys(SIDES).map((side) => h('button', {
		type: 'button', class: 'secondary', 'aria-pressed': side === 'vs_base' ? 'true' : 'false',
		dataset: { side }, text: SIDES[side].label(m),
		onclick: () => {
			for (const b of buttons)
				b.setAttribute('aria-pressed', b.dataset.side === side ? 'true' : 'false');
			scroll.replaceChildren(table(m, side));
		},
	}));

	return h('section', { class: 'matrix', dataset: { family: m.family, suite: m.suite } },
		h('h3', { text: `${m.family}: versions × ${m.suite}` }),
		h('div', { class: 'matrix-sides', role: 'group', 'aria-label': 'Compare each version' }, buttons),
		scroll);
}
