"""Rounds and models: recorded so that a kill or a failure never changes the active model."""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

from workbench.store.db import transaction


def start_round(
    conn: sqlite3.Connection, kind: str, strategy: str | None, sizes: dict[str, int]
) -> int:
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO rounds (kind, strategy, status, train_documents, train_sentences,"
            " train_tokens, pid) VALUES (?, ?, 'running', ?, ?, ?, ?)",
            (
                kind,
                strategy,
                sizes.get("documents"),
                sizes.get("sentences"),
                sizes.get("tokens"),
                os.getpid(),
            ),
        )
    return int(cur.lastrowid or 0)


def set_progress(conn: sqlite3.Connection, round_id: int, step: int, total: int) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE rounds SET progress_step = ?, progress_total = ? WHERE id = ?",
            (step, total, round_id),
        )


def set_phase(conn: sqlite3.Connection, round_id: int, phase: str) -> None:
    with transaction(conn):
        conn.execute("UPDATE rounds SET phase = ? WHERE id = ?", (phase, round_id))


def active_model(conn: sqlite3.Connection) -> sqlite3.Row | None:
    """The active model's row (id, path, base_model, metrics, created_at), if any."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT id, path, base_model, metrics, created_at FROM models WHERE is_active = 1"
    ).fetchone()
    return row


def active_dev_f1(conn: sqlite3.Connection) -> float | None:
    row = active_model(conn)
    f1 = None if row is None else json.loads(row["metrics"]).get("f1")
    return float(f1) if isinstance(f1, int | float) else None


def active_model_path(conn: sqlite3.Connection) -> str | None:
    """As stored: relative to the project root for models the project trained."""
    row = active_model(conn)
    return None if row is None else str(row["path"])


def fail_round(conn: sqlite3.Connection, round_id: int, error: str) -> None:
    with transaction(conn):
        _fail(conn, round_id, error)


def _fail(conn: sqlite3.Connection, round_id: int, error: str) -> None:
    # Only a round still running can fail: a finished one is never rewritten.
    conn.execute(
        "UPDATE rounds SET status = 'failed', error = ?,"
        " finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? AND status = 'running'",
        (error, round_id),
    )


def finish_round(
    conn: sqlite3.Connection,
    round_id: int,
    *,
    metrics: dict[str, Any],
    timings: dict[str, float],
    model_path: str,
    base_model: str,
    activate: bool,
    scores: list[tuple[int, float]] | None = None,
    strategy: str = "",
) -> int:
    """Register the model, store the queue scores and close the round in one transaction."""
    with transaction(conn):
        if scores:
            conn.executemany(
                "INSERT INTO queue_scores (round_id, document_id, strategy, score)"
                " VALUES (?, ?, ?, ?)",
                [(round_id, doc_id, strategy, score) for doc_id, score in scores],
            )
        cur = conn.execute(
            "INSERT INTO models (round_id, path, base_model, metrics) VALUES (?, ?, ?, ?)",
            (round_id, model_path, base_model, json.dumps(metrics)),
        )
        model_id = int(cur.lastrowid or 0)
        if activate:
            conn.execute("UPDATE models SET is_active = 0 WHERE is_active = 1")
            conn.execute("UPDATE models SET is_active = 1 WHERE id = ?", (model_id,))
        conn.execute(
            "UPDATE rounds SET status = 'done', phase = 'done', metrics = ?, timings = ?,"
            " promoted = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
            (json.dumps(metrics), json.dumps(timings), int(activate), round_id),
        )
    return model_id


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_stale_rounds(conn: sqlite3.Connection) -> int:
    """Rounds left 'running' by a process that is gone become 'failed'; return how many."""
    if conn.execute("SELECT 1 FROM rounds WHERE status = 'running' LIMIT 1").fetchone() is None:
        return 0  # the common case: no write lock taken
    with transaction(conn):  # read and update under one lock: a round finishing now is safe
        stale = [
            (r[0], r[1])
            for r in conn.execute("SELECT id, pid FROM rounds WHERE status = 'running'")
            if r[1] is None or not _alive(int(r[1]))
        ]
        for round_id, pid in stale:
            _fail(conn, round_id, f"interrupted: process {pid} ended before the round finished")
    return len(stale)


def registered_model_dirs(conn: sqlite3.Connection) -> set[str]:
    return {str(r[0]).rsplit("/", 1)[-1] for r in conn.execute("SELECT path FROM models")}


def list_rounds(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT r.*, m.id AS model_id, m.is_active FROM rounds r"
        " LEFT JOIN models m ON m.round_id = r.id ORDER BY r.id"
    ).fetchall()
