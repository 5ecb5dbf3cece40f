"""What the dashboard pane shows, read from the database in one go (off the screen's thread)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from workbench.project import Project
from workbench.store.models import active_model, list_rounds, mark_stale_rounds


@dataclass(frozen=True)
class RoundInfo:
    id: int
    kind: str
    status: str
    phase: str
    started_at: str
    sentences: int | None
    strategy: str | None
    metrics: dict[str, Any]
    promoted: bool
    active: bool
    error: str | None
    step: int
    total: int


@dataclass(frozen=True)
class DashboardData:
    rounds: list[RoundInfo]
    labels: list[str]
    active_metrics: dict[str, Any] | None  # the active model's dev metrics
    active_id: int | None = None
    curve: list[tuple[int, float]] = field(default_factory=list)  # (training sentences, dev F1)

    @property
    def running(self) -> RoundInfo | None:
        return next((r for r in reversed(self.rounds) if r.status == "running"), None)


def load_dashboard(project: Project) -> DashboardData:
    conn = project.connect()
    try:
        mark_stale_rounds(conn)
        rows = list_rounds(conn)
        model = active_model(conn)
    finally:
        conn.close()
    rounds = [
        RoundInfo(
            id=int(r["id"]),
            kind=str(r["kind"]),
            status=str(r["status"]),
            phase=str(r["phase"]),
            started_at=str(r["started_at"]),
            sentences=r["train_sentences"],
            strategy=r["strategy"],
            metrics=json.loads(r["metrics"] or "{}"),
            promoted=bool(r["promoted"]),
            active=bool(r["is_active"]),
            error=r["error"],
            step=int(r["progress_step"] or 0),
            total=int(r["progress_total"] or 0),
        )
        for r in rows
    ]
    curve = [
        (int(r.sentences), float(r.metrics["f1"]))
        for r in rounds
        if r.status == "done" and r.sentences is not None and "f1" in r.metrics
    ]
    active_metrics = None
    if model is not None:
        m = json.loads(model["metrics"])
        active_metrics = m.get("dev") if isinstance(m.get("dev"), dict) else m
    return DashboardData(
        rounds=rounds,
        labels=project.config.label_names,
        active_metrics=active_metrics,
        active_id=None if model is None else int(model["id"]),
        curve=sorted(curve),
    )
