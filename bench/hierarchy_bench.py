#!/usr/bin/env python
"""National-scale organization hierarchy: load + validate time, peak RSS, query latency.

Run from the repository root:

    python bench/hierarchy_bench.py                  # ~330 / 3,000 / 40,000 / 600,000
    python bench/hierarchy_bench.py --scale 0.01     # a quick smaller tree
    python bench/hierarchy_bench.py --json out.json  # also write the figures as JSON

The tree (cities → districts → streets → communities, seed 2026) is written to a temporary
CSV. Each measurement runs in a fresh child process so its peak RSS (``resource.getrusage``,
``ru_maxrss``) is its own: ``partyflow`` (``load_hierarchy``: read, build the
``networkx.DiGraph`` and check every H1–H4 rule over it) next to ``baseline`` (a plain dict
of parent pointers read with ``csv``, parents and level order checked, chains walked on each
query). ``ratio_*`` is partyflow's load + validate over the baseline's in the same run
(target ≤ 2). Chain queries ask 200,000 random organizations: ``chain_cold_us`` is the first
pass, ``chain_us`` the median of three later passes (nothing is cached: the same figure).
``peak_rss_mb`` is after load + validate, ``max_rss_mb`` at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = 2026
COUNTS = {"city": 330, "district": 3_000, "street": 40_000, "community": 600_000}
PREFIX = {"city": "c", "district": "d", "street": "s", "community": "m"}
LEVELS = list(COUNTS)
QUERIES = 200_000


def generate(path: Path, scale: float) -> int:
    """Write the tree as CSV (every parent gets at least one child); return the row count."""
    rng = random.Random(SEED)
    n = 0
    previous: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "level", "parent", "secretary", "households"])
        for level in LEVELS:
            count = max(1, round(COUNTS[level] * scale))
            ids = [f"{PREFIX[level]}{i:07d}" for i in range(count)]
            for i, org in enumerate(ids):
                if not previous:
                    parent = ""
                elif i < len(previous):
                    parent = previous[i]
                else:
                    parent = previous[rng.randrange(len(previous))]
                w.writerow([org, f"{org}党组织", level, parent, f"书记{n}",
                            rng.randrange(300, 5000) if level == "community" else ""])
                n += 1
            previous = ids
    return n


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _time_queries(fn: Any, ids: list[str]) -> float:
    """Median over three repeats of the µs per call of ``fn`` over ``ids``."""
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        for org in ids:
            fn(org)
        runs.append((time.perf_counter() - t0) / len(ids) * 1e6)
    return statistics.median(runs)


def measure_partyflow(path: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from partyflow.hierarchy import load_hierarchy

    base = _peak_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    h = load_hierarchy(path)
    load_s, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _peak_mb()
    graph = h.graph  # the networkx.DiGraph the checks ran over
    assert graph.number_of_edges() == len(h) - len(h.roots)
    rng = random.Random(SEED + 1)
    ids = list(graph)
    sample = [ids[rng.randrange(len(ids))] for _ in range(QUERIES)]
    communities = [o for o in sample if o.startswith("m")]
    t0, c0 = time.perf_counter(), time.process_time()
    for org in sample:
        h.responsibility_chain(org)
    cold_us = (time.perf_counter() - t0) / len(sample) * 1e6
    cold_cpu_us = (time.process_time() - c0) / len(sample) * 1e6
    chain_us = _time_queries(h.responsibility_chain, sample)
    chain_community_us = _time_queries(h.responsibility_chain, communities)
    superior_us = _time_queries(h.superior, sample)
    within_us = _time_queries(lambda o: h.is_within(o, "c0000000"), sample)
    return {"orgs": len(h), "load_validate_s": load_s, "load_validate_cpu_s": load_cpu,
            "peak_rss_mb": peak, "chain_cold_cpu_us": cold_cpu_us,
            "rss_before_load_mb": base, "chain_cold_us": cold_us, "chain_us": chain_us,
            "chain_community_us": chain_community_us, "superior_us": superior_us,
            "is_within_us": within_us, "max_rss_mb": _peak_mb()}


def measure_baseline(path: Path) -> dict[str, Any]:
    base = _peak_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    parent: dict[str, str] = {}
    info: dict[str, tuple[str, str, str]] = {}
    problems = 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        r = csv.reader(fh)
        header = next(r)
        ix = {c: i for i, c in enumerate(header)}
        i_id, i_name, i_level = ix["id"], ix["name"], ix["level"]
        i_parent, i_sec = ix["parent"], ix["secretary"]
        for row in r:
            org = row[i_id]
            if org in info:
                problems += 1
                continue
            info[org] = (row[i_name], row[i_level], row[i_sec])
            if row[i_parent]:
                parent[org] = row[i_parent]
    for org, (_, level, sec) in info.items():
        problems += not sec
        up = parent.get(org)
        if up is None:
            problems += level != LEVELS[0]
        elif up not in info or rank[info[up][1]] != rank[level] - 1:
            problems += 1  # strict level order also rules out cycles
    load_s, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _peak_mb()

    def chain(org: str) -> list[tuple[str, str, str, str]]:
        out = []
        node: str | None = org
        while node is not None:
            name, level, sec = info[node]
            out.append((node, name, level, sec))
            node = parent.get(node)
        return out

    def within(org: str, anc: str) -> bool:
        node: str | None = org
        while node is not None:
            if node == anc:
                return True
            node = parent.get(node)
        return False

    rng = random.Random(SEED + 1)
    ids = list(info)
    sample = [ids[rng.randrange(len(ids))] for _ in range(QUERIES)]
    communities = [o for o in sample if o.startswith("m")]
    return {"orgs": len(info), "problems": problems, "load_validate_s": load_s,
            "load_validate_cpu_s": load_cpu, "chain_cold_cpu_us": None,
            "peak_rss_mb": peak, "rss_before_load_mb": base,
            "chain_cold_us": _time_queries(chain, sample[:20_000]),
            "chain_us": _time_queries(chain, sample),
            "chain_community_us": _time_queries(chain, communities),
            "superior_us": _time_queries(parent.get, sample),
            "is_within_us": _time_queries(lambda o: within(o, "c0000000"), sample),
            "max_rss_mb": _peak_mb()}


def child(which: str, path: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--measure", which, str(path)],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the national counts")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--measure", nargs=2, metavar=("WHICH", "CSV"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        which, path = args.measure
        fn = measure_partyflow if which == "partyflow" else measure_baseline
        print(json.dumps(fn(Path(path))))
        return
    with tempfile.TemporaryDirectory(prefix="pf-hierarchy-") as tmp:
        path = Path(tmp) / "national.csv"
        t0 = time.perf_counter()
        rows = generate(path, args.scale)
        gen_s = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1e6
        results = {w: child(w, path) for w in ("partyflow", "baseline")}
    mine, base = results["partyflow"], results["baseline"]
    ratios = {"ratio_wall": mine["load_validate_s"] / base["load_validate_s"],
              "ratio_cpu": mine["load_validate_cpu_s"] / base["load_validate_cpu_s"]}
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} cpus, load average {load}; {rows:,} organizations ({size_mb:.1f} MB CSV, "
          f"generated in {gen_s:.1f} s, seed {SEED})")
    targets = {"load_validate_s": ("≤ 5 s", 5.0), "load_validate_cpu_s": ("≤ 5 s", 5.0),
               "peak_rss_mb": ("≤ 1536 MB", 1536.0), "max_rss_mb": ("≤ 1536 MB", 1536.0),
               "chain_cold_us": ("≤ 20 µs", 20.0), "chain_us": ("≤ 20 µs", 20.0)}
    print(f"{'figure':<22}{'partyflow':>12}{'baseline':>12}  target (partyflow)")
    for key in ("load_validate_s", "load_validate_cpu_s", "peak_rss_mb", "max_rss_mb", "chain_cold_us",
                "chain_cold_cpu_us", "chain_us", "chain_community_us", "superior_us",
                "is_within_us"):
        pf, bl = results["partyflow"][key], results["baseline"][key]
        target, limit = targets.get(key, ("", None))
        met = "" if limit is None else ("  met" if pf <= limit else "  MISSED")
        shown = "—" if bl is None else f"{bl:.2f}"
        print(f"{key:<22}{pf:>12.2f}{shown:>12}  {target}{met}")
    for key, value in ratios.items():
        print(f"{key:<22}{value:>12.2f}{'':>12}  ≤ 2 × baseline  "
              f"{'met' if value <= 2 else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "seed": SEED, "scale": args.scale,
                                         **ratios, **results}, indent=2) + "\n",
                             encoding="utf-8")


if __name__ == "__main__":
    main()
