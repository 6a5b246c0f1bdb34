"""Schema migrations (Alembic) for SqlStore, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from partyflow.errors import StoreError
from partyflow.stores import migrations
from partyflow.stores.schema import metadata
from partyflow.stores.sql import SqlStore
from partyflow.workflows.records import Organization

from .conftest import postgres_schema


@pytest.fixture
def db_url(sql_url: str) -> str:
    return sql_url


def _state(url: str) -> tuple[list[Any], list[Any], list[Any]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, metadata)
            versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
            schema = conn.exec_driver_sql("SELECT version FROM pf_schema").fetchall()
        return diff, [tuple(r) for r in versions], [tuple(r) for r in schema]
    finally:
        engine.dispose()


def test_upgrade_creates_exactly_the_metadata(db_url: str) -> None:
    SqlStore(db_url).close()
    assert _state(db_url) == ([], [(migrations.head(),)], [(1,)])
    SqlStore(db_url).close()  # a second open changes nothing
    assert _state(db_url) == ([], [(migrations.head(),)], [(1,)])


def test_downgrade_and_upgrade_again(db_url: str) -> None:
    SqlStore(db_url).close()
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(migrations.config(conn), "base")
        assert not sa.inspect(engine).has_table("pf_instances")
        migrations.upgrade(engine)
    finally:
        engine.dispose()
    assert _state(db_url)[0] == []


def test_database_from_before_migrations_is_adopted(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:  # what SqlStore.create_schema did before: create_all + pf_schema row, no alembic
        with engine.begin() as conn:  # (the tables of then are those of revision 0001)
            command.upgrade(migrations.config(conn), migrations.FIRST)
            conn.execute(sa.text(f"DROP TABLE {migrations.VERSION_TABLE}"))
            conn.execute(sa.text("INSERT INTO pf_rules VALUES ('h', 'v', 'src')"))
    finally:
        engine.dispose()
    store = SqlStore(db_url)
    try:
        assert store.rules_source("h") == "src"
    finally:
        store.close()
    assert _state(db_url) == ([], [(migrations.head(),)], [(1,)])


def test_without_create_nothing_is_made(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    SqlStore(url, create=False).close()
    engine = sa.create_engine(url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def _open(url: str, barrier: Any, out: Any) -> None:
    try:
        barrier.wait(60)
        store = SqlStore(url)
        store.save_rules("h", "v", "src")
        store.close()
        out.put(None)
    except BaseException as exc:
        out.put(repr(exc))


def test_processes_starting_at_once_migrate_once(db_url: str) -> None:
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(6), ctx.Queue()
    procs = [ctx.Process(target=_open, args=(db_url, barrier, out), daemon=True)
             for _ in range(6)]
    for p in procs:
        p.start()
    try:
        errors = [out.get(timeout=120) for _ in procs]
    finally:
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.kill()
    assert errors == [None] * 6
    assert _state(db_url) == ([], [(migrations.head(),)], [(1,)])


def test_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run = [sys.executable, "-m", "partyflow.stores.migrations", url]
    done = subprocess.run([*run, "upgrade"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"{migrations.head()} (head {migrations.head()})"
    assert _state(url)[0] == []


# -- SqlStore robustness found while adding PostgreSQL ------------------------------------------


def test_in_memory_sqlite_is_safe_across_threads() -> None:
    """``sqlite://`` (the engine's default) shares one connection between threads; their
    transactions must not interleave (they did: doubled and lost steps)."""
    import threading

    from partyflow import Actor, ConcurrentUpdate, Engine, InvalidTrigger, load_rules

    from .conftest import MINI

    rules = load_rules(MINI)
    store = SqlStore("sqlite://")
    engine = Engine(rules, store=store)
    secretary = Actor("s", "secretary")
    ids = [engine.start("mini_election", {"expected": 40}, secretary).id for _ in range(150)]
    wins: list[str] = []
    errors: list[str] = []

    def run() -> None:
        mine = Engine(rules, store=store)
        for iid in ids:
            for trigger, data in (("vote", {"present": 33}), ("report", None)):
                try:
                    mine.fire(iid, trigger, secretary, data)
                    wins.append(iid)
                except (ConcurrentUpdate, InvalidTrigger):
                    pass
                except Exception as exc:
                    errors.append(repr(exc))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(wins) == 2 * len(ids)
    for iid in ids:
        assert engine.verify(iid) == 3
    store.close()


def test_store_reconnects_after_the_server_drops_it() -> None:
    with postgres_schema() as url:
        store = SqlStore(url)
        try:
            store.save_rules("h", "v", "src")
            pid = store._local.dbapi.info.backend_pid
            admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
            with admin.begin() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            admin.dispose()
            # a read finds the connection gone, reconnects and reads again
            assert store.rules_source("h") == "src"
            pid = store._local.dbapi.info.backend_pid
            with admin.begin() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            admin.dispose()
            org = Organization("o1", "党组织", "city", None, "书记")
            with pytest.raises(StoreError) as exc:  # a write is not retried behind your back
                store.put_organizations([org])
            assert "terminating connection" in exc.value.cause
            assert store.put_organizations([org]).added == 1  # the next call reconnects
            assert store.organization("o1") == org
        finally:
            store.close()
