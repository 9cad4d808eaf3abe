// SPDX-License-Identifier: MIT
// Number, time and size formatting, shaped like the series' tables
// ("42,322", "1.97x") and the CLI's. Pure functions: the browser test
// imports them too. Missing values (null, NaN) show as an em dash.

export const NONE = '—';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const grouped1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** isNum(v) - a finite number (null, undefined and NaN are not). */
export function isNum(v) {
	return typeof v === 'number' && Number.isFinite(v);
}

/** fmtInt(v) - rounded, with thousands separators: "42,322". */
export function fmtInt(v) {
	return isNum(v) ? grouped.format(Math.round(v)) : NONE;
}

/** fmtRatio(r) - a speedup as in the series' tables: "1.97x". */
export function fmtRatio(r) {
	return isNum(r) ? `${r.toFixed(2)}x` : NONE;
}

/** fmtCI(lo, hi) - "0.98x–1.05x", or a dash when there is no interval. */
export function fmtCI(lo, hi) {
	return isNum(lo) && isNum(hi) ? `${lo.toFixed(2)}x–${hi.toFixed(2)}x` : NONE;
}

/** fmtPct(rate, digits) - a 0..1 fraction as a percentage: "12.5%". */
export function fmtPct(rate, digits = 1) {
	return isNum(rate) ? `${(rate * 100).toFixed(digits)}%` : NONE;
}

/** fmtPP(pp) - a difference in percentage points, signed: "+12.0 pp". */
export function fmtPP(pp) {
	if (!isNum(pp))
		return NONE;
	return `${pp > 0 ? '+' : pp < 0 ? '−' : '±'}${Math.abs(pp).toFixed(1)} pp`;
}

/** fmtUs(ns) - nanoseconds as microseconds with one decimal: "1,065.0". */
export function fmtUs(ns) {
	return isNum(ns) ? grouped1.format(ns / 1000) : NONE;
}

/** fmtBytes(n) - "16 MiB", "8 KiB", "512 B". */
export function fmtBytes(n) {
	if (!isNum(n))
		return NONE;
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let i = 0;

	while (Math.abs(n) >= 1024 && i < units.length - 1) {
		n /= 1024;
		i++;
	}
	return `${Number.isInteger(n) ? n : n.toFixed(1)} ${units[i]}`;
}

/** fmtDuration(s) - "0.90 s", "1 min 17 s", "2 h 03 min". */
export function fmtDuration(s) {
	if (!isNum(s))
		return NONE;
	if (s < 10)
		return `${s.toFixed(2)} s`;
	if (s < 60)
		return `${s.toFixed(1)} s`;
	const m = Math.floor(s / 60);

	if (m < 60)
		return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
	return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * parseTime(iso) - milliseconds since the epoch from the API's ISO 8601
 * strings, which carry nanoseconds ("...:28.123456789Z"); NaN for null.
 */
export function parseTime(iso) {
	if (typeof iso !== 'string' || !iso)
		return NaN;
	return Date.parse(iso.replace(/(\.\d{3})\d+/, '$1'));
}

/** fmtTime(iso) - "2026-11-22 02:13 UTC", as the CLI prints times. */
export function fmtTime(iso) {
	const ms = parseTime(iso);

	if (!isNum(ms))
		return NONE;
	return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** fmtAgo(iso, now) - "5 min ago", "3 d ago"; "" without a time. */
export function fmtAgo(iso, now = Date.now()) {
	const ms = parseTime(iso);

	if (!isNum(ms))
		return '';
	const s = Math.max(0, (now - ms) / 1000);

	if (s < 60)
		return 'just now';
	if (s < 3600)
		return `${Math.floor(s / 60)} min ago`;
	if (s < 86400)
		return `${Math.floor(s / 3600)} h ago`;
	return `${Math.floor(s / 86400)} d ago`;
}

/** median(values) - of the finite numbers in values (mean of the middle two); NaN when none. */
export function median(values) {
	const v = values.filter(isNum).sort((a, b) => a - b);
	const n = v.length;

	if (!n)
		return NaN;
	return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
