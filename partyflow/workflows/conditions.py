"""Binding the names a condition reads (CEL) to values: one list of context names.

Shared by the engine (a step's conditions) and rules change (``impact`` evaluating stored
data), so both see a condition the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from partyflow.rules.definitions import ConditionDef, ProcedureDef, TransitionDef
from partyflow.workflows.records import Actor, Instance

STEP_NAMES = frozenset({"actor", "event"})
"""Names a condition reads from the step being fired rather than from the instance."""


def bind_names(proc: ProcedureDef, t: TransitionDef, cond: ConditionDef,
               values: Mapping[str, Any], event: Mapping[str, Any], actor: Actor | None,
               now: dt.datetime, inst: Instance) -> tuple[dict[str, Any], list[str]]:
    """The names ``cond`` reads, bound to CEL values, and the inputs among them that are
    missing (bound to null: ``x == null || …`` may still hold).

    ``values`` is the instance data merged with the step's ``event`` data. Without an
    ``actor`` (an impact report evaluating stored data), ``actor`` is bound to null.
    """
    expr = cond.expression
    inputs = proc.inputs
    params = proc.cel_parameters
    names: dict[str, Any] = dict(expr.helpers)
    missing: list[str] = []
    for var in expr.variables:  # bind only what the condition reads
        if var in inputs:
            value = values.get(var)
            if value is None:
                missing.append(var)
                names[var] = None
            else:
                names[var] = inputs[var].to_cel(value)
        elif var in params:
            names[var] = params[var]
        elif var == "actor":
            names[var] = None if actor is None else {
                "id": actor.id, "role": actor.role, "org": actor.org}
        elif var == "now":
            names[var] = now
        elif var == "event":
            fields = t.accepts if t.accepts is not None else inputs
            names[var] = {k: None if event.get(k) is None else inputs[k].to_cel(event[k])
                          for k in fields}
        elif var == "deadline_at":
            names[var] = inst.deadline_at
        elif var == "entered_at":
            names[var] = inst.updated_at
        elif var == "escalation":
            names[var] = inst.escalation
    return names, missing
