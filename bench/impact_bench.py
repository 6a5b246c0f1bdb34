"""How ``impact`` scales: time and peak memory over N running instances in a SQLite store.

    python bench/impact_bench.py --instances 100000

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
from partyflow.testing import FakeClock  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=100_000)
    args = parser.parse_args()
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
