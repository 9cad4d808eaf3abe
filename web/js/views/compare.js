// SPDX-License-Identifier: MIT
// #/compare?base=..&head=..: two runs, labels or kernel tags compared cell
// by cell (GET /api/v1/compare), in tables shaped like the series' ones
// (JOBS, base, head, speedup) with the interval, the verdict in colour, and
// the EAGAIN rates beside the IOPS: n/a where a side completed nothing,
// "unstable" where a side's repetitions disagree, ranges where a rate is
// timing-dependent (retry-blocking).

import { api } from '../api.js';
import { h, errorBox } from '../dom.js';
import { COLORS, jobsChart } from '../charts.js';
import { fmtCI, fmtInt, fmtPct, fmtPP, fmtRatio, fmtTime, fmtUs, isNum, NONE } from '../format.js';
import { hashFor } from '../router.js';

/* What fails the gate besides corruption (the API's ?gate=). */
const GATES = [['both', 'IOPS and EAGAIN'], ['iops', 'IOPS only'], ['eagain', 'EAGAIN only']];
const NA = 'n/a';

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
		h('div', { class: 'field' }, h('label', { for: 'gate', text: 'Gate on' }),
			h('select', { id: 'gate', name: 'gate' }, GATES.map(([v, t]) =>
				h('option', { value: v, text: t, selected: v === (query.get('gate') || 'both') })))),
		h('div', { class: 'field' }, h('label', { for: 'cross_host', text: 'Across hosts' }),
			h('input', { id: 'cross_host', name: 'cross_host', type: 'checkbox', checked: query.get('cross_host') === '1' })),
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
			gate: val('gate') === 'both' ? '' : val('gate'),
			cross_host: form.elements.cross_host.checked ? '1' : '',
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
			['hosts', uniq((r) => r.host)], ['kernels', uniq((r) => r.kernel_release)], ['suites', uniq((r) => r.suite)], ['scale', uniq((r) => String(r.scale))],
			['started', uniq((r) => fmtTime(r.started))]]
			.map(([k, v]) => h('div', {}, h('dt', { text: k }), h('dd', { text: v }))));
}

function summaryChips(s) {
	const keys = ['corrupt', 'regressed', 'eagain-changed', 'improved', 'unstable', 'unchanged', 'insufficient', 'incompatible'];

	return h('ul', { class: 'chips summary-chips' },
		keys.filter((k) => s[k]).map((k) => h('li', { class: `v-${k}`, text: `${s[k]} ${k}` })));
}

function eagainRate(c, side) {
	const r = c[`eagain_${side}_rate`];

	if (isNum(r))
		return r;
	if (c[`eagain_${side}_unstable`])
		return NaN;
	return c.nowait && c[`eagain_${side}_attempts`] ? c[`eagain_${side}`] / c[`eagain_${side}_attempts`] : NaN;
}

/* "0–100%" or "47%": one side's repetitions, for rates that move or disagree. */
function eagainRange(c, side) {
	const lo = c[`eagain_${side}_rate_min`], hi = c[`eagain_${side}_rate_max`];

	if (!isNum(lo) || !isNum(hi))
		return NONE;
	return hi > lo ? `${(lo * 100).toFixed(0)}–${(hi * 100).toFixed(0)}%` : fmtPct(lo, 0);
}

/* A side's EAGAIN: its rate, its range when timing-dependent, "unstable" when its reps disagree. */
function eagainCell(c, side) {
	const unstable = c[`eagain_${side}_unstable`];
	const text = unstable ? `unstable ${eagainRange(c, side)}` :
		c.timing_dependent && c.eagain_verdict !== 'n/a' ? eagainRange(c, side) : fmtPct(eagainRate(c, side));

	return h('td', { class: `num${unstable ? ' warn' : ''}`, dataset: { k: `eagain-${side}` }, text,
		title: unstable ? 'the repetitions disagree: no rate to compare' : null });
}

const EAGAIN_NOTES = {
	changed: ' changed', unstable: ' unstable', 'timing-dependent': ' timing-dependent', insufficient: ' insufficient',
};

function eagainDiff(c) {
	const changed = c.eagain_verdict === 'changed';
	const interval = isNum(c.eagain_ci_lo_pp) ? `interval ${fmtPP(c.eagain_ci_lo_pp)} to ${fmtPP(c.eagain_ci_hi_pp)}; ` : '';

	return h('td', { class: `num${changed ? ' strong eagain-changed' : ''}`, dataset: { k: 'eagain-diff', verdict: c.eagain_verdict },
		title: `${interval}EAGAIN ${c.eagain_verdict}` },
	fmtPP(c.eagain_diff_pp), EAGAIN_NOTES[c.eagain_verdict] || '');
}

function cellRow(c) {
	const compared = !c.incompatible && !c.iops_na;
	const iops = (v) => (c.iops_na && !isNum(v) ? NA : fmtInt(v));

	return h('tr', { dataset: { jobs: String(c.jobs), verdict: c.verdict } },
		h('th', { scope: 'row', class: 'num', text: String(c.jobs) }),
		h('td', { class: 'num', dataset: { k: 'base' }, text: iops(c.base_iops_median) }),
		h('td', { class: 'num', dataset: { k: 'head' }, text: iops(c.head_iops_median) }),
		h('td', { class: 'num strong', dataset: { k: 'speedup' }, text: compared ? fmtRatio(c.ratio) : c.iops_na ? NA : NONE }),
		h('td', { class: 'num muted', dataset: { k: 'ci' }, text: compared ? fmtCI(c.ci_lo, c.ci_hi) : NONE }),
		h('td', { dataset: { k: 'verdict' } }, verdictTag(c.verdict, c.incompatible_reason),
			c.incompatible_reason ? h('span', { class: 'muted small block', text: c.incompatible_reason }) : null,
			c.iops_na ? h('span', { class: 'muted small block', text: 'IOPS n/a: nothing completed; judged on EAGAIN' }) : null,
			c.base_verify_failed || c.head_verify_failed ?
				h('span', { class: 'bad small block', text: `verify failed: base ${c.base_verify_failed}, head ${c.head_verify_failed}` +
					(c.verify_found ? ` (${c.verify_found})` : '') }) : null),
		eagainCell(c, 'base'),
		eagainCell(c, 'head'),
		eagainDiff(c),
		h('td', { class: 'num', text: c.iops_na ? NA : fmtUs(c.base_p99_ns_median) }),
		h('td', { class: 'num', text: c.iops_na ? NA : fmtUs(c.head_p99_ns_median) }),
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

/* Every cell incompatible and none corrupt: no verdict at all, which `ringlab compare` exits 2 for. */
function nothingCompared(cmp) {
	const s = cmp.summary || {};

	return !cmp.gate && s.cells > 0 && s.incompatible === s.cells;
}

/* What the gate said, and on what (older answers have no gate_on: IOPS). */
function gateText(cmp) {
	const on = cmp.gate_on || 'iops';
	const what = { both: 'IOPS regression or EAGAIN change', iops: 'IOPS regression', eagain: 'EAGAIN change' }[on] || on;

	if (nothingCompared(cmp))
		return `Gate (${on}): nothing compared — every cell is incompatible (see each cell's reason).`;
	return cmp.gate ? `Gate (${on}): FAIL — an ${what}, or a failed verification.` :
		`Gate (${on}): pass — no ${what}, nothing corrupt.`;
}

/* Runs of different machines: refused (every cell incompatible) unless asked for, then said. */
function hostNote(cmp) {
	if (!cmp.cross_host)
		return null;
	return cmp.workloads?.some((w) => w.cells?.some((c) => c.incompatible_field === 'host')) ?
		h('p', { class: 'host-note gate-fail', role: 'alert', dataset: { k: 'host' },
			text: `Incompatible: the runs come from different hosts (${cmp.host_note}). Tick "Across hosts" to compare them anyway.` }) :
		h('p', { class: 'host-note', role: 'note', dataset: { k: 'host' },
			text: `This comparison crosses hosts: ${cmp.host_note}.` });
}

/*
 * The sides' jobs could not run alike (accelerator, TCG thread mode, CPU
 * count: another machine, or a VM): the API's machine_note, a caution to
 * read the JOBS columns with, never a verdict.
 */
function machineNote(cmp) {
	if (!cmp.machine_note)
		return null;
	return h('p', { class: 'note-box warn-box machine-note', role: 'note', dataset: { k: 'machine' },
		text: `Read the JOBS columns with care: ${cmp.machine_note}.` });
}

function result(cmp) {
	const s = cmp.summary;
	const bad = cmp.gate || nothingCompared(cmp);

	return h('div', { class: 'compare-result' },
		h('div', { class: `gate ${bad ? 'gate-fail' : 'gate-pass'}`, role: bad ? 'alert' : 'status' },
			h('p', { class: 'summary-line', dataset: { k: 'summary' }, text: s.line }),
			h('p', { dataset: { k: 'gate' }, text: gateText(cmp) }),
			summaryChips(s)),
		hostNote(cmp),
		machineNote(cmp),
		h('p', { class: 'muted small', text: `IOPS: ratio of medians (head / base) with a bootstrap ${Math.round((cmp.confidence || 0.95) * 100)}% interval ` +
			`(${fmtInt(cmp.iterations)} resamples); a verdict needs the whole interval beyond 1 ± ${+(cmp.threshold * 100).toFixed(2)}% ` +
			`and ${cmp.min_reps} reps a side. EAGAIN: the repetitions' rates, a bootstrap ${Math.round((1 - (cmp.eagain_alpha ?? 0.01)) * 100)}% ` +
			`interval of the difference of their means beyond ± ${cmp.eagain_min_pp ?? 5} points, ${cmp.min_reps} reps a side; ` +
			`unstable when a side's reps span more than ${cmp.eagain_unstable_pp ?? 20} points; retry-blocking rates are ` +
			`timing-dependent unless they move beyond ${cmp.timing_factor ?? 2}× their spread.` }),
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
		const cmp = await api.compare({
			base, head, threshold: query.get('threshold'), gate: query.get('gate'), cross_host: query.get('cross_host'),
		}, signal);

		out.replaceChildren(result(cmp));
	} catch (e) {
		if (signal.aborted)
			throw e;
		out.replaceChildren(errorBox(e, `Could not compare ${base} with ${head}`));
	}
}
