"""A store on SQLAlchemy 2: SQLite (the embedded default) and PostgreSQL from one code path.

Each step is one transaction: ``UPDATE … WHERE id = ? AND version = ?`` (the optimistic check)
and the audit ``INSERT``. If the update touches no row, or the insert collides on
``(instance_id, seq)`` or ``(instance_id, idempotency_key)``, the transaction is rolled back
and ``ConcurrentUpdate`` raised: a half-written step is never visible.

SQLAlchemy supplies the engine, dialects, pooling, transactions and the schema. The statements
are Core expressions compiled once per dialect (so each DBAPI gets its own SQL and parameter
style) and run on the DBAPI cursor of a connection held per thread, converting values
explicitly: measured here, ``Connection.execute`` and even ``exec_driver_sql`` cost 4-10× the
driver's own time for these one-row statements, which made SQLAlchemy, not SQLite, the limit
on committed steps per second. That plumbing (the held connection, compiled statements,
transactions, errors) is ``partyflow.stores.sql_session``; this module is the ``Store``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from partyflow.errors import Text, UsageError
from partyflow.hierarchy.imports import OrgImport, given_orgs
from partyflow.hierarchy.trail import SYSTEM_ORG_ACTOR, OrgAuditRecord, next_org_record
from partyflow.stores.base import (
    InstanceGroup,
    Store,
    conflict,
    event_position,
    not_found,
    trail_time,
)
from partyflow.stores.schema import (
    AUDIT_COLS,
    INSTANCE_COLS,
    ORG_AUDIT_COLS,
    ORG_COLS,
)
from partyflow.stores.sql_orgs import BulkOrgImport
from partyflow.stores.sql_session import Collision, SqlSession
from partyflow.stores.statements import events_query, find_query
from partyflow.workflows.records import (
    AuditRecord,
    Event,
    Instance,
    InstanceQuery,
    Organization,
    Parties,
    ReportRow,
    person_key,
)

SCHEMA_VERSION = 1  # pf_schema's row; the migration revision in alembic_version is authoritative
ORG_TRAIL_LOCK = 0x7066_6F72_6774  # "pforgt": the advisory lock appending to pf_org_audit takes


_Row = TypeVar("_Row")


class SqlStore(SqlSession, Store):
    """A store on a SQL database through SQLAlchemy.

    Args:
        url: ``sqlite:///file.db`` (WAL; ``?synchronous=FULL|NORMAL``, default NORMAL),
            ``sqlite://`` (in memory, one shared connection) or ``postgresql+psycopg://…``.
        create: upgrade the schema to the newest migration (creating the tables if missing).
        read_only: open for reading only (reports, verification): a SQLite file is opened
            with ``mode=ro`` (a file the process may not write, or a copy handed to an
            auditor), PostgreSQL sessions default to read-only transactions; nothing is
            created and any write is refused by the database.

    One connection is held per thread; create the store after forking a worker process.
    """

    def __init__(self, url: str, *, create: bool = True, read_only: bool = False) -> None:
        super().__init__(url, read_only=read_only)
        if create and not read_only:
            try:
                self.create_schema()
            except (self._driver_errors, sa.exc.DBAPIError) as exc:
                self._engine.dispose()
                raise self._store_error(exc, committing=False) from exc
        elif read_only:
            self._require_current()

    def _require_current(self) -> None:
        """A read-only store cannot upgrade itself: an older schema is a clear refusal."""
        from partyflow.stores import migrations

        try:
            fresh = migrations.is_current(self._engine)
        except (self._driver_errors, sa.exc.DBAPIError) as exc:
            self._engine.dispose()
            raise self._store_error(exc, committing=False) from exc
        if not fresh:
            self._engine.dispose()
            shown = self._shown
            raise UsageError(Text(
                f"数据库 {shown} 的版本较旧，只读打开时不能升级：请先运行 python -m "
                f"partyflow.stores.migrations {shown} upgrade（或以可写方式打开一次）",
                f"the database {shown} has an older schema and cannot be upgraded while "
                f"opened read-only: run python -m partyflow.stores.migrations {shown} "
                "upgrade first (or open it for writing once)"))

    def _instance(self, row: Sequence[Any]) -> Instance:
        (iid, procedure, state, data, version, rules_version, rules_hash, created_at,
         updated_at, deadline_at, terminal, last_hash, org, escalation, escalated_to,
         overdue_since, deadline_estimated, remind_at, last_step_at) = row
        return Instance(iid, procedure, state, json.loads(data), version, rules_version,
                        rules_hash, self._time(created_at), self._time(updated_at),  # type: ignore[arg-type]
                        self._time(deadline_at), bool(terminal), last_hash, org,
                        int(escalation), escalated_to, self._time(overdue_since),
                        bool(deadline_estimated), self._time(remind_at),
                        self._time(last_step_at))

    @staticmethod
    def _org(row: Sequence[Any]) -> Organization:
        oid, name, level, parent, secretary, attrs, added_by = row
        return Organization(oid, name, level, parent, secretary, json.loads(attrs), added_by)

    def _org_record(self, row: Sequence[Any]) -> OrgAuditRecord:
        seq, at, actor_id, action, org_id, row_json, prev_hash, digest = row
        return OrgAuditRecord(int(seq), self._time(at), actor_id, action, org_id,  # type: ignore[arg-type]
                              json.loads(row_json), prev_hash, digest)

    def _lock_org_trail(self, conn: Connection) -> None:
        """Make this transaction the only one appending to the hierarchy's trail until it
        ends, so the head it reads stays the head (PostgreSQL: an advisory lock; SQLite: the
        database's write lock, taken now if no write began it yet)."""
        if self._pg:
            self._run(conn, "org_trail_lock", {"b_key": ORG_TRAIL_LOCK}).close()
        elif not self._local.dbapi.in_transaction:
            self._local.dbapi.execute("BEGIN IMMEDIATE")

    def _append_org(self, conn: Connection, head: OrgAuditRecord | None, org: Organization,
                    action: str, actor_id: str, at: dt.datetime) -> OrgAuditRecord:
        """Append ``org``'s change to the trail after ``head``; return the new head."""
        rec = next_org_record(head, at=at, actor_id=actor_id, action=action, org=org)
        values = {c: getattr(rec, c) for c in ORG_AUDIT_COLS if c != "org_row"}
        self._run(conn, "insert_org_audit", {**values, "org_row": rec.row})
        return rec

    def _org_head_in(self, conn: Connection) -> OrgAuditRecord | None:
        row = self._run(conn, "org_head", {}).fetchone()
        return None if row is None else self._org_record(row)

    def _record(self, row: Sequence[Any]) -> AuditRecord:
        values = list(row)
        values[2] = self._time(values[2])
        values[9] = json.loads(values[9])
        return AuditRecord(*values)

    # -- the Store interface -----------------------------------------------------------------

    def create_schema(self) -> None:
        """Bring the schema to the newest migration (``partyflow.stores.migrations``).

        Safe when several processes start on one database at once: one migrates under a
        database-wide lock, the others wait and then find nothing to do.
        """
        from partyflow.stores import migrations

        if not migrations.is_current(self._engine):
            migrations.upgrade(self._engine)

    def save_rules(self, content_hash: str, version: str, source: str) -> None:
        if self.rules_source(content_hash) is not None:
            return
        try:
            with self._tx() as conn:
                self._run(conn, "insert_rules",
                          {"content_hash": content_hash, "version": version, "source": source})
        except Collision:
            pass  # saved by another process meanwhile: same content by definition

    def rules_source(self, content_hash: str) -> str | None:
        row = self._read(lambda c: self._run(c, "rules_source", {"b_hash": content_hash}).fetchone())
        return None if row is None else str(row[0])

    def create(self, instance: Instance, record: AuditRecord, *,
               parties: Parties | None = None) -> None:
        if self._pg and not parties:
            params = {c: getattr(instance, c) for c in INSTANCE_COLS}
            params.update({f"a_{c}": getattr(record, c) for c in AUDIT_COLS})
            try:
                with self._single(write=True) as conn:
                    self._run(conn, "create", params)
            except Collision:
                raise conflict(instance.id, 0) from None
            return
        try:
            with self._tx() as conn:
                self._run(conn, "insert_instance", {c: getattr(instance, c) for c in INSTANCE_COLS})
                self._run(conn, "insert_audit", {c: getattr(record, c) for c in AUDIT_COLS})
                self._write_parties(conn, instance.id, parties, fresh=True)
        except Collision:
            raise conflict(instance.id, 0) from None

    def _write_parties(self, conn: Connection, instance_id: str, parties: Parties | None, *,
                       fresh: bool = False) -> None:
        """Rewrite those keys of who ``instance_id`` names, in the current transaction."""
        for party, value in (parties or {}).items():
            if not fresh:
                self._run(conn, "delete_party", {"b_id": instance_id, "b_party": party})
            if value is not None:
                self._run(conn, "insert_party",
                          {"b_id": instance_id, "b_party": party, "b_value": value})

    def get(self, instance_id: str) -> Instance:
        row = self._read(lambda c: self._run(c, "get", {"b_id": instance_id}).fetchone())
        if row is None:
            raise not_found(instance_id)
        return self._instance(row)

    def head(self, instance_id: str) -> tuple[Instance, AuditRecord | None]:
        row = self._read(lambda c: self._run(c, "get_head", {"b_id": instance_id}).fetchone())
        if row is None:
            raise not_found(instance_id)
        n = len(INSTANCE_COLS)
        record = None if row[n] is None else self._record(row[n:])
        return self._instance(row[:n]), record

    def commit(self, instance: Instance, expected_version: int, record: AuditRecord, *,
               organization: Organization | None = None,
               parties: Parties | None = None) -> None:
        params = {
            "b_id": instance.id, "b_expected": expected_version, "state": instance.state,
            "data": instance.data, "version": instance.version,
            "updated_at": instance.updated_at, "deadline_at": instance.deadline_at,
            "terminal": instance.terminal, "last_hash": instance.last_hash,
            "org": instance.org, "escalation": instance.escalation,
            "escalated_to": instance.escalated_to, "overdue_since": instance.overdue_since,
            "rules_version": instance.rules_version, "rules_hash": instance.rules_hash,
            "deadline_estimated": instance.deadline_estimated, "remind_at": instance.remind_at,
            "last_step_at": instance.last_step_at,
        }
        if self._pg and organization is None and not parties:
            params.update({f"a_{c}": getattr(record, c) for c in AUDIT_COLS})
            try:
                with self._single(write=True) as conn:
                    if self._run(conn, "step", params).rowcount == 1:
                        return
                    exists = self._run(conn, "version", {"b_id": instance.id}).fetchone()
            except Collision:
                raise conflict(instance.id, expected_version) from None
            if exists is None:
                raise not_found(instance.id)
            raise conflict(instance.id, expected_version)
        try:
            with self._tx() as conn:
                if self._run(conn, "update", params).rowcount != 1:
                    exists = self._run(conn, "version", {"b_id": instance.id}).fetchone()
                    if exists is None:
                        raise not_found(instance.id)
                    raise conflict(instance.id, expected_version)
                self._run(conn, "insert_audit", {c: getattr(record, c) for c in AUDIT_COLS})
                self._write_parties(conn, instance.id, parties)
                if organization is not None:
                    self._lock_org_trail(conn)
                    self._run(conn, "insert_org",
                              {c: getattr(organization, c) for c in ORG_COLS})
                    self._append_org(conn, self._org_head_in(conn), organization, "establish",
                                     record.actor_id, record.at)
        except Collision:
            raise conflict(instance.id, expected_version) from None

    def put_organizations(self, organizations: Iterable[Organization], *,
                          actor_id: str = SYSTEM_ORG_ACTOR, at: dt.datetime | None = None,
                          close_missing: bool = False) -> OrgImport:
        moment = trail_time(at)
        given = given_orgs(organizations)  # before the lock: encoding the list
        with self._tx() as conn:
            self._lock_org_trail(conn)
            bulk = BulkOrgImport(
                self._local.dbapi, postgres=self._pg,
                run=lambda key, params: self._run(conn, key, params),
                compiled=lambda key: (self._sql[key].text, self._sql[key].names,
                                      self._sql[key].defaults))
            return bulk.write(given, self._org_head_in(conn), close_missing=close_missing,
                              at=moment, at_value=self._convert["at"](moment),
                              actor_id=actor_id)

    def organization(self, org_id: str) -> Organization | None:
        row = self._read(lambda c: self._run(c, "get_org", {"b_id": org_id}).fetchone())
        return None if row is None else self._org(row)

    def organizations(self) -> Iterator[Organization]:
        return self._stream("orgs", lambda last: {"b_after_id": last, "b_limit": 5000}, "",
                            self._org)

    def org_history(self, *, after_seq: int = 0,
                    batch: int = 1000) -> Iterator[OrgAuditRecord]:
        return self._stream("org_history",
                            lambda last: {"b_after_seq": last, "b_limit": batch}, after_seq,
                            self._org_record)

    def org_record(self, seq: int) -> OrgAuditRecord | None:
        row = self._read(lambda c: self._run(c, "org_record", {"b_seq": seq}).fetchone())
        return None if row is None else self._org_record(row)

    def org_head(self) -> OrgAuditRecord | None:
        result: OrgAuditRecord | None = self._read(self._org_head_in)
        return result

    def audit_hash(self, instance_id: str, seq: int) -> str | None:
        row = self._read(lambda c: self._run(
            c, "audit_hash", {"b_id": instance_id, "b_seq": seq}).fetchone())
        return None if row is None else str(row[0])

    def instance_count(self) -> int:
        return int(self._read(lambda c: self._run(c, "instance_count", {}).fetchone()[0]))

    def lineage(self, org_id: str) -> list[Organization]:
        rows = self._read(lambda c: self._run(c, "lineage", {"b_id": org_id}).fetchall())
        return [self._org(r) for r in rows]

    def subtree_ids(self, org_id: str) -> list[str]:
        rows = self._read(lambda c: self._run(c, "subtree", {"b_id": org_id}).fetchall())
        return [r[0] for r in rows]

    def report(self, org_id: str, now: dt.datetime,
               procedure: str | None = None) -> list[ReportRow]:
        key = f"report_{int(procedure is not None)}"
        params = {"b_id": org_id, "b_now": now, "b_procedure": procedure}
        rows = self._read(lambda c: self._run(c, key, params).fetchall())
        return [ReportRow(p, st, int(n), int(o or 0), int(e or 0)) for p, st, n, o, e in rows]

    def history(self, instance_id: str) -> list[AuditRecord]:
        rows = self._read(lambda c: self._run(c, "history", {"b_id": instance_id}).fetchall())
        return [self._record(r) for r in rows]

    def record(self, instance_id: str, seq: int) -> AuditRecord | None:
        row = self._read(lambda c: self._run(
            c, "record", {"b_id": instance_id, "b_seq": seq}).fetchone())
        return None if row is None else self._record(row)

    def find_step(self, instance_id: str, idempotency_key: str) -> AuditRecord | None:
        row = self._read(lambda c: self._run(
            c, "find_step", {"b_id": instance_id, "b_key": idempotency_key}).fetchone())
        return None if row is None else self._record(row)

    def overdue(
        self, now: dt.datetime, after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[Instance]:
        return self._page("overdue", now, after, limit)

    def reminders_due(
        self, now: dt.datetime, after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[Instance]:
        return self._page("reminders_due", now, after, limit)

    def _page(self, key: str, now: dt.datetime, after: tuple[dt.datetime, str] | None,
              limit: int) -> list[Instance]:
        """One keyset page of ``key`` (its ``_after`` form past ``after``)."""
        params: dict[str, Any] = {"b_now": now, "b_limit": limit}
        if after is not None:
            key += "_after"
            params.update(b_after_at=after[0], b_after_id=after[1])
        rows = self._read(lambda c: self._run(c, key, params).fetchall())
        return [self._instance(r) for r in rows]

    def due_between(
        self, start: dt.datetime, end: dt.datetime, after: tuple[dt.datetime, str] | None,
        limit: int,
    ) -> list[Instance]:
        params: dict[str, Any] = {"b_end": end, "b_limit": limit}
        key = "due_between"
        if after is not None and after[0] > start:  # else every row in range is after it
            key = "due_between_after"  # and past ``after`` is past ``start``
            params.update(b_after_at=after[0], b_after_id=after[1])
        else:
            params["b_start"] = start
        rows = self._read(lambda c: self._run(c, key, params).fetchall())
        return [self._instance(r) for r in rows]

    def events(self, after: str, limit: int) -> list[Event]:
        txid, event_id = event_position(after)
        key = self._prepared("events", lambda: events_query(self._pg))
        params: dict[str, Any] = {"b_event_id": event_id, "b_limit": limit}
        if self._pg:
            params["b_txid"] = txid
        rows = self._read(lambda c: self._run(c, key, params).fetchall())
        return [Event(f"{int(r[1])}:{int(r[0])}", self._record(r[2:])) for r in rows]

    def find(self, query: InstanceQuery, *, after: str = "", limit: int = 100) -> list[Instance]:
        key, params = self._query(query, count=False)
        params.update(b_after_id=after, b_limit=limit)
        rows = self._read(lambda c: self._run(c, key, self._wanted(key, params)).fetchall())
        return [self._instance(r) for r in rows]

    def count(self, query: InstanceQuery) -> int:
        key, params = self._query(query, count=True)
        row = self._read(lambda c: self._run(c, key, self._wanted(key, params)).fetchone())
        return int(row[0])

    def _query(self, query: InstanceQuery, *, count: bool) -> tuple[str, dict[str, Any]]:
        """The statement ``find``/``count`` runs for ``query`` (compiled on first use), and
        its filter parameters."""
        flags = {"org": query.org is not None, "procedure": query.procedure is not None,
                 "state": query.state is not None, "open_only": query.open_only,
                 "overdue": query.overdue_at is not None, "due": query.due_by is not None,
                 "named_org": query.named_org is not None,
                 "named_person": query.named_person is not None}
        name = ("count_" if count else "find_") + "".join(str(int(v)) for v in flags.values())
        key = self._prepared(name, lambda: find_query(**flags, count=count))
        params: dict[str, Any] = {
            "b_id": query.org, "b_procedure": query.procedure, "b_state": query.state,
            "b_now": query.overdue_at, "b_end": query.due_by}
        if query.named_org is not None:
            params.update(b_party=query.named_org[0], b_party_org=query.named_org[1])
        if query.named_person is not None:
            params.update(b_person_key=query.named_person[0],
                          b_person=person_key(query.named_person[1]))
        return key, params

    def _wanted(self, key: str, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` without those ``key``'s positional statement does not take."""
        names = self._sql[key].names
        if names is None:
            return params
        wanted = set(names)
        return {k: v for k, v in params.items() if k in wanted}

    def instances(self, procedure: str | None = None, *, open_only: bool = False,
                  batch: int = 1000) -> Iterator[Instance]:
        key = f"instances_{int(procedure is not None)}{int(open_only)}"
        return self._stream(key, lambda last: {"b_after_id": last, "b_procedure": procedure,
                                               "b_limit": batch}, "", self._instance)

    def instance_groups(self, procedure: str | None = None) -> list[InstanceGroup]:
        key = f"groups_{int(procedure is not None)}"
        params = {"b_procedure": procedure} if procedure is not None else {}
        rows = self._read(lambda c: self._run(c, key, params).fetchall())
        return [InstanceGroup(p, h, v, st, int(n), int(e or 0)) for p, h, v, st, n, e in rows]

    def _group_params(self, group: InstanceGroup, after: str, limit: int) -> dict[str, Any]:
        return {"b_procedure": group.procedure, "b_state": group.state,
                "b_hash": group.rules_hash, "b_version": group.rules_version,
                "b_after_id": after, "b_limit": limit}

    def group_ids(self, group: InstanceGroup, limit: int) -> list[str]:
        if limit <= 0:
            return []
        params = self._group_params(group, "", limit)
        rows = self._read(lambda c: self._run(c, "group_ids", params).fetchall())
        return [r[0] for r in rows]

    def group_instances(self, group: InstanceGroup, *, batch: int = 1000) -> Iterator[Instance]:
        return self._stream("group_page", lambda last: self._group_params(group, last, batch),
                            "", self._instance)

    def _stream(self, key: str, params: Callable[[Any], dict[str, Any]], start: Any,
                decode: Callable[[Sequence[Any]], _Row]) -> Iterator[_Row]:
        """Every row of the keyset-paged statement ``key``, decoded: ``params(last)`` asks for
        the page after ``last``, the first column of the previous page's last row."""
        last = start
        while True:
            page = params(last)

            def read(c: Connection, p: dict[str, Any] = page) -> Any:
                return self._run(c, key, p).fetchall()

            rows = self._read(read)
            if not rows:
                return
            for row in rows:
                yield decode(row)
            last = rows[-1][0]
