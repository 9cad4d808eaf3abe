// SPDX-License-Identifier: MIT
// #/compare?base=..&head=..: two runs, labels or kernel tags compared cell
// by cell (GET /api/v1/compare), in tables shaped like the series' ones
// (JOBS, base, head, speedup) with the interval, the verdict in colour, and
// the EAGAIN rates beside the IOPS.

import { api } from '../api.js';
import { h, errorBox } from '../dom.js';
import { COLORS, jobsChart } from '../charts.js';
import { fmtCI, fmtInt, fmtPct, fmtPP, fmtRatio, fmtTime, fmtUs, isNum, NONE } from '../format.js';
import { hashFor } from '../router.js';

const KINDS = [
	{ value: 'label', text: 'Label', prefix: 'label:' },
	{ value: 'kernel', text: 'Kernel tag', prefix: 'kernel:' },
	{ value: 'run', text: 'Run id', prefix: '' },
];

/** parseSpec(s) - {kind, value} of "label:X", "kernel:X" or a run id. */
export function parseSpec(s) {
	s = s || '';
	for (const k of KINDS)
		if (k.prefix && s.startsWith(k.prefix))
			return { kind: k.value, value: s.slice(k.prefix.length) };
	return { kind: s ? 'run' : 'label', value: s };
}

function specOf(kind, value) {
	const k = KINDS.find((x) => x.value === kind) || KINDS[0];

	return value ? `${k.prefix}${value}` : '';
}

/* Suggestions for the inputs, from recent runs; a failure only costs the suggestions. */
async function suggestions(signal) {
	try {
		const { runs } = await api.runs({ limit: 200 }, signal);
		const uniq = (f) => [...new Set(runs.map(f).filter(Boolean))];

		return {
			label: uniq((r) => r.label),
			kernel: uniq((r) => r.kernel_tag),
			run: runs.filter((r) => r.status === 'done' || r.status === 'failed').map((r) => String(r.id)),
		};
	} catch (e) {
		if (signal.aborted)
			throw e;
		return { label: [], kernel: [], run: [] };
	}
}

function sidePicker(side, spec, lists) {
	const { kind, value } = parseSpec(spec);
	const kindSel = h('select', { id: `${side}-kind`, name: `${side}-kind` },
		KINDS.map((k) => h('option', { value: k.value, text: k.text, selected: k.value === kind })));
	const input = h('input', { id: `${side}-value`, name: `${side}-value`, type: 'text', value, autocomplete: 'off', required: true });
	const setList = () => input.setAttribute('list', `dl-${kindSel.value}`);

	kindSel.addEventListener('change', setList);
	setList();
	return h('fieldset', { class: 'side' },
		h('legend', { text: side === 'base' ? 'Base (before)' : 'Head (after)' }),
		h('div', { class: 'field' }, h('label', { for: kindSel.id, text: 'By' }), kindSel),
		h('div', { class: 'field' }, h('label', { for: input.id, text: 'Value' }), input));
}

function pickForm(query, lists) {
	const th = parseFloat(query.get('threshold'));
	const pct = h('input', { id: 'threshold', name: 'threshold', type: 'number', min: '0', max: '99', step: '0.5', value: isNum(th) ? String(th * 100) : '5' });
	const form = h('form', { class: 'compare-form', 'aria-label': 'What to compare' },
		Object.entries(lists).map(([k, vals]) => h('datalist', { id: `dl-${k}` }, vals.map((v) => h('option', { value: v })))),
		sidePicker('base', query.get('base'), lists),
		h('button', { type: 'button', class: 'secondary swap', title: 'Swap base and head', text: '⇄ Swap' }),
		sidePicker('head', query.get('head'), lists),
		h('div', { class: 'field' }, h('label', { for: 'threshold', text: 'Threshold %' }), pct),
		h('div', { class: 'field buttons' }, h('button', { type: 'submit', text: 'Compare' })));
	const val = (n) => form.elements[n].value.trim();

	form.querySelector('.swap').addEventListener('click', () => {
		for (const f of ['kind', 'value']) {
			const a = form.elements[`base-${f}`], b = form.elements[`head-${f}`];

			[a.value, b.value] = [b.value, a.value];
			a.dispatchEvent(new Event('change'));
			b.dispatchEvent(new Event('change'));
		}
	});
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const t = parseFloat(val('threshold'));

		location.hash = hashFor('compare', {
			base: specOf(val('base-kind'), val('base-value')),
			head: specOf(val('head-kind'), val('head-value')),
			threshold: isNum(t) && t !== 5 ? String(t / 100) : '',
		});
	});
	return form;
}

function verdictTag(v, extra) {
	return h('span', { class: `verdict v-${v}`, text: v, title: extra || null });
}

function sideText(runs) {
	const uniq = (f) => [...new Set(runs.map(f).filter(Boolean))].join(', ') || NONE;

	return h('dl', { class: 'meta' },
		[['runs', String(runs.length)], ['labels', uniq((r) => r.label)], ['kernel tags', uniq((r) => r.kernel_tag)],
			['kernels', uniq((r) => r.kernel_release)], ['suites', uniq((r) => r.suite)], ['scale', uniq((r) => String(r.scale))],
			['started', uniq((r) => fmtTime(r.started))]]
			.map(([k, v]) => h('div', {}, h('dt', { text: k }), h('dd', { text: v }))));
}

function summaryChips(s) {
	const keys = ['corrupt', 'regressed', 'improved', 'unchanged', 'insufficient', 'incompatible'];

	return h('ul', { class: 'chips summary-chips' },
		keys.filter((k) => s[k]).map((k) => h('li', { class: `v-${k}`, text: `${s[k]} ${k}` })));
}

function eagainRate(c, side) {
	const r = c[`eagain_${side}_rate`];

	if (isNum(r))
		return r;
	return c.nowait && c[`eagain_${side}_attempts`] ? c[`eagain_${side}`] / c[`eagain_${side}_attempts`] : NaN;
}

function cellRow(c) {
	const compared = !c.incompatible;
	const changed = c.eagain_verdict === 'changed';

	return h('tr', { dataset: { jobs: String(c.jobs), verdict: c.verdict } },
		h('th', { scope: 'row', class: 'num', text: String(c.jobs) }),
		h('td', { class: 'num', dataset: { k: 'base' }, text: fmtInt(c.base_iops_median) }),
		h('td', { class: 'num', dataset: { k: 'head' }, text: fmtInt(c.head_iops_median) }),
		h('td', { class: 'num strong', dataset: { k: 'speedup' }, text: compared ? fmtRatio(c.ratio) : NONE }),
		h('td', { class: 'num muted', dataset: { k: 'ci' }, text: compared ? fmtCI(c.ci_lo, c.ci_hi) : NONE }),
		h('td', { dataset: { k: 'verdict' } }, verdictTag(c.verdict, c.incompatible_reason),
			c.incompatible_reason ? h('span', { class: 'muted small block', text: c.incompatible_reason }) : null,
			c.base_verify_failed || c.head_verify_failed ?
				h('span', { class: 'bad small block', text: `verify failed: base ${c.base_verify_failed}, head ${c.head_verify_failed}` }) : null),
		h('td', { class: 'num', dataset: { k: 'eagain-base' }, text: fmtPct(eagainRate(c, 'base')) }),
		h('td', { class: 'num', dataset: { k: 'eagain-head' }, text: fmtPct(eagainRate(c, 'head')) }),
		h('td', { class: `num${changed ? ' strong eagain-changed' : ''}`, dataset: { k: 'eagain-diff' },
			title: isNum(c.eagain_p_value) ? `two-proportion test: p = ${c.eagain_p_value.toPrecision(2)} (${c.eagain_verdict})` : c.eagain_verdict },
		fmtPP(c.eagain_diff_pp), changed ? ' changed' : ''),
		h('td', { class: 'num', text: fmtUs(c.base_p99_ns_median) }),
		h('td', { class: 'num', text: fmtUs(c.head_p99_ns_median) }),
		h('td', {}, compared && c.p99_verdict ? verdictTag(c.p99_verdict,
			isNum(c.p99_ratio) ? `p99 ratio ${fmtRatio(c.p99_ratio)}, interval ${fmtCI(c.p99_ci_lo, c.p99_ci_hi)}` : null) : NONE),
		h('td', { class: 'num muted', title: 'base wall time / head wall time (medians)', text: fmtRatio(c.wall_speedup) }));
}

function groupTable(g) {
	const reps = g.reps_min === g.reps_max ? `${g.reps_min}` : `${g.reps_min}–${g.reps_max}`;
	const cols = ['JOBS', 'base', 'head', 'speedup', '95% CI', 'verdict', 'EAGAIN base', 'EAGAIN head', 'Δ EAGAIN',
		'p99 µs base', 'p99 µs head', 'p99', 'wall'];

	return h('table', { class: 'data compare', dataset: { workload: g.workload } },
		h('caption', { text: `${g.workload}: IOPS, median of ${reps} reps; speedup = head / base` }),
		h('thead', {}, h('tr', {}, cols.map((t, i) => h('th', { scope: 'col', class: [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 12].includes(i) ? 'num' : null, text: t })))),
		h('tbody', {}, g.cells.map(cellRow)));
}

function groupSection(g) {
	const jobs = g.cells.map((c) => c.jobs);
	const nowait = g.cells.some((c) => c.nowait);

	return h('section', { class: 'workload', dataset: { workload: g.workload } },
		h('h3', { text: g.workload }),
		g.description ? h('p', { class: 'desc', text: g.description }) : null,
		h('p', { class: 'group-summary' }, h('span', { dataset: { k: 'line' }, text: g.summary.line }), summaryChips(g.summary)),
		h('div', { class: 'cmp-body' }, h('div', { class: 'table-scroll' }, groupTable(g)),
			h('div', { class: nowait ? 'pair charts' : 'charts' },
			jobsChart({
				title: `${g.workload}: IOPS, base vs head`, jobs, yLabel: 'IOPS', yFmt: fmtInt,
				series: [
					{ label: 'base', values: g.cells.map((c) => c.base_iops_median), stroke: COLORS.base, dash: [6, 4] },
					{ label: 'head', values: g.cells.map((c) => c.head_iops_median), stroke: COLORS.head },
				],
			}),
			nowait ? jobsChart({
				title: `${g.workload}: EAGAIN rate, base vs head`, jobs, yLabel: 'EAGAIN %', yMax: 100, yFmt: (v) => `${v.toFixed(1)}%`,
				series: [
					{ label: 'base', values: g.cells.map((c) => eagainRate(c, 'base') * 100), stroke: COLORS.base, dash: [6, 4] },
					{ label: 'head', values: g.cells.map((c) => eagainRate(c, 'head') * 100), stroke: COLORS.head },
				],
			}) : null)));
}

function unpaired(list) {
	if (!list || !list.length)
		return null;
	const by = new Map();

	for (const u of list) {
		const k = `${u.side}\u0000${u.workload}`;

		if (!by.has(k))
			by.set(k, { side: u.side, workload: u.workload, jobs: [] });
		by.get(k).jobs.push(u.jobs);
	}
	return h('section', { class: 'unpaired' }, h('h2', { text: 'Not compared' }),
		h('ul', {}, [...by.values()].map((u) => h('li', { text: `only in ${u.side}: ${u.workload} JOBS ${u.jobs.sort((a, b) => a - b).join(', ')}` }))));
}

function result(cmp) {
	const s = cmp.summary;

	return h('div', { class: 'compare-result' },
		h('div', { class: `gate ${cmp.gate ? 'gate-fail' : 'gate-pass'}`, role: cmp.gate ? 'alert' : 'status' },
			h('p', { class: 'summary-line', dataset: { k: 'summary' }, text: s.line }),
			h('p', { text: cmp.gate ? 'Gate: FAIL — a cell regressed or failed verification.' : 'Gate: pass — nothing regressed, nothing corrupt.' }),
			summaryChips(s)),
		h('p', { class: 'muted small', text: `IOPS: ratio of medians (head / base) with a bootstrap ${Math.round((cmp.confidence || 0.95) * 100)}% interval ` +
			`(${fmtInt(cmp.iterations)} resamples); a verdict needs the whole interval beyond 1 ± ${+(cmp.threshold * 100).toFixed(2)}% ` +
			`and ${cmp.min_reps} reps a side. EAGAIN: two-proportion test, α ${cmp.eagain_alpha}.` }),
		h('div', { class: 'sides' },
			h('div', {}, h('h2', { text: 'Base' }), sideText(cmp.base.runs || [])),
			h('div', {}, h('h2', { text: 'Head' }), sideText(cmp.head.runs || []))),
		h('h2', { text: 'Cells' }),
		(cmp.workloads || []).map(groupSection),
		unpaired(cmp.unpaired));
}

export async function compareView(root, { query, signal }) {
	const base = query.get('base'), head = query.get('head');
	const out = h('div', { class: 'compare-out' });

	document.title = base && head ? `Compare ${base} → ${head} · ringlab` : 'Compare · ringlab';
	root.append(h('h1', { text: 'Compare' }));
	root.append(pickForm(query, await suggestions(signal)), out);
	if (!base || !head) {
		out.append(h('p', { class: 'muted', text: 'Pick a base and a head: two runs, or all done runs of a label or of a kernel tag (pooled).' }));
		return;
	}
	out.append(h('p', { class: 'muted', text: 'Comparing…' }));
	try {
		const cmp = await api.compare({ base, head, threshold: query.get('threshold') }, signal);

		out.replaceChildren(result(cmp));
	} catch (e) {
		if (signal.aborted)
			throw e;
		out.replaceChildren(errorBox(e, `Could not compare ${base} with ${head}`));
	}
}
