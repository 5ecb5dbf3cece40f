"""Model outputs -> entities, vectorised over a whole chunk of documents.

A word read by several overlapping windows takes the reading where it had the most context.
Word tags become entities by the conlleval rule (an ``I-`` after ``O``, after another type or
at a document's start opens an entity); an entity's confidence is the mean probability of its
words' tags. No Python runs per word; per entity only its `Span` is built.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from workbench.core import Document, Span, parse_tag


class TagTable:
    """Per tag id: is it I-, and which label (-1 for O)."""

    def __init__(self, tags: Sequence[str]):
        self.tags = list(tags)
        self.labels = sorted({t[2:] for t in tags if t != "O"})
        self.o = self.tags.index("O")
        self.is_inside = np.zeros(len(tags), dtype=bool)
        self.label_id = np.full(len(tags), -1, dtype=np.int64)
        for i, t in enumerate(tags):
            prefix, label = parse_tag(t)
            if label is not None:
                self.label_id[i] = self.labels.index(label)
                self.is_inside[i] = prefix == "I"


def best_candidates(words: np.ndarray, margins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(chunk word indices, candidate indices): for each word read at least once, the
    candidate with the largest margin, the earliest among equals."""
    order = np.lexsort((np.arange(len(words)), -margins, words))
    sorted_words = words[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_words[1:] != sorted_words[:-1]
    return sorted_words[first], order[first]


def bridge_unreached(
    best: np.ndarray, prob: np.ndarray, reached: np.ndarray, offsets: np.ndarray, table: TagTable
) -> None:
    """A word no window reached (the tokenizer gave it no sub-token, e.g. a soft hyphen) is O,
    unless the words on both sides, in its document, belong to one entity: then it continues
    that entity (with confidence 0). In place; rare, so a loop."""
    starts = set(offsets[:-1].tolist())
    ends = set((offsets[1:] - 1).tolist())
    for i in np.flatnonzero(~reached).tolist():
        if i in starts or i in ends:
            continue
        before, after = int(best[i - 1]), int(best[i + 1])
        lab = table.label_id[before]
        if lab >= 0 and table.is_inside[after] and table.label_id[after] == lab:
            best[i], prob[i] = after, 0.0


def decode(
    docs: Sequence[Document],
    offsets: np.ndarray,
    best: np.ndarray,
    prob: np.ndarray,
    table: TagTable,
) -> list[list[Span]]:
    """Entities of every document from the chunk's per-word tag ids and probabilities."""
    n = len(best)
    spans: list[list[Span]] = [[] for _ in docs]
    if n == 0:
        return spans
    lab = table.label_id[best]
    inside = lab >= 0
    first_of_doc = np.zeros(n, dtype=bool)
    first_of_doc[offsets[:-1][offsets[:-1] < n]] = True
    prev = np.empty(n, dtype=np.int64)
    prev[0] = -1
    prev[1:] = lab[:-1]
    cont = inside & table.is_inside[best] & ~first_of_doc & (prev == lab)
    start = inside & ~cont
    first = np.flatnonzero(start)
    if len(first) == 0:
        return spans
    entity = np.cumsum(start) - 1
    lengths = np.bincount(entity[inside], minlength=len(first))
    last = first + lengths - 1
    packed = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    conf = np.round(np.add.reduceat(prob[inside].astype(np.float64), packed) / lengths, 4)
    tok_start, tok_end = _token_bounds(docs)
    doc_of = np.searchsorted(offsets, first, side="right") - 1
    names = table.labels
    for d, a, b, label, score in zip(
        doc_of.tolist(),
        tok_start[first].tolist(),
        tok_end[last].tolist(),
        lab[first].tolist(),
        conf.tolist(),
        strict=True,
    ):
        spans[d].append(Span(a, b, names[label], score))
    return spans


def _token_bounds(docs: Sequence[Document]) -> tuple[np.ndarray, np.ndarray]:
    flat = [x for doc in docs for tok in doc.tokens for x in tok]
    bounds = np.asarray(flat, dtype=np.int64).reshape(-1, 2)
    return bounds[:, 0], bounds[:, 1]
