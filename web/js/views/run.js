// SPDX-License-Identifier: MIT
// #/runs/ID: one run. What failed comes first (verification in red), then
// the run's header and download link, the live panel while it runs, the
// results per workload, and the environment it ran in.

import { api } from '../api.js';
import { h, badge, errorBox } from '../dom.js';
import { fmtDuration, fmtTime, NONE } from '../format.js';
import { hashFor } from '../router.js';
import { startLive } from './live.js';
import { envSection } from './run_env.js';
import { failureNotes, verifyBanner } from './run_checks.js';
import { resultsSection } from './run_results.js';

const ACTIVE = new Set(['queued', 'running']);

function meta(run) {
	const rows = [
		['Label', run.label || NONE],
		['Kernel tag', run.kernel_tag || NONE],
		['Kernel release', run.kernel_release || (run.env && run.env.kernel_release) || NONE],
		['Target', run.target || NONE],
		['Scale', run.scale ?? NONE],
		['Created', fmtTime(run.created)],
		['Started', fmtTime(run.started)],
		['Finished', fmtTime(run.finished)],
		['Duration', fmtDuration(run.duration_s)],
		['Cells', cellsText(run)],
	];

	return h('dl', { class: 'meta' }, rows.map(([k, v]) => h('div', {},
		h('dt', { text: k }), h('dd', { text: String(v), dataset: { k: k.toLowerCase() } }))));
}

function cellsText(run) {
	const cells = run.cells || [];
	const failed = cells.filter((c) => c.failed).length;

	return `${cells.length}${failed ? `, ${failed} failed` : ''}`;
}

function header(run) {
	return h('header', { class: 'run-head' },
		h('div', { class: 'title-row' },
			h('h1', {}, `Run #${run.id}: `, h('span', { text: run.what || run.suite || '' })),
			badge(run.status)),
		meta(run),
		h('p', { class: 'actions' },
			h('a', { class: 'button secondary', href: api.runUrl(run.id), download: `ringlab-run-${run.id}.json`, text: 'Download JSON' }),
			h('a', { class: 'button secondary', href: hashFor('compare', { base: run.id }), text: 'Compare with…' }),
			run.label ? h('a', { class: 'button secondary', href: hashFor('runs', { label: run.label }), text: `Runs labelled “${run.label}”` }) : null));
}

function render(root, run, signal) {
	const live = ACTIVE.has(run.status) ? h('div', { class: 'live-slot' }) : null;
	let results = resultsSection(run);
	let banner = verifyBanner(run);
	const bannerSlot = h('div', { class: 'banner-slot' }, banner);

	document.title = `Run #${run.id} (${run.status}) · ringlab`;
	const head = header(run);
	const cellsCount = head.querySelector('[data-k="cells"]');

	root.replaceChildren(...[bannerSlot, head, live, failureNotes(run), results, envSection(run)].filter(Boolean));
	if (!live)
		return;
	run.cells = run.cells || [];
	startLive(live, run, {
		signal,
		onCell(cell, n) {
			if (n <= run.cells.length)
				return;
			run.cells.push(cell);
			cellsCount.textContent = cellsText(run);
			const next = resultsSection(run);

			results.replaceWith(next);
			results = next;
			banner = verifyBanner(run);
			bannerSlot.replaceChildren(...(banner ? [banner] : []));
		},
		async onDone() {
			try {
				render(root, await api.run(run.id, signal), signal);
			} catch (e) {
				if (!signal.aborted)
					root.prepend(errorBox(e, 'The run finished, but its results could not be loaded'));
			}
		},
	});
}

export async function runView(root, { params, signal }) {
	document.title = `Run #${params.id} · ringlab`;
	root.append(h('p', { class: 'muted', text: `Loading run #${params.id}…` }));
	render(root, await api.run(params.id, signal), signal);
}
