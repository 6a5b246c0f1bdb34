"""Binding the names a condition reads (CEL) to values: one list of context names.

Shared by the engine (a step's conditions) and rules change (``impact`` evaluating stored
data), so both see a condition the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from partyflow.errors import ConditionFailure, Text
from partyflow.rules.definitions import PERIOD_KINDS, ConditionDef, ProcedureDef, TransitionDef
from partyflow.rules.durations import Duration
from partyflow.workflows.records import Actor, Instance

STEP_NAMES = frozenset({"actor", "event"})
"""Names a condition reads from the step being fired rather than from the instance."""


def bind_names(proc: ProcedureDef, t: TransitionDef, cond: ConditionDef,
               values: Mapping[str, Any], event: Mapping[str, Any], actor: Actor | None,
               now: dt.datetime, inst: Instance) -> tuple[dict[str, Any], list[str]]:
    """The names ``cond`` reads, bound to CEL values, and the inputs among them that are
    missing (bound to null: ``x == null || …`` may still hold).

    ``values`` is the instance data merged with the step's ``event`` data. Without an
    ``actor`` (an impact report evaluating stored data), ``actor`` is bound to null. Periods
    are bound as their length by the rules' calendar from ``now`` (C6: "at most 3 months"
    compares where they end), dates as their local midnight (C7).
    """
    expr = cond.expression
    inputs = proc.inputs
    params = proc.cel_parameters
    cal = proc.calendar
    names: dict[str, Any] = dict(expr.helpers)
    missing: list[str] = []
    if "within" in names:
        names["within"] = _within(proc, values, now)
    for var in expr.variables:  # bind only what the condition reads
        if var in inputs:
            value = values.get(var)
            if value is None:
                missing.append(var)
                names[var] = None
            else:
                names[var] = inputs[var].to_cel(value, cal, now)
        elif var in params:
            param = proc.parameters[var]
            names[var] = param.to_cel(cal, now) if param.type in PERIOD_KINDS else params[var]
        elif var == "actor":
            names[var] = None if actor is None else {
                "id": actor.id, "role": actor.role, "org": actor.org}
        elif var == "now":
            names[var] = now
        elif var == "event":
            fields = t.accepts if t.accepts is not None else inputs
            names[var] = {k: None if event.get(k) is None
                          else inputs[k].to_cel(event[k], cal, now) for k in fields}
        elif var == "deadline_at":
            names[var] = inst.deadline_at
        elif var == "entered_at":
            names[var] = inst.updated_at
        elif var == "escalation":
            names[var] = inst.escalation
    return names, missing


def _within(proc: ProcedureDef, values: Mapping[str, Any],
            now: dt.datetime) -> Callable[[Any, str], bool]:
    """``within(since, "period_name")`` for one step: on or before the last day of the named
    period counted from the date ``since`` (C1–C3)."""
    def within(since: Any, name: str) -> bool:
        if name in proc.parameters:
            text = proc.parameters[name].value
        else:
            text = values.get(name)
            if text is None:
                text = proc.inputs[name].default
        if not isinstance(since, dt.datetime) or text is None:
            raise ValueError(f"within() needs a date and a period, got {since!r}, {text!r}")
        start = since if since.tzinfo is not None else since.replace(tzinfo=dt.UTC)
        return now < proc.calendar.deadline(Duration.parse(text), start).at

    return within


def evaluate(proc: ProcedureDef, t: TransitionDef, values: Mapping[str, Any],
             event: Mapping[str, Any], actor: Actor | None, now: dt.datetime,
             inst: Instance) -> list[ConditionFailure]:
    """Every condition of ``t`` that does not hold, each with its message rendered on the
    actual values (an input still missing is named: "尚未提供…")."""
    failures: list[ConditionFailure] = []
    shown: dict[str, Any] | None = None
    for cond in t.conditions:
        missing: list[str] = []
        try:
            names, missing = bind_names(proc, t, cond, values, event, actor, now, inst)
            ok = cond.expression.evaluate(names) is True
            error = None
        except Exception as exc:  # CEL runtime errors (overflow, bad regex at run time, …),
            # a period that runs off the calendar
            ok, error = False, str(exc).split("\n")[0]
        if ok:
            continue
        if shown is None:
            shown = {k: p.value for k, p in proc.parameters.items()}
            shown.update(values)
        text = cond.message.render(shown)
        if missing:
            zh = "、".join(f"{proc.inputs[n].label.zh}（{n}）" for n in missing)
            en = ", ".join(f"{proc.inputs[n].label.en} ({n})" for n in missing)
            text = Text(f"{text.zh}（尚未提供{zh}）", f"{text.en} ({en} not given yet)")
        elif error is not None:
            text = Text(f"{text.zh}（条件无法计算：{error}）",
                        f"{text.en} (the condition could not be evaluated: {error})")
        failures.append(ConditionFailure(cond.expression.source, text, cond.basis, t.dest))
    return failures
