"""The annotate screen's edits of entities: a label key (with `o`, over the entities there),
`c` for a concept id, `*` for every occurrence, `x` to remove one. Each edit goes through the
session (for undo) and is handed to the revision writer at once."""

from __future__ import annotations

from textual.screen import Screen

from workbench.ops.suggest import Suggester
from workbench.session.draft import Draft
from workbench.session.prefetch import Prefetcher
from workbench.session.state import Session
from workbench.session.writer import RevisionWriter, Save
from workbench.tui.screens.concept import CLEAR, ConceptScreen


class Labelling(Screen[None]):
    """A base of `AnnotateScreen`, which sets this state up and draws the document."""

    session: Session
    writer: RevisionWriter
    suggester: Suggester
    prefetcher: Prefetcher
    label_keys: list[str]
    overlap_next: bool  # `o` pressed: the next label key adds a second layer

    @property
    def draft(self) -> Draft | None:
        raise NotImplementedError

    def repaint(self) -> None:
        raise NotImplementedError

    def _edit(self, save: Save | None) -> None:
        if save is not None:
            self.writer.save(save)
        self.repaint()

    def action_label(self, n: int) -> None:
        d = self.draft
        if d is None:
            return
        if n > len(self.label_keys):
            self.notify(f"no label {n}: this project has {len(self.label_keys)}", timeout=2)
            return
        label = self.label_keys[n - 1]
        overlap, self.overlap_next = self.overlap_next, False
        self._edit(self.session.edit(d, lambda: d.label(label, overlap=overlap)))

    def action_concept(self) -> None:
        """`c`: set, change or remove the concept id of the entity under the cursor."""
        d = self.draft
        here = None if d is None else d.entity_at(d.cursor)
        if d is None or here is None:
            self.notify("put the cursor on an entity first", timeout=2)
            return
        text = d.text_of(here.first, here.last)
        proposed = self.suggester.concepts.lookup(text, here.label)

        def chosen(value: str | None) -> None:
            if value is not None:
                concept = None if value == CLEAR else value
                self._edit(self.session.edit(d, lambda: d.set_concept(concept)))

        self.app.push_screen(ConceptScreen(text, here.label, here.concept, proposed), chosen)

    def action_overlap(self) -> None:
        """`o`: the next label key adds the selection as one more entity over those there."""
        self.overlap_next = not self.overlap_next
        self.notify(
            "next label key: a new entity over the ones there (o cancels)"
            if self.overlap_next
            else "overlap cancelled",
            timeout=3,
        )

    def action_label_every(self) -> None:
        """`*`: every unlabelled occurrence of the entity under the cursor gets its label."""
        d = self.draft
        if d is None or d.entity_at(d.cursor) is None:
            self.notify("put the cursor on an entity first", timeout=2)
            return
        count = 0

        def label() -> bool:
            nonlocal count
            count = d.label_every()
            return count > 0

        here = d.entity_at(d.cursor)
        self._edit(self.session.edit(d, label))
        if here is not None:  # and in the documents to come, as a suggestion
            self.suggester.pin(d.text_of(here.first, here.last), here.label)
            self.prefetcher.forget()
        done = f"labelled {count} more here" if count else "no other occurrence here"
        self.notify(f"{done}; suggested in the documents to come", timeout=3)

    def action_delete(self) -> None:
        if (d := self.draft) is not None:
            self._edit(self.session.edit(d, d.delete))
