// SPDX-License-Identifier: MIT
// Routing by location hash: "#/runs", "#/runs/12", "#/compare?base=..&head=..",
// "#/start", "#/nightly", "#/nightly/3". Each navigation aborts the previous view (its fetches, its
// event stream) before the next one renders.

/** parseHash(hash) - {path: ["runs", "12"], query: URLSearchParams}. */
export function parseHash(hash) {
	const s = (hash || '').replace(/^#/, '');
	const q = s.indexOf('?');
	const path = (q < 0 ? s : s.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent);

	return { path, query: new URLSearchParams(q < 0 ? '' : s.slice(q + 1)) };
}

/** hashFor(path, query) - "#/compare?base=label%3Abase&head=..", leaving out empty values. */
export function hashFor(path, query) {
	const qs = new URLSearchParams();

	for (const [k, v] of Object.entries(query || {}))
		if (v !== undefined && v !== null && v !== '')
			qs.set(k, String(v));
	const s = qs.toString();

	return `#/${path}${s ? `?${s}` : ''}`;
}

/**
 * startRouter(routes, render) - routes: [{match(path) -> params|null, view}].
 * render(view, params, query, signal) is called on every hash change; the
 * signal aborts when the user navigates away.
 */
export function startRouter(routes, render) {
	let ctl = null;

	function go() {
		const { path, query } = parseHash(location.hash);

		if (!path.length) {
			location.replace('#/runs');
			return;
		}
		if (ctl)
			ctl.abort();
		ctl = new AbortController();
		for (const r of routes) {
			const params = r.match(path);

			if (params) {
				render(r.view, params, query, ctl.signal, path[0]);
				return;
			}
		}
		render(null, null, query, ctl.signal, path[0]);
	}
	window.addEventListener('hashchange', go);
	go();
}
