"""What `workbench status` shows, as plain data (the CLI and the TUI render it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from workbench.project import Label, Project
from workbench.store.documents import count_by_split_status, label_counts
from workbench.store.migrate import user_version
from workbench.store.models import active_model, list_rounds, mark_stale_rounds
from workbench.store.queue import queue


@dataclass(frozen=True)
class ActiveModel:
    id: int
    path: str
    base_model: str
    metrics: dict[str, Any]
    created_at: str


@dataclass(frozen=True)
class RoundRow:
    id: int
    kind: str
    strategy: str | None
    status: str
    train_documents: int | None
    f1: float | None
    started_at: str
    error: str | None
    active: bool


@dataclass(frozen=True)
class ProjectStatus:
    root: str
    labels: list[Label]
    base_model: str
    counts: dict[tuple[str, str], int]
    entities: dict[tuple[str, str], int]
    active_model: ActiveModel | None
    schema_version: int
    rounds: list[RoundRow]
    queue_size: int
    queue_head: list[tuple[int, float | None, str]]  # (document id, score, text snippet)

    @property
    def total_documents(self) -> int:
        return sum(self.counts.values())


def project_status(project: Project) -> ProjectStatus:
    conn = project.connect()
    try:
        mark_stale_rounds(conn)
        model = active_model(conn)
        q = queue(conn)
        head = []
        for doc_id, sc in q[:5]:
            text = conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
            head.append((doc_id, sc, text[:70].replace("\n", " ")))
        return ProjectStatus(
            root=str(project.root),
            labels=project.config.labels,
            base_model=project.config.base_model,
            counts=count_by_split_status(conn),
            entities=label_counts(conn),
            active_model=None
            if model is None
            else ActiveModel(
                model["id"],
                model["path"],
                model["base_model"],
                json.loads(model["metrics"]),
                model["created_at"],
            ),
            schema_version=user_version(conn),
            rounds=[
                RoundRow(
                    r["id"],
                    r["kind"],
                    r["strategy"],
                    r["status"],
                    r["train_documents"],
                    json.loads(r["metrics"]).get("f1"),
                    r["started_at"],
                    r["error"],
                    bool(r["is_active"]),
                )
                for r in list_rounds(conn)
            ],
            queue_size=len(q),
            queue_head=head,
        )
    finally:
        conn.close()
