"""Numbered migrations, applied in order in one immediate transaction on every open."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources

from workbench.errors import StoreError

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


@cache
def _migrations() -> tuple[Migration, ...]:
    """Read once per process: every open checks them, the dashboard once a second."""
    root = resources.files("workbench.migrations")
    found = []
    for entry in root.iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, mig in enumerate(found, start=1):
        if mig.version != expected:
            raise RuntimeError(f"migrations are not numbered 1..n: {mig.name}")
    return tuple(found)


def load_migrations() -> list[Migration]:
    return list(_migrations())


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    conn: sqlite3.Connection, migrations: list[Migration], target: int | None = None
) -> int:
    """Bring the database to ``target`` (default: latest); return the version it ends at.

    The connection must be in autocommit mode (isolation_level=None). Every
    pending migration runs inside one BEGIN IMMEDIATE transaction, and the
    version is read again under that lock, so two processes opening a fresh
    database at once apply each migration exactly once.
    """
    latest = migrations[-1].version if migrations else 0
    target = latest if target is None else target
    current = user_version(conn)
    if current > latest:
        raise StoreError(
            f"the database has schema version {current}, newer than this workbench knows "
            f"({latest}); upgrade workbench to open it"
        )
    if current >= target:
        return current
    conn.execute("BEGIN IMMEDIATE")
    try:
        ensure_migrations_table(conn)
        current = user_version(conn)
        for mig in migrations:
            if current < mig.version <= target:
                for statement in split_statements(mig.sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    (mig.version, mig.name),
                )
                conn.execute(f"PRAGMA user_version = {mig.version}")
                current = mig.version
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return current


def ensure_migrations_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
    )


def split_statements(sql: str) -> list[str]:
    """Split a script into complete statements (triggers' inner ``;`` included)."""
    statements, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in buf.splitlines()
    ):
        raise RuntimeError(f"incomplete SQL statement in migration: {buf[:60]!r}")
    return statements
