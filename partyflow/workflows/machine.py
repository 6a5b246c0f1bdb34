"""One ``transitions.Machine`` per procedure version, shared by every instance.

A Machine per instance costs ~700 µs and ~40 KB each, and the stock shared
``Machine.add_model`` grows O(n) per add. Instead the machine holds no models: each step
hands the event a throw-away token carrying the instance's current state, and transitions
validates the source state and moves the token. Each rules transition is registered under a
unique internal trigger (``trigger#index``) because partyflow has already chosen which
candidate applies after evaluating every condition once.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine

from partyflow.rules.definitions import ProcedureDef, TransitionDef


class _Token:
    """The smallest model transitions accepts: just a ``state`` attribute."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class ProcedureMachine:
    """The compiled state machine of one procedure version."""

    def __init__(self, definition: ProcedureDef) -> None:
        self.definition = definition
        self._machine = Machine(
            model=None,
            states=list(definition.states),
            transitions=[
                {"trigger": t.key, "source": list(t.sources), "dest": t.dest}
                for t in definition.transitions
            ],
            initial=definition.initial,
            auto_transitions=False,
            send_event=True,
        )
        self._events: dict[str, Any] = {
            t.key: self._machine.events[t.key] for t in definition.transitions
        }

    def step(self, state: str, transition: TransitionDef) -> str:
        """Move from ``state`` along ``transition``; return the new state.

        Raises:
            transitions.MachineError: ``state`` is not a source of ``transition``.
        """
        token = _Token(state)
        self._events[transition.key].trigger(token)
        return token.state
