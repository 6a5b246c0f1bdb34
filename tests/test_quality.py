"""Lint and type checks run as part of the suite, so CI enforces them."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT, SLOW_ELSEWHERE


def _tool(name: str) -> list[str]:
    exe = shutil.which(name, path=str(ROOT / ".venv" / "bin")) or shutil.which(name)
    return [exe] if exe else [sys.executable, "-m", name]


def test_ruff_clean() -> None:
    proc = subprocess.run([*_tool("ruff"), "check", "partyflow", "tests", "bench", "docs",
                           "examples"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mypy_strict_clean() -> None:
    proc = subprocess.run([*_tool("mypy"), "--strict", "partyflow"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_tests_marked_slow_from_conftest_exist() -> None:
    """A renamed test would silently leave the slow list; each listed name must be a test."""
    tests = ROOT / "tests"
    for file, names in SLOW_ELSEWHERE.items():
        tree = ast.parse((tests / file).read_text(encoding="utf-8"))
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert set(names) <= defined, f"{file}: no test {sorted(set(names) - defined)}"
