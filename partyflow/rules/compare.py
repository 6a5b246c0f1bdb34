"""Which states and transitions of one rules version continue in another (pure).

The one pairing of old and new: ``partyflow.rules.diff`` (the change list) and
``partyflow.policy`` (impact and migration) both call ``state_map`` and
``pair_transitions``, so a diff and an impact report always agree on what continues what.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from partyflow.rules.definitions import ProcedureDef, TransitionDef

T = TypeVar("T")
U = TypeVar("U")


def state_map(old: ProcedureDef, new: ProcedureDef) -> dict[str, str | None]:
    """Each old state → the state that continues it in ``new`` (same id, or a declared
    ``renamed_from``), or None when it no longer exists."""
    renamed = {s.renamed_from: s.name for s in new.states.values() if s.renamed_from}
    return {name: renamed.get(name, name if name in new.states else None)
            for name in old.states}


def pair_in_stages(olds: Sequence[T], news: Sequence[U],
                   keys: Sequence[tuple[Callable[[T], Hashable], Callable[[U], Hashable]]],
                   ) -> tuple[list[tuple[T, U]], list[T], list[U]]:
    """Pair items stage by stage (each stage a key for old and new items), in order.

    Returns:
        The pairs (in the new items' order) and what is left unpaired on each side.
    """
    left_old, left_new = list(olds), list(news)
    pairs: list[tuple[T, U]] = []
    for old_key, new_key in keys:
        waiting: dict[Hashable, list[U]] = {}
        for after in left_new:
            waiting.setdefault(new_key(after), []).append(after)
        still: list[T] = []
        for before in left_old:
            candidates = waiting.get(old_key(before))
            if candidates:
                pairs.append((before, candidates.pop(0)))
            else:
                still.append(before)
        paired = {id(b) for _, b in pairs}
        left_old, left_new = still, [b for b in left_new if id(b) not in paired]
    order = {id(b): i for i, b in enumerate(news)}
    pairs.sort(key=lambda p: order[id(p[1])])
    return pairs, left_old, left_new


@dataclass(frozen=True)
class TransitionPairs:
    """Old transitions paired with the new ones that continue them.

    Attributes:
        states: each old state → the new state continuing it, or None (``state_map``).
        pairs: (old, new), in the new file's order.
        removed: old transitions nothing continues.
        added: new transitions that continue nothing.
    """

    states: Mapping[str, str | None]
    pairs: tuple[tuple[TransitionDef, TransitionDef], ...]
    removed: tuple[TransitionDef, ...]
    added: tuple[TransitionDef, ...]
    _next: Mapping[int, TransitionDef] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_next", {a.index: b for a, b in self.pairs})

    def successor(self, old: TransitionDef) -> TransitionDef | None:
        """The new transition continuing ``old``, or None (it was removed)."""
        return self._next.get(old.index)


def pair_transitions(old: ProcedureDef, new: ProcedureDef) -> TransitionPairs:
    """Pair ``old``'s transitions with ``new``'s.

    A transition is identified by its trigger, its source states (old ids translated through
    ``state_map``, removed states dropped) and its destination; failing that by trigger and
    sources (the destination changed), then by trigger and destination (the sources changed).
    So a rewritten condition or a new role continues the old step, never replaces it.
    """
    states = state_map(old, new)

    def sources(t: TransitionDef) -> tuple[str, ...]:  # old sources in new ids
        return tuple(sorted(x for x in (states.get(s) for s in t.sources) if x))

    def dest(t: TransitionDef) -> str:
        return states.get(t.dest) or t.dest

    def own(t: TransitionDef) -> tuple[str, ...]:
        return tuple(sorted(t.sources))

    pairs, removed, added = pair_in_stages(old.transitions, new.transitions, [
        (lambda t: (t.trigger, sources(t), dest(t)), lambda t: (t.trigger, own(t), t.dest)),
        (lambda t: (t.trigger, sources(t)), lambda t: (t.trigger, own(t))),
        (lambda t: (t.trigger, dest(t)), lambda t: (t.trigger, t.dest)),
    ])
    return TransitionPairs(states, tuple(pairs), tuple(removed), tuple(added))
