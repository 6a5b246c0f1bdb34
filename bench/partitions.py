#!/usr/bin/env python
"""partyflow benchmark: several PostgreSQL databases standing for partitions (docs/scaling.md).

Run from the repository root:

    python bench/partitions.py \\
        --postgres-url-template 'postgresql+psycopg://partyflow:pw@127.0.0.1:55432/pf_part{n}' \\
        --partitions 1,2,4 --workers 4 --seconds 10 --json out.json

Each partition is its own database (``{n}`` = 1, 2, …), holding its own full partyflow
store in a fresh schema (dropped afterwards). Two phases:

**Throughput.** The worker processes of ``bench/workers.py`` (imported, not copied:
``worker_main`` fires ``hold``/``release`` of ``bench_loop`` on its own instances, each fire a
committed, hash-chained step) run against the partitions behind one barrier:

- ``single``: one partition, ``--workers`` W workers (the baseline);
- ``each``: P partitions, W workers on each, all at the same time (P x W processes);
- ``shared``: P partitions sharing W workers in total (W // P or W // P + 1 on each);
- ``declarative``: W workers on each of P partitions that are not databases but the range
  partitions of one database's ``pf_instances`` and ``pf_audit`` (by the ``p<k>-`` id prefix:
  way (a) of docs/scaling.md, made by ``range_partition``; partyflow's statements unchanged),
  with the plan of a one-instance read showing the pruning.

Reported: committed steps/s in aggregate and per partition, the ratio aggregate ÷ single, and
where the time goes: client CPU per step (``time.process_time`` of the workers), the server
CPU per step of the partitions' backends and of the server's shared processes (walwriter,
checkpointer, background writer: utime+stime from /proc/PID/stat, sampled over the middle of
the timed window; ``pg_stat_statements`` is not loaded on this server), the machine's busy
share (/proc/stat) and a 10 Hz sample of ``pg_stat_activity`` for the backends: on CPU, waiting
for the client, a lock (``Lock``: rows, tuples, transaction ids — partitions share none), or
a shared server resource (``LWLock``/``IO``: the one WAL).

**Tick and reports.** For each P, the hierarchy of ``bench/hierarchy_bench.py``'s
``generate(--scale)`` is imported into every partition (the global, replicated part), and
``--tick-instances`` branch establishments (成立党支部) are started and submitted, each routed to
the partition that owns its responsible organization's city (the lineage top; cities are
dealt to partitions by community count). Then, per partition: one ``tick`` a month later
(alone, one partition after another) and another a month after that (all partitions at the
same time, one process each) — each escalates every instance one level; the report of every
city (``report``) in every partition, summed into the global one and compared with the
1-partition layout; and the outbox (``events``) drained with a cursor per partition.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import queue
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import workers  # noqa: E402  (bench/workers.py: the worker process, scenario schemas)
from hierarchy_bench import generate  # noqa: E402

from partyflow import Actor, Engine, load_hierarchy, load_rules  # noqa: E402
from partyflow.testing import FakeClock  # noqa: E402

RULES = ROOT / "config" / "rules.yaml"
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
CLK = os.sysconf("SC_CLK_TCK")
SHARED_PROCS = ("walwriter", "checkpointer", "background writer")


# --------------------------------------------------------------------------------------------
# the router: which partition owns an organization, an instance


def deal_cities(h: Any, partitions: int) -> dict[str, int]:
    """City (the lineage top) → partition 1..P, dealt largest first to the lightest partition
    by number of communities, so partitions hold similar shares."""
    size = {city: sum(1 for o in h.subtree_ids(city) if h.org(o).level == "community")
            for city in h.roots}
    load = [0] * partitions
    owner: dict[str, int] = {}
    for city in sorted(size, key=lambda c: (-size[c], c)):
        k = load.index(min(load))
        owner[city] = k + 1
        load[k] += size[city]
    return owner


def partition_of_org(h: Any, owner: dict[str, int], org_id: str) -> int:
    """The partition of an organization: that of the top of its responsibility chain."""
    return owner[h.responsibility_chain(org_id)[-1].org_id]


def partition_of_instance(instance_id: str) -> int:
    """The partition of an instance: the ``p<N>-`` prefix its id was given at start."""
    return int(instance_id.split("-", 1)[0][1:])


# --------------------------------------------------------------------------------------------
# server-side measurements


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process so far; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK


class ServerSampler(threading.Thread):
    """Samples ``pg_stat_activity`` at 10 Hz for the partitions' backends, and the CPU of those
    backends and of the server's shared processes between the first and the last sample."""

    def __init__(self, monitor_dsn: str, dbnames: list[str], start: float, stop: float) -> None:
        super().__init__(daemon=True)
        self.dsn, self.dbnames, self.start_at, self.stop_at = monitor_dsn, dbnames, start, stop
        self.waits: Counter[str] = Counter()
        self.backend_cpu = self.shared_cpu = self.window = 0.0
        self.error = ""

    def run(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                own = conn.execute("SELECT pg_backend_pid()").fetchone()
                shared = _server_processes(_ppid(own[0] if own else 0))
                time.sleep(max(0.0, self.start_at - time.perf_counter()))
                first: dict[int, float] = {}
                last: dict[int, float] = {}
                states: dict[int, Counter[str]] = {}
                shared0 = {pid: _proc_cpu(pid) for pid in shared}
                t_first = time.perf_counter()
                while True:
                    rows = conn.execute(
                        "SELECT pid, datname, state, wait_event_type, wait_event "
                        "FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                        "AND backend_type = 'client backend'").fetchall()
                    for pid, db, state, wtype, wevent in rows:
                        if db in self.dbnames:
                            cpu = _proc_cpu(pid)
                            first.setdefault(pid, cpu)
                            last[pid] = cpu
                            states.setdefault(pid, Counter())[
                                _wait_class(state, wtype, wevent)] += 1
                    now = time.perf_counter()
                    if now >= self.stop_at:
                        break
                    time.sleep(0.1)
                self.window = now - t_first
                self.shared_cpu = sum(_proc_cpu(pid) - cpu for pid, cpu in shared0.items())
                busy = [p for p in last if last[p] > first[p]]  # not the idle admin sessions
                self.backend_cpu = sum(last[p] - first[p] for p in busy)
                for p in busy:
                    self.waits.update(states[p])
        except Exception as exc:  # a measurement, not the benchmark: say so, do not fail it
            self.error = f"{type(exc).__name__}: {exc}"[:300]


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _server_processes(postmaster: int) -> list[int]:
    """The server's shared processes (walwriter, checkpointer, background writer): children
    of ``postmaster`` by /proc (``pg_stat_activity`` hides their type from a plain role)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and _ppid(int(d.name)) == postmaster:
            with suppress(OSError):
                cmd = (d / "cmdline").read_bytes().decode(errors="replace")
                if any(cmd.startswith(f"postgres: {name}") for name in SHARED_PROCS):
                    out.append(int(d.name))
    return out


def _wait_class(state: str | None, wtype: str | None, wevent: str | None) -> str:
    if state == "active" and wtype is None:
        return "on CPU"
    if wtype == "Client" or state in ("idle", "idle in transaction"):
        return "waiting for the client"
    if wtype == "Lock":
        return f"Lock:{wevent}"
    return f"{wtype}:{wevent}"


# --------------------------------------------------------------------------------------------
# throughput


@dataclass
class Run:
    mode: str                 # single, each, shared, declarative
    round: int
    partitions: int
    workers: list[int]        # per partition
    seconds: float
    steps_per_s: float = 0.0
    per_partition: list[float] = field(default_factory=list)
    ratio: float | None = None  # aggregate / single
    conflicts: int = 0
    client_cpu_ms: float = 0.0     # per committed step
    backend_cpu_ms: float = 0.0    # the partitions' backends, per committed step
    shared_cpu_ms: float = 0.0     # walwriter, checkpointer, bgwriter, per committed step
    machine_busy: float = 0.0
    our_cores: float = 0.0         # CPU our workers and their backends got, in cores
    others_cores: float = 0.0      # CPU of every other process on the machine, in cores
    waits: dict[str, float] = field(default_factory=dict)
    loadavg: list[float] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _precreate(url: str, part: int, nworkers: int, per_worker: int) -> list[list[str]]:
    """Start the partition's instances, ids prefixed ``p<part>-`` (untimed)."""
    engine = workers._new_engine(url)
    try:
        out = []
        for me in range(nworkers):
            ids = [f"p{part}-w{me}-{k:05d}" for k in range(per_worker)]
            for iid in ids:
                engine.start(workers.PROCEDURE, workers.START_DATA, workers.ACTOR,
                             instance_id=iid)
            out.append(ids)
        return out
    finally:
        engine.store.close()


PARTITIONED = (("pf_instances", "id", "id"), ("pf_audit", "instance_id", "instance_id, seq"))
INSTANCE_INDEXES = (("deadline", "deadline_at, id"), ("remind", "remind_at, id"),
                    ("procedure_state", "procedure, state"), ("org", "org"))


def range_partition(url: str, partitions: int) -> None:
    """Way (a) of docs/scaling.md §4 on a fresh store: ``pf_instances`` and ``pf_audit`` become
    tables partitioned by range of the instance id, one partition per ``p<k>-`` prefix, with
    the same keys, indexes and outbox trigger (what a migration would do; not in partyflow)."""
    import sqlalchemy as sa

    eng = sa.create_engine(url)
    try:
        with eng.begin() as conn:
            run = conn.exec_driver_sql
            for table, key, pk in PARTITIONED:
                run(f"ALTER TABLE {table} RENAME TO {table}_plain")
                run(f"CREATE TABLE {table} (LIKE {table}_plain INCLUDING DEFAULTS, "
                    f"PRIMARY KEY ({pk})) PARTITION BY RANGE ({key})")
                for k in range(1, partitions + 1):  # '-' sorts just before '.' (C collation)
                    run(f"CREATE TABLE {table}_p{k} PARTITION OF {table} "
                        f"FOR VALUES FROM ('p{k}-') TO ('p{k}.')")
                run(f"INSERT INTO {table} SELECT * FROM {table}_plain")
                run(f"DROP TABLE {table}_plain")
            run("ALTER TABLE pf_audit ADD CONSTRAINT uq_pf_audit_idempotency "
                "UNIQUE (instance_id, idempotency_key)")
            for name, cols in INSTANCE_INDEXES:
                run(f"CREATE INDEX ix_pf_instances_{name} ON pf_instances ({cols})")
            run("CREATE TRIGGER pf_audit_event AFTER INSERT ON pf_audit "
                "FOR EACH ROW EXECUTE FUNCTION pf_audit_event()")
    finally:
        eng.dispose()


def pruning(url: str, instance_id: str) -> str:
    """How PostgreSQL runs the store's read of one instance as a generic prepared plan."""
    import sqlalchemy as sa

    eng = sa.create_engine(url)
    try:
        with eng.begin() as conn:
            conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
            conn.exec_driver_sql("PREPARE pf_get(text) AS SELECT * FROM pf_instances "
                                 "WHERE id = $1")
            lines = [r[0] for r in conn.exec_driver_sql(
                f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) EXECUTE pf_get('{instance_id}')")]
            conn.exec_driver_sql("DEALLOCATE pf_get")
        return " | ".join(line.strip() for line in lines if "Time" not in line)
    finally:
        eng.dispose()


def run_throughput(bases: list[str], monitor: str, mode: str, rnd: int, per_part: list[int],
                   seconds: float, per_worker: int, tmp: Path) -> Run:
    """One scenario: ``per_part[i]`` workers on partition i+1, all behind one barrier."""
    run = Run(mode, rnd, len(per_part), per_part, seconds)
    declarative = mode == "declarative"  # one database, its tables partitioned by id range
    n_db = 1 if declarative else len(per_part)
    with ExitStack() as stack:
        urls = [stack.enter_context(workers.scenario_db(
            "postgresql", bases[i], tmp, f"part{i + 1}_{mode}")) for i in range(n_db)]
        if declarative:
            workers._new_engine(urls[0]).close()  # the schema, then its tables partitioned
            range_partition(urls[0], len(per_part))
            urls = urls * len(per_part)
        ids = [_precreate(urls[i], i + 1, n, per_worker) for i, n in enumerate(per_part)]
        ctx = mp.get_context("spawn")
        total = sum(per_part)
        barrier = ctx.Barrier(total + 1)
        out = ctx.Queue()
        procs = [(i, ctx.Process(target=workers.worker_main,
                                 args=(urls[i], i * 1000 + me, ids[i][me], False, seconds,
                                       barrier, out), daemon=True))
                 for i, n in enumerate(per_part) for me in range(n)]
        for _, p in procs:
            p.start()
        results: list[workers.WorkerResult] = []
        try:
            with suppress(Exception):
                barrier.wait(300)
            t = time.perf_counter()
            dbnames = [b.rsplit("/", 1)[1].split("?")[0] for b in bases[:n_db]]
            sampler = ServerSampler(monitor, dbnames, t + min(1.0, seconds * 0.1),
                                    t + seconds * 0.9)
            sampler.start()
            j0 = workers._cpu_jiffies()
            for _ in procs:
                results.append(out.get(timeout=seconds + 300))
            j1 = workers._cpu_jiffies()
            run.loadavg = workers._loadavg()
            sampler.join(30)
        except queue.Empty:
            run.errors.append("a worker did not report in time")
        finally:
            for _, p in procs:
                p.join(10)
                if p.is_alive():
                    p.kill()
        run.errors += [f"worker {r.me}: {r.error}" for r in results if r.error]
        if sampler.error:
            run.errors.append(f"sampler: {sampler.error}")
        elapsed = max((r.elapsed for r in results), default=0.0) or 1.0
        committed = [sum(r.committed for r in results if r.me // 1000 == i)
                     for i in range(len(per_part))]
        run.per_partition = [c / elapsed for c in committed]
        run.steps_per_s = sum(committed) / elapsed
        run.conflicts = sum(r.conflicts + r.stale for r in results)
        run.machine_busy = (j1[0] - j0[0]) / max(1, j1[1] - j0[1])
        ours = sum(r.cpu for r in results) / elapsed  # cores used by our workers
        if sum(committed):
            run.client_cpu_ms = sum(r.cpu for r in results) / sum(committed) * 1e3
        if sampler.window and run.steps_per_s:
            steps_in_window = run.steps_per_s * sampler.window
            run.backend_cpu_ms = sampler.backend_cpu / steps_in_window * 1e3
            run.shared_cpu_ms = sampler.shared_cpu / steps_in_window * 1e3
            ours += (sampler.backend_cpu + sampler.shared_cpu) / sampler.window
        run.our_cores = ours
        run.others_cores = max(0.0, run.machine_busy * (os.cpu_count() or 1) - ours)
        n = sum(sampler.waits.values()) or 1
        run.waits = {k: round(v / n, 3) for k, v in sampler.waits.most_common()}
        if not run.errors and declarative:
            expected = sum(r.committed + r.warmup_committed for r in results)
            try:
                run.checked.append(workers.check(urls[0], "distinct", expected))
                run.checked.append(pruning(urls[0], ids[-1][0][0]))
                run.checked.append(_replay_check(urls[0], ids[-1][0][0]))
            except Exception as exc:
                run.errors.append(f"check: {exc}")
        elif not run.errors:
            for i, url in enumerate(urls):
                expected = sum(r.committed + r.warmup_committed for r in results
                               if r.me // 1000 == i)
                try:
                    run.checked.append(workers.check(url, "distinct", expected))
                except Exception as exc:
                    run.errors.append(f"partition {i + 1} check: {exc}")
    return run


def _replay_check(url: str, instance_id: str) -> str:
    """On the partitioned tables: a keyed fire and its replay write one step, the chain
    verifies, and the step's event reaches the outbox. PostgreSQL hands an event out only
    once every older transaction *on the server* has ended (``pg_snapshot_xmin``), so the
    wait for it is reported: other databases' transactions hold it back too."""
    engine = workers._new_engine(url)
    try:
        before = engine.get(instance_id)
        trigger = "hold" if before.state == "open" else "release"
        data = workers.HOLD_DATA if trigger == "hold" else None
        for _ in range(2):
            engine.fire(instance_id, trigger, workers.ACTOR, data, idempotency_key="replay-1")
        after = engine.get(instance_id)
        if after.version != before.version + 1:
            raise RuntimeError(f"replay wrote {after.version - before.version} steps")
        records = engine.verify(instance_id)
        t0, cursor, seen = time.perf_counter(), "", False
        while not seen and time.perf_counter() - t0 < 30:
            while page := engine.events(after=cursor, limit=1000):
                cursor = page[-1].cursor
                seen = seen or any((e.record.instance_id, e.record.seq)
                                   == (instance_id, after.version) for e in page)
            if not seen:
                time.sleep(0.05)
        if not seen:
            raise RuntimeError("the replayed step's event was not handed out within 30 s")
        return (f"replay ok: one step, {records} records verified, its event handed out after "
                f"{(time.perf_counter() - t0) * 1e3:.0f} ms")
    finally:
        engine.store.close()


def shares(total: int, partitions: int) -> list[int]:
    """``total`` workers dealt over ``partitions`` (at least one each)."""
    return [max(1, total // partitions + (1 if k < total % partitions else 0))
            for k in range(partitions)]


# --------------------------------------------------------------------------------------------
# tick, reports and events per partition


def _engine(url: str, at: dt.datetime) -> Engine:
    return Engine(load_rules(RULES), store=url, clock=FakeClock(at))


def tick_main(url: str, at: str, barrier: Any, out: Any) -> None:
    """One partition's ``tick`` at ``at`` (a process of its own); report seconds and counts."""
    try:
        engine = _engine(url, dt.datetime.fromisoformat(at))
        if barrier is not None:
            barrier.wait(120)
        t, c = time.perf_counter(), time.process_time()
        rep = engine.tick()
        out.put((url, time.perf_counter() - t, time.process_time() - c, len(rep.escalated),
                 len(rep.refused) + len(rep.failed) + len(rep.conflicts), ""))
        engine.close()
    except BaseException as exc:
        out.put((url, 0.0, 0.0, 0, 0, f"{type(exc).__name__}: {exc}"[:300]))


def _ticks(urls: list[str], at: dt.datetime, together: bool) -> list[tuple[Any, ...]]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    if together:
        barrier = ctx.Barrier(len(urls))
        procs = [ctx.Process(target=tick_main, args=(u, at.isoformat(), barrier, out))
                 for u in urls]
        for p in procs:
            p.start()
        got = [out.get(timeout=600) for _ in procs]
        for p in procs:
            p.join(10)
    else:
        got = []
        for u in urls:
            p = ctx.Process(target=tick_main, args=(u, at.isoformat(), None, out))
            p.start()
            got.append(out.get(timeout=600))
            p.join(10)
    order = {u: k for k, u in enumerate(urls)}
    return sorted(got, key=lambda g: order[g[0]])


def _events(engine: Engine) -> int:
    n, cursor = 0, ""
    while page := engine.events(after=cursor, limit=1000):
        n += len(page)
        cursor = page[-1].cursor
    return n


def run_tick_report(bases: list[str], parts: int, csv_path: Path, n_instances: int,
                    tmp: Path) -> dict[str, Any]:
    """Tick, report and outbox of one layout with ``parts`` partitions."""
    rules = load_rules(RULES)
    h = load_hierarchy(csv_path, rules)
    owner = deal_cities(h, parts)
    res: dict[str, Any] = {"partitions": parts, "orgs": len(h), "cities": len(h.roots),
                           "cities_per_partition": [sum(1 for v in owner.values() if v == k)
                                                    for k in range(1, parts + 1)]}
    with ExitStack() as stack:
        urls = [stack.enter_context(workers.scenario_db(
            "postgresql", bases[i], tmp, f"part{i + 1}_tick")) for i in range(parts)]
        engines = [_engine(u, T0) for u in urls]
        t = time.perf_counter()
        for e in engines:  # the global part: the same hierarchy in every partition
            e.import_organizations(h)
        res["import_s_per_partition"] = (time.perf_counter() - t) / parts
        rng = random.Random(7)
        streets = [o for o in h.ids() if h.org(o).level == "street" and h.children(o)]
        started = [0] * parts
        t = time.perf_counter()
        for i in range(n_instances):
            street = streets[rng.randrange(len(streets))]
            k = partition_of_org(h, owner, street)
            community = h.children(street)[0]
            unit = Actor(f"a{i}", "applicant", org=community)
            iid = f"p{k}-be-{i:05d}"
            eng = engines[partition_of_instance(iid) - 1]
            eng.start("branch_establishment",
                      {"unit_name": f"单位{i}", "full_members": 9, "org_form": "branch",
                       "parent_org": street}, unit, instance_id=iid)
            eng.fire(iid, "submit", unit)
            started[k - 1] += 1
        res["setup_s"] = time.perf_counter() - t
        res["instances_per_partition"] = started
        for e in engines:
            e.close()
        for label, at, together in (("alone", T0 + dt.timedelta(days=33), False),
                                    ("together", T0 + dt.timedelta(days=66), True)):
            t = time.perf_counter()
            got = _ticks(urls, at, together)
            res[f"tick_{label}"] = {
                "wall_s": time.perf_counter() - t, "s": [g[1] for g in got],
                "cpu_s": [g[2] for g in got], "escalated": [g[3] for g in got],
                "not_done": [g[4] for g in got], "errors": [g[5] for g in got if g[5]]}
        engines = [stack.enter_context(_engine(u, T0 + dt.timedelta(days=66))) for u in urls]
        total: Counter[tuple[str, str, str]] = Counter()
        t_parts = []
        nonzero: dict[str, list[int]] = {}
        for k, e in enumerate(engines):
            t = time.perf_counter()
            for city in h.roots:
                rows = e.report(city)
                if rows:
                    nonzero.setdefault(city, []).append(k + 1)
                for r in rows:
                    for what in ("open", "overdue", "escalated"):
                        total[(r.procedure, r.state, what)] += getattr(r, what)
            t_parts.append(time.perf_counter() - t)
        res["report_s_per_partition"] = t_parts
        res["report_global"] = {"/".join(key): v for key, v in sorted(total.items())}
        res["report_cities_in_own_partition_only"] = all(
            v == [owner[c]] for c, v in nonzero.items())
        t = time.perf_counter()
        res["events_per_partition"] = [_events(e) for e in engines]
        res["events_s"] = time.perf_counter() - t
    return res


# --------------------------------------------------------------------------------------------
# output


def print_runs(runs: list[Run]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="partyflow partitions (one PostgreSQL database each, one server)")
    for col in ("round", "scenario", "P", "workers", "steps/s", "per partition", "÷ single",
                "client CPU ms/step", "backend CPU ms/step", "WAL etc. ms/step", "CPU busy",
                "our cores", "others' cores",
                "backend states", "load", "check"):
        table.add_column(col, overflow="fold")
    for r in runs:
        table.add_row(
            str(r.round), r.mode, str(r.partitions), "+".join(map(str, r.workers)), f"{r.steps_per_s:,.0f}",
            " / ".join(f"{x:,.0f}" for x in r.per_partition),
            "" if r.ratio is None else f"{r.ratio:.2f}", f"{r.client_cpu_ms:.2f}",
            f"{r.backend_cpu_ms:.2f}", f"{r.shared_cpu_ms:.2f}", f"{r.machine_busy:.0%}",
            f"{r.our_cores:.2f}", f"{r.others_cores:.2f}",
            ", ".join(f"{k} {v:.0%}" for k, v in r.waits.items() if v >= 0.01),
            f"{r.loadavg[0] if r.loadavg else 0:.2f}",
            "; ".join(r.errors) if r.errors else f"ok ({r.conflicts} retries)")
    Console(width=220).print(table)


def _per(tick: dict[str, Any]) -> list[float]:
    return [round(c / n * 1e3, 2) if n else 0.0 for c, n in zip(tick["cpu_s"], tick["escalated"],
                                                                strict=True)]


def print_ticks(layouts: list[dict[str, Any]]) -> None:
    for L in layouts:
        a, b = L["tick_alone"], L["tick_together"]
        print(f"P={L['partitions']}: {L['orgs']:,} orgs imported into each partition in "
              f"{L['import_s_per_partition']:.1f} s; instances {L['instances_per_partition']}; "
              f"tick alone {[round(x, 2) for x in a['s']]} s (sum {sum(a['s']):.2f}), "
              f"together wall {b['wall_s']:.2f} s (process starts included), each "
              f"{[round(x, 2) for x in b['s']]} s; tick CPU ms per escalation alone "
              f"{_per(a)}, together {_per(b)}; "
              f"escalated {a['escalated']} then {b['escalated']}; reports "
              f"{[round(x, 3) for x in L['report_s_per_partition']]} s; events "
              f"{L['events_per_partition']}; "
              f"global report {L['report_global']}; each city only in its own partition: "
              f"{L['report_cities_in_own_partition_only']}"
              + (f"; ERRORS {a['errors'] + b['errors']}" if a["errors"] + b["errors"] else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--postgres-url-template",
                    default=os.environ.get("PARTYFLOW_BENCH_PARTITION_URL"),
                    help="store URL with {n} for the partition number, e.g. "
                         "postgresql+psycopg://u:pw@host:port/pf_part{n}")
    ap.add_argument("--monitor-url", default=None,
                    help="database for the pg_stat_activity sampler (default: partition 1's)")
    ap.add_argument("--partitions", default="1,2,4", help="comma list of partition counts")
    ap.add_argument("--workers", type=int, default=4, help="W: workers of the single run")
    ap.add_argument("--seconds", type=float, default=10.0, help="timed seconds per scenario")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of the whole plan (each ratio is against its round's single)")
    ap.add_argument("--instances-per-worker", type=int, default=100)
    ap.add_argument("--scale", type=float, default=0.02,
                    help="hierarchy size as a share of the national 643,330 organizations")
    ap.add_argument("--tick-instances", type=int, default=1200,
                    help="branch establishments over all partitions, for tick and report")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-tick", action="store_true")
    ap.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    args = ap.parse_args()
    if not args.postgres_url_template or "{n}" not in args.postgres_url_template:
        ap.error("--postgres-url-template must name the partitions' databases with {n}")
    counts = sorted({int(p) for p in args.partitions.split(",") if p.strip()})
    bases = [args.postgres_url_template.format(n=k) for k in range(1, max(counts) + 1)]
    monitor = (args.monitor_url or bases[0]).replace("postgresql+psycopg://", "postgresql://")
    machine = workers.machine_info()
    machine["postgresql"] = workers.pg_settings(bases[0])
    print(f"machine {machine}", file=sys.stderr)
    runs: list[Run] = []
    layouts: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="pfpartitions_") as tmpdir:
        tmp = Path(tmpdir)
        if not args.skip_throughput:
            plan = [("single", [args.workers])]
            for p in counts:
                if p > 1:
                    plan += [("each", [args.workers] * p), ("shared", shares(args.workers, p)),
                             ("declarative", [args.workers] * p)]
            for rnd in range(1, args.repeat + 1):
                single = None
                for mode, per_part in plan:
                    r = run_throughput(bases, monitor, mode, rnd, per_part, args.seconds,
                                       args.instances_per_worker, tmp)
                    single = single or r
                    r.ratio = r.steps_per_s / single.steps_per_s if single.steps_per_s else None
                    runs.append(r)
                    print(f"[round {rnd} {mode} P={len(per_part)} workers {per_part}: "
                          f"{r.steps_per_s:,.0f} steps/s, load {r.loadavg}"
                          f"{'; ERRORS ' + str(r.errors) if r.errors else ''}]", file=sys.stderr)
        if not args.skip_tick:
            csv_path = tmp / "hierarchy.csv"
            generate(csv_path, args.scale)
            for p in counts:
                layouts.append(run_tick_report(bases, p, csv_path, args.tick_instances, tmp))
                print(f"[tick/report P={p} done, load {workers._loadavg()}]", file=sys.stderr)
    machine["loadavg_end"] = workers._loadavg()
    if runs:
        print_runs(runs)
    if layouts:
        print_ticks(layouts)
        same = all(L["report_global"] == layouts[0]["report_global"] for L in layouts)
        print(f"global report (sum of per-partition reports) equal in every layout: {same}")
    print(f"load avg at start {machine['loadavg_start']}, at end {machine['loadavg_end']}; "
          f"{args.seconds:g} s per scenario; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"machine": machine, "date": dt.datetime.now(dt.UTC).isoformat(),
             "params": {k: v for k, v in vars(args).items() if "url" not in k},
             "throughput": [asdict(r) for r in runs], "tick_report": layouts},
            indent=2, ensure_ascii=False, default=str))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
