"""SQLite: open, migrate, queries. The only package that writes SQL."""

from __future__ import annotations

from workbench.store.db import SCHEMA_VERSION, open_db, transaction

__all__ = ["SCHEMA_VERSION", "open_db", "transaction"]
