"""Opening a store by URL."""

from __future__ import annotations

from partyflow.errors import Text, UsageError
from partyflow.limits import text_problem
from partyflow.stores.base import Store
from partyflow.stores.memory import MemoryStore


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
            raise UsageError(Text(f"内存存储没有参数：应为 memory://，实际为 {url!r}",
                                  f"the memory store takes no parameters: use memory://, "
                                  f"got {url!r}"))
        return MemoryStore()
    if url.startswith(("sqlite", "postgresql")):
        from partyflow.stores.sql import SqlStore

        return SqlStore(url, read_only=read_only)
    raise UsageError(
        Text(f"不支持的存储地址 {url!r}：应以 sqlite://、postgresql+psycopg:// 或 memory:// 开头",
             f"unsupported store URL {url!r}: use sqlite://, postgresql+psycopg:// or memory://")
    )
