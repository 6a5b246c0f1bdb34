"""The validated hierarchy: a ``networkx.DiGraph`` from each superior to its subordinates."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any

from partyflow.errors import UnknownOrganization
from partyflow.hierarchy.query import ChainLink, HierarchyView, Levels, Organization
from partyflow.rules.schema import Hierarchy as HierarchySpec


@dataclass(frozen=True)
class Org:
    """An organization with everything its row held.

    Attributes:
        id, name, level, secretary: as written.
        parent: the superior's id, or None for a top-level organization.
        line: the row (CSV) or line (YAML) it was read from.
        attrs: every other column, e.g. ``leader``, ``workers``, ``households``.
    """

    id: str
    name: str
    level: str
    parent: str | None
    secretary: str | None
    line: int
    attrs: Mapping[str, Any]


_CORE_ATTRS = frozenset({"name", "level", "secretary", "line"})


class _Columns(Mapping[str, Any]):
    """The other columns of a node's attribute dict, read through (no copy per query)."""

    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]) -> None:
        self._d = d

    def __getitem__(self, key: str) -> Any:
        if key in _CORE_ATTRS:
            raise KeyError(key)
        return self._d[key]

    def __iter__(self) -> Iterator[str]:
        return (k for k in self._d if k not in _CORE_ATTRS)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(dict(self))


class Hierarchy:
    """A validated organization tree (组织体系): an ``OrganizationSource`` over its graph.

    ``graph`` is the ``networkx.DiGraph`` checked at load: a node per organization (its
    attribute dict: name, level, secretary, line and every other column), an edge from each
    superior to each organization directly below it, in file order. Responsibility chains
    and level metadata come from ``view`` (a ``HierarchyView`` over this hierarchy) and
    ``levels``, the same code that answers over a store. Each ``Organization`` is built on
    first use and kept (bench/HIERARCHY.md: a chain built afresh per query cost 4–8× the
    plain-dict baseline); the graph must not be changed after loading.
    """

    def __init__(self, graph: Any, spec: HierarchySpec, file: str,
                 levels: Levels | None = None) -> None:
        self.spec = spec
        self.file = file
        self.graph = graph
        self.levels = levels if levels is not None else Levels(spec)
        self.view = HierarchyView(self, self.levels)
        self._orgs: dict[str, Organization] = {}

    @cached_property
    def roots(self) -> tuple[str, ...]:
        """The top-level organizations (in-degree 0), in file order."""
        return tuple(n for n, d in self.graph.in_degree() if d == 0)

    def ids(self) -> Iterator[str]:
        """Every organization id, in file order."""
        return iter(self.graph)

    def __len__(self) -> int:
        return len(self.graph)

    def rows(self) -> Iterator[Organization]:
        """Every organization as the row a store keeps (its extra columns a plain dict), in
        file order: what ``Engine.import_organizations`` writes."""
        core = _CORE_ATTRS
        pred = self.graph.pred
        for oid, a in self.graph.nodes(data=True):
            parent = next(iter(pred[oid]), None)
            yield Organization(oid, a["name"], a["level"], parent, a["secretary"] or None,
                               {k: v for k, v in a.items() if k not in core})

    def __contains__(self, org_id: object) -> bool:
        return org_id in self.graph

    def _attrs(self, org_id: str) -> dict[str, Any]:
        try:
            attrs: dict[str, Any] = self.graph.nodes[org_id]
        except KeyError:
            raise UnknownOrganization(org_id) from None
        return attrs

    def _parent(self, org_id: str) -> str | None:
        return next(iter(self.graph.pred[org_id]), None)

    # -- OrganizationSource ------------------------------------------------------------------

    def organization(self, org_id: str) -> Organization | None:
        """The organization ``org_id``, or None."""
        org = self._orgs.get(org_id)
        if org is None:
            attrs = self.graph.nodes.get(org_id)
            if attrs is None:
                return None
            org = self._orgs[org_id] = Organization(
                org_id, attrs["name"], attrs["level"], self._parent(org_id),
                attrs["secretary"] or None, _Columns(attrs))
        return org

    def lineage(self, org_id: str) -> list[Organization]:
        """``org_id`` and each superior up to the top, bottom up; empty if unknown."""
        out: list[Organization] = []
        org = self.organization(org_id)
        while org is not None:
            out.append(org)
            org = self.organization(org.parent) if org.parent is not None else None
        return out

    def subtree_ids(self, org_id: str) -> list[str]:
        """``org_id`` and every organization below it, depth first; empty if unknown."""
        import networkx as nx  # on first use: `import partyflow` stays light

        if org_id not in self.graph:
            return []
        return list(nx.dfs_preorder_nodes(self.graph, org_id))

    # -- queries -----------------------------------------------------------------------------

    def org(self, org_id: str) -> Org:
        """The organization ``org_id`` with its row; ``UnknownOrganization`` if there is none."""
        a = self._attrs(org_id)
        attrs = {k: v for k, v in a.items() if k not in _CORE_ATTRS}
        return Org(org_id, a["name"], a["level"], self._parent(org_id), a["secretary"] or None,
                   a["line"], MappingProxyType(attrs))

    def responsibility_chain(self, org_id: str) -> tuple[ChainLink, ...]:
        """``org_id`` and every superior up to the top, each with level, duty and secretary."""
        return self.view.responsibility_chain(org_id)

    def superior(self, org_id: str) -> Org | None:
        """The direct superior (一级抓一级), or None for a top-level organization."""
        self._attrs(org_id)
        parent = self._parent(org_id)
        return self.org(parent) if parent is not None else None

    def is_within(self, org_id: str, ancestor_id: str) -> bool:
        """Whether ``org_id`` is ``ancestor_id`` or below it."""
        self._attrs(ancestor_id)
        self._attrs(org_id)
        return any(o.id == ancestor_id for o in self.lineage(org_id))

    def descendants(self, org_id: str) -> Iterator[str]:
        """The ids below ``org_id`` (not itself), depth first, siblings in file order."""
        import networkx as nx  # on first use: `import partyflow` stays light

        self._attrs(org_id)
        below: Iterator[str] = nx.dfs_preorder_nodes(self.graph, org_id)
        next(below)
        return below

    def children(self, org_id: str) -> list[str]:
        """The ids directly below ``org_id``, in file order."""
        self._attrs(org_id)
        return list(self.graph.successors(org_id))
