// SPDX-License-Identifier: MIT
// Two dashboards on one PostgreSQL: each daemon's runs list holds the runs of both hosts, each row with its host.
//
// Run by two_dashboards.sh, which sets RINGLAB_URLS (the two daemons' base
// URLs, space-separated), RINGLAB_RUNS ({"ID": "HOST"}: a run made on each
// host), CHROMIUM and SCREENSHOT_DIR.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const URLS = (process.env.RINGLAB_URLS || '').split(' ').filter(Boolean);
const RUNS = JSON.parse(process.env.RINGLAB_RUNS || '{}');
let browser;

before(async () => {
	assert.equal(URLS.length, 2, 'RINGLAB_URLS names two daemons (run two_dashboards.sh)');
	browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
});

after(async () => {
	if (browser)
		await browser.close();
});

for (const [i, url] of URLS.entries()) {
	test(`dashboard ${i + 1} of 2 (${url}): both hosts' runs, each with its host`, { timeout: 60000 }, async () => {
		const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
		const errors = [];
		const api = await (await fetch(new URL('api/v1/runs?limit=50', url))).json();

		page.on('pageerror', (e) => errors.push(e.message));
		page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
		await page.goto(new URL('#/runs', url).href);
		for (const [id, host] of Object.entries(RUNS)) {
			const row = page.locator(`table.runs tbody tr[data-id="${id}"]`);

			await row.waitFor();
			assert.equal((await row.locator('td.host').innerText()).split('\n')[0].trim(), host,
				`run ${id}'s host on ${url}`);
			assert.equal(api.runs.find((r) => String(r.id) === id)?.host, host, `the API of ${url} on run ${id}`);
		}
		// Every row has its host filled, and the host filter offers both.
		for (const text of await page.locator('table.runs tbody tr[data-id] td.host').allInnerTexts())
			assert.notEqual(text.split('\n')[0].trim(), '—', 'a run without a host');
		for (const host of Object.values(RUNS))
			await page.locator(`#f-host option[value="${host}"]`).waitFor({ state: 'attached' });
		fs.mkdirSync(process.env.SCREENSHOT_DIR || os.tmpdir(), { recursive: true });
		await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR || os.tmpdir(), `two-dashboards-${i + 1}.png`) });
		assert.deepEqual(errors, [], 'console errors');
		await page.close();
	});
}
