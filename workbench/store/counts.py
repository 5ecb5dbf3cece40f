"""Counts over the project: documents by split and status, entities by label, rows by
table, and when documents were accepted (status, the dashboard, the screen's ETA)."""

from __future__ import annotations

import sqlite3


def count_by_split_status(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    return {
        (r[0], r[1]): r[2]
        for r in conn.execute(
            "SELECT split, status, COUNT(*) FROM documents WHERE removed_at IS NULL"
            " GROUP BY split, status"
        )
    }


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Row counts of every table, to show (and test) that a failed import changed nothing."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in sorted(names)}


def label_counts(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    """Entities per (split, label) in the current revision of every document."""
    return {
        (r[0], r[1]): r[2]
        for r in conn.execute(
            "SELECT d.split, s.label, COUNT(*) FROM current_annotations a"
            " JOIN documents d ON d.id = a.document_id AND d.removed_at IS NULL"
            " JOIN spans s ON s.annotation_id = a.id GROUP BY d.split, s.label"
        )
    }


def accept_times(conn: sqlite3.Connection) -> list[float]:
    """When each user acceptance was saved (seconds since the epoch), oldest first."""
    rows = conn.execute(
        "SELECT (julianday(created_at) - 2440587.5) * 86400.0"
        " FROM annotations WHERE kind = 'accepted' AND origin = 'user' ORDER BY id"
    ).fetchall()
    return [float(r[0]) for r in rows]
