"""Opening a store by URL."""

from __future__ import annotations

import re

from partyflow.errors import Text, UsageError
from partyflow.limits import text_problem
from partyflow.stores.base import Store
from partyflow.stores.memory import MemoryStore

_USERINFO = re.compile(r"^([^:/?#]+:)?(//)?[^/?#]*@")


def redacted_url(url: str) -> str:
    """``url`` fit to print or log: its password replaced by ``***`` (all of what precedes
    the host when the URL cannot be parsed)."""
    from sqlalchemy.engine import make_url  # only when a URL is shown (import cost)
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        return _USERINFO.sub(lambda m: f"{m[1] or ''}{m[2] or ''}***@", url)
    return url if parsed.password is None else parsed.render_as_string(hide_password=True)


def open_store(url: str, *, read_only: bool = False) -> Store:
    """Open a store by URL.

    ``memory://`` is a ``MemoryStore``; ``sqlite:///path.db``, ``sqlite://`` (in memory) and
    ``postgresql+psycopg://…`` open a ``SqlStore``. SQLite files use WAL; add
    ``?synchronous=FULL`` for the strictest durability (default NORMAL). ``read_only``
    opens a SQL store for reading only (``SqlStore(read_only=True)``).
    """
    if not isinstance(url, str):
        raise UsageError(Text(f"存储地址应为文字，实际为 {type(url).__name__}",
                              f"a store URL must be text, got {type(url).__name__}"))
    bad = text_problem(url, 4096)
    if bad is not None:
        raise UsageError(Text(f"存储地址{bad.zh}", f"the store URL {bad.en}"))
    if url.startswith("memory://"):
        if url != "memory://":
            shown = redacted_url(url)
            raise UsageError(Text(f"内存存储没有参数：应为 memory://，实际为 {shown!r}",
                                  f"the memory store takes no parameters: use memory://, "
                                  f"got {shown!r}"))
        return MemoryStore()
    if url.startswith(("sqlite", "postgresql")):
        from partyflow.stores.sql import SqlStore

        return SqlStore(url, read_only=read_only)
    shown = redacted_url(url)
    raise UsageError(
        Text(f"不支持的存储地址 {shown!r}：应以 sqlite://、postgresql+psycopg:// 或 memory:// 开头",
             f"unsupported store URL {shown!r}: use sqlite://, postgresql+psycopg:// or "
             "memory://"))
