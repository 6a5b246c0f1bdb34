#!/usr/bin/env python
"""Organization imports at national scale: first import, unchanged re-import, 1 % changed.

Run from the repository root:

    PYTHONPATH=. .venv/bin/python bench/org_import_bench.py               # SQLite file only
    PYTHONPATH=. .venv/bin/python bench/org_import_bench.py \\
        --postgres-url postgresql+psycopg://user:pw@127.0.0.1:5432/db --json out.json
    PYTHONPATH=. .venv/bin/python bench/org_import_bench.py --scale 0.01  # a quick run

The list is ``bench/hierarchy_bench.py``'s tree (643,330 organizations at ``--scale 1``),
loaded and checked once with ``load_hierarchy`` (not timed). Each store gets a fresh
database (a SQLite file, WAL, ``synchronous=NORMAL``; a new PostgreSQL schema, dropped
afterwards) and three timed ``Store.put_organizations`` calls, each in one transaction with
its trail:

- ``first``: into the empty store (every organization added, one ``import`` record each);
- ``unchanged``: the same list again (compared, nothing written);
- ``changed_1pct``: every 100th organization changed (communities moved to another street,
  the others renamed): one ``move``/``rename`` record each.

``baseline`` is the bare driver writing the same rows (the whole list) into an empty
``pf_organizations`` of another fresh database, in one transaction: ``executemany`` on
sqlite3, binary ``COPY`` on psycopg (as partyflow's) — no comparison, no trail. It runs before and after the three
imports (the machine is shared: both are printed) and each ``ratio`` is the import's time
over their mean. The trail is verified (``verify_organizations``, not timed) at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from hierarchy_bench import generate  # noqa: E402

from partyflow import Organization, load_hierarchy, load_rules  # noqa: E402
from partyflow.hierarchy import verify_organizations  # noqa: E402
from partyflow.hierarchy.imports import org_key  # noqa: E402
from partyflow.stores.sql import SqlStore  # noqa: E402
from partyflow.testing import scratch_schema  # noqa: E402

AT = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


def organizations(path: Path) -> list[Organization]:
    """The list as ``Engine.import_organizations`` hands it to the store."""
    h = load_hierarchy(path, load_rules(ROOT / "config" / "rules.yaml"))
    return [Organization(o.id, o.name, o.level, o.parent, o.secretary, dict(o.attrs))
            for o in (h.org(i) for i in h.ids())]


def changed(orgs: list[Organization]) -> tuple[list[Organization], int, int]:
    """Every 100th organization changed: communities moved, others renamed."""
    streets = [o.id for o in orgs if o.level == "street"]
    out, moved, renamed = list(orgs), 0, 0
    for k in range(0, len(out), 100):
        o = out[k]
        if o.level == "community" and len(streets) > 1:
            other = streets[k % len(streets)]
            if other == o.parent:
                other = streets[(k + 1) % len(streets)]
            out[k] = dataclasses.replace(o, parent=other)
            moved += 1
        else:
            out[k] = dataclasses.replace(o, name=o.name + "（更名）")
            renamed += 1
    return out, moved, renamed


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


# -- databases -------------------------------------------------------------------------------


@contextmanager
def sqlite_db(tmp: Path) -> Iterator[str]:
    path = tmp / f"orgs-{uuid.uuid4().hex[:8]}.db"
    yield f"sqlite:///{path}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def baseline(url: str, rows: list[tuple[Any, ...]]) -> float:
    """The bare driver writing ``rows`` into an empty ``pf_organizations``, one transaction."""
    SqlStore(url).close()  # the schema, as partyflow creates it
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO pf_organizations (id, name, level, parent, secretary, "
                         "attrs, added_by) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - t0
        conn.close()
        return seconds
    import psycopg
    import sqlalchemy as sa

    u = sa.make_url(url)
    with psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                         dbname=u.database, options=u.query["options"]) as pg:
        t0 = time.perf_counter()
        with pg.cursor() as cur, cur.copy(
                "COPY pf_organizations (id, name, level, parent, secretary, attrs, added_by) "
                "FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["text"] * 7)
            for row in rows:
                copy.write_row(row)
        pg.commit()
        return time.perf_counter() - t0


def run_store(kind: str, db: Callable[[], Any], orgs: list[Organization],
              again: list[Organization], moved: int, renamed: int) -> dict[str, Any]:
    n = len(orgs)
    rows = [org_key(o) for o in orgs]
    figures: dict[str, Any] = {"store": kind, "organizations": n}
    with db() as url:
        figures["baseline_before_s"] = baseline(url, rows)
    with db() as url:
        store = SqlStore(url)
        try:
            expected = {"first": (n, 0, 0), "unchanged": (0, 0, 0),
                        "changed_1pct": (0, moved, renamed)}
            for name, given in (("first", orgs), ("unchanged", orgs), ("changed_1pct", again)):
                seconds, done = timed(lambda g=given: store.put_organizations(
                    g, actor_id="bench", at=AT))
                figures[name] = {"s": round(seconds, 3), "orgs_per_s": round(n / seconds),
                                 "result": done.summary().en}
                print(f"  {kind} {name}: {seconds:.2f} s ({n / seconds:,.0f} orgs/s) — "
                      f"{done.summary().en}", flush=True)
                assert (done.added, done.moved, done.renamed) == expected[name], done
            seconds, checked = timed(lambda: verify_organizations(store, batch=10_000))
            figures["verify"] = {"s": round(seconds, 3), "records": checked}
            assert checked == n + moved + renamed, checked
        finally:
            store.close()
    with db() as url:
        figures["baseline_after_s"] = baseline(url, rows)
    base = (figures["baseline_before_s"] + figures["baseline_after_s"]) / 2
    figures["baseline_s"] = round(base, 3)
    figures["baseline_before_s"] = round(figures["baseline_before_s"], 3)
    figures["baseline_after_s"] = round(figures["baseline_after_s"], 3)
    for name in ("first", "unchanged", "changed_1pct"):
        figures[name]["ratio"] = round(figures[name]["s"] / base, 2)
    print(f"  {kind} baseline (bare driver, whole list): {figures['baseline_before_s']:.2f} s "
          f"before, {figures['baseline_after_s']:.2f} s after", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = national (643,330)")
    parser.add_argument("--postgres-url", default=None,
                        help="postgresql+psycopg://… (a new schema is created and dropped)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pf-org-import-") as tmp_name:
        tmp = Path(tmp_name)
        csv_path = tmp / "orgs.csv"
        generate(csv_path, args.scale)
        orgs = organizations(csv_path)
        again, moved, renamed = changed(orgs)
        report: dict[str, Any] = {
            "command": " ".join(["bench/org_import_bench.py", *sys.argv[1:]]),
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "load_average_before": os.getloadavg(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "cpus": os.cpu_count(),
            "organizations": len(orgs), "moved": moved, "renamed": renamed, "stores": []}
        print(f"{len(orgs):,} organizations; 1 %: {moved:,} moved, {renamed:,} renamed; "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
        if not args.no_sqlite:
            report["stores"].append(run_store("sqlite-file", lambda: sqlite_db(tmp), orgs,
                                              again, moved, renamed))
        if args.postgres_url:
            url = args.postgres_url
            report["stores"].append(run_store("postgresql", lambda: scratch_schema(url, "pf_bench"), orgs,
                                              again, moved, renamed))
        report["load_average_after"] = os.getloadavg()
        report["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")


if __name__ == "__main__":
    main()
