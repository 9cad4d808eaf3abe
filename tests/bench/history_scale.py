#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# history_scale.py: the driver of history_scale.sh (read that first). Fills the
# ringlabd at URL with copies of one ringlab-run-1 document (TEMPLATE), each
# with its own label, kernel tag, start time and jittered measurements,
# imported one after another through POST /api/v1/runs/import, and at each
# checkpoint prints what the store costs: bytes per run (the SQLite file and
# its WAL, or PostgreSQL's database size, over the runs in it), the import rate since the last checkpoint (runs
# over the time spent in the POSTs, one at a time on one connection) and the
# daemon's CPU time a run over those POSTs (with $DAEMON_PID: on a shared
# machine the rate also counts the time others' processes held the CPU, this
# does not), and
# the median time of history, a label listing of up to 1000 runs, a comparison
# of two runs and one of two label pools of 100 runs a side (the API's, and
# `ringlab compare` of the CLI, which asks the API's). The pools are
# timed 3 times, the rest 5; each figure is the median.
#
#   history_scale.py URL DB TEMPLATE RINGLAB CHECKPOINTS...
#
# Labels: every tenth run "pool-a", the next "pool-b" (the pools), the
# others "bulk" (the listing); kernel tags k0..k6, so runs differ in what
# the filters see. Values: IOPS, bandwidth, elapsed, latency and CPU times
# scaled by one factor per run (0.8 to 1.2) and a small one per cell, each
# kept at the resolution ringlab writes it (latencies on histogram bucket
# bounds, times in ns or us), and the device counters moved on by a run's
# I/O, so compression meets a real run's spread; counts stay, keeping every
# run consistent.
import copy
import http.client
import json
import os
import random
import subprocess
import sys
import time
import urllib.parse

REPEAT = 5	# timed requests per figure; the median is printed
LAT_KEYS = ("p50", "p90", "p99", "p999", "max", "mean")


def bucket(v):
	"""@v on a latency histogram's bucket bound, as real p50..max are: 5 significant bits, then ones."""
	v = max(int(v), 1)
	shift = max(v.bit_length() - 5, 0)
	return ((v >> shift) << shift) | ((1 << shift) - 1)


def jitter_cell(cell, f, rnd, disk):
	"""Scale @cell's rates by about @f, keeping each value's resolution as ringlab writes it."""
	g = f * rnd.uniform(0.97, 1.03)
	for k in ("iops", "bw_bytes_s"):
		if isinstance(cell.get(k), (int, float)):
			cell[k] = cell[k] * g
	for k, digits in (("elapsed_s", 9), ("layout_s", 9), ("cpu_user_s", 6), ("cpu_sys_s", 6)):
		if isinstance(cell.get(k), (int, float)):
			cell[k] = round(cell[k] / g, digits)
	for lk in ("lat_ns", "enter_lat_ns"):
		lat = cell.get(lk)
		if isinstance(lat, dict):
			for k in LAT_KEYS:
				lat[k] = bucket(lat[k] / g) if k != "mean" else int(lat[k] / g)
			lat["max"] = max(int(lat["max"] / g), lat["p999"])
	if isinstance(cell.get("enter_ns"), int):
		cell["enter_ns"] = int(cell["enter_ns"] / g)
	# Device counters move on from run to run, by one amount a run for every cell.
	for dk in ("disk_before", "disk_after"):
		d = cell.get(dk)
		if isinstance(d, dict):
			for k in d:
				if isinstance(d[k], int) and k != "in_flight":
					d[k] += disk[k]


def make_run(tpl, i, t0):
	rnd = random.Random(i)
	run = copy.deepcopy(tpl)
	f = rnd.uniform(0.8, 1.2)
	disk = {}
	for k in (tpl["cells"][0].get("disk_before") or {}):
		disk[k] = i * rnd.randrange(1, 5000)
	for cell in run["cells"]:
		jitter_cell(cell, f, rnd, disk)
	started = t0 + i * 60 * 10**9
	run["started_ns"] = started
	run["finished_ns"] = started + 50 * 10**9
	for k in ("started", "finished"):
		ns = run[k + "_ns"]
		run[k] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 10**9)) + \
			".%09dZ" % (ns % 10**9)
	label = "pool-a" if i % 10 == 0 else "pool-b" if i % 10 == 1 else "bulk"
	return {"run": run, "label": label, "kernel_tag": "k%d" % (i % 7), "target": "bench"}


class Api:
	def __init__(self, url):
		u = urllib.parse.urlparse(url)
		self.host, self.port = u.hostname, u.port
		self.conn = None

	def request(self, method, path, body=None):
		for attempt in range(3):
			try:
				if self.conn is None:
					self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
				hdr = {"Content-Type": "application/json"} if body is not None else {}
				self.conn.request(method, path, body=body, headers=hdr)
				r = self.conn.getresponse()
				data = r.read()
				if r.getheader("Connection", "").lower() == "close":
					self.conn.close()
					self.conn = None
				return r.status, data
			except (http.client.HTTPException, OSError):
				if self.conn:
					self.conn.close()
				self.conn = None
				if attempt == 2:
					raise
		raise RuntimeError("unreachable")

	def timed(self, path, repeat=REPEAT):
		"""Median seconds of @repeat GETs of @path (each must answer 200)."""
		times = []
		for _ in range(repeat):
			t = time.perf_counter()
			st, data = self.request("GET", path)
			times.append(time.perf_counter() - t)
			if st != 200:
				sys.exit("GET %s: %d %s" % (path, st, data[:300]))
		times.sort()
		return times[len(times) // 2], data


def timed_cli(ringlab, url, a, b):
	times = []
	for _ in range(3):
		t = time.perf_counter()
		p = subprocess.run([ringlab, "compare", a, b, "--url", url, "--json"],
				   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
		times.append(time.perf_counter() - t)
		if p.returncode not in (0, 1):
			sys.exit("ringlab compare %s %s: exit %d: %s" % (a, b, p.returncode, p.stderr[:300]))
	times.sort()
	return times[1]


def proc_cpu_s(pid):
	"""Seconds of CPU process @pid has used, every thread's (and its children's that ended)."""
	with open("/proc/%s/stat" % pid) as fh:
		f = fh.read().rsplit(")", 1)[1].split()
	return sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")


def daemon_cpu_s():
	"""Seconds of CPU ringlabd ($DAEMON_PID) has used, every thread's; None without the pid."""
	pid = os.environ.get("DAEMON_PID")
	return proc_cpu_s(pid) if pid else None


def server_cpu_s():
	"""Seconds of CPU PostgreSQL ($PG_POSTMASTER_PID and its processes) has used; None without it."""
	pid = os.environ.get("PG_POSTMASTER_PID")
	if not pid:
		return None
	total = proc_cpu_s(pid)
	for p in os.listdir("/proc"):
		try:
			with open("/proc/%s/stat" % p) as fh:
				if p.isdigit() and fh.read().rsplit(")", 1)[1].split()[1] == pid:
					total += proc_cpu_s(p)
		except (OSError, IndexError):
			pass
	return total


def db_bytes(db):
	if db.startswith("psql:"):
		# PostgreSQL: the database's size as the server counts it (tables, indexes, TOAST).
		out = subprocess.run(db[5:].split() + ["-c", "SELECT pg_database_size(current_database())"],
				     capture_output=True, text=True, check=True).stdout
		return int(out.strip())
	return sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))


def relations(db, runs):
	"""Where the bytes are: each table's heap, its indexes and its TOAST, bytes a run (to stderr)."""
	if db.startswith("psql:"):
		sql = ("SELECT c.relname, pg_relation_size(c.oid), pg_indexes_size(c.oid),"
		       " pg_total_relation_size(c.oid) - pg_relation_size(c.oid) - pg_indexes_size(c.oid)"
		       " FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace"
		       " ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 6")
		out = subprocess.run(db[5:].split() + ["-F", " ", "-c", sql], capture_output=True,
				     text=True).stdout
		rows = [line.split() for line in out.splitlines() if line.strip()]
		head = "heap, indexes, toast"
	else:
		out = subprocess.run(["sqlite3", db, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name"
				      " ORDER BY 2 DESC LIMIT 8"], capture_output=True, text=True).stdout
		rows = [line.split("|") for line in out.splitlines() if "|" in line]
		head = "pages"
	if not rows:
		return
	print("  bytes a run by relation (%s): " % head + "; ".join(
		"%s %s" % (r[0], "/".join("%.0f" % (int(x) / runs) for x in r[1:])) for r in rows),
	      file=sys.stderr)


def measure(api, url, db, ringlab, runs, ids, rate, cpu, server_cpu):
	relations(db, runs)
	workload = first_cell["workload"]
	m = {"runs": runs, "import_rate": rate, "import_cpu": cpu, "import_server_cpu": server_cpu}
	m["bytes_per_run"] = db_bytes(db) / runs
	q = urllib.parse.urlencode({"workload": workload, "jobs": first_cell["jobs"]})
	m["history"], body = api.timed("/api/v1/history?" + q)
	m["history_points"] = len(json.loads(body)["points"])
	m["listing"], body = api.timed("/api/v1/runs?label=bulk&limit=1000")
	m["listing_items"] = len(json.loads(body)["runs"])
	m["compare2"], _ = api.timed("/api/v1/compare?base=%d&head=%d" % (ids[-2], ids[-1]))
	m["compare_pools_api"], body = api.timed("/api/v1/compare?base=label:pool-a&head=label:pool-b", 3)
	m["compare_pools_cli"] = timed_cli(ringlab, url, "label:pool-a", "label:pool-b")
	return m


ROWS = [
	("bytes per run", "bytes_per_run", "%.0f B", "< 60000 B"),
	("import", "import_rate", "%.1f runs/s", ">= 100 runs/s"),
	("import: ringlabd's CPU a run", "import_cpu", "%.2f ms", "< 10 ms"),
	("import: PostgreSQL's CPU a run", "import_server_cpu", "%.2f ms", ""),
	("GET /api/v1/history (points)", "history", "%.1f ms", "< 50 ms"),
	("GET /api/v1/runs?label= (items)", "listing", "%.1f ms", "< 50 ms"),
	("compare run vs run (API)", "compare2", "%.1f ms", "< 200 ms"),
	("compare label: pools (API, newest 100/side)", "compare_pools_api", "%.1f ms", "< 2000 ms"),
	("ringlab compare label: pools (100/side)", "compare_pools_cli", "%.1f ms", "< 2000 ms"),
]


def fmt(m, key, f):
	v = m[key]
	if v is None:
		return "n/a"
	if f.endswith("ms"):
		v *= 1000
	s = f % v
	if key == "history":
		s += " (%d)" % m["history_points"]
	if key == "listing":
		s += " (%d)" % m["listing_items"]
	return s


def table(results):
	w = 42
	print("%-*s" % (w, "figure") + "".join("%20s" % ("%d runs" % m["runs"]) for m in results)
	      + "   target")
	for name, key, f, target in ROWS:
		print("%-*s" % (w, name) + "".join("%20s" % fmt(m, key, f) for m in results)
		      + "   " + target)
	sys.stdout.flush()


def main():
	global first_cell
	url, db, template, ringlab = sys.argv[1:5]
	checkpoints = [int(x) for x in sys.argv[5:]]
	with open(template) as fh:
		tpl = json.load(fh)
	first_cell = tpl["cells"][0]
	api = Api(url)
	t0 = 1_700_000_000 * 10**9
	ids, results, done = [], [], 0
	t_all = time.time()
	for cp in checkpoints:
		posting = 0.0	# seconds in the POSTs: the generator's own time is not the store's
		cpu = server_cpu = 0.0
		while done < cp:
			body = json.dumps(make_run(tpl, done, t0), separators=(",", ":"))
			c, sc = daemon_cpu_s(), server_cpu_s()
			t = time.perf_counter()
			st, data = api.request("POST", "/api/v1/runs/import", body)
			posting += time.perf_counter() - t
			if c is not None:
				cpu += daemon_cpu_s() - c
			if sc is not None:
				server_cpu += server_cpu_s() - sc
			if st != 201:
				sys.exit("import %d: %d %s" % (done, st, data[:300]))
			ids.append(json.loads(data)["id"])
			done += 1
			if done % 500 == 0:
				print("  imported %d runs (%.0f s)" % (done, time.time() - t_all), file=sys.stderr)
		n = cp - (results[-1]["runs"] if results else 0)
		cpu_run = cpu / n if daemon_cpu_s() is not None else None
		server_run = server_cpu / n if server_cpu_s() is not None else None
		results.append(measure(api, url, db, ringlab, cp, ids, n / posting, cpu_run, server_run))
		table(results)
		print("(%.0f s so far)" % (time.time() - t_all))
		print()


first_cell = None
if __name__ == "__main__":
	main()
