"""Saves revisions on a thread of its own, in the order they were made.

Every edit is committed when it is made, but a `retrain` in another process may
hold the database's write lock for a moment: the screen hands the write over
and goes on answering keys. Each save names the revision it builds on; when another
session saved the document in between, the save is refused and reported as a conflict,
and the document's later saves (built on the refused one) wait for the user's choice.
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
from workbench.store.documents import StaleRevision, append_revision


@dataclass(frozen=True)
class Save:
    document_id: int
    spans: list[Span]
    kind: str  # draft, accepted, skipped
    status: str
    meta: dict[str, Any] = field(default_factory=dict)
    base_revision: int | None = None
    author: str | None = None
    line: bool = False  # on the author's own line of a double-annotated document
    adjudicates: tuple[int, ...] | None = None  # the annotators' revisions it settles


class RevisionWriter:
    def __init__(
        self,
        db_path: Path,
        on_error: Callable[[Save, Exception], None],
        on_conflict: Callable[[Save, StaleRevision], None] | None = None,
    ):
        self._db_path = db_path
        self._on_error = on_error
        self._on_conflict = on_conflict
        self._conflicted: set[int] = set()  # documents whose saves wait for the user
        self._lock = threading.Lock()
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

    def resolved(self, document_id: int) -> None:
        """The user chose (reload, or keep both): the document's saves go through again."""
        with self._lock:
            self._conflicted.discard(document_id)

    def _run(self) -> None:
        conn: sqlite3.Connection = connect(self._db_path)
        try:
            while True:
                got = self._queue.get()
                if got is None:
                    self._queue.task_done()
                    return
                item: Save = got
                try:
                    with self._lock:
                        if item.document_id in self._conflicted:
                            continue  # built on a refused save: the user's choice decides
                    append_revision(
                        conn,
                        item.document_id,
                        item.spans,
                        kind=item.kind,
                        origin="user",
                        status=item.status,
                        meta=item.meta,
                        base_revision=item.base_revision,
                        author=item.author,
                        line=item.line,
                        adjudicates=item.adjudicates,
                    )
                except StaleRevision as exc:
                    with self._lock:
                        self._conflicted.add(item.document_id)
                    if self._on_conflict is not None:
                        self._on_conflict(item, exc)
                    else:
                        self._on_error(item, exc)
                except Exception as exc:  # reported to the screen, never lost silently
                    self._on_error(item, exc)
                finally:
                    self._queue.task_done()
        finally:
            conn.close()
