"""Model outputs -> entities, vectorised over a whole chunk of documents.

A word read by several overlapping windows takes the reading where it had the most context.
Each document's tags are the most probable sequence that BIO allows (Viterbi over the words'
tag probabilities: no ``I-x`` after ``O``, after another type or at the start), which on
BC5CDR dev gains 0.6 F1 points over each word's own best tag (BENCHMARKS.md); ``argmax``
keeps the old rule, where an ``I-`` that cannot continue opens an entity. An entity's
confidence is the mean probability of its words' tags. No Python runs per word; per entity
only its `Span` is built.
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
        # log-space transition scores: I-x only after B-x or I-x
        n = len(tags)
        ok = np.ones((n, n), dtype=bool)
        for j in np.flatnonzero(self.is_inside):
            ok[:, j] = (self.label_id == self.label_id[j]) & (self.label_id >= 0)
        self.transition = np.where(ok, 0.0, -np.inf)
        self.start = np.where(self.is_inside, -np.inf, 0.0)


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


VITERBI_CELLS = 4_000_000  # documents x words x tags decoded at once


def viterbi(probs: np.ndarray, offsets: np.ndarray, table: TagTable) -> np.ndarray:
    """Each document's most probable tag sequence under BIO's constraints. Documents of
    similar length are decoded together, a word position at a time across all of them."""
    best = np.empty(len(probs), dtype=np.int64)
    logp = np.log(np.maximum(probs, 1e-12))
    lengths = np.diff(offsets)
    order = np.argsort(lengths, kind="stable")
    n_tags = probs.shape[1]
    i = 0
    while i < len(order):
        j = i + 1
        while j < len(order) and (j - i + 1) * int(lengths[order[j]]) * n_tags <= VITERBI_CELLS:
            j += 1
        _viterbi_group(logp, offsets, lengths, order[i:j], table, best)
        i = j
    return best


def _viterbi_group(
    logp: np.ndarray,
    offsets: np.ndarray,
    lengths: np.ndarray,
    docs: np.ndarray,
    table: TagTable,
    best: np.ndarray,
) -> None:
    width = int(lengths[docs].max()) if len(docs) else 0
    if width == 0:
        return
    n_tags = logp.shape[1]
    # (documents, positions, tags); past a document's end only O, which any tag may precede:
    # the padding never changes a document's best path
    grid = np.full((len(docs), width, n_tags), -np.inf)
    grid[:, :, table.o] = 0.0
    for r, d in enumerate(docs.tolist()):
        a, b = int(offsets[d]), int(offsets[d + 1])
        grid[r, : b - a] = logp[a:b]
    back = np.zeros((len(docs), width, n_tags), dtype=np.int64)
    score = grid[:, 0] + table.start
    for k in range(1, width):
        cand = score[:, :, None] + table.transition[None]
        back[:, k] = cand.argmax(axis=1)
        score = cand.max(axis=1) + grid[:, k]
    rows = np.arange(len(docs))
    path = np.empty((len(docs), width), dtype=np.int64)
    path[:, -1] = score.argmax(axis=1)
    for k in range(width - 1, 0, -1):
        path[:, k - 1] = back[rows, k, path[:, k]]
    for r, d in enumerate(docs.tolist()):
        a, b = int(offsets[d]), int(offsets[d + 1])
        best[a:b] = path[r, : b - a]


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
