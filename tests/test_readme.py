"""The README's Python example runs as written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .conftest import ROOT


def test_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "README has no python example"
    (tmp_path / "config").mkdir()
    shutil.copy(ROOT / "config" / "rules.yaml", tmp_path / "config" / "rules.yaml")
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "hierarchy.csv", tmp_path / "examples" / "hierarchy.csv")
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[0], "README.md", "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    assert "不予批准必须说明理由" in out
    assert "['approve', 'reject']" in out
    assert "dongcheng-street\n" in out  # the refusal names who may act
    assert "[('" in out and "'under_review', 1, 'dongcheng')]" in out  # escalated one level up
    assert "escalate_overdue under_review → under_review" in out
    assert "ReportRow(procedure='branch_establishment', state='under_review', open=1, " \
        "overdue=1, escalated=1)" in out
    assert (tmp_path / "partyflow.db").exists()
