"""Building problems found in a rules file: position, "did you mean", file order."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from partyflow.errors import Loc, Problem, Text
from partyflow.rules.source import YamlDocument


def problem_at(doc: YamlDocument, file: str, type_: str, loc: Loc, zh: str, en: str,
               *, key: bool = False, **ctx: Any) -> Problem:
    """A problem at ``loc`` of ``doc`` (its key when ``key``), with file, line and column."""
    m = doc.mark_for(loc, key=key)
    return Problem(type_, loc, file, m.line, m.column, Text(zh, en), dict(ctx))


def suggest(word: str, choices: Iterable[str]) -> tuple[str, str]:
    """A zh/en "did you mean" tail naming the closest of ``choices``, or two empty strings."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    if not close:
        return "", ""
    return f"；你是不是想写 “{close[0]}”？", f"; did you mean '{close[0]}'?"


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """``problems`` sorted by line and column (stable: same place, order found)."""
    return sorted(problems, key=lambda p: (p.line, p.column))
