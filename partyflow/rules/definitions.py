"""Frozen, compiled definitions built from a validated rules file. No runtime state here."""

from __future__ import annotations

import datetime as dt
import math
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from partyflow.errors import Problem, Text
from partyflow.limits import MAX_ORG_ID, text_problem
from partyflow.rules.calendar import Calendar
from partyflow.rules.durations import Duration, period_problem
from partyflow.rules.expressions import Expression, MessageTemplate
from partyflow.rules.ratios import ratio_text
from partyflow.rules.schema import Hierarchy as HierarchySpec

DEFAULT_MAX_STR = 10_000
DEFAULT_MAX_LIST = 1_000
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_UTC = dt.UTC


Label = Text
"""A display text in Chinese and English (the same type as a message's ``Text``)."""


@dataclass(frozen=True)
class ParameterDef:
    """A named policy value (e.g. ``min_full_members = 3``, basis ``B2``)."""

    name: str
    type: str
    value: Any
    basis: str
    label: Label
    note: str | None = None

    @property
    def cel_value(self) -> Any:
        """The value as load-time checks see it (durations as nominal lengths, dates as UTC
        midnight); a step binds it with ``to_cel``."""
        return _to_cel(self.type, _canonical_param(self.type, self.value))

    def to_cel(self, calendar: Calendar, now: dt.datetime) -> Any:
        """The value as a step's conditions see it: a period as its length by the calendar
        from ``now`` (C6), a date as its local midnight (C7)."""
        return _to_cel(self.type, _canonical_param(self.type, self.value), calendar, now)


def _canonical_param(kind: str, value: Any) -> Any:
    if kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    if kind == "ratio":
        return ratio_text(value)
    if kind == "float":
        return float(value)
    return value


def _to_cel(kind: str, value: Any, calendar: Calendar | None = None,
            now: dt.datetime | None = None) -> Any:
    if value is None:
        return None
    if kind == "date":
        d = dt.date.fromisoformat(value)
        if calendar is not None:
            return calendar.start_of(d)
        return dt.datetime(d.year, d.month, d.day, tzinfo=_UTC)
    if kind == "duration":
        period = Duration.parse(value)
        if calendar is not None and now is not None:
            return calendar.length(period, now)
        return period.nominal
    return value


PERIOD_KINDS = frozenset({"date", "duration"})
"""Value types whose condition value depends on the calendar and the step's moment."""


_TYPE_NAMES = {
    "int": ("整数", "an integer"),
    "float": ("数字", "a number"),
    "bool": ("true 或 false", "true or false"),
    "str": ("文字", "text"),
    "date": ("日期（如 2024-01-31）", "a date such as 2024-01-31"),
    "duration": ("期限（如 P30D、P3M、P5WD 工作日、PT48H）",
                 "a period such as P30D, P3M, P5WD (working days) or PT48H"),
    "enum": ("下列之一", "one of"),
    "list": ("列表", "a list"),
    "org": ("组织编号", "an organization id"),
}


@dataclass(frozen=True)
class FromHierarchyDef:
    """An input read from the hierarchy at start: the organization ``up`` levels above (or at
    ``level`` above) the one the ``org`` input names; its id, or its ``column``'s value."""

    org: str
    up: int | None
    level: str | None
    column: str | None


@dataclass(frozen=True)
class InputDef:
    """A typed field of instance data."""

    name: str
    type: str
    label: Label
    values: tuple[str, ...] = ()
    items: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    default: Any = None
    superior_of_starter: int | None = None  # org inputs: set from the hierarchy at start
    default_from: str | None = None  # the parameter the default is taken from
    from_hierarchy: FromHierarchyDef | None = None  # read from the hierarchy at start

    def coerce(self, value: Any) -> Any:
        """Check ``value`` and return its canonical JSON form; raise ``ValueError(Text)``."""
        if value is None:
            return None
        if self.type == "list":
            if not isinstance(value, list | tuple):
                raise _type_error("list", value)
            limit = self.max_length if self.max_length is not None else DEFAULT_MAX_LIST
            if len(value) > limit:
                raise ValueError(
                    Text(f"列表最多 {limit} 项，实际 {len(value)} 项",
                         f"at most {limit} items, got {len(value)}")
                )
            return [self._scalar(self.items or "str", v) for v in value]
        return self._scalar(self.type, value)

    def _scalar(self, kind: str, value: Any) -> Any:
        if kind == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                raise _type_error(kind, value)
            if not _INT64_MIN <= value <= _INT64_MAX:
                # CEL integers are 64-bit: a larger value would silently become uint or double
                raise ValueError(Text(f"整数超出范围（{_INT64_MIN} 到 {_INT64_MAX}）",
                                      f"the integer is out of range ({_INT64_MIN} to "
                                      f"{_INT64_MAX})"))
            self._range(value)
            return value
        if kind == "float":
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise _type_error(kind, value)
            if isinstance(value, float) and not math.isfinite(value):
                # NaN compares false with every bound and has no JSON text
                raise ValueError(Text(f"应为有限的数，实际为 {value}",
                                      f"must be a finite number, got {value}"))
            self._range(value)
            return float(value)
        if kind == "bool":
            if not isinstance(value, bool):
                raise _type_error(kind, value)
            return value
        if kind == "org":
            if not isinstance(value, str) or not value.strip():
                raise _type_error("org", value)
            bad = text_problem(value, MAX_ORG_ID)
            if bad is not None:
                raise ValueError(Text(f"组织编号{bad.zh}", f"an organization id {bad.en}"))
            return value
        if kind in ("str", "enum"):
            if not isinstance(value, str):
                raise _type_error("str", value)
            limit = self.max_length if self.max_length is not None else DEFAULT_MAX_STR
            if len(value) > limit:
                raise ValueError(Text(f"文字最长 {limit} 字，实际 {len(value)} 字",
                                      f"at most {limit} characters, got {len(value)}"))
            bad = text_problem(value)
            if bad is not None:
                raise ValueError(Text(f"文字{bad.zh}", f"the text {bad.en}"))
            if kind == "enum" and value not in self.values:
                allowed = ", ".join(self.values)
                raise ValueError(Text(f"应为下列之一：{allowed}；实际为 {value!r}",
                                      f"must be one of: {allowed}; got {value!r}"))
            return value
        if kind == "date":
            if isinstance(value, dt.datetime):
                raise _type_error(kind, value)
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, str):
                try:
                    return dt.date.fromisoformat(value).isoformat()
                except ValueError:
                    pass
            raise _type_error(kind, value)
        if kind == "duration":
            period = value if isinstance(value, Duration) else _period_or_none(value)
            if period is None:
                raise _type_error(kind, value)
            problem = period_problem(period)
            if problem is not None:
                raise ValueError(Text(*problem))
            return str(period)
        raise _type_error(kind, value)  # pragma: no cover - schema restricts kinds

    def _range(self, value: float) -> None:
        if self.min is not None and value < self.min:
            raise ValueError(Text(f"不能小于 {self.min}，实际为 {value}",
                                  f"must be at least {self.min}, got {value}"))
        if self.max is not None and value > self.max:
            raise ValueError(Text(f"不能大于 {self.max}，实际为 {value}",
                                  f"must be at most {self.max}, got {value}"))

    def to_cel(self, value: Any, calendar: Calendar | None = None,
               now: dt.datetime | None = None) -> Any:
        """The canonical value as conditions see it: with a ``calendar`` and ``now`` (a
        step), a period is its length by the calendar from ``now`` (C6) and a date its local
        midnight (C7); without (load-time checks), nominal lengths and UTC midnight."""
        if self.type == "list" and value is not None:
            return [_to_cel(self.items or "str", v, calendar, now) for v in value]
        return _to_cel(self.type, value, calendar, now)

    def sample(self) -> Any:
        """A representative canonical value, used to type-check conditions at load time."""
        kind = self.items if self.type == "list" else self.type
        one = {
            "int": 1, "float": 1.0, "bool": True, "str": "x", "date": "2000-01-01",
            "duration": "P1D", "enum": self.values[0] if self.values else "x",
        }.get(kind or "str", "x")
        return [one] if self.type == "list" else one


def _period_or_none(value: Any) -> Duration | None:
    if not isinstance(value, str) or len(value) > 100:
        return None
    try:
        return Duration.parse(value)
    except ValueError:
        return None


def _type_error(kind: str, value: Any) -> ValueError:
    zh, en = _TYPE_NAMES[kind]
    shown = reprlib.repr(value)  # bounded depth and length, whatever the caller sent
    return ValueError(Text(f"应为{zh}，实际为 {shown}", f"must be {en}, got {shown}"))


@dataclass(frozen=True)
class ConditionDef:
    """A compiled guard and the message shown when it is false."""

    expression: Expression
    message: MessageTemplate
    basis: str | None


@dataclass(frozen=True)
class TransitionDef:
    """A compiled step. ``index`` is its position in the file; ``key`` names it uniquely."""

    index: int
    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    conditions: tuple[ConditionDef, ...]
    basis: str | None
    label: Label | None
    accepts: frozenset[str] | None = None  # event-data fields allowed; None: every input
    distinct_from: frozenset[str] = frozenset()  # four-eyes: triggers whose actors may not act

    @property
    def key(self) -> str:
        """A unique internal trigger name, ``trigger#index``."""
        return f"{self.trigger}#{self.index}"

    @cached_property
    def bases(self) -> str | None:
        """The rule ids of the transition and its conditions, e.g. ``"E2,E5"``."""
        ids = [self.basis, *(c.basis for c in self.conditions)]
        joined = ",".join(dict.fromkeys(i for i in ids if i))
        return joined or None


@dataclass(frozen=True)
class StateDef:
    """A state, with its optional deadline (a literal duration or a parameter's)."""

    name: str
    label: Label
    terminal: bool
    deadline: Duration | None
    deadline_name: str | None  # a duration parameter, or a duration input with a default
    on_timeout: str | None
    escalate: bool = False  # overdue: stay, escalate one level up per deadline period
    renamed_from: str | None = None  # its id in the previous version of the rules
    remind_before: Duration | None = None  # a reminder this long before the deadline
    remind_name: str | None = None  # ... or a duration parameter's


@dataclass(frozen=True)
class AuthorityDef:
    """Who may act in ``role`` (权限).

    ``org`` (an ``org`` input) and ``up``: the actor must act for the organization ``up``
    levels above the one the input names. ``person``: ``any`` (whoever acts for it),
    ``secretary`` (only its recorded secretary), ``starter`` (only whoever started the
    instance), ``subject`` (only the person whose id the ``subject`` input holds). ``open``:
    the role is open on purpose (the reason), and nothing else is checked.
    """

    role: str
    org: str | None
    up: int
    person: str
    basis: str | None
    subject: str | None = None
    open: Text | None = None


@dataclass(frozen=True)
class EstablishesDef:
    """On entering ``state``, the organization named by these inputs joins the hierarchy."""

    state: str
    id: str
    name: str
    parent: str
    secretary: str | None
    basis: str | None


STARTER_KEY = "@starter"
"""The party key of whoever started an instance (``ProcedureDef.party_keys``)."""


@dataclass(frozen=True)
class ProcedureDef:
    """A compiled procedure: everything the runtime needs, frozen."""

    name: str
    title: Label
    initial: str
    start_roles: frozenset[str]
    parameters: Mapping[str, ParameterDef]
    inputs: Mapping[str, InputDef]
    states: Mapping[str, StateDef]
    transitions: tuple[TransitionDef, ...]
    cel_parameters: Mapping[str, Any] = field(repr=False)
    organization: str | None = None  # the input naming the responsible organization
    authority: Mapping[str, AuthorityDef] = field(default_factory=dict)
    establishes: EstablishesDef | None = None
    calendar: Calendar = field(default_factory=Calendar, repr=False)
    start_accepts: frozenset[str] | None = None  # None: the start may carry every input

    @cached_property
    def guarded_inputs(self) -> frozenset[str]:
        """Inputs that decide who may act or who is responsible: a step may change them only
        if it lists them in ``accepts``."""
        names = {n for a in self.authority.values() for n in (a.org, a.subject) if n}
        if self.organization is not None:
            names.add(self.organization)
        return frozenset(names)

    @cached_property
    def party_keys(self) -> tuple[tuple[str, str], ...]:
        """Who an instance names besides its responsible organization (当事方), as
        ``(key, kind)``: an ``org`` input a role is bound to (``"org"``), ``"@starter"`` or
        a ``subject`` input (``"person"``). Stores index them, so an actor's inbox reads only
        the instances that name it or its organization's subtree."""
        keys: dict[str, str] = {}
        for auth in self.authority.values():
            if auth.open is not None:
                continue
            if auth.org is not None and auth.org != self.organization:
                keys[auth.org] = "org"
            if auth.person == "starter":
                keys[STARTER_KEY] = "person"
            elif auth.person == "subject" and auth.subject is not None:
                keys[auth.subject] = "person"
        return tuple(sorted(keys.items()))

    def deadline_for(self, state: str, data: Mapping[str, Any]) -> Duration | None:
        """The deadline of ``state``: literal, a parameter's, or the instance data's, or None."""
        st = self.states[state]
        name = st.deadline_name
        if name is None:
            return st.deadline
        if name in self.parameters:
            return Duration.parse(self.parameters[name].value)
        value = data.get(name)
        if value is None:
            value = self.inputs[name].default
        return Duration.parse(value)

    def reminder_for(self, state: str) -> Duration | None:
        """How long before ``state``'s deadline a reminder is due, or None."""
        st = self.states[state]
        if st.remind_name is not None:
            return Duration.parse(self.parameters[st.remind_name].value)
        return st.remind_before


def build_procedure(
    name: str,
    title: Label,
    initial: str,
    start_roles: frozenset[str],
    parameters: dict[str, ParameterDef],
    inputs: dict[str, InputDef],
    states: dict[str, StateDef],
    transitions: tuple[TransitionDef, ...],
    *,
    organization: str | None = None,
    authority: Mapping[str, AuthorityDef] | None = None,
    establishes: EstablishesDef | None = None,
    calendar: Calendar | None = None,
    start_accepts: frozenset[str] | None = None,
) -> ProcedureDef:
    """Assemble a ``ProcedureDef`` (which transition a trigger takes from a state is the
    compiled machine's to decide: ``partyflow.workflows.machine``)."""
    return ProcedureDef(
        name=name,
        title=title,
        initial=initial,
        start_roles=start_roles,
        parameters=MappingProxyType(parameters),
        inputs=MappingProxyType(inputs),
        states=MappingProxyType(states),
        transitions=transitions,
        cel_parameters=MappingProxyType({p.name: p.cel_value for p in parameters.values()}),
        organization=organization,
        authority=MappingProxyType(dict(authority or {})),
        establishes=establishes,
        calendar=calendar if calendar is not None else Calendar(),
        start_accepts=start_accepts,
    )


@dataclass(frozen=True)
class RuleSet:
    """A loaded, validated rules file: one version of every procedure.

    Attributes:
        version: the ``version`` written in the file.
        content_hash: SHA-256 of the file's data (comments and layout do not count).
        source: the file's text (and its calendar file's, ``rules.calendar_file``), kept so
            a store can reload this exact version.
        file: the name it was loaded from.
        roles: role id → label.
        procedures: procedure id → definition.
        hierarchy: the file's ``hierarchy:`` section (levels, duties, local standards), or
            None when it has none; ``partyflow.hierarchy`` turns it into levels.
        calendar: how its periods are counted (``calendar:``: zone, working days, C4).
        warnings: what looks unintended but does not stop the rules (``validate`` shows it;
            ``--strict`` fails on it), e.g. a parameter nothing reads.
    """

    version: str
    content_hash: str
    source: str
    file: str
    roles: Mapping[str, Label]
    procedures: Mapping[str, ProcedureDef]
    hierarchy: HierarchySpec | None = None
    calendar: Calendar = field(default_factory=Calendar)
    warnings: tuple[Problem, ...] = ()
