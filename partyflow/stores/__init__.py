"""Persistence: the ``Store`` interface, the in-memory store, and the SQL store (SQLite,
PostgreSQL) with its Alembic migrations."""

from partyflow.stores.base import Store
from partyflow.stores.memory import MemoryStore
from partyflow.stores.open import open_store

__all__ = ["MemoryStore", "Store", "open_store"]
