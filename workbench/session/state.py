"""One annotate session: the queue, the open drafts, and undo/redo across documents.

No Textual here: the screen calls these methods and hands the `Save`s they
return to the revision writer.
"""

from __future__ import annotations

import contextlib
import getpass
import itertools
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from workbench.core.concepts import ConceptIndex
from workbench.project import Project
from workbench.session.draft import Draft, Snapshot
from workbench.session.writer import Save
from workbench.store.annotators import apply_double_share
from workbench.store.counts import accept_times
from workbench.store.documents import load_revision
from workbench.store.queue import queue, review_order
from workbench.store.selection import find_document

MAX_GAP_S = 15 * 60


def default_annotator() -> str:
    """Who saves: the login name, unless `annotate --annotator NAME` says otherwise."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"  # a longer pause between two acceptances is a break, not work


@dataclass(frozen=True)
class Review:
    """`annotate --review`: documents already done, filtered, instead of the pool's queue."""

    splits: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("accepted",)
    label: str | None = None
    author: str | None = None
    # only these documents, in this order (`--disagree`: where the model differs, most first)
    only: tuple[int, ...] | None = None

    def describe(self) -> str:
        parts = [
            "/".join(self.statuses) or "every status",
            "in " + "/".join(self.splits) if self.splits else "",
            f"with {self.label}" if self.label else "",
            f"by {self.author}" if self.author else "",
            "where the model disagrees" if self.only is not None else "",
        ]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Change:
    document_id: int
    before: Snapshot
    after: Snapshot


class Session:
    def __init__(
        self,
        project: Project,
        conn: sqlite3.Connection,
        annotator: str | None = None,
        review: Review | None = None,
    ):
        self.project = project
        self.conn = conn
        self.annotator = annotator or default_annotator()
        self.review = review
        # the project's double-annotation share, for documents nobody has touched yet; on a
        # read-only or busy database it applies at the next session
        with contextlib.suppress(sqlite3.OperationalError):
            apply_double_share(conn, project.config.double_annotation)
        if review is not None:
            self.order = review_order(
                conn, review.splits, review.statuses, review.label, review.author
            )
            if review.only is not None:
                chosen = set(self.order)
                self.order = [i for i in review.only if i in chosen]
        else:
            self.order = [doc_id for doc_id, _ in queue(conn, annotator=self.annotator)]
        self.reviewed: set[int] = set()  # review: accepted or skipped in this session
        self.pos = 0
        self.drafts: dict[int, Draft] = {}
        self.undo_stack: list[Change] = []
        self.redo_stack: list[Change] = []
        # the dictionaries, once loaded off the screen's thread (the screen says where)
        self.concepts: Callable[[], ConceptIndex | None] = lambda: None
        # read once: this session's acceptances are added as they happen, not re-read
        self.accept_times = accept_times(conn)

    # -- the queue -----------------------------------------------------------

    @property
    def empty(self) -> bool:
        return not self.order

    def draft(self, pos: int | None = None) -> Draft:
        doc_id = self.order[self.pos if pos is None else pos]
        if doc_id not in self.drafts:
            self._keep(Draft.from_revision(load_revision(self.conn, doc_id, self.annotator)))
        return self.drafts[doc_id]

    def done(self, doc_id: int) -> bool:
        if self.review is not None:
            return doc_id in self.reviewed
        d = self.drafts.get(doc_id)
        return d is not None and d.status in ("accepted", "skipped")

    def remaining(self) -> int:
        return sum(1 for i in self.order if not self.done(i))

    @property
    def finished(self) -> bool:
        return not self.empty and self.remaining() == 0

    def notice(self) -> str:
        """What the screen says instead of a document, when the queue has none to show."""
        if self.empty and self.review is not None:
            return f"No documents to review ({self.review.describe()}).\n\nq quits."
        if self.empty:
            return (
                "No documents to annotate in this project.\n\n"
                "Import some into the pool, for example:\n"
                "  workbench import abstracts.txt --split pool\n\nq quits."
            )
        if self.finished and self.review is not None:
            return (
                f"Reviewed all {len(self.order)} documents ({self.review.describe()}).\n"
                "n and p go back to any of them; q quits."
            )
        if self.finished:
            return (
                f"Done: all {len(self.order)} documents of the queue are accepted or skipped.\n"
                "R starts a retrain round; n and p go back to any of them; q quits."
            )
        return ""

    def upcoming(self, n: int = 3) -> list[int]:
        """The open document, then the next ones still to do: what to prefetch."""
        if self.empty:
            return []
        rest = [i for i in self.order[self.pos + 1 :] if not self.done(i)]
        return [self.order[self.pos], *rest[:n]]

    def find(self, ident: str) -> int | None:
        """A document's number from its own id (a PMID), or from #N / N."""
        return find_document(self.conn, ident)

    def open(self, doc_id: int) -> None:
        """Show a document by its number: in the queue where it is, else (an accepted or a
        skipped one, a document of another split) right after the open one."""
        if doc_id not in self.order:
            self.order.insert(self.pos + 1 if self.order else 0, doc_id)
        self.pos = self.order.index(doc_id)

    def go(self, delta: int) -> bool:
        new = max(0, min(len(self.order) - 1, self.pos + delta))
        moved = new != self.pos
        self.pos = new
        return moved

    def go_next_todo(self) -> bool:
        """After accept or skip: the next document still to do, wrapping round."""
        n = len(self.order)
        for k in range(1, n + 1):
            p = (self.pos + k) % n
            if not self.done(self.order[p]):
                self.pos = p
                return True
        return False

    def reorder(self) -> None:
        """A round re-scored the pool: follow its order, keeping the open document first."""
        if self.review is not None:
            return  # a review follows its own filter, not the pool's scores
        current = self.order[self.pos] if self.order else None
        fresh = [doc_id for doc_id, _ in queue(self.conn, annotator=self.annotator)]
        seen = [i for i in self.order if self.done(i)]
        self.order = (
            [i for i in [current] if i is not None]
            + [i for i in fresh if i != current]
            + [i for i in seen if i != current]
        )
        self.pos = 0

    def _keep(self, draft: Draft) -> Draft:
        draft.lookup = self.concept
        self.drafts[draft.doc_id] = draft
        return draft

    def concept(self, text: str, label: str) -> str | None:
        """The one concept of ``label`` that ``text`` names in the project's dictionaries."""
        index = self.concepts()
        found = None if index is None else index.unique(text, label)
        return None if found is None else found.id

    # -- edits, with undo ----------------------------------------------------

    def edit(self, draft: Draft, action: Callable[[], bool]) -> Save | None:
        before = draft.snapshot()
        if not action():
            return None
        if draft.status == "new":
            draft.status = "draft"
        # a correction of an accepted (or skipped) document keeps its status
        kind = draft.status if draft.status in ("accepted", "skipped") else "draft"
        return self._record(draft, before, kind=kind)

    def close_document(self, draft: Draft, status: str) -> Save | None:
        """Accept or skip the open document: the revision to save, if its status changes.
        In a review, skipping leaves a document as it was (an accepted one stays accepted)."""
        self.reviewed.add(draft.doc_id)
        if draft.status == status or (self.review is not None and status == "skipped"):
            return None
        return self.set_status(draft, status)

    def set_status(self, draft: Draft, status: str) -> Save:
        before = draft.snapshot()
        draft.status = status
        draft.touched = True
        if status == "accepted":
            self.accept_times.append(time.time())
        return self._record(draft, before, kind=status)

    def _record(self, draft: Draft, before: Snapshot, kind: str) -> Save:
        self.undo_stack.append(Change(draft.doc_id, before, draft.snapshot()))
        self.redo_stack.clear()
        return self._save(draft, kind)

    def _save(self, draft: Draft, kind: str) -> Save:
        save = Save(
            draft.doc_id,
            draft.spans(),
            kind,
            draft.status,
            draft.revision_meta(),
            base_revision=draft.revision,
            author=self.annotator,
            line=draft.line,
        )
        draft.revision += 1  # the revision this save will be, if it goes through
        return save

    def reload(self, doc_id: int) -> Draft:
        """The document as it is stored now (after another session saved it)."""
        return self._keep(Draft.from_revision(load_revision(self.conn, doc_id, self.annotator)))

    def keep_both(self, doc_id: int) -> Save:
        """Another session's entities and this one's, as a new revision on top of theirs."""
        mine = self.drafts[doc_id]
        theirs = self._keep(Draft.from_revision(load_revision(self.conn, doc_id, self.annotator)))
        merged = list(theirs.entities)
        for e in mine.entities:
            if not any((x.first, x.last, x.label) == (e.first, e.last, e.label) for x in merged):
                merged.append(e)
        theirs.entities = sorted(merged, key=lambda e: (e.first, e.last))
        theirs.status = mine.status
        theirs.touched = True
        kind = theirs.status if theirs.status in ("accepted", "skipped") else "draft"
        return self._save(theirs, kind)

    def undo(self) -> Save | None:
        return self._step(self.undo_stack, self.redo_stack, lambda c: c.before)

    def redo(self) -> Save | None:
        return self._step(self.redo_stack, self.undo_stack, lambda c: c.after)

    def _step(
        self, src: list[Change], dst: list[Change], pick: Callable[[Change], Snapshot]
    ) -> Save | None:
        if not src:
            return None
        change = src.pop()
        dst.append(change)
        draft = self.drafts[change.document_id]
        draft.restore(pick(change))
        if change.document_id in self.order:
            self.pos = self.order.index(change.document_id)  # show what changed
        kind = draft.status if draft.status in ("accepted", "skipped") else "draft"
        return self._save(draft, kind)

    # -- the header's figures ------------------------------------------------

    def eta_seconds(self) -> float | None:
        """Median seconds per accepted document times what is left in the queue."""
        pairs = itertools.pairwise(self.accept_times)
        gaps = [b - a for a, b in pairs if 0 < b - a <= MAX_GAP_S]
        if not gaps:
            return None
        return statistics.median(gaps) * self.remaining()
