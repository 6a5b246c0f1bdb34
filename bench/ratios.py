#!/usr/bin/env python
"""partyflow's hot path against its baselines, in one run (issue item 8): three ratios.

Run from the repository root (about 2-3 minutes):

    python bench/ratios.py --postgres-url postgresql+psycopg://user:pw@host:port/db
    python bench/ratios.py --skip-postgres          # memory and SQLite only
    python bench/ratios.py --json bench/ratios.json # also write every figure as JSON

Each ratio is partyflow's rate over a baseline's rate, the two measured in alternating rounds
in the same run (so drift in the machine's load hits both alike); reported as the median of
the per-round ratios with their min-max:

1. memory: ``Engine.fire`` on ``MemoryStore`` of ``hold`` (guarded by a CEL condition) then
   ``release``, every fire audited, against raw ``transitions``: a ``Machine`` per object (as
   ``bench/run.py`` does), the same two triggers, unguarded, no audit, no store. Target
   >= 0.5.
2. SQLite file, WAL, synchronous=NORMAL: committed ``Engine.fire`` against the stdlib
   ``sqlite3`` module running the same statements ``SqlStore`` runs for a fire, on the same
   file (so the same schema, pragmas and WAL checkpointer): the instance SELECT (+ commit), the
   idempotency-key SELECT when ``--key`` is given, the versioned UPDATE and the audit INSERT,
   commit. The statements are printed, with a trace of one fire each way. Target >= 0.8.
3. PostgreSQL, 4 worker processes: committed fires/s against raw psycopg sending the same
   round trips per fire (``SqlStore``'s instance SELECT and its one-statement
   UPDATE + audit INSERT, autocommit) from the same 4 processes: each worker alternates
   partyflow and raw phases in step with the others. Target >= 0.8.

Then, unless ``--no-breakdown``, where the time of a fire goes (``bench/run.py``'s breakdown
section: the pipeline's phases in memory and on SQLite, and each part of a guarded fire).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import run as base  # noqa: E402
import workers  # noqa: E402

from partyflow import Engine  # noqa: E402

TARGETS = {"memory": 0.5, "sqlite": 0.8, "postgresql": 0.8}


def _la() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _summary(ratios: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios),
            "rounds": ratios}


def alternating(variants: dict[str, Any], ids: dict[str, list[Any]], chunk: int,
                rounds: int) -> dict[str, list[float]]:
    """Rates (fires/s) per round of each variant, taking turns chunk by chunk.

    ``variants[name](part)`` fires ``hold`` then ``release`` on each id of ``part`` and
    returns the seconds it took. A round runs every variant over all its ids, ``chunk`` ids
    at a time, alternating variants after each chunk (and which goes first from round to
    round), so a burst of load on this shared machine hits all of them alike. One warm-up
    round is not counted; the cyclic GC is collected before each round and left on.
    """
    names = list(variants)
    out: dict[str, list[float]] = {k: [] for k in names}
    for r in range(rounds + 1):
        gc.collect()
        spent = dict.fromkeys(names, 0.0)
        fired = dict.fromkeys(names, 0)
        order = names if r % 2 == 0 else names[::-1]
        longest = max(len(v) for v in ids.values())
        for start in range(0, longest, chunk):
            for name in order:
                part = ids[name][start:start + chunk]
                if part:
                    spent[name] += variants[name](part)
                    fired[name] += 2 * len(part)
        if r:
            for name in names:
                out[name].append(fired[name] / spent[name])
    return out



def _per_fire(res: dict[str, list[float]], spent: dict[str, float], fires: int
              ) -> dict[str, float]:
    """µs per fire: each variant's median over the rounds, and the inlined pipeline's phases
    (averaged over all its fires, warm-up round included)."""
    out = {f"{name} (median)": 1e6 / statistics.median(rates) for name, rates in res.items()}
    out.update({f"pipeline phase: {k}": v / fires * 1e6 for k, v in spent.items()})
    return out

# --------------------------------------------------------------------------------------------
# 1. memory


def memory_ratio(n: int, rounds: int, chunk: int) -> dict[str, Any]:
    la0 = _la()
    eng = base.new_engine()
    ids = base.start_many(eng, n)
    objs = [base.raw_machine() for _ in range(n)]  # one transitions.Machine per object
    fire, actor, data = eng.fire, base.ACTOR, base.HOLD_DATA
    pc = time.perf_counter

    def pf(part: list[str]) -> float:
        t0 = pc()
        for iid in part:
            fire(iid, "hold", actor, data)
        for iid in part:
            fire(iid, "release", actor)
        return pc() - t0

    def raw(part: list[Any]) -> float:
        t0 = pc()
        for o in part:
            o.hold()
        for o in part:
            o.release()
        return pc() - t0

    # a third variant taking turns with the two: the same fires, Engine.fire's body inlined
    # with each phase timed (bench/run.py pipeline_round), on its own instances
    pipe_ids = base.start_many(eng, n)
    spent: dict[str, float] = {}

    def pipe(part: list[str]) -> float:
        th, tr = base.pipeline_round(eng, part, spent)
        return th + tr

    res = alternating({"partyflow": pf, "raw": raw, "pipeline": pipe},
                      {"partyflow": ids, "raw": objs, "pipeline": pipe_ids}, chunk, rounds)
    pfr, rawr = res["partyflow"], res["raw"]
    return {**_summary([p / r for p, r in zip(pfr, rawr, strict=True)]),
            "partyflow_fires_per_s": pfr, "raw_fires_per_s": rawr,
            "per_fire_us": _per_fire(res, spent, 2 * n * (rounds + 1)),
            "loadavg_before": la0, "loadavg_after": _la(),
            "what": f"{n} instances / objects, hold then release on each, {rounds} rounds "
                    f"(+1 warm-up) alternating partyflow and raw every {chunk} ids; cyclic "
                    "GC on for both; raw = a transitions.Machine per object "
                    "(bench/run.py raw_machine: auto transitions, no guard, no audit)"}


# --------------------------------------------------------------------------------------------
# 2. SQLite


_TS = "%Y-%m-%dT%H:%M:%S.%fZ"  # how SqlStore writes times on SQLite


def sqlite_ratio(tmp: Path, n: int, rounds: int, chunk: int, use_key: bool
                 ) -> dict[str, Any]:
    la0 = _la()
    path = tmp / "ratio.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    eng = base.new_engine(f"sqlite:///{path}")
    try:
        return _sqlite_ratio(eng, path, n, rounds, chunk, use_key, la0)
    finally:
        eng.store.close()


def _sqlite_ratio(eng: Engine, path: Path, n: int, rounds: int, chunk: int,
                  use_key: bool, la0: list[float]) -> dict[str, Any]:
    store: Any = eng.store
    pf_ids = base.start_many(eng, n)
    raw_ids = base.start_many(eng, n)  # real partyflow rows, written by the baseline
    sql = {k: store._sql[k] for k in ("get_head", "find_step", "update", "insert_audit")}
    for q in sql.values():
        assert q.names is not None and not q.defaults, "SQLite statements are positional"

    counter = [0]

    def key() -> str | None:
        if not use_key:
            return None
        counter[0] += 1
        return f"k{counter[0]}"

    fire = eng.fire
    actor, hold_data = base.ACTOR, base.HOLD_DATA

    def pf_part(part: list[str]) -> float:
        t0 = time.perf_counter()
        for iid in part:
            fire(iid, "hold", actor, hold_data, idempotency_key=key())
        for iid in part:
            fire(iid, "release", actor, idempotency_key=key())
        return time.perf_counter() - t0

    # the baseline: a second connection on the same file, the store's pragmas
    con = sqlite3.connect(str(path), timeout=30)
    con.execute("PRAGMA journal_mode=WAL").fetchall()
    con.execute("PRAGMA wal_autocheckpoint=10000").fetchall()
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA busy_timeout=30000").fetchall()
    at = eng.clock.now().astimezone(dt.UTC).strftime(_TS)
    h = "ab" * 32
    inst_data = '{"expected":40,"present":33}'
    values = {
        "data": inst_data, "rules_version": eng.rules.version,
        "rules_hash": eng.rules.content_hash, "updated_at": at, "deadline_at": None,
        "terminal": False, "last_hash": h, "org": None, "escalation": 0,
        "escalated_to": None, "overdue_since": None, "deadline_estimated": False,
        "remind_at": None, "last_step_at": at, "at": at, "actor_id": actor.id,
        "actor_role": actor.role, "actor_org": actor.org, "idempotency_key": None,
        "prev_hash": h, "hash": h, "state_hash": h,
    }
    up_names, ins_names = sql["update"].names, sql["insert_audit"].names
    assert up_names is not None and ins_names is not None
    templates = {}
    for trig, frm, to, ev, basis in (("hold", "open", "held", '{"present":33}', "E2"),
                                     ("release", "held", "open", "{}", None)):
        v = {**values, "state": to, "trigger": trig, "from_state": frm, "to_state": to,
             "data_audit": ev, "basis": basis}
        upd = [v.get(k) for k in up_names]
        ins = [v["data_audit"] if k == "data" else v.get(k) for k in ins_names]
        templates[trig] = (upd, ins)
    ui = {k: up_names.index(k) for k in ("version", "b_id", "b_expected")}
    ii = {k: ins_names.index(k) for k in ("instance_id", "seq", "idempotency_key")}
    get_sql, find_sql = sql["get_head"].text, sql["find_step"].text
    upd_sql, ins_sql = sql["update"].text, sql["insert_audit"].text
    version = dict.fromkeys(raw_ids, 1)

    raw_spent = {"raw read (get SELECT + commit)": 0.0,
                 "raw write (UPDATE + INSERT + commit)": 0.0}
    pc = time.perf_counter

    def raw_fire(iid: str, trig: str) -> None:
        k = key()
        t0 = pc()
        con.execute(get_sql, (iid,)).fetchone()
        con.commit()
        if k is not None:
            con.execute(find_sql, (iid, k)).fetchone()
            con.commit()
        t1 = pc()
        v = version[iid]
        upd_t, ins_t = templates[trig]
        upd = upd_t.copy()
        upd[ui["version"]], upd[ui["b_id"]], upd[ui["b_expected"]] = v + 1, iid, v
        ins = ins_t.copy()
        ins[ii["instance_id"]], ins[ii["seq"]], ins[ii["idempotency_key"]] = iid, v + 1, k
        if con.execute(upd_sql, upd).rowcount != 1:
            raise RuntimeError(f"{iid}: conflict at version {v}")
        con.execute(ins_sql, ins)
        con.commit()
        raw_spent["raw read (get SELECT + commit)"] += t1 - t0
        raw_spent["raw write (UPDATE + INSERT + commit)"] += pc() - t1
        version[iid] = v + 1

    def raw_part(part: list[str]) -> float:
        t0 = time.perf_counter()
        for iid in part:
            raw_fire(iid, "hold")
        for iid in part:
            raw_fire(iid, "release")
        return time.perf_counter() - t0

    # one traced fire pair each way: the statements the driver saw
    dbapi = store._local.dbapi
    trace_pf: list[str] = []
    trace_raw: list[str] = []
    extra = base.start_many(eng, 1)[0]
    dbapi.set_trace_callback(trace_pf.append)
    fire(extra, "hold", actor, hold_data, idempotency_key=key())
    dbapi.set_trace_callback(None)
    extra_raw = base.start_many(eng, 1)[0]
    version[extra_raw] = 1
    con.set_trace_callback(trace_raw.append)
    raw_fire(extra_raw, "hold")
    con.set_trace_callback(None)
    shape_pf = [s.split()[0].upper() for s in trace_pf]
    shape_raw = [s.split()[0].upper() for s in trace_raw]

    try:
        spent: dict[str, float] = {}

        def pipe_part(part: list[str]) -> float:
            th, tr = base.pipeline_round(eng, part, spent)
            return th + tr

        if use_key:  # the inlined pipeline fires without keys: leave it out
            variants: dict[str, Any] = {"partyflow": pf_part, "raw": raw_part}
        else:
            variants = {"partyflow": pf_part, "raw": raw_part, "pipeline": pipe_part}
        pipe_ids = base.start_many(eng, n)
        res = alternating(variants, {"partyflow": pf_ids, "raw": raw_ids, "pipeline": pipe_ids},
                          chunk, rounds)
    finally:
        con.close()
    pf, raw = res["partyflow"], res["raw"]
    per_fire = _per_fire(res, {**spent, **raw_spent}, 2 * n * (rounds + 1))
    return {**_summary([p / r for p, r in zip(pf, raw, strict=True)]),
            "partyflow_fires_per_s": pf, "raw_fires_per_s": raw, "per_fire_us": per_fire,
            "loadavg_before": la0, "loadavg_after": _la(),
            "statements": {k: q.text for k, q in sql.items()
                           if use_key or k != "find_step"},
            "trace_partyflow": trace_pf, "trace_raw": trace_raw,
            "same_statement_sequence": shape_pf == shape_raw,
            "what": f"{n} instances each way on one file, hold then release on each, "
                    f"{rounds} rounds (+1 warm-up) alternating every {chunk} ids; "
                    f"idempotency key: {use_key}; "
                    "raw = stdlib sqlite3, SqlStore's compiled SQL, pre-converted parameters"}


# --------------------------------------------------------------------------------------------
# 3. PostgreSQL


def pg_ratio(url: str, tmp: Path, n_workers: int, pairs: int, phase_s: float,
             per_worker: int) -> dict[str, Any]:
    la0 = _la()
    res = workers.run_alternating(url, tmp, n_workers, pairs, phase_s, per_worker)
    pf, raw = res["rates"]["partyflow"], res["rates"]["raw"]
    if res["errors"] or not pf:
        raise SystemExit(f"PostgreSQL part failed: {res['errors']}")
    return {**_summary([p / q for p, q in zip(pf, raw, strict=True)]),
            "partyflow_fires_per_s": pf, "raw_fires_per_s": raw,
            "client_cpu_us_per_fire": res["client_cpu_us_per_fire"],
            "machine_cpu_busy": res["machine_cpu_busy"], "errors": res["errors"],
            "loadavg_before": la0, "loadavg_after": _la(), "statements": res["statements"],
            "settings": workers.pg_settings(url),
            "what": f"{n_workers} processes, each alternating {phase_s:g} s of Engine.fire on "
                    f"its own {per_worker} instances and {phase_s:g} s of raw psycopg on "
                    f"another {per_worker}, all workers in step (a barrier before each "
                    f"phase), {pairs} pairs swapping the order; one fresh schema; raw = "
                    "psycopg, SqlStore's compiled SQL, autocommit, same prepare_threshold"}


# --------------------------------------------------------------------------------------------
# output


def _fmt_rates(values: list[float]) -> str:
    return ", ".join(f"{v:,.0f}" for v in values)


def print_ratios(out: dict[str, Any]) -> None:
    print(f"\npartyflow hot path against its baselines - {out['machine']['cpu_model']}, "
          f"nproc={out['machine']['nproc']}, Python {out['machine']['python']}, "
          f"SQLite {out['machine']['sqlite']}, transitions {out['machine']['transitions']}")
    print(f"load average at start {out['loadavg_start']}, at end {out['loadavg_end']}; "
          f"wall time {out['wall_seconds']:.0f} s\n")
    labels = {"memory": "guarded, audited Engine.fire (MemoryStore) / raw transitions fire",
              "sqlite": "committed Engine.fire, SQLite WAL NORMAL / bare sqlite3, same SQL",
              "postgresql": "committed fires/s, PostgreSQL, 4 workers / raw psycopg, same "
                            "round trips"}
    print(f"{'ratio':78} {'median':>7} {'min - max':>13} {'target':>7}  met?")
    for name, label in labels.items():
        r = out["ratios"].get(name)
        if r is None:
            print(f"{label:78} {'skipped':>7}")
            continue
        met = "met" if r["median"] >= TARGETS[name] else "NOT MET"
        print(f"{label:78} {r['median']:7.2f} {r['min']:6.2f} - {r['max']:4.2f} "
              f"{'>= ' + str(TARGETS[name]):>7}  {met}")
    for name, r in out["ratios"].items():
        print(f"\n{name}: {r['what']}")
        print(f"  partyflow fires/s per round: {_fmt_rates(r['partyflow_fires_per_s'])}")
        print(f"  baseline  fires/s per round: {_fmt_rates(r['raw_fires_per_s'])}")
        print(f"  ratio per round: {', '.join(f'{x:.2f}' for x in r['rounds'])}; "
              f"load {r['loadavg_before']} -> {r['loadavg_after']}")
        if "per_fire_us" in r:
            print("  µs per fire, measured in the same alternating rounds:")
            for k, v in r["per_fire_us"].items():
                print(f"    {k:60} {v:8.1f}")
        if name == "sqlite":
            print("  statements replayed by the baseline (SqlStore's compiled SQL), per fire:")
            for key, text in r["statements"].items():
                print(f"    {key}: {' '.join(text.split())}")
            print("  driver trace of one partyflow fire (hold):")
            for line in r["trace_partyflow"]:
                print(f"    {' '.join(line.split())[:150]}")
            print("  driver trace of one baseline fire (hold):")
            for line in r["trace_raw"]:
                print(f"    {' '.join(line.split())[:150]}")
            print(f"  same statement sequence: {r['same_statement_sequence']}")
        if name == "postgresql":
            print("  round trips per fire, both sides (SqlStore's compiled SQL):")
            for key in ("get", "step"):
                print(f"    {key}: {' '.join(r['statements'][key].split())[:200]} ...")
            print(f"  prepare_threshold {r['statements']['prepare_threshold']}; server "
                  f"{r['settings']}")
            for side, vals in r["client_cpu_us_per_fire"].items():
                print(f"  {side} client CPU per fire (µs, all workers, per phase): "
                      + ", ".join(f"{v:.0f}" for v in vals))
            print(f"  machine CPU busy over the whole part: {r['machine_cpu_busy']:.0%}")
            if r["errors"]:
                print(f"  ERRORS: {r['errors']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--postgres-url", default=os.environ.get("PARTYFLOW_BENCH_POSTGRES_URL"),
                    help="postgresql+psycopg://user:pw@host:port/db (default: "
                         "$PARTYFLOW_BENCH_POSTGRES_URL); each run gets its own schema, "
                         "dropped afterwards")
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--only", default="memory,sqlite,postgresql",
                    help="comma list of the ratios to measure")
    ap.add_argument("--rounds", type=int, default=9, help="memory and SQLite rounds")
    ap.add_argument("--memory-instances", type=int, default=2000)
    ap.add_argument("--sqlite-instances", type=int, default=500)
    ap.add_argument("--chunk", type=int, default=100,
                    help="ids fired before switching to the other variant (memory, SQLite)")
    ap.add_argument("--key", action="store_true",
                    help="fire with idempotency keys on SQLite (adds find_step both sides)")
    ap.add_argument("--pg-pairs", type=int, default=10,
                    help="PostgreSQL: partyflow / raw phase pairs")
    ap.add_argument("--pg-workers", type=int, default=4)
    ap.add_argument("--pg-seconds", type=float, default=2.0, help="PostgreSQL: seconds per phase")
    ap.add_argument("--pg-instances-per-worker", type=int, default=100)
    ap.add_argument("--no-breakdown", action="store_true")
    ap.add_argument("--json", metavar="OUT", help="write every figure to this JSON file")
    ap.add_argument("--cpu", type=int, default=None,
                    help="core for the memory and SQLite parts (default: the least busy)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    if args.skip_postgres:
        only.discard("postgresql")
    if "postgresql" in only and not args.postgres_url:
        ap.error("PostgreSQL needs --postgres-url or $PARTYFLOW_BENCH_POSTGRES_URL "
                 "(or --skip-postgres)")

    t0 = time.perf_counter()
    allowed = os.sched_getaffinity(0)
    cpu = base.pin(args.cpu)
    machine = base.machine_info(cpu)
    out: dict[str, Any] = {"machine": machine, "loadavg_start": _la(), "params": {
        k: v for k, v in vars(args).items() if k != "postgres_url"}, "ratios": {}}
    tmp = Path(tempfile.mkdtemp(prefix="pfratios_"))
    try:
        if "memory" in only:
            print("[memory ...]", file=sys.stderr)
            out["ratios"]["memory"] = memory_ratio(args.memory_instances, args.rounds,
                                                   args.chunk)
        if "sqlite" in only:
            print("[sqlite ...]", file=sys.stderr)
            out["ratios"]["sqlite"] = sqlite_ratio(tmp, args.sqlite_instances, args.rounds,
                                                   args.chunk, args.key)
        if "postgresql" in only:
            os.sched_setaffinity(0, allowed)  # the workers must not inherit the pin
            print("[postgresql ...]", file=sys.stderr)
            out["ratios"]["postgresql"] = pg_ratio(
                args.postgres_url, tmp, args.pg_workers, args.pg_pairs, args.pg_seconds,
                args.pg_instances_per_worker)
        rep = None
        if not args.no_breakdown:
            base.pin(cpu)
            print("[breakdown ...]", file=sys.stderr)
            rep = base.Report("ratios", machine, {})
            base.bench_breakdown(rep, base.FULL, tmp)
            out["breakdown"] = rep.details.get("breakdown")
        out["loadavg_end"] = _la()
        out["wall_seconds"] = time.perf_counter() - t0
        print_ratios(out)
        if rep is not None:
            print()
            base.print_report(rep)
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=2, ensure_ascii=False,
                                                  default=str))
            print(f"wrote {args.json}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
