"""Database failures reach callers as ``StoreError`` (a ``PartyflowError``), never as raw driver
exceptions, and say whether anything may have been written."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from partyflow import Actor, Engine, RuleSet, StoreError
from partyflow.stores.sql import SqlStore

SEC = Actor("sec-1", "secretary", "community-1")


def _engine(mini_rules: RuleSet, tmp_path: Path) -> tuple[Engine, SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'pf.db'}")
    return Engine(mini_rules, store=store), store


def test_a_failing_statement_writes_nothing(mini_rules: RuleSet, tmp_path: Path) -> None:
    engine, store = _engine(mini_rules, tmp_path)
    inst = engine.start("mini_election", {"expected": 40}, SEC)
    other = sqlite3.connect(tmp_path / "pf.db")
    other.execute("ALTER TABLE pf_audit RENAME TO pf_audit_gone")  # the next INSERT fails
    other.commit()
    with pytest.raises(StoreError) as exc:
        engine.fire(inst.id, "vote", SEC, {"present": 33})
    assert exc.value.outcome_unknown is False
    assert "nothing was written" in exc.value.message("en")
    other.execute("ALTER TABLE pf_audit_gone RENAME TO pf_audit")
    other.commit()
    other.close()
    assert engine.get(inst.id) == inst  # the UPDATE of the same transaction was rolled back
    assert len(engine.history(inst.id)) == 1
    store.close()


def test_a_failing_commit_says_the_outcome_is_unknown(mini_rules: RuleSet,
                                                     tmp_path: Path) -> None:
    engine, store = _engine(mini_rules, tmp_path)
    inst = engine.start("mini_election", {"expected": 40}, SEC)
    real = store._local.dbapi

    class FailingCommit:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def commit(self) -> None:
            raise sqlite3.OperationalError("disk I/O error")

    store._local.dbapi = FailingCommit()
    with pytest.raises(StoreError) as exc:
        engine.fire(inst.id, "vote", SEC, {"present": 33}, idempotency_key="k-1")
    assert exc.value.outcome_unknown is True
    assert "disk I/O error" in exc.value.cause
    assert "idempotency key" in exc.value.message("en")
    store._local.dbapi = real
    # the retry the message asks for is safe: the step is recorded exactly once
    engine.fire(inst.id, "vote", SEC, {"present": 33}, idempotency_key="k-1")
    assert [r.trigger for r in engine.history(inst.id)] == ["start", "vote"]
    store.close()


def test_an_unreachable_server_is_a_store_error() -> None:
    with pytest.raises(StoreError) as exc:
        SqlStore("postgresql+psycopg://nobody:pw@127.0.0.1:1/none?connect_timeout=2")
    assert exc.value.outcome_unknown is False
    assert "PostgreSQL" in exc.value.message("en")


def test_a_commit_the_database_refused_says_nothing_was_written(mini_rules: RuleSet,
                                                                tmp_path: Path) -> None:
    """A full disk is SQLite refusing the commit: the outcome is known (nothing written), so
    the error does not send the caller to retry an unknown outcome."""
    engine, store = _engine(mini_rules, tmp_path)
    inst = engine.start("mini_election", {"expected": 40}, SEC)
    real = store._local.dbapi
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorname = "SQLITE_FULL"

    class FullDisk:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def commit(self) -> None:
            raise full

    store._local.dbapi = FullDisk()
    with pytest.raises(StoreError) as exc:
        engine.fire(inst.id, "vote", SEC, {"present": 33})
    assert exc.value.outcome_unknown is False
    assert "nothing was written" in exc.value.message("en")
    store._local.dbapi = real
    assert [r.trigger for r in engine.history(inst.id)] == ["start"]
    store.close()


@pytest.mark.parametrize(("sqlstate", "unknown"), [
    ("22001", False), ("23505", False), ("40001", False), ("08006", True), ("57P01", True),
    (None, True),
])
def test_a_postgresql_failure_is_unknown_only_when_the_link_failed(
        sqlstate: str | None, unknown: bool) -> None:
    store = SqlStore("postgresql+psycopg://nobody:pw@127.0.0.1:1/none", create=False)

    class Failure(Exception):
        pass

    failure = Failure("server said no")
    failure.sqlstate = sqlstate  # type: ignore[attr-defined]
    assert store._store_error(failure, committing=True).outcome_unknown is unknown
    assert store._store_error(failure, committing=False).outcome_unknown is False


def test_a_constraint_other_than_a_taken_key_is_a_store_error_not_a_conflict(
        sql_url: str) -> None:
    """A row the database refuses for another reason (a CHECK, a trigger, an id that falls in
    no partition) is a StoreError with nothing written, never "already exists"."""
    import sqlalchemy as sa

    from partyflow import Actor, ConcurrentUpdate, Engine, StoreError, load_rules

    from .conftest import ROOT

    store = SqlStore(sql_url)
    try:
        with store.engine.begin() as conn:
            if store.engine.dialect.name == "sqlite":
                conn.exec_driver_sql(
                    "CREATE TRIGGER no_partition BEFORE INSERT ON pf_instances "
                    "WHEN NEW.id LIKE 'x%' BEGIN SELECT RAISE(ABORT, 'no partition'); END")
            else:
                conn.exec_driver_sql("ALTER TABLE pf_instances ADD CONSTRAINT no_partition "
                                     "CHECK (left(id, 1) <> 'x')")
        engine = Engine(load_rules(ROOT / "config" / "rules.yaml"), store=store)
        applicant = Actor("a-1", "applicant")
        data = {"full_members": 5, "org_form": "branch", "parent_org": None}
        with pytest.raises(StoreError) as caught:
            engine.start("branch_establishment", data, applicant, instance_id="x1")
        assert not isinstance(caught.value, ConcurrentUpdate)
        assert not caught.value.outcome_unknown
        engine.start("branch_establishment", data, applicant, instance_id="y1")
        with pytest.raises(ConcurrentUpdate):  # a taken id is still a conflict
            engine.start("branch_establishment", data, applicant, instance_id="y1")
        with store.engine.connect() as conn:
            ids = conn.execute(sa.text("SELECT id FROM pf_instances")).scalars().all()
        assert ids == ["y1"]
    finally:
        store.close()
