"""A locality's calendar file (``calendar.overrides``): read, checked with positions, kept.

The file sits in the rules file's folder and lists extra rest days, extra working days and
the years it covers in full::

    published_years: [2027]
    holidays: [2027-02-05]
    working_days: [2027-02-20]

Its content is part of the rules version: the rules' content hash covers it, and the text a
store keeps for the version (``RuleSet.source``) is the rules file followed by the calendar
file after a marker line, so an instance's rules reload with the calendar they ran on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from partyflow.errors import Problem
from partyflow.files import FileProblem, read_text_file
from partyflow.rules import schema as s
from partyflow.rules.problems import problem_at
from partyflow.rules.schema_problems import schema_problems
from partyflow.rules.source import YamlDocument, parse_yaml

MARKER = "\n#%partyflow calendar-overrides: "
"""Starts the calendar file's part of a stored rules text (a YAML comment line)."""
MAX_BYTES = 1_000_000


def split(text: str) -> tuple[str, tuple[str, str] | None]:
    """A stored rules text → (the rules file's text, (calendar file name, its text) or None)."""
    head, found, tail = text.partition(MARKER)
    if not found:
        return text, None
    name, _, body = tail.partition("\n")
    return head + "\n", (name.strip(), body)


def join(rules_text: str, name: str, calendar_text: str) -> str:
    """The text a store keeps for rules with a calendar file (``split`` reverses it)."""
    return rules_text.rstrip("\n") + MARKER + name + "\n" + calendar_text


def read(spec: s.CalendarSpec, doc: YamlDocument, file: str,
         kept: tuple[str, str] | None) -> tuple[s.CalendarOverrides | None, str, Any,
                                                 list[Problem]]:
    """The calendar file the rules name: (its model, its text, its data, problems).

    ``kept`` is the file as stored with the rules (a rules version reloaded from a store);
    otherwise it is read from the rules file's folder.
    """
    name = spec.overrides
    if name is None:
        return None, "", None, []
    loc = ("calendar", "overrides")
    if kept is not None:
        shown, text = kept[0], kept[1]
    else:
        path = Path(file).parent / name
        shown = str(path)
        try:
            text = read_text_file(path, MAX_BYTES)
        except FileProblem as exc:
            return None, "", None, [problem_at(
                doc, file, exc.type, loc, f"本地节假日调整文件 {shown}：{exc.text.zh}",
                f"the calendar file {shown}: {exc.text.en}")]
    odoc, problems = parse_yaml(text, shown)
    if odoc is None:
        return None, text, None, problems
    data = odoc.data if odoc.data is not None else {}
    if not isinstance(data, dict):
        problems.append(problem_at(odoc, shown, "document_type", (),
                                   "文件内容应为键值映射（published_years、holidays、working_days）",
                                   "the file must be a mapping (published_years, holidays, "
                                   "working_days)"))
        return None, text, None, problems
    try:
        model = s.CalendarOverrides.model_validate(data)
    except ValidationError as exc:
        problems.extend(schema_problems(odoc, shown, exc, {p.loc for p in problems},
                                        root=s.CalendarOverrides))
        return None, text, None, problems
    both = set(model.holidays) & set(model.working_days)
    for i, day in enumerate(model.working_days):
        if day in both:
            problems.append(problem_at(
                odoc, shown, "calendar_conflict", ("working_days", i),
                f"{day} 同时列为休息日（holidays）和工作日（working_days）",
                f"{day} is listed both as a rest day (holidays) and as a working day"))
    return (None if problems else model), text, data, problems


__all__ = ["MARKER", "join", "read", "split"]
