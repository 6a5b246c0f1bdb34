"""A checked rules file → frozen definitions (``partyflow.rules.definitions``).

Only a model that passed every check (``partyflow.rules.checks``) is compiled, so nothing
here reports problems: the schema's labels are already ``Text``, deadlines and conditions
already known to be sound.
"""

from __future__ import annotations

import dataclasses
import types

from partyflow.rules import schema as s
from partyflow.rules.calendar import Calendar
from partyflow.rules.definitions import (
    AuthorityDef,
    ConditionDef,
    EstablishesDef,
    FromHierarchyDef,
    InputDef,
    ParameterDef,
    ProcedureDef,
    RuleSet,
    StateDef,
    TransitionDef,
    build_procedure,
)
from partyflow.rules.durations import Duration
from partyflow.rules.expressions import compile_expression, parse_template
from partyflow.rules.working_days import WorkingDays


def compile_calendar(spec: s.CalendarSpec,
                     overrides: s.CalendarOverrides | None = None) -> Calendar:
    """The calendar the rules count periods by (RULES.md §6)."""
    working = (WorkingDays(overrides.holidays, overrides.working_days,
                           overrides.published_years)
               if overrides is not None else WorkingDays())
    return Calendar(spec.time_zone, spec.extend_past_holidays, working)


def compile_rules(model: s.RulesFile, *, content_hash: str, source: str, file: str,
                  overrides: s.CalendarOverrides | None = None) -> RuleSet:
    """The rule set of a checked file; ``source`` is its text (and its calendar file's),
    ``file`` its name."""
    calendar = compile_calendar(model.calendar, overrides)
    return RuleSet(
        version=model.version,
        content_hash=content_hash,
        source=source,
        file=file,
        roles=types.MappingProxyType(dict(model.roles)),
        procedures=types.MappingProxyType(
            {name: compile_procedure(name, proc, calendar)
             for name, proc in model.procedures.items()}),
        hierarchy=model.hierarchy,
        calendar=calendar,
    )


def compile_procedure(name: str, proc: s.Procedure,
                      calendar: Calendar | None = None) -> ProcedureDef:
    """One checked procedure, frozen, with its lookup tables."""
    return build_procedure(
        name, proc.title, proc.initial, frozenset(proc.start_roles),
        {k: compile_parameter(k, p) for k, p in proc.parameters.items()},
        {k: compile_input(k, i, proc) for k, i in proc.inputs.items()},
        {k: compile_state(k, st, proc) for k, st in proc.states.items()},
        tuple(compile_transition(i, t) for i, t in enumerate(proc.transitions)),
        organization=proc.organization,
        authority={role: AuthorityDef(role, a.org, a.up, a.person, a.basis, a.subject, a.open)
                   for role, a in proc.authority.items()},
        establishes=_establishes(proc.establishes),
        calendar=calendar if calendar is not None else Calendar(),
        start_accepts=None if proc.start_accepts is None else frozenset(proc.start_accepts),
    )


def compile_parameter(name: str, p: s.Parameter) -> ParameterDef:
    """A parameter (参数) as the runtime reads it."""
    return ParameterDef(name, p.type, p.value, p.basis, p.label, p.note)


def _from_hierarchy(i: s.Input) -> FromHierarchyDef | None:
    h = i.from_hierarchy
    return None if h is None else FromHierarchyDef(h.org, h.up, h.level, h.column)


def compile_input(name: str, i: s.Input, proc: s.Procedure | None = None) -> InputDef:
    """An input field; its default in canonical form (None when absent or not valid), a
    ``default_from`` parameter's value when it names one."""
    spec = InputDef(name, i.type, i.label, tuple(i.values or ()), i.items, i.min, i.max,
                    i.max_length, superior_of_starter=i.superior_of_starter,
                    default_from=i.default_from, from_hierarchy=_from_hierarchy(i))
    given = i.default
    if i.default_from is not None and proc is not None and i.default_from in proc.parameters:
        given = proc.parameters[i.default_from].value
    if given is None:
        return spec
    try:
        default = spec.coerce(given)
    except ValueError:  # reported by the checks
        return spec
    return dataclasses.replace(spec, default=default)


def compile_state(name: str, st: s.State, proc: s.Procedure) -> StateDef:
    """A state; its deadline a literal duration, or the name of a parameter or input."""
    deadline: Duration | None = None
    deadline_name: str | None = None
    if st.deadline is not None:
        if st.deadline in proc.parameters or st.deadline in proc.inputs:
            deadline_name = st.deadline
        else:
            deadline = Duration.parse(st.deadline)
    remind: Duration | None = None
    remind_name: str | None = None
    if st.remind_before is not None:
        if st.remind_before in proc.parameters:
            remind_name = st.remind_before
        else:
            remind = Duration.parse(st.remind_before)
    return StateDef(name, st.label, st.terminal, deadline, deadline_name, st.on_timeout,
                    st.escalate, st.renamed_from, remind, remind_name)


def compile_transition(index: int, t: s.Transition) -> TransitionDef:
    """The ``index``-th transition of its procedure, its conditions compiled."""
    return TransitionDef(
        index=index, trigger=t.trigger,
        sources=(t.source,) if isinstance(t.source, str) else tuple(t.source),
        dest=t.dest, roles=frozenset(t.roles),
        conditions=tuple(compile_condition(c) for c in t.conditions),
        basis=t.basis, label=t.label,
        accepts=frozenset(t.accepts) if t.accepts is not None else None,
        distinct_from=frozenset(t.distinct_from),
    )


def compile_condition(c: s.Condition) -> ConditionDef:
    """A guard: its CEL program and its message template."""
    return ConditionDef(compile_expression(c.expr), parse_template(c.message),
                        c.basis)


def _establishes(est: s.Establishes | None) -> EstablishesDef | None:
    if est is None:
        return None
    return EstablishesDef(est.state, est.id, est.name, est.parent, est.secretary, est.basis)

