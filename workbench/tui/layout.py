"""Where each token of a document sits on screen, for a given width.

The document view wraps text itself (at gaps between tokens, newlines kept) so
that `up` and `down` can find the token on the line above or below.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core import Document


@dataclass(frozen=True)
class Piece:
    start: int  # character offsets into the document text
    end: int
    token: int | None  # token index, None for the text between tokens


@dataclass
class Layout:
    lines: list[list[Piece]]
    where: list[tuple[int, int]]  # token -> (line, column)

    def token_above(self, i: int, delta: int) -> int | None:
        """The token on the line ``delta`` lines away nearest to token ``i``'s column."""
        line, col = self.where[i]
        target = line + delta
        while 0 <= target < len(self.lines):
            best = min(
                (
                    (abs(self.where[p.token][1] - col), p.token)
                    for p in self.lines[target]
                    if p.token is not None
                ),
                default=None,
            )
            if best is not None:
                return best[1]
            target += delta  # a blank line: keep going
        return None


def layout(doc: Document, width: int) -> Layout:
    width = max(8, width)
    lines: list[list[Piece]] = [[]]
    where: list[tuple[int, int]] = []
    col = 0
    text = doc.text

    def newline() -> None:
        nonlocal col
        lines.append([])
        col = 0

    def put(start: int, end: int, token: int | None) -> None:
        nonlocal col
        if token is not None:
            if col + (end - start) > width and col > 0:
                newline()
            # a token longer than a line is cut into line-sized pieces
            first = True
            while end - start > width - col:
                cut = start + (width - col)
                if first:
                    where.append((len(lines) - 1, col))
                    first = False
                lines[-1].append(Piece(start, cut, token))
                newline()
                start = cut
            if first:
                where.append((len(lines) - 1, col))
            lines[-1].append(Piece(start, end, token))
            col += end - start
            return
        gap = text[start:end]
        parts = gap.split("\n")
        for k, part in enumerate(parts):
            if k:
                newline()
            part = part.replace("\t", " ")
            if part and col > 0 and col + len(part) <= width:
                lines[-1].append(Piece(start, start + len(part), None))
                col += len(part)
            start += len(part) + 1

    prev = 0
    for i, tok in enumerate(doc.tokens):
        if tok.start > prev:
            put(prev, tok.start, None)
        put(tok.start, tok.end, i)
        prev = tok.end
    if prev < len(text):
        put(prev, len(text), None)
    return Layout(lines, where)
