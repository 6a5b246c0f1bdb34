#!/usr/bin/env python
"""The national benchmark (issue #17 item 5): every operation on a national store next to the
same operation on a small store, in the same run, so that growth with the store's size is a
ratio.

    PYTHONPATH=. python bench/national.py --json bench/national.json   # SQLite + PostgreSQL
    PYTHONPATH=. python bench/national.py --skip-postgres --instances 100000
    PYTHONPATH=. python bench/national.py --postgres-url postgresql+psycopg://u:pw@host/db

Per store kind (a SQLite file; PostgreSQL — started by this script in a temporary directory
unless ``--postgres-url`` names one, whose database must be empty and which then also needs
``--postgres-tiny-url``):

- **national**: the national hierarchy (643,330 organizations, ``hierarchy_bench.generate``)
  and ``--instances`` open instances (1,000,000) written by ``national_data.populate``;
- **small**: a hierarchy of 1/100 of it (6,433 organizations) and 1/100 of the instances.

Generation is not timed. Then, alternating small and national in each round:

- ``report`` at each level (20 organizations per level, median): targets on the national
  store community ≤ 50 ms, district ≤ 300 ms, city ≤ 1 s;
- ``tick`` with 0 % due (nothing to do: the cost of looking) and with 1 % due (that many
  branch requests made through the engine, submitted, then left past their P1M review so
  the tick escalates them): milliseconds, and µs per escalated instance;
- ``fire``: p50 / p99 of ``submit`` on fresh member transfers; ``verify`` of one instance;
- ``impact`` of a rules change (``min_full_members`` 3 → 5, basis B2) over every open
  instance: seconds and instances/s, target ≤ 60 s for the national store;
- ``import``: the hierarchy written into an empty store (organizations/s), re-imported
  unchanged, and re-imported with 1 % renamed or moved (seconds).

A ratio national ÷ small near 1 for a per-operation cost (report of one organization, tick
with nothing due, one fire, one verify, per-instance rates) means the cost does not grow
with the store; for whole-store work (impact, import) the rate is compared.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from hierarchy_bench import generate  # noqa: E402
from national_data import populate  # noqa: E402
from pg_local import local_postgres  # noqa: E402

from partyflow import Actor, Engine, load_hierarchy, load_rules, load_rules_text  # noqa: E402
from partyflow.policy import impact  # noqa: E402
from partyflow.testing import FakeClock  # noqa: E402

CONFIG = ROOT / "config" / "rules.yaml"
LEVELS = ("community", "street", "district", "city")
REPORT_TARGET_MS = {"community": 50.0, "district": 300.0, "city": 1000.0}
IMPACT_TARGET_S = 60.0
MEMBER = {"member_kind": "full_member", "move_reason": "residence_changed", "stable_job": True,
          "fixed_residence": True, "employer_has_party_org": False,
          "destination_kind": "community"}
UTC = dt.UTC


@dataclass
class Side:
    """One store of a pair (``small`` or ``national``) and what was measured on it."""

    name: str
    url: str
    instances: int
    scale: float
    engine: Engine | None = None
    orgs: dict[str, list[str]] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.samples.setdefault(key, []).append(value)


def _levels(engine: Engine, rng: random.Random, per_level: int = 20) -> dict[str, list[str]]:
    """``per_level`` organization ids of each level, sampled from the store's hierarchy."""
    by_level: dict[str, list[str]] = {}
    for org in engine.store.organizations():
        by_level.setdefault(org.level, []).append(org.id)
    return {lv: rng.sample(ids, min(per_level, len(ids))) for lv, ids in by_level.items()}


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def build(side: Side, seed: int) -> float:
    """Populate ``side``'s store (not timed by the benchmark); return the seconds it took."""
    t0 = time.perf_counter()
    populate(side.url, instances=side.instances, seed=seed, scale=side.scale)
    return time.perf_counter() - t0


def open_side(side: Side, clock: FakeClock) -> None:
    """An engine on ``side``'s store with the shipped rules and ``clock``."""
    side.engine = Engine(load_rules(CONFIG), store=side.url, clock=clock)
    side.orgs = _levels(side.engine, random.Random(7))


def _earliest_deadline(engine: Engine) -> dt.datetime:
    """The earliest deadline among the store's open instances (a tick before it has
    nothing to do)."""
    page = engine.store.overdue(dt.datetime(9999, 1, 1, tzinfo=UTC), None, 1)
    return page[0].deadline_at if page and page[0].deadline_at else dt.datetime(
        2100, 1, 1, tzinfo=UTC)


def measure_reports(side: Side, rounds: int) -> None:
    engine = side.engine
    assert engine is not None
    now = engine.clock.now()
    for _ in range(rounds):
        for level in LEVELS:
            for org in side.orgs.get(level, []):
                side.add(f"report_{level}_ms", 1000 * _timed(lambda o=org: engine.report(o, now)))


def make_due(side: Side, count: int, clock: FakeClock) -> list[str]:
    """``count`` branch requests submitted at the clock's time (their review period, P1M,
    then runs out and the state escalates)."""
    engine = side.engine
    assert engine is not None
    streets = side.orgs["street"]
    applicant = Actor("bench-applicant", "applicant")
    ids = []
    for k in range(count):
        inst = engine.start("branch_establishment",
                            {"full_members": 5, "org_form": "branch", "units_covered": 1,
                             "parent_org": streets[k % len(streets)]}, applicant)
        engine.fire(inst.id, "submit", applicant)
        ids.append(inst.id)
    return ids


def measure_fire_verify(side: Side, count: int) -> None:
    """``submit`` on ``count`` fresh member transfers (p50/p99 of the fire), then ``verify``
    of each."""
    engine = side.engine
    assert engine is not None
    communities = side.orgs["community"]
    made = []
    for k in range(count):
        org = engine.organization(communities[k % len(communities)])
        branch = Actor(org.secretary or "", "sending_branch", org.id)
        inst = engine.start("member_transfer",
                            {**MEMBER, "member_id": f"bench-{side.name}-{k}",
                             "sending_org": org.id,
                             "receiving_org": communities[(k + 1) % len(communities)]}, branch)
        t0 = time.perf_counter()
        engine.fire(inst.id, "submit", branch)
        side.add("fire_ms", 1000 * (time.perf_counter() - t0))
        made.append(inst.id)
    for iid in made:
        side.add("verify_ms", 1000 * _timed(lambda i=iid: engine.verify(i)))


def new_rules() -> Any:
    text = CONFIG.read_text(encoding="utf-8")
    changed = text.replace("value: 3\n        basis: B2", "value: 5\n        basis: B2")
    assert changed != text, "the B2 parameter moved in config/rules.yaml"
    return load_rules_text(changed.replace('version: "2026.1"', 'version: "2026.2-bench"'),
                           "bench-new.yaml")


def measure_impact(side: Side, rules: Any) -> None:
    engine = side.engine
    assert engine is not None
    t0 = time.perf_counter()
    report = impact(engine.store, rules, now=engine.clock.now())
    took = time.perf_counter() - t0
    side.add("impact_s", took)
    side.add("impact_per_s", report.scanned / took if took else 0.0)
    side.figures["impact_scanned"] = report.scanned
    side.figures["impact_affected"] = report.affected


def measure_tick(side: Side, clock: FakeClock, due: list[str], at_due: dt.datetime,
                 before: dt.datetime) -> None:
    engine = side.engine
    assert engine is not None
    clock.set(before)
    for _ in range(5):
        side.add("tick_0pct_ms", 1000 * _timed(engine.tick))
    clock.set(at_due)
    t0 = time.perf_counter()
    report = engine.tick()
    took = time.perf_counter() - t0
    assert len(report.escalated) == len(due), (len(report.escalated), len(due), report)
    side.figures["tick_1pct_ms"] = 1000 * took
    side.figures["tick_1pct_escalated"] = len(due)
    side.figures["tick_1pct_us_per_instance"] = 1e6 * took / max(1, len(due))


def _changed_list(source: Path, target: Path, share: float, seed: int) -> int:
    """Copy the organization list with ``share`` of its rows renamed (and a tenth of those
    moved to another superior of the same level); return how many rows changed."""
    rng = random.Random(seed)
    with source.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    parents: dict[str, list[str]] = {}
    for row in body:
        parents.setdefault(row[2], []).append(row[0])
    level_above = {"district": "city", "street": "district", "community": "street"}
    changed = 0
    for row in body:
        if rng.random() >= share:
            continue
        row[1] += "（更名）"
        if row[2] in level_above and rng.random() < 0.1:
            row[3] = rng.choice(parents[level_above[row[2]]])
        changed += 1
    with target.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    return changed


def measure_import(name: str, url: str, csv_path: Path, tmp: Path, figures: dict[str, float]) -> None:
    """First import into the empty store at ``url``, then unchanged, then 1 % changed."""
    rules = load_rules(CONFIG)
    hierarchy = load_hierarchy(csv_path, rules)
    engine = Engine(rules, store=url)
    try:
        first = _timed(lambda: engine.import_organizations(hierarchy))
        figures[f"{name}_import_orgs"] = len(list(hierarchy.ids()))
        figures[f"{name}_import_s"] = first
        figures[f"{name}_import_per_s"] = figures[f"{name}_import_orgs"] / first
        figures[f"{name}_reimport_same_s"] = _timed(lambda: engine.import_organizations(hierarchy))
        changed_path = tmp / f"{name}-changed.csv"
        figures[f"{name}_reimport_changed_rows"] = _changed_list(csv_path, changed_path, 0.01, 5)
        changed = load_hierarchy(changed_path, rules)
        figures[f"{name}_reimport_1pct_s"] = _timed(lambda: engine.import_organizations(changed))
    finally:
        engine.store.close()


def run_pair(kind: str, small: Side, national: Side, args: argparse.Namespace,
             tmp: Path, import_urls: tuple[str, str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": kind}
    for side in (small, national):
        secs = build(side, args.seed)
        out[f"{side.name}_generation_s"] = secs
        print(f"  {kind} {side.name}: generated {side.instances:,} instances in {secs:.0f} s",
              file=sys.stderr)
    clocks = {}
    for side in (small, national):
        probe = Engine(load_rules(CONFIG), store=side.url)
        earliest = _earliest_deadline(probe)
        probe.store.close()
        start = min(earliest - dt.timedelta(days=40), dt.datetime(2026, 3, 2, tzinfo=UTC))
        clocks[side.name] = (FakeClock(start), start, earliest)
        open_side(side, clocks[side.name][0])
    dues = {}
    for side in (small, national):
        clock, start, _ = clocks[side.name]
        dues[side.name] = make_due(side, max(1, side.instances // 100), clock)
    rules = new_rules()
    for _ in range(args.rounds):
        for side in (small, national):
            measure_reports(side, 1)
            measure_fire_verify(side, args.fires // args.rounds)
    for side in (small, national):
        clock, start, earliest = clocks[side.name]
        at_due = start + dt.timedelta(days=35)  # past every P1M review made at ``start``
        assert at_due < earliest, "the generated deadlines start too early"
        measure_tick(side, clock, dues[side.name], at_due, start + dt.timedelta(days=1))
    for side in (small, national):
        measure_impact(side, rules)
    for side in (small, national):
        assert side.engine is not None
        side.engine.store.close()
    if import_urls is not None:
        figures: dict[str, float] = {}
        for name, url, scale in (("small", import_urls[0], small.scale),
                                 ("national", import_urls[1], national.scale)):
            csv_path = tmp / f"hierarchy-{scale}.csv"
            if not csv_path.exists():
                generate(csv_path, scale)
            measure_import(name, url, csv_path, tmp, figures)
        out["import"] = figures
    for side in (small, national):
        for key, values in side.samples.items():
            values = sorted(values)
            side.figures[key] = statistics.median(values)
            if key == "fire_ms":
                side.figures["fire_p99_ms"] = values[min(len(values) - 1,
                                                         int(len(values) * 0.99))]
        out[side.name] = side.figures
    return out


@contextmanager
def _postgres(args: argparse.Namespace) -> Iterator[tuple[str, str, str, str]]:
    """Four empty PostgreSQL databases: small, national, and two for the import."""
    if args.postgres_url:
        urls = (args.postgres_tiny_url, args.postgres_url, args.postgres_import_tiny_url,
                args.postgres_import_url)
        if not all(urls):
            raise SystemExit("--postgres-url needs --postgres-tiny-url, "
                             "--postgres-import-url and --postgres-import-tiny-url")
        yield urls  # type: ignore[misc]
        return
    with local_postgres(databases=("small", "national", "import_small", "import_national"),
                        durable=not args.fast_pg) as urls:
        yield urls["small"], urls["national"], urls["import_small"], urls["import_national"]


def table(result: dict[str, Any]) -> str:
    small, national = result["small"], result["national"]
    lines = [f"### {result['kind']}", "",
             "| figure | small store | national store | national ÷ small | target |",
             "|---|---:|---:|---:|---|"]

    def row(label: str, key: str, unit: str, target: str = "") -> None:
        a, b = small.get(key), national.get(key)
        if a is None or b is None:
            return
        ratio = b / a if a else float("nan")
        lines.append(f"| {label} | {a:,.2f} {unit} | {b:,.2f} {unit} | {ratio:.2f} | {target} |")

    for level in LEVELS:
        target = REPORT_TARGET_MS.get(level)
        met = "" if target is None else (
            f"≤ {target:g} ms: {'met' if national[f'report_{level}_ms'] <= target else 'MISSED'}")
        row(f"report, one {level} (median)", f"report_{level}_ms", "ms", met)
    row("tick, 0 % due", "tick_0pct_ms", "ms")
    row("tick, 1 % due (whole tick)", "tick_1pct_ms", "ms")
    row("tick, 1 % due, per escalated instance", "tick_1pct_us_per_instance", "µs")
    row("fire p50", "fire_ms", "ms")
    row("fire p99", "fire_p99_ms", "ms")
    row("verify one instance (median)", "verify_ms", "ms")
    met = f"≤ {IMPACT_TARGET_S:g} s: {'met' if national['impact_s'] <= IMPACT_TARGET_S else 'MISSED'}"
    row("impact, whole store", "impact_s", "s", met)
    row("impact rate", "impact_per_s", "instances/s")
    imp = result.get("import")
    if imp:
        for label, key, unit in (("import, first (empty store)", "import_s", "s"),
                                 ("import rate", "import_per_s", "orgs/s"),
                                 ("re-import, unchanged", "reimport_same_s", "s"),
                                 ("re-import, 1 % changed", "reimport_1pct_s", "s")):
            a, b = imp[f"small_{key}"], imp[f"national_{key}"]
            target = "≥ 50,000 orgs/s" if key == "import_per_s" else ""
            lines.append(f"| {label} | {a:,.2f} {unit} | {b:,.2f} {unit} | {b / a:.2f} | "
                         f"{target} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=1_000_000)
    parser.add_argument("--scale", type=float, default=1.0, help="of the national hierarchy")
    parser.add_argument("--ratio", type=int, default=100, help="national ÷ small size")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fires", type=int, default=600)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--fast-pg", action="store_true",
                        help="start PostgreSQL with fsync off (generation is faster)")
    parser.add_argument("--postgres-url")
    parser.add_argument("--postgres-tiny-url")
    parser.add_argument("--postgres-import-url")
    parser.add_argument("--postgres-import-tiny-url")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    load = os.getloadavg()
    started = dt.datetime.now(UTC)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="partyflow-national.") as name:
        tmp = Path(name)

        def pair(kind: str, urls: tuple[str, str, str, str]) -> None:
            small = Side("small", urls[0], args.instances // args.ratio, args.scale / args.ratio)
            national = Side("national", urls[1], args.instances, args.scale)
            imports = None if args.skip_import else (urls[2], urls[3])
            results.append(run_pair(kind, small, national, args, tmp, imports))
            print(table(results[-1]) + "\n", flush=True)

        if not args.skip_sqlite:
            pair("SQLite (file, WAL)", tuple(f"sqlite:///{tmp / n}.db" for n in  # type: ignore[arg-type]
                                             ("small", "national", "imp-small", "imp-national")))
        if not args.skip_postgres:
            with _postgres(args) as urls:
                pair("PostgreSQL", urls)
    summary = {"started": started.isoformat(), "load_average_at_start": load,
               "load_average_at_end": os.getloadavg(), "python": platform.python_version(),
               "cpus": os.cpu_count(), "instances": args.instances, "scale": args.scale,
               "results": results}
    print(f"load average {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
          f"{os.cpu_count()} cpus", flush=True)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
