"""``partyflow init DIR``: a directory to start from, written from the files the package ships.

``DIR/config/rules.yaml`` (the shipped rules; its first line points editors at the schema
beside it), ``DIR/config/rules.schema.json`` and ``DIR/examples/hierarchy.csv``.
"""

from __future__ import annotations

from pathlib import Path

from partyflow import data
from partyflow.errors import FilesExist

SCHEMA_LINE = b"# yaml-language-server: $schema="


def _rules_bytes(schema_name: str) -> bytes:
    """The shipped rules with the first line pointing at ``schema_name``."""
    raw = data.RULES.read_bytes()
    first, sep, rest = raw.partition(b"\n")
    if first.startswith(SCHEMA_LINE):
        return SCHEMA_LINE + schema_name.encode() + sep + rest
    return SCHEMA_LINE + schema_name.encode() + b"\n" + raw


def files(target: Path) -> dict[Path, bytes]:
    """Every file ``init`` writes under ``target``, with its content."""
    return {
        target / "config" / "rules.yaml": _rules_bytes(data.SCHEMA.name),
        target / "config" / data.SCHEMA.name: data.SCHEMA.read_bytes(),
        target / "examples" / "hierarchy.csv": data.HIERARCHY.read_bytes(),
    }


def init_project(target: Path, force: bool = False) -> list[Path]:
    """Write the files under ``target`` and return them.

    Raises:
        FilesExist: some already exist and ``force`` is false; nothing is written.
    """
    planned = files(target)
    if not force:
        existing = [str(p) for p in planned if p.exists() or p.is_symlink()]
        if existing:
            raise FilesExist(existing)
    for path, content in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return list(planned)
