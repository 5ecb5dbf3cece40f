"""The rounds and models tables: recorded so that a kill or a failure never changes the active
model. Rows come back as dataclasses; `RoundRecord` is the one read model of a round that
`status` and the dashboard share."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from typing import Any

from workbench.store.db import transaction

_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


@dataclass(frozen=True)
class RoundRecord:
    id: int
    kind: str  # train, retrain
    strategy: str | None
    status: str  # running, done, failed
    phase: str  # training, scoring, done
    train_documents: int | None
    sentences: int | None
    metrics: dict[str, Any]  # headline P/R/F1/accuracy plus "dev", "test", "best_epoch"
    timings: dict[str, float]
    promoted: bool
    active: bool  # its model is the active one
    model_id: int | None
    error: str | None
    step: int
    total: int
    started_at: str
    finished_at: str | None

    @property
    def f1(self) -> float | None:
        f1 = self.metrics.get("f1")
        return float(f1) if isinstance(f1, int | float) else None


@dataclass(frozen=True)
class ModelRecord:
    id: int
    round_id: int | None
    path: str  # as stored: relative to the project root for models the project trained
    base_model: str
    metrics: dict[str, Any]
    active: bool
    created_at: str

    @property
    def f1(self) -> float | None:
        f1 = self.metrics.get("f1")
        return float(f1) if isinstance(f1, int | float) else None

    @property
    def dev_metrics(self) -> dict[str, Any]:
        dev = self.metrics.get("dev")
        return dev if isinstance(dev, dict) else self.metrics


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


def _model(row: sqlite3.Row) -> ModelRecord:
    return ModelRecord(
        id=int(row["id"]),
        round_id=row["round_id"],
        path=str(row["path"]),
        base_model=str(row["base_model"]),
        metrics=json.loads(row["metrics"] or "{}"),
        active=bool(row["is_active"]),
        created_at=str(row["created_at"]),
    )


def active_model(conn: sqlite3.Connection) -> ModelRecord | None:
    row = conn.execute("SELECT * FROM models WHERE is_active = 1").fetchone()
    return None if row is None else _model(row)


def list_models(conn: sqlite3.Connection) -> list[ModelRecord]:
    return [_model(r) for r in conn.execute("SELECT * FROM models ORDER BY id")]


def fail_round(conn: sqlite3.Connection, round_id: int, error: str) -> None:
    with transaction(conn):
        _fail(conn, round_id, error)


def _fail(conn: sqlite3.Connection, round_id: int, error: str) -> None:
    # Only a round still running can fail: a finished one is never rewritten.
    conn.execute(
        f"UPDATE rounds SET status = 'failed', error = ?, finished_at = {_NOW}"
        " WHERE id = ? AND status = 'running'",
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
            _set_active(conn, model_id)
        conn.execute(
            "UPDATE rounds SET status = 'done', phase = 'done', metrics = ?, timings = ?,"
            f" promoted = ?, finished_at = {_NOW} WHERE id = ?",
            (json.dumps(metrics), json.dumps(timings), int(activate), round_id),
        )
    return model_id


def _set_active(conn: sqlite3.Connection, model_id: int) -> None:
    conn.execute("UPDATE models SET is_active = 0 WHERE is_active = 1")
    conn.execute("UPDATE models SET is_active = 1 WHERE id = ?", (model_id,))


def activate_model(conn: sqlite3.Connection, model_id: int) -> ModelRecord | None:
    """Make a registered model the active one; None when there is no such model."""
    with transaction(conn):
        row = conn.execute("SELECT * FROM models WHERE id = ?", (model_id,)).fetchone()
        if row is None:
            return None
        _set_active(conn, model_id)
    return active_model(conn)


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
    try:
        with transaction(conn):  # read and update under one lock: a round finishing is safe
            stale = [
                (r[0], r[1])
                for r in conn.execute("SELECT id, pid FROM rounds WHERE status = 'running'")
                if r[1] is None or not _alive(int(r[1]))
            ]
            for round_id, pid in stale:
                _fail(conn, round_id, f"interrupted: process {pid} ended before it finished")
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc):
            raise
        return 0  # a read-only project: shown as running, left for a writer to settle
    return len(stale)


def registered_model_dirs(conn: sqlite3.Connection) -> set[str]:
    return {str(r[0]).rsplit("/", 1)[-1] for r in conn.execute("SELECT path FROM models")}


def list_rounds(conn: sqlite3.Connection) -> list[RoundRecord]:
    rows = conn.execute(
        "SELECT r.*, m.id AS model_id, m.is_active FROM rounds r"
        " LEFT JOIN models m ON m.round_id = r.id ORDER BY r.id"
    ).fetchall()
    return [
        RoundRecord(
            id=int(r["id"]),
            kind=str(r["kind"]),
            strategy=r["strategy"],
            status=str(r["status"]),
            phase=str(r["phase"]),
            train_documents=r["train_documents"],
            sentences=r["train_sentences"],
            metrics=json.loads(r["metrics"] or "{}"),
            timings=json.loads(r["timings"] or "{}"),
            promoted=bool(r["promoted"]),
            active=bool(r["is_active"]),
            model_id=r["model_id"],
            error=r["error"],
            step=int(r["progress_step"] or 0),
            total=int(r["progress_total"] or 0),
            started_at=str(r["started_at"]),
            finished_at=r["finished_at"],
        )
        for r in rows
    ]
