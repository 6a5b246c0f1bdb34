"""One query interface over an organization tree (组织体系), in memory or in a store.

The engine (authority, escalation, establishment), reports and ``Hierarchy`` itself ask the
same questions — an organization, its responsibility chain (责任链), the organization N levels
above, a subtree — through ``HierarchyView``. A view reads from an ``OrganizationSource``: the
in-memory ``Hierarchy`` (a validated list) or a ``Store`` (the hierarchy every process shares).
Level labels and duties come from ``Levels``, built once from the rules file's ``hierarchy:``
section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from partyflow.errors import Text, UnknownOrganization
from partyflow.rules.schema import Hierarchy as HierarchySpec


@dataclass(frozen=True, slots=True)
class Organization:
    """An organization of the hierarchy.

    Attributes:
        id: the organization id.
        name: its name (e.g. 星光社区党委).
        level: its level or unit id (``city`` … ``community``, ``grid``).
        parent: its direct superior's id, None at the top.
        secretary: its secretary (书记) as the calling system identifies the person, or None.
        attrs: every other column of the organization list.
        added_by: the instance whose establishment added it, or None when imported.
    """

    id: str
    name: str
    level: str
    parent: str | None
    secretary: str | None
    attrs: Mapping[str, object] = field(default_factory=dict)
    added_by: str | None = None


class ChainLink(NamedTuple):
    """One organization on a responsibility chain.

    Attributes:
        org_id: the organization.
        name: its name.
        level: its level id (``city`` … ``community``, or a unit such as ``grid``).
        label: the level's label.
        duty: the level's duty (主体责任 …); None for units below the levels.
        secretary: its secretary (书记), or None when the list names none (grids).
    """

    org_id: str
    name: str
    level: str
    label: Text
    duty: Text | None
    secretary: str | None


class OrganizationSource(Protocol):
    """Where a ``HierarchyView`` reads organizations from."""

    def organization(self, org_id: str) -> Organization | None:
        """The organization ``org_id``, or None."""
        ...

    def lineage(self, org_id: str) -> Sequence[Organization]:
        """``org_id`` and each superior up to the top, bottom up; empty if unknown."""
        ...

    def subtree_ids(self, org_id: str) -> Sequence[str]:
        """``org_id`` and every organization below it; empty if unknown."""
        ...


class Levels:
    """The levels of a ``hierarchy:`` section: labels, duties, and which level is below which.

    Attributes:
        spec: the section.
        order: the level ids, top down (``city`` … ``community``).
        units: the ids of the units below a level (``grid``, ``building_group``).
        top: the top level, the only one whose organizations have no superior.
        bottom: the lowest level (where ``registers_with`` must point, H5).
    """

    def __init__(self, spec: HierarchySpec) -> None:
        self.spec = spec
        self.order: tuple[str, ...] = tuple(lv.id for lv in spec.levels)
        self.units: tuple[str, ...] = tuple(u.id for lv in spec.levels for u in lv.below)
        self.top, self.bottom = self.order[0], self.order[-1]
        self._meta: dict[str, tuple[Text, Text | None]] = {}
        self._superior: dict[str, str] = {}
        for i, lv in enumerate(spec.levels):
            self._meta[lv.id] = (lv.label, lv.duty)
            if i:
                self._superior[lv.id] = spec.levels[i - 1].id
            for unit in lv.below:
                self._meta.setdefault(unit.id, (unit.label, None))
                self._superior.setdefault(unit.id, lv.id)
        self._rank = {level: i for i, level in enumerate(self.order)}

    def meta(self, level: str) -> tuple[Text, Text | None]:
        """The label and duty of ``level`` (the id itself and no duty if it is unknown)."""
        return self._meta.get(level) or (Text(level, level), None)

    def label(self, level: str) -> Text:
        """The label of ``level`` (the id itself if it is unknown)."""
        return self.meta(level)[0]

    def known(self, level: str) -> bool:
        """Whether ``level`` is a level or a unit of this section."""
        return level in self._meta

    def rank(self, level: str) -> int | None:
        """The position of a level from the top (0 for ``top``); None for units and unknowns."""
        return self._rank.get(level)

    def superior_level(self, level: str) -> str | None:
        """The level an organization of ``level`` must sit under (None for the top, unknowns)."""
        return self._superior.get(level)

    def below(self, level: str) -> str | None:
        """The level directly below ``level`` (where a new organization under it goes)."""
        if level in self.order[:-1]:
            return self.order[self.order.index(level) + 1]
        return None


class HierarchyView:
    """The questions the engine and reports ask of a hierarchy, over one source."""

    def __init__(self, source: OrganizationSource, levels: Levels) -> None:
        self.source = source
        self.levels = levels

    def organization(self, org_id: str) -> Organization:
        """The organization ``org_id`` (raises ``UnknownOrganization``)."""
        org = self.source.organization(org_id)
        if org is None:
            raise UnknownOrganization(org_id)
        return org

    def find(self, org_id: str) -> Organization | None:
        """The organization ``org_id``, or None."""
        return self.source.organization(org_id)

    def responsibility_chain(self, org_id: str) -> tuple[ChainLink, ...]:
        """``org_id`` and every superior up to the top, each with its level's duty and its
        secretary (raises ``UnknownOrganization``)."""
        lineage = self.source.lineage(org_id)
        if not lineage:
            raise UnknownOrganization(org_id)
        meta = self.levels.meta
        return tuple(ChainLink(o.id, o.name, o.level, *meta(o.level), o.secretary)
                     for o in lineage)

    def above(self, org_id: str, up: int) -> Organization | None:
        """The organization ``up`` levels above ``org_id`` (itself for 0), or None."""
        if up == 0:
            return self.source.organization(org_id)
        lineage = self.source.lineage(org_id)
        return lineage[up] if up < len(lineage) else None

    def at_level(self, org_id: str, level: str) -> Organization | None:
        """``org_id`` or its superior whose level is ``level``, or None."""
        return next((o for o in self.source.lineage(org_id) if o.level == level), None)

    def subtree(self, org_id: str) -> set[str]:
        """``org_id`` and every organization below it (raises ``UnknownOrganization``)."""
        ids = self.source.subtree_ids(org_id)
        if not ids:
            raise UnknownOrganization(org_id)
        return set(ids)
