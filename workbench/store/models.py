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


def fail_round(conn: sqlite3.Connection, round_id: int, error: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE rounds SET status = 'failed', error = ?,"
            " finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
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
) -> int:
    """Register the model and close the round in one transaction; return the model id."""
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO models (round_id, path, base_model, metrics) VALUES (?, ?, ?, ?)",
            (round_id, model_path, base_model, json.dumps(metrics)),
        )
        model_id = int(cur.lastrowid or 0)
        if activate:
            conn.execute("UPDATE models SET is_active = 0 WHERE is_active = 1")
            conn.execute("UPDATE models SET is_active = 1 WHERE id = ?", (model_id,))
        conn.execute(
            "UPDATE rounds SET status = 'done', metrics = ?, timings = ?,"
            " finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
            (json.dumps(metrics), json.dumps(timings), round_id),
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
    stale = [
        (r[0], r[1])
        for r in conn.execute("SELECT id, pid FROM rounds WHERE status = 'running'")
        if r[1] is None or not _alive(int(r[1]))
    ]
    for round_id, pid in stale:
        fail_round(conn, round_id, f"interrupted: process {pid} ended before the round finished")
    return len(stale)


def list_rounds(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT r.*, m.id AS model_id, m.is_active FROM rounds r"
        " LEFT JOIN models m ON m.round_id = r.id ORDER BY r.id"
    ).fetchall()
