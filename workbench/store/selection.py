"""Which documents: named by id (a PMID, or ``#N``), split, import batch or status; moving
them between splits, removing them (their revisions stay), and finding text across them."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def remove_documents(conn: sqlite3.Connection, ids: Sequence[int]) -> int:
    """Mark documents removed (their revisions stay); the caller holds the transaction."""
    removed = 0
    for i in range(0, len(ids), 500):
        part = list(ids[i : i + 500])
        cur = conn.execute(
            "UPDATE documents SET removed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),"
            f" updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
            f" WHERE removed_at IS NULL AND id IN ({','.join('?' * len(part))})",
            part,
        )
        removed += cur.rowcount
    return removed


def select_documents(
    conn: sqlite3.Connection,
    *,
    ids: Sequence[str] = (),
    splits: Sequence[str] = (),
    import_ids: Sequence[int] = (),
) -> list[int]:
    """Live document ids named by their own id (a PMID) or, as ``#N``, by the project's
    number; by split; or by import batch."""
    found: set[int] = set()
    for ident in ids:
        if ident.startswith("#") and ident[1:].isdigit():
            sql, arg = "id = ?", int(ident[1:])
        else:
            sql, arg = "external_id = ?", ident  # type: ignore[assignment]
        rows = conn.execute(
            f"SELECT id FROM documents WHERE removed_at IS NULL AND {sql}", (arg,)
        ).fetchall()
        if not rows:
            raise KeyError(ident)
        found.update(int(r[0]) for r in rows)
    for split in splits:
        found.update(
            int(r[0])
            for r in conn.execute(
                "SELECT id FROM documents WHERE removed_at IS NULL AND split = ?", (split,)
            )
        )
    for imp in import_ids:
        found.update(
            int(r[0])
            for r in conn.execute(
                "SELECT id FROM documents WHERE removed_at IS NULL AND import_id = ?", (imp,)
            )
        )
    return sorted(found)


def find_document(conn: sqlite3.Connection, ident: str) -> int | None:
    """A live document's number from its own id (a PMID) or ``#N`` (or N) for the number."""
    ident = ident.strip()
    try:
        (found,) = select_documents(conn, ids=[ident])[:1]
        return found
    except (KeyError, ValueError):
        pass
    if ident.isdigit():
        row = conn.execute(
            "SELECT id FROM documents WHERE id = ? AND removed_at IS NULL", (int(ident),)
        ).fetchone()
        return None if row is None else int(row[0])
    return None


def move_documents(conn: sqlite3.Connection, ids: Sequence[int], split: str) -> dict[str, int]:
    """Put documents in ``split``; how many came from each other split. The caller holds
    the transaction."""
    moved: dict[str, int] = {}
    for i in range(0, len(ids), 500):
        part = list(ids[i : i + 500])
        marks = ",".join("?" * len(part))
        for old, n in conn.execute(
            f"SELECT split, COUNT(*) FROM documents WHERE split != ? AND id IN ({marks})"
            " GROUP BY split",
            [split, *part],
        ):
            moved[old] = moved.get(old, 0) + int(n)
        conn.execute(
            f"UPDATE documents SET split = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
            f" WHERE split != ? AND id IN ({marks})",
            [split, split, *part],
        )
    return moved


def statuses(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, str]:
    """Each document's status."""
    out: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        part = list(ids[i : i + 500])
        marks = ",".join("?" * len(part))
        for doc, status in conn.execute(
            f"SELECT id, status FROM documents WHERE id IN ({marks})", part
        ):
            out[int(doc)] = str(status)
    return out


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def search_matches(
    conn: sqlite3.Connection, needle: str, limit: int = 200, context: int = 120
) -> list[tuple[int, str | None, str, str, int, int, str, int]]:
    """Live documents whose text holds ``needle`` (case ignored for ASCII letters, as
    SQLite's ``lower`` ignores it), in the project's order, each with where the first match
    is and the text around it, so a long document's text never leaves the database:
    (number, own id, split, status, match offset, window offset, window, text length).
    Offsets count characters from 0, as Python's do."""
    if not needle:
        return []
    like = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # LIKE (case ignored for ASCII letters too) picks the documents fast; instr, on those
    # only, says where (it agrees: the outer WHERE only guards against a PRAGMA)
    rows = conn.execute(
        "SELECT id, external_id, split, status, at - 1,"
        " max(0, at - 1 - :context), substr(text, max(1, at - :context), :window), length(text)"
        " FROM (SELECT id, external_id, split, status, text, instr(lower(text), :needle) AS at"
        "       FROM documents WHERE removed_at IS NULL AND text LIKE :like ESCAPE '\\'"
        "       ORDER BY id LIMIT :limit)"
        " WHERE at > 0 ORDER BY id",
        {
            "like": f"%{like}%",
            "needle": needle.translate(_ASCII_LOWER),
            "context": context,
            "window": 2 * context + len(needle),
            "limit": limit,
        },
    ).fetchall()
    return [
        (int(r[0]), r[1], str(r[2]), str(r[3]), int(r[4]), int(r[5]), str(r[6]), int(r[7]))
        for r in rows
    ]
