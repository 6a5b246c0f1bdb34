"""Who an instance names (当事方), as the store indexes it for inboxes.

An instance is responsible at one organization (``Instance.org``, indexed). Its roles may also
be bound to other organization inputs (the receiving side of a transfer, a county
department), to whoever started it, or to the person a ``subject`` input names
(``ProcedureDef.party_keys``). The store keeps those values in ``pf_instance_parties`` and
rewrites them in the step's transaction whenever a step changes one, so an actor's inbox
selects the instances that name its organization's subtree or the actor itself instead of
reading every instance of the procedure.

Values: an organization input's id as given; a person as ``person_key`` of the id (the
normalization every person comparison uses). The index only selects candidates: each one is
still checked by the authority a fire checks, on the sealed instance data, so a row edited in
the database can hide an instance from an inbox but never let anyone act on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from partyflow.rules.definitions import STARTER_KEY, ProcedureDef
from partyflow.workflows.records import person_key


def _value(kind: str, value: Any) -> str | None:
    if value is None:
        return None
    return person_key(str(value)) if kind == "person" else str(value)


def start_parties(proc: ProcedureDef, data: Mapping[str, Any], starter: str) -> dict[str, str]:
    """The parties of a new instance of ``proc`` with ``data``, started by ``starter``."""
    out: dict[str, str] = {}
    for key, kind in proc.party_keys:
        value = _value(kind, starter if key == STARTER_KEY else data.get(key))
        if value is not None:
            out[key] = value
    return out


def changed_parties(proc: ProcedureDef, before: Mapping[str, Any],
                    after: Mapping[str, Any]) -> dict[str, str | None] | None:
    """The parties a step from ``before`` to ``after`` data rewrites, or None if none changes
    (the starter never does)."""
    changed: dict[str, str | None] = {}
    for key, kind in proc.party_keys:
        if key != STARTER_KEY and before.get(key) != after.get(key):
            changed[key] = _value(kind, after.get(key))
    return changed or None


def migrated_parties(old: ProcedureDef, new: ProcedureDef, data: Mapping[str, Any],
                     starter: str) -> dict[str, str | None]:
    """The parties of an instance migrated from ``old`` to ``new`` with ``data``: every key
    ``old`` bound is removed unless ``new`` binds it too."""
    changed: dict[str, str | None] = {key: None for key, _ in old.party_keys}
    changed.update(start_parties(new, data, starter))
    return changed
