"""The rules file's ``calendar:`` section and a locality's calendar file: checked with
positions in both languages, part of the rules version, reloaded with it from a store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from partyflow import Actor, Engine, RulesError, check_rules_text, load_rules
from partyflow.rules.diff import diff_rules
from partyflow.testing import FakeClock
from partyflow.workflows.versions import RuleVersions

from .conftest import FIXTURES

SH = ZoneInfo("Asia/Shanghai")
NOTICE = """\
version: "notice-1"
roles:
  clerk: {zh: 经办人, en: Clerk}
procedures:
  notice:
    title: {zh: 公示, en: Public notice}
    initial: posted
    start_roles: [clerk]
    states:
      posted:
        label: {zh: 公示中, en: Posted}
        deadline: P5WD
        on_timeout: close
        remind_before: P1WD
      closed: {label: {zh: 公示期满, en: Closed}, terminal: true}
    transitions:
      - trigger: close
        source: posted
        dest: closed
        roles: [clerk]
    authority:
      clerk: {open: {zh: 测试用规则, en: a test fixture}}
"""


def _write(folder: Path, calendar: str, overrides: str | None = None) -> Path:
    rules = folder / "rules.yaml"
    rules.write_text(NOTICE + calendar, encoding="utf-8")
    if overrides is not None:
        (folder / "local-calendar.yaml").write_text(overrides, encoding="utf-8")
    return rules


def _problems(path: Path) -> list[tuple[str, str, int, str, str]]:
    with pytest.raises(RulesError) as exc:
        load_rules(path)
    return [(p.type, Path(p.file).name, p.line, p.text.zh, p.text.en) for p in exc.value.problems]


def test_a_working_day_notice_crosses_the_spring_festival(tmp_path: Path) -> None:
    rules = load_rules(_write(tmp_path, ""))
    clock = FakeClock(dt.datetime(2026, 2, 12, 15, tzinfo=SH))
    engine = Engine(rules, clock=clock)
    inst = engine.start("notice", {}, Actor("c", "clerk"))
    assert inst.deadline_at == dt.datetime(2026, 2, 27, tzinfo=SH)  # last day 26 February
    assert inst.remind_at == dt.datetime(2026, 2, 26, tzinfo=SH)
    assert not inst.deadline_estimated


def test_a_deadline_in_a_year_without_a_notice_is_marked_estimated(tmp_path: Path) -> None:
    engine = Engine(load_rules(_write(tmp_path, "")),
                    clock=FakeClock(dt.datetime(2026, 12, 28, 10, tzinfo=SH)))
    inst = engine.start("notice", {}, Actor("c", "clerk"))
    assert inst.deadline_estimated
    assert engine.get(inst.id).deadline_estimated


def test_the_local_calendar_file_counts_and_is_part_of_the_version(tmp_path: Path) -> None:
    calendar = "calendar:\n  overrides: local-calendar.yaml\n"
    path = _write(tmp_path, calendar, "published_years: [2027]\nworking_days: [2027-01-02]\n")
    rules = load_rules(path)
    engine = Engine(rules, clock=FakeClock(dt.datetime(2026, 12, 28, 10, tzinfo=SH)))
    inst = engine.start("notice", {}, Actor("c", "clerk"))
    # 29, 30, 31 December, 2 January (a local make-up day), 4 January
    assert inst.deadline_at == dt.datetime(2027, 1, 5, tzinfo=SH)
    assert not inst.deadline_estimated
    plain = load_rules(_write_plain(tmp_path))
    assert plain.content_hash != rules.content_hash
    # the calendar file is kept with the rules text: a store reloads the same version
    # even after the file on disk changed
    (tmp_path / "local-calendar.yaml").write_text("holidays: [2027-01-04]\n", encoding="utf-8")
    versions = RuleVersions(engine.store)
    reloaded = versions.get(rules.content_hash, rules.version)
    assert reloaded.calendar.working.working_days == frozenset({dt.date(2027, 1, 2)})
    assert reloaded.content_hash == rules.content_hash
    changed = load_rules(path)
    assert changed.content_hash != rules.content_hash
    kinds = {(c.kind, c.path) for c in diff_rules(rules, changed).changes}
    assert ("calendar_changed", ("calendar", "overrides", "holidays")) in kinds
    assert ("calendar_changed", ("calendar", "overrides", "working_days")) in kinds


def _write_plain(tmp_path: Path) -> Path:
    other = tmp_path / "plain"
    other.mkdir(exist_ok=True)
    return _write(other, "")


def test_a_bad_calendar_file_is_reported_at_its_own_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "calendar:\n  overrides: local-calendar.yaml\n",
                  "published_years: [2027]\nholidays:\n  - 2027-02-30\nworking_days: [2027-01-02]\n")
    problems = _problems(path)
    assert [(t, f, line) for t, f, line, _, _ in problems] == [
        ("yaml_value", "local-calendar.yaml", 3)]
    path = _write(tmp_path, "calendar:\n  overrides: local-calendar.yaml\n",
                  "holidays: [2027-01-02]\nworking_days: [2027-01-02]\n")
    [(kind, name, line, zh, en)] = _problems(path)
    assert (kind, name, line) == ("calendar_conflict", "local-calendar.yaml", 2)
    assert "2027-01-02" in zh and "both" in en


def test_a_missing_calendar_file_is_reported_at_the_rules_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "calendar:\n  overrides: nowhere.yaml\n")
    [(kind, name, line, zh, _en)] = _problems(path)
    assert (kind, name, line) == ("file_unreadable", "rules.yaml", NOTICE.count("\n") + 2)
    assert "nowhere.yaml" in zh


@pytest.mark.parametrize(("section", "kind", "zh_has"), [
    ("calendar:\n  time_zone: Mars/Olympus\n", "time_zone", "时区"),
    ("calendar:\n  time_zone: ../../etc/passwd\n", "time_zone", "时区"),
    ("calendar:\n  overrides: ../secrets.yaml\n", "string_pattern_mismatch", ""),
    ("calendar:\n  overrides: /etc/passwd.yaml\n", "string_pattern_mismatch", ""),
    ("calendar:\n  working_days: US\n", "invalid_choice", "CN"),
    ("calendar:\n  extend_past_holidays: yes\n", "", ""),
])
def test_a_wrong_calendar_section_is_a_clear_problem(section: str, kind: str,
                                                     zh_has: str) -> None:
    problems = check_rules_text(NOTICE + section, "rules.yaml")
    assert len(problems) == 1, [p.format("en") for p in problems]
    p = problems[0]
    assert p.line == NOTICE.count("\n") + 2
    assert p.path.startswith("calendar")
    if kind and kind != "string_pattern_mismatch":
        assert p.type == kind, p.format("en")
    assert zh_has in p.text.zh


@pytest.mark.parametrize(("edit", "kind"), [
    (("deadline: P5WD", "deadline: P1DT12H"), "period_invalid"),
    (("deadline: P5WD", "deadline: P101Y"), "period_invalid"),
    (("remind_before: P1WD", "remind_before: soon"), "duration_format"),
    (("        on_timeout: close\n        remind_before: P1WD\n", "        on_timeout: close\n"
      "        remind_before: P1WD\n      waiting:\n        label: {zh: 等, en: Wait}\n"
      "        remind_before: P1D\n"), "remind_without_deadline"),
])
def test_periods_in_the_rules_are_checked(edit: tuple[str, str], kind: str) -> None:
    text = NOTICE.replace(*edit)
    assert text != NOTICE
    types = [p.type for p in check_rules_text(text, "rules.yaml")]
    assert kind in types, types


def test_the_shipped_rules_count_by_the_local_calendar() -> None:
    rules = load_rules(FIXTURES.parent.parent / "config" / "rules.yaml")
    assert (rules.calendar.time_zone, rules.calendar.extend_past_holidays) == (
        "Asia/Shanghai", False)
    transfer = rules.procedures["member_transfer"]
    assert transfer.inputs["letter_valid_for"].default == \
        transfer.parameters["letter_validity"].value == "P30D"
