"""The partyflow command: exit codes, messages (never tracebacks), generated files.

The commands run in this process through ``main(argv)`` (the ``cli`` fixture); one slow test
runs the installed console script in a subprocess.
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from partyflow import load_rules
from partyflow.rules.diagram import mermaid
from partyflow.rules.schema import json_schema

from .conftest import IN_CI, MINI, ROOT, CliRun, run_cli

CONFIG = ROOT / "config" / "rules.yaml"
run = run_cli  # in-process, for tests elsewhere (tests/test_diff.py) that import it from here


def test_validate_clean_file(cli: CliRun) -> None:
    code, out, _ = cli("validate", str(CONFIG))
    assert code == 0 and "没有发现问题" in out


def test_validate_reports_every_problem_with_position(cli: CliRun, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = MINI.read_text(encoding="utf-8")
    text = text.replace("dest: voted", "dest: votd").replace("roles: [superior]\n        "
                                                              "conditions", "roles: [superio]\n"
                                                              "        conditions")
    bad.write_text(text, encoding="utf-8")
    code, _, err = cli("validate", str(bad), "--lang", "en")
    assert code == 1
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert any("there is no state named 'votd'; did you mean 'voted'?" in ln for ln in lines)
    assert any("role 'superio' is not defined" in ln for ln in lines)
    for ln in lines:
        file, line, col, *_ = ln.split(":")
        assert file == str(bad) and int(line) > 0 and int(col) > 0
    code, _, err_zh = cli("validate", str(bad))
    assert code == 1 and "没有名为 “votd” 的状态" in err_zh


def test_missing_file_is_a_message_not_a_traceback(cli: CliRun) -> None:
    code, _, err = cli("validate", "no/such/rules.yaml")
    assert code == 1 and "Traceback" not in err and "无法读取文件" in err


def test_unknown_command_option_is_a_usage_error(cli: CliRun) -> None:
    code, _, err = cli("validate", "--frobnicate")
    assert code == 2 and "Traceback" not in err


def test_schema_is_draft07_and_checked_in_copy_is_current(cli: CliRun, tmp_path: Path) -> None:
    schema = json_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(schema)
    assert schema["properties"]["procedures"]["title"] == "流程 / Procedures"
    checked_in = json.loads((ROOT / "docs" / "rules.schema.json").read_text(encoding="utf-8"))
    assert checked_in == schema, "run: partyflow schema -o docs/rules.schema.json"
    first = CONFIG.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/rules.schema.json"
    out = tmp_path / "s.json"
    assert cli("schema", "-o", str(out))[0] == 0
    assert json.loads(out.read_text(encoding="utf-8")) == schema


def test_schema_accepts_the_shipped_rules() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    jsonschema.validate(yaml.safe_load(CONFIG.read_text(encoding="utf-8")), json_schema())


def test_diagram_mermaid_and_dot(cli: CliRun) -> None:
    code, out, _ = cli("diagram", "mini_election", "--rules", str(MINI))
    assert code == 0
    assert out.startswith("stateDiagram-v2")
    assert ('state "上级审批 (under_review) ⏱ review_within = P1M (1个月) → escalate" as under_review'
            in out)
    assert "convened --> voted: vote [secretary] 当 exceeds(present, expected, " \
           "election_quorum)" in out
    assert "approved --> [*]" in out
    code, out, _ = cli("diagram", "mini_election", "--rules", str(MINI), "--format", "dot",
                       "--lang", "en")
    assert code == 0 and out.startswith("digraph mini_election {")
    assert 'convened -> voted [label="vote [secretary] if exceeds' in out
    code, _, err = cli("diagram", "nope", "--rules", str(MINI))
    assert code == 1 and "mini_election" in err


def test_checked_in_diagrams_are_current() -> None:
    rules = load_rules(CONFIG)
    for name, proc in rules.procedures.items():
        page = ROOT / "docs" / "procedures" / f"{name}.md"
        assert page.exists(), f"missing {page}: run python docs/generate.py"
        assert mermaid(proc) in page.read_text(encoding="utf-8"), \
            f"{page} is stale: run python docs/generate.py"


def test_demo_runs_end_to_end(cli: CliRun, tmp_path: Path) -> None:
    code, out, err = cli("demo", "--db", str(tmp_path / "demo.db"))
    assert code == 0, err
    assert "审计哈希链校验通过（7 条记录）" in out
    assert "不足 3 人" in out  # the refused request is shown
    code, out, err = cli("demo", "--lang", "en")
    assert code == 0, err
    assert "audit hash chain verified (7 records)" in out


def test_schema_goes_to_stdout_by_default(cli: CliRun) -> None:
    code, out, _ = cli("schema")
    assert code == 0 and json.loads(out) == json_schema()


def test_python_dash_m_runs_the_command(monkeypatch: pytest.MonkeyPatch, capsys:
                                        pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["partyflow", "validate", str(CONFIG)])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("partyflow.cli", run_name="__main__")
    assert exit_.value.code == 0 and "没有发现问题" in capsys.readouterr().out


@pytest.mark.slow
def test_installed_console_script_runs_the_demo(tmp_path: Path) -> None:
    """The one subprocess test: the ``partyflow`` script that ``pip install`` wrote."""
    (ep,) = entry_points(group="console_scripts", name="partyflow")
    assert ep.value == "partyflow.cli.commands:run"
    script = shutil.which("partyflow", path=str(Path(sys.executable).parent))
    if script is None:
        reason = f"no partyflow script next to {sys.executable}: pip install -e '.[test]'"
        if IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}  # this checkout's code
    proc = subprocess.run([script, "demo", "--lang", "en", "--db", str(tmp_path / "demo.db")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.rstrip().endswith("audit hash chain verified (7 records)")
