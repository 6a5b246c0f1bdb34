"""An organization list compared with the stored organizations (组织名册导入): what an import
adds, moves, renames, updates and closes, and the ``OrgImport`` it returns.

Pure: the stores read their rows and write the plan (``Store.put_organizations``). Memory
grows with the list (one entry per organization given) and the changes, not with the trail.
"""

from __future__ import annotations

import bisect
import itertools
import json
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from partyflow.errors import OrgImportRefused, Text
from partyflow.hierarchy.query import Organization
from partyflow.hierarchy.trail import OrgKey, attrs_text

ORG_IMPORT_KINDS = ("added", "moved", "renamed", "updated", "closed", "missing")
"""The kinds of change an ``OrgImport`` counts, with example ids (see its attributes)."""

ORG_IMPORT_LABELS = {"added": Text("新增", "added"), "moved": Text("迁移", "moved"),
                     "renamed": Text("更名", "renamed"), "updated": Text("变更", "updated"),
                     "closed": Text("撤销", "closed"), "missing": Text("名册中已无", "missing")}
"""Each kind's name, as the summary says it."""

EXAMPLES = 20
"""How many example ids an ``OrgImport`` keeps per kind (the first by id)."""

OpenInstance = Callable[[Sequence[str]], "tuple[str, str] | None"]
"""Given organization ids, one open instance responsible at one of them, as ``(org_id,
instance_id)``, or None."""

_ACTION_KIND = {"import": "added", "move": "moved", "rename": "renamed", "update": "updated",
                "close": "closed"}


@dataclass(frozen=True, slots=True)
class OrgImport:
    """What an organization import did (``Engine.import_organizations``).

    Attributes:
        given: organizations in the list.
        added: new ones (trail action ``import``).
        moved: stored ones now under another parent (``move``; may also be renamed).
        renamed: stored ones with another name, same parent (``rename``).
        updated: stored ones with any other change: secretary, level, attrs (``update``).
        closed: stored ones the list no longer has, removed (``close``; ``close_missing``).
        missing: stored ones the list no longer has, left stored (without
            ``close_missing``). Organizations a procedure established are neither: no list
            has them.
        unchanged: given exactly as stored (nothing written).
        examples: up to ``EXAMPLES`` ids per kind of ``ORG_IMPORT_KINDS``, the first by id
            (kinds without any are absent).
    """

    given: int
    added: int = 0
    moved: int = 0
    renamed: int = 0
    updated: int = 0
    closed: int = 0
    missing: int = 0
    unchanged: int = 0
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        """Organizations written, one trail record each."""
        return self.added + self.moved + self.renamed + self.updated + self.closed

    def summary(self) -> Text:
        """One line: every count."""
        return Text(
            f"名册 {self.given} 个组织：新增 {self.added}，迁移 {self.moved}，更名 "
            f"{self.renamed}，变更 {self.updated}，撤销 {self.closed}，名册中已无 "
            f"{self.missing}，未变 {self.unchanged}",
            f"{self.given} organizations in the list: added {self.added}, moved "
            f"{self.moved}, renamed {self.renamed}, updated {self.updated}, closed "
            f"{self.closed}, missing {self.missing}, unchanged {self.unchanged}")


class GivenOrg(NamedTuple):
    """An organization of the list, with its row as stored (``OrgKey``)."""

    key: OrgKey
    org: Organization


class OrgChange(NamedTuple):
    """One organization to write: its trail ``action`` and its row after (a ``close``: its
    last row)."""

    action: str
    key: OrgKey
    org: Organization


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import writes: the ``changes`` by id (the trail's order) and the result."""

    changes: Sequence[OrgChange]
    result: OrgImport
    by_action: Mapping[str, Sequence[OrgChange]]

    def of(self, *actions: str) -> Iterator[OrgChange]:
        """The changes with one of ``actions`` (by id within each action)."""
        return (c for a in actions for c in self.by_action.get(a, ()))

    def trail(self) -> Iterator[tuple[str, OrgKey]]:
        """``(action, stored row)`` per change, for ``chain_org_changes``."""
        return ((c.action, c.key) for c in self.changes)


def org_key(org: Organization) -> OrgKey:
    """``org`` as its stored row (raises ``TypeError`` if its attrs are not JSON values)."""
    return (org.id, org.name, org.level, org.parent, org.secretary, attrs_text(org.attrs),
            org.added_by)


GivenList = Mapping[str, GivenOrg]
"""The list by id (``given_orgs``)."""


def given_orgs(organizations: Iterable[Organization]) -> GivenList:
    """The list by id, each organization with its stored row.

    Raises:
        OrgImportRefused: an id given twice (``duplicate_id``).
        TypeError: attrs that are not JSON values.
    """
    listed = [GivenOrg(org_key(o), o) for o in organizations]
    by_id = {g.key[0]: g for g in listed}
    if len(by_id) < len(listed):
        counts = Counter(g.key[0] for g in listed)
        oid = min(k for k, n in counts.items() if n > 1)
        raise OrgImportRefused(Text(f"组织名册中组织 {oid} 出现了两次：每个组织只能列一次，未导入",
                                    f"the organization list gives {oid} twice: each "
                                    "organization once, nothing imported"),
                               org_id=oid, reason="duplicate_id")
    return by_id


def _keep_first(found: list[str], oid: str) -> None:
    """Keep the ``EXAMPLES`` smallest ids seen in ``found`` (sorted)."""
    if len(found) < EXAMPLES or oid < found[-1]:
        bisect.insort(found, oid)
        del found[EXAMPLES:]


def plan_import(given: GivenList, stored: Iterable[OrgKey], *, close_missing: bool,
                open_instance: OpenInstance) -> ImportPlan:
    """Compare the list (``given_orgs``) with every stored row (any order) and plan the writes.

    Raises:
        OrgImportRefused: with ``close_missing``, an organization to close still has an open
            instance responsible there (``open_instances``), or an organization that stays
            would be under one (``child_remains``).
    """
    pending = dict(given)
    by_action: dict[str, list[OrgChange]] = {a: [] for a in _ACTION_KIND}
    closing: list[OrgKey] = []
    kept: list[tuple[str, str]] = []  # (parent, id) of stored rows not in the list that stay
    missing: list[str] = []
    n_missing = unchanged = 0
    for row in stored:
        oid = row[0]
        found = pending.pop(oid, None)
        if found is not None:
            key = found.key
            if row == key:
                unchanged += 1
                continue
            action = ("move" if row[3] != key[3] else "rename" if row[1] != key[1]
                      else "update")
            by_action[action].append(OrgChange(action, key, found.org))
        elif row[6] is None and close_missing:
            closing.append(row)
        elif row[6] is None:
            n_missing += 1
            _keep_first(missing, oid)
        elif close_missing and row[3] is not None:  # established by a procedure: stays
            kept.append((row[3], oid))
    by_action["import"] = [OrgChange("import", g.key, g.org) for g in pending.values()]
    if closing:
        _check_closing(closing, given, kept, open_instance)
        by_action["close"] = [OrgChange("close", row, _org_of(row)) for row in closing]
    examples: dict[str, tuple[str, ...]] = {}
    counts = {"missing": n_missing}
    for action, found_changes in by_action.items():
        found_changes.sort(key=_BY_ID)
        kind = _ACTION_KIND[action]
        counts[kind] = len(found_changes)
        if found_changes:
            examples[kind] = tuple(c.key[0] for c in found_changes[:EXAMPLES])
    if missing:
        examples["missing"] = tuple(missing)
    changes = sorted(itertools.chain.from_iterable(by_action.values()), key=_BY_ID)
    ordered = {k: examples[k] for k in ORG_IMPORT_KINDS if k in examples}
    return ImportPlan(changes, OrgImport(len(given), unchanged=unchanged, examples=ordered,
                                         **counts), by_action)


_BY_ID = operator.itemgetter(1)  # an OrgChange's row, whose first column is the unique id


def _org_of(row: OrgKey) -> Organization:
    oid, name, level, parent, secretary, attrs, added_by = row
    return Organization(oid, name, level, parent, secretary, json.loads(attrs), added_by)


def _check_closing(closing: Sequence[OrgKey], given: GivenList,
                   kept: Sequence[tuple[str, str]], open_instance: OpenInstance) -> None:
    ids = sorted(row[0] for row in closing)
    busy = open_instance(ids)
    if busy is not None:
        oid, iid = busy
        raise OrgImportRefused(Text(
            f"组织 {oid} 不在名册中，但仍有在办实例 {iid} 由其负责：不能撤销（先办结或转出），未导入",
            f"organization {oid} is not in the list but open instance {iid} is still its "
            "responsibility: it cannot be closed (finish or move the instance first), nothing "
            "imported"), org_id=oid, reason="open_instances", other=iid)
    closed = set(ids)
    under = sorted([(g.key[3], g.key[0]) for g in given.values() if g.key[3] in closed]
                   + [(p, c) for p, c in kept if p in closed])
    if under:
        oid, child = under[0]
        raise OrgImportRefused(Text(
            f"组织 {oid} 不在名册中，但其下级组织 {child} 仍留在组织体系中：不能撤销（先调整 {child} 的上级），"
            "未导入",
            f"organization {oid} is not in the list but {child} would stay under it: it cannot "
            f"be closed (give {child} another parent first), nothing imported"),
            org_id=oid, reason="child_remains", other=child)
