"""Sentence boundaries, so that raw abstracts are tagged the way the model was trained.

CoNLL documents carry their sentences (a newline between tokens). Raw text is
split after ``.``, ``!`` or ``?`` when the next token starts with an upper-case
letter or a digit and the word before is not a common abbreviation.
"""

from __future__ import annotations

from itertools import pairwise

from workbench.core.document import Document

_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "vs",
        "al",
        "fig",
        "figs",
        "ref",
        "refs",
        "approx",
        "ca",
        "no",
        "nos",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "et",
        "cf",
        "resp",
    ]
)


def sentence_ranges(doc: Document) -> list[tuple[int, int]]:
    """Token index ranges [start, end) of the sentences, covering every token."""
    n = len(doc.tokens)
    if n == 0:
        return []
    breaks = doc.sentence_breaks()
    if not doc.presplit:  # raw text: paragraphs (newlines) and sentence punctuation
        breaks = sorted(set(breaks) | set(_punctuation_breaks(doc)))
    bounds = [0, *breaks, n]
    return [(a, b) for a, b in pairwise(bounds) if b > a]


def _punctuation_breaks(doc: Document) -> list[int]:
    text, toks = doc.text, doc.tokens
    out = []
    for i in range(1, len(toks) - 1):
        tok = text[toks[i].start : toks[i].end]
        if tok not in (".", "!", "?"):
            continue
        nxt = text[toks[i + 1].start : toks[i + 1].end]
        if toks[i + 1].start == toks[i].end:  # "3.5", "e.g.": no space after the dot
            continue
        if not (nxt[0].isupper() or nxt[0].isdigit()):
            continue
        prev = text[toks[i - 1].start : toks[i - 1].end].lower()
        if prev in _ABBREVIATIONS or (len(prev) == 1 and prev.isalpha()):
            continue
        out.append(i + 1)
    return out
