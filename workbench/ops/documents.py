"""`workbench remove` and `workbench split`: taking documents out of a project, and moving
them between splits (a document corrected in the screen can become dev or test data).

Both only do what they are told: the documents are named (ids, splits, import batches,
statuses, a seeded sample of them), one transaction changes them, and the revisions stay.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.store import transaction
from workbench.store.documents import SPLITS, STATUSES
from workbench.store.selection import move_documents, remove_documents, select_documents, statuses


@dataclass(frozen=True)
class Selection:
    """Documents named on the command line; every criterion given must hold."""

    ids: Sequence[str] = ()
    splits: Sequence[str] = ()
    import_ids: Sequence[int] = ()
    statuses: Sequence[str] = ()
    sample: int | None = None  # this many of them, drawn with ``seed``
    seed: int = 0

    def check(self) -> None:
        if not (self.ids or self.splits or self.import_ids):
            raise WorkbenchError("name the documents: ids, --split (--from) or --import")
        for split in self.splits:
            if split not in SPLITS:
                raise WorkbenchError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
        for status in self.statuses:
            if status not in STATUSES:
                raise WorkbenchError(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
        if self.sample is not None and self.sample < 1:
            raise WorkbenchError("--sample must be at least 1")

    def resolve(self, conn: sqlite3.Connection) -> list[int]:
        """The documents' numbers: by id, or else every one of the splits and batches."""
        try:
            if self.ids:
                chosen = set(select_documents(conn, ids=self.ids))
            else:
                chosen = set(select_documents(conn, splits=self.splits, import_ids=self.import_ids))
        except KeyError as exc:
            raise WorkbenchError(f"no document {exc.args[0]} in the project") from None
        if self.ids and (self.splits or self.import_ids):
            chosen &= set(select_documents(conn, splits=self.splits, import_ids=self.import_ids))
        if self.statuses:
            chosen = {d for d, s in statuses(conn, sorted(chosen)).items() if s in self.statuses}
        found = sorted(chosen)
        if self.sample is not None:
            if self.sample > len(found):
                raise WorkbenchError(
                    f"--sample {self.sample:,} but only {len(found):,} documents match"
                )
            found = sorted(random.Random(self.seed).sample(found, self.sample))
        return found


def remove_from_project(
    project: Project, ids: Sequence[str], splits: Sequence[str], import_ids: Sequence[int]
) -> int:
    """Mark documents removed, by id, split or import batch; the revisions stay."""
    if not (ids or splits or import_ids):
        raise WorkbenchError("name documents to remove: ids, --split or --import")
    for split in splits:
        if split not in SPLITS:
            raise WorkbenchError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
    conn = project.connect()
    try:
        with transaction(conn):
            try:
                chosen = select_documents(conn, ids=ids, splits=splits, import_ids=import_ids)
            except KeyError as exc:
                raise WorkbenchError(f"no document {exc.args[0]} in the project") from None
            return remove_documents(conn, chosen)
    finally:
        conn.close()


@dataclass
class Moved:
    split: str
    matched: int = 0
    from_splits: dict[str, int] = field(default_factory=dict)
    not_gold: int = 0  # moved into dev or test without being accepted: not scored on

    @property
    def moved(self) -> int:
        return sum(self.from_splits.values())


def move_to_split(project: Project, split: str, selection: Selection) -> Moved:
    """Put the selected documents in ``split``, in one transaction."""
    if split not in SPLITS:
        raise WorkbenchError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
    selection.check()
    conn = project.connect()
    try:
        with transaction(conn):
            chosen = selection.resolve(conn)
            if not chosen:
                raise WorkbenchError("no documents match")
            result = Moved(split, len(chosen))
            if split in ("dev", "test"):
                result.not_gold = sum(s != "accepted" for s in statuses(conn, chosen).values())
            result.from_splits = move_documents(conn, chosen, split)
            return result
    finally:
        conn.close()
