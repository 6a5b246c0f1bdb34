"""The validated hierarchy: a ``networkx.DiGraph`` plus precomputed arrays for fast queries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any

import networkx as nx

from partyflow.errors import Text, UnknownOrganization
from partyflow.hierarchy._read import Table, no_gc
from partyflow.hierarchy.query import ChainLink
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


class Hierarchy:
    """A validated organization tree, edges from superior to subordinate.

    ``graph`` is the ``networkx.DiGraph`` (node attributes: name, level, secretary, line and
    every other column; edges in file order), built on first use. Queries use parent arrays
    computed while checking, and responsibility chains are cached (a chain shares its
    superiors' links), so no query walks ``networkx``; ``descendants`` and ``children`` read
    the graph's adjacency.
    """

    def __init__(self, table: Table, index: dict[str, int], parent_ix: list[int],
                 spec: HierarchySpec, file: str) -> None:
        self.spec = spec
        self.file = file
        self._t = table
        self._index = index
        self._parent = parent_ix
        self._chains: dict[int, tuple[ChainLink, ...]] = {}
        self._meta: dict[str, tuple[Text, Text | None]] = {}
        for lvl in spec.levels:
            self._meta[lvl.id] = (Text(lvl.label.zh, lvl.label.en),
                                  Text(lvl.duty.zh, lvl.duty.en))
            for u in lvl.below:
                self._meta[u.id] = (Text(u.label.zh, u.label.en), None)
        self.roots = tuple(table.ids[i] for i in index.values() if parent_ix[i] < 0)

    @cached_property
    def graph(self) -> Any:
        """The ``networkx.DiGraph``, built on first use (see bench/HIERARCHY.md for its cost)."""
        with no_gc():
            return _digraph(self._t, self._index, self._parent)

    def ids(self) -> Iterator[str]:
        """Every organization id, in file order."""
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, org_id: object) -> bool:
        return org_id in self._index

    def _ix(self, org_id: str) -> int:
        try:
            return self._index[org_id]
        except KeyError:
            raise UnknownOrganization(org_id) from None

    def org(self, org_id: str) -> Org:
        """The organization ``org_id``; ``UnknownOrganization`` if there is none."""
        i = self._ix(org_id)
        t = self._t
        attrs = {k: v for k, v in t.nodes[i].items() if k not in _CORE_ATTRS}
        p = self._parent[i]
        return Org(org_id, t.names[i], t.levels[i], t.ids[p] if p >= 0 else None,
                   t.secretaries[i] or None, t.lines[i], MappingProxyType(attrs))

    def responsibility_chain(self, org_id: str) -> tuple[ChainLink, ...]:
        """``org_id`` and every superior up to the top, each with level, duty and secretary."""
        try:
            return self._chains[self._index[org_id]]
        except KeyError:
            return self._chain(self._ix(org_id))

    def _chain(self, i: int) -> tuple[ChainLink, ...]:
        """Build (and cache) the chains of ``i`` and of its superiors not cached yet."""
        chains, parent, t, meta = self._chains, self._parent, self._t, self._meta
        todo: list[int] = []
        above: tuple[ChainLink, ...] = ()
        while i >= 0:
            cached = chains.get(i)
            if cached is not None:
                above = cached
                break
            todo.append(i)
            i = parent[i]
        for k in reversed(todo):
            level = t.levels[k]
            label, duty = meta[level]
            above = (ChainLink(t.ids[k], t.names[k], level, label, duty,
                               t.secretaries[k] or None), *above)
            chains[k] = above
        return above

    def superior(self, org_id: str) -> Org | None:
        """The direct superior (一级抓一级), or None for a top-level organization."""
        p = self._parent[self._ix(org_id)]
        return self.org(self._t.ids[p]) if p >= 0 else None

    def is_within(self, org_id: str, ancestor_id: str) -> bool:
        """Whether ``org_id`` is ``ancestor_id`` or below it."""
        a = self._ix(ancestor_id)
        i = self._ix(org_id)
        parent = self._parent
        while i >= 0:
            if i == a:
                return True
            i = parent[i]
        return False

    def descendants(self, org_id: str) -> Iterator[str]:
        """The ids below ``org_id`` (not itself), depth first, siblings in file order."""
        self._ix(org_id)
        succ = self.graph.succ
        stack = [iter(succ[org_id])]
        while stack:
            for child in stack[-1]:
                yield child
                stack.append(iter(succ[child]))
                break
            else:
                stack.pop()

    def children(self, org_id: str) -> list[str]:
        """The ids directly below ``org_id``, in file order."""
        self._ix(org_id)
        return list(self.graph.successors(org_id))


def _digraph(table: Table, index: dict[str, int], parent_ix: list[int]) -> Any:
    """The ``networkx.DiGraph``, filled through its adjacency dicts.

    This is what ``add_nodes_from``/``add_edges_from`` store (node → attribute dict,
    successor and predecessor dicts sharing one edge-data dict per edge), written directly:
    three times faster at 600,000 organizations, where the public calls copy every dict.
    """
    graph = nx.DiGraph()
    nodes, ids = table.nodes, table.ids
    graph._node.update({org: nodes[i] for org, i in index.items()})
    succ: dict[str, dict[str, Any]] = graph._succ
    pred: dict[str, dict[str, Any]] = graph._pred
    succ.update({org: {} for org in index})
    pred.update({org: {} for org in index})
    for org, i in index.items():
        p = parent_ix[i]
        if p >= 0:
            data: dict[str, Any] = {}
            succ[ids[p]][org] = data
            pred[org][ids[p]] = data
    return graph
