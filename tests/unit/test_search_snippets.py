"""Search across the corpus: the SQL finds the first match where Python would (case ignored
for ASCII letters), and a snippet always shows the whole match, highlighted, on one line."""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.session.search import ELLIPSIS, search_corpus, snippet
from workbench.store import open_db, transaction

# No lone surrogates (not UTF-8) and no NUL (SQLite's text functions stop at one).
CHARS = st.characters(codec="utf-8", exclude_characters="\x00")
TEXT = st.text(CHARS, min_size=1, max_size=400)
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _one_line(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def _as_shown(s: str) -> str:
    return "".join(" " if c.isspace() else c for c in s)


@contextmanager
def _db(texts: list[str], removed: tuple[int, ...] = ()) -> Iterator[sqlite3.Connection]:
    with tempfile.TemporaryDirectory() as tmp:
        conn = open_db(Path(tmp) / "w.db")
        with transaction(conn):
            for i, text in enumerate(texts, 1):
                conn.execute(
                    "INSERT INTO documents (external_id, text, tokens, split, format, removed_at)"
                    " VALUES (?, ?, '[]', 'pool', 'text', ?)",
                    (f"PMID{i}", text, "2026-01-01" if i in removed else None),
                )
        try:
            yield conn
        finally:
            conn.close()


@settings(max_examples=200)
@given(TEXT, st.data(), st.integers(min_value=1, max_value=120))
def test_the_snippet_shows_the_whole_match_on_one_line(
    text: str, data: st.DataObject, width: int
) -> None:
    at = data.draw(st.integers(0, len(text) - 1))
    length = data.draw(st.integers(1, len(text) - at))
    before, after = data.draw(st.booleans()), data.draw(st.booleans())
    s = snippet(text, at, length, width, before=before, after=after)
    assert s.text[s.start : s.end] == _as_shown(text[at : at + length])
    assert len(s.text) <= max(width, length)
    assert all(c == " " or not c.isspace() for c in s.text)
    head, tail = s.text[: s.start], s.text[s.end :]
    left, right = _one_line(text[:at]), _one_line(text[at + length :])
    # the context next to the match, an ellipsis where it is cut (if there is room for one)
    assert left.endswith(head.removeprefix(ELLIPSIS))
    assert right.startswith(tail.removesuffix(ELLIPSIS))
    assert not (before and head) or head.startswith(ELLIPSIS)
    assert not (after and tail) or tail.endswith(ELLIPSIS)
    if not (before or after) and len(left) + length + len(right) <= width:
        assert (head, tail) == (left, right)


def test_the_snippet_puts_a_third_of_the_room_before_the_match() -> None:
    text = "a" * 100 + "NEEDLE" + "b" * 100
    s = snippet(text, 100, 6, width=36)
    assert (s.text[: s.start], s.text[s.start : s.end]) == (ELLIPSIS + "a" * 9, "NEEDLE")
    assert s.text[s.end :] == "b" * 19 + ELLIPSIS
    short = snippet("Renal\nfailure   after lithium.", 22, 7, width=60)
    assert short.text == "Renal failure after lithium."
    assert short.text[short.start : short.end] == "lithium"


@settings(max_examples=60)
@given(st.lists(TEXT, min_size=1, max_size=4), st.data())
def test_the_corpus_search_finds_the_first_match_with_ascii_case_ignored(
    texts: list[str], data: st.DataObject
) -> None:
    which = data.draw(st.integers(0, len(texts) - 1))
    text = texts[which]
    at = data.draw(st.integers(0, len(text) - 1))
    piece = text[at : at + data.draw(st.integers(1, len(text) - at))]
    needle = "".join(c.swapcase() if c.isascii() and data.draw(st.booleans()) else c for c in piece)
    with _db(texts) as conn:
        found = search_corpus(conn, needle, width=40)
    wanted = needle.translate(ASCII_LOWER)
    holding = [
        (i, t.translate(ASCII_LOWER).find(wanted))
        for i, t in enumerate(texts, 1)
        if wanted in t.translate(ASCII_LOWER)
    ]
    assert [(h.doc_id, h.offset) for h in found.hits] == holding
    assert which + 1 in [h.doc_id for h in found.hits]
    for hit in found.hits:
        s = hit.snippet
        shown = s.text[s.start : s.end]
        assert shown.translate(ASCII_LOWER) == _as_shown(needle).translate(ASCII_LOWER)
        assert shown == _as_shown(texts[hit.doc_id - 1][hit.offset : hit.offset + len(needle)])


def test_the_corpus_search_is_capped_and_skips_removed_documents() -> None:
    texts = ["Lithium here.", "No such thing.", "lithium twice: LITHIUM.", "LiThIuM", "lithium"]
    with _db(texts, removed=(5,)) as conn:
        found = search_corpus(conn, "lithium", limit=2)
        assert [(h.ident, h.offset, h.split, h.status) for h in found.hits] == [
            ("PMID1", 0, "pool", "new"),
            ("PMID3", 0, "pool", "new"),
        ]
        assert found.more
        every = search_corpus(conn, "lithium")
        assert [h.doc_id for h in every.hits] == [1, 3, 4] and not every.more
        assert search_corpus(conn, "").hits == ()
        assert search_corpus(conn, "100%_").hits == ()  # no LIKE wildcards in it
