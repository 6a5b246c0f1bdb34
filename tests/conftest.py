from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partyflow import Actor, Engine, RuleSet, Store, load_rules, open_store
from partyflow.testing import FakeClock

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini.yaml"


@pytest.fixture(scope="session")
def mini_rules() -> RuleSet:
    return load_rules(MINI)


@pytest.fixture(params=["memory", "sqlite-memory", "sqlite-file"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return {
        "memory": "memory://",
        "sqlite-memory": "sqlite://",
        "sqlite-file": f"sqlite:///{tmp_path / 'pf.db'}",
    }[request.param]


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


def pytest_configure(config: pytest.Config) -> None:
    """Register every tag used in features/ (rule ids such as @B2) as a marker."""
    import re

    tags: set[str] = set()
    for path in (ROOT / "features").rglob("*.feature"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("@"):
                tags.update(re.findall(r"@([^\s@]+)", line))
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{tag}: tag from features/ (rule id or procedure)")
