"""Documents -> padded batches of sub-word windows, ready for any runtime.

This is the CPU half of prediction, separate from the forward pass so that a pipeline can
prepare the next chunk while the model runs the current one. Windows are sorted by length and
cut into batches of about ``batch_tokens`` positions, so padding stays small; every batch
carries, as flat arrays, where each word's first sub-token sits (row, column), which word of
the chunk it is, and how much context the window gives it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.core import Document
from workbench.model.model_dir import WordTokenizer
from workbench.model.windows import Window, document_windows

# The torch runtime's shape steps. Widths by 8: by 32, short sentences padded to 32 cost fp32 a
# third more time (500 CDR abstracts: 40.7 s against 31.4 s by 8 or exact); bf16 and peak
# RSS are the same by 8 as by 32, where exact widths grew RSS by a fifth (BENCHMARKS.md).
SHAPE_WIDTH_STEP = 8
SHAPE_ROWS_STEP = 4


@dataclass
class Batch:
    ids: np.ndarray  # (rows, width) int64, padded
    mask: np.ndarray  # (rows, width) int64
    rows: np.ndarray  # per candidate: the window's row in the batch
    cols: np.ndarray  # per candidate: the column of the word's first sub-token
    words: np.ndarray  # per candidate: the word's index in the chunk
    margins: np.ndarray  # per candidate: context on the nearer side within the window
    types: np.ndarray | None = None  # (rows, width) int64 word shapes, for a model that reads them


@dataclass
class Prepared:
    docs: Sequence[Document]
    offsets: np.ndarray  # (n_docs + 1,): chunk word index where each document starts
    batches: list[Batch]
    # (n_sentences + 1,): chunk word index where each sentence starts. Decoding runs per
    # sentence: an entity never runs on from one sentence into the next.
    sentences: np.ndarray

    @property
    def n_words(self) -> int:
        return int(self.offsets[-1])


def prepare(
    docs: Sequence[Document],
    tok: WordTokenizer,
    max_length: int,
    stride: int,
    batch_tokens: int,
    shape_steps: tuple[int, int] = (1, 1),
    word_shapes: bool = False,
    context: int = 0,
) -> Prepared:
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    for d, doc in enumerate(docs):
        offsets[d + 1] = offsets[d] + len(doc.tokens)
    stride = min(stride, (max_length - 2) // 2)  # windows always move forward
    windows, sentences = document_windows(
        docs, tok.backend, tok.cls_id, tok.sep_id, max_length, stride, word_shapes, context
    )
    sent_base = [int(offsets[s.doc]) + s.start for s in sentences]  # chunk index of word 0
    windows.sort(key=lambda w: len(w.input_ids))
    batches = []
    i = 0
    while i < len(windows):
        longest = len(windows[i].input_ids)
        j = i
        while j < len(windows) and (j - i + 1) * len(windows[j].input_ids) <= max(
            batch_tokens, longest
        ):
            j += 1
        batches.append(_batch(windows[i:j], sent_base, tok.pad_id, max_length, shape_steps))
        i = j
    starts = np.array([*sent_base, int(offsets[-1])], dtype=np.int64)
    return Prepared(docs, offsets, batches, starts)


def _batch(
    windows: Sequence[Window],
    sent_base: list[int],
    pad: int,
    max_length: int,
    steps: tuple[int, int],
) -> Batch:
    # Shapes in steps (for torch: width by 8, rows by 4): a few dozen distinct matmul shapes
    # instead of hundreds keep the kernels' caches from growing with the input (peak RSS,
    # BENCHMARKS.md). Padding rows and columns are masked and never read.
    width_step, rows_step = steps
    longest = len(windows[-1].input_ids)  # sorted by length: the last is the longest
    width = max(longest, min(max_length, -(-longest // width_step) * width_step))
    n_rows = -(-len(windows) // rows_step) * rows_step
    ids = np.full((n_rows, width), pad, dtype=np.int64)
    mask = np.zeros((n_rows, width), dtype=np.int64)
    types = None if windows[0].type_ids is None else np.zeros((n_rows, width), dtype=np.int64)
    mask[len(windows) :, 0] = 1  # a padding row attends to one token: no all-masked NaN
    rows, cols, words, margins = [], [], [], []
    for r, w in enumerate(windows):
        n = len(w.input_ids)
        ids[r, :n] = w.input_ids
        mask[r, :n] = 1
        if types is not None and w.type_ids is not None:
            types[r, :n] = w.type_ids
        index = np.asarray(w.word_index, dtype=np.int64)
        pos = np.flatnonzero(index >= 0)
        word = index[pos]
        rows.append(np.full(len(pos), r, dtype=np.int64))
        cols.append(pos)
        words.append(word + sent_base[w.source])
        margins.append(np.minimum(word - w.first_word, w.last_word - 1 - word))
    return Batch(
        ids,
        mask,
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate(words),
        np.concatenate(margins),
        types,
    )
