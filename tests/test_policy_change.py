"""Policy change safety on every store: diff of two rules versions, the dry-run impact on
running instances, and checked, audited migration."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from partyflow import Actor, ClockWentBack, Engine, RulesError, RuleSet, load_rules, load_rules_text
from partyflow.policy import (
    MIGRATE_TRIGGER,
    impact,
    load_migration_map,
    migrate,
)
from partyflow.rules.diff import diff_rules
from partyflow.stores.base import Store
from partyflow.testing import FakeClock

from .conftest import MINI
from .edits import edited_rules, edited_text

SEC = Actor("sec-1", "secretary", "community-1")
SUP = Actor("sup-1", "superior", "street-1")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _new_text(**changes: bool) -> str:
    """mini.yaml as version test-2: stricter quorum, shorter review, `voted` renamed to
    `vote_taken`, the `escalated` state removed, `approve` open to the secretary too."""
    text = edited_text(
        MINI, ('version: "test-1"', 'version: "test-2"'), ('value: "4/5"', 'value: "5/6"'),
        ("value: P1M", "value: P10D"),
        ("      voted: {label: {zh: 已投票, en: Voted}}",
         "      vote_taken: {label: {zh: 已投票, en: Voted}, renamed_from: voted}"))
    text = edited_text(text, ("dest: voted", "dest: vote_taken"),
                       ("source: voted", "source: vote_taken"), count=None)
    text = edited_text(text, ("      escalated: {label: {zh: 已督办, en: Escalated}}\n", ""))
    text = text.replace("source: [under_review, escalated]", "source: under_review")
    text = text.replace("        on_timeout: escalate", "        on_timeout: time_out")
    text = text.replace("""      - trigger: escalate
        source: under_review
        dest: escalated
        roles: [superior]""", """      - trigger: time_out
        source: under_review
        dest: rejected
        roles: [superior]""")
    text = text.replace("""      - trigger: approve
        source: under_review
        dest: approved
        roles: [superior]""", """      - trigger: approve
        source: under_review
        dest: approved
        roles: [secretary, superior]""")
    return text


@pytest.fixture(scope="module")
def new_rules() -> RuleSet:
    return load_rules_text(_new_text(), "mini-2.yaml")


@pytest.fixture
def world(mini_rules: RuleSet, store: Store) -> tuple[Engine, dict[str, str]]:
    """Instances under test-1: two convened (33 and 40 present of 40), one voted, one under
    review (entered at T0), one escalated, one finished."""
    engine = Engine(mini_rules, store=store, clock=FakeClock(T0))
    ids: dict[str, str] = {}
    ids["q33"] = engine.start("mini_election", {"expected": 40, "present": 33}, SEC).id
    ids["q40"] = engine.start("mini_election", {"expected": 40, "present": 40}, SEC).id
    voted = engine.start("mini_election", {"expected": 40}, SEC).id
    engine.fire(voted, "vote", SEC, {"present": 39})
    ids["voted"] = voted
    review = engine.start("mini_election", {"expected": 40}, SEC).id
    engine.fire(review, "vote", SEC, {"present": 39})
    engine.fire(review, "report", SEC)
    ids["review"] = review
    esc = engine.start("mini_election", {"expected": 40}, SEC).id
    engine.fire(esc, "vote", SEC, {"present": 39})
    engine.fire(esc, "report", SEC)
    engine.fire(esc, "escalate", SUP)
    ids["escalated"] = esc
    done = engine.start("mini_election", {"expected": 40}, SEC).id
    engine.fire(done, "vote", SEC, {"present": 39})
    engine.fire(done, "report", SEC)
    engine.fire(done, "approve", SUP)
    ids["done"] = done
    return engine, ids


def test_diff_lists_each_change_with_old_new_and_basis(mini_rules: RuleSet,
                                                       new_rules: RuleSet) -> None:
    d = diff_rules(mini_rules, new_rules)
    got = {(c.kind, ".".join(c.path), str(c.old), str(c.new), c.basis) for c in d.changes}
    assert ("parameter_changed", "parameters.election_quorum", "4/5", "5/6", "E2") in got
    assert ("parameter_changed", "parameters.review_within", "P1M", "P10D", "B6") in got
    assert ("deadline_changed", "states.under_review.deadline", "review_within=P1M",
            "review_within=P10D", "B6") in got
    assert ("state_renamed", "states.vote_taken", "voted", "vote_taken", None) in got
    assert ("state_removed", "states.escalated", "escalated", "None", None) in got
    assert ("version_changed", "version", "test-1", "test-2", None) in got
    kinds = [c.kind for c in d.changes]
    assert "roles_changed" in kinds and "transition_added" in kinds
    assert "transition_removed" in kinds  # escalate
    # renaming `voted` did not turn vote/report into removed-and-added transitions
    assert not any(c.kind in ("transition_removed", "transition_added")
                   and c.path[1].startswith(("vote@", "report@")) for c in d.changes)
    md = d.to_markdown("en")
    assert "| parameter changed | parameters.election_quorum | 4/5 | 5/6 | E2 |" in md
    assert not diff_rules(mini_rules, mini_rules)


def test_impact_names_exactly_the_affected_instances(
        world: tuple[Engine, dict[str, str]], new_rules: RuleSet) -> None:
    engine, ids = world
    before = {i: len(engine.history(i)) for i in ids.values()}
    seen: list[int] = []
    report = impact(engine.store, new_rules, now=T0 + dt.timedelta(days=15),
                    progress=seen.append)
    groups = {(g.state, g.kind): g for g in report.rows()}
    # 33 of 40 is more than 4/5 but not more than 5/6: that election no longer passes
    fails = groups[("convened", "now_fails")]
    assert (fails.count, fails.examples, fails.basis) == (1, [ids["q33"]], "E2")
    assert "exceeds(present, expected, election_quorum)" in fails.detail
    assert ids["q40"] not in {i for g in report.rows() for i in g.examples}
    moved = groups[("under_review", "deadline_moved")]
    assert (moved.examples, moved.detail, moved.basis) == ([ids["review"]], "P1M → P10D", "B6")
    assert groups[("under_review", "overdue_at_once")].examples == [ids["review"]]
    assert groups[("under_review", "roles_changed")].detail == \
        "approve: superior → secretary, superior"
    assert groups[("escalated", "state_removed")].examples == [ids["escalated"]]
    assert ("voted", "state_removed") not in groups  # renamed, not removed
    assert report.scanned == 5 and report.total_affected == 3  # the finished one is not open
    assert seen == [5]
    assert {i: len(engine.history(i)) for i in ids.values()} == before  # nothing written
    assert "| mini_election | convened |" in report.to_markdown("zh")


def _map(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_dry_run_refuses_an_unmapped_state_and_writes_nothing(
        world: tuple[Engine, dict[str, str]], new_rules: RuleSet, tmp_path: Path) -> None:
    engine, ids = world
    mapping = load_migration_map(_map(tmp_path, "procedures:\n  mini_election: {}\n"))
    before = {i: (engine.get(i), len(engine.history(i))) for i in ids.values()}
    report = migrate(engine.store, new_rules, mapping)
    status = {o.instance_id: (o.status, o.to_state) for o in report.outcomes}
    assert status == {ids["q33"]: ("would_move", "convened"),
                      ids["q40"]: ("would_move", "convened"),
                      ids["voted"]: ("would_move", "vote_taken"),
                      ids["review"]: ("would_move", "under_review"),
                      ids["escalated"]: ("refused", None)}
    refused = next(o for o in report.outcomes if o.status == "refused")
    assert refused.reason is not None and "escalated: <new state>" in refused.reason.en
    assert {i: (engine.get(i), len(engine.history(i))) for i in ids.values()} == before


def test_apply_moves_instances_with_audit_records_and_they_run_on(
        world: tuple[Engine, dict[str, str]], new_rules: RuleSet, tmp_path: Path) -> None:
    engine, ids = world
    mapping = load_migration_map(_map(
        tmp_path, "procedures:\n  mini_election:\n    states: {escalated: under_review}\n"))
    report = migrate(engine.store, new_rules, mapping, apply=True,
                     now=T0 + dt.timedelta(days=1))
    assert report.count("moved") == 5 and report.count("refused") == 0
    esc = engine.get(ids["escalated"])
    assert (esc.state, esc.rules_version, esc.rules_hash) == (
        "under_review", "test-2", new_rules.content_hash)
    last = engine.history(ids["escalated"])[-1]
    assert (last.trigger, last.from_state, last.to_state, last.rules_version) == (
        MIGRATE_TRIGGER, "escalated", "under_review", "test-2")
    assert last.data["from_rules_version"] == "test-1"
    for iid in ids.values():
        engine.verify(iid)
    # the new deadline counts from when the state was entered, under the new rules
    review = engine.get(ids["review"])
    # entered 2 March, 17:00 Beijing: P10D ends with 12 March, 24:00 local (RULES.md C1–C3)
    assert review.updated_at == T0
    assert review.deadline_at == dt.datetime(2026, 3, 13, tzinfo=ZoneInfo("Asia/Shanghai"))
    # an engine on the new rules fires on migrated instances; the finished one stays on test-1
    new_engine = Engine(new_rules, store=engine.store, clock=FakeClock(T0))
    with pytest.raises(ClockWentBack):  # before the migration's own record: refused
        new_engine.fire(ids["voted"], "report", SEC)
    new_engine = Engine(new_rules, store=engine.store,
                        clock=FakeClock(T0 + dt.timedelta(days=1)))
    assert new_engine.fire(ids["voted"], "report", SEC).state == "under_review"
    assert new_engine.fire(ids["review"], "approve", SEC).state == "approved"
    assert engine.get(ids["done"]).rules_version == "test-1"
    # running it again finds nothing left to move
    assert migrate(engine.store, new_rules, mapping, apply=True).outcomes == []


def test_a_refused_or_conflicting_migration_leaves_the_instance_as_it_was(
        world: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    engine, ids = world
    strict = load_rules_text(
        _new_text().replace("expected: {type: int, label: {zh: 应到人数, en: Expected}, min: 0}",
                            "expected: {type: int, label: {zh: 应到人数, en: Expected}, min: 0, "
                            "max: 30}"), "strict.yaml")
    mapping = load_migration_map(_map(
        tmp_path, "procedures:\n  mini_election:\n    states: {escalated: under_review}\n"))
    before = engine.get(ids["q33"]), engine.history(ids["q33"])
    report = migrate(engine.store, strict, mapping, instance_ids=[ids["q33"]], apply=True)
    (outcome,) = report.outcomes
    assert outcome.status == "refused" and outcome.reason is not None
    assert "expected" in outcome.reason.en
    assert (engine.get(ids["q33"]), engine.history(ids["q33"])) == before

    class Racing:  # another process changes the instance between the read and the write
        def __init__(self, inner: Store) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def get(self, iid: str) -> object:
            inst = self.inner.get(iid)
            engine.fire(iid, "vote", SEC)  # present 33 of 40 passes 4/5
            return inst

    new = load_rules_text(_new_text(), "mini-2.yaml")
    raced = migrate(Racing(engine.store), new, mapping,  # type: ignore[arg-type]
                    instance_ids=[ids["q33"]], apply=True)
    assert [o.status for o in raced.outcomes] == ["conflict"]
    after = engine.get(ids["q33"])
    assert (after.state, after.rules_version) == ("voted", "test-1")
    assert engine.history(ids["q33"])[-1].trigger == "vote"


def test_a_broken_map_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _map(tmp_path, "procedures:\n  mini_election:\n    states: {a: b}\n"
                          "    keep_same_name: true\n")
    with pytest.raises(RulesError) as exc:
        load_migration_map(path)
    (problem,) = exc.value.problems
    assert (problem.line, problem.type) == (4, "extra_forbidden")


def test_config_quorum_and_deadline_change_on_demo_like_data(tmp_path: Path) -> None:
    """The issue's acceptance: change a threshold and a deadline in a copy of the rules file."""
    config = Path(__file__).resolve().parent.parent / "config" / "rules.yaml"
    old = load_rules(config)
    new = edited_rules(config, ('version: "2026.1"', 'version: "2026.2"'),
                       ("value: 3\n        basis: B2", "value: 5\n        basis: B2"),
                       ("value: P1M\n        basis: B6", "value: P10D\n        basis: B6"),
                       file="rules-2026.2.yaml")
    d = diff_rules(old, new)
    assert {(c.kind, c.path[-1], str(c.old), str(c.new)) for c in d.changes
            if c.kind == "parameter_changed"} == {
        ("parameter_changed", "min_full_members", "3", "5"),
        ("parameter_changed", "review_within", "P1M", "P10D")}
    engine = Engine(old, store="memory://", clock=FakeClock(T0))
    from partyflow import load_hierarchy
    engine.import_organizations(load_hierarchy(config.parent.parent / "examples" /
                                               "hierarchy.csv", old))
    unit = Actor("u", "applicant")
    small = [engine.start("branch_establishment", {"full_members": n, "org_form": "branch",
                                                   "parent_org": "dongcheng-street"}, unit).id
             for n in (3, 4)]
    big = engine.start("branch_establishment", {"full_members": 9, "org_form": "branch",
                                                "parent_org": "dongcheng-street"}, unit).id
    reviewing = engine.start("branch_establishment", {"full_members": 9, "org_form": "branch",
                                                      "parent_org": "dongcheng-street"}, unit).id
    engine.fire(reviewing, "submit", unit)
    report = impact(engine.store, new, now=T0 + dt.timedelta(days=12))
    groups = {(g.state, g.kind): g for g in report.rows()}
    assert sorted(groups[("requested", "now_fails")].examples) == sorted(small)
    assert big not in groups[("requested", "now_fails")].examples
    assert groups[("under_review", "overdue_at_once")].examples == [reviewing]
    assert report.total_affected == 3
    mapping = load_migration_map(_map(tmp_path, "procedures: {}\n"))
    moved = migrate(engine.store, new, mapping, apply=True, now=T0)
    assert moved.count("moved") == 4
    assert all(engine.get(i).rules_version == "2026.2" for i in [*small, big, reviewing])
    assert dataclasses.replace(engine.get(reviewing)).deadline_at == dt.datetime(
        2026, 3, 13, tzinfo=ZoneInfo("Asia/Shanghai"))  # the last day 12 March (C1–C3)


def test_cli_diff_impact_and_migrate(mini_rules: RuleSet, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from partyflow.cli import commands

    from .test_cli import run

    monkeypatch.setattr(commands.out, "_width", 400)  # each table cell on one line

    new = tmp_path / "mini-2.yaml"
    new.write_text(_new_text(), encoding="utf-8")
    code, out, err = run("diff", str(MINI), str(MINI))
    assert (code, out.strip()) == (0, "没有变更"), err
    code, out, _ = run("diff", str(MINI), str(new), "--format", "markdown", "--lang", "en")
    assert code == 1 and "| parameter changed | parameters.election_quorum | 4/5 | 5/6 | E2 |" in out
    broken = tmp_path / "broken.yaml"
    broken.write_text(_new_text().replace("dest: approved", "dest: aproved"), encoding="utf-8")
    code, _, err = run("diff", str(MINI), str(broken), "--lang", "en")
    assert code == 2 and "broken.yaml:" in err and "Traceback" not in err

    url = f"sqlite:///{tmp_path / 'pf.db'}"
    engine = Engine(mini_rules, store=url, clock=FakeClock(T0))
    q33 = engine.start("mini_election", {"expected": 40, "present": 33}, SEC).id
    esc = engine.start("mini_election", {"expected": 40}, SEC).id
    engine.fire(esc, "vote", SEC, {"present": 39})
    engine.fire(esc, "report", SEC)
    engine.fire(esc, "escalate", SUP)
    engine.store.close()
    code, out, err = run("impact", str(new), "--store", url, "--format", "json")
    assert code == 0, err
    assert '"affected": 2' in out and q33 in out and esc in out
    mapping = _map(tmp_path, "procedures:\n  mini_election: {}\n")
    code, out, _ = run("migrate", str(new), "--map", str(mapping), "--store", url, "--lang", "en")
    assert code == 1 and "refused" in out and "dry run" in out
    full = _map(tmp_path, "procedures:\n  mini_election:\n    states: {escalated: under_review}\n")
    code, out, err = run("migrate", str(new), "--map", str(full), "--store", url, "--apply",
                         "--lang", "en")
    assert code == 0, err
    assert out.count("│ moved") == 2 and "2 instance(s): 2 moved" in out  # rows, summary
    check = Engine(mini_rules, store=url)
    assert check.get(esc).rules_version == "test-2" and check.verify(esc) == 5
    check.store.close()
    # an instance named on the command line that is already on the new rules is listed as
    # skipped, with why (not a crash, not silence)
    code, out, err = run("migrate", str(new), "--map", str(full), "--store", url, "--apply",
                         "--instance", esc, "--lang", "en")
    assert code == 0 and "skipped" in out and esc in out and "Traceback" not in err, (out, err)


def test_config_transfer_deadline_change_names_the_accepted_transfers(tmp_path: Path) -> None:
    """The issue's acceptance with a transfer deadline: the receipt period (T7) shortened."""
    from partyflow import load_hierarchy

    root = Path(__file__).resolve().parent.parent
    config = root / "config" / "rules.yaml"
    old = load_rules(config)
    new = edited_rules(config, ('version: "2026.1"', 'version: "2026.2"'),
                       ("value: P1M\n        basis: T7", "value: P10D\n        basis: T7"),
                       file="rules-2026.2.yaml")
    assert [(c.kind, str(c.old), str(c.new), c.basis) for c in diff_rules(old, new).changes
            if c.procedure == "member_transfer"] == [
        ("parameter_changed", "P1M", "P10D", "T7"),
        ("deadline_changed", "receipt_within=P1M", "receipt_within=P10D", "T7")]
    clock = FakeClock(T0)
    engine = Engine(old, store=f"sqlite:///{tmp_path / 'pf.db'}", clock=clock)
    engine.import_organizations(load_hierarchy(root / "examples" / "hierarchy.csv", old))
    member = Actor("m", "party_member")
    branch = Actor("吴晓梅", "sending_branch", "xingguang")
    sender = Actor("s", "sending_committee", "dongcheng-street")
    receiver = Actor("r", "receiving_committee", "xinjie-street")
    data = {"member_kind": "full_member", "move_reason": "residence_changed",
            "stable_job": True, "fixed_residence": True, "employer_has_party_org": False,
            "destination_kind": "community", "sending_org": "xingguang", "member_id": "m",
            "receiving_org": "xinjie-north"}
    accepted, reported = [], []
    for k in range(3):
        iid = engine.start("member_transfer", data, member).id
        engine.fire(iid, "submit", branch)
        engine.fire(iid, "issue_letter", sender)
        engine.fire(iid, "report", member)
        if k < 2:
            engine.fire(iid, "accept", receiver)
            accepted.append(iid)
        else:
            reported.append(iid)
    clock.advance("P12D")
    report = impact(engine.store, new, now=clock.now())
    groups = {(g.state, g.kind): g for g in report.rows()}
    assert sorted(groups[("accepted", "overdue_at_once")].examples) == sorted(accepted)
    assert groups[("accepted", "deadline_moved")].basis == "T7"
    assert report.total_affected == 2 and reported[0] not in str(report.rows())
    mapping = load_migration_map(_map(tmp_path, "procedures: {}\n"))
    result = migrate(engine.store, new, mapping, apply=True, now=clock.now())
    assert result.count("moved") == 3
    ticked = Engine(new, store=engine.store, clock=clock).tick()
    assert sorted(i for i, trig, _, _ in ticked.fired if trig == "flag_receipt_overdue") == \
        sorted(accepted)
    for iid in [*accepted, *reported]:
        assert engine.history(iid)[-1 if iid in reported else -2].trigger == MIGRATE_TRIGGER
        engine.verify(iid)
    engine.store.close()
