"""Building problems found in a rules file: position, "did you mean", file order."""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from partyflow.errors import Loc, Problem, Text
from partyflow.rules.source import YamlDocument


def problem_at(doc: YamlDocument, file: str, type_: str, loc: Loc, zh: str, en: str,
               *, key: bool = False, **ctx: Any) -> Problem:
    """A problem at ``loc`` of ``doc`` (its key when ``key``), with file, line and column."""
    m = doc.mark_for(loc, key=key)
    return Problem(type_, loc, file, m.line, m.column, Text(zh, en), dict(ctx))


_POOL = 200  # at most this many candidates are compared (difflib is quadratic per pair)
_sorted_cache: dict[int, tuple[object, list[str]]] = {}


def suggest(word: str, choices: Iterable[str]) -> tuple[str, str]:
    """A zh/en "did you mean" tail naming the closest of ``choices``, or two empty strings.

    Among many choices only the 200 nearest to ``word`` in sorted order are compared (names
    sharing its beginning), so 3,000 unknown names among 20,000 states stay cheap."""
    word = str(word)
    pool: Sequence[str] = choices if isinstance(choices, list | tuple) else list(choices)
    if len(pool) > _POOL:
        ordered = _sorted(choices, pool)
        at = bisect.bisect_left(ordered, word)
        pool = ordered[max(0, at - _POOL // 2):at + _POOL // 2]
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not close:
        return "", ""
    return f"；你是不是想写 “{close[0]}”？", f"; did you mean '{close[0]}'?"


def _sorted(choices: Iterable[str], pool: Sequence[str]) -> list[str]:
    """``pool`` sorted, built once per choices object of one check."""
    cached = _sorted_cache.get(id(choices))
    if cached is not None and cached[0] is choices:
        return cached[1]
    ordered = sorted(str(c) for c in pool)
    if len(_sorted_cache) > 64:
        _sorted_cache.clear()
    _sorted_cache[id(choices)] = (choices, ordered)
    return ordered


MAX_PROBLEMS = 1000
"""At most this many problems are kept and reported; the rest are counted."""


class ProblemList(list[Problem]):
    """A list of problems that keeps the first ``MAX_PROBLEMS`` and counts the rest, so a
    file with a million bad rows costs a bounded amount of memory."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def append(self, problem: Problem) -> None:
        if len(self) < MAX_PROBLEMS:
            super().append(problem)
        else:
            self.dropped += 1

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.append(p)


def capped(problems: list[Problem], file: str) -> list[Problem]:
    """``problems`` in file order, at most ``MAX_PROBLEMS`` of them, then one
    ``too_many_problems`` entry counting the rest (those dropped while collecting too)."""
    ordered = in_file_order(problems)
    rest = len(ordered) - MAX_PROBLEMS + getattr(problems, "dropped", 0)
    if rest <= 0:
        return ordered
    kept = ordered[:MAX_PROBLEMS]
    last = kept[-1] if kept else None
    kept.append(Problem(
        "too_many_problems", (), file, last.line if last else 0, 0,
        Text(f"另有 {rest} 处问题未列出：请先改正上面的 {MAX_PROBLEMS} 处，再重新检查",
             f"{rest} more problems not listed: fix the {MAX_PROBLEMS} above and check "
             "again"), {"not_listed": rest},
        severity="error" if any(p.severity == "error" for p in kept) else "warning"))
    return kept


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """``problems`` sorted by line and column (stable: same place, order found)."""
    return sorted(problems, key=lambda p: (p.line, p.column))
