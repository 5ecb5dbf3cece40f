"""What `workbench status` and the dashboard pane show, as plain data (the CLI and the TUI
render it). Both read the rounds as `store.rounds.RoundRecord`: one read model of a round."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any

from workbench.ops.agreement import Agreement, agreement
from workbench.project import Label, Project
from workbench.store.annotators import awaiting_adjudication, double_documents
from workbench.store.counts import count_by_split_status, label_counts
from workbench.store.dictionary import DictionaryRecord, list_dictionaries
from workbench.store.migrate import user_version
from workbench.store.queue import queue
from workbench.store.rounds import (
    ModelRecord,
    RoundRecord,
    active_model,
    list_rounds,
    mark_stale_rounds,
)


@dataclass(frozen=True)
class ProjectStatus:
    root: str
    labels: list[Label]
    base_model: str
    counts: dict[tuple[str, str], int]
    entities: dict[tuple[str, str], int]
    active_model: ModelRecord | None
    schema_version: int
    rounds: list[RoundRecord]
    queue_size: int
    queue_head: list[tuple[int, float | None, str]]  # (document id, score, text snippet)
    double_documents: int = 0  # pool documents two annotators annotate independently
    awaiting_adjudication: int = 0
    dictionaries: list[DictionaryRecord] = field(default_factory=list)

    @property
    def total_documents(self) -> int:
        return sum(self.counts.values())


def project_status(project: Project) -> ProjectStatus:
    conn = project.connect()
    try:
        mark_stale_rounds(conn)
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
            active_model=active_model(conn),
            schema_version=user_version(conn),
            rounds=list_rounds(conn),
            queue_size=len(q),
            queue_head=head,
            double_documents=double_documents(conn),
            awaiting_adjudication=len(awaiting_adjudication(conn)),
            dictionaries=list_dictionaries(conn),
        )
    finally:
        conn.close()


@dataclass(frozen=True)
class DashboardData:
    rounds: list[RoundRecord]
    labels: list[str]
    active_metrics: dict[str, Any] | None  # the active model's dev metrics
    active_id: int | None = None
    curve: list[tuple[int, float]] = field(default_factory=list)  # (training sentences, dev F1)
    agreement: Agreement | None = None  # where documents are double-annotated

    @property
    def running(self) -> RoundRecord | None:
        return next((r for r in reversed(self.rounds) if r.status == "running"), None)


def load_dashboard(
    project: Project, conn: sqlite3.Connection, agreement: Agreement | None = None
) -> DashboardData:
    """Read on the dashboard's worker thread, through a connection that thread keeps (with
    the agreement measured last, when no revision was saved since)."""
    mark_stale_rounds(conn)
    rounds = list_rounds(conn)
    model = active_model(conn)
    curve = [
        (int(r.sentences), f1)
        for r in rounds
        if r.status == "done" and r.sentences is not None and (f1 := r.f1) is not None
    ]
    return DashboardData(
        rounds=rounds,
        labels=project.config.label_names,
        active_metrics=None if model is None else model.dev_metrics,
        active_id=None if model is None else model.id,
        curve=sorted(curve),
        agreement=agreement,
    )


class DashboardReader:
    """The dashboard's reads, polled every second: one connection, opened on first use and
    used by one worker at a time, whatever thread it runs on; closed with the screen."""

    def __init__(self, project: Project):
        self.project = project
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._agreement: tuple[int, Agreement | None] = (-1, None)

    def read(self) -> DashboardData:
        with self._lock:
            if self._conn is None:
                self._conn = self.project.connect(check_same_thread=False)
            return load_dashboard(self.project, self._conn, self._agreement_now(self._conn))

    def _agreement_now(self, conn: sqlite3.Connection) -> Agreement | None:
        """Measured again only after a save (the latest revision's row id moved)."""
        last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM annotations").fetchone()[0]
        if last != self._agreement[0]:
            found = None
            if double_documents(conn):
                found = agreement(conn, self.project.config.label_names)
            self._agreement = (last, found)
        return self._agreement[1]

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
