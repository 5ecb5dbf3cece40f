"""Pre-annotations for the annotate screen: the active model, or a lexicon before one exists."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from workbench.core import Document, Span
from workbench.core.lexicon import Lexicon, build_lexicon
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
        self._tagger: Tagger | None = None

    def load(self) -> None:
        conn = self.project.connect()
        try:
            model = active_model(conn)
            # only what the user (or an import) accepted for training: never dev or test gold
            self.lexicon = build_lexicon(
                s.document
                for s in iter_documents(conn, splits=["train", "pool"], statuses=["accepted"])
            )
        finally:
            conn.close()
        if model is None:
            self._tagger, self.model_id, self.origin = None, None, "lexicon"
            return
        import torch

        from workbench.model.predict import Tagger

        tagger = Tagger(self.project.model_dir(model.path), device=self.device)
        if tagger.device == "cpu":  # leave a core to the screen
            torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
        self._tagger, self.model_id, self.origin = tagger, model.id, f"model:{model.id}"

    def learn(self, doc: Document) -> None:
        """An accepted document's entities join the lexicon at once."""
        self.lexicon.add(doc)

    def suggest(self, docs: Sequence[Document]) -> list[list[Span]]:
        if self._tagger is None:
            return [self.lexicon.spans(d) for d in docs]
        return self._tagger.tag(docs)
