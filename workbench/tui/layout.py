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

    def token_at(self, line: int, x: int) -> int | None:
        """The token drawn at column ``x`` of ``line`` (a click), else the nearest on it."""
        if not 0 <= line < len(self.lines):
            return None
        col, nearest = 0, None
        for p in self.lines[line]:
            width = p.end - p.start
            if p.token is not None:
                if col <= x < col + width:
                    return p.token
                distance = min(abs(x - col), abs(x - (col + width - 1)))
                if nearest is None or distance < nearest[0]:
                    nearest = (distance, p.token)
            col += width
        return None if nearest is None else nearest[1]


def _breaks(doc: Document) -> set[int]:
    """Where a passage starts, to begin a new line there: after a PubTator title."""
    info = doc.meta.get("pubtator") if isinstance(doc.meta, dict) else None
    if not isinstance(info, dict) or not info.get("has_abstract"):
        return set()
    title = info.get("title_length")
    return {title} if isinstance(title, int) and 0 < title < len(doc.text) else set()


def _word_ends(doc: Document) -> list[int]:
    """For each token, the end of the run of tokens it starts with no space between them
    ("gentamicin-treated", "analyses."): a line breaks before such a run, not inside it."""
    ends = [t.end for t in doc.tokens]
    for i in range(len(doc.tokens) - 2, -1, -1):
        if doc.tokens[i + 1].start == doc.tokens[i].end:
            ends[i] = ends[i + 1]
    return ends


def layout(doc: Document, width: int) -> Layout:
    width = max(8, width)
    breaks = _breaks(doc)
    word_end = _word_ends(doc)
    lines: list[list[Piece]] = [[]]
    where: list[tuple[int, int]] = []
    col = 0
    text = doc.text

    def newline() -> None:
        nonlocal col
        lines.append([])
        col = 0

    def put(start: int, end: int, token: int | None, run_end: int = 0) -> None:
        nonlocal col
        if token is not None:
            # break before a run of unspaced tokens that would not fit, if it fits a line
            run = max(end, run_end) - start
            wanted = run if run <= width else end - start
            if col > 0 and col + wanted > width:
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
        if any(start <= b < end for b in breaks) and "\n" not in gap:
            newline()  # a new passage: its own line, the gap not drawn
            return
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
        starts_run = i == 0 or doc.tokens[i - 1].end < tok.start
        put(tok.start, tok.end, i, word_end[i] if starts_run else 0)
        prev = tok.end
    if prev < len(text):
        put(prev, len(text), None)
    return Layout(lines, where)
