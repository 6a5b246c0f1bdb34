"""Bulk organization imports on SQL (``SqlStore.put_organizations``): the stored rows read in
pages, compared with the list (``partyflow.hierarchy.imports``), and only the changes written
— SQLite with ``executemany``, PostgreSQL's new rows and trail records with ``COPY`` — inside
the caller's transaction, which holds the trail's lock.

Writing one organization per statement took a national list (643,330 organizations) 25 s on
SQLite and 7.3 minutes on PostgreSQL (issue #17); ``bench/org_import_bench.py`` measures this.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from partyflow.canonical import canonical_json
from partyflow.hierarchy.imports import GivenList, ImportPlan, OrgImport, plan_import
from partyflow.hierarchy.trail import OrgAuditRecord, OrgKey, OrgRecordRow, chain_org_changes
from partyflow.stores.schema import ORG_AUDIT_COLS, ORG_COLS
from partyflow.stores.statements import PG_COPY

Run = Callable[[str, Mapping[str, Any]], Any]
"""Run a precompiled statement by key with its parameters; return the DBAPI cursor."""

Compiled = Callable[[str], tuple[str, "tuple[str, ...] | None", Mapping[str, Any]]]
"""A precompiled statement by key: its text, its positional parameter names (None: named)
and the values of parameters the compiler added."""

PAGE = 10_000
"""Stored organizations read per statement."""

_ID_CHUNK = 5_000  # organization ids per "open instance at one of these" query


class BulkOrgImport:
    """One import on one DBAPI connection, inside a transaction that holds the trail's lock.

    Args:
        dbapi: the connection (sqlite3 or psycopg) under the transaction.
        postgres: PostgreSQL (``COPY``) rather than SQLite (``executemany``).
        run: runs a statement by key (``SqlStore._run`` on the transaction's connection).
        compiled: a statement's text and parameters by key, for ``executemany``.
    """

    def __init__(self, dbapi: Any, *, postgres: bool, run: Run, compiled: Compiled) -> None:
        self._dbapi = dbapi
        self._pg = postgres
        self._run = run
        self._compiled = compiled

    def write(self, given: GivenList, head: OrgAuditRecord | None, *,
              close_missing: bool, at: dt.datetime, at_value: Any,
              actor_id: str) -> OrgImport:
        """Compare ``given`` with the store, write what changed after trail record ``head``
        (``at_value``: ``at`` as the driver takes it); return what changed."""
        plan = plan_import(given, self._stored(), close_missing=close_missing,
                           open_instance=self._open_instance_at)
        if plan.changes:
            self._write_orgs(plan)
            self._write_trail(chain_org_changes(head, plan.trail(), at=at, actor_id=actor_id),
                              at_value, actor_id)
        return plan.result

    def _stored(self) -> Iterator[OrgKey]:
        """Every stored organization as its row, in pages by id."""
        last = ""
        while True:
            rows = self._run("orgs", {"b_after_id": last, "b_limit": PAGE}).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def _open_instance_at(self, org_ids: Sequence[str]) -> tuple[str, str] | None:
        """One open instance responsible at one of ``org_ids``: ``(org, instance id)``."""
        for start in range(0, len(org_ids), _ID_CHUNK):
            chunk = list(org_ids[start:start + _ID_CHUNK])
            row = self._run("open_instance_at", {
                "b_ids": chunk if self._pg else canonical_json(chunk)}).fetchone()
            if row is not None:
                return str(row[0]), str(row[1])
        return None

    def _write_orgs(self, plan: ImportPlan) -> None:
        """Closed rows deleted, changed rows updated, new rows inserted."""
        closes = [(c.key[0],) for c in plan.of("close")]
        updates = [c.key for c in plan.of("move", "rename", "update")]
        inserts = [c.key for c in plan.of("import")]
        if closes:
            self._many("delete_org", ("b_id",), closes)
        if updates:
            self._many("update_org", ("b_id", *ORG_COLS[1:]), updates)
        if inserts:
            if self._pg:
                self._copy("orgs", inserts)
            else:
                self._many("insert_org", ORG_COLS, inserts)

    def _write_trail(self, records: Iterable[OrgRecordRow], at_value: Any,
                     actor_id: str) -> None:
        """Append the records, streamed: each is hashed as it is written."""
        rows = ((seq, at_value, actor_id, action, org_id, row, prev, digest)
                for seq, action, org_id, row, prev, digest in records)
        if self._pg:
            self._copy("org_audit", rows)
        else:
            self._many("insert_org_audit", ORG_AUDIT_COLS, rows)

    def _many(self, key: str, cols: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Run statement ``key`` once per row (``executemany``); each row holds the driver's
        values of ``cols``, which name every parameter of the statement."""
        text, names, defaults = self._compiled(key)
        data: Iterable[Any]
        if names is None:  # named parameters (psycopg)
            data = ({**defaults, **dict(zip(cols, r, strict=True))} for r in rows)
        else:
            where = [list(cols).index(n) for n in names]
            data = rows if where == list(range(len(cols))) else (
                [r[i] for i in where] for r in rows)
        cursor = self._dbapi.cursor()
        try:
            cursor.executemany(text, data)
        finally:
            cursor.close()

    def _copy(self, what: str, rows: Iterable[Sequence[Any]]) -> None:
        """PostgreSQL: ``rows`` (every column, in order) through ``COPY … FROM STDIN``."""
        statement, types = PG_COPY[what]
        cursor = self._dbapi.cursor()
        try:
            with cursor.copy(statement) as copy:
                copy.set_types(list(types))
                write = copy.write_row
                for row in rows:
                    write(row)
        finally:
            cursor.close()
