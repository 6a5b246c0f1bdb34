"""Which states and transitions of one rules version continue in another (pure).

Shared by ``partyflow.rules.diff`` (the change list) and ``partyflow.policy.change``
(impact and migration), so both agree on what continues what.
"""

from __future__ import annotations

from typing import Any

from partyflow.rules.definitions import ProcedureDef, TransitionDef


def state_map(old: ProcedureDef, new: ProcedureDef) -> dict[str, str | None]:
    """Each old state → the state that continues it in ``new`` (same id, or a declared
    ``renamed_from``), or None when it no longer exists."""
    renamed = {s.renamed_from: s.name for s in new.states.values() if s.renamed_from}
    return {name: renamed.get(name, name if name in new.states else None)
            for name in old.states}


def transition_key(t: TransitionDef, rename: dict[str, str | None] | None = None) -> tuple[Any, ...]:
    """What identifies a transition across versions: its trigger and source states.

    Old sources are translated through ``rename`` (old → new state ids, None for removed).
    """
    if rename is None:
        sources: tuple[str, ...] = t.sources
    else:  # through renames; a source state that was removed no longer counts
        sources = tuple(x for x in (rename.get(s, s) for s in t.sources) if x)
    return (t.trigger, tuple(sorted(sources)))
