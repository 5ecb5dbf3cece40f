from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from workbench.core import Document, Span, tokenize
from workbench.errors import StoreError
from workbench.store import SCHEMA_VERSION, open_db, transaction
from workbench.store.documents import insert_documents, iter_documents
from workbench.store.migrate import load_migrations, split_statements


def _doc(text: str, spans: list[Span]) -> Document:
    return Document(text, tokenize(text), spans)


def test_blank_database_gets_every_migration(tmp_path: Path) -> None:
    conn = open_db(tmp_path / "w.db")
    db = sqlite_utils.Database(conn)
    assert {"documents", "annotations", "spans", "rounds", "models", "imports"} <= set(
        db.table_names()
    )
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    applied = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]
    assert applied == list(range(1, SCHEMA_VERSION + 1))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000


def test_old_schema_is_migrated_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    conn = open_db(path, target=1)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "rounds" not in sqlite_utils.Database(conn).table_names()
    with transaction(conn):  # the rows version 1 wrote, as it wrote them
        conn.execute(
            "INSERT INTO imports (source, format, split, documents, spans)"
            " VALUES ('x', 'jsonl', 'train', 1, 1)"
        )
        conn.execute(
            "INSERT INTO documents (import_id, text, tokens, split, status, format)"
            " VALUES (1, 'Aspirin helps.', '[[0,7],[8,13],[13,14]]', 'train', 'accepted', 'jsonl')"
        )
        conn.execute(
            "INSERT INTO annotations (document_id, revision, kind, origin)"
            " VALUES (1, 1, 'gold', 'import:1')"
        )
        conn.execute(
            'INSERT INTO spans (annotation_id, position, start, "end", label, text)'
            " VALUES (1, 0, 0, 7, 'Chemical', 'Aspirin')"
        )
    conn.close()

    conn = open_db(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    (stored,) = list(iter_documents(conn))
    assert stored.document.spans == [Span(0, 7, "Chemical")]
    assert "rounds" in sqlite_utils.Database(conn).table_names()
    # 0004: revisions from before it read as having no suggestion record
    assert conn.execute("SELECT meta FROM annotations").fetchone()[0] == "{}"
    # 0005: documents from before it are live; an old import has no content hash
    assert conn.execute("SELECT removed_at FROM documents").fetchone()[0] is None
    assert conn.execute("SELECT content_hash FROM imports").fetchone()[0] is None


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    open_db(tmp_path / "w.db").close()
    conn = open_db(tmp_path / "w.db")
    assert conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == SCHEMA_VERSION


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    open_db(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    raw.close()
    with pytest.raises(StoreError, match="newer than this workbench knows"):
        open_db(path)


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match=r"not a workbench database|cannot open"):
        open_db(path)


def test_failed_migration_rolls_back(tmp_path: Path) -> None:
    from workbench.store.migrate import Migration, ensure_migrations_table, migrate

    conn = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    ensure_migrations_table(conn)
    good = Migration(1, "0001_a.sql", "CREATE TABLE a (x);")
    bad = Migration(2, "0002_b.sql", "CREATE TABLE b (x);\nINSERT INTO nope VALUES (1);")
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, [good, bad])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "a" not in tables and "b" not in tables


def test_annotations_are_append_only(tmp_path: Path) -> None:
    conn = open_db(tmp_path / "w.db")
    with transaction(conn):
        insert_documents(
            conn,
            [_doc("Aspirin helps.", [Span(0, 7, "Chemical")])],
            split="pool",
            fmt="text",
            source="x",
            status="new",
            kind="import",
        )
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE annotations SET kind = 'accepted'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM annotations")


def test_migration_files_are_numbered_and_split_cleanly() -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    trigger = "CREATE TRIGGER t BEFORE UPDATE ON a\nBEGIN SELECT RAISE(ABORT, 'x'); END;\n"
    assert split_statements("-- c\nCREATE TABLE a (x);\n" + trigger) == [
        "-- c\nCREATE TABLE a (x);",
        trigger.strip(),
    ]
