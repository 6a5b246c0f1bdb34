#!/usr/bin/env python
"""partyflow benchmark: fire throughput (memory, SQLite), creation cost, rules load time.

Run from the repository root:

    python bench/run.py                 # full run (~2-3 min)
    python bench/run.py --quick         # smaller counts (< 30 s)
    python bench/run.py --json out.json # also write every figure as JSON
    python bench/run.py --profile memory-fire   # cProfile of the in-memory fire loop
                                                # (also: sqlite-fire, create)
    python bench/run.py --only breakdown        # µs per phase / part of a fire

The three hot-path ratios (memory, SQLite, PostgreSQL against their baselines, interleaved)
are ``bench/ratios.py``, which reuses this module's helpers and breakdown.

The process pins itself to ONE core (``--cpu``; default the least busy allowed core).
Timings use ``time.perf_counter``; every throughput figure is the median of several timed
repeats after a warm-up repeat. This is a script, not a pytest test.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import os
import platform
import pstats
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import transitions  # noqa: E402

from partyflow import Actor, Engine, MemoryStore, load_rules, load_rules_text  # noqa: E402
from partyflow.testing import FakeClock  # noqa: E402

BENCH_RULES = HERE / "bench_rules.yaml"
PROCEDURE = "bench_loop"
START_DATA = {"expected": 40}
HOLD_DATA = {"present": 33}  # 33 > 4/5 * 40 = 32: the guard passes
ACTOR = Actor("u1", "secretary", "org1")

# the same graph for raw transitions (states / triggers as in bench_rules.yaml)
RAW_STATES = ["open", "held", "closed"]
RAW_TRANSITIONS = [
    {"trigger": "hold", "source": "open", "dest": "held"},
    {"trigger": "release", "source": "held", "dest": "open"},
    {"trigger": "close", "source": ["open", "held"], "dest": "closed"},
]
DICT_NEXT = {("open", "hold"): "held", ("held", "release"): "open"}


# --------------------------------------------------------------------------------------------
# results


@dataclass
class Row:
    section: str
    name: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None
    spread: str = ""
    note: str = ""


@dataclass
class Report:
    mode: str
    machine: dict[str, Any]
    params: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, *args: Any, **kwargs: Any) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        return row


@dataclass
class Sizes:
    fire_instances: int       # instances the in-memory fire loop cycles over
    fire_repeats: int         # timed repeats (plus one warm-up)
    sql_instances: int        # instances the SQLite fire loop cycles over (NORMAL)
    sql_instances_full: int   # the same with synchronous=FULL (each commit is an fsync)
    sql_repeats_normal: int
    sql_repeats_full: int
    create_n: int             # partyflow instances created (time + memory)
    create_repeats: int
    raw_create_n: int         # raw transitions machines created (time + memory), extrapolated
    load_runs: int
    breakdown_n: int          # calls per micro-measurement in the fire-path breakdown


FULL = Sizes(fire_instances=2000, fire_repeats=7, sql_instances=500, sql_instances_full=200,
             sql_repeats_normal=5,
             sql_repeats_full=5, create_n=100_000, create_repeats=3, raw_create_n=10_000,
             load_runs=9, breakdown_n=20_000)
QUICK = Sizes(fire_instances=1000, fire_repeats=3, sql_instances=100, sql_instances_full=40,
              sql_repeats_normal=3,
              sql_repeats_full=3, create_n=20_000, create_repeats=1, raw_create_n=1_000,
              load_runs=5, breakdown_n=5_000)


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def median_spread(values: list[float], fmt: Callable[[float], str]) -> tuple[float, str]:
    return statistics.median(values), f"{fmt(min(values))} - {fmt(max(values))}"


# --------------------------------------------------------------------------------------------
# machine description


def machine_info(cpu: int | None) -> dict[str, Any]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def ver(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "?"

    return {
        "nproc": os.cpu_count(),
        "pinned_cpu": cpu,
        "cpu_model": model,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "transitions": ver("transitions"),
        "sqlalchemy": ver("SQLAlchemy"),
        "common-expression-language": ver("common-expression-language"),
        "partyflow": ver("partyflow"),
        "loadavg_start": list(os.getloadavg()),
        "partyflow_sources": source_fingerprint(),
    }


def source_fingerprint() -> dict[str, Any]:
    """SHA-256 over partyflow/**/*.py and the newest modification time: the code measured
    (the package is installed editable, so this is what ran)."""
    import hashlib

    h = hashlib.sha256()
    newest = 0.0
    files = sorted((ROOT / "partyflow").rglob("*.py"))
    for f in files:
        h.update(str(f.relative_to(ROOT)).encode())
        h.update(f.read_bytes())
        newest = max(newest, f.stat().st_mtime)
    return {"sha256": h.hexdigest()[:16], "files": len(files),
            "newest_mtime": dt.datetime.fromtimestamp(newest, dt.UTC).isoformat(
                timespec="seconds")}


def _cpu_busy() -> dict[int, tuple[int, int]]:
    """(busy, total) jiffies per cpu from /proc/stat."""
    out = {}
    for line in Path("/proc/stat").read_text().splitlines():
        m = re.match(r"cpu(\d+)\s+(.*)", line)
        if m:
            vals = [int(v) for v in m.group(2).split()]
            idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
            out[int(m.group(1))] = (sum(vals) - idle, sum(vals))
    return out


def pin(cpu: int | None) -> int | None:
    """Pin this process to one core: ``cpu``, or the least busy allowed core over 0.5 s
    (other work on the machine then competes less with the measurement)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    chosen = cpu
    if chosen is None:
        chosen = allowed[-1]
        try:
            a = _cpu_busy()
            time.sleep(0.5)
            b = _cpu_busy()
            load = {c: (b[c][0] - a[c][0]) / max(1, b[c][1] - a[c][1])
                    for c in allowed if c in a and c in b}
            if load:
                chosen = min(load, key=lambda c: (load[c], -c))
        except OSError:
            pass
    os.sched_setaffinity(0, {chosen})
    return chosen


# --------------------------------------------------------------------------------------------
# helpers


def new_engine(store: Any = None) -> Engine:
    return Engine(load_rules(BENCH_RULES), store=store if store is not None else MemoryStore(),
                  clock=FakeClock())


def start_many(eng: Engine, n: int) -> list[str]:
    return [eng.start(PROCEDURE, START_DATA, ACTOR).id for _ in range(n)]


def fire_round(eng: Engine, ids: list[str]) -> tuple[float, float]:
    """hold (guarded) on every id, then release (unguarded); seconds for each phase."""
    fire = eng.fire
    actor = ACTOR
    data = HOLD_DATA
    t0 = time.perf_counter()
    for iid in ids:
        fire(iid, "hold", actor, data)
    t1 = time.perf_counter()
    for iid in ids:
        fire(iid, "release", actor)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


class RawModel:
    """A bare model object for transitions."""


def raw_machine() -> RawModel:
    obj = RawModel()
    transitions.Machine(model=obj, states=RAW_STATES, transitions=RAW_TRANSITIONS,
                        initial="open")
    return obj


def raw_round(objs: list[Any]) -> tuple[float, float]:
    t0 = time.perf_counter()
    for o in objs:
        o.hold()
    t1 = time.perf_counter()
    for o in objs:
        o.release()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def dict_round(table: dict[str, str], ids: list[str]) -> tuple[float, float]:
    nxt = DICT_NEXT
    t0 = time.perf_counter()
    for iid in ids:
        table[iid] = nxt[(table[iid], "hold")]
    t1 = time.perf_counter()
    for iid in ids:
        table[iid] = nxt[(table[iid], "release")]
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def timed_rounds(fn: Callable[[], tuple[float, float]], n: int, repeats: int
                 ) -> dict[str, list[float]]:
    """Warm up once, then ``repeats`` timed rounds; rates (fires/s) per phase."""
    fn()
    hold, release, both = [], [], []
    for _ in range(repeats):
        gc.collect()
        th, tr = fn()
        hold.append(n / th)
        release.append(n / tr)
        both.append(2 * n / (th + tr))
    return {"hold": hold, "release": release, "loop": both}


def interleaved(variants: dict[str, tuple[Callable[[], tuple[float, float]], bool]], n: int,
                repeats: int) -> dict[str, dict[str, list[float]]]:
    """Like ``timed_rounds`` for several variants at once, taking turns each repeat.
    Each variant is ``(round function, cyclic GC on?)``."""
    for fn, _ in variants.values():
        fn()
    out: dict[str, dict[str, list[float]]] = {
        k: {"hold": [], "release": [], "loop": []} for k in variants}
    for _ in range(repeats):
        for name, (fn, gc_on) in variants.items():
            gc.collect()
            if not gc_on:
                gc.disable()
            try:
                th, tr = fn()
            finally:
                gc.enable()
            out[name]["hold"].append(n / th)
            out[name]["release"].append(n / tr)
            out[name]["loop"].append(2 * n / (th + tr))
    return out


def per_call_us(fn: Callable[[], Any], n: int, repeats: int = 5) -> float:
    """Median µs per call of ``fn`` over ``repeats`` loops of ``n`` calls (GC paused, like
    timeit)."""
    out = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(n // 10):
            fn()
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            out.append((time.perf_counter() - t0) / n * 1e6)
    finally:
        if enabled:
            gc.enable()
    return statistics.median(out)


# --------------------------------------------------------------------------------------------
# 1. in-memory fires


def bench_memory_fire(rep: Report, sz: Sizes) -> None:
    n = sz.fire_instances
    sec = "1 memory fire"

    eng = new_engine()
    ids = start_many(eng, n)
    # the same rules with hold's condition removed: the in-loop cost of the guard
    text = re.sub(r"\n {8}conditions:\n(?: {10}.*\n)+", "\n", BENCH_RULES.read_text())
    unguarded = load_rules_text(text, "<bench rules without hold's condition>")
    assert not unguarded.procedures[PROCEDURE].candidates[("hold", "open")][0].conditions
    eng_ng = Engine(unguarded, store=MemoryStore(), clock=FakeClock())
    ids_ng = start_many(eng_ng, n)
    objs = [raw_machine() for _ in range(n)]
    table = {f"i{k:08d}": "open" for k in range(n)}
    keys = list(table)
    # every variant runs once per repeat, in turn, so drift in machine load hits all alike
    res = interleaved({
        "pf": (lambda: fire_round(eng, ids), True),
        "pf_nogc": (lambda: fire_round(eng, ids), False),
        "pf_noguard": (lambda: fire_round(eng_ng, ids_ng), True),
        "raw": (lambda: raw_round(objs), True),
        "dict": (lambda: dict_round(table, keys), True),
    }, n, sz.fire_repeats)
    pf, pf_nogc, pf_noguard, raw, dct = (res[k] for k in
                                         ("pf", "pf_nogc", "pf_noguard", "raw", "dict"))

    note_pf = f"{n} instances, hold then release on each, {sz.fire_repeats} repeats"
    m, s = median_spread(pf["hold"], fmt_rate)
    rep.add(sec, "partyflow fire, guarded + audited (hold)", m, "fires/s", ">= 50,000",
            m >= 50_000, s, note_pf)
    m, s = median_spread(pf["release"], fmt_rate)
    rep.add(sec, "partyflow fire, unguarded + audited (release)", m, "fires/s", spread=s)
    m, s = median_spread(pf["loop"], fmt_rate)
    rep.add(sec, "partyflow fire, hold/release loop", m, "fires/s", spread=s)
    m, s = median_spread(pf_nogc["hold"], fmt_rate)
    rep.add(sec, "  same hold fire with the cyclic GC paused", m, "fires/s", spread=s,
            note="diagnostic: GC share of the fire cost")
    m, s = median_spread(pf_noguard["hold"], fmt_rate)
    rep.add(sec, "  same hold fire with its condition removed", m, "fires/s", spread=s,
            note="diagnostic: in-loop cost of the CEL guard")
    m, s = median_spread(raw["hold"], fmt_rate)
    rep.add(sec, "raw transitions, Machine per instance (hold)", m, "fires/s", spread=s,
            note="unguarded, no audit, no store")
    m, s = median_spread(raw["loop"], fmt_rate)
    rep.add(sec, "raw transitions, hold/release loop", m, "fires/s", spread=s)
    m, s = median_spread(dct["loop"], fmt_rate)
    rep.add(sec, "dict table, table[id] = next[(state, trigger)]", m, "fires/s", spread=s,
            note="lower bound of Python overhead")
    rep.details["memory_fire"] = {"partyflow": pf, "partyflow_gc_paused": pf_nogc,
                                  "partyflow_no_condition": pf_noguard,
                                  "raw_transitions": raw, "dict": dct}


# --------------------------------------------------------------------------------------------
# 2. SQLite committed fires


def _sqlite_engine_rate(db_dir: Path, sync: str, n_inst: int, repeats: int
                        ) -> dict[str, list[float]]:
    path = db_dir / f"pf_{sync.lower()}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}" + ("" if sync == "NORMAL" else f"?synchronous={sync}")
    eng = new_engine(url)
    try:
        ids = start_many(eng, n_inst)
        out = timed_rounds(lambda: fire_round(eng, ids), n_inst, repeats)
        # one more round with the store's get/commit timed (wrapped on this store object
        # only): how a committed fire splits between the read, the write and the engine
        spent = {"get": 0.0, "commit": 0.0}
        store = eng.store

        def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*a: Any, **kw: Any) -> Any:
                t0 = time.perf_counter()
                try:
                    return fn(*a, **kw)
                finally:
                    spent[name] += time.perf_counter() - t0
            return wrapper

        store.get = timed("get", store.get)  # type: ignore[method-assign]
        store.commit = timed("commit", store.commit)  # type: ignore[method-assign]
        gc.collect()
        th, tr = fire_round(eng, ids)
        fires = 2 * n_inst
        out["split_us"] = [(th + tr) / fires * 1e6, spent["get"] / fires * 1e6,
                           spent["commit"] / fires * 1e6]
        return out
    finally:
        eng.store.close()


_TS_FMT = "%Y-%m-%dT%H:%M:%S.%fZ"


def _sqlite_ceiling(db_dir: Path, sync: str, n_inst: int, repeats: int, with_select: bool
                    ) -> list[float]:
    """stdlib sqlite3 on partyflow's own schema: per transaction one UPDATE of the instance
    row (optimistic version check) + one INSERT of an audit row. No hashing, no JSON of live
    data (pre-serialized), prepared statements cached by the sqlite3 module."""
    from partyflow.stores.sql import SqlStore

    path = db_dir / f"raw_{sync.lower()}_{int(with_select)}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    SqlStore(f"sqlite:///{path}").close()  # creates exactly partyflow's tables and indexes
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(f"PRAGMA synchronous={sync}")
    ts = dt.datetime(2026, 1, 1).strftime(_TS_FMT)  # fixed-width ISO text, as SqlStore writes
    h = "ab" * 32
    ids = [f"{k:032x}" for k in range(n_inst)]
    con.execute("BEGIN")
    for iid in ids:
        con.execute(
            "INSERT INTO pf_instances (id, procedure, state, data, version, rules_version,"
            " rules_hash, created_at, updated_at, deadline_at, terminal, last_hash)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (iid, PROCEDURE, "open", '{"expected":40}', 1, "bench-1", h, ts, ts, None, 0, h))
        con.execute(
            "INSERT INTO pf_audit (instance_id, seq, at, actor_id, actor_role, actor_org,"
            " trigger, from_state, to_state, data, rules_version, rules_hash, basis,"
            " idempotency_key, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (iid, 1, ts, "u1", "secretary", "org1", "start", None, "open",
             '{"expected":40}', "bench-1", h, None, None, "", h))
    con.execute("COMMIT")
    version = dict.fromkeys(ids, 1)
    upd = ("UPDATE pf_instances SET state=?, data=?, version=?, updated_at=?, deadline_at=?,"
           " terminal=?, last_hash=? WHERE id=? AND version=?")
    ins = ("INSERT INTO pf_audit (instance_id, seq, at, actor_id, actor_role, actor_org,"
           " trigger, from_state, to_state, data, rules_version, rules_hash, basis,"
           " idempotency_key, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    sel = "SELECT * FROM pf_instances WHERE id = ?"
    data_after = '{"expected":40,"present":33}'

    def one(iid: str, trig: str, frm: str, to: str, ev: str) -> None:
        v = version[iid]
        if with_select:
            con.execute(sel, (iid,)).fetchone()
        con.execute("BEGIN")
        cur = con.execute(upd, (to, data_after, v + 1, ts, None, 0, h, iid, v))
        if cur.rowcount != 1:
            raise RuntimeError("conflict")
        con.execute(ins, (iid, v + 1, ts, "u1", "secretary", "org1", trig, frm, to, ev,
                          "bench-1", h, "E2", None, h, h))
        con.execute("COMMIT")
        version[iid] = v + 1

    def rnd() -> tuple[float, float]:
        t0 = time.perf_counter()
        for iid in ids:
            one(iid, "hold", "open", "held", '{"present":33}')
        t1 = time.perf_counter()
        for iid in ids:
            one(iid, "release", "held", "open", "{}")
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1

    try:
        return timed_rounds(rnd, n_inst, repeats)["loop"]
    finally:
        con.close()


def bench_sqlite(rep: Report, sz: Sizes, db_dir: Path) -> None:
    sec = "2 sqlite fire"
    details: dict[str, Any] = {"db_dir": str(db_dir)}
    for sync, n_inst, repeats, target in (
            ("NORMAL", sz.sql_instances, sz.sql_repeats_normal, 5_000),
            ("FULL", sz.sql_instances_full, sz.sql_repeats_full, 2_000)):
        pf = _sqlite_engine_rate(db_dir, sync, n_inst, repeats)
        m, s = median_spread(pf["loop"], fmt_rate)
        rep.add(sec, f"partyflow committed fire, WAL synchronous={sync}", m, "fires/s",
                f">= {target:,}", m >= target, s,
                f"{n_inst} instances, hold/release loop, {repeats} repeats; "
                "each fire = SELECT + (UPDATE + INSERT) transaction")
        m2, s2 = median_spread(pf["hold"], fmt_rate)
        rep.add(sec, f"  of which guarded hold only, synchronous={sync}", m2, "fires/s",
                spread=s2)
        total, get_us, commit_us = pf["split_us"]
        rep.add(sec, f"  split of one fire ({sync}): SqlStore.get", get_us, "µs/fire",
                note=f"of {total:.0f} µs in an extra timed round")
        rep.add(sec, f"  split of one fire ({sync}): SqlStore.commit", commit_us, "µs/fire")
        rep.add(sec, f"  split of one fire ({sync}): engine work outside the store",
                total - get_us - commit_us, "µs/fire")
        ceil = _sqlite_ceiling(db_dir, sync, n_inst, repeats, with_select=False)
        m3, s3 = median_spread(ceil, fmt_rate)
        rep.add(sec, f"stdlib sqlite3 ceiling UPDATE+INSERT/txn, synchronous={sync}", m3,
                "txn/s", spread=s3, note="same schema, no hashing/ORM")
        ceil2 = _sqlite_ceiling(db_dir, sync, n_inst, repeats, with_select=True)
        m4, s4 = median_spread(ceil2, fmt_rate)
        rep.add(sec, f"stdlib sqlite3 SELECT + UPDATE+INSERT/txn, synchronous={sync}", m4,
                "txn/s", spread=s4, note="adds the read the engine does before each fire")
        details[sync] = {"partyflow": pf, "ceiling": ceil, "ceiling_with_select": ceil2}
    rep.details["sqlite"] = details


# --------------------------------------------------------------------------------------------
# 3. creating instances


def _create_pf(n: int) -> Engine:
    eng = new_engine()
    start = eng.start
    for _ in range(n):
        start(PROCEDURE, START_DATA, ACTOR)
    return eng


def bench_create(rep: Report, sz: Sizes) -> None:
    sec = "3 create"
    n = sz.create_n
    full_n = 100_000
    _create_pf(min(n, 2_000))  # warm-up
    times, times_nogc = [], []
    for _ in range(sz.create_repeats):  # GC on and (diagnostic) GC paused, taking turns
        for gc_on, sink in ((True, times), (False, times_nogc)):
            gc.collect()
            if not gc_on:
                gc.disable()
            try:
                t0 = time.perf_counter()
                eng = _create_pf(n)
                sink.append(time.perf_counter() - t0)
            finally:
                gc.enable()
            del eng
            gc.collect()
    t = statistics.median(times)
    t_nogc = statistics.median(times_nogc)
    scale = full_n / n
    t100k = t * scale
    note = f"median of {sz.create_repeats}" + ("" if n == full_n else
                                                f"; measured {n:,}, scaled x{scale:g}")
    rep.add(sec, "partyflow: create 100,000 instances (MemoryStore)", t100k, "s", "<= 2 s",
            t100k <= 2.0, f"{min(times) * scale:.2f} - {max(times) * scale:.2f}", note)
    rep.add(sec, "  per start()", t / n * 1e6, "µs")
    rep.add(sec, "  same 100,000 with the cyclic GC paused", t_nogc * scale, "s",
            spread=f"{min(times_nogc) * scale:.2f} - {max(times_nogc) * scale:.2f}",
            note="diagnostic: GC share of creation" + ("" if n == full_n else
                                                       f"; scaled x{scale:g}"))

    # memory: instance + its first audit record as held by MemoryStore
    gc.collect()
    tracemalloc.start(1)
    eng = new_engine()
    eng.start(PROCEDURE, START_DATA, ACTOR)  # rules saved, caches filled
    gc.collect()
    before = tracemalloc.take_snapshot()
    b0 = tracemalloc.get_traced_memory()[0]
    start = eng.start
    for _ in range(n):
        start(PROCEDURE, START_DATA, ACTOR)
    gc.collect()
    b1 = tracemalloc.get_traced_memory()[0]
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    per = (b1 - b0) / n
    rep.add(sec, "partyflow: bytes per instance (instance + first audit record)", per, "B",
            "<= 1,024 B", per <= 1024, note=f"tracemalloc over {n:,} instances")
    top = []
    for stat in after.compare_to(before, "lineno")[:10]:
        fr = stat.traceback[0]
        top.append({"where": f"{Path(fr.filename).name}:{fr.lineno}",
                    "bytes_per_instance": round(stat.size_diff / n, 1),
                    "allocs_per_instance": round(stat.count_diff / n, 2)})
    rep.details["create_memory_top"] = top
    del eng, before, after
    gc.collect()

    # raw transitions: one Machine per instance
    rn = sz.raw_create_n
    [raw_machine() for _ in range(min(rn, 200))]  # warm-up
    gc.collect()
    t0 = time.perf_counter()
    objs = [raw_machine() for _ in range(rn)]
    rt = time.perf_counter() - t0
    del objs
    gc.collect()
    tracemalloc.start()
    c0 = tracemalloc.get_traced_memory()[0]
    objs = [raw_machine() for _ in range(rn)]
    gc.collect()
    c1 = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del objs
    gc.collect()
    rscale = full_n / rn
    rep.add(sec, "raw transitions: create 100,000 Machines (one per instance)", rt * rscale,
            "s", note=f"measured {rn:,}, extrapolated x{rscale:g}")
    rep.add(sec, "  per Machine", rt / rn * 1e6, "µs")
    rep.add(sec, "raw transitions: bytes per Machine + model", (c1 - c0) / rn, "B",
            note=f"tracemalloc over {rn:,}; 100k = {(c1 - c0) * rscale / 2**20:,.0f} MiB")
    rep.details["create"] = {"partyflow_seconds": times, "n": n,
                             "gc_paused_seconds": times_nogc, "raw_seconds": rt,
                             "raw_n": rn, "partyflow_bytes": b1 - b0, "raw_bytes": c1 - c0}


# --------------------------------------------------------------------------------------------
# 4. loading the rules


def bench_load(rep: Report, sz: Sizes) -> None:
    sec = "4 load rules"
    used = ROOT / "config" / "rules.yaml"
    why = ""
    try:
        if not used.exists():
            raise FileNotFoundError(str(used))
        load_rules(used)
    except Exception as exc:  # fall back on any failure, say why
        why = f"config/rules.yaml unusable ({type(exc).__name__}); "
        used = ROOT / "tests" / "fixtures" / "mini.yaml"
    # the check above was the cold run: imports warm, pydantic/CEL caches filled
    times = []
    for _ in range(sz.load_runs):
        t0 = time.perf_counter()
        load_rules(used)
        times.append((time.perf_counter() - t0) * 1e3)
    m = statistics.median(times)
    rel = used.relative_to(ROOT)
    rep.add(sec, f"load_rules('{rel}')", m, "ms", "<= 200 ms", m <= 200,
            f"{min(times):.1f} - {max(times):.1f}",
            f"{why}median of {sz.load_runs} runs after one untimed run; "
            f"{used.stat().st_size:,} bytes")
    rep.details["load"] = {"file": str(rel), "ms": times}


# --------------------------------------------------------------------------------------------
# 5. where the time of one fire goes (µs per fire, per phase and per part)

# the pipeline one ``Engine.fire`` runs (partyflow/workflows/engine.py ``fire`` without an
# idempotency key): store.get → StepContext → decide → seal → commit


WHOLE = ("decide (hold, guarded)", "decide (release, unguarded)", "seal (hold)")
PHASES = ("store.get", "context (versions.of + versions.machine + clock)", "step.decide",
          "step.seal", "step.commit (store.commit)")


def pipeline_round(eng: Engine, ids: list[str], spent: dict[str, float]) -> tuple[float, float]:
    """``fire_round`` with ``Engine.fire``'s body inlined on the step pipeline's functions,
    each phase timed with ``perf_counter`` (adds ~0.5 µs of timer calls per fire)."""
    from partyflow.workflows.step import StepContext, commit, decide, seal

    store, versions, orgs, clock = eng.store, eng.versions, eng.hierarchy, eng.clock
    pc = time.perf_counter
    acc = [0.0] * 5
    out = []
    for trigger, data in (("hold", HOLD_DATA), ("release", {})):
        r0 = pc()
        for iid in ids:
            t0 = pc()
            inst = store.get(iid)
            t1 = pc()
            ctx = StepContext(versions.of(inst), versions.machine(inst), orgs,
                              lambda i=inst: store.history(i.id))
            now = clock.now()
            t2 = pc()
            step = decide(ctx, inst, trigger, ACTOR, data, now, key=None)
            t3 = pc()
            sealed = seal(step)
            t4 = pc()
            commit(store, sealed)
            t5 = pc()
            acc[0] += t1 - t0
            acc[1] += t2 - t1
            acc[2] += t3 - t2
            acc[3] += t4 - t3
            acc[4] += t5 - t4
        out.append(pc() - r0)
    for name, s in zip(PHASES, acc, strict=True):
        spent[name] = spent.get(name, 0.0) + s
    return out[0], out[1]


def phase_split(eng: Engine, ids: list[str], rounds: int) -> dict[str, Any]:
    """Interleave ``Engine.fire`` rounds with inlined-pipeline rounds on the same instances;
    µs per fire of each phase (hold/release average) and of the whole fire both ways."""
    spent: dict[str, float] = {}
    fires = 2 * len(ids)
    fire_us, pipe_us = [], []
    fire_round(eng, ids)
    pipeline_round(eng, ids, {})
    for _ in range(rounds):
        gc.collect()
        th, tr = fire_round(eng, ids)
        fire_us.append((th + tr) / fires * 1e6)
        gc.collect()
        th, tr = pipeline_round(eng, ids, spent)
        pipe_us.append((th + tr) / fires * 1e6)
    return {"phases_us": {k: v / (fires * rounds) * 1e6 for k, v in spent.items()},
            "engine_fire_us": fire_us, "pipeline_us": pipe_us}


def micro_parts(eng: Engine, n: int) -> tuple[list[tuple[str, float, str]], dict[str, float]]:
    """Each part of a guarded ``hold`` fire timed on its own (GC paused, like timeit), called
    the way ``step.decide`` / ``seal`` / ``commit`` call it. Returns (part, µs, note) rows and
    the directly measured totals."""
    import dataclasses

    from partyflow.workflows import authority
    from partyflow.workflows.audit import record_hash
    from partyflow.workflows.conditions import bind_names, evaluate
    from partyflow.workflows.inputs import accepting, check_orgs, coerce
    from partyflow.workflows.records import AuditRecord, Instance
    from partyflow.workflows.step import Sealed, StepContext, commit, decide, seal

    store, versions, orgs = eng.store, eng.versions, eng.hierarchy
    inst = store.get(eng.start(PROCEDURE, START_DATA, ACTOR).id)
    machine = versions.machine(inst)
    proc = machine.definition
    rules = versions.of(inst)
    now = eng.clock.now()
    ctx = StepContext(rules, machine, orgs, lambda: store.history(inst.id))
    hold = machine.candidates("hold", "open")[0]
    release = machine.candidates("release", "held")[0]
    event = coerce(proc, HOLD_DATA, dict)
    merged = {**inst.data, **event}
    cond = hold.conditions[0]
    names, _missing = bind_names(proc, hold, cond, merged, event, ACTOR, now, inst)
    where: dict[str, Any] = {}
    step = decide(ctx, inst, "hold", ACTOR, HOLD_DATA, now)
    sealed = seal(step)
    rec = sealed.record
    fields = {f.name: getattr(rec, f.name) for f in dataclasses.fields(rec) if f.name != "hash"}
    fields["data"] = rec.data
    held_inst = dataclasses.replace(sealed.instance)
    rec_values = [getattr(rec, f.name) for f in dataclasses.fields(rec)]
    inst_values = [getattr(held_inst, f.name) for f in dataclasses.fields(held_inst)]

    # commits need the next version each time: a chain of sealed steps on a fresh instance
    cstore = type(store)() if type(store).__name__ == "MemoryStore" else None
    commit_calls = max(1, n // 5)
    chain: list[Sealed] = []
    if cstore is not None:
        cstore.create(dataclasses.replace(held_inst, version=1), rec)
        chain = [Sealed(dataclasses.replace(held_inst, version=v),
                        dataclasses.replace(rec, seq=v), v - 1)
                 for v in range(2, 2 + commit_calls * 7)]
    it = iter(chain)

    def admit_true(t: Any) -> bool:
        return True

    parts: list[tuple[str, Callable[[], Any], str, int]] = [
        ("store.get", lambda: store.get(inst.id), "", n),
        ("clock.now (FakeClock)", eng.clock.now, "", n),
        ("versions.of + versions.machine + StepContext",
         lambda: StepContext(versions.of(inst), versions.machine(inst), orgs,
                             lambda: store.history(inst.id)), "", n),
        ("machine.candidates + role filter",
         lambda: tuple(t for t in machine.candidates("hold", "open") if ACTOR.role in t.roles),
         "", n),
        ("authority.authority_refusal",
         lambda: authority.authority_refusal(rules, proc, inst.data, ACTOR, "hold", orgs,
                                             where), "no authority entry for the role", n),
        ("inputs.accepting (event fields)",
         lambda: accepting(proc, (hold,), HOLD_DATA, "hold", dict), "guarded fire only", n),
        ("inputs.coerce (event data)", lambda: coerce(proc, HOLD_DATA, dict),
         "guarded fire only", n),
        ("inputs.check_orgs", lambda: check_orgs(proc, event, orgs, dict), "guarded fire only",
         n),
        ("  conditions.bind_names (CEL activation)",
         lambda: bind_names(proc, hold, cond, merged, event, ACTOR, now, inst),
         "part of evaluate", n),
        ("  CEL Program.execute (exceeds(...))", lambda: cond.expression.evaluate(names),
         "part of evaluate", n),
        ("conditions.evaluate (the guard's work)",
         lambda: evaluate(proc, hold, merged, event, ACTOR, now, inst), "guarded fire only", n),
        ("ProcedureMachine.run (transitions, admit=True)",
         lambda: machine.run("open", "hold", admit_true),
         "transitions' event processing on the scratch model", n),
        ("proc.deadline_for", lambda: proc.deadline_for("held", merged), "", n),
        ("audit.record_hash (canonical JSON + SHA-256)", lambda: record_hash(**fields), "", n),
        ("AuditRecord + Instance constructors (seal minus hash)",
         lambda: (AuditRecord(*rec_values), Instance(*inst_values)), "", n),
    ]
    # what-ifs: the same work done differently (for the report's recommendations)
    import collections

    from partyflow.workflows.step import Step

    step_values = [getattr(step, f.name) for f in dataclasses.fields(step)]
    events = machine._machine.events  # transitions' own compiled transitions per source


    rec_nt = collections.namedtuple(  # type: ignore[misc]
        "rec_nt", [f.name for f in dataclasses.fields(rec)])
    inst_nt = collections.namedtuple(  # type: ignore[misc]
        "inst_nt", [f.name for f in dataclasses.fields(held_inst)])
    utc = dt.UTC
    parts += [
        ("Step constructor (frozen slots dataclass, 20 fields)", lambda: Step(*step_values),
         "part of decide", n),
        ("what-if: admit=True called on transitions' list for (trigger, state)",
         lambda: next((tr.definition for tr in events["hold"].transitions["open"]
                       if admit_true(tr.definition)), None),
         "no Event.trigger; compare with ProcedureMachine.run", n),
        ("what-if: AuditRecord + Instance fields as namedtuples",
         lambda: (rec_nt(*rec_values), inst_nt(*inst_values)), "compare with the constructors",
         n),
        ("SqlStore SQLite time text: astimezone + strftime (x2 per fire)",
         lambda: now.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "per value", n),
        ("what-if: astimezone + isoformat()[:26] + 'Z' (same text)",
         lambda: now.astimezone(utc).isoformat(timespec="microseconds")[:26] + "Z", "per value",
         n),
    ]
    assert (now.astimezone(utc).isoformat(timespec="microseconds")[:26] + "Z"
            == now.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    parts += [
        ("decide (hold, guarded)", lambda: decide(ctx, inst, "hold", ACTOR, HOLD_DATA, now), "",
         n),
        ("decide (release, unguarded)",
         lambda: decide(ctx, held_inst, "release", ACTOR, {}, now), "", n),
        ("seal (hold)", lambda: seal(step), "", n),
    ]
    if cstore is not None:
        parts.append(("store.commit (MemoryStore)", lambda: commit(cstore, next(it)), "",
                      commit_calls))
    # every part once per round, rounds taking turns, so load drift hits all parts alike
    runs: dict[str, list[float]] = {}
    notes: dict[str, str] = {}
    live = []
    for name, fn, note, calls in parts:
        try:
            fn()
            live.append((name, fn, calls))
            runs[name], notes[name] = [], note
        except Exception as exc:  # an internal moved: say so, keep going
            runs[name], notes[name] = [], f"skipped: {type(exc).__name__}: {exc}"[:90]
    for _ in range(7):
        for name, fn, calls in live:
            runs[name].append(per_call_us(fn, calls // 5, 1))
    rows = [(name, statistics.median(v) if v else float("nan"), notes[name])
            for name, v in runs.items()]
    totals = {k: v for k, v, _ in rows if k in WHOLE}
    rows = [r for r in rows if r[0] not in WHOLE]
    del release
    return rows, totals


def bench_breakdown(rep: Report, sz: Sizes, db_dir: Path | None = None) -> None:
    """Where the time of one fire goes: (a) the pipeline's phases timed inside a real fire
    loop, interleaved with ``Engine.fire`` rounds, in memory and on a SQLite file; (b) each
    part of a guarded in-memory fire timed on its own."""
    sec = "5 fire breakdown"
    n = sz.breakdown_n
    split_n = min(sz.fire_instances, 1000)
    eng = new_engine()
    ids = start_many(eng, split_n)
    mem = phase_split(eng, ids, max(3, sz.fire_repeats))
    _add_split(rep, sec, "memory", mem)
    own_tmp = db_dir is None
    tmp = Path(tempfile.mkdtemp(prefix="pfbreak_")) if db_dir is None else db_dir
    try:
        path = tmp / "breakdown.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        seng = new_engine(f"sqlite:///{path}")
        try:
            sids = start_many(seng, sz.sql_instances)
            sql = phase_split(seng, sids, max(3, sz.sql_repeats_normal))
        finally:
            seng.store.close()
        _add_split(rep, sec, "SQLite WAL NORMAL", sql)
    finally:
        if own_tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    rows, totals = micro_parts(new_engine(), n)
    hold_fire = statistics.median(mem["engine_fire_us"])
    for name, us, note in rows:
        rep.add(sec, f"memory hold part: {name}", us, "µs", note=note)
    for name, us in totals.items():
        rep.add(sec, f"memory, measured whole: {name}", us, "µs",
                note=f"hold/release Engine.fire average {hold_fire:.1f} µs")
    rep.details["breakdown"] = {"memory_split": mem, "sqlite_split": sql,
                                "memory_parts_us": {r[0]: r[1] for r in rows},
                                "memory_totals_us": totals}


def _add_split(rep: Report, sec: str, where: str, res: dict[str, Any]) -> None:
    fire = statistics.median(res["engine_fire_us"])
    pipe = statistics.median(res["pipeline_us"])
    for name, us in res["phases_us"].items():
        rep.add(sec, f"{where} phase: {name}", us, "µs/fire",
                note=f"{us / pipe * 100:.0f}% of the inlined fire (hold/release average)")
    rep.add(sec, f"{where}: inlined pipeline, whole fire", pipe, "µs/fire",
            spread=f"{min(res['pipeline_us']):.1f} - {max(res['pipeline_us']):.1f}")
    rep.add(sec, f"{where}: Engine.fire, same rounds interleaved", fire, "µs/fire",
            spread=f"{min(res['engine_fire_us']):.1f} - {max(res['engine_fire_us']):.1f}",
            note="the facade should cost about the same as the inlined pipeline")


def _guarded(rep: Report, sec: str, fn: Callable[[Report, Sizes], None], sz: Sizes) -> None:
    """Run a diagnostic section that calls partyflow internals; if they moved, say so."""
    try:
        fn(rep, sz)
    except Exception as exc:
        rep.add(sec, "section skipped", float("nan"), "",
                note=f"internal API changed: {type(exc).__name__}: {exc}"[:120])


# --------------------------------------------------------------------------------------------
# profile mode


def profile(target: str, sz: Sizes, db_dir: Path, top: int, sort: str) -> None:
    prof = cProfile.Profile()
    if target == "memory-fire":
        eng = new_engine()
        ids = start_many(eng, sz.fire_instances)
        fire_round(eng, ids)  # warm-up
        prof.enable()
        for _ in range(3):
            fire_round(eng, ids)
        prof.disable()
        what = f"{6 * len(ids):,} in-memory fires (hold/release on {len(ids)} instances x3)"
    elif target == "sqlite-fire":
        path = db_dir / "profile.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        eng = new_engine(f"sqlite:///{path}")
        ids = start_many(eng, sz.sql_instances)
        fire_round(eng, ids)
        prof.enable()
        fire_round(eng, ids)
        prof.disable()
        eng.store.close()
        what = f"{2 * len(ids):,} SQLite (WAL, NORMAL) fires"
    elif target == "create":
        _create_pf(1000)
        prof.enable()
        _create_pf(20_000)
        prof.disable()
        what = "20,000 Engine.start on MemoryStore"
    else:
        raise SystemExit(f"unknown profile target {target!r}")
    fp = source_fingerprint()
    print(f"cProfile: {what}; top {top} by {sort}; partyflow sources {fp['sha256']} "
          f"(newest file {fp['newest_mtime']}), pinned to cpu "
          f"{sorted(os.sched_getaffinity(0))}\n")
    stats = pstats.Stats(prof, stream=sys.stdout)
    # Python-level calls per profiled operation, by where the function lives
    groups: dict[str, int] = {}
    for (filename, _line, _name), (_cc, ncalls, *_rest) in stats.stats.items():  # type: ignore[attr-defined]
        if "/transitions/" in filename:
            g = "transitions"
        elif "/logging/" in filename:
            g = "logging"
        elif "/partyflow/" in filename:
            g = "partyflow"
        elif filename == "~":
            g = "builtins (C)"
        else:
            g = "other Python"
        groups[g] = groups.get(g, 0) + ncalls
    ops = {"memory-fire": 6 * sz.fire_instances, "sqlite-fire": 2 * sz.sql_instances,
           "create": 20_000}[target]
    print("calls per operation: " + ", ".join(
        f"{g} {c / ops:.1f}" for g, c in sorted(groups.items(), key=lambda kv: -kv[1])))
    stats.strip_dirs().sort_stats(sort).print_stats(top)


# --------------------------------------------------------------------------------------------
# output


def print_report(rep: Report) -> None:
    try:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table
    except ImportError:  # pragma: no cover
        Console = None  # type: ignore[assignment]
    m = rep.machine
    head = (f"partyflow bench ({rep.mode}) - {m['cpu_model']}, nproc={m['nproc']}, "
            f"pinned to cpu {m['pinned_cpu']}, Python {m['python']}, SQLite {m['sqlite']}, "
            f"load avg at start {m['loadavg_start'][0]:.2f}")

    def val(r: Row) -> str:
        if r.unit in ("fires/s", "txn/s"):
            return fmt_rate(r.value)
        if r.unit == "B":
            return f"{r.value:,.0f}"
        return f"{r.value:,.2f}"

    def met(r: Row) -> str:
        return "" if r.met is None else ("met" if r.met else "NOT MET")

    if Console is None:
        print(head)
        for r in rep.rows:
            print(f"{r.section:18} {r.name:62} {val(r):>12} {r.unit:8} {r.target:12} "
                  f"{met(r):8} {r.spread:20} {r.note}")
        return
    console = Console(width=200)
    table = Table(title=head, show_lines=False)
    for col, kw in (("section", {}), ("measurement", {}), ("value", {"justify": "right"}),
                    ("unit", {}), ("target", {}), ("met?", {}), ("min - max", {}),
                    ("note", {"overflow": "fold"})):
        table.add_column(col, **kw)
    last = None
    for r in rep.rows:
        if last is not None and r.section != last:
            table.add_section()
        last = r.section
        flag = met(r)
        style = "green" if flag == "met" else ("bold red" if flag else "")
        table.add_row(r.section, escape(r.name), val(r), r.unit, r.target,
                      f"[{style}]{flag}[/]" if flag else "", r.spread, escape(r.note))
    console.print(table)
    top = rep.details.get("create_memory_top")
    if top:
        t2 = Table(title="where a created instance's bytes go (tracemalloc, per instance)")
        t2.add_column("allocated at")
        t2.add_column("bytes", justify="right")
        t2.add_column("allocations", justify="right")
        for e in top:
            t2.add_row(e["where"], f"{e['bytes_per_instance']:,.1f}",
                       f"{e['allocs_per_instance']:.2f}")
        console.print(t2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller counts (< 30 s)")
    ap.add_argument("--json", metavar="OUT", help="write the figures to this JSON file")
    ap.add_argument("--profile", metavar="TARGET",
                    help="cProfile one loop instead: memory-fire, sqlite-fire or create")
    ap.add_argument("--top", type=int, default=25, help="rows in --profile output")
    ap.add_argument("--sort", default="cumulative",
                    help="pstats sort key for --profile (cumulative, tottime, ...)")
    ap.add_argument("--cpu", type=int, default=None,
                    help="core to pin to (default: the least busy one)")
    ap.add_argument("--db-dir", default=None,
                    help="directory for the SQLite files (default: a fresh temp directory)")
    ap.add_argument("--only", default=None,
                    help="comma list of sections to run: fire,sqlite,create,load,breakdown")
    args = ap.parse_args()

    cpu = pin(args.cpu)
    sz = QUICK if args.quick else FULL
    tmp = Path(args.db_dir) if args.db_dir else Path(tempfile.mkdtemp(prefix="pfbench_"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        if args.profile:
            profile(args.profile, sz, tmp, args.top, args.sort)
            return
        rep = Report("quick" if args.quick else "full", machine_info(cpu), asdict(sz))
        rep.params["db_dir"] = str(tmp)
        only = set(args.only.split(",")) if args.only else None
        t0 = time.perf_counter()
        sections: list[tuple[str, Callable[[], None]]] = [
            ("fire", lambda: bench_memory_fire(rep, sz)),
            ("sqlite", lambda: bench_sqlite(rep, sz, tmp)),
            ("create", lambda: bench_create(rep, sz)),
            ("load", lambda: bench_load(rep, sz)),
            ("breakdown", lambda: _guarded(rep, "5 fire breakdown",
                                         lambda r, z: bench_breakdown(r, z, tmp), sz)),
        ]
        for name, fn in sections:
            if only is None or name in only:
                s0 = time.perf_counter()
                fn()
                print(f"[{name} done in {time.perf_counter() - s0:.1f} s]", file=sys.stderr)
        rep.machine["loadavg_end"] = list(os.getloadavg())
        rep.details["wall_seconds"] = time.perf_counter() - t0
        print_report(rep)
        print(f"wall time {rep.details['wall_seconds']:.1f} s; load avg at end "
              f"{rep.machine['loadavg_end'][0]:.2f}")
        if args.json:
            Path(args.json).write_text(json.dumps(asdict(rep), indent=2, ensure_ascii=False,
                                                  default=str))
            print(f"wrote {args.json}")
    finally:
        if not args.db_dir:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
