"""A package that works anywhere (#16): the rules, schema and example organizations it ships,
which rules file a command uses, ``partyflow init``, and the built wheel in a fresh venv."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from partyflow import data
from partyflow.cli.commands import app, main
from partyflow.cli.rules_file import LOCAL, choose_rules
from partyflow.rules.schema import json_schema

from .conftest import MINI, ROOT

FALLBACK_ZH = "使用随包附带的规则"
FALLBACK_EN = "using the rules shipped with the package"


@pytest.fixture
def here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty working directory and no PARTYFLOW_* settings."""
    for name in ("PARTYFLOW_LANG", "PARTYFLOW_RULES", "PARTYFLOW_STORE"):
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def cli_here(*args: str) -> tuple[int, str, str]:
    """``main(argv)`` in the current directory: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_packaged_copies_match_the_repository_files() -> None:
    for name, source in data.SOURCES.items():
        assert (data.HERE / name).read_bytes() == (ROOT / source).read_bytes(), \
            f"partyflow/data/{name} differs from {source}: run python docs/generate.py"
    assert {data.RULES.name, data.SCHEMA.name, data.HIERARCHY.name} == set(data.SOURCES)
    assert json.loads(data.SCHEMA.read_text(encoding="utf-8")) == json_schema()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["partyflow"]
    assert {f"data/{name}" for name in data.SOURCES} <= set(package_data)


def test_rules_file_is_chosen_flag_env_local_packaged(here: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert choose_rules(None).source == "packaged" and choose_rules(None).path == data.RULES
    assert choose_rules(None).note() is not None
    (here / "config").mkdir()
    (here / LOCAL).write_text("version: x\n", encoding="utf-8")
    assert choose_rules(None) == type(choose_rules(None))(LOCAL, "local")
    monkeypatch.setenv("PARTYFLOW_RULES", "from-env.yaml")
    assert (choose_rules(None).path, choose_rules(None).source) == (Path("from-env.yaml"), "env")
    given = choose_rules(Path("given.yaml"))
    assert (given.path, given.source, given.note()) == (Path("given.yaml"), "given", None)
    monkeypatch.setenv("PARTYFLOW_RULES", "  ")  # blank counts as unset
    assert choose_rules(None).source == "local"


def test_commands_fall_back_to_the_packaged_rules_and_say_so(here: Path) -> None:
    code, out, err = cli_here("validate")
    assert code == 0 and "没有发现问题" in out and FALLBACK_ZH in err and str(data.RULES) in err
    code, out, err = cli_here("diagram", "branch_establishment", "--lang", "en")
    assert code == 0 and out.startswith("stateDiagram-v2") and FALLBACK_EN in err
    db = here / "demo.db"
    code, out, err = cli_here("demo", "--db", str(db), "--lang", "en")
    assert code == 0 and "audit hash chain verified (7 records)" in out and FALLBACK_EN in err
    code, out, err = cli_here("report", "--org", "xinghai", "--store", f"sqlite:///{db}",
                              "--csv")
    assert code == 0 and out.startswith("procedure,state,open") and FALLBACK_ZH in err
    assert "Traceback" not in err


def test_flag_env_and_local_file_are_used_without_a_note(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "config").mkdir()
    shutil.copyfile(MINI, here / LOCAL)
    code, out, err = cli_here("validate", "--lang", "en")
    assert code == 0 and out.startswith(f"{LOCAL}: no problems") and err == ""
    code, out, _ = cli_here("diagram", "mini_election")
    assert code == 0 and out.startswith("stateDiagram-v2")
    shutil.copyfile(data.RULES, here / "env.yaml")
    monkeypatch.setenv("PARTYFLOW_RULES", "env.yaml")
    code, out, err = cli_here("diagram", "member_transfer")  # not in MINI
    assert code == 0 and err == ""
    code, _, err = cli_here("diagram", "member_transfer", "--rules", str(here / LOCAL))
    assert code == 1 and "mini_election" in err  # --rules beats the environment
    monkeypatch.setenv("PARTYFLOW_RULES", "missing.yaml")
    code, _, err = cli_here("validate")
    assert code == 1 and "missing.yaml" in err and "Traceback" not in err


def test_help_names_the_rules_and_store_environment_variables(here: Path) -> None:
    commands = {name: [p.name for p in cmd.params] for name, cmd in app.commands.items()}
    org = app.commands["org"]
    assert isinstance(org, type(app))
    commands |= {f"org {n}": [p.name for p in c.params] for n, c in org.commands.items()}
    checked = 0
    for name, params in commands.items():
        code, out, _ = cli_here(*name.split(), "--help")
        assert code == 0, name
        if "rules_path" in params or name == "validate":
            assert "PARTYFLOW_RULES" in out and "config/rules.yaml" in out, name
            checked += 1
        if "store_url" in params:
            assert "PARTYFLOW_STORE" in out, name
            checked += 1
    assert checked >= 10


def test_init_writes_rules_schema_and_organizations_and_keeps_existing_files(here: Path) -> None:
    code, out, err = cli_here("init", "proj", "--lang", "en")
    assert code == 0, err
    rules = here / "proj" / "config" / "rules.yaml"
    schema = here / "proj" / "config" / "rules.schema.json"
    orgs = here / "proj" / "examples" / "hierarchy.csv"
    assert f"wrote {rules}".replace(str(here) + os.sep, "") in out
    first, rest = rules.read_bytes().split(b"\n", 1)
    assert first == b"# yaml-language-server: $schema=rules.schema.json"
    assert rest == data.RULES.read_bytes().split(b"\n", 1)[1]
    assert json.loads(schema.read_text(encoding="utf-8")) == json_schema()
    assert orgs.read_bytes() == data.HIERARCHY.read_bytes()

    os.chdir(here / "proj")
    code, out, err = cli_here("validate")
    assert code == 0 and err == "" and out.startswith(f"{LOCAL}：没有发现问题")
    code, out, err = cli_here("org", "check", "examples/hierarchy.csv")
    assert code == 0 and "层级取自 config/rules.yaml" in out, err
    os.chdir(here)

    rules.write_text("# edited by policy staff\n", encoding="utf-8")
    orgs.unlink()
    code, out, err = cli_here("init", "proj")
    assert code == 1 and out == "" and "Traceback" not in err
    assert "文件已存在" in err and str(Path("proj", "config", "rules.yaml")) in err
    assert str(Path("proj", "examples", "hierarchy.csv")) not in err
    assert rules.read_text(encoding="utf-8") == "# edited by policy staff\n"
    assert not orgs.exists()  # nothing written
    code, _, err = cli_here("init", "proj", "--lang", "en")
    assert code == 1 and "--force" in err
    code, _, err = cli_here("init", "proj", "--force")
    assert code == 0, err
    assert rules.read_bytes().split(b"\n", 1)[1] == rest and orgs.is_file()
    code, _, err = cli_here("init", "proj/config/rules.yaml")  # a file, not a directory
    assert code == 2 and "Traceback" not in err


def _scripts(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


@pytest.mark.slow
def test_built_wheel_works_from_an_empty_directory(tmp_path: Path) -> None:
    """Build the wheel from a copy of the checkout, install it (dependencies from the package
    registry) into a fresh venv, and run the commands from an empty directory."""
    started = time.monotonic()
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
        ".hypothesis", "*.db", "bench", "tests", "features"))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PARTYFLOW_") and k not in ("PYTHONPATH", "VIRTUAL_ENV",
                                                          "PYTHONHOME")}

    def sh(*cmd: str | Path, cwd: Path = tmp_path, timeout: float = 300) -> str:
        proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=timeout)
        assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc.stdout + proc.stderr

    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "wheels", src)
    (wheel,) = (tmp_path / "wheels").glob("partyflow-*.whl")
    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", venv)
    python = _scripts(venv) / ("python.exe" if os.name == "nt" else "python")
    sh(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel)
    partyflow = _scripts(venv) / "partyflow"

    empty = tmp_path / "empty"
    empty.mkdir()
    where = sh(python, "-c", "import partyflow; print(partyflow.__file__)", cwd=empty)
    assert str(venv) in where
    assert FALLBACK_EN in sh(partyflow, "validate", "--lang", "en", cwd=empty)
    assert "stateDiagram-v2" in sh(partyflow, "diagram", "member_transfer", cwd=empty)
    db = tmp_path / "demo.db"
    assert "audit hash chain verified (7 records)" in sh(
        partyflow, "demo", "--lang", "en", "--db", db, cwd=empty)
    assert "procedure,state,open" in sh(
        partyflow, "report", "--org", "xinghai", "--store", f"sqlite:///{db}", "--csv", cwd=empty)
    assert "PARTYFLOW_RULES" in sh(partyflow, "demo", "--help", cwd=empty)

    sh(partyflow, "init", "proj", cwd=empty)
    proj = empty / "proj"
    shown = sh(partyflow, "validate", "--lang", "en", cwd=proj)
    assert FALLBACK_EN not in shown and "no problems" in shown
    sh(partyflow, "org", "check", "examples/hierarchy.csv", cwd=proj)
    assert "stateDiagram-v2" in sh(partyflow, "diagram", "branch_establishment", cwd=proj)
    sh(partyflow, "demo", "--db", tmp_path / "demo2.db", cwd=proj)
    # the new user's day: organizations in, an instance started and fired, the inbox, a tick,
    # the audit chain verified and the outbox followed — all from the starter directory
    store = ["--store", f"sqlite:///{tmp_path / 'work.db'}"]
    sh(partyflow, "org", "import", "examples/hierarchy.csv", *store, cwd=proj)
    branch = ["--actor", "吴晓梅", "--role", "sending_branch", "--org", "xingguang"]
    made = json.loads(sh(partyflow, "start", "member_transfer", "member_id=li.hong",
                         "member_kind=full_member", "move_reason=residence_changed",
                         "stable_job=true", "fixed_residence=true",
                         "employer_has_party_org=false", "destination_kind=community",
                         "sending_org=xingguang", "receiving_org=xinjie-north", *branch,
                         *store, "--json", cwd=proj))
    sh(partyflow, "fire", made["id"], "submit", *branch, *store, cwd=proj)
    assert made["id"] in sh(partyflow, "inbox", "--actor", "zhao.min", "--role",
                            "sending_committee", "--org", "dongcheng-street", *store, cwd=proj)
    sh(partyflow, "tick", *store, cwd=proj)
    sh(partyflow, "verify", made["id"], *store, cwd=proj)
    events = sh(partyflow, "events", *store, cwd=proj).splitlines()
    assert [json.loads(e)["trigger"] for e in events if e.startswith("{")] == ["start", "submit"]
    refused = subprocess.run([str(partyflow), "init", "proj"], cwd=empty, env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert time.monotonic() - started < 180
