"""The partyflow command: exit codes, messages (never tracebacks), generated files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from partyflow import load_rules
from partyflow.cli import main
from partyflow.rules.diagram import mermaid
from partyflow.rules.schema import json_schema

from .conftest import MINI, ROOT

CONFIG = ROOT / "config" / "rules.yaml"


def run(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "partyflow.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_validate_clean_file() -> None:
    code, out, _ = run("validate", str(CONFIG))
    assert code == 0 and "没有发现问题" in out


def test_validate_reports_every_problem_with_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = MINI.read_text(encoding="utf-8")
    text = text.replace("dest: voted", "dest: votd").replace("roles: [superior]\n        "
                                                              "conditions", "roles: [superio]\n"
                                                              "        conditions")
    bad.write_text(text, encoding="utf-8")
    code, _, err = run("validate", str(bad), "--lang", "en")
    assert code == 1
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert any("there is no state named 'votd'; did you mean 'voted'?" in ln for ln in lines)
    assert any("role 'superio' is not defined" in ln for ln in lines)
    for ln in lines:
        file, line, col, *_ = ln.split(":")
        assert file == str(bad) and int(line) > 0 and int(col) > 0
    code, _, err_zh = run("validate", str(bad))
    assert code == 1 and "没有名为 “votd” 的状态" in err_zh


def test_missing_file_is_a_message_not_a_traceback() -> None:
    code, _, err = run("validate", "no/such/rules.yaml")
    assert code == 1 and "Traceback" not in err and "无法读取文件" in err


def test_unknown_command_option_is_a_usage_error() -> None:
    code, _, err = run("validate", "--frobnicate")
    assert code == 2 and "Traceback" not in err


def test_schema_is_draft07_and_checked_in_copy_is_current(tmp_path: Path) -> None:
    schema = json_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(schema)
    assert schema["properties"]["procedures"]["title"] == "流程 / Procedures"
    checked_in = json.loads((ROOT / "docs" / "rules.schema.json").read_text(encoding="utf-8"))
    assert checked_in == schema, "run: partyflow schema -o docs/rules.schema.json"
    first = CONFIG.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/rules.schema.json"
    out = tmp_path / "s.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == schema


def test_schema_accepts_the_shipped_rules() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    jsonschema.validate(yaml.safe_load(CONFIG.read_text(encoding="utf-8")), json_schema())


def test_diagram_mermaid_and_dot() -> None:
    code, out, _ = run("diagram", "mini_election", "--rules", str(MINI))
    assert code == 0
    assert out.startswith("stateDiagram-v2")
    assert 'state "上级审批 (under_review) ⏱ review_within → escalate" as under_review' in out
    assert "convened --> voted: vote [secretary] 当 exceeds(present, expected, " \
           "election_quorum)" in out
    assert "approved --> [*]" in out
    code, out, _ = run("diagram", "mini_election", "--rules", str(MINI), "--format", "dot",
                       "--lang", "en")
    assert code == 0 and out.startswith("digraph mini_election {")
    assert 'convened -> voted [label="vote [secretary] if exceeds' in out
    code, _, err = run("diagram", "nope", "--rules", str(MINI))
    assert code == 1 and "mini_election" in err


def test_checked_in_diagrams_are_current() -> None:
    rules = load_rules(CONFIG)
    for name, proc in rules.procedures.items():
        page = ROOT / "docs" / "procedures" / f"{name}.md"
        assert page.exists(), f"missing {page}: run python docs/generate.py"
        assert mermaid(proc) in page.read_text(encoding="utf-8"), \
            f"{page} is stale: run python docs/generate.py"


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    code, out, err = run("demo", "--db", str(tmp_path / "demo.db"))
    assert code == 0, err
    assert "审计哈希链校验通过（7 条记录）" in out
    assert "不足 3 人" in out  # the refused request is shown
    code, out, err = run("demo", "--lang", "en")
    assert code == 0, err
    assert "audit hash chain verified (7 records)" in out
