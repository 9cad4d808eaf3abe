// SPDX-License-Identifier: MIT
// The dashboard's entry point: routes, the header's health line, and the
// last line of defence that turns any uncaught error into a visible message.

import { api } from './api.js';
import { h, clear, errorBox } from './dom.js';
import { startRouter } from './router.js';
import { runsView } from './views/runs.js';
import { runView } from './views/run.js';
import { compareView } from './views/compare.js';
import { startView } from './views/start.js';
import { nightlyView } from './views/nightly.js';

const routes = [
	{ match: (p) => (p.length === 1 && p[0] === 'runs' ? {} : null), view: runsView },
	{ match: (p) => (p.length === 2 && p[0] === 'runs' ? { id: p[1] } : null), view: runView },
	{ match: (p) => (p.length === 1 && p[0] === 'compare' ? {} : null), view: compareView },
	{ match: (p) => (p.length === 1 && p[0] === 'start' ? {} : null), view: startView },
	{ match: (p) => (p.length === 1 && p[0] === 'nightly' ? {} : null), view: nightlyView },
	{ match: (p) => (p.length === 2 && p[0] === 'nightly' ? { id: p[1] } : null), view: nightlyView },
];

const main = document.getElementById('main');
let firstRender = true;

function notFound(root) {
	document.title = 'Not found · ringlab';
	root.append(h('h1', { text: 'Not found' }),
		h('p', {}, 'No such page. Go to the ', h('a', { href: '#/runs', text: 'list of runs' }), '.'));
}

function markNav(section) {
	for (const a of document.querySelectorAll('[data-nav]')) {
		if (a.dataset.nav === section)
			a.setAttribute('aria-current', 'page');
		else
			a.removeAttribute('aria-current');
	}
}

async function render(view, params, query, signal, section) {
	const root = h('div', { class: 'view' });

	clear(main).append(root);
	markNav(section);
	try {
		if (view)
			await view(root, { params, query, signal });
		else
			notFound(root);
	} catch (e) {
		if (signal.aborted || e.name === 'AbortError')
			return;
		root.append(errorBox(e, 'Could not load this page'));
	}
	// Move focus to the new page's heading so keyboard users start there.
	if (!firstRender && !signal.aborted && !main.contains(document.activeElement)) {
		const h1 = main.querySelector('h1');

		if (h1) {
			h1.tabIndex = -1;
			h1.focus({ preventScroll: true });
		}
	}
	firstRender = false;
}

async function health() {
	const el = document.getElementById('health');

	try {
		const r = await api.health();

		el.textContent = `ringlabd ${r.version || ''} · ${r.running || 0} running · ` +
			`${r.targets ?? '?'} target${r.targets === 1 ? '' : 's'}`;
		el.classList.remove('down');
	} catch (e) {
		el.textContent = `ringlabd: ${e.message}`;
		el.classList.add('down');
	}
}

function showGlobalError(msg) {
	const box = document.getElementById('global-error');

	box.hidden = false;
	clear(box).append(h('p', {}, h('strong', { text: 'Unexpected error: ' }), msg,
		' ', h('button', { type: 'button', class: 'link', onclick: () => { box.hidden = true; } }, 'Dismiss')));
}

window.addEventListener('error', (ev) => showGlobalError(ev.message || 'script error'));
window.addEventListener('unhandledrejection', (ev) => {
	const r = ev.reason;

	if (r && r.name === 'AbortError')
		return;
	ev.preventDefault();
	showGlobalError(r && r.message ? r.message : String(r));
});

// The skip link must not change the hash: the hash is the route.
document.querySelector('.skip').addEventListener('click', (ev) => {
	ev.preventDefault();
	main.focus();
});

health();
setInterval(health, 15000);
startRouter(routes, render);
