r"""The audit trail's hash chain (审计留痕): its canonical encoding, computing and verifying it.

The payload of a record is its fields in a fixed order — instance, seq, time, actor id, role
and organization, trigger, from and to state, event data, rules version and hash, basis,
idempotency key, previous hash — encoded once per step (by ``seal``) as canonical JSON in the
style of RFC 8785 (JCS), and hashed with SHA-256:

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
import json
from collections.abc import Mapping, Sequence
from typing import Any

from partyflow.errors import AuditChainBroken, Text
from partyflow.workflows.records import AuditRecord, Instance

_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                         allow_nan=False, check_circular=False).encode
# check_circular off: the same text, faster; audit data is built fresh by the input checks
# and cannot contain a cycle


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON text (see the module docstring)."""
    return _dumps(value)


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
) -> str:
    """SHA-256 of a record's fields and the previous hash (canonical JSON)."""
    body = _dumps(
        [
            instance_id, seq, (at if at.tzinfo is dt.UTC else at.astimezone(dt.UTC)).isoformat(),
            actor_id, actor_role,
            actor_org, trigger, from_state, to_state, data, rules_version, rules_hash, basis,
            idempotency_key, prev_hash,
        ]
    )
    return hashlib.sha256(body.encode()).hexdigest()


def rehash(record: AuditRecord) -> str:
    """Recompute ``record``'s hash from its fields."""
    return record_hash(
        instance_id=record.instance_id, seq=record.seq, at=record.at,
        actor_id=record.actor_id, actor_role=record.actor_role, actor_org=record.actor_org,
        trigger=record.trigger, from_state=record.from_state, to_state=record.to_state,
        data=record.data, rules_version=record.rules_version, rules_hash=record.rules_hash,
        basis=record.basis, idempotency_key=record.idempotency_key, prev_hash=record.prev_hash,
    )


def verify_chain(instance: Instance, records: Sequence[AuditRecord]) -> int:
    """Check ``records`` form an unbroken chain ending at ``instance``; return their count.

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
        prev = rec.hash
    last = records[-1]
    if (last.seq, last.hash, last.to_state) != (instance.version, instance.last_hash,
                                                 instance.state):
        raise broken(last.seq + 1 if instance.version > last.seq else last.seq, "head_mismatch",
                     f"实例状态（{instance.state}，第 {instance.version} 版）与最后一条记录不符",
                     f"the instance ({instance.state}, version {instance.version}) does not "
                     "match the last record (records deleted or the instance edited)")
    return len(records)
