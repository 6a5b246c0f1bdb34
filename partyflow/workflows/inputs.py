"""A step's data against the procedure: typed inputs, accepted fields, named organizations.

Each check raises ``InvalidEventData`` listing every field at once; the refusals for a trigger
or procedure that does not exist are here too, with "did you mean" where one is close.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from partyflow.errors import (
    FieldError,
    InvalidEventData,
    InvalidTrigger,
    Text,
    UnknownProcedure,
)
from partyflow.hierarchy.query import HierarchyView
from partyflow.limits import text_problem
from partyflow.rules.definitions import ProcedureDef, RuleSet, TransitionDef
from partyflow.rules.problems import suggest

MAX_FIELDS = 1000
"""More fields than this in one step's data are refused outright (not one error per field)."""

Where = Callable[[], dict[str, Any]]
"""The context of a refusal (instance, state, trigger, actor), built only when one is raised."""


def coerce(proc: ProcedureDef, data: Mapping[str, Any], where: Where) -> dict[str, Any]:
    """``data`` checked against the procedure's inputs, in canonical JSON form."""
    if not isinstance(data, Mapping):
        raise InvalidEventData(
            [FieldError("data", Text("应为字典（名称 → 值）", "must be a mapping"), data)],
            **where())
    if len(data) > MAX_FIELDS:
        raise InvalidEventData([FieldError("data", Text(
            f"字段过多：{len(data)} 个（流程 {proc.name} 只有 {len(proc.inputs)} 个输入字段）",
            f"too many fields: {len(data)} ({proc.name} has {len(proc.inputs)} inputs)"))],
            **where())
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in data.items():
        spec = proc.inputs.get(name) if isinstance(name, str) else None
        if spec is None:
            known = ", ".join(proc.inputs) or "-"
            shown = name if isinstance(name, str) and text_problem(name, 200) is None \
                else reprlib.repr(name)  # a caller's key, printable whatever it holds
            errors.append(FieldError(shown, Text(
                f"不是流程 {proc.name} 的输入字段（可用：{known}）",
                f"is not an input of {proc.name} (known: {known})"), value))
            continue
        if spec.from_hierarchy is not None:
            errors.append(FieldError(name, Text(
                "由组织体系确定（发起时读取），不能填写", "is taken from the hierarchy at start; "
                "it cannot be given"), value))
            continue
        try:
            out[name] = spec.coerce(value)
        except ValueError as exc:
            text = exc.args[0] if exc.args and isinstance(exc.args[0], Text) else Text(
                str(exc), str(exc))
            errors.append(FieldError(name, text, value))
    if errors:
        raise InvalidEventData(errors, **where())
    return out


def check_orgs(proc: ProcedureDef, values: Mapping[str, Any], orgs: HierarchyView,
               where: Where) -> None:
    """Refuse ``org``-typed values that name no organization of the hierarchy."""
    errors = [
        FieldError(name, Text(f"组织体系中没有编号为 {value} 的组织",
                              f"there is no organization {value} in the hierarchy"), value)
        for name, value in values.items()
        if value is not None and proc.inputs[name].type == "org" and orgs.find(value) is None
    ]
    if errors:
        raise InvalidEventData(errors, **where())


_TRUE = frozenset({"true", "1", "yes", "是", "y"})


def read_hierarchy(proc: ProcedureDef, values: dict[str, Any], orgs: HierarchyView,
                   where: Where) -> None:
    """Fill in the inputs taken from the hierarchy (``from_hierarchy``), as it is at start:
    the organization ``up`` levels above (or at ``level`` above) the one an org input names,
    its id or whether its column reads true. Refused when that organization does not exist."""
    errors: list[FieldError] = []
    for name, spec in proc.inputs.items():
        h = spec.from_hierarchy
        if h is None or values.get(h.org) is None:
            continue
        start = str(values[h.org])
        if h.level is not None:
            found = orgs.at_level(start, h.level)
            place = Text(f"{h.level} 层级", f"at level {h.level}")
        else:
            found = orgs.above(start, h.up or 0)
            place = Text(f"上 {h.up} 级", f"{h.up} level(s) above")
        if found is None:
            errors.append(FieldError(name, Text(
                f"组织体系中 {start} 之上没有{place.zh}的组织（{h.org}）",
                f"the hierarchy has no organization {place.en} {start} ({h.org})"), start))
        elif h.column is None:
            values[name] = found.id
        else:
            values[name] = str(found.attrs.get(h.column, "")).strip().lower() in _TRUE
    if errors:
        raise InvalidEventData(errors, **where())


def start_accepting(proc: ProcedureDef, data: Mapping[str, Any], where: Where) -> None:
    """Refuse start data that ``start_accepts`` does not list: a later step decides it."""
    if proc.start_accepts is None or not isinstance(data, Mapping):
        return
    extra = sorted(str(k) for k in data if k not in proc.start_accepts and k in proc.inputs)
    if not extra:
        return
    listed = ", ".join(sorted(proc.start_accepts)) or "-"
    raise InvalidEventData(
        [FieldError(k, Text(
            f"发起时不能填写此字段：它由在 accepts 中列出它的步骤填写；发起时可填写：{listed}",
            f"the start may not carry this field: a step that lists it in accepts sets it; "
            f"the start takes: {listed}"), data[k]) for k in extra],
        **where())


def accepting(proc: ProcedureDef, allowed: Sequence[TransitionDef], data: Mapping[str, Any],
              trigger: str, where: Where) -> tuple[TransitionDef, ...]:
    """The transitions of ``allowed`` that take every field of ``data``.

    A field that decides who may act or who is responsible (an authority or organization
    input) is taken only by a step that lists it in ``accepts``.
    """
    guarded = proc.guarded_inputs.intersection(data) if proc.guarded_inputs else ()
    if guarded:
        found = tuple(t for t in allowed if t.accepts is not None and t.accepts.issuperset(data))
    else:
        found = tuple(t for t in allowed if t.accepts is None or t.accepts.issuperset(data))
    if not found:
        raise _not_accepted(proc, allowed, data, trigger, where)
    return found


def _not_accepted(proc: ProcedureDef, allowed: Sequence[TransitionDef],
                  data: Mapping[str, Any], trigger: str, where: Where) -> InvalidEventData:
    guarded = proc.guarded_inputs
    if any(t.accepts is None for t in allowed):  # every input but the guarded ones
        ok: set[str] = set(proc.inputs) - guarded
    else:
        ok = set().union(*(t.accepts or () for t in allowed))
    listed = ", ".join(sorted(ok)) or "-"
    return InvalidEventData(
        [FieldError(k, Text(
            f"步骤 {trigger} 不接受此字段：它决定谁有权办理、由谁负责，只能在发起时填写，"
            f"或由在 accepts 中列出它的步骤修改",
            f"step {trigger} does not take this field: it decides who may act or "
            "who is responsible, so it is set at the start or by a step that lists it in "
            "accepts") if k in guarded else Text(
            f"步骤 {trigger} 不接受此字段；可填写：{listed}",
            f"step {trigger} does not take this field; it takes: {listed}"), data[k])
         for k in sorted(str(k) for k in data if k not in ok)],
        **where())


def invalid_trigger(proc: ProcedureDef, state: str, trigger: str, available: Sequence[str],
                    where: Mapping[str, Any]) -> InvalidTrigger:
    """The refusal for a trigger that does not exist from ``state``, naming what does."""
    label = proc.states[state].label
    avail_zh = "、".join(available) or "无（流程已结束）"
    avail_en = ", ".join(available) or "none (the procedure has ended)"
    names = list(dict.fromkeys(t.trigger for t in proc.transitions))
    if trigger not in names:
        zh, en = suggest(trigger, names)
        text = Text(f"流程 {proc.title.zh} 没有步骤 {trigger}{zh}；当前可执行：{avail_zh}",
                    f"{proc.title.en} has no trigger {trigger}{en}; available now: {avail_en}")
    else:
        text = Text(f"当前状态“{label.zh}”下不能执行 {trigger}；当前可执行：{avail_zh}",
                    f"{trigger} cannot be fired from state {state} ({label.en}); "
                    f"available now: {avail_en}")
    return InvalidTrigger(text, available=list(available), **where)


def unknown_procedure(rules: RuleSet, procedure: str, actor_id: str) -> UnknownProcedure:
    """The refusal for a procedure the rules do not define."""
    zh, en = suggest(procedure, list(rules.procedures))
    return UnknownProcedure(
        Text(f"规则中没有流程 {procedure}{zh}", f"no procedure {procedure} in the rules{en}"),
        procedure=procedure, actor_id=actor_id)
