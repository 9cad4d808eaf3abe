// SPDX-License-Identifier: MIT
// Charts drawn with uPlot (vendored from npm by web/build.sh). A chart is
// built once its box has a width, and follows the box when it resizes. The
// numbers are always in a table beside the chart, so a chart is decoration
// for the eye, marked aria-hidden, and a missing uPlot only costs the picture.

import { h } from './dom.js';
import { isNum } from './format.js';

let uplotPromise = null;

function loadUPlot() {
	if (!uplotPromise)
		uplotPromise = import('../vendor/uplot/uPlot.esm.js').then((m) => m.default);
	return uplotPromise;
}

export const COLORS = {
	base: '#78909c',
	head: '#1565c0',
	median: '#1565c0',
	reps: '#ef6c00',
	live: '#2e7d32',
};

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** fmtAxis(v) - short axis labels: "42K", "1.2M". */
export function fmtAxis(v) {
	return isNum(v) ? compact.format(v) : '';
}

/*
 * Create the uPlot in el once el has a width; makeOpts(width) gives the
 * options. Returns a promise of the uPlot instance (null without uPlot).
 */
function mount(el, makeOpts, data) {
	return new Promise((resolve) => {
		let plot = null, width = 0, pending = false, loading = false;

		/*
		 * The observer only notes the width; the chart is built or resized in
		 * the next frame, outside the observer's delivery, where changing the
		 * layout would make the browser report a resize loop.
		 */
		function frame() {
			pending = false;
			if (plot) {
				if (plot.width !== width)
					plot.setSize({ width, height: plot.height });
				return;
			}
			if (loading)
				return;
			loading = true;
			loadUPlot().then((UPlot) => {
				plot = new UPlot(makeOpts(width), data, el);
				resolve(plot);
			}, () => {
				el.append(h('p', { class: 'muted', text: 'Chart library not available: see the table.' }));
				ro.disconnect();
				resolve(null);
			});
		}
		const ro = new ResizeObserver((entries) => {
			const w = Math.floor(entries[0].contentRect.width);

			if (w <= 0 || w === width)
				return;
			width = w;
			if (!pending) {
				pending = true;
				requestAnimationFrame(frame);
			}
		});

		ro.observe(el);
	});
}

/**
 * jobsChart(opts) - a figure plotting values against JOBS. opts: title,
 * jobs (x values, e.g. [1, 2, 4]), series ([{label, values, stroke,
 * points: true for dots only, dash}]), yLabel, yFmt (legend values),
 * yMax (a fixed top, e.g. 100 for percentages; default: the data's),
 * height. The JOBS are spaced evenly, as the sweeps double.
 */
export function jobsChart(opts) {
	const { title, jobs, series, yLabel, yFmt = fmtAxis, yMax, height = 260 } = opts;
	const box = h('div', { class: 'chart-box' });
	const fig = h('figure', { class: 'chart' }, h('figcaption', { text: title }), box);
	const data = [jobs.map((_, i) => i), ...series.map((s) => s.values.map((v) => (isNum(v) ? v : null)))];

	box.setAttribute('aria-hidden', 'true');
	const makeOpts = (width) => ({
		width,
		height,
		scales: {
			x: { time: false, range: () => [-0.5, jobs.length - 0.5] },
			y: { range: (u, min, max) => [0, yMax || (isNum(max) && max > 0 ? max * 1.1 : 1)] },
		},
		axes: [
			{
				label: 'JOBS',
				splits: () => jobs.map((_, i) => i),
				values: (u, splits) => splits.map((i) => (jobs[i] === undefined ? '' : String(jobs[i]))),
				grid: { show: false },
			},
			{ label: yLabel, values: (u, splits) => splits.map(fmtAxis), size: 60 },
		],
		series: [
			{ label: 'JOBS', value: (u, v) => (v === null || jobs[v] === undefined ? '' : String(jobs[v])) },
			...series.map((s) => ({
				label: s.label,
				stroke: s.stroke,
				width: s.points ? 0 : 2,
				dash: s.dash,
				points: { show: true, size: s.points ? 6 : 9, fill: s.points ? s.stroke : '#fff', stroke: s.stroke, width: 2 },
				paths: s.points ? () => null : undefined,
				value: (u, v) => (v === null ? '—' : yFmt(v)),
			})),
		],
	});

	mount(box, makeOpts, data);
	return fig;
}

/**
 * liveChart(title, yLabel) - a figure plotting a value over time, and
 * push(seconds, value) to add a point (seconds since the page opened). Keeps the last 600 points.
 */
export function liveChart(title, yLabel) {
	const box = h('div', { class: 'chart-box' });
	const fig = h('figure', { class: 'chart' }, h('figcaption', { text: title }), box);
	const xs = [], ys = [];
	let plot = null;

	box.setAttribute('aria-hidden', 'true');
	const makeOpts = (width) => ({
		width,
		height: 180,
		scales: { x: { time: false }, y: { range: (u, min, max) => [0, isNum(max) && max > 0 ? max * 1.1 : 1] } },
		axes: [{ label: 'seconds since this page opened' }, { label: yLabel, values: (u, splits) => splits.map(fmtAxis), size: 60 }],
		series: [{}, { label: yLabel, stroke: COLORS.live, width: 2, fill: 'rgba(46,125,50,0.08)' }],
		legend: { show: false },
	});

	mount(box, makeOpts, [xs, ys]).then((p) => {
		plot = p;
	});
	return {
		el: fig,
		push(t, v) {
			xs.push(t);
			ys.push(isNum(v) ? v : null);
			if (xs.length > 600) {
				xs.shift();
				ys.shift();
			}
			if (plot)
				plot.setData([xs, ys]);
		},
	};
}
