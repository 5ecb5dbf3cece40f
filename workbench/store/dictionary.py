"""Queries on user dictionaries: a dictionary with its terms in, the terms out for the index."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple


@dataclass(frozen=True)
class DictionaryRecord:
    id: int
    source: str
    label: str
    entries: int  # concepts
    terms: int
    content_hash: str
    created_at: str


class DictionaryTerm(NamedTuple):
    """One name or synonym of a concept. A tuple, not a dataclass: 100,000 of them are read
    each time the annotate screen loads its suggestions."""

    label: str
    concept_id: str
    name: str  # the concept's preferred name
    term: str  # as written
    folded: str  # as matched (`core.concepts.fold_term`)


class NewTerm(NamedTuple):
    concept_id: str
    name: str
    term: str
    folded: str


_COLUMNS = "id, source, label, entries, terms, content_hash, created_at"


def insert_dictionary(
    conn: sqlite3.Connection,
    *,
    source: str,
    label: str,
    entries: int,
    terms: Sequence[NewTerm],
    content_hash: str,
) -> DictionaryRecord:
    """A dictionary and its terms; the caller holds the transaction."""
    cur = conn.execute(
        "INSERT INTO dictionaries (source, label, entries, terms, content_hash)"
        " VALUES (?, ?, ?, ?, ?)",
        (source, label, entries, len(terms), content_hash),
    )
    dictionary_id = int(cur.lastrowid or 0)
    conn.executemany(
        "INSERT INTO dictionary_terms (dictionary_id, concept_id, name, term, folded)"
        " VALUES (?, ?, ?, ?, ?)",
        ((dictionary_id, *t) for t in terms),
    )
    row = conn.execute(f"SELECT {_COLUMNS} FROM dictionaries WHERE id = ?", (dictionary_id,))
    return _record(row.fetchone())


def list_dictionaries(conn: sqlite3.Connection) -> list[DictionaryRecord]:
    """Every dictionary, oldest first."""
    return [_record(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM dictionaries ORDER BY id")]


def dictionaries_of_content(conn: sqlite3.Connection, content_hash: str) -> list[DictionaryRecord]:
    """The dictionaries imported from a file with this content (a file is imported once)."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM dictionaries WHERE content_hash = ? ORDER BY id", (content_hash,)
    )
    return [_record(r) for r in rows]


def iter_terms(conn: sqlite3.Connection) -> Iterator[DictionaryTerm]:
    """Every term of every dictionary with its dictionary's label, in import order."""
    cur = conn.execute(
        "SELECT d.label, t.concept_id, t.name, t.term, t.folded"
        " FROM dictionary_terms t JOIN dictionaries d ON d.id = t.dictionary_id"
        " ORDER BY t.rowid"
    )
    cur.row_factory = None  # plain tuples: sqlite3.Row costs a third more here
    return map(DictionaryTerm._make, cur)


def _record(r: sqlite3.Row | tuple[Any, ...]) -> DictionaryRecord:
    """From a row of ``_COLUMNS``, whatever the connection's row factory."""
    return DictionaryRecord(
        int(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4]), str(r[5]), str(r[6])
    )
