r"""The audit trail's hash chain (审计留痕): its canonical encoding, computing and verifying it.

The payload of a record is its fields in a fixed order — instance, seq, time, actor id, role
and organization, trigger, from and to state, event data, rules version and hash, basis,
idempotency key, previous hash, and the hash of the instance row the step produced
(``state_digest``: so the chain seals the state, data, deadline and escalation the engine will
act on next, not only the order of the steps) — encoded once per step (by ``seal``) as
canonical JSON in the style of RFC 8785 (JCS), and hashed with SHA-256:

- no whitespace; object keys sorted by code point (RFC 8785 sorts by UTF-16 code units: the
  same order for every key without characters beyond U+FFFF, and the keys of instance data are
  the rules' ASCII input ids);
- strings as UTF-8 with only the escapes JSON requires (``\"``, ``\\``, control characters
  as ``\n``/``\t``/… or lowercase ``\u00xx``), as RFC 8785;
- integers in decimal; floats as Python's shortest round-trip ``repr`` (``0.1``, ``2.0``,
  ``1e+16``) — this is where we differ from RFC 8785, which writes ECMAScript numbers (``2``,
  ``10000000000000000``); NaN and infinities are refused, so every float has one text;
- times as ISO-8601 in UTC (``2026-03-02T09:00:00+00:00``), dates and durations as the
  canonical text the inputs store.

The SQL store writes event and instance data with the same encoder (``canonical_json``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from partyflow.canonical import canonical_json
from partyflow.errors import AuditChainBroken, Text
from partyflow.workflows.records import AuditRecord, Instance

_dumps = canonical_json  # the one encoder (``partyflow.canonical``), bound for the hot path


def record_hash(
    *,
    instance_id: str,
    seq: int,
    at: dt.datetime,
    actor_id: str,
    actor_role: str,
    actor_org: str | None,
    trigger: str,
    from_state: str | None,
    to_state: str,
    data: Mapping[str, Any],
    rules_version: str,
    rules_hash: str,
    basis: str | None,
    idempotency_key: str | None,
    prev_hash: str,
    state_hash: str = "",
) -> str:
    """SHA-256 of a record's fields, the previous hash and the sealed state (canonical JSON).
    A record without ``state_hash`` (written before it existed) hashes as it did then."""
    fields: list[Any] = [
        instance_id, seq, _utc(at), actor_id, actor_role, actor_org, trigger, from_state,
        to_state, data, rules_version, rules_hash, basis, idempotency_key, prev_hash,
    ]
    if state_hash:
        fields.append(state_hash)
    return hashlib.sha256(_dumps(fields).encode()).hexdigest()


def _utc(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo is dt.UTC else moment.astimezone(dt.UTC)).isoformat()


def state_digest(inst: Instance) -> str:
    """SHA-256 of everything the engine reads from an instance row (all but ``last_hash``,
    which is the hash of the record that seals this digest)."""
    return row_digest(
        inst.id, inst.procedure, inst.state, inst.data, inst.version, inst.rules_version,
        inst.rules_hash, inst.created_at, inst.updated_at, inst.deadline_at, inst.terminal,
        inst.org, inst.escalation, inst.escalated_to, inst.overdue_since,
        inst.deadline_estimated, inst.remind_at, inst.last_step_at)


def row_digest(iid: str, procedure: str, state: str, data: Mapping[str, Any], version: int,
               rules_version: str, rules_hash: str, created_at: dt.datetime,
               updated_at: dt.datetime, deadline_at: dt.datetime | None, terminal: bool,
               org: str | None, escalation: int, escalated_to: str | None,
               overdue_since: dt.datetime | None, deadline_estimated: bool,
               remind_at: dt.datetime | None, last_step_at: dt.datetime | None) -> str:
    """``state_digest`` of a row given field by field (``seal`` hashes the row it is about
    to build)."""
    body = _dumps([
        iid, procedure, state, data, version, rules_version, rules_hash, _utc(created_at),
        _utc(updated_at), _utc(deadline_at), terminal, org, escalation, escalated_to,
        _utc(overdue_since), deadline_estimated, _utc(remind_at), _utc(last_step_at),
    ])
    return hashlib.sha256(body.encode()).hexdigest()


def rehash(record: AuditRecord) -> str:
    """Recompute ``record``'s hash from its fields."""
    return record_hash(
        instance_id=record.instance_id, seq=record.seq, at=record.at,
        actor_id=record.actor_id, actor_role=record.actor_role, actor_org=record.actor_org,
        trigger=record.trigger, from_state=record.from_state, to_state=record.to_state,
        data=record.data, rules_version=record.rules_version, rules_hash=record.rules_hash,
        basis=record.basis, idempotency_key=record.idempotency_key, prev_hash=record.prev_hash,
        state_hash=record.state_hash,
    )


def verify_chain(instance: Instance, records: Sequence[AuditRecord]) -> int:
    """Check ``records`` form an unbroken chain ending at ``instance``; return their count.

    Each record must follow the one before it (sequence, hash link, ``from_state`` = the
    previous ``to_state``, a time not before it) and match its own hash; the stored instance
    must be the one the last record sealed (version, hash, and its ``state_digest``).

    Raises:
        AuditChainBroken: naming the first sequence number where the chain breaks.
    """
    iid = instance.id

    def broken(seq: int, reason: str, zh: str, en: str) -> AuditChainBroken:
        return AuditChainBroken(Text(f"实例 {iid} 的审计记录第 {seq} 条：{zh}",
                                     f"instance {iid}, audit record {seq}: {en}"),
                                instance_id=iid, seq=seq, reason=reason)

    if not records:
        raise broken(0, "empty", "没有任何审计记录", "there are no audit records")
    prev = ""
    before: AuditRecord | None = None
    for expected_seq, rec in enumerate(records, start=1):
        if rec.seq != expected_seq:
            raise broken(expected_seq, "sequence_gap", f"序号不连续（实际为 {rec.seq}）",
                         f"sequence gap (found {rec.seq})")
        if rec.prev_hash != prev:
            raise broken(rec.seq, "link_mismatch", "与前一条记录的链接不符（记录被删除或调换）",
                         "does not link to the previous record (deleted or reordered)")
        if rehash(rec) != rec.hash:
            raise broken(rec.seq, "hash_mismatch", "内容与哈希不符（记录被修改）",
                         "content does not match its hash (edited)")
        came_from = before.to_state if before is not None else None
        if rec.from_state != came_from:
            raise broken(rec.seq, "state_discontinuity",
                         f"起始状态 {rec.from_state} 不是上一条记录的结果状态 {came_from}",
                         f"starts from state {rec.from_state}, but the previous record ended "
                         f"in {came_from}")
        if before is not None and rec.at < before.at:
            raise broken(rec.seq, "time_went_back",
                         f"时间 {rec.at.isoformat()} 早于上一条记录的 {before.at.isoformat()}",
                         f"its time {rec.at.isoformat()} is before the previous record's "
                         f"{before.at.isoformat()}")
        prev, before = rec.hash, rec
    last = records[-1]
    if (last.seq, last.hash, last.to_state) != (instance.version, instance.last_hash,
                                                 instance.state):
        raise broken(last.seq + 1 if instance.version > last.seq else last.seq, "head_mismatch",
                     f"实例状态（{instance.state}，第 {instance.version} 版）与最后一条记录不符",
                     f"the instance ({instance.state}, version {instance.version}) does not "
                     "match the last record (records deleted or the instance edited)")
    if last.state_hash and last.state_hash != state_digest(instance):
        raise broken(last.seq, "state_mismatch",
                     "实例的存储数据（状态、数据、期限、督办级别、负责组织等）与最后一条记录封存的不符（被直接修改）",
                     "the stored instance (state, data, deadline, escalation, organization …) "
                     "is not the one the last record sealed (edited in the database)")
    return len(records)


def verify_head(instance: Instance, head: AuditRecord | None) -> None:
    """Before a step is written on ``instance``: the stored row must be the one its newest
    record sealed (a cheap check: the record comes with the row, or by one keyed read; the
    record's own hash is ``verify``'s to check — the next record links to it as stored).

    Raises:
        AuditChainBroken: the head does not match; nothing may be built on it.
    """
    iid = instance.id
    reason = None
    if head is None or head.seq != instance.version or head.hash != instance.last_hash:
        reason = "head_mismatch"
    elif head.state_hash and head.state_hash != state_digest(instance):
        reason = "state_mismatch"
    if reason is not None:
        raise AuditChainBroken(
            Text(f"实例 {iid} 的存储数据与其最后一条审计记录不符：拒绝在被改动的记录上继续办理，请先核查"
                 f"（partyflow verify {iid}）",
                 f"instance {iid} does not match its newest audit record: no step is written "
                 f"on a tampered record; investigate first (partyflow verify {iid})"),
            instance_id=iid, seq=instance.version, reason=reason)
