"""Words -> sub-word windows: the ``word_ids`` alignment shared by training and prediction.

Each window is [CLS] + sub-tokens + [SEP], at most ``max_length`` long, cut on
word boundaries. A word's label sits on its first sub-token; the others, and
the special tokens, get -100. Windows of a long sentence overlap by ``stride``
sub-tokens; in prediction every word is read from the window where it has the
most context on both sides. A model trained with context (`train --context`) reads each
sentence with the text around it in the same window, unlabelled (`document_windows`).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core import Document
from workbench.core.sentences import sentence_ranges
from workbench.model.model_dir import read_model_dir
from workbench.model.shapes import word_shape

CONTEXT_KEY = "workbench_context"  # config.json: sub-tokens of context a side, 0 for none
# config.json: the base model a model grew from, through every round that went on from
# another (inherited with the config): what `retrain` checks before going on from it
BASE_KEY = "workbench_base"
MAX_CONTEXT = 128
MAX_PIECES_PER_WORD = 24  # only the first sub-token is labelled; a 10 kB "word" stays small


@dataclass
class Window:
    source: int  # index of the sentence (or document) it came from
    input_ids: list[int]
    word_index: list[int]  # per position: the word whose first sub-token it is, or -1
    first_word: int
    last_word: int  # exclusive
    type_ids: list[int] | None = None  # per position: its word's shape (model/shapes.py)


def word_pieces(tokenizer: Any, sentences: Sequence[Sequence[str]]) -> list[list[list[int]]]:
    """Sub-token ids of every word, one tokenizer call for all sentences.

    Each distinct word is encoded once (the 124,750 words of the 500 CDR test
    abstracts are 10,186 distinct ones); occurrences share one list, which nothing
    downstream mutates.
    """
    distinct = list(dict.fromkeys(w for words in sentences for w in words))
    if not distinct:
        return [[] for _ in sentences]
    backend = _plain_backend(tokenizer)
    if backend is not None:
        ids = [e.ids for e in backend.encode_batch(distinct, add_special_tokens=False)]
    else:
        ids = tokenizer(distinct, add_special_tokens=False)["input_ids"]
    table = {w: list(p[:MAX_PIECES_PER_WORD]) for w, p in zip(distinct, ids, strict=True)}
    return [[table[w] for w in words] for words in sentences]


_PLAIN: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _plain_backend(tokenizer: Any) -> Any:
    """The Rust tokenizer under a fast tokenizer (or a Rust tokenizer itself, as
    `model_dir.load_tokenizer` gives), without padding or truncation.

    Called directly it skips the wrapper's per-text conversion to Python dicts,
    which was a quarter of prediction time (37,000 words per 150 abstracts).
    A copy, so the wrapper's own settings are never touched.
    """
    if hasattr(tokenizer, "encode_batch"):  # already a tokenizers.Tokenizer, set up plain
        return tokenizer
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return None
    plain = _PLAIN.get(tokenizer)
    if plain is None:
        from tokenizers import Tokenizer

        plain = Tokenizer.from_str(backend.to_str())
        plain.no_padding()
        plain.no_truncation()
        _PLAIN[tokenizer] = plain
    return plain


def make_windows(
    pieces: list[list[int]],
    source: int,
    cls_id: int,
    sep_id: int,
    max_length: int,
    stride: int,
    shapes: Sequence[int] | None = None,
    around: Around | None = None,
) -> list[Window]:
    """``shapes``, one per word, become the token type of each of the word's sub-tokens.
    ``around``: the text before and after the sentence, which a sentence that fits in one
    window carries on both sides (never labelled, never a candidate)."""
    budget = max_length - 2
    windows: list[Window] = []
    n = len(pieces)
    start = 0
    while start < n:
        used, end = 0, start
        while end < n and (used + max(1, len(pieces[end])) <= budget or end == start):
            used += max(1, len(pieces[end]))
            end += 1
        left: tuple[list[int], list[int]] = ([], [])
        right: tuple[list[int], list[int]] = ([], [])
        if around is not None and start == 0 and end >= n:
            left, right = around.fit(budget - used)
        ids, word_index = [cls_id, *left[0]], [-1] * (1 + len(left[0]))
        types = None if shapes is None else [0, *left[1]]
        for w in range(start, end):
            p = pieces[w][:budget] or []
            word_index += [w] + [-1] * (len(p) - 1) if p else []
            ids += p
            if types is not None and shapes is not None:
                types += [shapes[w]] * len(p)
        ids += right[0]
        word_index += [-1] * len(right[0])
        ids.append(sep_id)
        word_index.append(-1)
        if types is not None:
            types += right[1]
            types.append(0)
        windows.append(Window(source, ids, word_index, start, end, types))
        if end >= n:
            break
        # Step back so the next window starts `stride` sub-tokens before this one ended.
        back, nxt = 0, end
        while nxt > start + 1 and back + len(pieces[nxt - 1]) <= stride:
            nxt -= 1
            back += len(pieces[nxt])
        start = nxt
    return windows


@dataclass
class Around:
    """A sentence's neighbouring text, as sub-tokens per word: ``before`` nearest last,
    ``after`` nearest first, with each word's shape (0 where the model reads none)."""

    before: Sequence[list[int]]
    after: Sequence[list[int]]
    before_shapes: Sequence[int]
    after_shapes: Sequence[int]
    limit: int  # sub-tokens on each side, at most

    def fit(self, room: int) -> tuple[tuple[list[int], list[int]], tuple[list[int], list[int]]]:
        """Whole words nearest the sentence: up to ``limit`` sub-tokens a side, the left
        side first to half of ``room``, the right side to what is left."""
        left = _take(self.before, self.before_shapes, min(self.limit, room // 2), reverse=True)
        right = _take(self.after, self.after_shapes, min(self.limit, room - len(left[0])), False)
        return left, right


def _take(
    words: Sequence[list[int]], shapes: Sequence[int], budget: int, reverse: bool
) -> tuple[list[int], list[int]]:
    order = range(len(words) - 1, -1, -1) if reverse else range(len(words))
    chosen: list[int] = []
    used = 0
    for i in order:
        if used + len(words[i]) > budget:
            break
        used += len(words[i])
        chosen.append(i)
    if reverse:
        chosen.reverse()
    ids = [t for i in chosen for t in words[i]]
    types = [shapes[i] for i in chosen for _ in words[i]]
    return ids, types


@dataclass
class Sentence:
    doc: int  # index of its document in the list given
    start: int  # its first word in the document
    end: int  # exclusive


def document_windows(
    docs: Sequence[Document],
    tokenizer: Any,
    cls_id: int,
    sep_id: int,
    max_length: int,
    stride: int,
    word_shapes: bool = False,
    context: int = 0,
) -> tuple[list[Window], list[Sentence]]:
    """Every sentence of every document as windows (``Window.source``: its index in the
    sentences returned). With ``context`` > 0 a sentence carries up to that many sub-tokens
    of the text around it on each side: its document's other sentences, then the running
    text the document belongs to (`Document.context`). Training, evaluation and `tag` all
    build their windows here, so the model always sees what it was trained on."""
    sentences: list[Sentence] = []
    texts: list[list[str]] = []
    shift: list[int] = []  # words of outer context before each document's own
    for d, doc in enumerate(docs):
        words = doc.token_texts()
        before, after = doc.context if context and doc.context else ((), ())
        texts.append([*before, *words, *after] if context else words)
        shift.append(len(before) if context else 0)
        sentences += [Sentence(d, a, b) for a, b in sentence_ranges(doc)]
    pieces = word_pieces(tokenizer, texts)
    shapes = [[word_shape(w) for w in t] for t in texts] if word_shapes else None
    windows: list[Window] = []
    for s, sent in enumerate(sentences):
        p = pieces[sent.doc]
        sh = shapes[sent.doc] if shapes is not None else None
        lo, hi = shift[sent.doc] + sent.start, shift[sent.doc] + sent.end
        around = None
        if context:
            a, z = max(0, lo - context), min(len(p), hi + context)  # a word: 1+ sub-tokens
            before_sh = sh[a:lo] if sh is not None else [0] * (lo - a)
            after_sh = sh[hi:z] if sh is not None else [0] * (z - hi)
            around = Around(p[a:lo], p[hi:z], before_sh, after_sh, context)
        own = sh[lo:hi] if sh is not None else None
        windows += make_windows(p[lo:hi], s, cls_id, sep_id, max_length, stride, own, around)
    return windows, sentences


def model_context(config: dict[str, Any]) -> int:
    """Sub-tokens of context a side that a model was trained with (0: none)."""
    return int(config.get(CONTEXT_KEY) or 0)


def model_dir_context(path: Path) -> int:
    """The same, read from a model directory's config."""
    return model_context(read_model_dir(path).config)
