"""Records which transitions the scenarios take and which conditions they see hold and fail.

Active when ``PARTYFLOW_RULE_COVERAGE`` names a file: at the end of the session the record is
written there as JSON (``tests/test_rule_coverage.py`` runs the feature files with it).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

ENV = "PARTYFLOW_RULE_COVERAGE"
_taken: set[tuple[str, int]] = set()
_held: set[tuple[str, int, int]] = set()
_failed: set[tuple[str, int, int]] = set()


def install() -> None:
    """Wrap the engine's one transition choice and its one condition evaluation."""
    from partyflow.workflows import machine, step

    real_run = machine.ProcedureMachine.run
    real_evaluate = step.evaluate

    def run(self: Any, state: str, trigger: str, admit: Any) -> Any:
        chosen = real_run(self, state, trigger, admit)
        if chosen is not None:
            _taken.add((self.definition.name, chosen.index))
        return chosen

    def evaluate(proc: Any, t: Any, *args: Any, **kwargs: Any) -> Any:
        failures = real_evaluate(proc, t, *args, **kwargs)
        failing = {f.expression for f in failures}
        for k, cond in enumerate(t.conditions):
            target = _failed if cond.expression.source in failing else _held
            target.add((proc.name, t.index, k))
        return failures

    machine.ProcedureMachine.run = run  # type: ignore[method-assign]
    step.evaluate = evaluate


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get(ENV)
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump({"taken": sorted(_taken), "held": sorted(_held),
                       "failed": sorted(_failed)}, out)
