// SPDX-License-Identifier: MIT
// One run's results, per workload: IOPS against JOBS (the median of the
// repetitions as a line, each repetition as a dot), and a table per JOBS of
// the median IOPS, each repetition's IOPS, the EAGAIN rate over all first
// attempts, latency percentiles (medians over repetitions) and verification.
// A cell that completed nothing shows n/a, not 0; the run's "summaries"
// (written by ringlab with the run) say when the repetitions' EAGAIN rates
// disagree ("unstable", never a pooled rate) or move with timing (a range).

import { h } from '../dom.js';
import { COLORS, jobsChart } from '../charts.js';
import { fmtBytes, fmtInt, fmtPct, fmtUs, isNum, median, NONE } from '../format.js';

/** groupCells(run) - [{name, workload (definition or null), rows: [{jobs, cells}]}] in the run's order. */
export function groupCells(run) {
	const defs = new Map((run.workloads || []).map((w) => [w.name, w]));
	const groups = new Map();

	for (const w of run.workloads || [])
		groups.set(w.name, new Map());
	for (const c of run.cells || []) {
		if (!groups.has(c.workload))
			groups.set(c.workload, new Map());
		const byJobs = groups.get(c.workload);

		if (!byJobs.has(c.jobs))
			byJobs.set(c.jobs, []);
		byJobs.get(c.jobs).push(c);
	}
	return [...groups].map(([name, byJobs]) => ({
		name,
		workload: defs.get(name) || null,
		rows: [...byJobs].sort((a, b) => a[0] - b[0]).map(([jobs, cells]) => ({
			jobs,
			cells: cells.sort((a, b) => a.rep - b.rep),
		})),
	}));
}

const NA = 'n/a';

/* Nothing completed, though the cell ran: every first attempt was refused. */
const noneCompleted = (c) => c.ops === 0 && !c.failed;

/** summaryOf(run, workload, jobs) - the run's summary of those repetitions, or null (older runs). */
export function summaryOf(run, workload, jobs) {
	return (run.summaries || []).find((s) => s.workload === workload && s.jobs === jobs) || null;
}

/* The EAGAIN column: the rate, "unstable 0–100%", or a timing-dependent range. */
function eagainText(s, sum) {
	const range = (lo, hi) => `${(lo * 100).toFixed(1)}–${(hi * 100).toFixed(1)}%`;

	if (sum && sum.unstable)
		return `unstable ${range(sum.eagain_rate_min, sum.eagain_rate_max)}`;
	if (sum && sum.timing_dependent && sum.eagain_rate_max > sum.eagain_rate_min)
		return range(sum.eagain_rate_min, sum.eagain_rate_max);
	return fmtPct(s.eagain);
}

/** rowStats(cells, nowait) - the numbers a table row shows. */
export function rowStats(cells, nowait) {
	const sum = (k) => cells.reduce((s, c) => s + (isNum(c[k]) ? c[k] : 0), 0);
	const attempts = sum('attempts');
	const lat = (k) => median(cells.map((c) => c.lat_ns && c.lat_ns[k]));

	return {
		na: cells.length > 0 && cells.every(noneCompleted),
		iops: median(cells.map((c) => c.iops)),
		reps: cells.map((c) => c.iops),
		eagain: nowait === false || !attempts ? NaN : sum('eagain') / attempts,
		p50: lat('p50'),
		p99: lat('p99'),
		p999: lat('p999'),
		verifyFailed: cells.filter((c) => c.verify && c.verify.status === 'failed').length,
		verifyOk: cells.filter((c) => c.verify && c.verify.status === 'ok').length,
		unmet: cells.filter((c) => c.expect === 'unmet'),
		met: cells.filter((c) => c.expect === 'met').length,
	};
}

// The -EAGAIN cause vocabulary (daemon/engine/eagain_cause.c), in its order, with the bar's colours.
export const CAUSES = [
	['inode_lock', 'inode lock not taken', '#8e6bbf'],
	['timestamp_update', 'timestamp/privilege update', '#d9822b'],
	['extent_cache_miss', 'extent-cache miss', '#3c8dbc'],
	['allocation', 'allocation/unwritten', '#4a9d5b'],
	['unaligned_zeroing', 'unaligned zeroing', '#c0504d'],
	['extending_write', 'extending write', '#2f6f9f'],
	['invalidation', 'page-cache invalidation', '#b8a02b'],
	['journal_start', 'journal start', '#7a7a7a'],
	['other', 'other', '#555555'],
	['unknown', 'unknown', '#aaaaaa'],
	['unattributed', 'unattributed', '#dddddd'],
];

/** causeCounts(cells) - {key: count} summed over the cells that traced, or null when none did. */
export function causeCounts(cells) {
	const traced = cells.filter((c) => c.eagain_causes && c.eagain_causes.counts);

	if (!traced.length)
		return null;
	const out = {};

	for (const [k] of CAUSES)
		out[k] = traced.reduce((s, c) => s + ((k === 'unattributed' ? c.eagain_causes.unattributed : c.eagain_causes.counts[k]) || 0), 0);
	return out;
}

// A stacked bar of the refusals by cause: one segment per cause, its width its share.
function causesCell(cells) {
	const counts = causeCounts(cells);
	const unavailable = cells.find((c) => c.eagain_causes && c.eagain_causes.status === 'unavailable');

	if (!counts)
		return h('td', { class: 'muted', dataset: { k: 'causes' }, title: unavailable ? unavailable.eagain_causes.note : null,
			text: unavailable ? 'unavailable' : NONE });
	const total = CAUSES.reduce((s, [k]) => s + counts[k], 0);
	const parts = CAUSES.filter(([k]) => counts[k] > 0);
	const words = parts.map(([k, label]) => `${label} ${fmtPct(counts[k] / total)}`).join(', ');

	if (!total)
		return h('td', { class: 'muted', dataset: { k: 'causes' }, text: 'no EAGAIN' });
	return h('td', { dataset: { k: 'causes' } },
		h('div', { class: 'causes-bar', role: 'img', 'aria-label': `EAGAIN causes: ${words}`, title: words },
			parts.map(([k, label, color]) => h('span', {
				class: 'cause', dataset: { cause: k, count: String(counts[k]) }, title: `${label}: ${fmtInt(counts[k])}`,
				style: { width: `${(100 * counts[k] / total).toFixed(2)}%`, background: color },
			}))),
		h('span', { class: 'small muted', text: words }));
}

function shape(w, scale) {
	if (!w)
		return '';
	const parts = [
		`${w.op} ${fmtBytes(w.io_size)} at +${w.io_offset}`,
		`[${(w.stripe || '').split('').join('][')}] stripes of ${fmtBytes(w.block_size)} blocks`,
		`${w.order}, QD ${w.queue_depth}`,
		w.direct ? 'O_DIRECT' : 'buffered',
	];

	if (w.nowait)
		parts.push(`RWF_NOWAIT (${w.eagain_policy}), cache ${w.cache}, timestamps ${w.timestamps}`);
	parts.push(w.duration_ms ? `${w.duration_ms} ms per cell` :
		`${w.size_per_job} per job${isNum(scale) && scale !== 1 ? ` × scale ${scale}` : ''}`);
	return parts.join(' · ');
}

function verifyCell(s, n) {
	if (s.verifyFailed)
		return h('td', { class: 'verify-bad', dataset: { k: 'verify' }, text: `FAILED ${s.verifyFailed}/${n}` });
	if (s.verifyOk === n)
		return h('td', { class: 'good', dataset: { k: 'verify' }, text: 'ok' });
	return h('td', { class: 'muted', dataset: { k: 'verify' }, text: s.verifyOk ? `ok ${s.verifyOk}/${n}` : 'skipped' });
}

function expectCell(s) {
	if (s.unmet.length)
		return h('td', { class: 'warn', title: s.unmet.map((c) => `rep ${c.rep}: ${c.error}`).join('\n'), text: `unmet ×${s.unmet.length}` });
	return h('td', { class: s.met ? 'good' : 'muted', text: s.met ? 'met' : NONE });
}

function summaryTable(g, nowait, withExpect, run) {
	const head = ['JOBS', 'IOPS (median)', 'IOPS per rep', 'EAGAIN rate', 'p50 µs', 'p99 µs', 'p99.9 µs', 'Verify'];
	const withCauses = g.rows.some((r) => r.cells.some((c) => c.eagain_causes));

	if (withExpect)
		head.push('Expect');
	if (withCauses)
		head.push('EAGAIN causes');
	return h('table', { class: 'data results', dataset: { workload: g.name } },
		h('caption', { text: `${g.name}: median of the repetitions per JOBS; latencies are completion latencies` }),
		h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: i && i < 7 ? 'num' : null, text: t })))),
		h('tbody', {}, g.rows.map((r) => {
			const s = rowStats(r.cells, nowait);
			const sum = summaryOf(run, g.name, r.jobs);
			const us = (v) => (s.na ? NA : fmtUs(v));

			return h('tr', { dataset: { jobs: String(r.jobs), unstable: sum && sum.unstable ? 'true' : null } },
				h('th', { scope: 'row', class: 'num', text: String(r.jobs) }),
				h('td', { class: 'num strong', dataset: { k: 'iops' }, text: s.na ? NA : fmtInt(s.iops) }),
				h('td', { class: 'num muted', dataset: { k: 'reps' },
					text: r.cells.map((c) => (noneCompleted(c) ? NA : fmtInt(c.iops))).join(' · ') }),
				h('td', { class: `num${sum && sum.unstable ? ' warn' : ''}`, dataset: { k: 'eagain' }, text: eagainText(s, sum),
					title: sum && sum.unstable ? 'the repetitions disagree: no one rate' : null }),
				h('td', { class: 'num', dataset: { k: 'p50' }, text: us(s.p50) }),
				h('td', { class: 'num', dataset: { k: 'p99' }, text: us(s.p99) }),
				h('td', { class: 'num', dataset: { k: 'p999' }, text: us(s.p999) }),
				verifyCell(s, r.cells.length),
				withExpect ? expectCell(s) : null,
				withCauses ? causesCell(r.cells) : null);
		})));
}

function repTable(g) {
	const head = ['JOBS', 'rep', 'IOPS', 'MiB/s', 'EAGAIN', 'of attempts', 'retries', 'errors', 'p50 µs', 'p99 µs',
		'p99.9 µs', 'max µs', 'enter p99 µs', 'CPU sys s', 'verify', 'note'];

	return h('table', { class: 'data reps' },
		h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col', text: t })))),
		h('tbody', {}, g.rows.flatMap((r) => r.cells.map((c) => h('tr', { dataset: { jobs: String(c.jobs), rep: String(c.rep) } },
			h('td', { class: 'num', text: String(c.jobs) }),
			h('td', { class: 'num', text: String(c.rep) }),
			h('td', { class: 'num', dataset: { k: 'iops' }, text: noneCompleted(c) ? NA : fmtInt(c.iops) }),
			h('td', { class: 'num', text: isNum(c.bw_bytes_s) ? (c.bw_bytes_s / 1048576).toFixed(1) : NONE }),
			h('td', { class: 'num', text: fmtInt(c.eagain) }),
			h('td', { class: 'num', text: fmtInt(c.attempts) }),
			h('td', { class: 'num', text: fmtInt(c.retries) }),
			h('td', { text: (c.errors || []).map((e) => `${e.name} ×${e.count}`).join(', ') || NONE }),
			h('td', { class: 'num', text: fmtUs(c.lat_ns && c.lat_ns.p50) }),
			h('td', { class: 'num', text: fmtUs(c.lat_ns && c.lat_ns.p99) }),
			h('td', { class: 'num', text: fmtUs(c.lat_ns && c.lat_ns.p999) }),
			h('td', { class: 'num', text: fmtUs(c.lat_ns && c.lat_ns.max) }),
			h('td', { class: 'num', text: fmtUs(c.enter_lat_ns && c.enter_lat_ns.p99) }),
			h('td', { class: 'num', text: isNum(c.cpu_sys_s) ? c.cpu_sys_s.toFixed(3) : NONE }),
			h('td', { class: c.verify && c.verify.status === 'failed' ? 'verify-bad' : null, text: c.verify ? c.verify.status : NONE }),
			h('td', { class: c.failed ? 'warn' : 'muted', text: c.error || (c.failed ? 'failed' : '') }))))));
}

function workloadSection(g, run) {
	const w = g.workload;
	const nowait = w ? w.nowait : undefined;
	const jobs = g.rows.map((r) => r.jobs);
	const nreps = Math.max(0, ...g.rows.map((r) => r.cells.length));
	const withExpect = g.rows.some((r) => r.cells.some((c) => c.expect && c.expect !== 'none'));
	const series = [];

	for (let i = 0; i < nreps; i++)
		series.push({ label: `rep ${i + 1}`, values: g.rows.map((r) => (r.cells[i] ? r.cells[i].iops : null)), stroke: COLORS.reps, points: true });
	// Last, so the median is drawn over the repetitions' dots.
	series.push({ label: 'median', values: g.rows.map((r) => median(r.cells.map((c) => c.iops))), stroke: COLORS.median });
	return h('section', { class: 'workload', dataset: { workload: g.name } },
		h('h3', { text: g.name }),
		w && w.description ? h('p', { class: 'desc', text: w.description }) : null,
		w ? h('p', { class: 'muted small', text: shape(w, run.scale) }) : null,
		!g.rows.length ? h('p', { class: 'muted', text: 'No cells yet.' }) :
			h('div', { class: 'pair' },
				jobsChart({ title: `${g.name}: IOPS by JOBS`, jobs, series, yLabel: 'IOPS', yFmt: fmtInt }),
				h('div', { class: 'table-scroll' }, summaryTable(g, nowait, withExpect, run))),
		g.rows.length ? h('details', { class: 'reps' },
			h('summary', { text: `Every repetition (${g.rows.reduce((n, r) => n + r.cells.length, 0)} cells)` }),
			h('div', { class: 'table-scroll' }, repTable(g))) : null);
}

/** resultsSection(run) - the "Results" section of a run page. */
export function resultsSection(run) {
	const groups = groupCells(run);

	return h('section', { class: 'results', 'aria-labelledby': 'results-h' },
		h('h2', { id: 'results-h', text: 'Results' }),
		groups.length ? groups.map((g) => workloadSection(g, run)) : h('p', { class: 'muted', text: 'No results yet.' }));
}
