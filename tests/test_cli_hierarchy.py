"""``partyflow org import`` and ``partyflow report``: exit codes, tables, CSV, clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from partyflow import Actor, Engine, load_rules
from partyflow.testing import FakeClock

from .conftest import ROOT, CliRun

CONFIG = ROOT / "config" / "rules.yaml"
ORGS = ROOT / "examples" / "hierarchy.csv"


def test_import_then_report_as_table_and_csv(cli: CliRun, clock: FakeClock,
                                             tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pf.db'}"
    code, out, err = cli("org", "import", str(ORGS), "--store", url)
    assert code == 0, err
    assert "17" in out
    clock.set(dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    engine = Engine(load_rules(CONFIG), store=url, clock=clock)
    unit = Actor("u", "applicant")
    for parent in ("dongcheng-street", "dongcheng-street", "xinjie-street"):
        inst = engine.start("branch_establishment", {"full_members": 9, "org_form": "branch",
                                                     "parent_org": parent}, unit)
        engine.fire(inst.id, "submit", unit)
    clock.advance("P1M")  # 2 April 08:00 in Beijing: the last day of the period, in time
    assert engine.tick().escalated == []
    clock.advance("P1D")
    assert len(engine.tick().escalated) == 3
    engine.store.close()

    code, out, err = cli("report", "--org", "dongcheng", "--store", url, "--csv")
    assert code == 0, err
    assert out.splitlines() == ["procedure,state,open,overdue,escalated",
                                "branch_establishment,under_review,2,2,2"]
    code, out, err = cli("report", "--org", "xinghai", "--store", url, "--lang", "en")
    assert code == 0, err
    assert "Branch establishment" in out and "total" in out and "3" in out
    code, out, err = cli("report", "--org", "nowhere", "--store", url)
    assert code == 1 and "nowhere" in err and "Traceback" not in err


def test_a_list_with_problems_is_not_imported(cli: CliRun, tmp_path: Path) -> None:
    bad = tmp_path / "orgs.csv"
    bad.write_text(ORGS.read_text(encoding="utf-8").replace(",xinghai,李卫东", ",xinhai,李卫东"),
                   encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'pf.db'}"
    code, _, err = cli("org", "import", str(bad), "--store", url, "--lang", "en")
    assert code == 1
    assert "orgs.csv:3" in err and "nothing imported" in err
    engine = Engine(load_rules(CONFIG), store=url)
    assert list(engine.store.organizations()) == []
    engine.store.close()
