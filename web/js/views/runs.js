// SPDX-License-Identifier: MIT
// #/runs: every run, newest first, filtered by label, kernel tag, kernel
// release, status and host (the query parameters of GET /api/v1/runs), in
// pages; grouped by host on request (group=host: a heading row per host).

import { api } from '../api.js';
import { h, badge } from '../dom.js';
import { fmtAgo, fmtDuration, fmtTime, NONE } from '../format.js';
import { hashFor } from '../router.js';

const STATUSES = ['queued', 'running', 'done', 'failed', 'aborted'];
const PAGE_SIZES = [25, 50, 100, 200];

function readFilters(query) {
	const num = (k, d) => {
		const v = parseInt(query.get(k), 10);

		return Number.isFinite(v) && v >= 0 ? v : d;
	};

	return {
		label: query.get('label') || '',
		kernel: query.get('kernel') || '',
		release: query.get('release') || '',
		status: query.get('status') || '',
		what: query.get('what') || '',
		host: query.get('host') || '',
		group: query.get('group') === 'host' ? 'host' : '',
		limit: num('limit', 50) || 50,
		offset: num('offset', 0),
	};
}

function field(id, label, input) {
	input.id = id;
	return h('div', { class: 'field' }, h('label', { for: id, text: label }), input);
}

/*
 * The host filter: the hosts runs ran on (GET /api/v1/hosts), filled in when
 * they arrive; the current choice is an option from the start.
 */
function hostSelect(f, signal) {
	const sel = h('select', { name: 'host' }, h('option', { value: '', text: 'any' }),
		f.host ? h('option', { value: f.host, text: f.host, selected: true }) : null);

	api.hosts(null, signal).then((data) => {
		const hosts = (data.hosts || []).filter((x) => x.host);

		sel.replaceChildren(h('option', { value: '', text: 'any' }),
			...hosts.map((x) => h('option', { value: x.host, text: `${x.host} (${x.runs})`, selected: x.host === f.host })));
		if (f.host && !hosts.some((x) => x.host === f.host))
			sel.append(h('option', { value: f.host, text: f.host, selected: true }));
	}).catch(() => {});
	return sel;
}

function filterForm(f, signal) {
	const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
		field('f-label', 'Label', h('input', { name: 'label', type: 'text', value: f.label, autocomplete: 'off' })),
		field('f-kernel', 'Kernel tag', h('input', { name: 'kernel', type: 'text', value: f.kernel, autocomplete: 'off' })),
		field('f-release', 'Kernel release', h('input', { name: 'release', type: 'text', value: f.release, autocomplete: 'off' })),
		field('f-what', 'Suite or workload', h('input', { name: 'what', type: 'text', value: f.what, autocomplete: 'off' })),
		field('f-status', 'Status', h('select', { name: 'status' },
			h('option', { value: '', text: 'any' }),
			STATUSES.map((s) => h('option', { value: s, text: s, selected: s === f.status })))),
		field('f-host', 'Host', hostSelect(f, signal)),
		field('f-group', 'Group by host', h('input', { name: 'group', type: 'checkbox', value: 'host', checked: f.group === 'host' })),
		field('f-limit', 'Per page', h('select', { name: 'limit' },
			PAGE_SIZES.map((n) => h('option', { value: String(n), text: String(n), selected: n === f.limit })))),
		h('div', { class: 'field buttons' },
			h('button', { type: 'submit', text: 'Filter' }),
			h('a', { href: '#/runs', class: 'button secondary', text: 'Clear' })));

	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const d = Object.fromEntries(new FormData(form));

		location.hash = hashFor('runs', { ...d, limit: d.limit === '50' ? '' : d.limit });
	});
	return form;
}

function kernelCell(r) {
	return h('td', { class: 'kernel' },
		r.kernel_tag ? h('span', { class: 'tag', text: r.kernel_tag }) : null,
		h('span', { class: r.kernel_tag ? 'muted block' : '', text: r.kernel_release || NONE }));
}

function cellsCell(r) {
	return h('td', { class: 'num' }, String(r.ncells ?? 0),
		r.failed_cells ? h('span', { class: 'bad block', text: `${r.failed_cells} failed` }) : null);
}

function hostCell(r) {
	return h('td', { class: 'host', title: r.machine_id ? `machine id ${r.machine_id}` : '' },
		r.host || NONE, r.guest_host ? h('span', { class: 'muted block', text: `guest ${r.guest_host}` }) : null);
}

/* Grouped by host: the runs come ordered by host; a heading row opens each host's. */
function groupRows(runs, onSelect) {
	const rows = [];
	let last;

	for (const r of runs) {
		if (r.host !== last)
			rows.push(h('tr', { class: 'host-group' },
				h('th', { scope: 'rowgroup', colspan: '11', text: r.host || 'host not recorded' })));
		last = r.host;
		rows.push(runRow(r, onSelect));
	}
	return rows;
}

function runRow(r, onSelect) {
	const when = r.started || r.created;

	return h('tr', { dataset: { id: String(r.id), status: r.status } },
		h('td', {}, h('input', {
			type: 'checkbox', class: 'pick', value: String(r.id),
			'aria-label': `Select run ${r.id} for comparison`, onchange: onSelect,
		})),
		h('td', {}, h('a', { href: `#/runs/${r.id}`, text: `#${r.id}` })),
		h('td', {}, badge(r.status),
			r.error ? h('span', { class: 'muted block clip', title: r.error, text: r.error }) : null),
		h('td', { text: r.label || NONE }),
		kernelCell(r),
		h('td', { text: r.what || NONE }),
		h('td', { text: r.target || NONE }),
		hostCell(r),
		h('td', { title: when || '' }, fmtTime(when), h('span', { class: 'muted block', text: fmtAgo(when) })),
		h('td', { class: 'num', text: fmtDuration(r.duration_s) }),
		cellsCell(r));
}

function pager(f, total, shown) {
	const from = shown ? f.offset + 1 : 0;
	const to = f.offset + shown;
	const q = (offset) => hashFor('runs', { ...f, offset: offset || '', limit: f.limit === 50 ? '' : f.limit });

	return h('nav', { class: 'pager', 'aria-label': 'Pages of runs' },
		f.offset > 0 ? h('a', { href: q(Math.max(0, f.offset - f.limit)), rel: 'prev', text: '← Newer' }) : null,
		h('span', { class: 'count', text: `${from}–${to} of ${total}` }),
		to < total ? h('a', { href: q(f.offset + f.limit), rel: 'next', text: 'Older →' }) : null);
}

function compareBar(table) {
	const btn = h('button', { type: 'button', disabled: true, text: 'Compare selected' });
	const hint = h('span', { class: 'muted', text: 'Select two runs: the older is the base.' });

	btn.addEventListener('click', () => {
		const ids = [...table.querySelectorAll('input.pick:checked')].map((c) => Number(c.value)).sort((a, b) => a - b);

		if (ids.length === 2)
			location.hash = hashFor('compare', { base: ids[0], head: ids[1] });
	});
	return {
		el: h('div', { class: 'actions' }, btn, hint),
		update() {
			btn.disabled = table.querySelectorAll('input.pick:checked').length !== 2;
		},
	};
}

export async function runsView(root, { query, signal }) {
	const f = readFilters(query);
	const list = h('div', { class: 'runs-list', 'aria-busy': 'true' }, h('p', { class: 'muted', text: 'Loading runs…' }));

	document.title = 'Runs · ringlab';
	root.append(h('div', { class: 'title-row' }, h('h1', { text: 'Runs' }),
		h('a', { href: '#/start', class: 'button', text: 'Start a run' })), filterForm(f, signal), list);

	const data = await api.runs({
		label: f.label, kernel: f.kernel, release: f.release, status: f.status,
		what: f.what, host: f.host, group: f.group, limit: f.limit, offset: f.offset,
	}, signal);
	const runs = data.runs || [];

	list.replaceChildren();
	list.removeAttribute('aria-busy');
	if (!runs.length) {
		list.append(h('p', { class: 'empty' }, data.total ? 'No runs on this page. ' : 'No runs match. ',
			h('a', { href: '#/start', text: 'Start a run' }), '.'));
		if (f.offset)
			list.append(pager(f, data.total || 0, 0));
		return;
	}
	const tbody = h('tbody');
	const table = h('table', { class: 'runs data' },
		h('caption', { class: 'visually-hidden', text: 'Runs, newest first' }),
		h('thead', {}, h('tr', {}, ['', 'Run', 'Status', 'Label', 'Kernel', 'What', 'Target', 'Host', 'When', 'Duration', 'Cells']
			.map((t, i) => h('th', { scope: 'col', class: i >= 9 ? 'num' : null }, i ? t : h('span', { class: 'visually-hidden', text: 'Select' }))))),
		tbody);
	const bar = compareBar(table);

	tbody.append(...(f.group ? groupRows(runs, bar.update) : runs.map((r) => runRow(r, bar.update))));
	list.append(bar.el, h('div', { class: 'table-scroll' }, table), pager(f, data.total ?? runs.length, runs.length));
}
