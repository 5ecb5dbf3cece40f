"""Search across the corpus: the documents that hold some text, each with a one-line snippet
around its first match, for the results list that `/` and `ctrl+f` open.

No Textual here: a `Snippet` says where the match is in its line and the screen styles it.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from workbench.store.selection import search_matches

LIMIT = 200
ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Snippet:
    """One line of text with the match at ``text[start:end]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    """A document that holds the text, and where (``offset``: its first match, in
    characters from the start of the document's text)."""

    doc_id: int
    external_id: str | None
    split: str
    status: str
    offset: int
    length: int
    snippet: Snippet

    @property
    def ident(self) -> str:
        """As `g` takes it: the document's own id (a PMID), else #N."""
        return self.external_id or f"#{self.doc_id}"


@dataclass(frozen=True)
class Hits:
    needle: str
    hits: tuple[Hit, ...]
    more: bool  # more documents hold it than are listed


def _one_line(s: str) -> str:
    """Context on one line: every run of white space (a newline too) as one space."""
    return _SPACES.sub(" ", s)


def snippet(
    text: str,
    at: int,
    length: int,
    width: int = 60,
    *,
    before: bool = False,
    after: bool = False,
) -> Snippet:
    """About ``width`` characters of ``text`` on one line around ``text[at:at + length]``,
    which is kept whole (its white space each one space, so it lines up with the needle)
    however long; a third of the room goes before it. ``before`` and ``after`` say the
    document goes on beyond ``text`` (a window of it), so the cut shows an ellipsis."""
    match = "".join(" " if c.isspace() else c for c in text[at : at + length])
    room = max(0, width - len(match))
    left = _one_line(text[:at])
    right = _one_line(text[at + length :])
    want_left = min(len(left), room // 3)
    want_right = min(len(right), room - want_left)
    want_left = min(len(left), room - want_right)  # short on the right: more on the left
    cut_left = before or want_left < len(left)
    cut_right = after or want_right < len(right)
    head = left[len(left) - want_left :]
    tail = right[:want_right]
    if cut_left and head:
        head = ELLIPSIS + head[1:]
    if cut_right and tail:
        tail = tail[:-1] + ELLIPSIS
    return Snippet(head + match + tail, len(head), len(head) + len(match))


def search_corpus(
    conn: sqlite3.Connection, needle: str, limit: int = LIMIT, width: int = 60
) -> Hits:
    """The first ``limit`` live documents that hold ``needle`` (case ignored for ASCII
    letters), in the project's order, each with a snippet of about ``width`` characters."""
    rows = search_matches(conn, needle, limit + 1)
    hits = tuple(
        Hit(
            doc_id,
            ext,
            split,
            status,
            at,
            len(needle),
            snippet(
                window,
                at - start,
                len(needle),
                width,
                before=start > 0,
                after=start + len(window) < total,
            ),
        )
        for doc_id, ext, split, status, at, start, window, total in rows[:limit]
    )
    return Hits(needle, hits, len(rows) > limit)
