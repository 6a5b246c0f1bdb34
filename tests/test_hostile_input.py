"""Hostile input at the engine's boundary (#15): every value a caller hands in is refused with
a typed error naming it — never a raw Python exception — and the same limits hold on every
store, checked before the store is touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from partyflow import (
    Actor,
    Engine,
    HierarchyError,
    InvalidEventData,
    RulesError,
    RuleSet,
    Store,
    StoreError,
    UsageError,
    check_rules_text,
    load_hierarchy,
    load_rules,
)
from partyflow.limits import MAX_ACTOR_ID, MAX_IDEMPOTENCY_KEY, MAX_ORG_ID, MAX_ROLE
from partyflow.rules.problems import MAX_PROBLEMS, suggest
from partyflow.rules.source import MAX_DEPTH, MAX_ITEMS
from partyflow.stores.open import open_store
from partyflow.testing import FakeClock

from .conftest import run_cli

SECRETARY = Actor("wang", "secretary", "org-1")


def _deep(levels: int) -> list[object]:
    value: list[object] = []
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(("data", "field", "en"), [
    ({"reason": "a\ud800b"}, "reason", "lone surrogate"),
    ({"reason": "a\x00b"}, "reason", "NUL"),
    ({"reason": _deep(100_000)}, "reason", "must be text"),
    ({"expected": float("nan")}, "expected", "integer"),
    ({"\ud800": 1}, "'\\ud800'", "is not an input"),
    ({"x" * 100_000: 1}, None, "is not an input"),
    ({f"f{i}": i for i in range(5000)}, "data", "too many fields"),
])
def test_hostile_event_data_is_refused_and_nothing_is_stored(
        mini_rules: RuleSet, store: Store, clock: FakeClock, data: dict[str, object],
        field: str | None, en: str) -> None:
    engine = Engine(mini_rules, store=store, clock=clock)
    with pytest.raises(InvalidEventData) as info:
        engine.start("mini_election", data, SECRETARY)
    err = info.value.errors[0]
    assert field is None or err.field == field
    assert en in err.text.en
    str(info.value).encode("utf-8")  # the message itself is printable and encodable
    assert len(str(info.value)) < 2000  # a caller's huge value is not echoed back whole
    assert list(store.instances()) == []


@pytest.mark.parametrize(("kwargs", "en"), [
    ({"id": "x" * (MAX_ACTOR_ID + 1), "role": "secretary"}, "at most 200"),
    ({"id": "x", "role": "r" * (MAX_ROLE + 1)}, "at most 64"),
    ({"id": "x", "role": "secretary", "org": "o" * (MAX_ORG_ID + 1)}, "at most 200"),
    ({"id": "a\x00", "role": "secretary"}, "NUL"),
    ({"id": "\udcff", "role": "secretary"}, "lone surrogate"),
    ({"id": _deep(10_000), "role": "secretary"}, "non-empty text"),
])
def test_an_actor_that_no_store_could_record_is_refused(kwargs: dict[str, object],
                                                         en: str) -> None:
    with pytest.raises(UsageError) as info:
        Actor(**kwargs)  # type: ignore[arg-type]
    assert en in str(info.value)
    assert len(str(info.value)) < 1000


@pytest.mark.parametrize("key", ["k" * (MAX_IDEMPOTENCY_KEY + 1), "a\x00", "\ud800", ""])
def test_an_idempotency_key_no_store_could_record_is_refused_before_the_store(
        mini_rules: RuleSet, store: Store, clock: FakeClock, key: str) -> None:
    engine = Engine(mini_rules, store=store, clock=clock)
    inst = engine.start("mini_election", {"expected": 10, "present": 9}, SECRETARY)
    with pytest.raises(UsageError):
        engine.fire(inst.id, "vote", SECRETARY, idempotency_key=key)
    with pytest.raises(UsageError):
        engine.start("mini_election", {"expected": 10}, SECRETARY, instance_id=key or "a\x00")
    assert [i.id for i in store.instances()] == [inst.id]
    assert len(engine.history(inst.id)) == 1


@pytest.mark.parametrize("url", [
    "memory://?x=1", "sqlite://?bogus=1", "sqlite:///:memory:?synchronous=sometimes",
    "sqlite+nodriver:///x.db", "postgresql+nodriver://h/db", "postgresql://u@h:notaport/db",
    "sqlite:///a\x00b.db", "sqlite:///\ud800.db", "mysql://h/db",
])
def test_a_bad_store_url_is_a_usage_error(mini_rules: RuleSet, url: str) -> None:
    with pytest.raises(UsageError) as info:
        Engine(mini_rules, store=url)
    str(info.value).encode("utf-8")


# -- files people edit ------------------------------------------------------------------------


def test_a_device_or_huge_file_is_refused_while_reading(tmp_path: Path) -> None:
    code, _out, err = run_cli("validate", "/dev/zero", "--lang", "en")
    assert code == 1 and "larger than 5 MB" in err and "Traceback" not in err
    code, _out, err = run_cli("org", "check", "/dev/zero", "--lang", "en")
    assert code == 1 and "larger than 256 MB" in err and "Traceback" not in err


def test_a_gbk_file_is_named_as_gbk_at_its_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes('version: "1"\n# 规则\nroles: {}\n'.encode("gbk"))
    with pytest.raises(RulesError) as info:
        load_rules(path)
    [p] = info.value.problems
    assert (p.type, p.line, p.column) == ("file_encoding", 2, 3)
    assert "GBK" in p.text.en and "GBK" in p.text.zh
    orgs = tmp_path / "orgs.csv"
    orgs.write_bytes("id,name,level,parent,secretary\nx,星海市委,city,,陈\n".encode("gbk"))
    with pytest.raises(HierarchyError) as org_info:
        load_hierarchy(orgs)
    assert org_info.value.problems[0].line == 2 and "GBK" in org_info.value.problems[0].text.en


def test_flow_nesting_past_the_limit_is_reported_where_it_happens() -> None:
    text = 'version: "1"\nroles: {}\nx: ' + "[" * 100_000 + "]" * 100_000 + "\n"
    [p] = [p for p in check_rules_text(text, "deep.yaml") if p.type == "yaml_too_deep"]
    assert (p.line, p.column) == (3, 4 + MAX_DEPTH)


def test_a_file_of_millions_of_items_is_refused_before_parsing() -> None:
    text = 'version: "1"\nroles: {}\nx: [' + ",".join(["0"] * (MAX_ITEMS + 1)) + "]\n"
    [p] = check_rules_text(text, "zeros.yaml")
    assert p.type == "file_too_complex" and str(MAX_ITEMS) in p.text.en


def test_problems_are_capped_with_a_count_of_the_rest() -> None:
    states = "".join(f"      s{i}: {{label: {{zh: 状态, en: S}}}}\n" for i in range(3000))
    text = ('version: "1"\nroles:\n  r: {zh: 角色, en: R}\nprocedures:\n  p:\n'
            "    title: {zh: 流程, en: P}\n    initial: s0\n    start_roles: [r]\n"
            "    authority:\n      r: {open: {zh: 测试, en: test}}\n    states:\n" + states +
            "      end: {label: {zh: 完, en: End}, terminal: true}\n    transitions:\n"
            + "".join(f"      - {{trigger: t{i}, source: s0, dest: x{i}, roles: [r]}}\n"
                      for i in range(1500)))
    problems = check_rules_text(text, "many.yaml")
    assert len(problems) == MAX_PROBLEMS + 1
    last = problems[-1]
    assert last.type == "too_many_problems" and last.severity == "error"
    assert last.ctx["not_listed"] > 0 and str(last.ctx["not_listed"]) in last.text.en


def test_did_you_mean_still_finds_the_close_name_among_many() -> None:
    names = [f"state_{i}" for i in range(20_000)]
    assert suggest("state_1234x", names)[1] == "; did you mean 'state_1234'?"
    assert suggest("zzz", names) == ("", "")
    assert suggest("aprove", ["approve", "reject"])[1] == "; did you mean 'approve'?"


def test_an_organization_list_of_many_bad_rows_keeps_a_bounded_list(tmp_path: Path) -> None:
    rows = "".join(f"o{i},组织{i},community,nowhere{i},书记\n" for i in range(20_000))
    path = tmp_path / "bad.csv"
    path.write_text("id,name,level,parent,secretary\n" + rows, encoding="utf-8")
    with pytest.raises(HierarchyError) as info:
        load_hierarchy(path)
    problems = info.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1].type == "too_many_problems"
    assert problems[-1].ctx["not_listed"] == 20_000 - MAX_PROBLEMS


def test_ids_and_versions_longer_than_any_store_keeps_are_refused_at_load(
        tmp_path: Path) -> None:
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("id,name,level,parent,secretary\n" + "x" * 201 + ",市委,city,,"
                    + "y" * 201 + "\n", encoding="utf-8")
    with pytest.raises(HierarchyError) as info:
        load_hierarchy(orgs)
    assert [(p.type, p.loc[-1]) for p in info.value.problems] == [
        ("id_too_long", "id"), ("id_too_long", "secretary")]
    text = (Path(__file__).parent / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
    [p] = check_rules_text(text.replace('version: "test-1"', f'version: "{"v" * 201}"'), "m")
    assert p.type == "string_too_long" and p.line == 2


def test_a_read_only_store_reads_and_refuses_every_write(mini_rules: RuleSet, sql_url: str,
                                                         clock: FakeClock) -> None:
    """What report, impact and verify open: a database the process may only read (a copy
    handed to an auditor) is readable; a write is refused by the database, nothing written."""
    writer = Engine(mini_rules, store=sql_url, clock=clock)
    inst = writer.start("mini_election", {"expected": 10}, SECRETARY)
    writer.store.close()
    reader = Engine(mini_rules, store=open_store(sql_url, read_only=True), clock=clock)
    try:
        assert reader.get(inst.id).state == "convened"
        assert reader.verify(inst.id) == 1
        with pytest.raises(StoreError) as info:
            reader.fire(inst.id, "vote", SECRETARY, {"present": 9})
        assert info.value.outcome_unknown is False
        assert reader.get(inst.id).version == 1
    finally:
        reader.store.close()


def test_a_read_only_sqlite_store_needs_the_file_to_exist(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        open_store(f"sqlite:///{tmp_path / 'missing.db'}", read_only=True)
    assert not (tmp_path / "missing.db").exists()


def test_a_read_only_store_on_an_older_schema_says_to_upgrade(tmp_path: Path) -> None:
    import sqlalchemy as sa
    from alembic import command

    from partyflow.stores.migrations import config

    path = tmp_path / "old.db"
    open_store(f"sqlite:///{path}").close()
    raw = sa.create_engine(f"sqlite:///{path}")
    with raw.begin() as conn:
        command.downgrade(config(conn), "0005")
    raw.dispose()
    with pytest.raises(UsageError) as info:
        open_store(f"sqlite:///{path}", read_only=True)
    assert "upgrade" in info.value.message("en") and str(path) in info.value.message("en")
