// SPDX-License-Identifier: MIT
// #/nightly and #/nightly/ID: a night of `ringlab nightly` (GET
// /api/v1/nightly/latest or /ID): its verdict, then per variant and suite the
// run, the comparison with the base (summary line, the regressed and corrupt
// cells, a link to the full comparison) or why there is none, a family
// version's comparison with the version before it, with the end of the
// console for a run that failed; each series family's versions x cells
// (nightly_matrix.js); below, the past nights.

import { api } from '../api.js';
import { h, errorBox } from '../dom.js';
import { fmtCI, fmtDuration, fmtInt, fmtRatio, fmtTime, NONE } from '../format.js';
import { hashFor } from '../router.js';
import { matrixSection } from './nightly_matrix.js';

const PAGE = 30;

const VERDICT_TEXT = {
	ok: 'Nothing regressed, nothing corrupt, every run came back.',
	failed: 'A run failed or could not be compared: no kernel, a panic, a hung guest, or ringlab failed.',
	'eagain-changed': 'A variant changed an EAGAIN rate (more or fewer RWF_NOWAIT writes refused) against the base.',
	regressed: 'A variant regressed against the base.',
	corrupt: 'Data verification failed: a kernel lost or mangled writes.',
};

function statusTag(st) {
	return h('span', { class: `verdict v-${st || 'unknown'}`, text: st || 'unknown' });
}

function runCell(run) {
	if (!run || !run.id)
		return h('td', { dataset: { k: 'run' }, text: NONE });
	return h('td', { dataset: { k: 'run' } },
		h('a', { href: `#/runs/${run.id}`, text: `#${run.id}` }),
		h('span', { class: 'muted', text: ` ${run.status || ''}` }),
		run.kernel_release ? h('span', { class: 'muted small block', text: run.kernel_release }) : null);
}

function cellText(c) {
	const ci = fmtCI(c.ci_lo, c.ci_hi);

	return `${c.workload} JOBS ${c.jobs}: ${fmtRatio(c.ratio)}${ci === NONE ? '' : ` (${ci})`}, ` +
		`${fmtInt(c.base_iops_median)} → ${fmtInt(c.head_iops_median)} IOPS`;
}

/* "nw-mixed-aligned@cold,count JOBS 1: EAGAIN 0.0% → 100.0%" */
function eagainText(c) {
	const pct = (r) => (Number.isFinite(r) ? `${(r * 100).toFixed(1)}%` : NONE);

	return `${c.workload} JOBS ${c.jobs}: EAGAIN ${pct(c.eagain_base_rate)} → ${pct(c.eagain_head_rate)}`;
}

/* The cells a person must look at: corrupt first, then regressed, then EAGAIN changes. */
function badCells(s) {
	const corrupt = (s.corrupt || []).map((c) => h('li', { class: 'bad', dataset: { kind: 'corrupt' } },
		`${c.workload} JOBS ${c.jobs}: verification failed (base ${c.base_verify_failed}, head ${c.head_verify_failed} reps)` +
		(c.verify_found ? `: ${c.verify_found}` : '')));
	const regressed = (s.regressed || []).map((c) => h('li', { dataset: { kind: 'regressed' }, text: cellText(c) }));
	const eagain = (s.eagain_changed || []).map((c) => h('li', { dataset: { kind: 'eagain-changed' }, text: eagainText(c) }));

	return h('td', { dataset: { k: 'cells' } },
		corrupt.length || regressed.length || eagain.length ? h('ul', { class: 'cells' }, corrupt, regressed, eagain) : NONE);
}

function compareCell(s) {
	if (!s.comparison || !s.base_run_id || !s.run || !s.run.id)
		return h('td', { dataset: { k: 'compare' }, text: NONE });
	return h('td', { dataset: { k: 'compare' } },
		h('a', { href: hashFor('compare', { base: s.base_run_id, head: s.run.id }), text: 'Compare' }));
}

/* A family version against the version before it: status, summary, link (not gated). */
function previousLine(s) {
	const p = s.previous;

	if (!p)
		return null;
	return h('span', { class: 'small block', dataset: { k: 'previous' } }, `vs ${p.variant}: `, statusTag(p.status),
		` ${p.summary || p.error || ''}`,
		p.summary && p.run_id && s.run && s.run.id ? [' ', h('a', { href: hashFor('compare', { base: p.run_id, head: s.run.id }), text: 'Compare' })] : null);
}

function entryRow(report, v, s) {
	return h('tr', { dataset: { variant: v.name, suite: s.suite, status: s.status } },
		h('th', { scope: 'row' }, h('span', { class: 'strong', text: v.name }),
			v.base ? h('span', { class: 'tag-base', text: 'base' }) : null,
			h('span', { class: 'muted small block', text: v.kind || '' })),
		h('td', { class: 'mono', text: s.suite }),
		h('td', { dataset: { k: 'status' } }, statusTag(s.status)),
		runCell(s.run),
		h('td', { dataset: { k: 'summary' } },
			v.base ? h('span', { class: 'muted', text: 'the base' }) : (s.summary || NONE),
			v.compared_with && v.compared_with !== report.base ?
				h('span', { class: 'muted small block', dataset: { k: 'against' }, text: `against ${v.compared_with}` }) : null,
			s.error ? h('span', { class: 'bad small block', dataset: { k: 'error' }, text: s.error }) : null,
			previousLine(s)),
		badCells(s),
		compareCell(s));
}

function entriesTable(report) {
	const rows = [];

	for (const v of report.variants || [])
		for (const s of v.suites || [])
			rows.push(entryRow(report, v, s));
	return h('div', { class: 'table-scroll' }, h('table', { class: 'data nightly' },
		h('caption', { text: `Each variant's run of each suite, compared with the base${report.base ? ` (${report.base})` : ''}` +
			((report.families || []).length ? '; a family\'s versions with their FAMILY:base and the version before' : '') }),
		h('thead', {}, h('tr', {}, ['Variant', 'Suite', 'Status', 'Run', 'Against the base', 'Regressed, EAGAIN-changed or corrupt cells', '']
			.map((t) => h('th', { scope: 'col', text: t })))),
		h('tbody', {}, rows)));
}

/* What the console and the runner said, for the runs that failed. */
function failures(report) {
	const items = [];

	for (const v of report.variants || []) {
		for (const s of v.suites || []) {
			const r = s.run || {};

			if (!r.failed)
				continue;
			items.push(h('details', { class: 'failure', dataset: { variant: v.name, suite: s.suite } },
				h('summary', {}, h('strong', { text: `${v.name} × ${s.suite}` }), `: ${r.error || 'failed'}`),
				r.console_tail ? [h('h4', { text: 'Guest console (last lines)' }), h('pre', { class: 'tail', text: r.console_tail })] : null,
				r.log_tail ? [h('h4', { text: 'Runner output (last lines)' }), h('pre', { class: 'tail', text: r.log_tail })] : null));
		}
	}
	return items.length ? h('section', { class: 'failures' }, h('h3', { text: 'Runs that failed' }), items) : null;
}

function meta(item, report) {
	const rows = [
		['Started', fmtTime(item.started)],
		['Duration', fmtDuration(item.duration_s)],
		['Base', report.base || NONE],
		['Suites', (report.suites || []).join(', ') || NONE],
		['Threshold', report.threshold != null ? `${+(report.threshold * 100).toFixed(2)}%` : NONE],
		['ringlab args', report.ringlab_args || NONE],
		['Host', report.hostname || NONE],
		['ringlab', report.ringlab_version || NONE],
	];

	return h('dl', { class: 'meta' }, rows.map(([k, v]) => h('div', {}, h('dt', { text: k }), h('dd', { text: String(v) }))));
}

function reportSection(item) {
	const report = item.report || {};
	const bad = item.status !== 'ok';

	return h('section', { class: 'nightly-report', dataset: { id: String(item.id), status: item.status } },
		h('div', { class: 'title-row' },
			h('h2', { text: `Night ${report.label || item.label || `#${item.id}`}` }), statusTag(item.status)),
		h('div', { class: `gate ${bad ? 'gate-fail' : 'gate-pass'}`, role: bad ? 'alert' : 'status' },
			h('p', { class: 'summary-line', dataset: { k: 'summary' }, text: item.summary }),
			h('p', { text: VERDICT_TEXT[item.status] || '' }),
			report.interrupted ? h('p', { class: 'bad', text: 'The night was interrupted before every run ended.' }) : null),
		meta(item, report),
		h('p', { class: 'actions' },
			report.label ? h('a', { class: 'button secondary', href: hashFor('runs', { label: report.label }), text: 'Runs of this night' }) : null,
			h('a', { class: 'button secondary', href: api.nightlyUrl(item.id), download: `ringlab-nightly-${item.id}.json`, text: 'Download JSON' })),
		entriesTable(report),
		(report.matrices || []).length ? h('section', { class: 'matrices' }, h('h3', { text: 'Series families: versions × cells' }),
			report.matrices.map(matrixSection)) : null,
		failures(report));
}

function listRow(r, current) {
	return h('tr', { class: r.id === current ? 'current' : null, dataset: { id: String(r.id), status: r.status } },
		h('td', {}, h('a', { href: `#/nightly/${r.id}`, text: r.label || `#${r.id}` })),
		h('td', { dataset: { k: 'status' } }, statusTag(r.status)),
		h('td', { dataset: { k: 'summary' }, text: r.summary }),
		h('td', { text: fmtTime(r.started) }),
		h('td', { class: 'num', text: fmtDuration(r.duration_s) }));
}

function pastNights(data, current, offset) {
	const reports = data.reports || [];
	const q = (o) => hashFor(current ? `nightly/${current}` : 'nightly', { offset: o || '' });

	if (!reports.length)
		return null;
	return h('section', { class: 'nightly-list' }, h('h2', { text: 'Nights' }),
		h('div', { class: 'table-scroll' }, h('table', { class: 'data nightly-list' },
			h('caption', { class: 'visually-hidden', text: 'Nightly reports, newest first' }),
			h('thead', {}, h('tr', {}, ['Night', 'Status', 'Summary', 'Started', 'Duration']
				.map((t, i) => h('th', { scope: 'col', class: i === 4 ? 'num' : null, text: t })))),
			h('tbody', {}, reports.map((r) => listRow(r, current))))),
		h('nav', { class: 'pager', 'aria-label': 'Pages of nights' },
			offset > 0 ? h('a', { href: q(Math.max(0, offset - PAGE)), rel: 'prev', text: '← Newer' }) : null,
			h('span', { class: 'count', text: `${offset + 1}–${offset + reports.length} of ${data.total}` }),
			offset + reports.length < data.total ? h('a', { href: q(offset + PAGE), rel: 'next', text: 'Older →' }) : null));
}

export async function nightlyView(root, { params, query, signal }) {
	const id = params && params.id ? Number(params.id) : null;
	const offset = Math.max(0, parseInt(query.get('offset'), 10) || 0);
	const slot = h('div', { class: 'nightly-slot' }, h('p', { class: 'muted', text: 'Loading the night…' }));

	document.title = id ? `Night #${id} · ringlab` : 'Nightly · ringlab';
	root.append(h('h1', { text: 'Nightly' }), slot);
	const [item, list] = await Promise.all([
		(id ? api.nightlyReport(id, signal) : api.nightlyLatest(signal)).catch((e) => {
			if (signal.aborted || e.name === 'AbortError' || !(e.status === 404 && !id))
				throw e;
			return null;	// no night yet
		}),
		api.nightly({ limit: PAGE, offset }, signal),
	]).catch((e) => {
		if (signal.aborted || e.name === 'AbortError')
			throw e;
		slot.replaceChildren(errorBox(e, id ? `Could not load night #${id}` : 'Could not load the nightly reports'));
		return [undefined, null];
	});

	if (item === undefined)
		return;
	if (item)
		document.title = `Night ${item.label || `#${item.id}`} (${item.status}) · ringlab`;
	slot.replaceChildren(item ? reportSection(item) :
		h('p', { class: 'empty' }, 'No nightly report yet. ',
			h('code', { text: 'ringlab nightly -c FILE' }), ' stores one each night (systemd: ringlab-nightly.timer).'),
	pastNights(list, item ? item.id : null, offset) || '');
}
