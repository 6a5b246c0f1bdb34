"""Opening a store by URL."""

from __future__ import annotations

from partyflow.errors import Text, UsageError
from partyflow.stores.base import Store
from partyflow.stores.memory import MemoryStore


def open_store(url: str) -> Store:
    """Open a store by URL.

    ``memory://`` is a ``MemoryStore``; ``sqlite:///path.db``, ``sqlite://`` (in memory) and
    ``postgresql+psycopg://…`` open a ``SqlStore``. SQLite files use WAL; add
    ``?synchronous=FULL`` for the strictest durability (default NORMAL).
    """
    if url.startswith("memory://"):
        return MemoryStore()
    if url.startswith(("sqlite", "postgresql")):
        from partyflow.stores.sql import SqlStore

        return SqlStore(url)
    raise UsageError(
        Text(f"不支持的存储地址 {url!r}：应以 sqlite://、postgresql+psycopg:// 或 memory:// 开头",
             f"unsupported store URL {url!r}: use sqlite://, postgresql+psycopg:// or memory://")
    )
