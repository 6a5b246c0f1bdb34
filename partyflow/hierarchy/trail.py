"""The hierarchy's own audit trail (组织体系留痕): every change of an organization, chained.

Who may approve a step is read from the organizations in the store (parent, secretary), so a
change of an organization row changes authority. Each write of an organization — an import
adding it (``import``), a re-import changing it (``move``, ``rename``, ``update``) or closing
it (``close``), a branch a procedure established (``establish``) — appends one
``OrgAuditRecord`` to a single, global hash chain, in the same transaction as the row itself. A
record holds the organization's whole row after the change (a ``close``: its last row), so
``verify_organizations`` can check both the chain and that every stored row is the one its
newest record says, and that no row is stored for a closed organization.

The payload hashed is ``[seq, at (UTC ISO-8601), actor_id, action, org_id, row, prev_hash]``
as canonical JSON (``partyflow.canonical``), with SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from partyflow.canonical import canonical_json, sha256_hex, utc_text
from partyflow.errors import AuditChainBroken, Text
from partyflow.hierarchy.query import Organization

ORG_ACTIONS = ("import", "update", "establish", "move", "rename", "close")
"""``import``: an organization written for the first time by an import (or again after it
was closed); ``move``: re-imported under another parent (it may also be renamed or otherwise
changed); ``rename``: re-imported with another name, same parent; ``update``: re-imported with
any other change (secretary, level, attrs); ``establish``: a branch a procedure's step added
(its actor and time are the step's); ``close``: an organization the import's list no longer
has, removed from the store (``close_missing``); the record holds its last row. A re-import
records one change per organization, the most significant: move > rename > update."""

SYSTEM_ORG_ACTOR = "partyflow.system"
"""The actor recorded for an import that names nobody (``Store.put_organizations`` called
without ``actor_id``)."""


@dataclass(frozen=True, slots=True)
class OrgAuditRecord:
    """One change of one organization, chained by hash to the change before it.

    Attributes:
        seq: 1 for the first change in the store, then one more per change, without gaps
            (one sequence for all organizations).
        at: when (the engine's clock for imports through the engine and for
            establishments).
        actor_id: who made the change (an establishment: the step's actor).
        action: one of ``ORG_ACTIONS``.
        org_id: the organization.
        row: the organization's whole row after the change (``org_row``).
        prev_hash: the previous record's hash ("" for the first).
        hash: SHA-256 over this record's fields and ``prev_hash``.
    """

    seq: int
    at: dt.datetime
    actor_id: str
    action: str
    org_id: str
    row: Mapping[str, Any]
    prev_hash: str
    hash: str


def org_row(org: Organization) -> dict[str, Any]:
    """An organization as the row its trail records (JSON values)."""
    return {"id": org.id, "name": org.name, "level": org.level, "parent": org.parent,
            "secretary": org.secretary, "attrs": dict(org.attrs), "added_by": org.added_by}


def org_record_hash(*, seq: int, at: dt.datetime, actor_id: str, action: str, org_id: str,
                    row: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 of an organization change's fields and the previous hash (canonical JSON)."""
    return sha256_hex(canonical_json([seq, utc_text(at), actor_id, action, org_id, row,
                                      prev_hash]))


def rehash_org(record: OrgAuditRecord) -> str:
    """Recompute ``record``'s hash from its fields."""
    return org_record_hash(seq=record.seq, at=record.at, actor_id=record.actor_id,
                           action=record.action, org_id=record.org_id, row=record.row,
                           prev_hash=record.prev_hash)


def next_org_record(head: OrgAuditRecord | None, *, at: dt.datetime, actor_id: str,
                    action: str, org: Organization) -> OrgAuditRecord:
    """The record of ``org``'s change, following ``head`` (the trail's newest record)."""
    seq = 1 if head is None else head.seq + 1
    prev = "" if head is None else head.hash
    row = org_row(org)
    digest = org_record_hash(seq=seq, at=at, actor_id=actor_id, action=action, org_id=org.id,
                             row=row, prev_hash=prev)
    return OrgAuditRecord(seq, at, actor_id, action, org.id, row, prev, digest)


OrgKey = tuple[str, str, str, str | None, str | None, str, str | None]
"""An organization as stored: ``(id, name, level, parent, secretary, attrs as canonical JSON,
added_by)`` — the columns of ``pf_organizations`` in order."""

OrgRecordRow = tuple[int, str, str, str, str, str]
"""A trail record as a bulk import writes it: ``(seq, action, org_id, row as canonical JSON,
prev_hash, hash)`` (the time and actor are the import's)."""


_string = json.encoder.encode_basestring  # canonical JSON of a str (no ASCII escapes)


def _text(value: object) -> str:
    return _string(value) if type(value) is str else canonical_json(value)


def attrs_text(attrs: Mapping[str, object]) -> str:
    """``canonical_json(attrs)``; a dict of strings is written directly (the common case,
    three times faster than the encoder)."""
    if type(attrs) is not dict:
        return canonical_json(attrs)
    for k, v in attrs.items():
        if type(k) is not str or type(v) is not str:
            return canonical_json(attrs)
    return "{" + ",".join([f"{_string(k)}:{_string(v)}" for k, v in sorted(attrs.items())]) + "}"


def org_row_text(key: OrgKey) -> str:
    """``canonical_json(org_row(org))`` from the stored row ``key`` (its attrs already
    encoded): the keys in sorted order, each value encoded once."""
    oid, name, level, parent, secretary, attrs, added_by = key
    s = _string
    if (type(oid) is str and type(name) is str and type(level) is str
            and (parent is None or type(parent) is str)
            and (secretary is None or type(secretary) is str)
            and (added_by is None or type(added_by) is str)):  # as typed: inline, no calls
        return (f'{{"added_by":{"null" if added_by is None else s(added_by)},"attrs":{attrs},'
                f'"id":{s(oid)},"level":{s(level)},"name":{s(name)},'
                f'"parent":{"null" if parent is None else s(parent)},'
                f'"secretary":{"null" if secretary is None else s(secretary)}}}')
    return (f'{{"added_by":{_text(added_by)},"attrs":{attrs},"id":{_text(oid)},'
            f'"level":{_text(level)},"name":{_text(name)},"parent":{_text(parent)},'
            f'"secretary":{_text(secretary)}}}')


def chain_org_changes(head: OrgAuditRecord | None, changes: Iterable[tuple[str, OrgKey]],
                      *, at: dt.datetime, actor_id: str) -> Iterator[OrgRecordRow]:
    """The records of ``changes`` (``(action, stored row)``, in trail order), chained after
    ``head``: the hashes ``next_org_record`` gives, each row encoded once (bulk imports).

    The payload is built from its encoded parts: canonical JSON of a list is its elements'
    encodings joined by commas, so the text hashed is the same.
    """
    seq = 0 if head is None else head.seq
    prev = "" if head is None else head.hash
    fixed = f",{canonical_json(utc_text(at))},{canonical_json(actor_id)},"
    encoded_action: dict[str, str] = {}
    sha = hashlib.sha256
    for action, key in changes:
        seq += 1
        tag = encoded_action.get(action)
        if tag is None:
            tag = encoded_action[action] = canonical_json(action)
        row = org_row_text(key)
        payload = f'[{seq}{fixed}{tag},{_text(key[0])},{row},"{prev}"]'  # prev: hex digits
        digest = sha(payload.encode()).hexdigest()
        yield seq, action, key[0], row, prev, digest
        prev = digest


class OrgTrailSource(Protocol):
    """What ``verify_organizations`` reads (a ``Store``)."""

    def org_history(self, *, after_seq: int = 0,
                    batch: int = 1000) -> Iterator[OrgAuditRecord]:
        """The trail's records by sequence, from ``after_seq + 1``."""
        ...

    def organizations(self) -> Iterator[Organization]:
        """Every stored organization, by id."""
        ...


def _broken(org_id: str, seq: int, reason: str, zh: str, en: str) -> AuditChainBroken:
    at_zh, at_en = (f"第 {seq} 条", f", record {seq}") if seq else ("", "")
    return AuditChainBroken(Text(f"组织 {org_id} 的组织体系留痕{at_zh}：{zh}",
                                 f"organization {org_id}, organization trail{at_en}: {en}"),
                            seq=seq, reason=reason, org_id=org_id)


def _digest(row: Mapping[str, Any]) -> bytes:
    return hashlib.sha256(canonical_json(row).encode()).digest()


def verify_organizations(source: OrgTrailSource, *, batch: int = 1000) -> int:
    """Check the hierarchy's trail and the stored organizations; return the records checked.

    The trail is read in pages of ``batch`` and must be unbroken (no gap, each record linked
    to the one before, each hash matching its fields); then every stored organization must
    be exactly the row of its newest record, every organization must have a record, and
    every recorded organization must still be stored unless its newest record is a
    ``close``. Memory grows with the number of
    organizations (one digest each), not with the length of the trail.

    Raises:
        AuditChainBroken: naming the organization and the record where it breaks, with a
            ``reason`` (see ``AuditChainBroken``).
    """
    newest: dict[str, tuple[int, bytes]] = {}
    closed: dict[str, int] = {}  # organizations whose newest record is a close
    prev, count = "", 0
    for rec in source.org_history(batch=batch):
        count += 1
        if rec.seq != count:
            raise _broken(rec.org_id, count, "sequence_gap", f"序号不连续（实际为 {rec.seq}）",
                          f"sequence gap (found {rec.seq})")
        if rec.prev_hash != prev:
            raise _broken(rec.org_id, rec.seq, "link_mismatch",
                          "与前一条记录的链接不符（记录被删除或调换）",
                          "does not link to the previous record (deleted or reordered)")
        if rehash_org(rec) != rec.hash or rec.row.get("id") != rec.org_id:
            raise _broken(rec.org_id, rec.seq, "hash_mismatch", "内容与哈希不符（记录被修改）",
                          "content does not match its hash (edited)")
        prev = rec.hash
        if rec.action == "close":  # no longer stored: a row found later was written around
            newest.pop(rec.org_id, None)
            closed[rec.org_id] = rec.seq
        else:
            newest[rec.org_id] = (rec.seq, _digest(rec.row))
            closed.pop(rec.org_id, None)
    for org in source.organizations():
        found = newest.pop(org.id, None)
        if found is None and org.id in closed:
            raise _broken(org.id, closed[org.id], "org_unrecorded",
                          "该组织已撤销，但存储中仍有（绕过引擎写入）",
                          "the organization was closed, yet the store has it (written around "
                          "the engine)")
        if found is None:
            raise _broken(org.id, 0, "org_unrecorded",
                          "该组织没有任何留痕记录（绕过引擎写入）",
                          "no record of this organization in the trail (written around the "
                          "engine)")
        seq, digest = found
        if _digest(org_row(org)) != digest:
            raise _broken(org.id, seq, "org_mismatch",
                          "存储的组织（上级、书记等）与其最新留痕记录不符（组织被修改）",
                          "the stored organization (parent, secretary, …) differs from its "
                          "newest record (the row was edited)")
    if newest:
        org_id, (seq, _) = min(newest.items())
        raise _broken(org_id, seq, "org_deleted", "留痕中有该组织，但存储中已没有（组织被删除）",
                      "the trail has this organization but the store no longer does (the row "
                      "was deleted)")
    return count
