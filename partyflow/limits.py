"""The lengths and characters every store accepts, checked before a store is touched.

One table for SQLite, PostgreSQL and memory, so a value refused on one is refused on all, and
refused with a typed error naming the field rather than by the database ("outcome unknown").
Text must be valid Unicode (no lone surrogates, which UTF-8 cannot encode) and carry no NUL
(PostgreSQL text cannot hold it).
"""

from __future__ import annotations

from partyflow.errors import Text

MAX_ACTOR_ID = 200
MAX_ROLE = 64
MAX_ORG_ID = 200
MAX_RULES_VERSION = 200
MAX_INSTANCE_ID = 128
MAX_IDEMPOTENCY_KEY = 128


def text_problem(value: str, limit: int | None = None) -> Text | None:
    """Why ``value`` cannot be stored as text (too long, a NUL, a lone surrogate), or None."""
    if limit is not None and len(value) > limit:
        return Text(f"最长 {limit} 个字符，实际 {len(value)} 个",
                    f"at most {limit} characters, got {len(value)}")
    if "\x00" in value:
        return Text("含有空字符（U+0000）", "contains a NUL character (U+0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return Text(f"含有无效的 Unicode 字符（第 {exc.start + 1} 个字符是单独的代理项）",
                    f"is not valid Unicode (character {exc.start + 1} is a lone surrogate)")
    return None
