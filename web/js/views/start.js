// SPDX-License-Identifier: MIT
// #/start: start a run (POST /api/v1/runs) of a suite or a workload on a
// target, with a label and kernel tag and optional scale and repetitions.
// When the daemon refuses (409 busy, 401 token, 400 bad field), its error
// is shown as it said it; a 401 opens the token field.

import { api, ApiError } from '../api.js';
import { h, errorBox } from '../dom.js';
import { hashFor } from '../router.js';
import { tokenField } from './token.js';

function field(id, label, input, hint) {
	input.id = id;
	if (hint)
		input.setAttribute('aria-describedby', `${id}-hint`);
	return h('div', { class: 'field' }, h('label', { for: id, text: label }), input,
		hint ? h('span', { id: `${id}-hint`, class: 'hint', text: hint }) : null);
}

function whatSelect(wl, preset) {
	const suites = wl.suites || [], workloads = wl.workloads || [];

	// The series' own benchmark is what most people come to run.
	if (!preset && suites.some((s) => s.name === 'seed'))
		preset = 'seed';
	return h('select', { name: 'what', required: true },
		h('optgroup', { label: 'Suites' }, suites.map((s) => h('option', {
			value: `suite:${s.name}`, selected: preset === s.name,
			text: `${s.name} (${(s.workloads || []).length} workloads${s.scale && s.scale !== 1 ? `, scale ${s.scale}` : ''})`,
		}))),
		h('optgroup', { label: 'Workloads' }, workloads.map((w) => h('option', {
			value: `workload:${w.name}`, selected: preset === w.name, text: w.name,
		}))));
}

function targetSelect(targets) {
	return h('select', { name: 'target' }, targets.map((t) => h('option', {
		value: t.name,
		text: `${t.name} (${t.kind}, ${t.dir || t.path || ''})${t.busy ? ` — busy${t.current_run ? ` with run #${t.current_run}` : ''}` : ''}`,
	})));
}

function describeWhat(wl, value) {
	const [kind, name] = value.split(/:(.*)/s);
	const list = kind === 'suite' ? wl.suites : wl.workloads;
	const item = (list || []).find((x) => x.name === name);

	if (!item)
		return '';
	if (kind !== 'suite')
		return item.description || '';
	const d = (item.description || '').replace(/([^.!?])$/, '$1.');

	return `${d} Workloads: ${(item.workloads || []).join(', ')}.`.trim();
}

/* The request body from the form; an empty optional field is left out. */
function body(form) {
	const v = (n) => form.elements[n].value.trim();
	const [kind, name] = v('what').split(/:(.*)/s);
	const b = { [kind]: name };

	if (v('target'))
		b.target = v('target');
	if (v('label'))
		b.label = v('label');
	if (v('kernel_tag'))
		b.kernel_tag = v('kernel_tag');
	if (v('scale'))
		b.scale = Number(v('scale'));
	if (v('repeat'))
		b.repeat = Number(v('repeat'));
	if (form.elements.queue.checked)
		b.queue = true;
	return b;
}

export async function startView(root, { query, signal }) {
	document.title = 'Start a run · ringlab';
	root.append(h('h1', { text: 'Start a run' }));
	const [wl, sys] = await Promise.all([api.workloads(signal), api.system(signal)]);
	const targets = sys.targets || [];
	const what = whatSelect(wl, query.get('what'));
	const whatHint = h('p', { class: 'hint', id: 'what-desc', 'aria-live': 'polite' });

	what.setAttribute('aria-describedby', 'what-desc');
	const token = tokenField();
	const messages = h('div', { class: 'messages' });
	const submit = h('button', { type: 'submit', text: 'Start run' });
	const form = h('form', { class: 'start-form', 'aria-label': 'Start a run' },
		field('what', 'Suite or workload', what), whatHint,
		field('target', 'Target', targetSelect(targets), targets.length ? null : 'ringlabd has no target.'),
		field('label', 'Label', h('input', { name: 'label', type: 'text', maxlength: '127', value: query.get('label') || '', autocomplete: 'off' }),
			'Free text to find and compare runs by, e.g. “base” or “v3”.'),
		field('kernel_tag', 'Kernel tag', h('input', { name: 'kernel_tag', type: 'text', maxlength: '63', value: query.get('kernel_tag') || '', autocomplete: 'off' }),
			'The kernel variant, e.g. “debian-7.3.4” or “series-v3”.'),
		h('div', { class: 'row' },
			field('scale', 'Scale (optional)', h('input', { name: 'scale', type: 'number', min: '0.0001', step: 'any', inputmode: 'decimal' }),
				'Multiplies every size per job; default: the suite’s.'),
			field('repeat', 'Repetitions (optional)', h('input', { name: 'repeat', type: 'number', min: '1', max: '1000', step: '1' }),
				'Per cell; default: the workload’s.')),
		h('div', { class: 'field check' },
			h('input', { id: 'queue', name: 'queue', type: 'checkbox' }),
			h('label', { for: 'queue', text: 'Queue behind a busy target instead of refusing' })),
		token.el,
		h('p', { class: 'actions' }, submit),
		messages);

	what.addEventListener('change', () => { whatHint.textContent = describeWhat(wl, what.value); });
	whatHint.textContent = describeWhat(wl, what.value);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		token.commit();
		submit.disabled = true;
		messages.replaceChildren(h('p', { class: 'muted', role: 'status', text: 'Submitting…' }));
		try {
			const r = await api.start(body(form));

			messages.replaceChildren(h('p', { role: 'status', text: `Run #${r.id} ${r.status}.` }));
			location.hash = hashFor(`runs/${r.id}`);
		} catch (e) {
			submit.disabled = false;
			messages.replaceChildren(errorBox(e, 'ringlabd refused the run'));
			if (e instanceof ApiError && e.status === 401)
				token.open();
			if (e instanceof ApiError && e.status === 409)
				messages.append(h('p', {}, 'Tick “Queue behind a busy target”, wait, or see the ',
					h('a', { href: hashFor('runs', { status: 'running' }), text: 'running runs' }), '.'));
		}
	});
	root.append(form);
}
