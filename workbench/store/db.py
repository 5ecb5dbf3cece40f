"""Opening a project database: WAL, foreign keys, busy timeout, migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.errors import StoreError
from workbench.store.migrate import load_migrations, migrate

BUSY_TIMEOUT_S = 60.0
SCHEMA_VERSION = len(load_migrations())


def connect(path: str | Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A raw connection in autocommit mode with the project's pragmas, not migrated.

    ``check_same_thread=False`` is for a connection that one worker at a time uses from
    whichever thread it runs on (the dashboard's poller)."""
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_S,
        isolation_level=None,
        check_same_thread=check_same_thread,
    )
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path}: not a workbench database ({exc})") from exc
    return conn


def open_db(
    path: str | Path, *, target: int | None = None, check_same_thread: bool = True
) -> sqlite3.Connection:
    """Open (creating if needed) and migrate to the latest schema, or to ``target`` in tests."""
    conn = connect(path, check_same_thread=check_same_thread)
    try:
        migrate(conn, load_migrations(), target)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path}: cannot open the database ({exc})") from exc
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock up front.

    BEGIN IMMEDIATE waits on the busy timeout; a deferred transaction that
    later upgrades to a write fails at once with "database is locked" in WAL.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (disk full, ...)
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
