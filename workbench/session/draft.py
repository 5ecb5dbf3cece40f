"""The open document's entities while the user edits them, in token indices.

Plain Python, no Textual: the annotate screen maps keys to these methods and
saves what `spans()` and `revision_meta()` return. Every entity remembers how it
got there ("suggested" by the model or the lexicon and untouched, "kept" from a
saved revision, "changed" or "added" by the user), so the revision saved records
what the user kept, changed, added and removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from workbench.core import Document, Span
from workbench.core.lexicon import fold
from workbench.core.spans import concept_of, with_concept, without_concept
from workbench.core.tokenize import token_span
from workbench.store.documents import Revision


@dataclass(frozen=True)
class Entity:
    first: int  # token indices, inclusive
    last: int
    label: str
    edit: str  # suggested, kept, changed, added
    score: float | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def concept(self) -> str | None:
        return concept_of(self.meta)

    def covers(self, i: int) -> bool:
        return self.first <= i <= self.last

    def overlaps(self, a: int, b: int) -> bool:
        return self.first <= b and a <= self.last


@dataclass(frozen=True)
class Snapshot:
    entities: tuple[Entity, ...]
    removed: tuple[tuple[int, int, str], ...]
    status: str
    suggested_by: str | None


class Draft:
    def __init__(
        self,
        doc_id: int,
        doc: Document,
        status: str,
        suggested_by: str | None = None,
        revision: int = 0,
        line: bool = False,
    ):
        self.doc_id = doc_id
        self.doc = doc
        self.status = status
        self.suggested_by = suggested_by
        # The stored revision this draft's next save builds on: a save is refused when
        # another session saved the document in between (no lost update).
        self.revision = revision
        # this annotator's own line of a double-annotated document (blind to the other's)
        self.line = line
        self.entities: list[Entity] = []
        self.removed: list[tuple[int, int, str]] = []
        self.cursor = 0
        self.anchor = 0
        self.touched = False  # the user edited it in this session
        # the dictionary's one concept of a label that a text names (none without one)
        self.lookup: Callable[[str, str], str | None] = lambda text, label: None

    @classmethod
    def from_revision(cls, rev: Revision) -> Draft:
        s = rev.stored
        draft = cls(
            s.id,
            s.document,
            rev.status or s.status,
            rev.meta.get("suggested_by"),
            rev.revision,
            rev.line,
        )
        for span in s.document.spans:
            rng = token_span(s.document.tokens, span.start, span.end)
            if rng is not None:
                edit = str(span.meta.get("edit", "kept"))
                draft.entities.append(Entity(*rng, span.label, edit, span.score, dict(span.meta)))
        draft.removed = [(int(a), int(b), str(c)) for a, b, c in rev.meta.get("removed", [])]
        draft.entities.sort(key=lambda e: e.first)
        return draft

    # -- what the screen asks ------------------------------------------------

    @property
    def pristine(self) -> bool:
        """Nothing saved for it and nothing edited: model suggestions may fill it."""
        return not self.touched and not self.entities and self.status == "new"

    def entity_at(self, i: int) -> Entity | None:
        """The entity under token ``i``; where entities overlap, the innermost (shortest)."""
        here = [e for e in self.entities if e.covers(i)]
        return min(here, key=lambda e: e.last - e.first) if here else None

    def layered(self) -> set[int]:
        """The positions (in ``entities``) of those sharing a token with another entity:
        nested or crossing mentions, on a second layer. One sweep, for long documents."""
        out: set[int] = set()
        order = sorted(range(len(self.entities)), key=lambda k: self.entities[k].first)
        reach, owner = -1, -1  # the furthest last token so far, and whose it is
        for k in order:
            e = self.entities[k]
            if e.first <= reach:
                out.update((k, owner))
            if e.last > reach:
                reach, owner = e.last, k
        return out

    def selection(self) -> tuple[int, int]:
        return min(self.cursor, self.anchor), max(self.cursor, self.anchor)

    def is_suggestion(self, e: Entity) -> bool:
        """Shown as a suggestion until the document is accepted."""
        if self.status == "accepted":
            return False
        return e.edit == "suggested" or (e.edit == "kept" and self.suggested_by is not None)

    # -- cursor and selection ------------------------------------------------

    def move_to(self, i: int, *, extend: bool = False) -> None:
        if not self.doc.tokens:
            return
        self.cursor = max(0, min(len(self.doc.tokens) - 1, i))
        if not extend:
            self.anchor = self.cursor

    def next_entity(self, delta: int) -> bool:
        """Put the cursor on the first token of the next (or previous) entity."""
        firsts = sorted({e.first for e in self.entities})
        after = [f for f in firsts if (f > self.cursor if delta > 0 else f < self.cursor)]
        if not after:
            return False
        self.move_to(after[0] if delta > 0 else after[-1])
        return True

    def find(self, needle: str) -> bool:
        """Select the next occurrence of ``needle`` (case ignored) after the cursor, wrapping
        around the document; False when it is not in it."""
        tokens = self.doc.tokens
        if not needle or not tokens:
            return False
        text, wanted = self.doc.text.casefold(), needle.casefold()
        if len(text) != len(self.doc.text):  # a letter that folds to two: search as written
            text, wanted = self.doc.text, needle
        after = tokens[self.cursor].start + 1
        at = text.find(wanted, after)
        if at < 0:
            at = text.find(wanted)
        if at < 0:
            return False
        return self.select_chars(at, at + len(wanted))

    def select_chars(self, start: int, end: int) -> bool:
        """Select the tokens that the characters [start, end) touch (a match); False when
        they touch none."""
        found = token_span(self.doc.tokens, start, end)
        if found is None:
            return False
        self.anchor, self.cursor = found
        return True

    # -- edits: each returns whether anything changed -----------------------

    def suggest(self, spans: list[Span], origin: str) -> bool:
        """Add suggestions to an untouched draft; True when it shows something new."""
        if not self.pristine or not spans:
            return False
        before = len(self.entities)
        for span in spans:
            rng = token_span(self.doc.tokens, span.start, span.end)
            if rng is not None and not any(e.overlaps(*rng) for e in self.entities):
                meta = dict(span.meta)  # a concept id the dictionary gave it
                self.entities.append(Entity(*rng, span.label, "suggested", span.score, meta))
        self.entities.sort(key=lambda e: e.first)
        changed = len(self.entities) > before or self.suggested_by != origin
        self.suggested_by = origin
        return changed

    def label(self, label: str, overlap: bool = False) -> bool:
        """Label the selection (or the token), replacing what it overlaps; on an entity,
        change its label. With ``overlap`` the selection becomes one more entity over the
        ones there (nested or crossing mentions), which stay as they are."""
        a, b = self.selection()
        here = self.entity_at(self.cursor)
        if overlap:
            if any((e.first, e.last, e.label) == (a, b, label) for e in self.entities):
                return False
            self.entities.append(Entity(a, b, label, "added", meta=self._proposed(a, b, label)))
            self.entities.sort(key=lambda e: e.first)
        elif a == b and here is not None:
            if here.label == label:
                return False
            # Its concept id named a concept of the old type: never carried over; the
            # dictionary's concept of the new label, if the text names exactly one.
            meta = without_concept(here.meta)
            if (found := self.lookup(self.text_of(here.first, here.last), label)) is not None:
                meta = with_concept(meta, found, "dictionary")
            self._replace(here, replace(here, label=label, edit=self._edited(here), meta=meta))
        else:
            hit = [e for e in self.entities if e.overlaps(a, b)]
            if len(hit) == 1 and (hit[0].first, hit[0].last, hit[0].label) == (a, b, label):
                return False
            was_suggested = any(e.edit in ("suggested", "kept") for e in hit)
            self.entities = [e for e in self.entities if not e.overlaps(a, b)]
            edit = "changed" if was_suggested else "added"
            self.entities.append(Entity(a, b, label, edit, meta=self._proposed(a, b, label)))
            self.entities.sort(key=lambda e: e.first)
        self.anchor = self.cursor
        self.touched = True
        return True

    def set_concept(self, concept: str | None) -> bool:
        """Give the entity under the cursor this concept id (None: no id)."""
        here = self.entity_at(self.cursor)
        if here is None or here.concept == concept:
            return False
        meta = with_concept(here.meta, concept, "user")
        self._replace(here, replace(here, edit=self._edited(here), meta=meta))
        self.touched = True
        return True

    def text_of(self, first: int, last: int) -> str:
        return self.doc.text[self.doc.tokens[first].start : self.doc.tokens[last].end]

    def _proposed(self, a: int, b: int, label: str) -> dict[str, Any]:
        found = self.lookup(self.text_of(a, b), label)
        return {} if found is None else with_concept({}, found, "dictionary")

    def label_every(self) -> int:
        """Give every unlabelled occurrence of the entity under the cursor (the same words,
        case ignored as the lexicon ignores it) that entity's label; how many."""
        here = self.entity_at(self.cursor)
        if here is None:
            return 0
        words = [fold(self.doc.text[t.start : t.end]) for t in self.doc.tokens]
        term = words[here.first : here.last + 1]
        n, added = len(term), 0
        i = 0
        while i + n <= len(words):
            if words[i : i + n] == term and not any(
                e.overlaps(i, i + n - 1) for e in self.entities
            ):
                self.entities.append(Entity(i, i + n - 1, here.label, "added"))
                added += 1
                i += n
            else:
                i += 1
        if added:
            self.entities.sort(key=lambda e: e.first)
            self.touched = True
        return added

    def delete(self) -> bool:
        here = self.entity_at(self.cursor)
        if here is None:
            return False
        self.entities.remove(here)
        if here.edit in ("suggested", "kept"):
            self.removed.append((here.first, here.last, here.label))
        self.touched = True
        return True

    def _edited(self, e: Entity) -> str:
        return "added" if e.edit == "added" else "changed"

    def _replace(self, old: Entity, new: Entity) -> None:
        self.entities[self.entities.index(old)] = new

    # -- undo and saving -----------------------------------------------------

    def snapshot(self) -> Snapshot:
        return Snapshot(tuple(self.entities), tuple(self.removed), self.status, self.suggested_by)

    def restore(self, snap: Snapshot) -> None:
        self.entities = list(snap.entities)
        self.removed = list(snap.removed)
        self.status = snap.status
        self.suggested_by = snap.suggested_by
        self.touched = True

    def _char_span(self, first: int, last: int, label: str, **kw: Any) -> Span:
        return Span(self.doc.tokens[first].start, self.doc.tokens[last].end, label, **kw)

    def spans(self) -> list[Span]:
        out = []
        for e in self.entities:
            edit = "kept" if e.edit == "suggested" else e.edit
            out.append(
                self._char_span(
                    e.first, e.last, e.label, score=e.score, meta={**e.meta, "edit": edit}
                )
            )
        return out

    def revision_meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {}
        if self.suggested_by:
            meta["suggested_by"] = self.suggested_by
        if self.removed:
            meta["removed"] = [list(r) for r in self.removed]
            meta["removed_spans"] = [
                {"start": s.start, "end": s.end, "label": s.label}
                for s in (self._char_span(*r) for r in self.removed)
            ]
        return meta
