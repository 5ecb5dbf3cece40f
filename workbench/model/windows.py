"""Words -> sub-word windows: the ``word_ids`` alignment shared by training and prediction.

Each window is [CLS] + sub-tokens + [SEP], at most ``max_length`` long, cut on
word boundaries. A word's label sits on its first sub-token; the others, and
the special tokens, get -100. Windows of a long sentence overlap by ``stride``
sub-tokens; in prediction every word is read from the window where it has the
most context on both sides.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
) -> list[Window]:
    """``shapes``, one per word, become the token type of each of the word's sub-tokens."""
    budget = max_length - 2
    windows: list[Window] = []
    n = len(pieces)
    start = 0
    while start < n:
        used, end = 0, start
        while end < n and (used + max(1, len(pieces[end])) <= budget or end == start):
            used += max(1, len(pieces[end]))
            end += 1
        ids, word_index = [cls_id], [-1]
        types = None if shapes is None else [0]
        for w in range(start, end):
            p = pieces[w][:budget] or []
            word_index += [w] + [-1] * (len(p) - 1) if p else []
            ids += p
            if types is not None and shapes is not None:
                types += [shapes[w]] * len(p)
        ids.append(sep_id)
        word_index.append(-1)
        if types is not None:
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
