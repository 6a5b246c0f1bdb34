"""What changed between two rules files: the comparison (pure).

``diff_rules(old, new)`` compares two loaded ``RuleSet``s and lists what policy staff review
before a new version takes effect (规则变更审阅): procedures; states added, removed, renamed
(declared with ``renamed_from``) or changed (label, terminal, deadline, on_timeout, escalate);
transitions added, removed or changed (roles, conditions, accepted fields, destination, sources,
basis); parameters with old → new values, their ``basis`` and label; inputs (type, bounds, enum
values, default); authority; the file's roles and version. The result types and their wording
are in ``partyflow.rules.changes`` (re-exported here).

Identity across versions is ``partyflow.rules.compare``'s, the same pairing ``impact`` and
``migrate`` use: a state by its id or a declared ``renamed_from``; a transition by trigger,
sources and destination, then trigger and sources, then trigger and destination. So rewriting
a condition is ``condition_changed`` and opening a step to another role is ``roles_changed`` —
never a removed and an added step.

This module reads definitions only; it never imports ``partyflow.workflows``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from partyflow.errors import Text
from partyflow.rules.changes import (
    ALL_INPUTS,
    KINDS,
    NO_DETAIL,
    WARNING_KINDS,
    Change,
    Collector,
    DiffWarning,
    RulesDiff,
    show,
    subject_text,
)
from partyflow.rules.compare import TransitionPairs, pair_in_stages, pair_transitions
from partyflow.rules.definitions import (
    AuthorityDef,
    ConditionDef,
    InputDef,
    ProcedureDef,
    RuleSet,
    StateDef,
    TransitionDef,
)
from partyflow.rules.ratios import ratio_text

__all__ = ["ALL_INPUTS", "KINDS", "WARNING_KINDS", "Change", "DiffWarning", "RulesDiff",
           "diff_rules", "show"]


def diff_rules(old: RuleSet, new: RuleSet) -> RulesDiff:
    """Every change from ``old`` to ``new``; an empty (falsy) ``RulesDiff`` when none."""
    top = Collector("")
    if old.version != new.version:
        top.add("version_changed", ("version",), old.version, new.version, attr="version")
    for role, label in old.roles.items():
        if role not in new.roles:
            top.add("role_removed", ("roles", role), label, None, label=label,
                    subject=subject_text("roles", role, label))
    for role, label in new.roles.items():
        before = old.roles.get(role)
        if before is None:
            top.add("role_added", ("roles", role), None, label, label=label,
                    subject=subject_text("roles", role, label))
        elif before != label:
            top.add("role_changed", ("roles", role, "label"), before, label, label=label,
                    subject=subject_text("roles", role, None), attr="label")
    _calendar(top, old, new)
    changes, warnings = list(top.changes), []
    for name, proc in new.procedures.items():
        col = Collector(name)
        before_proc = old.procedures.get(name)
        if before_proc is None:
            col.add("procedure_added", (), None, name, label=proc.title,
                    subject=subject_text("procedure", name, proc.title),
                    detail=Text(f"{len(proc.states)} 个状态，{len(proc.transitions)} 个步骤",
                                f"{len(proc.states)} states, {len(proc.transitions)} "
                                "transitions"))
        else:
            _procedure(col, before_proc, proc)
        changes += col.changes
        warnings += col.warnings
    for name, proc in old.procedures.items():
        if name not in new.procedures:
            col = Collector(name)
            col.add("procedure_removed", (), name, None, label=proc.title,
                    subject=subject_text("procedure", name, proc.title))
            changes += col.changes
    titles = {**{n: p.title for n, p in old.procedures.items()},
              **{n: p.title for n, p in new.procedures.items()}}
    return RulesDiff(old.version, new.version, tuple(changes), tuple(warnings),
                     MappingProxyType(titles))


def _procedure(col: Collector, old: ProcedureDef, new: ProcedureDef) -> None:
    proc = subject_text("procedure", new.name, None)
    if old.title != new.title:
        col.add("procedure_changed", ("title",), old.title, new.title, label=new.title,
                subject=proc, attr="title")
    if old.start_roles != new.start_roles:
        col.add("start_roles_changed", ("start_roles",), _sorted(old.start_roles),
                _sorted(new.start_roles), attr="start_roles")
    _parameters(col, old, new)
    _inputs(col, old, new)
    paired = pair_transitions(old, new)
    mapping = _states(col, old, new, paired.states)
    if (mapping.get(old.initial) or old.initial) != new.initial:
        col.add("procedure_changed", ("initial",), old.initial, new.initial, subject=proc,
                attr="initial")
    _transitions(col, old, new, paired)
    for role in dict.fromkeys([*old.authority, *new.authority]):
        was, now = old.authority.get(role), new.authority.get(role)
        a, b = binding_text(was), binding_text(now)
        if a != b:
            either = now or was
            col.add("authority_changed", ("authority", role), a, b,
                    basis=either.basis if either else None,
                    subject=subject_text("authority", role, None))
    if old.organization != new.organization:
        col.add("procedure_changed", ("organization",), old.organization, new.organization,
                subject=proc, attr="organization")
    est_a, est_b = (None if e is None else
                    f"{e.state}: id={e.id}, name={e.name}, parent={e.parent}"
                    + (f", secretary={e.secretary}" if e.secretary else "")
                    for e in (old.establishes, new.establishes))
    if est_a != est_b:
        basis = (new.establishes or old.establishes)
        col.add("procedure_changed", ("establishes",), est_a, est_b,
                basis=basis.basis if basis else None, subject=proc, attr="establishes")


def _sorted(values: frozenset[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(sorted(values))


def _canonical(kind: str, value: Any) -> Any:
    """A parameter value as compared: ``"4 / 5"`` is ``"4/5"``, 3 is 3.0 for a float."""
    if kind == "ratio":
        return ratio_text(value)
    if kind == "float" and not isinstance(value, bool):
        return float(value)
    return value


def _parameters(col: Collector, old: ProcedureDef, new: ProcedureDef) -> None:
    for name, p in old.parameters.items():
        if name not in new.parameters:
            col.add("parameter_removed", ("parameters", name), p.value, None, basis=p.basis,
                    label=p.label, subject=subject_text("parameters", name, p.label))
    for name, p in new.parameters.items():
        was = old.parameters.get(name)
        subject = subject_text("parameters", name, p.label)
        if was is None:
            col.add("parameter_added", ("parameters", name), None, p.value, basis=p.basis,
                    label=p.label, subject=subject)
            continue
        if was.type != p.type:
            col.add("parameter_changed", ("parameters", name, "type"), was.type, p.type,
                    basis=p.basis, label=p.label, subject=subject, attr="type")
        if _canonical(was.type, was.value) != _canonical(p.type, p.value):
            col.add("parameter_changed", ("parameters", name), was.value, p.value,
                    basis=p.basis, label=p.label, subject=subject)
        for attr in ("label", "basis", "note"):
            a, b = getattr(was, attr), getattr(p, attr)
            if a != b:
                col.add("parameter_changed", ("parameters", name, attr), a, b, basis=p.basis,
                        label=p.label, subject=subject_text("parameters", name, None), attr=attr)


_INPUT_ATTRS = ("type", "items", "values", "min", "max", "max_length", "default",
                "default_from", "label")


def _input_value(inp: InputDef, attr: str) -> Any:
    value = getattr(inp, attr)
    if isinstance(value, list):
        return tuple(value)
    return value


def _inputs(col: Collector, old: ProcedureDef, new: ProcedureDef) -> None:
    for name, inp in old.inputs.items():
        if name not in new.inputs:
            col.add("input_removed", ("inputs", name), inp.type, None, label=inp.label,
                    subject=subject_text("inputs", name, inp.label))
    for name, inp in new.inputs.items():
        was = old.inputs.get(name)
        if was is None:
            col.add("input_added", ("inputs", name), None, inp.type, label=inp.label,
                    subject=subject_text("inputs", name, inp.label))
            continue
        for attr in _INPUT_ATTRS:
            a, b = _input_value(was, attr), _input_value(inp, attr)
            if a != b:  # 0 and 0.0 are the same bound
                subject = subject_text("inputs", name, None if attr == "label" else inp.label)
                col.add("input_changed", ("inputs", name, attr), a, b, label=inp.label,
                        subject=subject, attr=attr)


def _calendar(top: Collector, old: RuleSet, new: RuleSet) -> None:
    """How periods are counted: the zone, C4, and the local calendar file's days."""
    a, b = old.calendar, new.calendar
    for attr in ("time_zone", "extend_past_holidays"):
        if getattr(a, attr) != getattr(b, attr):
            top.add("calendar_changed", ("calendar", attr), getattr(a, attr), getattr(b, attr),
                    attr=attr)
    for attr in ("holidays", "working_days", "published_years"):
        before, after = getattr(a.working, attr), getattr(b.working, attr)
        if before != after:
            top.add("calendar_changed", ("calendar", "overrides", attr),
                    ", ".join(map(str, sorted(before))) or None,
                    ", ".join(map(str, sorted(after))) or None, attr=attr)


def _deadline(proc: ProcedureDef, st: StateDef) -> str | None:
    """A state's deadline as shown: ``P30D``, or ``name=value`` when a parameter or an input's
    default gives it, so a changed value shows even when the name stays."""
    name = st.deadline_name
    if name is not None:
        if name in proc.parameters:
            return f"{name}={proc.parameters[name].value}"
        inp = proc.inputs.get(name)
        return f"{name}={inp.default}" if inp is not None and inp.default is not None else name
    return None if st.deadline is None else str(st.deadline)


def _deadline_basis(proc: ProcedureDef, st: StateDef) -> str | None:
    param = proc.parameters.get(st.deadline_name or "")
    return param.basis if param is not None else None


def _states(col: Collector, old: ProcedureDef, new: ProcedureDef,
            mapping: Mapping[str, str | None]) -> Mapping[str, str | None]:
    """Report state changes (``mapping``: each old state → the new state continuing it, or
    None); return ``mapping``."""
    claimed: dict[str, list[str]] = {}
    for st in new.states.values():
        if st.renamed_from is None:
            continue
        claimed.setdefault(st.renamed_from, []).append(st.name)
        if st.renamed_from not in old.states and st.name not in old.states:
            # (a state the old file already has by its own id keeps an earlier rename's note)
            col.warn("renamed_from_unknown", ("states", st.name, "renamed_from"), Text(
                f"状态 “{st.name}” 声明 renamed_from: {st.renamed_from}，但旧规则的流程 "
                f"{new.name} 没有状态 “{st.renamed_from}”：按新增状态处理",
                f"state '{st.name}' declares renamed_from: {st.renamed_from}, but the old "
                f"{new.name} has no state '{st.renamed_from}': treated as a new state"))
    for before, names in claimed.items():
        if len(names) > 1:
            col.warn("renamed_from_duplicate", ("states", names[-1], "renamed_from"), Text(
                f"状态 {', '.join(names)} 都声明 renamed_from: {before}；只按 {names[-1]} 对应",
                f"states {', '.join(names)} all declare renamed_from: {before}; only "
                f"{names[-1]} continues it"))
    for name, target in mapping.items():
        st = old.states[name]
        if target is None:
            col.add("state_removed", ("states", name), name, None, label=st.label,
                    subject=subject_text("states", name, st.label))
        elif target != name:
            label = new.states[target].label
            col.add("state_renamed", ("states", target), name, target, label=label,
                    detail=label)
    continued = {t for t in mapping.values() if t is not None}
    for name, st in new.states.items():
        if name not in continued:
            col.add("state_added", ("states", name), None, name, label=st.label,
                    subject=subject_text("states", name, st.label), detail=NO_DETAIL)
    for name, target in mapping.items():
        if target is not None:
            _state(col, old, new, old.states[name], new.states[target])
    return mapping


def _state(col: Collector, old: ProcedureDef, new: ProcedureDef, a: StateDef,
           b: StateDef) -> None:
    subject = subject_text("states", b.name, b.label)
    if a.label != b.label:
        col.add("state_changed", ("states", b.name, "label"), a.label, b.label, label=b.label,
                subject=subject_text("states", b.name, None), attr="label")
    for attr in ("terminal", "on_timeout", "escalate"):
        if getattr(a, attr) != getattr(b, attr):
            col.add("state_changed", ("states", b.name, attr), getattr(a, attr),
                    getattr(b, attr), label=b.label, subject=subject, attr=attr)
    da, db = _deadline(old, a), _deadline(new, b)
    if da != db:
        col.add("deadline_changed", ("states", b.name, "deadline"), da, db,
                basis=_deadline_basis(new, b) or _deadline_basis(old, a), label=b.label,
                subject=subject, attr="deadline")
    ra, rb = old.reminder_for(a.name), new.reminder_for(b.name)
    if str(ra) != str(rb):
        col.add("deadline_changed", ("states", b.name, "remind_before"),
                None if ra is None else str(ra), None if rb is None else str(rb),
                label=b.label, subject=subject, attr="remind_before")


def _names(transitions: Sequence[TransitionDef]) -> dict[int, str]:
    """``trigger@source/source``, with ``→dest`` added where that alone is ambiguous."""
    base = {id(t): f"{t.trigger}@{'/'.join(t.sources)}" for t in transitions}
    counts: dict[str, int] = {}
    for name in base.values():
        counts[name] = counts.get(name, 0) + 1
    return {i: (f"{n}→{t.dest}" if counts[n] > 1 else n)
            for (i, n), t in zip(base.items(), transitions, strict=True)}


def _transitions(col: Collector, old: ProcedureDef, new: ProcedureDef,
                 paired: TransitionPairs) -> None:
    old_names, new_names = _names(old.transitions), _names(new.transitions)
    for t in paired.removed:
        col.add("transition_removed", ("transitions", old_names[id(t)]), t.dest, None,
                basis=t.basis, label=t.label, subject=_tsubject(old_names[id(t)], t))
    for a, b in paired.pairs:
        _transition(col, new_names[id(b)], a, b, paired.states)
    for t in paired.added:
        col.add("transition_added", ("transitions", new_names[id(t)]), None, t.dest,
                basis=t.basis, label=t.label, subject=_tsubject(new_names[id(t)], t),
                detail=Text(f"→ {t.dest}，{show(_sorted(t.roles), 'zh')} 办理",
                            f"→ {t.dest}, by {show(_sorted(t.roles), 'en')}"))


def _tsubject(name: str, t: TransitionDef) -> Text:
    return subject_text("transitions", name, t.label)


def _transition(col: Collector, name: str, a: TransitionDef, b: TransitionDef,
                mapping: Mapping[str, str | None]) -> None:
    where = ("transitions", name)
    subject = _tsubject(name, b)

    def add(kind: str, attr: str, old: Any, new: Any, basis: str | None = b.basis) -> None:
        col.add(kind, (*where, attr), old, new, basis=basis, label=b.label, subject=subject,
                attr=attr)

    translated = {mapping.get(s) or s for s in a.sources}
    if translated != set(b.sources):
        add("transition_changed", "source", a.sources, b.sources)
    if (mapping.get(a.dest) or a.dest) != b.dest:
        add("transition_changed", "dest", a.dest, b.dest)
    if a.roles != b.roles:
        add("roles_changed", "roles", _sorted(a.roles), _sorted(b.roles))
    if a.accepts != b.accepts:
        add("accepts_changed", "accepts", ALL_INPUTS if a.accepts is None else _sorted(a.accepts),
            ALL_INPUTS if b.accepts is None else _sorted(b.accepts))
    if a.distinct_from != b.distinct_from:
        add("transition_changed", "distinct_from", _sorted(a.distinct_from),
            _sorted(b.distinct_from))
    if a.basis != b.basis:
        add("transition_changed", "basis", a.basis, b.basis)
    if a.label != b.label:
        col.add("transition_changed", (*where, "label"), a.label, b.label, basis=b.basis,
                label=b.label, subject=subject_text("transitions", name, None), attr="label")
    for kind, attr, old, new, basis in _conditions(a, b):
        path = (*where, "conditions") if attr == "conditions" else (*where, "conditions", attr)
        col.add(kind, path, old, new, basis=basis, label=b.label, subject=subject, attr=attr)


def _conditions(a: TransitionDef, b: TransitionDef) -> Iterator[tuple[str, str, Any, Any,
                                                                         str | None]]:
    """Conditions matched by expression, then rewritten ones in order: (kind, attr, old, new,
    basis)."""

    def src(c: ConditionDef) -> str:
        return c.expression.source

    same, gone, came = pair_in_stages(a.conditions, b.conditions, [(src, src)])
    for x, y in same:
        mx, my = x.message.text, y.message.text
        if mx != my:
            yield "condition_changed", "message", mx, my, y.basis or b.basis
        if x.basis != y.basis:
            yield "condition_changed", "condition_basis", x.basis, y.basis, y.basis or b.basis
    rewritten, gone, came = pair_in_stages(gone, came, [(lambda _: 0, lambda _: 0)])
    for x, y in rewritten:
        yield "condition_changed", "conditions", src(x), src(y), y.basis or x.basis or b.basis
    for x in gone:
        yield "condition_removed", "conditions", src(x), None, x.basis or a.basis
    for y in came:
        yield "condition_added", "conditions", None, src(y), y.basis or b.basis


def binding_text(auth: AuthorityDef | None) -> str | None:
    """Who may act in a role, as the diff shows it (None when the role is unbound)."""
    if auth is None:
        return None
    if auth.open is not None:
        return f"open: {auth.open.zh} / {auth.open.en}"
    parts = [f"org: {auth.org}, up: {auth.up}"] if auth.org is not None else []
    parts.append(f"person: {auth.person}")
    if auth.subject is not None:
        parts.append(f"subject: {auth.subject}")
    return ", ".join(parts)
