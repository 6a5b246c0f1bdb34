from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from partyflow import Actor, Engine, RuleSet, Store, load_rules, open_store
from partyflow.testing import FakeClock, scratch_schema

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini.yaml"


@pytest.fixture(scope="session")
def mini_rules() -> RuleSet:
    return load_rules(MINI)


POSTGRES_ENV = "PARTYFLOW_TEST_POSTGRES_URL"
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def postgres_url_or_skip() -> str:
    """The PostgreSQL server given in PARTYFLOW_TEST_POSTGRES_URL; without one, skip the test,
    or fail it under CI=true (CI must run every test on PostgreSQL)."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if url:
        return url
    reason = (f"{POSTGRES_ENV} is not set (e.g. postgresql+psycopg://user:pw@127.0.0.1:5432/db); "
              "`.ci/run` starts a local PostgreSQL and sets it")
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh, empty schema on the test server, dropped afterwards; yields a store URL whose
    connections use it (search_path)."""
    with scratch_schema(postgres_url_or_skip()) as url:
        yield url


@pytest.fixture(params=["memory", "sqlite-memory", "sqlite-file", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        with postgres_schema() as url:
            yield url
        return
    yield {
        "memory": "memory://",
        "sqlite-memory": "sqlite://",
        "sqlite-file": f"sqlite:///{tmp_path / 'pf.db'}",
    }[request.param]


@pytest.fixture(params=["sqlite-file", "postgresql"])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL on each SQL database (a SQLite file; PostgreSQL in a fresh schema)."""
    if request.param == "postgresql":
        with postgres_schema() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'pf.db'}"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    yield s
    s.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(mini_rules: RuleSet, store: Store, clock: FakeClock) -> Engine:
    return Engine(mini_rules, store=store, clock=clock)


@pytest.fixture
def secretary() -> Actor:
    return Actor("sec-1", "secretary", "community-1")


@pytest.fixture
def superior() -> Actor:
    return Actor("sup-1", "superior", "street-1")


CliRun = Callable[..., tuple[int, str, str]]
"""``cli(*args)`` → (exit code, stdout, stderr)."""


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the ``partyflow`` command in this process, through ``main(argv)`` (the function the
    console script calls), from the repository root; return its exit code and output."""
    from partyflow.cli.commands import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRun:
    """``run_cli`` with no PARTYFLOW_* settings taken from the environment."""
    for name in ("PARTYFLOW_LANG", "PARTYFLOW_RULES", "PARTYFLOW_STORE"):
        monkeypatch.delenv(name, raising=False)
    return run_cli


SUMMARY: list[str] = []  # lines tests want shown at the end of every run (contention counts)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SUMMARY:
        terminalreporter.section("counts")
        for line in SUMMARY:
            terminalreporter.write_line(line)


SLOW_ELSEWHERE: dict[str, tuple[str, ...]] = {
    # Tests over ~2 s (pytest --durations=30) in files whose owners have not marked them yet;
    # pytest_collection_modifyitems marks them slow. Move each to @pytest.mark.slow in its own
    # file and drop it here; tests/test_quality.py checks every name still exists.
    "test_migrations.py": ("test_processes_starting_at_once_migrate_once",  # processes racing
                           "test_command_line"),  # alembic in a subprocess
    "test_hierarchy.py": ("test_cli_org_check_clean", "test_cli_org_check_problems",  # CLI in a
                          "test_cli_org_check_with_rules_and_errors"),  # subprocess
    "test_diff.py": ("test_changed_parameters_are_exactly_the_ones_edited",  # hypothesis
                     "test_reordering_mappings_is_no_change"),
    "test_properties.py": ("test_rule_shaped_yaml_trees",  # hypothesis, each 2-6 s
                           "test_duration_text_parses_to_its_canonical_form",
                           "test_mini_with_a_subtree_replaced", "test_arbitrary_yaml_trees",
                           "test_mini_with_a_line_deleted"),
}


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests listed in ``SLOW_ELSEWHERE`` slow."""
    for item in items:
        name = getattr(item, "originalname", item.name)  # without [parameters]
        if name in SLOW_ELSEWHERE.get(item.path.name, ()):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config: pytest.Config) -> None:
    """Register every tag used in features/ (rule ids such as @B2) as a marker; record rule
    coverage when asked to (``tests/coverage_plugin.py``)."""
    import re

    from . import coverage_plugin

    if os.environ.get(coverage_plugin.ENV):
        coverage_plugin.install()
        config.pluginmanager.register(coverage_plugin)

    tags: set[str] = set()
    for path in (ROOT / "features").rglob("*.feature"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("@"):
                tags.update(re.findall(r"@([^\s@]+)", line))
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{tag}: tag from features/ (rule id or procedure)")
