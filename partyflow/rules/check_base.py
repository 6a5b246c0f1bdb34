"""The state every semantic check shares: the document, the problems found, the names the
schema already refused (``broken``), and how a problem is recorded at its place."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from partyflow.errors import Loc, Problem
from partyflow.rules import schema as s
from partyflow.rules.problems import problem_at, suggest
from partyflow.rules.source import YamlDocument

CONTEXT_NAMES = frozenset({"actor", "event", "now", "deadline_at", "entered_at", "escalation"})
"""Names a condition reads besides inputs and parameters."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def names_read(proc: s.Procedure) -> set[str]:
    """Every name something of ``proc`` reads: conditions (a ``within`` period's name too),
    messages, deadlines and reminders, defaults taken from a parameter, authority, the
    responsible organization, the establishment and inputs read from the hierarchy."""
    read: set[str] = set()
    for t in proc.transitions:
        for c in t.conditions:
            read.update(_NAME.findall(c.expr))
            read.update(_PLACEHOLDER.findall(f"{c.message.zh} {c.message.en}"))
    for st in proc.states.values():
        read.update(n for n in (st.deadline, st.remind_before) if n)
    for i in proc.inputs.values():
        read.update(n for n in (i.default_from, i.from_hierarchy and i.from_hierarchy.org) if n)
    read.update(n for a in proc.authority.values() for n in (a.org, a.subject) if n)
    if proc.organization:
        read.add(proc.organization)
    if proc.establishes is not None:
        e = proc.establishes
        read.update(n for n in (e.id, e.name, e.parent, e.secretary) if n)
    return read


class CheckerBase:
    """Collects the semantic problems of one document."""

    def __init__(self, doc: YamlDocument, file: str, text: str) -> None:
        self.doc = doc
        self.levels: set[str] | None = None  # the hierarchy's level ids, when it has some
        self.file = file
        self.lines = text.splitlines()
        self.problems: list[Problem] = []
        self.broken: set[str] = set()
        self._sample_cache: dict[int, tuple[s.Procedure, dict[str, Any]]] = {}
        self.compiled: dict[int, Any] = {}  # id(condition) -> its Expression, once it compiles

    def add(self, type_: str, loc: Loc, zh: str, en: str, *, key: bool = False,
            **ctx: Any) -> None:
        """Record a problem at ``loc`` (at its key when ``key``)."""
        self.problems.append(problem_at(self.doc, self.file, type_, loc, zh, en, key=key, **ctx))

    def unknown_inputs(self, proc: s.Procedure, names: list[str] | None, loc: Loc) -> None:
        """Each of ``names`` (a list at ``loc``: ``accepts``, ``start_accepts``) is an input."""
        for k, name in enumerate(names or ()):
            if name not in proc.inputs and name not in self.broken:
                szh, sen = suggest(name, proc.inputs)
                self.add("unknown_name", (*loc, k), f"“{name}” 不是输入字段{szh}",
                         f"'{name}' is not an input{sen}", name=name)

    def warn(self, type_: str, loc: Loc, zh: str, en: str, *, key: bool = False,
             **ctx: Any) -> None:
        """Record a design warning at ``loc``: shown by ``validate``, fatal only with
        ``--strict``."""
        self.problems.append(dataclasses.replace(
            problem_at(self.doc, self.file, type_, loc, zh, en, key=key, **ctx),
            severity="warning"))
