"""The organization hierarchy: city 市委 → district 区委 → street 街道党工委 → community 社区党组织.

Load an organization list (CSV or YAML), check it against the levels, duties and local
standards (RULES.md H1–H6) and query it::

    from partyflow.hierarchy import load_hierarchy
    h = load_hierarchy("examples/hierarchy.csv")          # HierarchyError lists every problem
    for link in h.responsibility_chain("xg-grid-1"):
        print(link.level, link.duty, link.secretary)

Levels come from the rules file's ``hierarchy:`` section when given a ``RuleSet`` that has
one, else from ``DEFAULT_HIERARCHY`` (``DEFAULT_LEVELS``, H4 grid staffing on, H6 off).
"""

from __future__ import annotations

from pathlib import Path

from partyflow.errors import HierarchyError, Problem, UnknownOrganization
from partyflow.hierarchy._check import Checker
from partyflow.hierarchy._config import (
    DEFAULT_HIERARCHY,
    DEFAULT_LEVELS,
    DEFAULT_STANDARDS,
    Level,
    LevelsArg,
    resolve,
)
from partyflow.hierarchy._read import Table, no_gc, read_csv_text, read_file, read_yaml_text
from partyflow.hierarchy._tree import Hierarchy, Org
from partyflow.hierarchy.imports import ORG_IMPORT_KINDS, ORG_IMPORT_LABELS, OrgImport
from partyflow.hierarchy.query import (
    ChainLink,
    HierarchyView,
    Levels,
    Organization,
    OrganizationSource,
)
from partyflow.hierarchy.trail import (
    ORG_ACTIONS,
    SYSTEM_ORG_ACTOR,
    OrgAuditRecord,
    verify_organizations,
)
from partyflow.rules.problems import ProblemList, capped
from partyflow.rules.schema import GridStaffing, LocalStandard, SubUnit
from partyflow.rules.schema import Hierarchy as HierarchySpec

resolve_levels = resolve
"""The ``hierarchy:`` section to use for ``levels`` (a ``RuleSet``, a spec, levels or None)."""


def check_hierarchy(path: str | Path, levels: LevelsArg = None) -> list[Problem]:
    """Every problem of the organization list at ``path``, in file order; empty when valid."""
    return _load(path, levels)[0]


def load_hierarchy(path: str | Path, levels: LevelsArg = None) -> Hierarchy:
    """Load and check an organization list; raise ``HierarchyError`` listing every problem.

    ``path`` is a CSV file (UTF-8 with or without BOM; columns at least
    ``id,name,level,parent,secretary``, others kept as node attributes) or, ending in
    ``.yaml``/``.yml``, a YAML list of the same records. ``levels`` is a ``RuleSet`` (its
    ``hierarchy:`` section, or the defaults when it has none), a ``HierarchySpec``, a
    sequence of ``Level`` (with the default grid staffing when a ``grid`` unit exists), or
    None for ``DEFAULT_HIERARCHY``.
    """
    problems, hierarchy = _load(path, levels)
    if problems:
        raise HierarchyError(problems)
    assert hierarchy is not None
    return hierarchy


def load_hierarchy_text(text: str, *, format: str = "csv", file: str = "<organizations>",
                        levels: LevelsArg = None) -> Hierarchy:
    """Like ``load_hierarchy`` for text in ``format`` ``csv`` or ``yaml``."""
    spec = resolve(levels)
    with no_gc():
        table, problems = (read_yaml_text if format == "yaml" else read_csv_text)(text, file)
        return _finish(table, problems, spec, file)


def _finish(table: Table, problems: list[Problem], spec: HierarchySpec,
            file: str) -> Hierarchy:
    checker = Checker(spec, file)
    checker.check(table)
    found = ProblemList()
    found.extend(problems)
    found.extend(checker.problems)
    found.dropped += getattr(problems, "dropped", 0) + checker.problems.dropped
    if found:
        raise HierarchyError(capped(found, file))
    return Hierarchy(checker.graph, spec, file, checker.levels)


def _load(path: str | Path, levels: LevelsArg) -> tuple[list[Problem], Hierarchy | None]:
    spec = resolve(levels)
    with no_gc():
        table, problems = read_file(path)
        try:
            return [], _finish(table, problems, spec, str(path))
        except HierarchyError as exc:
            return list(exc.problems), None


__all__ = [
    "DEFAULT_HIERARCHY",
    "DEFAULT_LEVELS",
    "DEFAULT_STANDARDS",
    "ORG_ACTIONS",
    "ORG_IMPORT_KINDS",
    "ORG_IMPORT_LABELS",
    "SYSTEM_ORG_ACTOR",
    "ChainLink",
    "GridStaffing",
    "Hierarchy",
    "HierarchyError",
    "HierarchySpec",
    "HierarchyView",
    "Level",
    "Levels",
    "LocalStandard",
    "Org",
    "OrgAuditRecord",
    "OrgImport",
    "Organization",
    "OrganizationSource",
    "SubUnit",
    "UnknownOrganization",
    "check_hierarchy",
    "load_hierarchy",
    "load_hierarchy_text",
    "resolve_levels",
    "verify_organizations",
]
