"""The annotation queue: unlabelled pool documents, most uncertain first."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from workbench.store.annotators import todo_for
from workbench.store.documents import document_filters


def latest_scored_round(conn: sqlite3.Connection) -> int | None:
    row = conn.execute(
        "SELECT MAX(q.round_id) FROM queue_scores q JOIN rounds r ON r.id = q.round_id"
        " WHERE r.status = 'done'"
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def queue(
    conn: sqlite3.Connection, limit: int | None = None, annotator: str | None = None
) -> list[tuple[int, float | None]]:
    """(document id, score) of pool documents still to do: scored ones by score, then the rest
    in import order. A double-annotated document is to do for an ``annotator`` who has not
    finished it while it still needs annotators (without one: while it needs any)."""
    latest = latest_scored_round(conn)
    rows = conn.execute(
        "SELECT d.id, q.score, d.annotators FROM documents d"
        " LEFT JOIN queue_scores q ON q.document_id = d.id AND q.round_id = ?"
        " WHERE d.split = 'pool' AND d.status IN ('new', 'draft') AND d.removed_at IS NULL"
        " ORDER BY q.score IS NULL, q.score DESC, d.id",
        (latest,),
    ).fetchall()
    open_doubles = todo_for(conn, annotator or "") if any(r[2] >= 2 for r in rows) else set[int]()
    out = [
        (int(r[0]), None if r[1] is None else float(r[1]))
        for r in rows
        if r[2] < 2 or r[0] in open_doubles
    ]
    return out if limit is None else out[:limit]


def review_order(
    conn: sqlite3.Connection,
    splits: Sequence[str] = (),
    statuses: Sequence[str] = ("accepted",),
    label: str | None = None,
    author: str | None = None,
) -> list[int]:
    """Documents to review, in the project's order: of these splits (all when none) and
    statuses, with an entity of ``label`` in their latest revision, with a revision by
    ``author``."""
    where, chosen = document_filters(splits, statuses)
    sql = ["SELECT d.id FROM documents d", where]
    params: list[object] = list(chosen)
    if label is not None:
        sql.append(
            "AND EXISTS (SELECT 1 FROM current_annotations a JOIN spans s"
            " ON s.annotation_id = a.id WHERE a.document_id = d.id AND s.label = ?)"
        )
        params.append(label)
    if author is not None:
        sql.append(
            "AND EXISTS (SELECT 1 FROM annotations b WHERE b.document_id = d.id AND b.author = ?)"
        )
        params.append(author)
    return [int(r[0]) for r in conn.execute(" ".join(sql) + " ORDER BY d.id", params)]
