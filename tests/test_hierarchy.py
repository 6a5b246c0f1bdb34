"""The organization hierarchy: loading, every defect reported with its row, queries, the CLI."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partyflow import PartyflowError, RulesError, load_rules, load_rules_text
from partyflow.errors import Text
from partyflow.hierarchy import (
    DEFAULT_HIERARCHY,
    DEFAULT_LEVELS,
    HierarchyError,
    HierarchySpec,
    HierarchyView,
    Levels,
    UnknownOrganization,
    check_hierarchy,
    load_hierarchy,
    load_hierarchy_text,
)

from .conftest import FIXTURES, MINI, ROOT

EXAMPLE = ROOT / "examples" / "hierarchy.csv"
SECTION = (FIXTURES / "hierarchy_section.yaml").read_text(encoding="utf-8")
HEADER = "id,name,level,parent,secretary,leader,workers,households,facility_m2\n"
# line 2 … 7: a valid chain city → district → street → community → grid
BASE = [
    "c,星海市委,city,,陈建国,,,,",
    "d,东城区委,district,c,李卫东,,,,",
    "s,东城街道党工委,street,d,赵敏,,,,",
    "m,星光社区党委,community,s,吴晓梅,,,2860,1200",
    "g,星光社区第一网格,grid,m,,刘芳,张伟;陈静,,",
    "s2,和平里街道党工委,street,d,孙立华,,,,",
]


def csv_text(*extra: str, base: list[str] | None = None) -> str:
    return HEADER + "".join(f"{r}\n" for r in [*(BASE if base is None else base), *extra])


def problems_of(text: str, tmp_path: Path, **kw: object) -> list[tuple[str, int, str]]:
    f = tmp_path / "orgs.csv"
    f.write_text(text, encoding="utf-8")
    out = check_hierarchy(f, **kw)  # type: ignore[arg-type]
    for p in out:
        assert p.file == str(f) and p.column == 0 and p.text.zh and p.text.en
    return [(p.type, p.line, str(p.loc[0])) for p in out]


def test_base_is_clean(tmp_path: Path) -> None:
    assert problems_of(csv_text(), tmp_path) == []


# every defect kind: the rows added (from line 8), the problem type, its line and organization
DEFECTS = {
    "unknown_parent": (["m2,新社区,community,nowhere,许静,,,,"], "unknown_parent", 8, "m2"),
    "duplicate_id": (["s,重复街道,street,d,某人,,,,"], "duplicate_id", 8, "s"),
    "cycle": (["x1,甲街道,street,x2,甲,,,,", "x2,乙街道,street,x1,乙,,,,"], "cycle", 8, "x1"),
    "community_under_district": (["m3,越级社区,community,d,何志明,,,,"], "skipped_level", 8, "m3"),
    "street_under_city": (["s3,越级街道,street,c,周海燕,,,,"], "skipped_level", 8, "s3"),
    "community_under_city": (["m4,越两级社区,community,c,许静,,,,"], "skipped_level", 8, "m4"),
    "district_under_street": (["d2,倒挂区委,district,s,王秀英,,,,"], "wrong_level_order", 8, "d2"),
    "grid_under_street": (["g2,错挂网格,grid,s,,马强,林涛,,"], "wrong_level_order", 8, "g2"),
    "root_not_top": (["d3,无上级区委,district,,王秀英,,,,"], "root_not_top", 8, "d3"),
    "missing_secretary": (["m5,无书记社区,community,s,,,,,"], "missing_secretary", 8, "m5"),
    "vacant_secretary": (["m6,书记空缺社区,community,s,空缺,,,,"], "missing_secretary", 8, "m6"),
    "grid_without_leader": (["g3,无网格长,grid,m,,,林涛,,"], "grid_leader", 8, "g3"),
    "grid_two_leaders": (["g4,两名网格长,grid,m,,马强;黄丽,林涛,,"], "grid_leader", 8, "g4"),
    "grid_without_worker": (["g5,无网格员,grid,m,,马强,,,"], "grid_workers", 8, "g5"),
    "unknown_level": (["t1,某镇党委,twon,d,某人,,,,"], "unknown_level", 8, "t1"),
    "missing_id": ([",无编号社区,community,s,某人,,,,"], "missing_id", 8, "#8"),
    "missing_name": (["m7,,community,s,某人,,,,"], "missing_name", 8, "m7"),
}


@pytest.mark.parametrize("kind", DEFECTS)
def test_each_defect_is_reported_with_row_and_org(kind: str, tmp_path: Path) -> None:
    rows, type_, line, org = DEFECTS[kind]
    found = problems_of(csv_text(*rows), tmp_path)
    assert (type_, line, org) in found, found
    with pytest.raises(HierarchyError) as info:
        load_hierarchy(tmp_path / "orgs.csv")
    assert isinstance(info.value, RulesError) and isinstance(info.value, PartyflowError)
    assert info.value.problems[0].line >= 2


def test_every_defect_at_once_in_file_order(tmp_path: Path) -> None:
    rows = [r for spec in DEFECTS.values() for r in spec[0]]
    found = problems_of(csv_text(*rows), tmp_path)
    line_of = {r: 8 + i for i, r in enumerate(rows)}
    for rws, type_, _, org in DEFECTS.values():
        expected_line = line_of[rws[0]]
        org = f"#{expected_line}" if org.startswith("#") else org
        assert (type_, expected_line, org) in found, (type_, org, found)
    assert [f[1] for f in found] == sorted(f[1] for f in found)


def test_cycle_reported_once_with_members(tmp_path: Path) -> None:
    f = tmp_path / "orgs.csv"
    f.write_text(csv_text("x1,甲,street,x2,甲,,,,", "x2,乙,street,x3,乙,,,,",
                          "x3,丙,street,x1,丙,,,,"), encoding="utf-8")
    cycles = [p for p in check_hierarchy(f) if p.type == "cycle"]
    assert len(cycles) == 1 and cycles[0].ctx["members"] == ["x1", "x2", "x3"]
    assert "x1 → x2 → x3 → x1" in cycles[0].text.en


def test_cycle_entered_from_below_is_listed_from_where_it_is_entered(tmp_path: Path) -> None:
    # y (a street under the street x2) leads into the cycle x1 ⇄ x2 and is written first
    f = tmp_path / "orgs.csv"
    f.write_text(csv_text("y,丙,street,x2,丙,,,,", "x1,甲,street,x2,甲,,,,",
                          "x2,乙,street,x1,乙,,,,"), encoding="utf-8")
    cycles = [p for p in check_hierarchy(f) if p.type == "cycle"]
    assert [(p.line, p.ctx["members"]) for p in cycles] == [(9, ["x2", "x1"])]
    assert "x2 → x1 → x2" in cycles[0].text.en and "x2 → x1 → x2" in cycles[0].text.zh


def test_local_standards_switched_on(tmp_path: Path) -> None:
    block = SECTION.replace("      enabled: false\n      level: community\n      column: facility_m2",
                            "      enabled: true\n      level: community\n      column: facility_m2")
    block = block.replace("      enabled: false\n      level: community\n      column: community_workers",
                          "      enabled: true\n      level: community\n      column: community_workers")
    rules = load_rules_text(MINI.read_text(encoding="utf-8") + block, "rules.yaml")
    assert rules.hierarchy is not None
    found = problems_of(csv_text("m8,小社区,community,s,许静,,,800,900",
                                 "m9,缺数据社区,community,s,何志明,,,,"), tmp_path, levels=rules)
    # m: 2860 households need 8 workers, the column is empty; m8: 900 m² < 1000, no workers
    assert ("standard_value", 5, "m") in found
    assert ("standard_not_met", 8, "m8") in found
    assert ("standard_value", 9, "m9") in found
    assert problems_of(csv_text(), tmp_path) == []  # off by default


def test_standard_met(tmp_path: Path) -> None:
    spec = DEFAULT_HIERARCHY.model_copy(update={"standards": {
        "w": DEFAULT_HIERARCHY.standards["community_workers"].model_copy(update={"enabled": True}),
    }})
    base = [*BASE]
    base[3] = "m,星光社区党委,community,s,吴晓梅,,,801,1200"
    header = HEADER.replace("facility_m2", "community_workers")
    text = header + "\n".join([*base[:3], base[3].replace(",1200", ",3"), *base[4:]]) + "\n"
    assert problems_of(text, tmp_path, levels=spec) == []
    text = text.replace(",801,3", ",801,2")
    assert ("standard_not_met", 5, "m") in problems_of(text, tmp_path, levels=spec)


def test_problem_text_both_languages(tmp_path: Path) -> None:
    f = tmp_path / "orgs.csv"
    f.write_text(csv_text("m3,越级社区,community,d,何志明,,,,"), encoding="utf-8")
    (p,) = check_hierarchy(f)
    assert p.format("en").startswith(f"{f}:8:0: m3.parent: ")
    assert "skipping the Street party working committee level" in p.text.en
    assert "跳过了街道党工委" in p.text.zh
    assert p.ctx["skipped"] == ["street"]


# -- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_csv_with_and_without_bom(encoding: str, tmp_path: Path) -> None:
    f = tmp_path / "orgs.csv"
    f.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding=encoding)
    assert f.read_bytes().startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    h = load_hierarchy(f)
    assert len(h) == 17 and "xinghai" in h
    assert h.org("xinghai").name == "星海市委"


def test_bom_file_reports_real_lines(tmp_path: Path) -> None:
    f = tmp_path / "orgs.csv"
    f.write_text(csv_text("m5,无书记社区,community,s,,,,,"), encoding="utf-8-sig")
    assert [(p.type, p.line) for p in check_hierarchy(f)] == [("missing_secretary", 8)]


def test_extra_columns_are_node_attributes() -> None:
    h = load_hierarchy(EXAMPLE)
    assert h.graph.nodes["xingguang"]["households"] == "2860"
    assert h.graph.nodes["xg-grid-1"]["workers"] == "张伟;陈静"
    assert h.graph.has_edge("dongcheng-street", "xingguang")
    org = h.org("xg-grid-1")
    assert org.parent == "xingguang" and org.attrs["leader"] == "刘芳" and org.line == 13


def test_chinese_headers_and_quoted_multiline(tmp_path: Path) -> None:
    text = ("编号,名称,层级,上级,书记,网格长,网格员\n"
            "c,星海市委,city,,陈建国,,\n"
            'd,"东城\n区委",district,c,李卫东,,\n'
            "s,街道,street,d,,,\n")
    f = tmp_path / "orgs.csv"
    f.write_text(text, encoding="utf-8")
    assert [(p.type, p.line) for p in check_hierarchy(f)] == [("missing_secretary", 5)]


def test_not_utf8_missing_columns_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "gbk.csv"
    f.write_bytes(HEADER.encode() + "c,星海市委,city,,陈建国\n".encode("gbk"))
    assert [p.type for p in check_hierarchy(f)] == ["file_encoding"]
    f.write_text("id,name,level\nc,市委,city\n", encoding="utf-8")
    (p,) = check_hierarchy(f)
    assert p.type == "csv_header" and p.ctx["missing"] == ["parent", "secretary"]
    f.write_text("", encoding="utf-8")
    assert [p.type for p in check_hierarchy(f)] == ["csv_header"]
    assert [p.type for p in check_hierarchy(tmp_path / "nope.csv")] == ["file_unreadable"]


def test_yaml_list(tmp_path: Path) -> None:
    f = tmp_path / "orgs.yaml"
    f.write_text(
        "- {id: c, name: 星海市委, level: city, secretary: 陈建国}\n"
        "- {id: d, name: 东城区委, level: district, parent: c, secretary: 李卫东}\n"
        "- {id: s, name: 东城街道, level: street, parent: d, secretary: 赵敏}\n"
        "- {id: m, name: 星光社区, level: community, parent: s, secretary: 吴晓梅, households: 2860}\n"
        "- id: g\n  name: 第一网格\n  level: grid\n  parent: m\n  leader: 刘芳\n"
        "  workers: [张伟, 陈静]\n", encoding="utf-8")
    h = load_hierarchy(f)
    assert [link.org_id for link in h.responsibility_chain("g")] == ["g", "m", "s", "d", "c"]
    assert h.org("m").attrs["households"] == 2860
    f.write_text("- {id: c, name: 星海市委, level: city, secretary: 陈建国}\n"
                 "- id: m\n  name: 星光社区\n  level: community\n  parent: c\n  secretary: ''\n",
                 encoding="utf-8")
    found = {(p.type, p.line, p.column) for p in check_hierarchy(f)}
    assert found == {("skipped_level", 5, 11), ("missing_secretary", 6, 14)}  # at the values
    f.write_text("c: 1\n", encoding="utf-8")
    assert [p.type for p in check_hierarchy(f)] == ["document_type"]


# -- queries ----------------------------------------------------------------------------------


def test_responsibility_chain() -> None:
    h = load_hierarchy(EXAMPLE)
    chain = h.responsibility_chain("xingguang")
    assert [(c.org_id, c.level, c.duty.zh if c.duty else None, c.secretary) for c in chain] == [
        ("xingguang", "community", "落实责任", "吴晓梅"),
        ("dongcheng-street", "street", "直接责任", "赵敏"),
        ("dongcheng", "district", "第一责任", "李卫东"),
        ("xinghai", "city", "主体责任", "陈建国"),
    ]
    grid = h.responsibility_chain("xg-grid-1")
    assert grid[0].level == "grid" and grid[0].duty is None and grid[1:] == chain
    assert [c.org_id for c in h.responsibility_chain("xinghai")] == ["xinghai"]


def test_superior_subtree_descendants() -> None:
    h = load_hierarchy(EXAMPLE)
    sup = h.superior("xingguang")
    assert sup is not None and sup.id == "dongcheng-street" and sup.secretary == "赵敏"
    assert h.superior("xinghai") is None
    assert h.is_within("xg-grid-2", "dongcheng") and h.is_within("dongcheng", "dongcheng")
    assert not h.is_within("xs-grid-1", "dongcheng") and not h.is_within("dongcheng", "xg-grid-1")
    assert list(h.descendants("xicheng")) == ["xinjie-street", "xinjie-north", "xn-grid-1",
                                              "xinjie-south", "xs-grid-1"]
    assert list(h.descendants("xg-grid-1")) == []
    assert len(list(h.descendants("xinghai"))) == 16
    assert h.children("dongcheng") == ["dongcheng-street", "hepingli-street"]
    for org_id in h.graph:
        below = set(h.descendants(org_id))
        assert below == {n for n in h.graph if n != org_id and h.is_within(n, org_id)}


def test_hierarchy_is_an_organization_source() -> None:
    h = load_hierarchy(EXAMPLE)
    org = h.organization("xingguang")
    assert org is not None and (org.name, org.level, org.parent, org.secretary) == (
        "星光社区党委", "community", "dongcheng-street", "吴晓梅")
    assert org.attrs["households"] == "2860" and "name" not in org.attrs
    assert h.organization("nowhere") is None and h.lineage("nowhere") == []
    assert h.subtree_ids("nowhere") == []
    chain = h.responsibility_chain("xg-grid-1")
    assert [o.id for o in h.lineage("xg-grid-1")] == [link.org_id for link in chain]
    assert HierarchyView(h, Levels(h.spec)).responsibility_chain("xg-grid-1") == chain
    assert h.subtree_ids("xicheng") == ["xicheng", *h.descendants("xicheng")]
    above = h.view.above("xg-grid-1", 2)
    assert above is not None and above.id == "dongcheng-street"
    assert h.view.subtree("dongcheng") == {"dongcheng", *h.descendants("dongcheng")}
    # the graph the checks ran over: one superior each, no cycle
    assert nx.is_branching(h.graph) and set(h.roots) == {"xinghai"}
    assert h.graph.number_of_edges() == len(h) - 1


def test_levels_say_which_level_is_below_which() -> None:
    lv = Levels(DEFAULT_HIERARCHY)
    assert lv.order == ("city", "district", "street", "community") and lv.top == "city"
    assert lv.units == ("grid", "building_group") and lv.bottom == "community"
    assert [lv.superior_level(k) for k in ("city", "street", "grid", "town")] == [
        None, "district", "community", None]
    assert (lv.rank("street"), lv.rank("grid")) == (2, None)
    assert lv.known("grid") and not lv.known("town")
    assert lv.label("street").zh == "街道党工委" and lv.label("town").en == "town"
    assert lv.meta("community")[1] == Text("落实责任", "Implementation responsibility")


def test_unknown_org_is_a_lookup_error() -> None:
    h = load_hierarchy(EXAMPLE)
    for call in (h.responsibility_chain, h.superior, h.org, h.children,
                 lambda o: h.is_within(o, "xinghai"), lambda o: list(h.descendants(o))):
        with pytest.raises(UnknownOrganization) as info:
            call("nowhere")
        assert isinstance(info.value, LookupError) and info.value.org_id == "nowhere"


def test_levels_from_a_rules_file_another_shape(tmp_path: Path) -> None:
    """A locality with towns instead of streets changes the file, not the code (H7)."""
    block = SECTION.replace("id: street", "id: town").replace("街道党工委", "乡镇党委")
    block = block.replace("Street party working committee", "Town party committee")
    block = block.replace("level: street", "level: town")
    rules = load_rules_text(MINI.read_text(encoding="utf-8") + block, "rules.yaml")
    text = EXAMPLE.read_text(encoding="utf-8").replace(",street,", ",town,")
    h = load_hierarchy_text(text, levels=rules)
    assert h.responsibility_chain("xingguang")[1].label.zh == "乡镇党委"
    with pytest.raises(HierarchyError) as info:
        load_hierarchy(EXAMPLE, levels=rules)
    assert {p.type for p in info.value.problems} == {"unknown_level"}
    assert load_hierarchy(EXAMPLE, levels=list(DEFAULT_LEVELS)).responsibility_chain("xinghai")


def test_pasted_section_equals_the_defaults() -> None:
    rules = load_rules_text(MINI.read_text(encoding="utf-8") + SECTION, "rules.yaml")
    assert rules.hierarchy == DEFAULT_HIERARCHY
    assert load_rules(MINI).hierarchy is None
    assert isinstance(DEFAULT_HIERARCHY, HierarchySpec)


def test_rules_file_hierarchy_section_problems() -> None:
    bad = SECTION.replace("id: building_group", "id: district").replace("level: street",
                                                                         "level: stret")
    bad = bad.replace("    leaders: 1\n", "    leaders: 1\n    leader: x\n")
    with pytest.raises(RulesError) as info:
        load_rules_text(MINI.read_text(encoding="utf-8") + bad, "rules.yaml")
    found = {(p.type, p.path) for p in info.value.problems}
    assert any(t == "extra_forbidden" or "leader" in path for t, path in found), found
    bad = SECTION.replace("id: building_group", "id: district").replace("level: street",
                                                                         "level: stret")
    with pytest.raises(RulesError) as info:
        load_rules_text(MINI.read_text(encoding="utf-8") + bad, "rules.yaml")
    found = {(p.type, p.path) for p in info.value.problems}
    assert ("duplicate_level", "hierarchy.levels[3].below[1].id") in found
    assert ("unknown_level", "hierarchy.standards.joint_meeting.level") in found
    assert all(p.line > 0 for p in info.value.problems)


# -- CLI --------------------------------------------------------------------------------------


def run(*args: str, cwd: Path = ROOT) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PARTYFLOW_RULES", "PARTYFLOW_LANG")}
    proc = subprocess.run([sys.executable, "-m", "partyflow.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def test_cli_org_check_clean(tmp_path: Path) -> None:
    # no config/rules.yaml in the working directory: the built-in levels
    code, out, err = run("org", "check", str(EXAMPLE), cwd=tmp_path)
    assert code == 0 and "没有发现问题" in out and "17" in out and "内置默认层级" in out, err


def test_cli_org_check_problems(tmp_path: Path) -> None:
    f = tmp_path / "orgs.csv"
    f.write_text(csv_text(*(r for spec in DEFECTS.values() for r in spec[0])), encoding="utf-8")
    code, _, err = run("org", "check", str(f), "--lang", "en", cwd=tmp_path)
    assert code == 1 and "Traceback" not in err
    assert "has no secretary" in err and "does not exist" in err
    assert f"{f}:8:0: m2.parent:" in err
    code, _, err = run("org", "check", str(f), cwd=tmp_path)
    assert code == 1 and "没有书记" in err and "Traceback" not in err


def test_cli_org_check_with_rules_and_errors(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(MINI.read_text(encoding="utf-8") + SECTION, encoding="utf-8")
    code, out, _ = run("org", "check", str(EXAMPLE), "--rules", str(rules), "--lang", "en")
    assert code == 0 and f"levels from {rules}" in out
    code, _, err = run("org", "check", str(tmp_path / "no-such.csv"), cwd=tmp_path)
    assert code == 1 and "无法读取文件" in err and "Traceback" not in err
    code, _, err = run("org", "check", str(EXAMPLE), "--rules", "no/such.yaml")
    assert code == 1 and "Traceback" not in err
    code, _, err = run("org", "check")
    assert code == 2 and "Traceback" not in err
    # config/rules.yaml in the working directory is used when --rules is not given
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "rules.yaml").write_text(rules.read_text(encoding="utf-8"),
                                                    encoding="utf-8")
    code, out, _ = run("org", "check", str(EXAMPLE), cwd=tmp_path)
    assert code == 0 and "层级取自 config/rules.yaml" in out
    (tmp_path / "config" / "rules.yaml").write_text("version: 1\n", encoding="utf-8")
    code, _, err = run("org", "check", str(EXAMPLE), cwd=tmp_path)
    assert code == 1 and "Traceback" not in err and "config/rules.yaml" in err


# -- properties -------------------------------------------------------------------------------

FAST = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FAST
@given(st.text())
def test_arbitrary_text_raises_only_partyflow_errors(text: str) -> None:
    for fmt in ("csv", "yaml"):
        with contextlib.suppress(PartyflowError):
            load_hierarchy_text(text, format=fmt)


@FAST
@given(st.binary())
def test_arbitrary_bytes_raise_only_partyflow_errors(tmp_path_factory: pytest.TempPathFactory,
                                                     data: bytes) -> None:
    f = tmp_path_factory.mktemp("fuzz") / "orgs.csv"
    f.write_bytes(data)
    try:
        load_hierarchy(f)
    except HierarchyError as exc:
        assert exc.problems


LEVELS = ["city", "district", "street", "community", "grid", "town", ""]
IDS = ["a", "b", "c", "d", "e", "f", ""]


@FAST
@given(st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(LEVELS), st.sampled_from(IDS),
                          st.sampled_from(["", "书记"]), st.sampled_from(["", "甲", "甲;乙"]),
                          st.sampled_from(["", "丙", "丙;丁"])), max_size=8))
def test_random_trees_either_fail_with_problems_or_hold_invariants(
        rows: list[tuple[str, str, str, str, str, str]]) -> None:
    text = "id,name,level,parent,secretary,leader,workers\n" + "".join(
        f"{i},名{i},{lv},{p},{s},{ld},{w}\n" for i, lv, p, s, ld, w in rows)
    try:
        h = load_hierarchy_text(text)
    except HierarchyError as exc:
        assert exc.problems and all(p.line >= 2 for p in exc.problems)
        return
    rank = {lv.id: i for i, lv in enumerate(DEFAULT_LEVELS)} | {"grid": 4}
    for org_id in h.graph:
        chain = h.responsibility_chain(org_id)
        assert chain[-1].level == "city" and len(chain) == rank[chain[0].level] + 1
        assert all(h.is_within(org_id, link.org_id) for link in chain)
