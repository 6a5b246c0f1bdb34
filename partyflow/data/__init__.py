"""Files shipped inside the package, so the command works from any directory after
``pip install``: identical copies of the repository's ``config/rules.yaml``,
``docs/rules.schema.json`` and ``examples/hierarchy.csv``. ``python docs/generate.py`` refreshes
them; a test fails when they differ."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES = HERE / "rules.yaml"
SCHEMA = HERE / "rules.schema.json"
HIERARCHY = HERE / "hierarchy.csv"

SOURCES: dict[str, str] = {
    "rules.yaml": "config/rules.yaml",
    "rules.schema.json": "docs/rules.schema.json",
    "hierarchy.csv": "examples/hierarchy.csv",
}
"""Each packaged file's name → the repository file it copies (relative to the checkout)."""
