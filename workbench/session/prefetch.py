"""Suggestions computed on a thread ahead of the user: the open document first, then the next.

Moving on never waits on the model: by the time the user accepts, the next few
documents' suggestions are already in the cache.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

from workbench.core import Span
from workbench.ops.suggest import Suggester
from workbench.project import Project
from workbench.store.documents import load_revision, running_context

Ready = Callable[[int, list[Span], str], None]


class Prefetcher:
    def __init__(
        self,
        project: Project,
        suggester: Suggester,
        on_ready: Ready,
        on_error: Callable[[Exception], None],
    ):
        self.project = project
        self.suggester = suggester
        self._on_ready = on_ready
        self._on_error = on_error
        self.cache: dict[int, tuple[list[Span], str]] = {}
        self._wanted: list[int] = []
        self._stale: set[int] = set()
        self._reload = True
        self._stop = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="prefetch", daemon=True)
        self._thread.start()

    def want(self, ids: list[int]) -> None:
        """Documents to have suggestions for, most urgent first (replaces the last wish)."""
        with self._cond:
            self._wanted = list(ids)
            self._cond.notify()

    def reload_model(self) -> None:
        """A new model is active: load it and forget what the old one suggested."""
        with self._cond:
            self._reload = True
            self.cache.clear()
            self._stale.clear()
            self._cond.notify()

    def forget(self) -> None:
        """The lexicon learnt new entities: suggest again, serving the old ones meanwhile."""
        with self._cond:
            self._stale = set(self.cache)
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()

    def _next(self) -> int | None:
        with self._cond:
            while not self._stop:
                if self._reload:
                    return -1
                todo = [i for i in self._wanted if i not in self.cache or i in self._stale]
                if todo:
                    return todo[0]
                self._cond.wait()
            return None

    def _run(self) -> None:
        conn = None
        while True:
            job = self._next()
            if job is None:
                break
            try:
                if job == -1:
                    with self._cond:
                        self._reload = False
                    gc.unfreeze()  # an old model's objects can be collected again
                    self.suggester.load()
                    gc.collect()
                    # the model, the lexicon and the queue live as long as the screen: a full
                    # collection scanning them paused a key press by 40-90 ms
                    gc.freeze()
                    continue
                if conn is None:
                    conn = self.project.connect()
                doc = load_revision(conn, job).stored.document
                doc.context = running_context(conn, job, self.suggester.context)
                (spans,) = self.suggester.suggest([doc])
                origin = self.suggester.origin
                with self._cond:
                    self.cache[job] = (spans, origin)
                    self._stale.discard(job)
                self._on_ready(job, spans, origin)
            except Exception as exc:  # shown on the screen; the document stays usable
                with self._cond:
                    self.cache.setdefault(job, ([], "none"))
                    self._stale.discard(job)
                self._on_error(exc)
        if conn is not None:
            conn.close()
