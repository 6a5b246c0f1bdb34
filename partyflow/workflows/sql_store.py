"""A store on SQLAlchemy 2 Core: SQLite (the embedded default) and PostgreSQL from one code path.

Each step is one transaction: ``UPDATE … WHERE id = ? AND version = ?`` (the optimistic check)
and the audit ``INSERT``. If the update touches no row, or the insert collides on
``(instance_id, seq)`` or ``(instance_id, idempotency_key)``, the transaction is rolled back
and ``ConcurrentUpdate`` raised: a half-written step is never visible.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool

from partyflow.errors import Text, UsageError
from partyflow.workflows.records import AuditRecord, Instance
from partyflow.workflows.store import Store, conflict, not_found

SCHEMA_VERSION = 1
_UTC = dt.UTC


class UtcDateTime(sa.TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in and out, on every backend."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = value.astimezone(_UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        moment: dt.datetime = value
        return moment.replace(tzinfo=_UTC) if moment.tzinfo is None else moment.astimezone(_UTC)


metadata = sa.MetaData()

schema_table = sa.Table(
    "pf_schema", metadata,
    sa.Column("version", sa.Integer, primary_key=True),
)

rules_table = sa.Table(
    "pf_rules", metadata,
    sa.Column("content_hash", sa.String(64), primary_key=True),
    sa.Column("version", sa.String(200), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
)

instances_table = sa.Table(
    "pf_instances", metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("procedure", sa.String(64), nullable=False),
    sa.Column("state", sa.String(64), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("rules_version", sa.String(200), nullable=False),
    sa.Column("rules_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("deadline_at", UtcDateTime, nullable=True),
    sa.Column("terminal", sa.Boolean, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
    sa.Index("ix_pf_instances_deadline", "deadline_at", "id"),
    sa.Index("ix_pf_instances_procedure_state", "procedure", "state"),
)

audit_table = sa.Table(
    "pf_audit", metadata,
    sa.Column("instance_id", sa.String(128), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("actor_id", sa.String(200), nullable=False),
    sa.Column("actor_role", sa.String(64), nullable=False),
    sa.Column("actor_org", sa.String(200), nullable=True),
    sa.Column("trigger", sa.String(64), nullable=False),
    sa.Column("from_state", sa.String(64), nullable=True),
    sa.Column("to_state", sa.String(64), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("rules_version", sa.String(200), nullable=False),
    sa.Column("rules_hash", sa.String(64), nullable=False),
    sa.Column("basis", sa.String(200), nullable=True),
    sa.Column("idempotency_key", sa.String(200), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("instance_id", "idempotency_key", name="uq_pf_audit_idempotency"),
)

_I = instances_table.c
_A = audit_table.c
_INSTANCE_COLS = [c.name for c in instances_table.columns]
_AUDIT_COLS = [c.name for c in audit_table.columns]

_update = (
    instances_table.update()
    .where(_I.id == sa.bindparam("b_id"), _I.version == sa.bindparam("b_expected"))
    .values(
        state=sa.bindparam("state"), data=sa.bindparam("data"), version=sa.bindparam("version"),
        updated_at=sa.bindparam("updated_at"), deadline_at=sa.bindparam("deadline_at"),
        terminal=sa.bindparam("terminal"), last_hash=sa.bindparam("last_hash"),
    )
)
_select_one = sa.select(instances_table).where(_I.id == sa.bindparam("b_id"))
_insert_audit = audit_table.insert()
_insert_instance = instances_table.insert()


def _instance(row: Any) -> Instance:
    return Instance(**{k: getattr(row, k) for k in _INSTANCE_COLS})


def _record(row: Any) -> AuditRecord:
    return AuditRecord(**{k: getattr(row, k) for k in _AUDIT_COLS})


def _row(obj: Any, cols: list[str]) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in cols}


class SqlStore(Store):
    """A store on a SQL database through SQLAlchemy Core.

    Args:
        url: ``sqlite:///file.db`` (WAL; ``?synchronous=FULL|NORMAL``, default NORMAL),
            ``sqlite://`` (in memory, one shared connection) or ``postgresql+psycopg://…``.
        create: create the tables if they are missing.
    """

    def __init__(self, url: str, *, create: bool = True) -> None:
        try:
            parsed = make_url(url)
        except sa.exc.ArgumentError as exc:
            raise UsageError(Text(f"存储地址无效：{exc}", f"invalid store URL: {exc}")) from None
        self.url = parsed
        serializer = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
        kwargs: dict[str, Any] = {"json_serializer": serializer}
        if parsed.get_backend_name() == "sqlite":
            query = dict(parsed.query)
            sync = str(query.pop("synchronous", "NORMAL")).upper()
            if sync not in ("OFF", "NORMAL", "FULL", "EXTRA"):
                raise UsageError(Text(f"synchronous 取值无效：{sync}",
                                      f"invalid synchronous value: {sync}"))
            parsed = parsed.set(query=query)
            memory = parsed.database in (None, "", ":memory:")
            if memory:
                kwargs.update(poolclass=StaticPool,
                              connect_args={"check_same_thread": False})
            else:
                kwargs["connect_args"] = {"timeout": 30}
            self._engine = sa.create_engine(parsed, **kwargs)

            @sa.event.listens_for(self._engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                cur = dbapi_conn.cursor()
                if not memory:
                    cur.execute("PRAGMA journal_mode=WAL")
                cur.execute(f"PRAGMA synchronous={sync}")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()
        else:
            kwargs["pool_pre_ping"] = True
            self._engine = sa.create_engine(parsed, **kwargs)
        if create:
            self.create_schema()

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for migrations and operations tools)."""
        return self._engine

    def create_schema(self) -> None:
        """Create the tables if missing and record the schema version."""
        try:
            with self._engine.begin() as conn:
                metadata.create_all(conn, checkfirst=True)
                if conn.execute(sa.select(schema_table.c.version)).first() is None:
                    conn.execute(schema_table.insert().values(version=SCHEMA_VERSION))
        except (OperationalError, IntegrityError):
            # another process created them at the same moment
            with self._engine.connect() as conn:
                conn.execute(sa.select(schema_table.c.version)).first()

    def save_rules(self, content_hash: str, version: str, source: str) -> None:
        if self.rules_source(content_hash) is not None:
            return
        try:
            with self._engine.begin() as conn:
                conn.execute(rules_table.insert().values(
                    content_hash=content_hash, version=version, source=source))
        except IntegrityError:
            pass  # saved by another process meanwhile: same content by definition

    def rules_source(self, content_hash: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(rules_table.c.source).where(rules_table.c.content_hash == content_hash)
            ).scalar_one_or_none()

    def create(self, instance: Instance, record: AuditRecord) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(_insert_instance, _row(instance, _INSTANCE_COLS))
                conn.execute(_insert_audit, _row(record, _AUDIT_COLS))
        except IntegrityError:
            raise conflict(instance.id, 0) from None

    def get(self, instance_id: str) -> Instance:
        with self._engine.connect() as conn:
            row = conn.execute(_select_one, {"b_id": instance_id}).first()
        if row is None:
            raise not_found(instance_id)
        return _instance(row)

    def commit(self, instance: Instance, expected_version: int, record: AuditRecord) -> None:
        params = {
            "b_id": instance.id, "b_expected": expected_version, "state": instance.state,
            "data": instance.data, "version": instance.version,
            "updated_at": instance.updated_at, "deadline_at": instance.deadline_at,
            "terminal": instance.terminal, "last_hash": instance.last_hash,
        }
        try:
            with self._engine.begin() as conn:
                if conn.execute(_update, params).rowcount != 1:
                    self._raise_missing_or_conflict(conn, instance.id, expected_version)
                conn.execute(_insert_audit, _row(record, _AUDIT_COLS))
        except IntegrityError:
            raise conflict(instance.id, expected_version) from None

    @staticmethod
    def _raise_missing_or_conflict(conn: Connection, instance_id: str, expected: int) -> None:
        exists = conn.execute(sa.select(_I.version).where(_I.id == instance_id)).first()
        if exists is None:
            raise not_found(instance_id)
        raise conflict(instance_id, expected)

    def history(self, instance_id: str) -> list[AuditRecord]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(audit_table).where(_A.instance_id == instance_id).order_by(_A.seq)
            ).all()
        return [_record(r) for r in rows]

    def find_step(self, instance_id: str, idempotency_key: str) -> AuditRecord | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(audit_table).where(
                    _A.instance_id == instance_id, _A.idempotency_key == idempotency_key
                )
            ).first()
        return _record(row) if row is not None else None

    def overdue(
        self, now: dt.datetime, after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[Instance]:
        query = sa.select(instances_table).where(
            _I.terminal.is_(False), _I.deadline_at.is_not(None), _I.deadline_at <= now
        )
        if after is not None:
            query = query.where(sa.tuple_(_I.deadline_at, _I.id) > sa.tuple_(
                sa.literal(after[0], UtcDateTime), sa.literal(after[1])))
        query = query.order_by(_I.deadline_at, _I.id).limit(limit)
        with self._engine.connect() as conn:
            return [_instance(r) for r in conn.execute(query)]

    def instances(self, procedure: str | None = None, *, open_only: bool = False,
                  batch: int = 1000) -> Iterator[Instance]:
        last = ""
        while True:
            query = sa.select(instances_table).where(_I.id > last)
            if procedure is not None:
                query = query.where(_I.procedure == procedure)
            if open_only:
                query = query.where(_I.terminal.is_(False))
            with self._engine.connect() as conn:
                rows = conn.execute(query.order_by(_I.id).limit(batch)).all()
            if not rows:
                return
            for row in rows:
                yield _instance(row)
            last = rows[-1].id

    def close(self) -> None:
        self._engine.dispose()
