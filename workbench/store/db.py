"""Opening a project database: WAL, foreign keys, busy timeout, migrations."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.errors import StoreError
from workbench.store.migrate import load_migrations, migrate, user_version

BUSY_TIMEOUT_S = 60.0
SCHEMA_VERSION = len(load_migrations())


def connect(
    path: str | Path,
    *,
    check_same_thread: bool = True,
    create: bool = True,
    readonly: bool = False,
) -> sqlite3.Connection:
    """A raw connection in autocommit mode with the project's pragmas, not migrated.

    ``create=False`` refuses a missing or empty file instead of making a new database there
    (only `init` creates one). ``readonly`` opens without writing anything, so that a
    project on a read-only disk can still be read. ``check_same_thread=False`` is for a
    connection that one worker at a time uses from whichever thread it runs on (the
    dashboard's poller)."""
    path = Path(path)
    if not create or readonly:
        if not path.exists():
            raise StoreError(f"{path}: the database is missing (`workbench init` makes a project)")
        if path.is_file() and path.stat().st_size == 0:
            raise StoreError(
                f"{path}: the database file is empty (0 bytes), not a workbench database"
            )
    conn = _open(path, check_same_thread, readonly)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path}: not a workbench database ({exc})") from None
    return conn


def _open(path: Path, check_same_thread: bool, readonly: bool) -> sqlite3.Connection:
    def sqlite(target: str, uri: bool = False) -> sqlite3.Connection:
        return sqlite3.connect(
            target,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,
            check_same_thread=check_same_thread,
            uri=uri,
        )

    if not readonly:
        return sqlite(str(path))
    uri = path.resolve().as_uri()
    try:  # read-only; a WAL database whose -shm cannot be made here is opened immutable
        conn = sqlite(f"{uri}?mode=ro", uri=True)
        conn.execute("PRAGMA user_version").fetchone()
        return conn
    except sqlite3.OperationalError:
        return sqlite(f"{uri}?mode=ro&immutable=1", uri=True)


def writable(path: Path) -> bool:
    """Whether this process may write the database (and the files SQLite puts beside it)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def open_db(
    path: str | Path,
    *,
    target: int | None = None,
    check_same_thread: bool = True,
    create: bool = True,
    readonly: bool = False,
) -> sqlite3.Connection:
    """Open and migrate to the latest schema (or to ``target`` in tests). A read-only
    connection is not migrated: it must already be at the latest schema."""
    conn = connect(path, check_same_thread=check_same_thread, create=create, readonly=readonly)
    try:
        if readonly:
            _check_version(conn, path)
        else:
            migrate(conn, load_migrations(), target)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path}: cannot open the database ({exc})") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _check_version(conn: sqlite3.Connection, path: str | Path) -> None:
    version = user_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the database has schema version {version}, newer than this workbench knows "
            f"({SCHEMA_VERSION}); upgrade workbench to open it"
        )
    if version < SCHEMA_VERSION:
        raise StoreError(
            f"{path}: read-only, and at schema version {version} (this workbench needs "
            f"{SCHEMA_VERSION}): open the project once where it can be written"
        )


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
