#!/usr/bin/env python
"""``partyflow verify --all`` over 10,000 and 100,000 instances: time and peak memory.

Run from the repository root:

    PYTHONPATH=. .venv/bin/python bench/verify_all.py                 # 10k, then 100k (~3 min)
    PYTHONPATH=. .venv/bin/python bench/verify_all.py --sizes 2000 20000 --keep /tmp/v.db

One SQLite file (WAL) is filled through the engine (``Engine.start`` then one ``hold`` of
``bench/bench_rules.yaml``'s ``bench_loop`` per instance: two hash-chained records each;
built with ``synchronous=OFF`` to go faster, verified with the default). At each size every
measurement runs in a fresh child process, so its peak RSS (``ru_maxrss`` from ``os.wait4``)
is its own:

- ``verify``: ``partyflow verify --all --orgs`` (the command line, no progress bar: not a
  terminal), wall time and peak RSS;
- ``checkpoint``: ``verify --all --checkpoint FILE`` (verifies and writes the checkpoint);
- ``against``: ``verify --all --against FILE`` (compares every anchored head, then verifies);
- ``traced``: ``partyflow.evidence.verify_all`` in-process under ``tracemalloc``: the peak of
  Python allocations during the pass (slower under tracing; its time is not the figure).

Memory is bounded if the peaks at 100,000 are those at 10,000: instances are streamed
``--batch`` rows at a time and nothing is kept per instance.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RULES = HERE / "bench_rules.yaml"


def build(url: str, start: int, stop: int) -> float:
    """Add instances ``start``…``stop - 1`` (two records each); return the seconds taken."""
    from partyflow import Actor, Engine, load_rules

    secretary = Actor("sec", "secretary")
    engine = Engine(load_rules(RULES), store=url)
    t0 = time.perf_counter()
    try:
        for n in range(start, stop):
            iid = engine.start("bench_loop", {"expected": 10}, secretary,
                               instance_id=f"inst-{n:07d}").id
            engine.fire(iid, "hold", secretary, {"present": 9})
    finally:
        engine.store.close()
    return time.perf_counter() - t0


def child(args: list[str]) -> tuple[float, float, str]:
    """Run ``args`` in a child process; its wall seconds, peak RSS (MB) and stdout."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{args} failed ({proc.returncode}):\n{out.decode()}{err.decode()}")
    return wall, usage.ru_maxrss / 1024, out.decode().strip()


def traced(url: str, batch: int) -> None:
    """(child) ``verify_all`` under tracemalloc; print its figures as JSON."""
    import tracemalloc

    from partyflow.evidence import verify_all
    from partyflow.stores.open import open_store

    store = open_store(url)
    try:
        tracemalloc.start()
        t0 = time.perf_counter()
        report = verify_all(store, orgs=True, batch=batch)
        seconds = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        store.close()
    assert report.ok, report
    print(json.dumps({"instances": report.instances, "records": report.records,
                      "traced_peak_mb": round(peak / 2**20, 2),
                      "traced_seconds": round(seconds, 2)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--keep", type=Path, default=None,
                        help="the SQLite file to use (kept; default a temporary one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--traced-child", nargs=2, metavar=("URL", "BATCH"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.traced_child:
        traced(args.traced_child[0], int(args.traced_child[1]))
        return
    with tempfile.TemporaryDirectory(prefix="pf-verify-bench-") as tmp:
        db = args.keep or Path(tmp) / "verify.db"
        url = f"sqlite:///{db}"
        cp = Path(tmp) / "checkpoint.jsonl"
        py = [sys.executable, "-m", "partyflow.cli"]
        results: list[dict[str, Any]] = []
        built = 0
        for size in sorted(args.sizes):
            build_s = build(f"{url}?synchronous=OFF", built, size)
            built = size
            row: dict[str, Any] = {"instances": size, "build_s": round(build_s, 1),
                                   "db_mb": round(db.stat().st_size / 2**20, 1)}
            common = ["--store", url, "--batch", str(args.batch), "--lang", "en"]
            for name, extra in (("verify", ["--orgs"]), ("checkpoint", ["--checkpoint", str(cp)]),
                                ("against", ["--against", str(cp)])):
                wall, rss, out = child([*py, "verify", "--all", *common, *extra])
                row[f"{name}_s"] = round(wall, 2)
                row[f"{name}_rss_mb"] = round(rss, 1)
                row[f"{name}_out"] = out.splitlines()[0]
            row["checkpoint_mb"] = round(cp.stat().st_size / 2**20, 2)
            _, _, out = child([sys.executable, __file__, "--traced-child", url,
                               str(args.batch)])
            row.update(json.loads(out))
            results.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    summary = {"python": platform.python_version(), "machine": platform.machine(),
               "cpus": os.cpu_count(), "load_avg": os.getloadavg(), "results": results}
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print()
    print("| instances | verify --all --orgs | peak RSS | --checkpoint | peak RSS | --against "
          "| peak RSS | traced peak (Python) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['instances']:,} | {r['verify_s']} s | {r['verify_rss_mb']} MB | "
              f"{r['checkpoint_s']} s | {r['checkpoint_rss_mb']} MB | {r['against_s']} s | "
              f"{r['against_rss_mb']} MB | {r['traced_peak_mb']} MB |")


if __name__ == "__main__":
    main()
