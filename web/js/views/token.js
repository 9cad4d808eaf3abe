// SPDX-License-Identifier: MIT
// The bearer token field: ringlabd wants "Authorization: Bearer TOKEN" on
// POST requests when it has a token configured. The token is kept in
// sessionStorage (this tab only) and sent by api.js.

import { getToken, setToken } from '../api.js';
import { h } from '../dom.js';

let seq = 0;

/**
 * tokenField(open) - a disclosure with a password input and Save/Forget
 * buttons; open() expands it and moves focus to the input (after a 401).
 * Returns {el, open}.
 */
export function tokenField() {
	const id = `token-${++seq}`;
	const input = h('input', { id, type: 'password', autocomplete: 'off', value: getToken(), spellcheck: 'false' });
	const state = h('span', { class: 'muted', role: 'status' });
	const show = () => { state.textContent = getToken() ? 'A token is set for this tab.' : 'No token set.'; };
	const save = h('button', { type: 'button', class: 'secondary', text: 'Save token' });
	const forget = h('button', { type: 'button', class: 'secondary', text: 'Forget' });
	const el = h('details', { class: 'token' },
		h('summary', { text: 'API token' }),
		h('div', { class: 'field' },
			h('label', { for: id, text: 'Bearer token (needed when ringlabd has one configured)' }), input),
		h('div', { class: 'buttons' }, save, forget, state));

	save.addEventListener('click', () => { setToken(input.value.trim()); show(); });
	forget.addEventListener('click', () => { input.value = ''; setToken(''); show(); });
	// Enter in the field saves rather than submitting an enclosing form.
	input.addEventListener('keydown', (ev) => {
		if (ev.key === 'Enter') {
			ev.preventDefault();
			save.click();
		}
	});
	show();
	return {
		el,
		open() {
			el.open = true;
			input.focus();
		},
		/* The value typed, saved first, so a submit right after typing uses it. */
		commit() {
			if (input.value.trim() !== getToken()) {
				setToken(input.value.trim());
				show();
			}
		},
	};
}
