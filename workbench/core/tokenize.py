"""The word tokenizer: splits the way the BC5CDR tokens are split.

Runs of letters and digits form one token; every other non-space character
is a token of its own ("H2-receptor" -> "H2", "-", "receptor").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from workbench.core.document import Token
from workbench.core.spans import Span

_WORD = re.compile(r"[^\W_]+|\S")


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end()) for m in _WORD.finditer(text)]


def words(text: str) -> list[str]:
    """The tokens' texts, split as `tokenize` splits a document (a dictionary's terms)."""
    return _WORD.findall(text)


def _splittable(left: str, right: str) -> bool:
    """An entity may end inside a token only where a word plausibly breaks: between a letter
    and a digit ("Ca|2+", "IL|6") or a lower-case letter and a capital ("acid|A")."""
    if left.isalpha() != right.isalpha() and (left.isdigit() or right.isdigit()):
        return True
    return left.islower() and right.isupper()


def tokenize_around(text: str, spans: Iterable[Span]) -> list[Token]:
    """The tokenizer's tokens, split further where an entity starts or ends inside one at a
    plausible break. An edge anywhere else (``pir`` inside ``Aspirin``) is left for the
    import to refuse or snap."""
    tokens = tokenize(text)
    cuts: set[int] = set()
    for s in spans:
        cuts.update((s.start, s.end))
    if not cuts:
        return tokens
    out: list[Token] = []
    for tok in tokens:
        inner = sorted(
            c for c in cuts if tok.start < c < tok.end and _splittable(text[c - 1], text[c])
        )
        start = tok.start
        for c in inner:
            out.append(Token(start, c))
            start = c
        out.append(Token(start, tok.end))
    return out


def misaligned(tokens: Sequence[Token], spans: Iterable[Span]) -> list[Span]:
    """The spans that do not start on a token's start and end on a token's end."""
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    return [s for s in spans if s.start not in starts or s.end not in ends]


def token_span(tokens: Sequence[Token], start: int, end: int) -> tuple[int, int] | None:
    """The first and last index of the tokens that the characters [start, end) touch (None
    when they touch none)."""
    inside = [i for i, t in enumerate(tokens) if t.end > start and t.start < end]
    return (inside[0], inside[-1]) if inside else None


def snap(tokens: Sequence[Token], span: Span) -> Span | None:
    """The span widened to the tokens it overlaps (None when it overlaps none)."""
    found = token_span(tokens, span.start, span.end)
    if found is None:
        return None
    first, last = found
    return Span(tokens[first].start, tokens[last].end, span.label, span.score, dict(span.meta))
