"""What a tick's escalation reads (issue #17 item 4): each due instance's responsibility chain
is one recursive query, whatever the depth, and the number of statements per escalated
instance does not depend on how many organizations or instances the store holds."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from partyflow import Actor, Engine, load_hierarchy, load_rules
from partyflow.stores.sql import SqlStore
from partyflow.testing import FakeClock

from .conftest import FIXTURES, ROOT

AUTHORITY = FIXTURES / "authority.yaml"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, Counter[str]]]:
    rules = load_rules(AUTHORITY)
    store = SqlStore(f"sqlite:///{tmp_path / 'scale.db'}")
    engine = Engine(rules, store=store, clock=FakeClock(T0))
    engine.import_organizations(load_hierarchy(ROOT / "examples" / "hierarchy.csv", rules))
    seen: Counter[str] = Counter()
    run = store._run

    def counting(conn: Any, key: str, params: Any) -> Any:
        seen[key] += 1
        return run(conn, key, params)

    monkeypatch.setattr(store, "_run", counting)
    yield engine, seen
    store.close()


def _due(engine: Engine, n: int) -> list[str]:
    ids = []
    for _ in range(n):
        iid = engine.start("request", {"home_org": "xingguang"}, Actor("a-1", "applicant")).id
        engine.fire(iid, "check", Actor("吴晓梅", "branch_secretary", "xingguang"))
        engine.fire(iid, "submit", Actor("zhao.min", "reviewer", "dongcheng-street"))
        ids.append(iid)
    return ids


@pytest.mark.parametrize("n", [1, 4])
def test_each_escalation_reads_its_chain_in_one_query(
        counted: tuple[Engine, Counter[str]], n: int) -> None:
    engine, seen = counted
    ids = _due(engine, n)
    clock = engine.clock
    assert isinstance(clock, FakeClock)
    clock.set(dt.datetime(2026, 3, 13, tzinfo=BEIJING))
    seen.clear()
    report = engine.tick()
    assert sorted(e[0] for e in report.escalated) == sorted(ids)
    assert seen["lineage"] == n  # one chain read per escalated instance
    assert seen["get_org"] == 0  # never walked one organization at a time
    per_instance = {k: v for k, v in seen.items() if k in ("lineage", "record", "update",
                                                           "insert_audit")}
    assert per_instance == dict.fromkeys(("lineage", "record", "update", "insert_audit"), n)
    pages = {k: v for k, v in seen.items() if k not in per_instance}
    assert pages == {"reminders_due": 1, "overdue": 1, "overdue_after": 1}  # one batch each
