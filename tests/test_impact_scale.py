"""``impact`` by group gives exactly the report of judging every instance one by one.

Randomized stores (two procedures, two pinned versions, every state, random data and times)
and randomized rules changes (a parameter, a condition's text, roles, authority, a deadline,
a removed state, a removed procedure, unreadable pinned rules, and mixes of them): the grouped
``impact`` and the per-instance ``_impact_every`` must agree on every figure, group, basis and
example, on every store.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from partyflow import Actor, ConditionFailed, Engine, InstanceQuery, RuleSet, load_rules_text
from partyflow.policy.impact import ImpactReport, _impact_every, impact
from partyflow.stores.base import InstanceGroup, Store
from partyflow.stores.open import open_store
from partyflow.testing import FakeClock

from .conftest import postgres_schema
from .edits import CONFIG, MINI, edited_text

SEC = Actor("sec-1", "secretary", "community-1")
SUP = Actor("sup-1", "superior", "street-1")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

_PROC = MINI.read_text(encoding="utf-8").split("procedures:\n", 1)[1]
BASE = MINI.read_text(encoding="utf-8") + _PROC.replace("  mini_election:", "  mini_second:", 1)
"""mini.yaml with a second procedure, a copy of the first."""

EDITS: dict[str, list[tuple[str, str]]] = {
    "parameter": [('value: "4/5"', 'value: "5/6"')],
    "guard_text": [('expr: "!blank(reason)"', 'expr: "!blank(event.reason)"')],
    "guard_rewritten": [("expr: exceeds(present, expected, election_quorum)",
                         "expr: present * 2 > expected")],
    "roles": [("""      - trigger: approve
        source: [under_review, escalated]
        dest: approved
        roles: [superior]""", """      - trigger: approve
        source: [under_review, escalated]
        dest: approved
        roles: [secretary, superior]""")],
    "authority": [('superior: {open: {zh: 测试用规则，不接组织体系, en: "a test fixture without a '
                   'hierarchy"}}', 'superior: {open: {zh: 改为公开, en: "now open"}}')],
    "deadline": [("value: P1M", "value: P10D")],
    "deadline_longer": [("value: P1M", "value: P3M")],
    "state_removed": [("      escalated: {label: {zh: 已督办, en: Escalated}}\n", ""),
                      ("source: [under_review, escalated]", "source: under_review"),
                      ("        on_timeout: escalate", "        on_timeout: time_out"),
                      ("""      - trigger: escalate
        source: under_review
        dest: escalated""", """      - trigger: time_out
        source: under_review
        dest: rejected""")],
}
"""Each edit applies to both procedures (``count=None``)."""


def _rules(version: str, edits: list[tuple[str, str]], base: str = BASE) -> RuleSet:
    text = edited_text(base, ('version: "test-1"', f'version: "{version}"'), *edits,
                       count=None)
    return load_rules_text(text, f"{version}.yaml")


def _without_second(text: str) -> str:
    return text.split("  mini_second:", 1)[0]


class Forgetful:
    """A store that has lost the text of one pinned rules version."""

    def __init__(self, inner: Store, forgotten: str) -> None:
        self.inner, self.forgotten = inner, forgotten

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def rules_source(self, content_hash: str) -> str | None:
        return None if content_hash == self.forgotten else self.inner.rules_source(content_hash)


def _populate(store: Store, seed: int) -> tuple[RuleSet, RuleSet]:
    """Random instances in every state of both procedures under two versions of the rules."""
    rnd = random.Random(seed)
    v1 = _rules("test-1", [])
    v0 = _rules("test-0", [("value: P1M", "value: P2M"), ('value: "4/5"', 'value: "3/4"')])
    clock = FakeClock(T0 - dt.timedelta(days=45))
    engines = [Engine(v, store=store, clock=clock) for v in (v0, v1)]
    for _ in range(rnd.randint(25, 45)):
        engine = rnd.choice(engines)
        proc = rnd.choice(["mini_election", "mini_second"])
        expected = rnd.randint(5, 50)
        data: dict[str, object] = {"expected": expected}
        if rnd.random() < 0.3:  # more than 4/5, not more than 5/6
            expected, data = 40, {"expected": 40, "present": 33}
        elif rnd.random() < 0.7:
            data["present"] = rnd.randint(0, expected)
        if rnd.random() < 0.3:
            data["reason"] = rnd.choice(["", "不符合条件"])
        iid = engine.start(proc, data, SEC).id
        clock.advance(f"PT{rnd.randint(0, 6)}H")
        path = rnd.choice([[], ["vote"], ["vote", "report"], ["vote", "report", "escalate"],
                           ["vote", "report", "approve"]])
        for trigger in path:
            who = SUP if trigger in ("approve", "escalate") else SEC
            extra = {"present": expected} if trigger == "vote" else {}
            try:
                engine.fire(iid, trigger, who, extra)
            except ConditionFailed:
                break
            clock.advance(f"PT{rnd.randint(0, 30)}H")
    if rnd.random() < 0.5:  # some escalated by the clock, others overdue but not yet
        clock.advance("P12D")
        engines[1].tick()
    return v0, v1


def _cases(v1_text: str) -> Iterator[tuple[str, RuleSet]]:
    for name, edits in EDITS.items():
        yield name, _rules("test-2", edits)
    yield "procedure_removed", _rules("test-2", [], _without_second(v1_text))
    yield "mixed", _rules("test-2", EDITS["parameter"] + EDITS["roles"] + EDITS["deadline"])
    yield "mixed_removed", _rules("test-2", EDITS["guard_text"] + EDITS["state_removed"]
                                  + EDITS["authority"], _without_second(v1_text))
    yield "unchanged", _rules("test-1", [])  # the instances' own rules: nothing to do


def _same(store: object, new: RuleSet, *, procedure: str | None = None,
          examples: int = 20) -> ImpactReport:
    now = T0 + dt.timedelta(days=3)
    got = impact(store, new, now=now, examples=examples,  # type: ignore[arg-type]
                 procedure=procedure)
    want = _impact_every(store, new, now=now, examples=examples,  # type: ignore[arg-type]
                         procedure=procedure)
    assert got == want
    return got


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_grouped_impact_equals_judging_every_instance(store: Store, seed: int) -> None:
    v0, v1 = _populate(store, seed)
    kinds: set[str] = set()
    for _name, new in _cases(v1.source):
        report = _same(store, new)
        kinds |= {g.kind for g in report.rows()}
        _same(store, new, examples=1)
        _same(store, new, examples=0)
        _same(store, new, procedure="mini_second")
    _same(Forgetful(store, v0.content_hash), _rules("test-2", EDITS["deadline"]))
    _same(Forgetful(store, v1.content_hash), _rules("test-2", EDITS["parameter"]), examples=3)
    assert {"now_fails", "roles_changed", "deadline_moved", "state_removed",
            "not_evaluated", "overdue_at_once"} <= kinds  # the cases reach every finding


def test_rules_that_cannot_be_read_are_one_group_each(store: Store) -> None:
    v0, _v1 = _populate(store, 4)
    report = _same(Forgetful(store, v0.content_hash), _rules("test-2", []))
    unavailable = [g for g in report.rows() if g.kind == "rules_unavailable"]
    assert unavailable and all(g.detail == "test-0: missing" for g in unavailable)


def test_the_store_counts_open_instances_by_procedure_version_and_state(store: Store) -> None:
    v0, v1 = _populate(store, 5)
    counts: dict[tuple[str, str, str, str], int] = {}
    for inst in store.instances(open_only=True):
        key = (inst.procedure, inst.rules_hash, inst.rules_version, inst.state)
        counts[key] = counts.get(key, 0) + 1
    groups = store.instance_groups()
    assert {g.key: g.count for g in groups} == counts
    assert [g.key for g in groups] == sorted(counts)
    assert sum(g.count for g in store.instance_groups("mini_second")) == sum(
        n for k, n in counts.items() if k[0] == "mini_second")
    biggest = max(groups, key=lambda g: g.count)
    ids = [i.id for i in store.group_instances(biggest, batch=2)]
    assert len(ids) == biggest.count and ids == sorted(ids)
    assert store.group_ids(biggest, 3) == ids[:3]
    assert store.group_ids(biggest, 0) == []
    missing = InstanceGroup("mini_election", v1.content_hash, "test-1", "nowhere", 0)
    assert list(store.group_instances(missing)) == [] and store.group_ids(missing, 5) == []
    assert {v0.content_hash, v1.content_hash} >= {g.rules_hash for g in groups}


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_national_data_clones_verify_and_impact_agrees(backend: str, tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from national_data import populate  # type: ignore[import-not-found]

    if backend == "postgresql":
        with postgres_schema() as url:
            _check_national(populate(url, instances=300, scale=0.001))
    else:
        _check_national(populate(f"sqlite:///{tmp_path / 'n.db'}", instances=300,
                                 scale=0.001))


def _check_national(done: Any) -> None:
    store = open_store(done.url)
    try:
        assert done.instances == 300 and len(done.counts) >= 30  # six procedures, their states
        assert {p for p, _ in done.counts} == set(done.rules.procedures)
        engine = Engine(done.rules, store=store)
        assert engine.verify_organizations() == sum(len(v) for v in done.orgs.values())
        groups = store.instance_groups()
        assert {(g.procedure, g.state): g.count for g in groups} == done.counts
        ids = [i.id for i in store.instances(open_only=True)]
        assert len(ids) == 300
        for iid in random.Random(1).sample(ids, 40):
            assert engine.verify(iid) >= 1
        transfers = [i for i in store.instances("member_transfer") if i.data.get("member_id")]
        assert transfers
        for inst in transfers[:10]:  # each clone names its member (the party index)
            named = InstanceQuery(named_person=("member_id", inst.data["member_id"]))
            assert inst.id in {i.id for i in store.find(named, limit=1000)}
        orgs = {o for level in done.orgs.values() for o in level}
        assert {i.org for i in store.instances()} <= orgs | {None}
        new = load_rules_text(edited_text(
            CONFIG, ("value: 3\n        basis: B2", "value: 5\n        basis: B2"),
            ('version: "2026.1"', 'version: "2026.2"')), "new.yaml")
        now = dt.datetime.now(dt.UTC)
        assert impact(store, new, now=now) == _impact_every(store, new, now=now)
    finally:
        store.close()
