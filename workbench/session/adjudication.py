"""Adjudication: two annotators' entities of one document side by side, their differences
settled one by one, the result saved as the adjudicated revision.

Entities both annotators gave (same offsets, label and concept id) are kept as they are.
The others fall into differences: groups of entities that overlap one another. For each,
the adjudicator takes the first annotator's, the second's, both, or neither.
No Textual here: the adjudication screen maps keys to these methods.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field

from workbench.core import Document, Span
from workbench.core.spans import entity_identity
from workbench.core.tokenize import token_span
from workbench.session.draft import Draft, Entity
from workbench.session.writer import Save
from workbench.store.annotators import Line, finished, lines
from workbench.store.documents import load_revision, spans_of

CHOICES = ("first", "second", "both", "neither")


@dataclass
class Difference:
    start: int  # the characters its entities cover
    end: int
    first: list[Span]
    second: list[Span]
    choice: str | None = None

    def taken(self) -> list[Span]:
        """The entities its choice keeps (none while undecided)."""
        if self.choice == "first":
            return self.first
        if self.choice == "second":
            return self.second
        if self.choice == "both":
            have = {entity_identity(s) for s in self.first}
            return self.first + [s for s in self.second if entity_identity(s) not in have]
        return []


@dataclass
class Adjudication:
    doc_id: int
    document: Document
    first: Line
    second: Line
    base_revision: int  # the document's latest revision when it was opened
    agreed: list[Span] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    current: int = 0

    @classmethod
    def build(
        cls,
        doc_id: int,
        document: Document,
        first: tuple[Line, list[Span]],
        second: tuple[Line, list[Span]],
        base_revision: int,
    ) -> Adjudication:
        a, b = first[1], second[1]
        common = Counter(map(entity_identity, a)) & Counter(map(entity_identity, b))
        agreed, rest_a, rest_b = [], [], []
        left = Counter(common)
        for s in a:
            if left[entity_identity(s)] > 0:
                left[entity_identity(s)] -= 1
                agreed.append(s)
            else:
                rest_a.append(s)
        right = Counter(common)
        for s in b:
            if right[entity_identity(s)] > 0:
                right[entity_identity(s)] -= 1
            else:
                rest_b.append(s)
        adj = cls(doc_id, document, first[0], second[0], base_revision, agreed)
        adj.differences = _group(rest_a, rest_b)
        return adj

    # -- what the screen asks ------------------------------------------------

    @property
    def open(self) -> int:
        """Differences not decided yet."""
        return sum(1 for d in self.differences if d.choice is None)

    @property
    def focus(self) -> Difference | None:
        return self.differences[self.current] if self.differences else None

    def move(self, delta: int) -> bool:
        if not self.differences:
            return False
        new = max(0, min(len(self.differences) - 1, self.current + delta))
        moved, self.current = new != self.current, new
        return moved

    def take(self, choice: str | None) -> bool:
        """Decide the difference in focus (None undecides it); then focus the next open one."""
        if choice is not None and choice not in CHOICES:
            raise ValueError(f"unknown choice {choice!r}")
        d = self.focus
        if d is None:
            return False
        d.choice = choice
        if choice is not None:
            n = len(self.differences)
            for k in range(1, n + 1):
                j = (self.current + k) % n
                if self.differences[j].choice is None:
                    self.current = j
                    break
        return True

    def side(self, which: str) -> list[Span]:
        """What one annotator ("first" or "second") gave: the agreed entities and theirs."""
        return sorted(
            self.agreed + [s for d in self.differences for s in getattr(d, which)],
            key=lambda s: (s.start, s.end),
        )

    def view(self, which: str) -> Draft:
        """One annotator's side as a draft the document view draws, on the focused difference."""
        draft = Draft(self.doc_id, self.document, "accepted")
        for s in self.side(which):
            if (rng := token_span(self.document.tokens, s.start, s.end)) is not None:
                draft.entities.append(Entity(*rng, s.label, "kept", s.score, dict(s.meta)))
        if (f := self.focus_tokens()) is not None:
            draft.move_to(f[0])
        return draft

    def focus_tokens(self) -> tuple[int, int] | None:
        """The tokens of the difference in focus."""
        d = self.focus
        if d is None:
            return None
        return token_span(self.document.tokens, d.start, d.end)

    def spans(self) -> list[Span]:
        """The adjudicated entities: the agreed ones and every decided difference's."""
        out = list(self.agreed)
        for d in self.differences:
            out += d.taken()
        return sorted(out, key=lambda s: (s.start, s.end, s.label))

    def save(self, adjudicator: str) -> Save:
        """The adjudicated revision: accepted, naming the two revisions it settles."""
        if self.open:
            raise ValueError(f"{self.open} differences are not decided yet")
        return Save(
            self.doc_id,
            [Span(s.start, s.end, s.label, s.score, _adjudicated_meta(s)) for s in self.spans()],
            "accepted",
            "accepted",
            {"adjudicated": [self.first.author, self.second.author]},
            base_revision=self.base_revision,
            author=adjudicator,
            adjudicates=(self.first.revision, self.second.revision),
        )


def _adjudicated_meta(s: Span) -> dict[str, object]:
    meta = {k: v for k, v in s.meta.items() if k not in ("edit", "line")}
    return {**meta, "edit": "kept"}


def _group(a: list[Span], b: list[Span]) -> list[Difference]:
    """Entities that overlap one another (across both annotators) form one difference."""
    tagged = sorted(
        [(s, 0) for s in a] + [(s, 1) for s in b], key=lambda x: (x[0].start, -x[0].end)
    )
    out: list[Difference] = []
    for s, who in tagged:
        if out and s.start < out[-1].end:
            d = out[-1]
            d.end = max(d.end, s.end)
        else:
            d = Difference(s.start, s.end, [], [])
            out.append(d)
        (d.first if who == 0 else d.second).append(s)
    return out


def open_adjudication(conn: sqlite3.Connection, doc_id: int) -> Adjudication | None:
    """The first two annotators' finished lines of a document, ready to adjudicate."""
    done = finished(lines(conn, [doc_id]).get(doc_id, []))
    if len(done) < 2:
        return None
    rev = load_revision(conn, doc_id)
    a, b = done[0], done[1]
    return Adjudication.build(
        doc_id,
        rev.stored.document,
        (a, spans_of(conn, a.annotation_id) if a.kind == "accepted" else []),
        (b, spans_of(conn, b.annotation_id) if b.kind == "accepted" else []),
        rev.revision,
    )
