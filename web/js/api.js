// SPDX-License-Identifier: MIT
// The ringlabd JSON API (daemon/http/API.md). Every call resolves to the
// parsed JSON or rejects with an ApiError carrying the API's own
// {"error", "detail"} so that views can show what the daemon said.

const TOKEN_KEY = 'ringlab.token';

export class ApiError extends Error {
	constructor(status, message, detail) {
		super(message);
		this.name = 'ApiError';
		this.status = status;	// 0 when the daemon could not be reached
		this.detail = detail ?? null;
	}
}

/* Relative to the page, so a dashboard behind a path prefix still finds its API. */
function base() {
	return new URL('api/v1/', document.baseURI);
}

/** apiUrl(path, query) - the absolute URL of an API path, with query parameters left out when empty. */
export function apiUrl(path, query) {
	const u = new URL(path.replace(/^\//, ''), base());

	for (const [k, v] of Object.entries(query || {}))
		if (v !== undefined && v !== null && v !== '')
			u.searchParams.set(k, String(v));
	return u.href;
}

/** getToken() / setToken(t) - the bearer token, kept for this browser tab only. */
export function getToken() {
	try {
		return sessionStorage.getItem(TOKEN_KEY) || '';
	} catch {
		return '';
	}
}

export function setToken(t) {
	try {
		if (t)
			sessionStorage.setItem(TOKEN_KEY, t);
		else
			sessionStorage.removeItem(TOKEN_KEY);
	} catch {
		/* storage disabled: the token lasts until the page reloads */
	}
}

async function errorOf(resp) {
	let body = null;

	try {
		body = JSON.parse(await resp.text());
	} catch {
		/* not JSON: a proxy's page, say */
	}
	if (body && typeof body.error === 'string')
		return new ApiError(resp.status, body.error, body.detail);
	return new ApiError(resp.status, `${resp.status} ${resp.statusText || 'error'} from ${resp.url}`);
}

/**
 * request(method, path, opts) - opts: query (object), body (JSON-able),
 * signal (AbortSignal). Resolves to the JSON body; rejects with ApiError.
 * Mutating requests carry the stored token as "Authorization: Bearer".
 */
export async function request(method, path, opts = {}) {
	const headers = { Accept: 'application/json' };
	const init = { method, headers, signal: opts.signal, cache: 'no-store' };
	let resp;

	if (opts.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(opts.body);
	}
	if (method !== 'GET' && getToken())
		headers.Authorization = `Bearer ${getToken()}`;
	try {
		resp = await fetch(apiUrl(path, opts.query), init);
	} catch (e) {
		if (e.name === 'AbortError')
			throw e;
		throw new ApiError(0, `cannot reach ringlabd: ${e.message}`);
	}
	if (!resp.ok)
		throw await errorOf(resp);
	try {
		return await resp.json();
	} catch (e) {
		if (e.name === 'AbortError')
			throw e;
		throw new ApiError(resp.status, `${path}: the response is not JSON`);
	}
}

const get = (path, query, signal) => request('GET', path, { query, signal });

export const api = {
	health: (signal) => get('health', null, signal),
	system: (signal) => get('system', null, signal),
	workloads: (signal) => get('workloads', null, signal),
	runs: (query, signal) => get('runs', query, signal),
	hosts: (query, signal) => get('hosts', query, signal),
	run: (id, signal) => get(`runs/${encodeURIComponent(id)}`, null, signal),
	progress: (id, signal) => get(`runs/${encodeURIComponent(id)}/progress`, null, signal),
	compare: (query, signal) => get('compare', query, signal),
	start: (body) => request('POST', 'runs', { body }),
	cancel: (id) => request('POST', `runs/${encodeURIComponent(id)}/cancel`),
	nightly: (query, signal) => get('nightly', query, signal),
	nightlyLatest: (signal) => get('nightly/latest', null, signal),
	nightlyReport: (id, signal) => get(`nightly/${encodeURIComponent(id)}`, null, signal),
	nightlyUrl: (id) => apiUrl(`nightly/${encodeURIComponent(id)}`),
	runUrl: (id) => apiUrl(`runs/${encodeURIComponent(id)}`),
	eventsUrl: (id) => apiUrl(`runs/${encodeURIComponent(id)}/events`),
};
