"""A national store for benchmarks: the hierarchy and many open instances, written in bulk.

    from bench.national_data import populate
    done = populate("sqlite:///national.db", instances=1_000_000)

``populate`` loads the national tree of ``hierarchy_bench.generate`` (cities → districts →
streets → communities, ``scale`` 1.0: ~643,000 organizations), writes it with the store's own
bulk import (``Store.put_organizations``: each organization with its trail record), and spreads ``instances`` open
instances over the six shipped procedures and the non-terminal states the runnable examples
(``examples/*.py``) reach. Each (procedure, state) has one template: the example's instance as
it was in that state, made by a real ``Engine``. A clone is the template with a new id and a
new responsible organization (mostly communities and streets): its rows and audit records are
rehashed with ``partyflow.workflows.audit`` (``row_digest``, ``record_hash``), so every
clone verifies, and written with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), with the
parties each clone names (``partyflow.workflows.parties``). ``VARY`` draws some stored values anew per
clone (branch establishment's ``full_members``), so a changed threshold splits a state.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from hierarchy_bench import generate  # noqa: E402

from partyflow import (  # noqa: E402
    AuditRecord,
    Engine,
    Instance,
    RuleSet,
    load_hierarchy,
    load_rules,
)
from partyflow.canonical import canonical_json  # noqa: E402
from partyflow.rules.definitions import ProcedureDef  # noqa: E402
from partyflow.stores.sql import SqlStore  # noqa: E402
from partyflow.workflows.audit import record_hash, row_digest  # noqa: E402
from partyflow.workflows.parties import start_parties  # noqa: E402

EXAMPLES = ("member_transfer", "branch_establishment", "two_ballot_election",
            "two_recommendation_election", "four_deliberations", "two_meetings")
LEVEL_SHARE = {"community": 0.7, "street": 0.25, "district": 0.04, "city": 0.01}
"""Where the clones' responsible organizations are drawn from."""
_SQLITE_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass
class Populated:
    """What ``populate`` wrote.

    Attributes:
        url: the store.
        rules: the rules every instance runs under (``config/rules.yaml``).
        orgs: organization ids by level.
        counts: open instances by (procedure, state).
        seconds: how long generation took (organizations, templates, clones).
    """

    url: str
    rules: RuleSet
    orgs: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def instances(self) -> int:
        """How many open instances were written."""
        return sum(self.counts.values())


@dataclass
class _Template:
    rows: list[Instance]  # the row after each record
    records: list[AuditRecord]


class _Capturing(Engine):
    """An engine keeping each instance's row after every step (the examples' own engine)."""

    seen: ClassVar[dict[str, _Template]] = {}

    def start(self, *args: Any, **kwargs: Any) -> Any:
        inst = super().start(*args, **kwargs)
        self._keep(inst.id)
        return inst

    def fire(self, *args: Any, **kwargs: Any) -> Any:
        inst = super().fire(*args, **kwargs)
        self._keep(inst.id)
        return inst

    def _keep(self, iid: str) -> None:
        row = self.get(iid)
        t = _Capturing.seen.setdefault(iid, _Template([], []))
        if not t.rows or t.rows[-1].version != row.version:
            t.rows.append(row)
            t.records = self.history(iid)


def templates(rules: RuleSet) -> dict[tuple[str, str], _Template]:
    """One template per (procedure, non-terminal state) the examples pass through."""
    _Capturing.seen = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in EXAMPLES:
            spec = importlib.util.spec_from_file_location(f"_ex_{name}",
                                                          ROOT / "examples" / f"{name}.py")
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.Engine = _Capturing  # type: ignore[attr-defined]
            out = sys.stdout
            try:
                sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - the examples print
                module.main(Path(tmp) / f"{name}.db")
            finally:
                sys.stdout.close()
                sys.stdout = out
    found: dict[tuple[str, str], _Template] = {}
    for t in _Capturing.seen.values():
        if t.rows[0].rules_hash != rules.content_hash:
            continue
        for k, row in enumerate(t.rows):
            if not row.terminal and row.version == k + 1:
                found.setdefault((row.procedure, row.state),
                                 _Template(t.rows[:k + 1], t.records[:k + 1]))
    return found


VARY: dict[str, dict[str, range]] = {"branch_establishment": {"full_members": range(3, 10)}}
"""Stored values each clone draws anew (so a changed threshold splits a state's instances)."""


class _Plan:
    """A template prepared for cloning: what is the same for every clone, done once."""

    def __init__(self, t: _Template, sqlite: bool, proc: ProcedureDef,
                 vary: Mapping[str, range]) -> None:
        self.t, self.org_field, self.vary, self.proc = t, proc.organization, vary, proc
        self.old_org = t.rows[-1].org
        tm = lambda v: _time(v, sqlite)  # noqa: E731
        last = t.rows[-1]
        self.times = (tm(last.created_at), tm(last.updated_at), tm(last.deadline_at),
                      tm(last.overdue_since), tm(last.remind_at), tm(last.last_step_at))
        self.record_times = [tm(r.at) for r in t.records]
        self.touched = [self._touches(r.data) for r in t.records]
        self.event_json = [canonical_json(r.data) for r in t.records]

    def _touches(self, data: Mapping[str, Any]) -> bool:
        return any(k in data for k in self.vary) or (
            self.org_field is not None and self.org_field in data)

    def _data(self, d: Mapping[str, Any], org: str, drawn: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(d)
        for k, v in drawn.items():
            if k in out:
                out[k] = v
        f = self.org_field
        if f is not None and f in out and self.old_org is not None and out[f] == self.old_org:
            out[f] = org
        return out

    def clone(self, iid: str, org: str, rng: random.Random
              ) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[str, str, str]]]:
        """The clone's instance row, audit rows and party rows (who it names), ready to
        insert: each row resealed (``row_digest``), each record rehashed (``record_hash``) on
        the new chain."""
        drawn = {k: rng.choice(r) for k, r in self.vary.items()}
        prev = ""
        recs: list[tuple[Any, ...]] = []
        data: dict[str, Any] = {}
        for j, (row, r) in enumerate(zip(self.t.rows, self.t.records, strict=True)):
            data = self._data(row.data, org, drawn)
            row_org = org if row.org is not None else None
            sealed = row_digest(
                iid, row.procedure, row.state, data, row.version, row.rules_version,
                row.rules_hash, row.created_at, row.updated_at, row.deadline_at, row.terminal,
                row_org, row.escalation, row.escalated_to, row.overdue_since,
                row.deadline_estimated, row.remind_at, row.last_step_at)
            event = self._data(r.data, org, drawn) if self.touched[j] else r.data
            digest = record_hash(
                instance_id=iid, seq=r.seq, at=r.at, actor_id=r.actor_id,
                actor_role=r.actor_role, actor_org=r.actor_org, trigger=r.trigger,
                from_state=r.from_state, to_state=r.to_state, data=event,
                rules_version=r.rules_version, rules_hash=r.rules_hash, basis=r.basis,
                idempotency_key=r.idempotency_key, prev_hash=prev, state_hash=sealed)
            recs.append((iid, r.seq, self.record_times[j], r.actor_id, r.actor_role,
                         r.actor_org, r.trigger, r.from_state, r.to_state,
                         canonical_json(event) if self.touched[j] else self.event_json[j],
                         r.rules_version, r.rules_hash, r.basis, r.idempotency_key, prev,
                         digest, sealed))
            prev = digest
        last = self.t.rows[-1]
        created, updated, deadline, overdue, remind, step_at = self.times
        row_tuple = (iid, last.procedure, last.state, canonical_json(data), last.version,
                     last.rules_version, last.rules_hash, created, updated, deadline,
                     last.terminal, prev, org if last.org is not None else None,
                     last.escalation, last.escalated_to, overdue, last.deadline_estimated,
                     remind, step_at)
        starter = self.t.records[0].actor_id
        parties = [(iid, k, v) for k, v in start_parties(self.proc, data, starter).items()]
        return row_tuple, recs, parties


def _time(value: dt.datetime | None, sqlite: bool) -> Any:
    if value is None:
        return None
    utc = value.astimezone(dt.UTC)
    return utc.strftime(_SQLITE_TIME) if sqlite else utc


_INSTANCE_COLS = ("pf_instances (id, procedure, state, data, version, rules_version, "
                  "rules_hash, created_at, updated_at, deadline_at, terminal, last_hash, org, "
                  "escalation, escalated_to, overdue_since, deadline_estimated, remind_at, "
                  "last_step_at)")
_AUDIT_COLS = ("pf_audit (instance_id, seq, at, actor_id, actor_role, actor_org, trigger, "
               "from_state, to_state, data, rules_version, rules_hash, basis, "
               "idempotency_key, prev_hash, hash, state_hash)")
_PARTY_COLS = "pf_instance_parties (instance_id, party, value)"
_INSERT_PARTY = "INSERT INTO " + _PARTY_COLS + " VALUES ({})"
_INSERT_INSTANCE = ("INSERT INTO pf_instances (id, procedure, state, data, version, "
                    "rules_version, rules_hash, created_at, updated_at, deadline_at, terminal, "
                    "last_hash, org, escalation, escalated_to, overdue_since, "
                    "deadline_estimated, remind_at, last_step_at) VALUES ({})")
_INSERT_AUDIT = ("INSERT INTO pf_audit (instance_id, seq, at, actor_id, actor_role, actor_org, "
                 "trigger, from_state, to_state, data, rules_version, rules_hash, basis, "
                 "idempotency_key, prev_hash, hash, state_hash) VALUES ({})")


_Work = tuple[dict[tuple[str, str], _Plan], list[tuple[str, str]], dict[str, list[str]], int]
_WORK: list[_Work] = []  # what forked workers clone from (set before the pool forks)


def _chunk(job: tuple[int, int]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]],
                                           list[tuple[str, str, str]],
                                           dict[tuple[str, str], int]]:
    """Clones ``start`` … ``start + n - 1``: about evenly over the procedures, then over each
    procedure's states; organizations by ``LEVEL_SHARE``. Seeded by the chunk, so the data
    does not depend on how many processes made it."""
    plans, keys, orgs, seed = _WORK[0]
    start, n = job
    rng = random.Random(seed * 1_000_003 + start)
    by_proc: dict[str, list[tuple[str, str]]] = {}
    for key in keys:
        by_proc.setdefault(key[0], []).append(key)
    procs = sorted(by_proc)
    levels = [lv for lv in LEVEL_SHARE if orgs.get(lv)]
    weights = [LEVEL_SHARE[lv] for lv in levels]
    rows: list[tuple[Any, ...]] = []
    recs: list[tuple[Any, ...]] = []
    parties: list[tuple[str, str, str]] = []
    counts: dict[tuple[str, str], int] = {}
    for k in range(start, start + n):
        key = rng.choice(by_proc[procs[k % len(procs)]])
        org = rng.choice(orgs[rng.choices(levels, weights)[0]])
        row, rec_rows, named = plans[key].clone(f"n{k:08d}", org, rng)
        rows.append(row)
        recs.extend(rec_rows)
        parties.extend(named)
        counts[key] = counts.get(key, 0) + 1
    return rows, recs, parties, counts


def populate(url: str, *, instances: int, seed: int = 2026, scale: float = 1.0,
             batch: int = 5000, workers: int | None = None) -> Populated:
    """Write the national hierarchy (at ``scale``) and ``instances`` open instances into the
    (new, empty) store at ``url`` (``sqlite:///FILE`` or ``postgresql+psycopg://…``), the
    clones made by ``workers`` processes (default: one per CPU)."""
    rules = load_rules(ROOT / "config" / "rules.yaml")
    done = Populated(url, rules)
    started = time.perf_counter()
    sqlite = url.startswith("sqlite")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "national.csv"
        generate(csv_path, scale)
        hierarchy = load_hierarchy(csv_path, rules)
    store = SqlStore(url)
    try:
        store.put_organizations(hierarchy.rows())  # the bulk import (COPY on PostgreSQL)
        store.save_rules(rules.content_hash, rules.version, rules.source)
    finally:
        store.close()
    for oid in hierarchy.ids():
        done.orgs.setdefault(hierarchy.org(oid).level, []).append(oid)
    del hierarchy  # the graph is not needed for the instances
    done.seconds["organizations"] = time.perf_counter() - started
    mark = time.perf_counter()
    found = templates(rules)
    done.seconds["templates"] = time.perf_counter() - mark
    mark = time.perf_counter()
    plans = {key: _Plan(t, sqlite, rules.procedures[key[0]], VARY.get(key[0], {}))
             for key, t in found.items()}
    _WORK[:] = [(plans, sorted(found), done.orgs, seed)]
    jobs = [(k, min(batch, instances - k)) for k in range(0, instances, batch)]
    mark_ = "?" if sqlite else "%s"
    insert_instance = _INSERT_INSTANCE.format(",".join([mark_] * 19))
    insert_audit = _INSERT_AUDIT.format(",".join([mark_] * 17))
    with multiprocessing.get_context("fork").Pool(workers or os.cpu_count() or 1) as pool:
        store = SqlStore(url)
        raw = store.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for rows, recs, parties, counts in pool.imap(_chunk, jobs):
                if sqlite:
                    cursor.executemany(insert_instance, rows)
                    cursor.executemany(insert_audit, recs)
                    cursor.executemany(_INSERT_PARTY.format("?,?,?"), parties)
                else:  # COPY: one stream per table and batch
                    for table, values in ((_INSTANCE_COLS, rows), (_AUDIT_COLS, recs),
                                          (_PARTY_COLS, parties)):
                        with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                            for value in values:
                                copy.write_row(value)
                raw.commit()
                for key, n in counts.items():
                    done.counts[key] = done.counts.get(key, 0) + n
        finally:
            raw.close()
            store.close()
    _WORK.clear()
    store = SqlStore(url)  # the planner's statistics, as a store in service has them
    try:
        raw = store.engine.raw_connection()
        try:
            raw.cursor().execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
    finally:
        store.close()
    done.seconds["instances"] = time.perf_counter() - mark
    done.seconds["total"] = time.perf_counter() - started
    return done
