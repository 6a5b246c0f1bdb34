"""How ``impact`` scales: time and peak memory over N running instances in a SQLite store.

    python bench/impact_bench.py --instances 100000
    python bench/impact_bench.py --national --instances 1000000 [--postgres-url URL]

``--national``: ``bench/national_data.populate`` writes the national hierarchy and N open
instances over the six shipped procedures (SQLite file in a temporary directory, or the
PostgreSQL database at ``--postgres-url``, which must be empty), then two rules changes are
judged, each by the per-instance path (``_impact_every``, the baseline) and by ``impact``
(grouped) in the same run, with their reports compared: ``min_full_members`` 3 → 5
(branch establishment, B2: a guard parameter) and ``review_within`` P1M → P10D (B6: the
deadline of ``under_review``).

Creates N ``branch_establishment`` requests (full members 1–60) on the current rules in a
temporary SQLite file, then runs ``impact`` for a copy of the rules with ``min_full_members``
raised from 3 to 5, and reports instances/s, the peak memory the impact run itself allocated
(tracemalloc) and the process's peak RSS. Memory should not grow with N: instances stream in
pages of 1,000 and each group keeps 20 example ids.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from partyflow import Actor, Engine, load_hierarchy, load_rules, load_rules_text  # noqa: E402
from partyflow.policy import impact  # noqa: E402
from partyflow.policy.impact import _impact_every  # noqa: E402
from partyflow.stores.open import open_store  # noqa: E402
from partyflow.testing import FakeClock  # noqa: E402

CHANGES = {
    "guard min_full_members 3→5 (B2)": ("value: 3\n        basis: B2", "value: 5\n        basis: B2"),
    "deadline review_within P1M→P10D (B6)": ("value: P1M\n        basis: B6",
                                             "value: P10D\n        basis: B6"),
}


def _timed(fn: object, *args: object, **kwargs: object) -> tuple[object, float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    result = fn(*args, **kwargs)  # type: ignore[operator]
    took = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, took, peak / 2**20


def national(instances: int, postgres_url: str | None, db: Path | None,
             procedure: str | None) -> None:
    """Populate a national store (or reuse ``db``), then time both paths on each change
    (with ``procedure``: both on that procedure's instances, then the grouped path on all)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from national_data import populate

    config = ROOT / "config" / "rules.yaml"
    text = config.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        url = postgres_url or f"sqlite:///{db or Path(tmp) / 'national.db'}"
        if db is None or not db.exists():
            done = populate(url, instances=instances)
            print(f"populated {done.instances:,} open instances, "
                  f"{sum(len(v) for v in done.orgs.values()):,} organizations in "
                  f"{done.seconds['total']:.0f} s "
                  f"({', '.join(f'{k} {v:.0f} s' for k, v in done.seconds.items())})",
                  flush=True)
        store = open_store(url, read_only=True)
        now = dt.datetime.now(dt.UTC)
        try:
            for name, (old, new_text) in CHANGES.items():
                assert text.count(old) == 1, old
                new = load_rules_text(text.replace(old, new_text).replace(
                    'version: "2026.1"', 'version: "2026.2"'), "new.yaml")
                want, t_old, m_old = _timed(_impact_every, store, new, now=now,
                                            procedure=procedure)
                got, t_new, m_new = _timed(impact, store, new, now=now, procedure=procedure)
                assert got == want, name
                n = got.scanned  # type: ignore[attr-defined]
                print(f"{name} [{procedure or 'all'}]: scanned {n:,}, affected "
                      f"{got.affected:,}; per-instance {t_old:.1f} s = {n / t_old:,.0f}/s "  # type: ignore[attr-defined]
                      f"(peak {m_old:.1f} MiB); grouped {t_new:.2f} s = {n / t_new:,.0f}/s "
                      f"(peak {m_new:.1f} MiB); speed-up {t_old / t_new:.0f}x", flush=True)
                if procedure is not None:
                    every, t_all, m_all = _timed(impact, store, new, now=now)
                    n = every.scanned  # type: ignore[attr-defined]
                    print(f"{name} [all]: grouped {t_all:.2f} s = {n / t_all:,.0f}/s over "
                          f"{n:,} (peak {m_all:.1f} MiB)", flush=True)
        finally:
            store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--national", action="store_true",
                        help="national hierarchy and six procedures; both paths timed")
    parser.add_argument("--postgres-url", default=None,
                        help="with --national: an empty PostgreSQL database to populate")
    parser.add_argument("--procedure", default=None,
                        help="with --national: time both paths on this procedure only (slow on SQLite: the per-instance stream of one procedure sorts it per page), "
                             "then the grouped path on the whole store")
    parser.add_argument("--db", type=Path, default=None,
                        help="with --national: a SQLite file to populate, or reuse if it exists")
    args = parser.parse_args()
    if args.national:
        national(args.instances, args.postgres_url, args.db, args.procedure)
        return
    config = ROOT / "config" / "rules.yaml"
    rules = load_rules(config)
    text = config.read_text(encoding="utf-8").replace("value: 3\n        basis: B2",
                                                      "value: 5\n        basis: B2")
    new = load_rules_text(text.replace('version: "2026.1"', 'version: "2026.2"'), "new.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'impact.db'}"
        engine = Engine(rules, store=url, clock=FakeClock(dt.datetime(2026, 3, 2,
                                                                      tzinfo=dt.UTC)))
        engine.import_organizations(load_hierarchy(ROOT / "examples" / "hierarchy.csv", rules))
        unit = Actor("u", "applicant")
        started = time.perf_counter()
        for k in range(args.instances):
            engine.start("branch_establishment", {"full_members": 1 + k % 60,
                                                  "org_form": "branch",
                                                  "parent_org": "dongcheng-street"}, unit)
        created = time.perf_counter() - started
        tracemalloc.start()
        started = time.perf_counter()
        report = impact(engine.store, new, now=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
        took = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        engine.store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"instances {report.scanned:,} (created in {created:.1f} s); affected "
          f"{report.total_affected:,}; impact {took:.2f} s = {report.scanned / took:,.0f} "
          f"instances/s; peak allocated during impact {peak / 2**20:.1f} MiB; "
          f"process peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
