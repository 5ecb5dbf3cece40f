"""Pre-annotations for the annotate screen: the active model, or a lexicon before one exists.

The lexicon holds the entities already accepted and every name and synonym of the project's
dictionaries (`workbench import-dict`); a suggestion carries a concept id (``meta["concept"]``)
where its text names one concept of its label, whichever of the two suggested it.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from workbench.core import Document, Span
from workbench.core.concepts import ConceptIndex
from workbench.core.lexicon import Lexicon, build_lexicon
from workbench.core.spans import concept_of
from workbench.ops.dictionary import acyclic, load_concept_index
from workbench.project import Project
from workbench.store.documents import iter_documents
from workbench.store.rounds import active_model

if TYPE_CHECKING:
    from workbench.model.predict import Tagger


class Suggester:
    """Loaded once (slow: call it off the screen's thread), then one call per document."""

    def __init__(self, project: Project, device: str = "auto"):
        self.project = project
        self.device = device
        self.origin = "lexicon"
        self.model_id: int | None = None
        self.lexicon = Lexicon()
        self.concepts = ConceptIndex()
        self.pinned = Lexicon()  # terms labelled everywhere with `*` in this session
        self._tagger: Tagger | None = None

    def load(self) -> None:
        with acyclic():
            conn = self.project.connect()
            try:
                model = active_model(conn)
                # only what the user (or an import) accepted for training: never dev or test gold
                lexicon = build_lexicon(
                    s.document
                    for s in iter_documents(conn, splits=["train", "pool"], statuses=["accepted"])
                )
                concepts = load_concept_index(conn)
            finally:
                conn.close()
            # after the accepted entities: on a tie between two labels, the user's choice wins
            labels = set(self.project.config.label_names)
            for label, concept, term in concepts.terms_for_lexicon():
                if label in labels:
                    lexicon.add_text(term, label, concept)
        self.lexicon, self.concepts = lexicon, concepts
        if len(concepts):
            # the dictionary's objects live as long as the screen: out of the collector's
            # reach, so that no full collection scans them again between two key presses
            gc.freeze()
        if model is None:
            self._tagger, self.model_id, self.origin = None, None, "lexicon"
            return
        import torch

        from workbench.model.predict import Tagger

        tagger = Tagger(self.project.model_dir(model.path), device=self.device)
        if tagger.device == "cpu":  # leave a core to the screen
            torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
        self._tagger, self.model_id, self.origin = tagger, model.id, f"model:{model.id}"

    @property
    def context(self) -> int:
        """Words of running text the model reads around a sentence (`Document.context`)."""
        return 0 if self._tagger is None else self._tagger.context

    def learn(self, doc: Document) -> None:
        """An accepted document's entities join the lexicon at once."""
        self.lexicon.add(doc)

    def pin(self, text: str, label: str) -> None:
        """`*`: a term the user labelled everywhere in one document is suggested in every
        document to come, beside the model's suggestions (where they leave room)."""
        self.pinned.add_text(text, label)

    def suggest(self, docs: Sequence[Document]) -> list[list[Span]]:
        if self._tagger is None:
            found = [self.lexicon.spans(d) for d in docs]
        else:
            found = self._tagger.tag(docs)
        if len(self.pinned):
            found = [
                _beside(spans, self.pinned.spans(d)) for d, spans in zip(docs, found, strict=True)
            ]
        if not len(self.concepts):
            return found
        return [
            [self._with_concept(d, s) for s in spans] for d, spans in zip(docs, found, strict=True)
        ]

    def _with_concept(self, doc: Document, span: Span) -> Span:
        """The span with the id of the one concept of its label that its text names, if
        there is one (a model's suggestion, or a term the dictionary spells otherwise)."""
        if concept_of(span.meta) is not None:
            return span
        concept = self.concepts.unique(doc.text[span.start : span.end], span.label)
        if concept is None:
            return span
        return replace(span, meta={**span.meta, "concept": concept.id})


def _beside(found: list[Span], more: list[Span]) -> list[Span]:
    """``found`` and those of ``more`` that overlap none of them, in text order."""
    extra = [m for m in more if not any(f.start < m.end and m.start < f.end for f in found)]
    return sorted(found + extra, key=lambda s: (s.start, s.end)) if extra else found
