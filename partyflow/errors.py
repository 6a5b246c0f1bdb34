"""Exceptions raised by partyflow. Every one carries data, not only a string.

The tree::

    PartyflowError                 base of everything partyflow raises on purpose
     ├── RulesError                the rules file is wrong; ``.problems`` lists every Problem
     │    └── HierarchyError       an organization list (CSV/YAML) is wrong; same ``.problems``
     ├── UnknownOrganization       no organization with that id in the hierarchy (a LookupError)
     ├── WorkflowError             a step was refused or could not be recorded
     │    ├── UnknownProcedure     no procedure of that name in the rules
     │    ├── InstanceNotFound     no instance with that id in the store
     │    ├── InvalidTrigger       the trigger does not exist from the current state
     │    ├── NotAuthorized        the actor may not fire it (role, organization, four-eyes)
     │    ├── InvalidEventData     event or start data does not fit the procedure's inputs
     │    ├── ConditionFailed      a condition is false; ``.failures`` has every message
     │    ├── ConcurrentUpdate     another writer changed the instance first; nothing was written
     │    ├── IdempotencyConflict  the idempotency key was already used for another step
     │    ├── RulesVersionUnavailable  an instance's pinned rules are not in the store, or
     │    │                        their stored text no longer matches their content hash
     │    ├── DeadlineError        a deadline cannot be counted (its period runs off the calendar)
     │    └── ClockWentBack        the step's time is before the instance's newest audit record
     ├── StoreError                the database failed; ``outcome_unknown`` if during the commit
     ├── AuditChainBroken          an audit trail (an instance's, the hierarchy's) was edited, deleted or reordered
     ├── OrgImportRefused          an organization import cannot be written as given; nothing was written
 ├── FilesExist                ``partyflow init`` would overwrite files (without ``--force``)
     └── UsageError                the library was called wrongly (e.g. a naive datetime)

Messages are bilingual: ``str(err)`` is "中文 / English"; ``err.message("zh")`` picks one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Lang = Literal["zh", "en"]

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Text:
    """A message in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: Lang) -> str:
        """Return the text in ``lang``."""
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class Problem:
    """One problem found in a rules file (or another input file).

    Attributes:
        type: stable slug naming the kind of problem, e.g. ``unknown_state``.
        loc: path inside the document, e.g. ``("procedures", "transfer", "states", "applied")``.
        file: file name as given to the loader.
        line: 1-based line, or 0 when unknown.
        column: 1-based column, or 0 when unknown.
        text: the explanation in zh and en.
        ctx: values the text was built from (expected value, actual value, suggestion …).
        severity: ``error`` (the file cannot be used) or ``warning`` (it can, but something
            looks unintended: shown by ``validate``, fatal only with ``--strict``).
    """

    type: str
    loc: Loc
    file: str
    line: int
    column: int
    text: Text
    ctx: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"

    @property
    def path(self) -> str:
        """The location as a dotted path, e.g. ``procedures.transfer.states[2]``."""
        out = ""
        for part in self.loc:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += ("." if out else "") + str(part)
        return out or "<root>"

    def format(self, lang: Lang = "zh") -> str:
        """Render as ``file:line:column: path: message``."""
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.text.get(lang)}"


class PartyflowError(Exception):
    """Base class of every error partyflow raises on purpose."""

    text: Text

    def __init__(self, text: Text) -> None:
        self.text = text
        super().__init__(str(text))

    def message(self, lang: Lang = "zh") -> str:
        """The message in one language."""
        return self.text.get(lang)


class RulesError(PartyflowError):
    """The rules file has problems; all of them are in ``problems``, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        first = self.problems[0].format("en") if self.problems else ""
        n = len(self.problems)
        super().__init__(
            Text(
                f"规则文件有 {n} 处问题，第一处：{self.problems[0].format('zh') if n else ''}",
                f"the rules file has {n} problem(s); first: {first}",
            )
        )

    def format(self, lang: Lang = "zh") -> str:
        """Every problem, one per line."""
        return "\n".join(p.format(lang) for p in self.problems)


class HierarchyError(RulesError):
    """An organization list has problems; all of them are in ``problems``, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        first_zh = self.problems[0].format("zh") if n else ""
        first_en = self.problems[0].format("en") if n else ""
        PartyflowError.__init__(
            self,
            Text(f"组织名册有 {n} 处问题，第一处：{first_zh}",
                 f"the organization list has {n} problem(s); first: {first_en}"),
        )


class UnknownOrganization(PartyflowError, LookupError):
    """No organization with that id is in the hierarchy.

    Attributes:
        org_id: the id asked for.
    """

    def __init__(self, org_id: str) -> None:
        self.org_id = org_id
        super().__init__(Text(f"组织体系中没有 “{org_id}”", f"no organization '{org_id}' in the hierarchy"))


class WorkflowError(PartyflowError):
    """A step on an instance was refused or could not be recorded.

    Attributes are ``None`` where they do not apply.
    """

    def __init__(
        self,
        text: Text,
        *,
        instance_id: str | None = None,
        procedure: str | None = None,
        state: str | None = None,
        trigger: str | None = None,
        actor_id: str | None = None,
    ) -> None:
        self.instance_id = instance_id
        self.procedure = procedure
        self.state = state
        self.trigger = trigger
        self.actor_id = actor_id
        super().__init__(text)


class UnknownProcedure(WorkflowError):
    """No procedure of that name is defined in the rules."""


class InstanceNotFound(WorkflowError):
    """No instance with that id exists in the store."""


class InvalidTrigger(WorkflowError):
    """The trigger cannot be fired from the instance's current state.

    Attributes:
        available: the triggers that do exist from the current state.
    """

    def __init__(self, text: Text, *, available: Sequence[str] = (), **kw: Any) -> None:
        self.available = tuple(available)
        super().__init__(text, **kw)


class NotAuthorized(WorkflowError):
    """The actor may not fire the trigger: wrong role, wrong organization (authority from the
    hierarchy), or the same person as an earlier step that must be someone else (four-eyes).

    The refusal names the post that may act (an organization and, where one person holds it,
    the post such as its secretary), never that person's name: a caller who may not act learns
    where to go, not who is there.

    Attributes:
        reason: a stable slug: ``role`` (the role may not fire it here), ``organization`` (the
            actor acts for another organization), ``person`` (the right organization, but only
            one post-holder may act), ``vacant`` (that post is vacant), ``unresolved`` (who may
            act cannot be told: the organization is missing from the instance or the
            hierarchy), ``four_eyes`` (the same person took an earlier step).
        role: the actor's role.
        allowed: the roles that may fire it.
        acts_for: the organization the role must act for here, when the hierarchy decides.
        person: the post that must act (``secretary``), when only its holder may.
    """

    def __init__(self, text: Text, *, role: str, allowed: Sequence[str],
                 acts_for: str | None = None, person: str | None = None,
                 reason: str = "role", **kw: Any) -> None:
        self.reason = reason
        self.role = role
        self.allowed = tuple(allowed)
        self.acts_for = acts_for
        self.person = person
        super().__init__(text, **kw)


@dataclass(frozen=True)
class FieldError:
    """One field of event or start data that does not fit the procedure's inputs."""

    field: str
    text: Text
    value: Any = None


class InvalidEventData(WorkflowError):
    """Event or start data does not fit the procedure's declared inputs.

    Attributes:
        errors: every field problem at once.
    """

    def __init__(self, errors: Sequence[FieldError], **kw: Any) -> None:
        self.errors = tuple(errors)
        super().__init__(
            Text(
                "；".join(f"{e.field}：{e.text.zh}" for e in self.errors),
                "; ".join(f"{e.field}: {e.text.en}" for e in self.errors),
            ),
            **kw,
        )


@dataclass(frozen=True)
class ConditionFailure:
    """One condition that did not hold, with its message filled with the actual values.

    Attributes:
        expression: the condition's source text.
        text: the message from the rules file, placeholders filled.
        basis: the rule the condition implements, e.g. ``E2``.
        dest: the state the transition would have led to.
    """

    expression: str
    text: Text
    basis: str | None
    dest: str


class ConditionFailed(WorkflowError):
    """At least one condition is false; ``failures`` lists every one of them."""

    def __init__(self, failures: Sequence[ConditionFailure], **kw: Any) -> None:
        self.failures = tuple(failures)
        super().__init__(
            Text(
                "；".join(f.text.zh for f in self.failures),
                "; ".join(f.text.en for f in self.failures),
            ),
            **kw,
        )


class ConcurrentUpdate(WorkflowError):
    """Another writer changed the instance since it was read; nothing was written.

    Attributes:
        expected_version: the version this writer read.
    """

    def __init__(self, text: Text, *, expected_version: int, **kw: Any) -> None:
        self.expected_version = expected_version
        super().__init__(text, **kw)


class IdempotencyConflict(WorkflowError):
    """The idempotency key cannot be used for this request.

    Attributes:
        reason: ``other_trigger`` (the key names a step of another trigger), ``other_actor``
            (another actor, role or organization used it), ``other_data`` (the same step with
            other data), or ``reserved`` (the key is in the engine's own namespace).
    """

    def __init__(self, text: Text, *, reason: str = "other_trigger", **where: Any) -> None:
        self.reason = reason
        super().__init__(text, **where)


class RulesVersionUnavailable(WorkflowError):
    """The rules an instance runs under cannot be used.

    Attributes:
        rules_version, rules_hash: the pinned version and its content hash.
        reason: ``missing`` (no text stored for the hash) or ``hash_mismatch`` (the stored
            text was changed: its content hash is no longer the one it was saved under).
    """

    def __init__(self, text: Text, *, rules_version: str, rules_hash: str, reason: str,
                 **where: Any) -> None:
        self.rules_version = rules_version
        self.rules_hash = rules_hash
        self.reason = reason
        super().__init__(text, **where)


class DeadlineError(WorkflowError):
    """A deadline or reminder cannot be computed for the instance (its period runs off the
    calendar); nothing was written.

    Attributes:
        period: the period as written (``P30D``), or None.
    """

    def __init__(self, text: Text, *, period: str | None = None, **where: Any) -> None:
        self.period = period
        super().__init__(text, **where)


class ClockWentBack(WorkflowError):
    """The step's time is earlier than the instance's last audit record: the clock went
    backwards. The step is refused (an audit trail's times never go back); nothing was
    written.

    Attributes:
        last_at: the time of the instance's newest record.
        at: the time the step would have had.
    """

    def __init__(self, text: Text, *, last_at: Any, at: Any, **where: Any) -> None:
        self.last_at = last_at
        self.at = at
        super().__init__(text, **where)


class StoreError(PartyflowError):
    """The database failed (connection lost, server down, disk full, lock timeout).

    Attributes:
        outcome_unknown: True when the failure hit the commit itself, so the step may or may
            not have been recorded: retry it with the same idempotency key. False: nothing
            was written.
        cause: the driver's message.
    """

    def __init__(self, text: Text, *, outcome_unknown: bool, cause: str) -> None:
        self.outcome_unknown = outcome_unknown
        self.cause = cause
        super().__init__(text)


class AuditChainBroken(PartyflowError):
    """An instance's audit trail, or the hierarchy's, does not verify.

    Attributes:
        instance_id: the instance; None when the hierarchy's trail is broken.
        seq: the first sequence number at which the chain breaks.
        reason: a slug: ``hash_mismatch``, ``link_mismatch``, ``sequence_gap``,
            ``state_discontinuity`` (a record does not start where the previous ended),
            ``time_went_back``, ``head_mismatch``, ``state_mismatch`` (the stored row is not
            the one the last record sealed) or ``empty``.
        org_id: for the hierarchy's trail (``partyflow.hierarchy.trail``), the organization
            concerned, with ``seq`` a position in that trail (0 when no record is concerned)
            and these further reasons: ``org_mismatch`` (the stored row is not the one its
            newest record says), ``org_unrecorded`` (a row no record added) and
            ``org_deleted`` (a recorded organization whose row is gone).
    """

    def __init__(self, text: Text, *, instance_id: str | None = None, seq: int, reason: str,
                 org_id: str | None = None) -> None:
        self.instance_id = instance_id
        self.seq = seq
        self.reason = reason
        self.org_id = org_id
        super().__init__(text)


class OrgImportRefused(PartyflowError):
    """An organization import cannot be written as given (``Store.put_organizations``);
    nothing was written.

    Attributes:
        org_id: the organization concerned (the first by id).
        reason: ``duplicate_id`` (the list gives it twice), ``open_instances`` (closing it
            would leave open instances responsible there) or ``child_remains`` (closing it
            would leave an organization under it in the store).
        other: the open instance, or the organization left under it; None for a duplicate.
    """

    def __init__(self, text: Text, *, org_id: str, reason: str, other: str | None = None) -> None:
        self.org_id = org_id
        self.reason = reason
        self.other = other
        super().__init__(text)


class FilesExist(PartyflowError):
    """Files that would be overwritten; ``paths`` lists them, nothing was written."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths: tuple[str, ...] = tuple(paths)
        names = ", ".join(self.paths)
        super().__init__(Text(f"文件已存在，未写入任何文件（加 --force 覆盖）：{names}",
                              f"files exist, nothing was written (--force overwrites them): "
                              f"{names}"))


class UsageError(PartyflowError):
    """The library was called wrongly, e.g. with a naive datetime or a bad store URL."""


__all__ = [
    "AuditChainBroken",
    "ClockWentBack",
    "ConcurrentUpdate",
    "ConditionFailed",
    "ConditionFailure",
    "DeadlineError",
    "FieldError",
    "FilesExist",
    "HierarchyError",
    "IdempotencyConflict",
    "InstanceNotFound",
    "InvalidEventData",
    "InvalidTrigger",
    "Lang",
    "Loc",
    "NotAuthorized",
    "OrgImportRefused",
    "PartyflowError",
    "Problem",
    "RulesError",
    "RulesVersionUnavailable",
    "StoreError",
    "Text",
    "UnknownOrganization",
    "UnknownProcedure",
    "UsageError",
    "WorkflowError",
]
