// SPDX-License-Identifier: MIT
// The live panel of a queued or running run: the current cell (workload,
// JOBS, repetition, phase), percent done and live IOPS, from the run's
// Server-Sent Events (progress, cell, done), without reloading. Should the
// stream fail, it falls back to polling the progress endpoint.

import { api, ApiError } from '../api.js';
import { h, errorBox } from '../dom.js';
import { liveChart } from '../charts.js';
import { fmtInt, fmtPct, isNum } from '../format.js';
import { tokenField } from './token.js';

const POLL_MS = 2000;

/* An event's JSON data, or {} when it has none. */
function data(ev) {
	try {
		return JSON.parse(ev.data);
	} catch {
		return {};
	}
}
const MAX_STREAM_ERRORS = 3;

function panel(run) {
	const percent = h('span', { class: 'big', dataset: { live: 'percent' }, text: fmtPct(0) });
	const iops = h('span', { class: 'big', dataset: { live: 'iops' }, text: '—' });
	const bar = h('progress', { max: '1', value: '0', 'aria-label': 'Run progress' });
	const cell = h('p', { dataset: { live: 'cell' }, text: run.status === 'queued' ? 'Queued: waiting for the target.' : 'Starting…' });
	const status = h('p', { class: 'muted small', role: 'status', dataset: { live: 'status' } });
	const chart = liveChart('Live IOPS', 'IOPS');
	const cancel = h('button', { type: 'button', class: 'danger', text: 'Cancel run' });
	const messages = h('div');
	const el = h('section', { class: 'live', 'aria-labelledby': 'live-h' },
		h('h2', { id: 'live-h', text: 'Live' }),
		h('div', { class: 'live-numbers' },
			h('div', {}, h('span', { class: 'label', text: 'Done' }), percent),
			h('div', {}, h('span', { class: 'label', text: 'Live IOPS' }), iops),
			h('div', { class: 'grow' }, h('span', { class: 'label', text: 'Now' }), cell, bar)),
		chart.el, h('p', { class: 'actions' }, cancel), messages, status);

	return { el, percent, iops, bar, cell, status, chart, cancel, messages };
}

function describe(p) {
	if (p.status === 'queued')
		return 'Queued: waiting for the target.';
	if (!p.workload)
		return 'Starting…';
	const n = isNum(p.ncells) ? ` of ${p.ncells}` : '';
	const cellNo = isNum(p.cell) ? `cell ${p.cell + 1}${n}: ` : '';

	return `${cellNo}${p.workload}, JOBS ${p.jobs}, rep ${p.rep} of ${p.reps}` +
		`${p.phase ? ` — ${p.phase}` : ''}${isNum(p.fraction) ? `, ${fmtPct(p.fraction, 0)} of the cell` : ''}`;
}

function wireCancel(ui, run) {
	const token = tokenField();

	ui.cancel.addEventListener('click', async () => {
		ui.cancel.disabled = true;
		ui.messages.replaceChildren();
		try {
			const r = await api.cancel(run.id);

			ui.status.textContent = `Cancel requested: the run is ${r.status || 'stopping'}.`;
		} catch (e) {
			ui.cancel.disabled = false;
			ui.messages.replaceChildren(errorBox(e, 'Could not cancel the run'));
			if (e instanceof ApiError && e.status === 401) {
				ui.messages.append(token.el);
				token.open();
			}
		}
	});
}

/**
 * startLive(slot, run, {signal, onCell, onDone}) - fill slot with the live
 * panel of run and keep it current until the run ends or, when it was
 * queued, starts (onDone: the caller reloads the run), or signal aborts.
 * onCell(cell, n) is called for each cell the stream sends, n being its
 * number in the run (from 1; NaN when the stream does not say).
 */
export function startLive(slot, run, { signal, onCell, onDone }) {
	const ui = panel(run);
	const t0 = Date.now();
	let es = null, errors = 0, timer = null, finished = false;

	function update(p) {
		// A queued run that starts: reload the page's data for its environment and header.
		if (run.status === 'queued' && p.status && p.status !== 'queued') {
			finish(p);
			return;
		}
		ui.percent.textContent = fmtPct(p.run_fraction);
		ui.bar.value = isNum(p.run_fraction) ? p.run_fraction : 0;
		ui.iops.textContent = fmtInt(p.live_iops);
		ui.cell.textContent = describe(p);
		if (isNum(p.live_iops) && p.status !== 'queued')
			ui.chart.push((Date.now() - t0) / 1000, p.live_iops);
		ui.status.textContent = `Updated ${Math.round((Date.now() - t0) / 1000)} s after opening.`;
	}

	function finish(data) {
		if (finished)
			return;
		finished = true;
		stop();
		ui.status.textContent = `Run ${data && data.status ? data.status : 'finished'}: reloading…`;
		onDone(data);
	}

	function stop() {
		if (es)
			es.close();
		es = null;
		clearTimeout(timer);
	}

	async function poll() {
		try {
			update(await api.progress(run.id, signal));
		} catch (e) {
			if (signal.aborted)
				return;
			// No progress: the run is not running (any more), or not yet.
			if (e instanceof ApiError && e.status === 404) {
				const r = await api.run(run.id, signal).catch(() => null);

				if (r && r.status !== 'queued' && r.status !== 'running') {
					finish({ id: run.id, status: r.status });
					return;
				}
			}
		}
		if (!signal.aborted && !finished)
			timer = setTimeout(poll, POLL_MS);
	}

	function stream() {
		es = new EventSource(api.eventsUrl(run.id));
		es.addEventListener('progress', (ev) => {
			errors = 0;
			update(data(ev));
		});
		es.addEventListener('cell', (ev) => {
			errors = 0;
			// "id: N": this is the run's Nth cell; the stream replays stored ones first.
			onCell(data(ev), parseInt(ev.lastEventId, 10));
		});
		es.addEventListener('done', (ev) => finish(data(ev)));
		es.addEventListener('error', () => {
			if (finished)
				return;
			if (++errors >= MAX_STREAM_ERRORS || es.readyState === EventSource.CLOSED) {
				stop();
				ui.status.textContent = 'Event stream lost: polling for progress.';
				poll();
			}
		});
	}

	slot.append(ui.el);
	wireCancel(ui, run);
	if (run.progress)
		update({ status: run.status, ...run.progress });
	signal.addEventListener('abort', stop);
	stream();
}
