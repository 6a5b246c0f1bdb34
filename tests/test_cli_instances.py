"""The commands that run instances, end to end on a SQLite file: org import, start, fire,
inbox, show, history, list, tick, export and verify, as a host's operator would use them."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli

BRANCH = ["--actor", "吴晓梅", "--role", "sending_branch", "--org", "xingguang"]
STREET = ["--actor", "zhao.min", "--role", "sending_committee", "--org", "dongcheng-street"]
MEMBER = ["member_id=li.hong", "member_kind=full_member", "move_reason=residence_changed",
          "stable_job=true", "fixed_residence=true", "employer_has_party_org=false",
          "destination_kind=community", "sending_org=xingguang", "receiving_org=xinjie-north"]


def _ok(*args: str) -> str:
    code, out, err = run_cli(*args)
    assert code == 0, (args, out, err)
    assert "Traceback" not in err
    return out


def test_an_instance_from_start_to_its_letter_on_the_command_line(tmp_path: Path) -> None:
    store = ["--store", f"sqlite:///{tmp_path / 'pf.db'}"]
    _ok("org", "import", "examples/hierarchy.csv", *store)
    started = json.loads(_ok("start", "member_transfer", *MEMBER, *BRANCH, *store, "--json"))
    iid = started["id"]
    assert started["state"] == "applied" and started["data"]["stable_job"] is True
    _ok("fire", iid, "submit", *BRANCH, *store, "--key", "k-1")
    _ok("fire", iid, "submit", *BRANCH, *store, "--key", "k-1")  # a retry: recorded once
    [item] = json.loads(_ok("inbox", *STREET, *store, "--json"))
    assert item["id"] == iid and set(item["triggers"]) == {"issue_letter", "reject"}
    assert "没有待办" in _ok("inbox", "--actor", "x", "--role", "sending_committee",
                             "--org", "xicheng", *store)
    _ok("fire", iid, "issue_letter", *STREET, *store, "--data", '{"letter_number": "2026-17"}')
    shown = json.loads(_ok("show", iid, *store, "--json"))
    assert shown["state"] == "letter_issued" and shown["data"]["letter_number"] == "2026-17"
    assert "report" in shown["steps"] and shown["deadline_at"]
    assert "class letter_issued current" in _ok("show", iid, "--diagram", *store)
    records = json.loads(_ok("history", iid, "--format", "json", *store))
    assert [r["trigger"] for r in records] == ["start", "submit", "issue_letter"]
    csv_lines = _ok("history", iid, "--format", "csv", *store).splitlines()
    assert csv_lines[0].startswith("seq,at,actor_id") and len(csv_lines) == 4
    listed = json.loads(_ok("list", "--org", "dongcheng", *store, "--json"))
    assert [i["id"] for i in listed] == [iid]
    assert json.loads(_ok("list", "--state", "applied", *store, "--json")) == []
    ticked = json.loads(_ok("tick", *store, "--json"))
    assert ticked["fired"] == 0 and ticked["failed"] == 0
    [line] = _ok("export", *store).splitlines()
    assert len(json.loads(line)["history"]) == 3
    _ok("verify", iid, *store)


def test_running_commands_refuse_clearly(tmp_path: Path) -> None:
    db = tmp_path / "pf.db"
    store = ["--store", f"sqlite:///{db}"]
    code, _out, err = run_cli("list", *store)  # a read command never creates a database
    assert code == 1 and not db.exists() and "Traceback" not in err
    _ok("org", "import", "examples/hierarchy.csv", *store)
    code, _out, err = run_cli("list", "-p", "member_transfr", *store, "--lang", "en")
    assert code == 1 and "did you mean 'member_transfer'" in err
    code, _out, err = run_cli("list", "--state", "out_reveiw", *store, "--lang", "en")
    assert code == 1 and "did you mean 'out_review'" in err
    code, _out, err = run_cli("list", "--org", "nowhere", *store, "--lang", "en")
    assert code == 1 and "nowhere" in err
    code, _out, err = run_cli("start", "member_transfer", "stable_job", *BRANCH, *store,
                              "--lang", "en")
    assert code == 1 and "key=value" in err
    code, _out, err = run_cli("start", "member_transfer", *BRANCH, *store, "--data", "[1]",
                              "--lang", "en")
    assert code == 1 and "must be a mapping" in err
    code, _out, err = run_cli("fire", "nope", "submit", *BRANCH, *store)
    assert code == 1 and "Traceback" not in err


def test_events_are_printed_with_a_cursor_to_resume_after(tmp_path: Path) -> None:
    store = ["--store", f"sqlite:///{tmp_path / 'pf.db'}"]
    _ok("org", "import", "examples/hierarchy.csv", *store)
    iid = json.loads(_ok("start", "member_transfer", *MEMBER, *BRANCH, *store, "--json"))["id"]
    first = [json.loads(line) for line in _ok("events", *store).splitlines()]
    assert [(e["instance_id"], e["trigger"]) for e in first] == [(iid, "start")]
    _ok("fire", iid, "submit", *BRANCH, *store)
    later = [json.loads(line) for line in
             _ok("events", "--after", first[-1]["cursor"], *store).splitlines()]
    assert [e["trigger"] for e in later] == ["submit"]
