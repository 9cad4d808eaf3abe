// SPDX-License-Identifier: MIT
// Dashboard browser test: each view of a running ringlabd in chromium, its numbers checked against the API.
//
// Run by dashboard.sh, which starts ringlabd with one dir target and a token,
// and sets RINGLAB_URL (the daemon's base URL), RINGLAB_TOKEN, SCREENSHOT_DIR
// and CHROMIUM. The test
// makes its own runs through the API: "base" and "head" (nw-overwrite-aligned,
// scale 0.1, 3 repetitions), a longer one to watch live and cancel, and one
// from the start form. dashboard.sh has run `ringlab nightly` once before
// (a host family nf: nf:base, nf:v1, nf:v2; variants night-base, night-head
// and night-gone, which fails), so the Nightly view has a report to show,
// with a versions x cells matrix.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.RINGLAB_URL;
const SHOTS = process.env.SCREENSHOT_DIR || path.join(os.tmpdir(), 'ringlab-screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TOKEN = process.env.RINGLAB_TOKEN || '';
const LAPTOP = { width: 1366, height: 768 };
const WIDE = { width: 2560, height: 1440 };
const SMALL_RUN = { workload: 'nw-overwrite-aligned', scale: 0.1, repeat: 3 };

let context, profile;
const runs = {};

/* ---- the API, from node ---------------------------------------------------- */

async function api(method, p, body) {
	const headers = body ? { 'Content-Type': 'application/json' } : {};

	if (method !== 'GET' && TOKEN)
		headers.Authorization = `Bearer ${TOKEN}`;
	const resp = await fetch(new URL(`api/v1/${p}`, BASE), {
		method,
		headers,
		body: body ? JSON.stringify(body) : undefined,
	});
	const json = await resp.json();

	return { status: resp.status, json };
}

async function apiOk(method, p, body) {
	const r = await api(method, p, body);

	assert.ok(r.status >= 200 && r.status < 300, `${method} ${p}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
	return r.json;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitRun(id, done, timeoutMs) {
	const end = Date.now() + timeoutMs;

	for (;;) {
		const r = await apiOk('GET', `runs/${id}`);

		if (done(r))
			return r;
		assert.ok(Date.now() < end, `run ${id}: still ${r.status} after ${timeoutMs} ms`);
		await sleep(300);
	}
}

const finished = (r) => !['queued', 'running'].includes(r.status);

/* ---- numbers, computed here independently of the dashboard's code ---------- */

function medianOf(values) {
	const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);

	if (!v.length)
		return NaN;
	const m = Math.floor(v.length / 2);

	return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/* "42,322" -> 42322; "—" -> NaN */
function num(text) {
	const t = text.trim().replace(/,/g, '').replace(/[x%]$/, '');

	return t === '—' || t === '' ? NaN : Number(t);
}

function assertNum(text, expected, tol, what) {
	const got = num(text);

	if (!Number.isFinite(expected)) {
		assert.ok(Number.isNaN(got), `${what}: shows "${text}", the API has no value`);
		return;
	}
	assert.ok(Math.abs(got - expected) <= tol, `${what}: shows "${text}", the API says ${expected}`);
}

/* ---- the browser ------------------------------------------------------------- */

/*
 * A page that records console errors and uncaught exceptions; check() fails
 * the test when there were any (expected: substrings of errors a step
 * provokes on purpose, such as the 409 it asks for).
 */
async function openPage(viewport = LAPTOP) {
	const page = await context.newPage();
	const errors = [];

	await page.setViewportSize(viewport);
	page.on('console', (m) => {
		if (m.type() === 'error')
			errors.push(`console: ${m.text()}`);
	});
	page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
	return {
		page,
		errors,
		async check(expected = []) {
			const left = errors.filter((e) => !expected.some((x) => e.includes(x)));

			assert.deepEqual(left, [], 'console errors');
			assert.equal(await page.locator('#global-error').isVisible(), false, 'the global error banner is shown');
			await page.close();
		},
	};
}

async function go(page, hash) {
	await page.goto(new URL(hash, BASE).href);
}

/* Type the daemon's token into the form's token field, as a user would. */
async function setToken(page) {
	if (!TOKEN)
		return;
	await page.click('details.token summary');
	await page.fill('details.token input[type="password"]', TOKEN);
}

async function shot(page, name) {
	fs.mkdirSync(SHOTS, { recursive: true });
	const size = page.viewportSize();

	await page.screenshot({ path: path.join(SHOTS, `${name}-${size.width}x${size.height}.png`), fullPage: true });
}

before(async () => {
	assert.ok(BASE, 'RINGLAB_URL is not set (run dashboard.sh)');
	profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ringlab-chromium-'));
	context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', '--disable-quic'],
		viewport: LAPTOP,
	});
	const base = await apiOk('POST', 'runs', { ...SMALL_RUN, label: 'base', kernel_tag: 'browser-test' });
	const head = await apiOk('POST', 'runs', { ...SMALL_RUN, label: 'head', kernel_tag: 'browser-test', queue: true });

	runs.base = await waitRun(base.id, finished, 120000);
	runs.head = await waitRun(head.id, finished, 120000);
	assert.equal(runs.base.status, 'done', `base run: ${runs.base.error}`);
	assert.equal(runs.head.status, 'done', `head run: ${runs.head.error}`);
});

after(async () => {
	if (context)
		await context.close();
	if (profile)
		fs.rmSync(profile, { recursive: true, force: true });
});

test('runs list: the API\'s runs, filters and paging', { timeout: 60000 }, async () => {
	const { page, check } = await openPage();
	const list = await apiOk('GET', 'runs?limit=50');

	await go(page, '#/runs');
	await page.locator('table.runs tbody tr').first().waitFor();
	const rows = page.locator('table.runs tbody tr');

	assert.equal(await rows.count(), list.runs.length);
	for (const r of list.runs) {
		const row = page.locator(`table.runs tbody tr[data-id="${r.id}"]`);
		const cells = row.locator('td');

		assert.equal((await cells.nth(1).innerText()).trim(), `#${r.id}`);
		assert.match(await cells.nth(2).innerText(), new RegExp(`^${r.status}`));
		assert.equal((await cells.nth(3).innerText()).trim(), r.label || '—');
		assert.match(await cells.nth(4).innerText(), new RegExp((r.kernel_release || '—').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
		assert.equal((await cells.nth(5).innerText()).trim(), r.what);
		assert.equal((await cells.nth(7).innerText()).split('\n')[0].trim(), r.host || '—');
		assert.equal(num((await cells.nth(10).innerText()).split('\n')[0]), r.ncells);
	}
	assert.match(await page.locator('.pager .count').innerText(), new RegExp(`of ${list.total}$`));
	// Newest first, as the API lists them.
	const ids = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.id)));
	assert.deepEqual(ids, list.runs.map((r) => r.id));
	await shot(page, 'runs');

	// The label filter goes to the API as ?label= and back into the form.
	await page.fill('#f-label', 'head');
	await page.click('form.filters button[type="submit"]');
	await page.waitForURL(/#\/runs\?label=head/);
	await page.locator('table.runs tbody tr').first().waitFor();
	const headOnly = await apiOk('GET', 'runs?label=head');
	assert.equal(await page.locator('table.runs tbody tr').count(), headOnly.runs.length);
	assert.equal(await page.inputValue('#f-label'), 'head');

	// Paging: one run per page, the next page holds the next run.
	await go(page, '#/runs?limit=1&offset=1');
	await page.locator('table.runs tbody tr').first().waitFor();
	assert.equal(await page.locator('table.runs tbody tr').getAttribute('data-id'), String(list.runs[1].id));
	assert.match(await page.locator('.pager .count').innerText(), new RegExp(`^2–2 of ${list.total}$`));
	await page.click('.pager a[rel="prev"]');
	await page.waitForURL((u) => !u.hash.includes('offset'));
	await page.locator(`table.runs tbody tr[data-id="${list.runs[0].id}"]`).waitFor();
	await check();
});

test('one run: the results table equals the API\'s cells', { timeout: 60000 }, async () => {
	const { page, check } = await openPage();
	const run = await apiOk('GET', `runs/${runs.base.id}`);

	await go(page, `#/runs/${run.id}`);
	await page.locator('table.results').first().waitFor();
	assert.match(await page.locator('h1').innerText(), new RegExp(`Run #${run.id}: ${run.what}`));
	assert.equal(await page.locator('.verify-banner').count(), 0, 'no failed verification, no banner');
	const byWorkload = new Map();

	for (const c of run.cells) {
		const k = `${c.workload}\u0000${c.jobs}`;

		if (!byWorkload.has(k))
			byWorkload.set(k, []);
		byWorkload.get(k).push(c);
	}
	assert.ok(byWorkload.size > 0, 'the run has cells');
	for (const [k, cells] of byWorkload) {
		const [workload, jobs] = k.split('\u0000');
		const row = page.locator(`table.results[data-workload="${workload}"] tbody tr[data-jobs="${jobs}"]`);
		const cell = (key) => row.locator(`[data-k="${key}"]`).innerText();
		const what = `${workload} JOBS ${jobs}`;
		const attempts = cells.reduce((s, c) => s + c.attempts, 0);

		assertNum(await cell('iops'), Math.round(medianOf(cells.map((c) => c.iops))), 0, `${what} median IOPS`);
		const reps = (await cell('reps')).split('·').map(num);
		assert.deepEqual(reps, cells.sort((a, b) => a.rep - b.rep).map((c) => Math.round(c.iops)), `${what} IOPS per rep`);
		assertNum(await cell('eagain'), 100 * cells.reduce((s, c) => s + c.eagain, 0) / attempts, 0.05, `${what} EAGAIN rate`);
		for (const p of ['p50', 'p99', 'p999'])
			assertNum(await cell(p), medianOf(cells.map((c) => c.lat_ns[p])) / 1000, 0.05, `${what} ${p}`);
		const bad = cells.filter((c) => c.verify.status === 'failed').length;
		assert.equal((await cell('verify')).trim(), bad ? `FAILED ${bad}/${cells.length}` : 'ok', `${what} verification`);
	}
	// Environment and download link.
	assert.match(await page.locator('section.env').innerText(), new RegExp(run.env.kernel_release.replace(/\./g, '\\.')));
	assert.match(await page.locator('section.env').innerText(), new RegExp(run.env.mount_options));
	const dl = page.locator('a[download]');
	assert.equal(await dl.getAttribute('href'), new URL(`api/v1/runs/${run.id}`, BASE).href);
	assert.match(await dl.getAttribute('download'), /\.json$/);
	// The chart is drawn (uPlot served by ringlabd, not from a CDN).
	await page.locator('section.workload .uplot canvas').first().waitFor();
	await shot(page, 'run');
	await page.setViewportSize(WIDE);
	await page.waitForTimeout(300);	// the chart follows its box in the next frame
	await shot(page, 'run');
	await check();
});

test('a run with EAGAIN causes: one stacked bar per cell, its segments the API\'s counts', { timeout: 60000 }, async () => {
	// The base run, imported again as if traced: every attempt refused, by two causes.
	const run = await apiOk('GET', `runs/${runs.base.id}`);
	const keys = ['inode_lock', 'timestamp_update', 'extent_cache_miss', 'allocation', 'unaligned_zeroing',
		'extending_write', 'invalidation', 'journal_start', 'other', 'unknown'];
	const traced = JSON.parse(JSON.stringify(run));

	for (const c of traced.cells) {
		const counts = Object.fromEntries(keys.map((k) => [k, 0]));

		counts.extending_write = c.attempts - 3;
		counts.timestamp_update = 2;
		c.eagain = c.attempts;
		c.eagain_causes = { status: 'partial', counts, unattributed: 1, other_function: '', note: '1 refusal without a trace window' };
	}
	const imp = await apiOk('POST', 'runs/import', { run: traced, kernel_tag: 'browser-causes', label: 'causes' });
	const stored = await apiOk('GET', `runs/${imp.id}`);

	assert.deepEqual(stored.cells.map((c) => c.eagain_causes), traced.cells.map((c) => c.eagain_causes),
		'the stored run carries eagain_causes');
	const { page, check } = await openPage();

	await go(page, `#/runs/${imp.id}`);
	await page.locator('table.results').first().waitFor();
	const rows = new Map();

	for (const c of stored.cells) {
		const k = `${c.workload}\u0000${c.jobs}`;

		rows.set(k, [...(rows.get(k) || []), c]);
	}
	for (const [k, cells] of rows) {
		const [workload, jobs] = k.split('\u0000');
		const bar = page.locator(`table.results[data-workload="${workload}"] tbody tr[data-jobs="${jobs}"] [data-k="causes"] .causes-bar`);
		const segs = bar.locator('span.cause');
		const want = {
			extending_write: cells.reduce((s, c) => s + c.eagain_causes.counts.extending_write, 0),
			timestamp_update: cells.reduce((s, c) => s + c.eagain_causes.counts.timestamp_update, 0),
			unattributed: cells.reduce((s, c) => s + c.eagain_causes.unattributed, 0),
		};
		const got = {};
		let width = 0;

		assert.equal(await bar.count(), 1, `${workload} JOBS ${jobs}: one bar`);
		for (let i = 0; i < await segs.count(); i++) {
			const seg = segs.nth(i);

			got[await seg.getAttribute('data-cause')] = Number(await seg.getAttribute('data-count'));
			width += (await seg.boundingBox()).width;
		}
		assert.deepEqual(got, want, `${workload} JOBS ${jobs}: segments`);
		const box = await bar.boundingBox();

		assert.ok(Math.abs(width - (box.width - 2)) <= 2, `${workload} JOBS ${jobs}: segments fill the bar (${width} of ${box.width})`);
		assert.match(await bar.getAttribute('aria-label'), /extending write \d/);
	}
	await shot(page, 'run-causes');
	await check();
});

test('compare base vs head by label: the table equals the API\'s comparison', { timeout: 60000 }, async () => {
	const cmp = await apiOk('GET', 'compare?base=label:base&head=label:head');

	for (const viewport of [LAPTOP, WIDE]) {
		const { page, check } = await openPage(viewport);

		await go(page, '#/compare?base=label:base&head=label:head');
		await page.locator('.compare-result').waitFor();
		assert.equal((await page.locator('[data-k="summary"]').innerText()).trim(), cmp.summary.line);
		// Both sides made alike here: no note on the machines.
		assert.equal(cmp.machine_note, null);
		assert.equal(await page.locator('.machine-note').count(), 0);
		assert.equal(await page.locator('#base-value').inputValue(), 'base');
		assert.equal(await page.locator('#head-kind').inputValue(), 'label');
		for (const g of cmp.workloads) {
			for (const c of g.cells) {
				const row = page.locator(`table.compare[data-workload="${g.workload}"] tbody tr[data-jobs="${c.jobs}"]`);
				const cell = (key) => row.locator(`[data-k="${key}"]`).innerText();
				const what = `${g.workload} JOBS ${c.jobs}`;
				const rate = (side) => (c[`eagain_${side}_rate`] ?? (c.nowait && c[`eagain_${side}_attempts`] ?
					c[`eagain_${side}`] / c[`eagain_${side}_attempts`] : NaN)) * 100;

				assertNum(await cell('base'), Math.round(c.base_iops_median ?? NaN), 0, `${what} base`);
				assertNum(await cell('head'), Math.round(c.head_iops_median ?? NaN), 0, `${what} head`);
				assertNum(await cell('speedup'), c.incompatible || c.ratio === null ? NaN : Number(c.ratio.toFixed(2)), 0, `${what} speedup`);
				assert.equal((await row.locator('[data-k="verdict"] .verdict').innerText()).trim().toLowerCase(), c.verdict, `${what} verdict`);
				assert.match(await row.locator('[data-k="verdict"] .verdict').getAttribute('class'), new RegExp(`v-${c.verdict}`));
				assertNum(await cell('eagain-base'), rate('base'), 0.05, `${what} EAGAIN base`);
				assertNum(await cell('eagain-head'), rate('head'), 0.05, `${what} EAGAIN head`);
				if (c.ci_lo !== null && !c.incompatible)
					assert.equal((await cell('ci')).trim(), `${c.ci_lo.toFixed(2)}x–${c.ci_hi.toFixed(2)}x`, `${what} CI`);
			}
		}
		await page.locator('.compare-result .uplot canvas').first().waitFor();
		await shot(page, 'compare');
		await check();
	}
});

test('compare: an API error is shown, not a blank page', { timeout: 30000 }, async () => {
	const { page, check } = await openPage();
	const r = await api('GET', 'compare?base=label:no-such-label&head=label:head');

	assert.ok(r.status >= 400, 'comparing with an unknown label fails');
	await go(page, '#/compare?base=label:no-such-label&head=label:head');
	await page.locator('.error-box').waitFor();
	assert.match(await page.locator('.error-box').innerText(), new RegExp(r.json.error.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
	await check([`status of ${r.status}`]);
});

test('live: a running run updates without a reload, then shows its end', { timeout: 120000 }, async () => {
	const { page, check } = await openPage();
	const started = await apiOk('POST', 'runs', { suite: 'seed', scale: 0.01, label: 'live', kernel_tag: 'browser-test' });

	await go(page, `#/runs/${started.id}`);
	await page.evaluate(() => { window.__notReloaded = true; });
	const percent = page.locator('[data-live="percent"]');
	const iops = page.locator('[data-live="iops"]');
	await percent.waitFor();
	const first = `${await percent.innerText()} ${await iops.innerText()}`;

	await page.waitForFunction((was) => {
		const p = document.querySelector('[data-live="percent"]');
		const i = document.querySelector('[data-live="iops"]');

		return p && i && `${p.textContent} ${i.textContent}` !== was;
	}, first, { timeout: 60000 });
	assert.match(await page.locator('[data-live="cell"]').innerText(), /JOBS \d+, rep \d+ of \d+/);
	await shot(page, 'live');

	// While it runs, the start form's 409 is the API's own message.
	const busy = await api('POST', 'runs', SMALL_RUN);
	assert.equal(busy.status, 409, 'a second run on a busy target is refused');
	const form = await openPage();
	await go(form.page, '#/start');
	await form.page.selectOption('#what', 'workload:nw-overwrite-aligned');
	await setToken(form.page);
	await form.page.click('form.start-form button[type="submit"]');
	await form.page.locator('.messages .error-box').waitFor();
	assert.match(await form.page.locator('.messages .error-box').innerText(), /HTTP 409/);
	assert.match(await form.page.locator('.messages .error-box').innerText(),
		new RegExp(busy.json.error.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
	await form.check(['status of 409']);

	await apiOk('POST', `runs/${started.id}/cancel`);
	await page.locator('.run-head .badge.status-aborted').waitFor({ timeout: 60000 });
	assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page was reloaded');
	assert.equal(await page.locator('section.live').count(), 0, 'the live panel is gone once the run ended');
	await waitRun(started.id, finished, 30000);
	await check();
});

test('start a run: the form creates a run and the list shows it', { timeout: 120000 }, async () => {
	const { page, check } = await openPage();

	await go(page, '#/start');
	await page.locator('#what').waitFor();
	await page.selectOption('#what', 'workload:nw-overwrite-aligned');
	await page.fill('#label', 'from-form');
	await page.fill('#kernel_tag', 'browser-test');
	await page.fill('#scale', '0.1');
	await page.fill('#repeat', '1');
	await shot(page, 'start');
	if (TOKEN) {
		// Without the token ringlabd answers 401: the page says so and opens the token field.
		await page.click('form.start-form button[type="submit"]');
		await page.locator('.messages .error-box').waitFor();
		assert.match(await page.locator('.messages .error-box').innerText(), /HTTP 401/);
		assert.equal(await page.locator('details.token').getAttribute('open'), '', 'the token field is opened');
		assert.equal(await page.evaluate(() => document.activeElement.type), 'password', 'focus is in the token field');
		await page.keyboard.type(TOKEN);
	}
	await page.click('form.start-form button[type="submit"]');
	await page.waitForURL(/#\/runs\/\d+$/);
	const id = Number(new URL(page.url()).hash.split('/').pop());
	const run = await waitRun(id, finished, 60000);

	assert.equal(run.label, 'from-form');
	assert.equal(run.kernel_tag, 'browser-test');
	assert.equal(run.what, 'nw-overwrite-aligned');
	await page.locator(`.run-head .badge.status-${run.status}`).waitFor({ timeout: 30000 });
	await go(page, '#/runs');
	const row = page.locator(`table.runs tbody tr[data-id="${id}"]`);
	await row.waitFor();
	assert.equal((await row.locator('td').nth(3).innerText()).trim(), 'from-form');
	await check(TOKEN ? ['status of 401'] : []);
});

test('nightly: the latest night and the list of nights equal the API\'s', { timeout: 60000 }, async () => {
	const latest = await apiOk('GET', 'nightly/latest');
	const list = await apiOk('GET', 'nightly');
	const { page, check } = await openPage();

	assert.ok(list.total >= 1, 'dashboard.sh stored a night');
	await go(page, '#/nightly');
	const section = page.locator(`section.nightly-report[data-id="${latest.id}"]`);
	await section.waitFor();
	assert.equal(await page.locator('[data-nav="nightly"]').getAttribute('aria-current'), 'page');
	assert.match(await section.locator('h2').innerText(), new RegExp(`Night ${latest.report.label}`));
	assert.equal((await section.locator('[data-k="summary"]').first().innerText()).trim(), latest.summary);
	assert.equal((await section.locator('.title-row .verdict').innerText()).trim(), latest.status);
	let entries = 0;

	for (const v of latest.report.variants) {
		for (const s of v.suites) {
			const row = section.locator(`table.nightly tbody tr[data-variant="${v.name}"][data-suite="${s.suite}"]`);
			const cell = (k) => row.locator(`[data-k="${k}"]`);
			const what = `${v.name} x ${s.suite}`;

			entries++;
			assert.equal((await cell('status').innerText()).trim(), s.status, `${what} status`);
			if (s.run && s.run.id)
				assert.equal(await cell('run').locator('a').getAttribute('href'), `#/runs/${s.run.id}`, `${what} run link`);
			else
				assert.equal((await cell('run').innerText()).trim(), '—', `${what} has no run`);
			if (!v.base && s.summary)
				assert.match(await cell('summary').innerText(), new RegExp(`^${s.summary}`), `${what} summary`);
			if (s.error)
				assert.equal((await cell('error').innerText()).trim(), s.error, `${what} error`);
			assert.equal(await cell('cells').locator('li').count(), s.regressed.length + s.corrupt.length, `${what} bad cells`);
			if (s.comparison)
				assert.equal(await cell('compare').locator('a').getAttribute('href'),
					`#/compare?base=${s.base_run_id}&head=${s.run.id}`, `${what} compare link`);
			else
				assert.equal(await cell('compare').locator('a').count(), 0, `${what} has no comparison`);
		}
	}
	assert.equal(await section.locator('table.nightly tbody tr').count(), entries);
	const failed = latest.report.variants.flatMap((v) => v.suites.filter((s) => s.run && s.run.failed));
	assert.equal(await section.locator('section.failures details').count(), failed.length, 'one failure note per failed run');
	assert.ok(failed.length >= 1, 'night-gone failed');
	// The past nights, newest first, as the API lists them.
	const rows = page.locator('table.nightly-list tbody tr');
	assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.id))), list.reports.map((r) => r.id));
	for (const r of list.reports) {
		const row = page.locator(`table.nightly-list tbody tr[data-id="${r.id}"]`);

		assert.equal((await row.locator('[data-k="summary"]').innerText()).trim(), r.summary);
		assert.equal((await row.locator('[data-k="status"]').innerText()).trim(), r.status);
	}
	await shot(page, 'nightly');

	// A night's comparison link opens the compare view, whose verdicts are the night's.
	const head = latest.report.variants.find((v) => v.name === 'night-head').suites[0];
	await section.locator('tr[data-variant="night-head"] [data-k="compare"] a').click();
	await page.waitForURL(/#\/compare\?/);
	await page.locator('.compare-result').waitFor();
	assert.equal((await page.locator('[data-k="summary"]').innerText()).trim(), head.summary);
	// And a night has its own address.
	await go(page, `#/nightly/${latest.id}`);
	await page.locator(`section.nightly-report[data-id="${latest.id}"]`).waitFor();
	assert.equal(await page.locator(`table.nightly-list tbody tr[data-id="${latest.id}"]`).getAttribute('class'), 'current');
	await check();
});

/* What an entry of the matrix must show, computed here: "1.23x", "EAGAIN 0.0% → 100.0%". */
function entryTexts(e) {
	const pct = (r) => (typeof r === 'number' ? `${(r * 100).toFixed(1)}%` : '—');

	return [e.iops_verdict, typeof e.ratio === 'number' ? `${e.ratio.toFixed(2)}x` : '—',
		`EAGAIN ${pct(e.eagain_base_rate)} → ${pct(e.eagain_head_rate)} ${e.eagain_verdict}`];
}

/* The matrix table on screen against the report's matrix @m, entries of @side. */
async function checkMatrix(sec, m, side) {
	const table = sec.locator(`table.matrix[data-side="${side}"]`);

	await table.waitFor();
	assert.deepEqual(await table.locator('thead th[data-variant]').evaluateAll((ths) => ths.map((th) => th.dataset.variant)),
		m.columns.map((c) => c.variant), `${m.suite}: the columns are the versions, in order`);
	for (const c of m.columns) {
		const th = table.locator(`thead th[data-variant="${c.variant}"]`);
		const st = side === 'vs_base' ? c.status : c.previous_status;

		assert.equal((await th.locator('[data-k="against"]').innerText()).trim(),
			side === 'vs_base' ? `vs ${m.base}` : (c.previous ? `vs ${c.previous}` : 'no version before'));
		if (st)
			assert.equal((await th.locator('.verdict').innerText()).trim(), st, `${c.variant} ${side} status`);
	}
	assert.deepEqual(await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.row)),
		m.rows.map((r) => `${r.workload}@${r.jobs}`), `${m.suite}: a row per cell`);
	for (const r of m.rows) {
		for (const [i, c] of m.columns.entries()) {
			const e = r.cells[i][side];
			const td = table.locator(`tbody tr[data-row="${r.workload}@${r.jobs}"] td[data-variant="${c.variant}"]`);
			const text = (await td.innerText()).replace(/\s+/g, ' ').trim();
			const what = `${c.variant} ${r.workload}@${r.jobs} ${side}`;

			if (!e) {
				assert.equal(text, '—', `${what}: no comparison`);
				continue;
			}
			assert.equal(await td.getAttribute('data-verdict'), e.verdict, what);
			for (const t of entryTexts(e))
				assert.ok(text.includes(t), `${what}: '${t}' not in '${text}'`);
		}
	}
}

test('nightly: a family\'s versions × cells, against its base and the version before, as the report says', { timeout: 60000 }, async () => {
	const latest = await apiOk('GET', 'nightly/latest');
	const { page, check } = await openPage();
	const matrices = latest.report.matrices || [];

	assert.equal(matrices.length, 1, 'dashboard.sh ran family nf over one suite');
	assert.deepEqual(matrices[0].columns.map((c) => [c.variant, c.previous]), [['nf:v1', null], ['nf:v2', 'nf:v1']]);
	await go(page, `#/nightly/${latest.id}`);
	for (const m of matrices) {
		const sec = page.locator(`section.matrix[data-family="${m.family}"][data-suite="${m.suite}"]`);

		await checkMatrix(sec, m, 'vs_base');
		await sec.locator('button[data-side="vs_previous"]').click();
		assert.equal(await sec.locator('button[data-side="vs_previous"]').getAttribute('aria-pressed'), 'true');
		await checkMatrix(sec, m, 'vs_previous');
		await sec.locator('button[data-side="vs_base"]').click();
		await checkMatrix(sec, m, 'vs_base');
	}
	// The version before, in the entries table too: nf:v2's line names nf:v1 and links the comparison.
	const v2 = latest.report.variants.find((v) => v.name === 'nf:v2').suites[0];
	const prev = page.locator('table.nightly tr[data-variant="nf:v2"] [data-k="previous"]');
	assert.match(await prev.innerText(), new RegExp(`^vs nf:v1: ${v2.previous.status}`));
	assert.equal(await prev.locator('a').getAttribute('href'), `#/compare?base=${v2.previous.run_id}&head=${v2.run.id}`);
	assert.equal((await page.locator('table.nightly tr[data-variant="nf:v2"] [data-k="against"]').innerText()).trim(), 'against nf:base');
	await shot(page, 'nightly-matrix');
	await check();
});

test('keyboard: the main links are reachable and focus is visible', { timeout: 30000 }, async () => {
	const { page, check } = await openPage();

	await go(page, '#/runs');
	await page.locator('table.runs').waitFor();
	const seen = [];

	for (let i = 0; i < 8; i++) {
		await page.keyboard.press('Tab');
		seen.push(await page.evaluate(() => {
			const el = document.activeElement;
			const style = getComputedStyle(el);

			return { text: el.textContent.trim(), outline: style.outlineStyle };
		}));
	}
	for (const name of ['Runs', 'Compare', 'Start a run'])
		assert.ok(seen.some((s) => s.text === name), `${name} is reached with Tab`);
	assert.ok(seen.filter((s) => ['Runs', 'Compare'].includes(s.text)).every((s) => s.outline !== 'none'), 'focused links show an outline');
	await check();
});

/*
 * Imported copies of the base run, edited into what a NOWAIT suite shows:
 * a cell whose every write was refused (IOPS and latency n/a), and one whose
 * repetitions disagree (100/0/100%). Compared, the first is an EAGAIN-only
 * change (its own verdict, failing the gate), the second unstable.
 */
test('EAGAIN verdicts: eagain-changed, unstable and n/a in compare and in a run', { timeout: 60000 }, async () => {
	const src = await apiOk('GET', `runs/${runs.base.id}`);
	const w = src.workloads[0].name;
	// Whatever this kernel did, the copies say: every write completed, or every write refused.
	const open = (c) => ({ ...c, ops: c.attempts, eagain: 0, eagain_rate: 0, iops: 1000 + c.rep, bw_bytes_s: 1e6,
		lat_ns: { p50: 1000, p90: 2000, p99: 3000, p999: 4000, max: 5000, mean: 1500 } });
	const refused = (c) => ({ ...c, ops: 0, bytes: 0, eagain: c.attempts, eagain_rate: 1, iops: null, bw_bytes_s: null, lat_ns: null });
	const runOf = (cells, flip) => {
		const r = structuredClone(src);

		r.workloads.push({ ...r.workloads[0], name: 'nw-flip' });
		r.cells = [...cells, ...src.cells.map((c) => (flip(c.rep) ? refused : open)({ ...c, workload: 'nw-flip' }))];
		for (const k of ['id', 'summaries', 'created', 'target', 'what', 'label', 'kernel_tag', 'request', 'progress'])
			delete r[k];
		return r;
	};
	const imp = async (run, label) => apiOk('POST', 'runs/import', { run, label, kernel_tag: 'browser-eagain' });
	const baseRun = await imp(runOf(src.cells.map(open), (rep) => rep !== 2), 'eag-base');
	const headRun = await imp(runOf(src.cells.map(refused), () => true), 'eag-head');
	const cmp = await apiOk('GET', 'compare?base=label:eag-base&head=label:eag-head');
	const byName = (n) => cmp.workloads.find((g) => g.workload === n).cells[0];

	assert.equal(byName(w).verdict, 'eagain-changed', 'the API: refusing every write is an EAGAIN change');
	assert.equal(byName('nw-flip').verdict, 'unstable', 'the API: 100/0/100 is unstable');
	assert.equal(cmp.gate, true, 'the API: an EAGAIN change fails the gate');
	const { page, check } = await openPage();
	const row = (n) => page.locator(`table.compare[data-workload="${n}"] tbody tr`).first();

	await go(page, '#/compare?base=label:eag-base&head=label:eag-head');
	await page.locator('.compare-result').waitFor();
	assert.equal((await page.locator('[data-k="summary"]').innerText()).trim(), cmp.summary.line);
	assert.match(await page.locator('[data-k="gate"]').innerText(), /Gate \(both\): FAIL/);
	assert.equal(await page.locator('ul.summary-chips li.v-eagain-changed').first().innerText(), '1 eagain-changed');
	assert.equal((await row(w).locator('.verdict').first().innerText()).trim(), 'eagain-changed');
	assert.equal((await row(w).locator('[data-k="head"]').innerText()).trim(), 'n/a', 'IOPS of nothing completed');
	assert.equal((await row(w).locator('[data-k="speedup"]').innerText()).trim(), 'n/a');
	assert.match(await row(w).locator('[data-k="eagain-diff"]').innerText(), /changed/);
	assert.equal((await row('nw-flip').locator('.verdict').first().innerText()).trim(), 'unstable');
	assert.match(await row('nw-flip').locator('[data-k="eagain-base"]').innerText(), /^unstable 0–100%$/);
	assert.doesNotMatch(await row('nw-flip').innerText(), /66\.7/, 'an unstable rate is never pooled');
	await shot(page, 'compare-eagain');
	// The gate follows the form's choice: IOPS only passes.
	await page.selectOption('#gate', 'iops');
	await page.locator('form.compare-form button[type="submit"]').click();
	await page.waitForURL(/gate=iops/);
	await page.locator('.compare-result').waitFor();
	await page.locator('[data-k="gate"]', { hasText: 'Gate (iops): pass' }).waitFor();
	assert.equal((await page.locator('[data-k="gate"]').innerText()).trim(), 'Gate (iops): pass — no IOPS regression, nothing corrupt.');
	// The runs: n/a where nothing completed, unstable where the repetitions disagree.
	await go(page, `#/runs/${headRun.id}`);
	await page.locator(`table.results[data-workload="${w}"]`).waitFor();
	const res = (n) => page.locator(`table.results[data-workload="${n}"] tbody tr`).first();

	assert.equal((await res(w).locator('[data-k="iops"]').innerText()).trim(), 'n/a');
	assert.equal((await res(w).locator('[data-k="p99"]').innerText()).trim(), 'n/a');
	await go(page, `#/runs/${baseRun.id}`);
	await page.locator('table.results[data-workload="nw-flip"]').waitFor();
	assert.match(await res('nw-flip').locator('[data-k="eagain"]').innerText(), /^unstable 0\.0–100\.0%$/);
	assert.equal(await res('nw-flip').getAttribute('data-unstable'), 'true');
	await shot(page, 'run-unstable');
	await check();
});

test('hosts: the runs list shows each run\'s host, filters and groups by it; compare refuses other hosts unless asked', { timeout: 90000 }, async () => {
	// The base run again, as if another lab machine had made it.
	const other = JSON.parse(JSON.stringify(await apiOk('GET', `runs/${runs.base.id}`)));

	other.env.hostname = 'lab-z';
	other.env.machine_id = 'f'.repeat(32);
	// A machine with more CPUs: its jobs ran more in parallel (the comparison's machine_note).
	other.env.cpus = (other.env.cpus || 1) + 2;
	delete other.env.lab_host;
	const imp = await apiOk('POST', 'runs/import', { run: other, label: 'other-host' });
	const { page, check } = await openPage();

	// The filter offers the hosts GET /api/v1/hosts knows; picking one filters by it.
	await go(page, '#/runs');
	await page.locator('#f-host option[value="lab-z"]').waitFor({ state: 'attached' });
	await page.selectOption('#f-host', 'lab-z');
	await page.click('form.filters button[type="submit"]');
	await page.waitForURL(/#\/runs\?.*host=lab-z/);
	await page.locator(`table.runs tbody tr[data-id="${imp.id}"]`).waitFor();
	const onZ = await apiOk('GET', 'runs?host=lab-z');
	const rows = page.locator('table.runs tbody tr[data-id]');

	assert.equal(await rows.count(), onZ.runs.length);
	for (const text of await rows.locator('td.host').allInnerTexts())
		assert.equal(text.split('\n')[0].trim(), 'lab-z');
	assert.equal(await page.inputValue('#f-host'), 'lab-z');

	// Grouped: a heading row per host, in the API's order.
	await go(page, '#/runs?group=host');
	await page.locator('table.runs tr.host-group').first().waitFor();
	const grouped = await apiOk('GET', 'runs?group=host&limit=50');
	const hosts = [...new Set(grouped.runs.map((r) => r.host || 'host not recorded'))];

	assert.deepEqual((await page.locator('table.runs tr.host-group').allInnerTexts()).map((t) => t.trim()), hosts);
	assert.ok(await page.locator('#f-group').isChecked());

	// Compare across machines: incompatible, said in an alert; with "Across hosts", compared and said.
	await go(page, `#/compare?base=${runs.base.id}&head=${imp.id}`);
	await page.locator('.compare-result').waitFor();
	const note = page.locator('.host-note[role="alert"]');

	assert.match(await note.innerText(), /different hosts.*lab-z/);
	// Every cell incompatible is no verdict (ringlab compare exits 2), never a green "pass".
	assert.equal((await page.locator('[data-k="gate"]').innerText()).trim(),
		'Gate (both): nothing compared — every cell is incompatible (see each cell\'s reason).');
	assert.equal(await page.locator('.compare-result .gate.gate-fail').count(), 1);
	await page.check('#cross_host');
	await page.click('form.compare-form button[type="submit"]');
	await page.waitForURL(/cross_host=1/);
	await page.locator('.host-note[role="note"]').waitFor();
	assert.match(await page.locator('.host-note').innerText(), /crosses hosts.*lab-z/);
	const cmp = await apiOk('GET', `compare?base=${runs.base.id}&head=${imp.id}&cross_host=1`);

	assert.equal((await page.locator('[data-k="summary"]').innerText()).trim(), cmp.summary.line);
	// The CPU counts differ: the API's machine_note is shown, word for word.
	assert.match(cmp.machine_note || '', /job parallelism differs: .*CPU.*CPUs/);
	const machine = page.locator('.machine-note[data-k="machine"]');

	assert.ok((await machine.innerText()).includes(cmp.machine_note), `machine note: "${await machine.innerText()}"`);
	await shot(page, 'hosts');
	await check();
});

test('nightly: a report with only the required keys shows no "undefined"', { timeout: 30000 }, async () => {
	// What another tool may post (API.md: everything but five keys is optional), an old night.
	const posted = await apiOk('POST', 'nightly', { format: 'ringlab-nightly-1', status: 'ok', summary: 'posted by hand',
		started_ns: 1000000000000000000, finished_ns: 1000000001000000000 });
	const { page, check } = await openPage();

	await go(page, `#/nightly/${posted.id}`);
	const section = page.locator(`section.nightly-report[data-id="${posted.id}"]`);

	await section.waitFor();
	assert.doesNotMatch(await section.innerText(), /undefined|NaN/);
	await check();
});
