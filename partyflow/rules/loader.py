"""Load a rules file: the entry points.

The file is read as YAML with positions (``source``), checked against the schema and for
meaning (``checks``), and compiled into frozen definitions (``compile``). Every problem in the
file is collected and reported at once, each with file, line, column, path and a zh/en
message, in file order. Nothing here executes code from the file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from partyflow.errors import Problem, RulesError
from partyflow.files import FileProblem, read_text_file
from partyflow.rules import calendar_file
from partyflow.rules.checks import check_document
from partyflow.rules.compile import compile_rules
from partyflow.rules.definitions import RuleSet
from partyflow.rules.problems import capped, problem_at
from partyflow.rules.source import MAX_SOURCE_BYTES, parse_yaml


def load_rules(path: str | Path) -> RuleSet:
    """Load and validate a rules file; raise ``RulesError`` listing every problem."""
    try:
        text = read_text_file(path, MAX_SOURCE_BYTES)
    except FileProblem as exc:
        raise RulesError([Problem(exc.type, (), str(path), exc.line, exc.column, exc.text)]
                         ) from None
    return load_rules_text(text, str(path))


def load_rules_text(text: str, file: str = "<rules>") -> RuleSet:
    """Load and validate rules from a string; ``file`` names it in messages. Warnings do not
    stop the load: they are kept in ``RuleSet.warnings``."""
    problems, ruleset = _check(text, file)
    if ruleset is None:
        raise RulesError([p for p in problems if p.severity == "error"])
    return ruleset


def check_rules_text(text: str, file: str = "<rules>") -> list[Problem]:
    """Every problem in ``text`` — errors and warnings (``Problem.severity``) — in file
    order; empty when the rules are valid and nothing looks unintended."""
    return _check(text, file)[0]


def content_hash(data: Any) -> str:
    """SHA-256 of the canonical JSON of the file's data."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _check(stored: str, file: str) -> tuple[list[Problem], RuleSet | None]:
    """YAML → schema and semantic checks → definitions; the problems in file order."""
    text, kept = calendar_file.split(stored)
    doc, problems = parse_yaml(text, file)
    if doc is None:
        return capped(problems, file), None
    if not isinstance(doc.data, dict):
        problems.append(problem_at(doc, file, "document_type", (),
                                   "文件内容应为键值映射，以 version: 开头",
                                   "the file must be a mapping starting with version:"))
        return capped(problems, file), None
    model, found = check_document(doc, file, text, {p.loc for p in problems})
    problems.extend(found)
    warnings = [p for p in problems if p.severity == "warning"]
    if len(warnings) < len(problems) or model is None:
        return capped(problems, file), None
    overrides, calendar_text, calendar_data, found = calendar_file.read(
        model.calendar, doc, file, kept)
    if found:
        return capped(found, file), None
    digest, source = content_hash(doc.data), text
    if model.calendar.overrides is not None:
        # the calendar file is part of the version: hashed and kept with the rules text
        digest = content_hash({"rules": doc.data, "calendar_overrides": calendar_data})
        source = calendar_file.join(text, model.calendar.overrides, calendar_text)
    ruleset = compile_rules(model, content_hash=digest, source=source, file=file,
                            overrides=overrides)
    if warnings:
        ruleset = dataclasses.replace(ruleset, warnings=tuple(capped(warnings, file)))
    return capped(warnings, file), ruleset
