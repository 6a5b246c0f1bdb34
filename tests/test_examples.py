"""Every script in examples/ runs, so none can rot.

Each runs as ``python examples/x.py STORE`` would, as ``__main__`` with that argv, but in this
process (``runpy``), so the suite pays for partyflow's import once.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

import pytest

from partyflow import load_rules

from .conftest import ROOT

# the scripts (service.py is an application a server imports: tests/test_service.py drives it)
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if p.name != "service.py")


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script), str(tmp_path / "store.db")])
    monkeypatch.setattr(sys, "path", [str(script.parent), *sys.path])
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exit_:  # an example may end with sys.exit(); only 0 is success
        assert exit_.code in (0, None), f"{script.name} exited with {exit_.code}"
    stdout = capsys.readouterr().out
    assert stdout.strip(), "an example shows what it did"
    if script.stem.startswith("hierarchy"):
        return  # organization lists, no procedure instance to verify
    assert "verified records:" in stdout
    rules = load_rules(os.environ.get("PARTYFLOW_TEST_RULES") or ROOT / "config" / "rules.yaml")
    terminal = {s for p in rules.procedures.values() for s, d in p.states.items() if d.terminal}
    assert stdout.strip().splitlines()[-1] in terminal


def test_there_are_examples() -> None:
    assert EXAMPLES
