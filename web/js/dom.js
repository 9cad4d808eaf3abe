// SPDX-License-Identifier: MIT
// Building DOM nodes without innerHTML, so that labels, workload names and
// error messages from the API are always text, never markup.

/**
 * h(tag, attrs, ...children) - a new element.
 * attrs: "class", "text", "on<event>" (a listener), "dataset" (an object),
 * "style" (an object of CSS properties, set through the CSSOM: the
 * Content-Security-Policy refuses style attributes),
 * booleans (true sets the attribute empty, false or null leaves it out),
 * anything else as an attribute. Children: nodes, strings, numbers, arrays,
 * and null/undefined/false (skipped).
 */
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);

	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k === 'class')
			el.className = v;
		else if (k === 'text')
			el.textContent = v;
		else if (k === 'dataset')
			Object.assign(el.dataset, v);
		else if (k === 'style' && typeof v === 'object')
			Object.assign(el.style, v);
		else if (k.startsWith('on') && typeof v === 'function')
			el.addEventListener(k.slice(2), v);
		else if (k === 'value' || k === 'checked' || k === 'selected')
			el[k] = v;
		else
			el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, children);
	return el;
}

/** append(el, children) - add children as h() takes them; returns el. */
export function append(el, children) {
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		el.append(c instanceof Node ? c : String(c));
	}
	return el;
}

/** clear(el) - remove every child; returns el. */
export function clear(el) {
	while (el.firstChild)
		el.removeChild(el.firstChild);
	return el;
}

/** errorBox(err, title) - an alert box showing an API error's message and detail. */
export function errorBox(err, title) {
	const detail = err && err.detail;
	let detailText = null;

	if (detail !== null && detail !== undefined && detail !== '')
		detailText = typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2);
	return h('div', { class: 'error-box', role: 'alert' },
		h('p', { class: 'error-title' }, title || 'Error',
			err && err.status ? ` (HTTP ${err.status})` : ''),
		h('p', { class: 'error-message', text: err && err.message ? err.message : String(err) }),
		detailText && h('pre', { class: 'error-detail', text: detailText }));
}

/** badge(status) - a coloured run status ("done", "failed", ...). */
export function badge(status) {
	return h('span', { class: `badge status-${status || 'unknown'}`, text: status || 'unknown' });
}
