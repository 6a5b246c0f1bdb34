"""Who an instance names (当事方): the party index an inbox reads instead of every instance of
the procedure — the receiving side of a transfer, the starter, the subject — kept by the
step that sets it and backfilled by the migration that adds it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import sqlalchemy as sa
from alembic import command

from partyflow import Actor, Engine, InstanceQuery, Store, load_hierarchy, load_rules
from partyflow.rules.definitions import STARTER_KEY
from partyflow.stores import migrations
from partyflow.stores.memory import MemoryStore
from partyflow.stores.sql import SqlStore
from partyflow.testing import FakeClock
from partyflow.workflows import queries
from partyflow.workflows.parties import changed_parties, migrated_parties, start_parties
from partyflow.workflows.step import decide

from .conftest import ROOT

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
MEMBER = {"member_kind": "full_member", "move_reason": "residence_changed", "stable_job": True,
          "fixed_residence": True, "employer_has_party_org": False,
          "destination_kind": "community"}
BRANCH = Actor("吴晓梅", "sending_branch", "xingguang")
RECEIVER = Actor("zhou", "receiving_committee", "xinjie-street")


def _engine(store: Store | str) -> Engine:
    rules = load_rules(ROOT / "config" / "rules.yaml")
    eng = Engine(rules, store=store, clock=FakeClock(T0))
    eng.import_organizations(load_hierarchy(ROOT / "examples" / "hierarchy.csv", rules))
    return eng


def _transfers(engine: Engine) -> dict[str, list[str]]:
    made: dict[str, list[str]] = {"xinjie-north": [], "xinjie-south": [], "hepingli-1": []}
    for k in range(9):
        receiving = list(made)[k % 3]
        inst = engine.start("member_transfer", {**MEMBER, "member_id": f"Member.{k}",
                                                "sending_org": "xingguang",
                                                "receiving_org": receiving}, BRANCH)
        engine.fire(inst.id, "submit", BRANCH)
        made[receiving].append(inst.id)
    return made


def test_party_keys_of_the_shipped_transfer() -> None:
    proc = load_rules(ROOT / "config" / "rules.yaml").procedures["member_transfer"]
    assert dict(proc.party_keys) == {"receiving_org": "org", "sending_county": "org",
                                     "receiving_county": "org", "member_id": "person"}
    branch = load_rules(ROOT / "config" / "rules.yaml").procedures["branch_establishment"]
    assert dict(branch.party_keys) == {STARTER_KEY: "person"}


def test_the_receiving_side_reads_only_instances_naming_its_subtree(store: Store) -> None:
    engine = _engine(store)
    made = _transfers(engine)
    mine = sorted(made["xinjie-north"] + made["xinjie-south"])
    assert sorted(i.id for i in queries.candidates(engine.rules, store, RECEIVER)) == mine
    named = InstanceQuery(procedure="member_transfer",
                          named_org=("receiving_org", "xinjie-north"))
    assert sorted(i.id for i in store.find(named)) == sorted(made["xinjie-north"])
    assert store.count(named) == 3
    subject = InstanceQuery(procedure="member_transfer", named_person=("member_id", " member.4"))
    assert [i.id for i in store.find(subject)] == [made["xinjie-south"][1]]  # same_person


def test_a_step_that_changes_a_named_organization_moves_it_in_the_index(store: Store) -> None:
    engine = _engine(store)
    inst = engine.start("member_transfer", {**MEMBER, "member_id": "m1",
                                            "sending_org": "xingguang",
                                            "receiving_org": "xinjie-north"}, BRANCH)
    street = InstanceQuery(named_org=("receiving_org", "xinjie-street"))
    other = InstanceQuery(named_org=("receiving_org", "hepingli-street"))
    assert (store.count(street), store.count(other)) == (1, 0)
    # the step rewrites the key it changes, in its own transaction (and removes a None)
    step = decide(engine._context(inst), inst, "submit", BRANCH, {}, engine.clock.now())
    step.parties = {"receiving_org": "hepingli-1", "member_id": None}
    engine._commit(step)
    assert (store.count(street), store.count(other)) == (0, 1)
    assert store.count(InstanceQuery(named_person=("member_id", "m1"))) == 0


def test_changed_parties_names_only_what_changed() -> None:
    proc = load_rules(ROOT / "config" / "rules.yaml").procedures["member_transfer"]
    data = {"receiving_org": "a", "member_id": "M1", "sending_county": "c"}
    assert start_parties(proc, data, "Starter") == {
        "receiving_org": "a", "member_id": "m1", "sending_county": "c"}  # no starter binding
    assert changed_parties(proc, data, data) is None
    assert changed_parties(proc, data, {**data, "receiving_org": "b", "member_id": None}) == {
        "receiving_org": "b", "member_id": None}
    branch = load_rules(ROOT / "config" / "rules.yaml").procedures["branch_establishment"]
    assert migrated_parties(proc, branch, data, "Wang.Li ") == {
        "receiving_org": None, "member_id": None, "sending_county": None,
        "receiving_county": None, STARTER_KEY: "wang.li"}


def test_a_migration_rewrites_the_parties_and_the_upgrade_backfills_them(
        sql_url: str) -> None:
    engine = _engine(sql_url)
    made = _transfers(engine)
    engine.start("branch_establishment", {"full_members": 5, "org_form": "branch",
                                          "parent_org": "dongcheng-street"},
                 Actor("Applicant.A", "applicant"))
    store = engine.store
    assert isinstance(store, SqlStore)
    read = sa.text("SELECT instance_id, party, value FROM pf_instance_parties "
                   "ORDER BY instance_id, party")
    with store.engine.connect() as conn:
        written = conn.execute(read).fetchall()
    assert ("applicant.a" in {r[2] for r in written})  # the starter, as persons compare
    assert len({r[0] for r in written}) == 10
    engine.close()
    db = sa.create_engine(sql_url)
    try:
        with db.begin() as conn:
            command.downgrade(migrations.config(conn), "0006")
        assert not sa.inspect(db).has_table("pf_instance_parties")
        migrations.upgrade(db)
        with db.connect() as conn:
            assert conn.execute(read).fetchall() == written
    finally:
        db.dispose()
    again = SqlStore(sql_url)
    try:
        receiving = sorted(i.id for i in queries.candidates(engine.rules, again, RECEIVER))
        assert receiving == sorted(made["xinjie-north"] + made["xinjie-south"])
    finally:
        again.close()


class _Unindexed(MemoryStore):
    """A store that keeps no party index (one written before it existed)."""

    def named(self, key: str, values: Collection[str]) -> set[str] | None:
        return None


def test_a_store_without_the_index_reads_the_same_from_each_instance() -> None:
    plain, indexed = _Unindexed(), MemoryStore()
    results = []
    for store in (plain, indexed):
        engine = _engine(store)
        _transfers(engine)
        engine.start("branch_establishment", {"full_members": 5, "org_form": "branch",
                                              "parent_org": "dongcheng-street"},
                     Actor("Applicant.A", "applicant"))
        results.append([
            sum(1 for _ in queries.candidates(engine.rules, store, RECEIVER)),
            store.count(InstanceQuery(named_person=("member_id", "MEMBER.4"))),
            store.count(InstanceQuery(named_person=(STARTER_KEY, "applicant.a "))),
            store.count(InstanceQuery(named_org=("receiving_org", "xinjie-south"))),
        ])
    assert results[0] == results[1] == [6, 1, 1, 3]
