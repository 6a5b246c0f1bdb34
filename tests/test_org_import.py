"""Bulk and incremental organization imports (组织名册导入), on every store: only changes are
written, each classified (import / move / rename / update / close) in the trail, the result
says what changed, closing is refused where it would orphan work or organizations, and a
failure half way leaves nothing written."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partyflow import (
    Actor,
    AuditChainBroken,
    Engine,
    Organization,
    OrgImport,
    OrgImportRefused,
    load_hierarchy,
    load_rules,
    open_store,
)
from partyflow.hierarchy import ORG_ACTIONS, verify_organizations
from partyflow.hierarchy.imports import EXAMPLES, org_key
from partyflow.hierarchy.trail import chain_org_changes, next_org_record
from partyflow.stores.base import Store
from partyflow.stores.memory import MemoryStore
from partyflow.testing import FakeClock

from .conftest import FIXTURES, ROOT, CliRun

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HIERARCHY = ROOT / "examples" / "hierarchy.csv"  # 17 organizations


def _list() -> list[Organization]:
    rules = load_rules(FIXTURES / "authority.yaml")
    h = load_hierarchy(HIERARCHY, rules)
    return [Organization(o.id, o.name, o.level, o.parent, o.secretary, dict(o.attrs))
            for o in (h.org(i) for i in h.ids())]


@pytest.fixture
def h_engine(store: Store) -> Engine:
    rules = load_rules(FIXTURES / "authority.yaml")
    engine = Engine(rules, store=store, clock=FakeClock(T0))
    first = engine.import_organizations(load_hierarchy(HIERARCHY, rules), actor_id="org.admin")
    assert (first.given, first.added, first.changed, first.unchanged) == (17, 17, 17, 0)
    return engine


def _actions(store: Store, after: int = 17) -> list[tuple[str, str]]:
    return [(r.action, r.org_id) for r in store.org_history(after_seq=after)]


def _change(orgs: list[Organization], org_id: str, **changes: Any) -> list[Organization]:
    return [dataclasses.replace(o, **changes) if o.id == org_id else o for o in orgs]


def test_a_first_import_says_what_it_added(h_engine: Engine) -> None:
    trail = list(h_engine.store.org_history())
    assert {r.action for r in trail} == {"import"}
    assert [r.org_id for r in trail] == sorted(r.org_id for r in trail)  # by id
    assert h_engine.verify_organizations() == 17


def test_the_result_counts_and_names_examples(store: Store) -> None:
    orgs = [Organization(f"g{i:03d}", f"网格{i}", "grid", None, None) for i in range(30)]
    done = store.put_organizations(orgs, at=T0)
    assert done == OrgImport(30, added=30, examples={"added": tuple(
        f"g{i:03d}" for i in range(EXAMPLES))})
    assert done.summary().en == ("30 organizations in the list: added 30, moved 0, renamed 0, "
                                 "updated 0, closed 0, missing 0, unchanged 0")
    assert "新增 30" in done.summary().zh
    with pytest.raises(dataclasses.FrozenInstanceError):
        done.added = 1  # type: ignore[misc]


def test_an_unchanged_list_writes_nothing(h_engine: Engine) -> None:
    head = h_engine.store.org_head()
    again = h_engine.store.put_organizations(_list(), at=T0 + dt.timedelta(days=1))
    assert again == OrgImport(17, unchanged=17)
    assert h_engine.store.org_head() == head


def test_each_change_is_classified_most_significant_first(h_engine: Engine) -> None:
    orgs = _list()
    orgs = _change(orgs, "xingguang", parent="hepingli-street", name="新星光")  # move + rename
    orgs = _change(orgs, "chaoyang", name="朝阳社区党委")  # rename
    orgs = _change(orgs, "hepingli-1", secretary="新书记")  # update
    orgs = _change(orgs, "xinjie-north", attrs={"households": "1000"})  # update (attrs)
    orgs = _change(orgs, "xs-grid-1", level="community")  # update (level)
    orgs.append(Organization("xg-grid-9", "第九网格", "grid", "xingguang", None))
    done = h_engine.store.put_organizations(orgs, actor_id="li.wei", at=T0)
    assert (done.added, done.moved, done.renamed, done.updated, done.unchanged) == (1, 1, 1, 3,
                                                                                   12)
    assert done.examples == {"added": ("xg-grid-9",), "moved": ("xingguang",),
                             "renamed": ("chaoyang",),
                             "updated": ("hepingli-1", "xinjie-north", "xs-grid-1")}
    assert _actions(h_engine.store) == [  # one record per organization, by id
        ("rename", "chaoyang"), ("update", "hepingli-1"), ("import", "xg-grid-9"),
        ("move", "xingguang"), ("update", "xinjie-north"), ("update", "xs-grid-1")]
    moved = h_engine.store.organization("xingguang")
    assert moved is not None and (moved.parent, moved.name) == ("hepingli-street", "新星光")
    assert h_engine.verify_organizations() == 23
    assert {"move", "rename", "close"} <= set(ORG_ACTIONS)


def test_missing_organizations_are_reported_and_kept(h_engine: Engine) -> None:
    orgs = [o for o in _list() if o.id not in ("xs-grid-1", "xn-grid-1")]
    done = h_engine.store.put_organizations(orgs, at=T0)
    assert (done.missing, done.closed, done.unchanged, done.changed) == (2, 0, 15, 0)
    assert done.examples == {"missing": ("xn-grid-1", "xs-grid-1")}
    assert h_engine.store.organization("xs-grid-1") is not None
    assert h_engine.store.org_head().seq == 17  # type: ignore[union-attr]


def test_closing_missing_organizations_records_their_last_row(h_engine: Engine) -> None:
    last = h_engine.store.organization("xs-grid-1")
    orgs = [o for o in _list() if o.id != "xs-grid-1"]
    done = h_engine.store.put_organizations(orgs, at=T0, close_missing=True)
    assert (done.closed, done.missing, done.examples) == (1, 0, {"closed": ("xs-grid-1",)})
    assert h_engine.store.organization("xs-grid-1") is None
    rec = h_engine.store.org_head()
    assert rec is not None and (rec.seq, rec.action, rec.org_id) == (18, "close", "xs-grid-1")
    assert last is not None and rec.row["parent"] == last.parent == "xinjie-south"
    assert h_engine.verify_organizations() == 18
    again = h_engine.store.put_organizations(_list(), at=T0)  # it comes back: imported anew
    assert (again.added, again.examples["added"]) == (1, ("xs-grid-1",))
    assert h_engine.verify_organizations() == 19


def test_a_closed_organization_written_back_around_the_engine_is_found(
        h_engine: Engine) -> None:
    orgs = [o for o in _list() if o.id != "xs-grid-1"]
    h_engine.store.put_organizations(orgs, at=T0, close_missing=True)
    store = h_engine.store
    row = Organization("xs-grid-1", "新街南社区第一网格", "grid", "xinjie-south", None)
    if isinstance(store, MemoryStore):
        store._replace_org(row.id, row)
    else:
        import sqlalchemy as sa

        with store.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(sa.text("INSERT INTO pf_organizations (id, name, level, parent, "
                                 "secretary, attrs) VALUES ('xs-grid-1', 'x', 'grid', "
                                 "'xinjie-south', NULL, '{}')"))
    with pytest.raises(AuditChainBroken) as exc:
        verify_organizations(store)
    assert (exc.value.reason, exc.value.seq, exc.value.org_id) == ("org_unrecorded", 18,
                                                                   "xs-grid-1")
    assert "closed" in exc.value.message("en")


def _establish(engine: Engine, home: str = "dongcheng-street", new_id: str = "dc-new") -> str:
    iid = engine.start("request", {"home_org": home}, Actor("a-1", "applicant")).id
    engine.fire(iid, "check", Actor("x", "reviewer", "dongcheng"))
    engine.fire(iid, "submit", Actor("y", "reviewer", "dongcheng"))
    engine.fire(iid, "finish", Actor("y", "reviewer", "dongcheng"),
                {"new_id": new_id, "new_name": "新社区党支部"})
    return iid


def test_established_organizations_are_never_missing_nor_closed(h_engine: Engine) -> None:
    _establish(h_engine)
    done = h_engine.store.put_organizations(_list(), at=T0, close_missing=True)
    assert done == OrgImport(17, unchanged=17)
    assert h_engine.store.organization("dc-new") is not None


def test_closing_is_refused_while_instances_are_open_there(h_engine: Engine) -> None:
    iid = h_engine.start("request", {"home_org": "xinjie-south"}, Actor("a-1", "applicant")).id
    assert h_engine.get(iid).org == "xinjie-south"
    orgs = [o for o in _list() if o.id not in ("xinjie-south", "xs-grid-1")]
    orgs.append(Organization("zz-new", "新", "grid", "xingguang", None))
    with pytest.raises(OrgImportRefused) as exc:
        h_engine.store.put_organizations(orgs, at=T0, close_missing=True)
    assert (exc.value.reason, exc.value.org_id, exc.value.other) == ("open_instances",
                                                                    "xinjie-south", iid)
    assert iid in exc.value.message("en") and "xinjie-south" in exc.value.message("zh")
    assert h_engine.store.organization("zz-new") is None  # nothing written
    assert h_engine.store.org_head().seq == 17  # type: ignore[union-attr]
    done = h_engine.store.put_organizations(orgs, at=T0)  # without closing: reported only
    assert (done.added, done.missing) == (1, 2)


def test_closing_is_refused_when_an_organization_would_stay_under_it(
        h_engine: Engine) -> None:
    orgs = [o for o in _list() if o.id != "xinjie-south"]  # its grid stays in the list
    with pytest.raises(OrgImportRefused) as exc:
        h_engine.store.put_organizations(orgs, at=T0, close_missing=True)
    assert (exc.value.reason, exc.value.org_id, exc.value.other) == ("child_remains",
                                                                    "xinjie-south", "xs-grid-1")
    _establish(h_engine)  # dc-new under dongcheng-street, which no list names
    keep = {"xinghai", "dongcheng", "xicheng", "xinjie-street", "xinjie-north", "xinjie-south",
            "xn-grid-1", "xs-grid-1", "hepingli-street", "hepingli-1", "hp-grid-1"}
    with pytest.raises(OrgImportRefused) as exc:
        h_engine.store.put_organizations([o for o in _list() if o.id in keep], at=T0,
                                         close_missing=True)
    assert (exc.value.reason, exc.value.org_id, exc.value.other) == ("child_remains",
                                                                    "dongcheng-street",
                                                                    "dc-new")
    assert h_engine.store.organization("xingguang") is not None
    assert h_engine.verify_organizations() == 18


def test_an_id_given_twice_is_refused(store: Store) -> None:
    a = Organization("a", "甲", "city", None, None)
    with pytest.raises(OrgImportRefused) as exc:
        store.put_organizations([a, dataclasses.replace(a, name="乙")], at=T0)
    assert (exc.value.reason, exc.value.org_id) == ("duplicate_id", "a")
    assert store.org_head() is None and store.organization("a") is None


def _fail_after(monkeypatch: pytest.MonkeyPatch, store: Store, n: int) -> None:
    """The n-th trail record of the next import fails, after the rows were written."""
    if isinstance(store, MemoryStore):
        import partyflow.stores.memory as module

        real: Any = next_org_record
        name = "next_org_record"
    else:
        import partyflow.stores.sql_orgs as module  # type: ignore[no-redef]

        real = chain_org_changes
        name = "chain_org_changes"
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        if name == "next_org_record":
            calls["n"] += 1
            if calls["n"] == n:
                raise RuntimeError("disk on fire")
            return real(*args, **kwargs)

        def records() -> Iterator[Any]:
            for k, rec in enumerate(real(*args, **kwargs), 1):
                if k == n:
                    raise RuntimeError("disk on fire")
                yield rec
        return records()

    monkeypatch.setattr(module, name, failing)


def test_a_failure_half_way_leaves_nothing_written(h_engine: Engine,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store = h_engine.store
    before = list(store.organizations())
    orgs = _change(_list(), "xingguang", secretary="新书记")
    orgs += [Organization(f"zz-{i:04d}", f"新{i}", "grid", "xingguang", None)
             for i in range(1500)]
    _fail_after(monkeypatch, store, 1000)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.put_organizations(orgs, at=T0)
    assert list(store.organizations()) == before
    assert store.org_head().seq == 17  # type: ignore[union-attr]
    monkeypatch.undo()
    done = store.put_organizations(orgs, at=T0)  # the store is usable afterwards
    assert (done.added, done.updated) == (1500, 1)
    assert h_engine.verify_organizations() == 17 + 1501


def _tree(n: int) -> list[Organization]:
    """A city, 10 districts, 100 streets and the rest communities, each under the previous
    level round robin (ids not in level order, so the store's order is not the list's)."""
    orgs = [Organization("c0", "市委", "city", None, "书记")]
    for level, parent_level, count, prefix in (("district", "c", 10, "d"),
                                               ("street", "d", 100, "s"),
                                               ("community", "s", n - 111, "m")):
        parents = [o.id for o in orgs if o.id.startswith(parent_level)]
        orgs += [Organization(f"{prefix}{i:05d}", f"{prefix}{i}党组织", level,
                              parents[i % len(parents)], f"书记{i}", {"households": i})
                 for i in range(count)]
    return orgs


def test_a_larger_list_round_trips_in_pages(store: Store,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import partyflow.stores.sql_orgs as sql_orgs

    monkeypatch.setattr(sql_orgs, "PAGE", 700)  # several pages per read
    orgs = _tree(3000)
    assert store.put_organizations(orgs, at=T0).added == 3000
    assert store.put_organizations(reversed(orgs), at=T0) == OrgImport(3000, unchanged=3000)
    streets = [o.id for o in orgs if o.level == "street"]
    moved = {o.id: dataclasses.replace(o, parent=streets[(k + 1) % len(streets)])
             for k, o in enumerate(orgs[111::50]) if o.parent != streets[(k + 1) % len(streets)]}
    renamed = {o.id: dataclasses.replace(o, name=o.name + "（更名）")
               for o in orgs[3::97] if o.id not in moved}
    done = store.put_organizations([moved.get(o.id, renamed.get(o.id, o)) for o in orgs],
                                   at=T0)
    assert (done.moved, done.renamed, done.unchanged) == (
        len(moved), len(renamed), 3000 - len(moved) - len(renamed))
    assert store.organization(next(iter(moved))) == next(iter(moved.values()))
    assert verify_organizations(store) == 3000 + len(moved) + len(renamed)


_json_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_attrs = st.dictionaries(_json_text, st.none() | st.booleans() | st.integers()
                         | st.floats(allow_nan=False, allow_infinity=False) | _json_text,
                         max_size=4)
_orgs = st.builds(Organization, _json_text, _json_text, _json_text, st.none() | _json_text,
                  st.none() | _json_text, _attrs, st.none() | _json_text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ORG_ACTIONS), _orgs), min_size=1, max_size=5),
       _json_text)
def test_bulk_hashes_are_the_records_hashes(changes: list[tuple[str, Organization]],
                                            actor: str) -> None:
    head = None
    expected = []
    for action, org in changes:
        head = next_org_record(head, at=T0, actor_id=actor, action=action, org=org)
        expected.append((head.seq, action, org.id, head.row, head.prev_hash, head.hash))
    got = [(s, a, o, json.loads(r), p, h) for s, a, o, r, p, h in
           chain_org_changes(None, [(a, org_key(o)) for a, o in changes], at=T0,
                             actor_id=actor)]
    assert got == expected


def test_cli_import_prints_what_changed(cli: CliRun, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pf.db'}"
    code, out, err = cli("org", "import", str(HIERARCHY), "--store", url, "--lang", "en")
    assert code == 0, err
    assert "added 17" in out and "unchanged 0" in out
    code, out, err = cli("org", "import", str(HIERARCHY), "--store", url, "--lang", "en")
    assert code == 0 and "added 0" in out and "unchanged 17" in out
    smaller = tmp_path / "orgs.csv"
    smaller.write_text("".join(line for line in HIERARCHY.read_text(encoding="utf-8")
                               .splitlines(keepends=True) if not line.startswith("xs-grid-1")),
                       encoding="utf-8")
    code, out, err = cli("org", "import", str(smaller), "--store", url, "--lang", "en")
    assert code == 0 and "missing 1" in out and "--close-missing" in out and "xs-grid-1" in out
    code, out, err = cli("org", "import", str(smaller), "--store", url, "--close-missing")
    assert code == 0 and "撤销 1" in out
    store = open_store(url, read_only=True)
    try:
        assert store.organization("xs-grid-1") is None
        assert verify_organizations(store) == 18
    finally:
        store.close()
