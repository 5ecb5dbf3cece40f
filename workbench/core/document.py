"""A document: its exact text, its token offsets and its entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from workbench.core.spans import Span


class Token(NamedTuple):
    start: int
    end: int


@dataclass(slots=True)
class Document:
    text: str
    tokens: list[Token]
    spans: list[Span] = field(default_factory=list)
    external_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # Where it came from, for error messages and the audit trail.
    source: str | None = None
    line: int | None = None
    # Sentences came with the source (CoNLL, HF): never re-split them at punctuation.
    presplit: bool = False
    # The running text around it, as words (before, after), where the document is one
    # sentence of a longer text (a CoNLL file without -DOCSTART-): context for a model that
    # reads it (model/windows.py), never part of the document.
    context: tuple[list[str], list[str]] | None = None

    def token_texts(self) -> list[str]:
        return [self.text[t.start : t.end] for t in self.tokens]

    def sentence_breaks(self) -> list[int]:
        """Indices of tokens that start a new sentence (after the first).

        A sentence ends where the gap between two tokens holds a newline: the
        CoNLL reader joins sentences with "\\n" and tokens with " ".
        """
        return [
            i
            for i in range(1, len(self.tokens))
            if "\n" in self.text[self.tokens[i - 1].end : self.tokens[i].start]
        ]

    def check_spans(self) -> None:
        """Raise ValueError when a span lies outside the text."""
        n = len(self.text)
        for s in self.spans:
            if s.end > n:
                raise ValueError(
                    f"entity [{s.start}, {s.end}) {s.label} lies outside the text (length {n})"
                )
