"""The compiled state machine of one procedure version: transitions decides which step fires.

One ``transitions.Machine`` per procedure version serves every instance (a Machine per
instance costs ~700 µs and ~40 KB; ``add_model`` grows O(n) per add). The machine holds no
models: each fire runs the event on a scratch model (``_Run``) carrying the instance's current
state and the step's guard, and transitions does what it is for — checks the source state, tries
the transitions registered for the trigger from that state in file order, evaluates each one's
guard and moves the scratch model to the destination of the first whose guard holds. The store,
not the scratch model, is the truth: the engine commits the result, or nothing.

Each rules transition becomes a ``RuleTransition`` (transitions' ``transition_cls`` swapped in)
that knows its ``TransitionDef`` and carries one guard: the caller's ``admit`` callable, which
evaluates every CEL condition of that transition (so a refusal can name every failed condition,
not only the first) and says whether the transition may fire.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transitions import Machine, Transition
from transitions.core import Event, EventData

from partyflow.rules.definitions import ProcedureDef, TransitionDef

Admit = Callable[[TransitionDef], bool]
"""A guard: whether this transition may fire for the step being decided."""


class _Run:
    """The scratch model of one fire: the state transitions moves, and the step's guard."""

    __slots__ = ("admit", "chosen", "state")

    def __init__(self, state: str, admit: Admit) -> None:
        self.state = state
        self.admit = admit
        self.chosen: TransitionDef | None = None


def _guard(event: Any) -> bool:
    """The condition registered on every transition: asks the run's ``admit``."""
    run: _Run = event.model
    definition: TransitionDef = event.transition.definition
    if run.admit(definition):
        run.chosen = definition
        return True
    return False


class RuleTransition(Transition):
    """A transitions ``Transition`` that knows the rules transition it was compiled from.

    Nothing happens on the scratch model but the state change (the store commits; partyflow
    registers no callbacks), so ``execute`` evaluates the guard and moves the model without
    walking the empty prepare/before/after and state enter/exit callback lists.
    """

    def __init__(self, source: str, dest: str, conditions: Any = None, unless: Any = None,
                 before: Any = None, after: Any = None, prepare: Any = None,
                 definition: TransitionDef | None = None) -> None:
        super().__init__(source, dest, conditions, unless, before, after, prepare)
        self.definition = definition

    def execute(self, event_data: Any) -> bool:
        """Move the model to ``dest`` if the guard holds; whether it did."""
        if not self._eval_conditions(event_data):
            return False
        event_data.machine.set_state(self.dest, event_data.model)
        return True


class RuleEvent(Event):
    """A transitions ``Event`` fired synchronously (no queue: one scratch model per fire)."""

    def trigger(self, model: Any, *args: Any, **kwargs: Any) -> bool:
        """Try this event's transitions from the model's state; whether one fired."""
        result: bool = self._trigger(EventData(None, self, self.machine, model, args=args,
                                               kwargs=kwargs))
        return result


class _RuleMachine(Machine):
    transition_cls = RuleTransition
    event_cls = RuleEvent


class ProcedureMachine:
    """The compiled state machine of one procedure version."""

    def __init__(self, definition: ProcedureDef) -> None:
        self.definition = definition
        machine = _RuleMachine(
            model=None, states=list(definition.states), initial=definition.initial,
            auto_transitions=False, send_event=True,
        )
        for t in definition.transitions:
            machine.add_transition(t.trigger, list(t.sources), t.dest, conditions=[_guard],
                                   definition=t)
        self._machine = machine
        self._events: dict[str, Any] = dict(machine.events)
        self._triggers: dict[str, tuple[str, ...]] = {}

    def triggers_from(self, state: str) -> tuple[str, ...]:
        """The triggers that exist from ``state``, in file order."""
        found = self._triggers.get(state)
        if found is None:
            found = self._triggers[state] = tuple(self._machine.get_triggers(state))
        return found

    def candidates(self, trigger: str, state: str) -> tuple[TransitionDef, ...]:
        """The transitions ``trigger`` may take from ``state``, in the order they are tried."""
        event = self._events.get(trigger)
        if event is None:
            return ()
        return tuple(tr.definition for tr in event.transitions.get(state, ()))

    def run(self, state: str, trigger: str, admit: Admit) -> TransitionDef | None:
        """Fire ``trigger`` from ``state`` on a scratch model; the transition taken, or None
        when no guard admitted one (nothing changes anywhere either way)."""
        run = _Run(state, admit)
        if not self._events[trigger].trigger(run):
            return None
        chosen = run.chosen
        assert chosen is not None and run.state == chosen.dest
        return chosen
