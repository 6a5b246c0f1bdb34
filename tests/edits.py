"""One helper for "a copy of the rules with these edits": every test that edits a rules file
uses it, so an edit that no longer applies (the text moved) fails loudly instead of testing the
unedited file."""

from __future__ import annotations

from pathlib import Path

from partyflow import RuleSet, load_rules_text

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "rules.yaml"
MINI = Path(__file__).resolve().parent / "fixtures" / "mini.yaml"


def edited_text(base: Path | str, *edits: tuple[str, str], count: int | None = 1) -> str:
    """The text of ``base`` (a path, or the text itself) with each ``(old, new)`` replaced.

    Each ``old`` must occur exactly ``count`` times (any positive number when ``count`` is
    None); otherwise the test fails naming the edit.
    """
    text = base.read_text(encoding="utf-8") if isinstance(base, Path) else base
    for old, new in edits:
        found = text.count(old)
        if found == 0 or (count is not None and found != count):
            want = "at least once" if count is None else f"exactly {count}×"
            raise AssertionError(f"edit did not apply: {old!r} occurs {found}×, expected {want}")
        text = text.replace(old, new)
    return text


def edited_rules(base: Path | str, *edits: tuple[str, str], count: int | None = 1,
                 file: str = "<edited rules>") -> RuleSet:
    """``edited_text`` loaded as rules (``RulesError`` if the edit breaks them)."""
    return load_rules_text(edited_text(base, *edits, count=count), file)
