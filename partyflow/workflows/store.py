"""Where instances and their audit trails live: the store interface and an in-memory store.

A store writes a step's new instance row and its audit record in one atomic operation, and
refuses a write based on a stale version (optimistic concurrency) without changing anything.
``SqlStore`` (SQLite, PostgreSQL) is in ``partyflow.workflows.sql_store``.
"""

from __future__ import annotations

import datetime as dt
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator

from partyflow.errors import ConcurrentUpdate, InstanceNotFound, Text, UsageError
from partyflow.workflows.records import AuditRecord, Instance, Organization


def not_found(instance_id: str) -> InstanceNotFound:
    """The error for a missing instance."""
    return InstanceNotFound(
        Text(f"没有编号为 {instance_id} 的实例", f"no instance with id {instance_id}"),
        instance_id=instance_id,
    )


def conflict(instance_id: str, expected: int) -> ConcurrentUpdate:
    """The error for a stale write."""
    if expected == 0:
        return ConcurrentUpdate(
            Text(f"编号为 {instance_id} 的实例已经存在", f"instance {instance_id} already exists"),
            expected_version=0, instance_id=instance_id,
        )
    return ConcurrentUpdate(
        Text(f"实例 {instance_id} 已被他人更新（读取时为第 {expected} 版），本次未写入，请重新读取后再试",
             f"instance {instance_id} was changed by someone else since version {expected}; "
             "nothing was written: reload and retry"),
        expected_version=expected, instance_id=instance_id,
    )


class Store(ABC):
    """The storage interface the engine runs on."""

    @abstractmethod
    def save_rules(self, content_hash: str, version: str, source: str) -> None:
        """Keep a rules version's text (once per hash) so any engine can reload it."""

    @abstractmethod
    def rules_source(self, content_hash: str) -> str | None:
        """The text of the rules with ``content_hash``, or None."""

    @abstractmethod
    def create(self, instance: Instance, record: AuditRecord) -> None:
        """Insert a new instance with its first audit record, atomically.

        Raises:
            ConcurrentUpdate: an instance with that id exists (``expected_version`` 0).
        """

    @abstractmethod
    def get(self, instance_id: str) -> Instance:
        """The instance as last committed.

        Raises:
            InstanceNotFound: no such instance.
        """

    @abstractmethod
    def commit(self, instance: Instance, expected_version: int, record: AuditRecord, *,
               organization: Organization | None = None) -> None:
        """Replace the instance row and append ``record``, atomically, if still at
        ``expected_version``; with ``organization``, add it to the hierarchy in the same
        transaction (a branch established by this step).

        Raises:
            ConcurrentUpdate: the stored version differs, or the record's sequence or
                idempotency key or the organization's id is taken; nothing was written.
        """

    # A store written before the hierarchy moved into stores holds no organizations: these
    # defaults keep it working for procedures that use no authority from the hierarchy.

    def put_organizations(self, organizations: Iterable[Organization]) -> int:
        """Insert or replace organizations (an imported hierarchy) in one transaction;
        return how many were written."""
        raise UsageError(Text(f"{type(self).__name__} 不保存组织体系",
                              f"{type(self).__name__} keeps no organizations"))

    def organization(self, org_id: str) -> Organization | None:
        """The organization with ``org_id``, or None."""
        return None

    def organizations(self) -> Iterator[Organization]:
        """Every organization, by id."""
        return iter(())

    @abstractmethod
    def history(self, instance_id: str) -> list[AuditRecord]:
        """Every audit record of the instance, by sequence."""

    @abstractmethod
    def find_step(self, instance_id: str, idempotency_key: str) -> AuditRecord | None:
        """The record written with ``idempotency_key`` on this instance, if any."""

    @abstractmethod
    def overdue(
        self, now: dt.datetime, after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[Instance]:
        """Open instances whose deadline is at or before ``now``, ordered by
        ``(deadline_at, id)`` and starting after ``after``."""

    @abstractmethod
    def instances(self, procedure: str | None = None, *, open_only: bool = False,
                  batch: int = 1000) -> Iterator[Instance]:
        """Stream instances by id, ``batch`` rows at a time."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


class MemoryStore(Store):
    """A store in this process's memory: for tests, specs and benchmarks. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[str, str]] = {}
        self._instances: dict[str, Instance] = {}
        self._audit: dict[str, list[AuditRecord]] = {}
        self._keys: dict[tuple[str, str], AuditRecord] = {}
        self._orgs: dict[str, Organization] = {}

    def save_rules(self, content_hash: str, version: str, source: str) -> None:
        with self._lock:
            self._rules.setdefault(content_hash, (version, source))

    def rules_source(self, content_hash: str) -> str | None:
        found = self._rules.get(content_hash)
        return found[1] if found else None

    def create(self, instance: Instance, record: AuditRecord) -> None:
        with self._lock:
            if instance.id in self._instances:
                raise conflict(instance.id, 0)
            self._instances[instance.id] = instance
            self._audit[instance.id] = [record]
            if record.idempotency_key is not None:
                self._keys[(instance.id, record.idempotency_key)] = record

    def get(self, instance_id: str) -> Instance:
        try:
            return self._instances[instance_id]
        except KeyError:
            raise not_found(instance_id) from None

    def commit(self, instance: Instance, expected_version: int, record: AuditRecord, *,
               organization: Organization | None = None) -> None:
        with self._lock:
            current = self._instances.get(instance.id)
            if current is None:
                raise not_found(instance.id)
            key = (instance.id, record.idempotency_key) if record.idempotency_key else None
            if current.version != expected_version or (key is not None and key in self._keys) \
                    or (organization is not None and organization.id in self._orgs):
                raise conflict(instance.id, expected_version)
            self._instances[instance.id] = instance
            self._audit[instance.id].append(record)
            if key is not None:
                self._keys[key] = record
            if organization is not None:
                self._orgs[organization.id] = organization

    def put_organizations(self, organizations: Iterable[Organization]) -> int:
        batch = {o.id: o for o in organizations}
        with self._lock:
            self._orgs.update(batch)
        return len(batch)

    def organization(self, org_id: str) -> Organization | None:
        return self._orgs.get(org_id)

    def organizations(self) -> Iterator[Organization]:
        with self._lock:
            orgs = sorted(self._orgs.values(), key=lambda o: o.id)
        yield from orgs

    def history(self, instance_id: str) -> list[AuditRecord]:
        with self._lock:
            return list(self._audit.get(instance_id, ()))

    def find_step(self, instance_id: str, idempotency_key: str) -> AuditRecord | None:
        return self._keys.get((instance_id, idempotency_key))

    def overdue(
        self, now: dt.datetime, after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[Instance]:
        with self._lock:
            due = [
                i for i in self._instances.values()
                if not i.terminal and i.deadline_at is not None and i.deadline_at <= now
                and (after is None or (i.deadline_at, i.id) > after)
            ]
        due.sort(key=lambda i: (i.deadline_at, i.id))
        return due[:limit]

    def instances(self, procedure: str | None = None, *, open_only: bool = False,
                  batch: int = 1000) -> Iterator[Instance]:
        with self._lock:
            ids = sorted(self._instances)
        for iid in ids:
            inst = self._instances[iid]
            if procedure is not None and inst.procedure != procedure:
                continue
            if open_only and inst.terminal:
                continue
            yield inst

    # test hooks: tamper with the trail the way an attacker with database access could
    def _replace_record(self, instance_id: str, index: int, record: AuditRecord | None) -> None:
        with self._lock:
            if record is None:
                del self._audit[instance_id][index]
            else:
                self._audit[instance_id][index] = record


def open_store(url: str) -> Store:
    """Open a store by URL.

    ``memory://`` is a ``MemoryStore``; ``sqlite:///path.db``, ``sqlite://`` (in memory) and
    ``postgresql+psycopg://…`` open a ``SqlStore``. SQLite files use WAL; add
    ``?synchronous=FULL`` for the strictest durability (default NORMAL).
    """
    if url.startswith("memory://"):
        return MemoryStore()
    if url.startswith(("sqlite", "postgresql")):
        from partyflow.workflows.sql_store import SqlStore

        return SqlStore(url)
    raise UsageError(
        Text(f"不支持的存储地址 {url!r}：应以 sqlite://、postgresql+psycopg:// 或 memory:// 开头",
             f"unsupported store URL {url!r}: use sqlite://, postgresql+psycopg:// or memory://")
    )
