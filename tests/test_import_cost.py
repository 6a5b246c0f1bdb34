"""``import partyflow`` stays light: the command line (click, rich) and the SQL store
(SQLAlchemy, Alembic) load only when they are used. Each check imports in a fresh interpreter.

Measure with ``python -X importtime -c 'import partyflow'``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT

CLI_ONLY = ("click", "rich", "typer", "prompt_toolkit", "pygments")
SQL_ONLY = ("sqlalchemy", "alembic", "psycopg")
NOT_LIBRARY = ("partyflow.cli", "partyflow.testing")


def _loaded_after(*steps: str) -> list[set[str]]:
    """The names in ``sys.modules`` after each of ``steps``, run in turn in one interpreter."""
    probe = "import json as _j, sys as _s\n" + "".join(
        f"{step}\nprint(_j.dumps(sorted(_s.modules)))\n" for step in steps)
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, check=True)
    return [set(json.loads(line)) for line in proc.stdout.splitlines()[-len(steps):]]


@pytest.fixture(scope="module")
def loaded() -> list[set[str]]:
    """After ``import partyflow``, and after opening a SQLite store."""
    return _loaded_after("import partyflow", "partyflow.open_store('sqlite://').close()")


def test_import_partyflow_loads_neither_click_nor_sql(loaded: list[set[str]]) -> None:
    assert "partyflow" in loaded[0]
    assert {"click", *SQL_ONLY, *NOT_LIBRARY} & loaded[0] == set()


def test_opening_a_sql_store_loads_sqlalchemy(loaded: list[set[str]]) -> None:
    """The other side of the deferral: the SQL store still gets what it needs."""
    assert "sqlalchemy" in loaded[1] - loaded[0]


def test_partyflow_own_modules_import_no_terminal_library() -> None:
    """With the cel package's command line (``cel.cli``) stubbed out, nothing partyflow imports
    loads rich or the other terminal libraries: partyflow's own modules leave them to the CLI."""
    (loaded,) = _loaded_after("import types\n"
                              "_s.modules['cel.cli'] = types.ModuleType('cel.cli')\n"
                              "import partyflow")
    assert "partyflow" in loaded
    assert {*CLI_ONLY, *SQL_ONLY, *NOT_LIBRARY} & loaded == set()


def test_import_partyflow_loads_no_rich(loaded: list[set[str]]) -> None:
    assert {*CLI_ONLY} & loaded[0] == set()



def test_networkx_loads_with_the_first_hierarchy() -> None:
    before, after = _loaded_after(
        "import partyflow",
        "partyflow.load_hierarchy('examples/hierarchy.csv')")
    assert "networkx" not in before and "networkx" in after


def test_the_whole_cel_package_still_imports_after_partyflow() -> None:
    """partyflow loads only cel's compiled core; a later ``import cel`` gets the package."""
    (loaded,) = _loaded_after("import partyflow\nimport cel\nassert cel.compile('1 + 1')"
                              ".execute({}) == 2\nimport cel.cli")
    assert {"cel", "cel.cel", "cel.cli"} <= loaded
