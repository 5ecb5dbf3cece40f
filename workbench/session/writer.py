"""Saves revisions on a thread of its own, in the order they were made.

Every edit is committed when it is made, but a `retrain` in another process may
hold the database's write lock for a moment: the screen hands the write over
and goes on answering keys.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core import Span
from workbench.store.db import connect
from workbench.store.documents import append_revision


@dataclass(frozen=True)
class Save:
    document_id: int
    spans: list[Span]
    kind: str  # draft, accepted, skipped
    status: str
    meta: dict[str, Any] = field(default_factory=dict)


class RevisionWriter:
    def __init__(self, db_path: Path, on_error: Callable[[Save, Exception], None]):
        self._db_path = db_path
        self._on_error = on_error
        self._queue: queue.Queue[Save | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="revision-writer", daemon=True)
        self._thread.start()

    def save(self, item: Save) -> None:
        self._queue.put(item)

    def flush(self) -> None:
        """Wait until everything handed over is committed."""
        self._queue.join()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        conn: sqlite3.Connection = connect(self._db_path)
        try:
            while True:
                item = self._queue.get()
                try:
                    if item is None:
                        return
                    append_revision(
                        conn,
                        item.document_id,
                        item.spans,
                        kind=item.kind,
                        origin="user",
                        status=item.status,
                        meta=item.meta,
                    )
                except Exception as exc:  # reported to the screen, never lost silently
                    self._on_error(item, exc)  # type: ignore[arg-type]
                finally:
                    self._queue.task_done()
        finally:
            conn.close()
