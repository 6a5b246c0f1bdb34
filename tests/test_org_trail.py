"""The hierarchy's own trail (组织体系留痕), on every store: imports, updates and
establishments are recorded with actor and time in one hash chain, written with the rows, and
every change made around the engine — by SQL on the database, or on the memory store's
dicts — is found by ``verify_organizations``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
from collections.abc import Callable

import pytest

from partyflow import (
    Actor,
    AuditChainBroken,
    Engine,
    MemoryStore,
    Organization,
    load_hierarchy,
    load_rules,
)
from partyflow.hierarchy import SYSTEM_ORG_ACTOR, verify_organizations
from partyflow.hierarchy.trail import org_row, rehash_org
from partyflow.stores.base import Store
from partyflow.testing import FakeClock

from .conftest import FIXTURES, ROOT

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HIERARCHY = ROOT / "examples" / "hierarchy.csv"  # 17 organizations; xingguang's secretary 吴晓梅


@pytest.fixture
def h_engine(store: Store) -> Engine:
    rules = load_rules(FIXTURES / "authority.yaml")
    engine = Engine(rules, store=store, clock=FakeClock(T0))
    engine.import_organizations(load_hierarchy(HIERARCHY, rules), actor_id="org.admin")
    return engine


def _sql(store: Store, statement: str, **params: object) -> None:
    """Run ``statement`` on the store's database, as someone with write access would."""
    import sqlalchemy as sa

    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(sa.text(statement), params)


def _establish(engine: Engine, new_id: str = "dc-new") -> str:
    iid = engine.start("request", {"home_org": "dongcheng-street"}, Actor("a-1", "applicant")).id
    engine.fire(iid, "check", Actor("x", "reviewer", "dongcheng"))
    engine.fire(iid, "submit", Actor("y", "reviewer", "dongcheng"))
    engine.clock.advance(dt.timedelta(hours=1))  # type: ignore[attr-defined]
    engine.fire(iid, "finish", Actor("y", "reviewer", "dongcheng"),
                {"new_id": new_id, "new_name": "新社区党支部"})
    return iid


def test_an_import_is_recorded_with_actor_and_time(h_engine: Engine) -> None:
    trail = list(h_engine.store.org_history())
    assert [r.seq for r in trail] == list(range(1, 18))
    assert {(r.action, r.actor_id, r.at) for r in trail} == {("import", "org.admin", T0)}
    assert trail[0].prev_hash == "" and all(
        b.prev_hash == a.hash for a, b in itertools.pairwise(trail))
    assert {r.org_id for r in trail} == {o.id for o in h_engine.store.organizations()}
    assert h_engine.store.org_head() == trail[-1]
    assert h_engine.store.org_record(5) == trail[4]
    assert h_engine.store.org_record(18) is None
    assert list(h_engine.store.org_history(after_seq=15, batch=1)) == trail[15:]
    assert h_engine.verify_organizations() == 17


def test_reimporting_records_only_what_changed(h_engine: Engine) -> None:
    rules = h_engine.rules
    h_engine.clock.advance(dt.timedelta(days=1))  # type: ignore[attr-defined]
    again = h_engine.import_organizations(load_hierarchy(HIERARCHY, rules))
    assert (again.given, again.unchanged, again.changed) == (17, 17, 0)
    assert h_engine.store.org_head().seq == 17  # type: ignore[union-attr]
    org = h_engine.organization("xingguang")
    moved = dataclasses.replace(org, secretary="新书记")
    added = Organization("xg-grid-9", "第九网格", "grid", "xingguang", None, {"leader": "李"})
    done = h_engine.store.put_organizations([moved, added])  # no actor: the system's
    assert (done.given, done.updated, done.added, done.missing) == (2, 1, 1, 16)
    new, update = list(h_engine.store.org_history(after_seq=17))  # by id
    assert (update.action, update.org_id, update.actor_id) == ("update", "xingguang",
                                                              SYSTEM_ORG_ACTOR)
    assert update.row == org_row(moved) and update.row["secretary"] == "新书记"
    assert (new.action, new.org_id, new.row["attrs"]) == ("import", "xg-grid-9", {"leader": "李"})
    assert update.at.tzinfo is not None
    assert h_engine.verify_organizations() == 19


def test_an_establishment_is_recorded_with_the_step(h_engine: Engine) -> None:
    iid = _establish(h_engine)
    step = h_engine.history(iid)[-1]
    rec = h_engine.store.org_head()
    assert rec is not None and rec.seq == 18
    assert (rec.action, rec.org_id, rec.actor_id, rec.at) == ("establish", "dc-new", "y",
                                                              step.at)
    assert rec.at == T0 + dt.timedelta(hours=1)
    assert rec.row == org_row(h_engine.organization("dc-new"))
    assert rec.row["added_by"] == iid and rec.row["parent"] == "dongcheng-street"
    assert h_engine.verify_organizations() == 18


def test_a_failed_write_records_nothing(h_engine: Engine) -> None:
    good = Organization("ok-1", "好", "grid", "xingguang", None)
    bad = Organization("bad-1", "坏", "grid", "xingguang", None, {"when": dt.date(2026, 1, 1)})
    with pytest.raises(TypeError):  # attrs must be JSON values
        h_engine.store.put_organizations([good, bad])
    assert h_engine.store.organization("ok-1") is None
    assert h_engine.store.org_head().seq == 17  # type: ignore[union-attr]
    assert h_engine.verify_organizations() == 17


def test_concurrent_imports_keep_one_unbroken_chain(h_engine: Engine) -> None:
    store = h_engine.store
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            for i in range(8):
                store.put_organizations(
                    [Organization(f"t{n}-{i}", f"网格 {n}-{i}", "grid", "xingguang", None)],
                    actor_id=f"admin-{n}", at=T0)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert h_engine.verify_organizations() == 17 + 32


# -- tampering: each change made around the engine is found -------------------------------------


Tamper = Callable[[Store], None]


def _reparent(store: Store) -> None:
    if isinstance(store, MemoryStore):
        org = store.organization("xingguang")
        assert org is not None
        store._replace_org(org.id, dataclasses.replace(org, parent="hepingli-street"))
    else:
        _sql(store, "UPDATE pf_organizations SET parent = 'hepingli-street' WHERE id = 'xingguang'")


def _secretary(store: Store) -> None:
    if isinstance(store, MemoryStore):
        org = store.organization("xingguang")
        assert org is not None
        store._replace_org(org.id, dataclasses.replace(org, secretary="冒名者"))
    else:
        _sql(store, "UPDATE pf_organizations SET secretary = '冒名者' WHERE id = 'xingguang'")


def _delete_org(store: Store) -> None:
    if isinstance(store, MemoryStore):
        store._replace_org("xingguang", None)
    else:
        _sql(store, "DELETE FROM pf_organizations WHERE id = 'xingguang'")


def _insert_org(store: Store) -> None:
    if isinstance(store, MemoryStore):
        store._replace_org("zz-fake", Organization("zz-fake", "假组织", "community",
                                                   "dongcheng-street", "冒名者"))
    else:
        _sql(store, "INSERT INTO pf_organizations (id, name, level, parent, secretary, attrs) "
                    "VALUES ('zz-fake', '假组织', 'community', 'dongcheng-street', '冒名者', '{}')")


def _seq_of(store: Store, org_id: str) -> int:
    return next(r.seq for r in store.org_history() if r.org_id == org_id)


def _edit_record(store: Store) -> None:
    """The trail record of xingguang says another secretary (its hash left as it was)."""
    seq = _seq_of(store, "xingguang")
    if isinstance(store, MemoryStore):
        rec = store._org_trail[seq - 1]
        store._replace_org_record(seq - 1, dataclasses.replace(
            rec, row={**rec.row, "secretary": "冒名者"}))
    else:
        _sql(store, "UPDATE pf_org_audit SET org_row = REPLACE(org_row, '吴晓梅', '冒名者') "
                    "WHERE seq = :seq", seq=seq)


def _edit_record_and_rehash(store: Store) -> None:
    """As ``_edit_record``, with the record's hash recomputed by the public function."""
    seq = _seq_of(store, "xingguang")
    rec = store.org_record(seq)
    assert rec is not None
    forged = dataclasses.replace(rec, row={**rec.row, "secretary": "冒名者"})
    forged = dataclasses.replace(forged, hash=rehash_org(forged))
    if isinstance(store, MemoryStore):
        store._replace_org_record(seq - 1, forged)
    else:
        _sql(store, "UPDATE pf_org_audit SET org_row = REPLACE(org_row, '吴晓梅', '冒名者'), "
                    "hash = :h WHERE seq = :seq", h=forged.hash, seq=seq)


def _delete_record(store: Store) -> None:
    if isinstance(store, MemoryStore):
        store._replace_org_record(4, None)
    else:
        _sql(store, "DELETE FROM pf_org_audit WHERE seq = 5")


def _delete_last_record(store: Store) -> None:
    """The newest record (an establishment) is removed: its organization has none left."""
    if isinstance(store, MemoryStore):
        store._replace_org_record(-1, None)
    else:
        _sql(store, "DELETE FROM pf_org_audit WHERE seq = 18")


TAMPERING: dict[str, tuple[Tamper, str, str, str | int]] = {
    # name: (tamper, reason, org_id, seq — or "xingguang" for that organization's record)
    "re-parent a row": (_reparent, "org_mismatch", "xingguang", "xingguang"),
    "edit a secretary": (_secretary, "org_mismatch", "xingguang", "xingguang"),
    "delete a row": (_delete_org, "org_deleted", "xingguang", "xingguang"),
    "insert a row": (_insert_org, "org_unrecorded", "zz-fake", 0),
    "edit a record": (_edit_record, "hash_mismatch", "xingguang", "xingguang"),
    "edit a record and rehash it": (_edit_record_and_rehash, "link_mismatch", "?", "next"),
    "delete a record": (_delete_record, "sequence_gap", "?", 5),
    "delete the newest record": (_delete_last_record, "org_unrecorded", "dc-new", 0),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_tampering_is_detected(h_engine: Engine, case: str) -> None:
    _establish(h_engine)
    store = h_engine.store
    assert h_engine.verify_organizations() == 18
    tamper, reason, org_id, seq = TAMPERING[case]
    xingguang = _seq_of(store, "xingguang")
    tamper(store)
    with pytest.raises(AuditChainBroken) as exc:
        h_engine.verify_organizations()
    err = exc.value
    assert err.reason == reason
    assert err.instance_id is None
    expected_seq = {"xingguang": xingguang, "next": xingguang + 1}.get(str(seq), seq)
    assert err.seq == expected_seq
    assert err.org_id == org_id if org_id != "?" else err.org_id is not None
    assert f"organization {err.org_id}" in err.message("en")
    assert f"组织 {err.org_id}" in err.message("zh")
    with pytest.raises(AuditChainBroken):  # the library function is what the engine runs
        verify_organizations(store)


def test_an_empty_store_verifies(store: Store) -> None:
    assert verify_organizations(store) == 0
    assert store.org_head() is None


@pytest.mark.parametrize("backend", ["sqlite-file", "postgresql"])
def test_organizations_from_before_the_trail_get_a_first_record(backend: str,
                                                                tmp_path: object) -> None:
    """Upgrading a store that already holds organizations (revision 0003) records each once,
    as imported by the migration, so the upgraded store verifies and later changes chain on."""
    import contextlib

    import sqlalchemy as sa

    from partyflow.stores import migrations
    from partyflow.stores.sql import SqlStore

    from .conftest import postgres_schema

    with contextlib.ExitStack() as stack:
        url = (stack.enter_context(postgres_schema()) if backend == "postgresql"
               else f"sqlite:///{tmp_path}/old.db")
        engine = sa.create_engine(url)
        try:
            migrations.upgrade(engine, "0003")
            with engine.begin() as conn:
                for oid, parent in (("b", "a"), ("a", None)):
                    conn.execute(sa.text(
                        "INSERT INTO pf_organizations (id, name, level, parent, secretary, attrs)"
                        " VALUES (:i, '组织', 'city', :p, NULL, :a)"),
                        {"i": oid, "p": parent, "a": '{"x":1.5}'})
        finally:
            engine.dispose()
        store = SqlStore(url)
        try:
            trail = list(store.org_history())
            assert [(r.seq, r.org_id, r.action, r.actor_id) for r in trail] == [
                (1, "a", "import", "partyflow.migration:0005"),
                (2, "b", "import", "partyflow.migration:0005")]
            assert trail[0].row["attrs"] == {"x": 1.5}
            assert verify_organizations(store) == 2
            store.put_organizations([Organization("c", "新", "city", "a", None)], at=T0)
            assert verify_organizations(store) == 3
        finally:
            store.close()
